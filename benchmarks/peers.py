"""dedupe_ko and its peers, each run the way its documentation shows, on a JSONL file.

Each peer is a plain function ``(input_path, workdir) -> (outputs, params)``:

- dedup peers return ``{id: cluster}`` where ``cluster`` is the id of the kept representative
  (its own id when kept), the format ``../shared/corpus/score.py dedup`` reads;
- clean peers return ``{id: text}`` (paragraphs joined by "\\n").

Every peer streams its input (nothing but its own index is held), and reading the input is
part of the measured time for all of them. ``run_all.py`` runs each peer in a fresh process
through this module's command line, which times the work and writes the outputs:

    python benchmarks/peers.py dedup PEER INPUT OUT.jsonl [--profile PROF.txt]
    python benchmarks/peers.py clean PEER INPUT OUT.jsonl

The settings of each peer are in its docstring and in ``params``; README.md lists them too.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from corpora import read_jsonl, write_jsonl  # noqa: E402

__all__ = ["DEDUP_PEERS", "CLEAN_PEERS", "versions"]

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.7


def _records(path: Path) -> Iterator[tuple[str, str]]:
    for r in read_jsonl(path):
        yield str(r["id"]), r["text"]


def _char_shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Character k-grams of the text as it is (the textbook recipe: no normalisation)."""
    if len(text) <= k:
        return {text}
    return {text[i : i + k] for i in range(len(text) - k + 1)}


class _UnionFind:
    """Union of LSH candidates (no verification), the root being the earliest document."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the earliest stays the representative


def _clusters(ids: list[str], uf: _UnionFind) -> dict[str, str]:
    return {i: ids[uf.find(k)] for k, i in enumerate(ids)}


# --------------------------------------------------------------------------------------------
# Dedup peers


def dedup_datasketch(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """The textbook datasketch loop: per document ``MinHash(num_perm=128)`` (datasketch
    defaults: sha1 hash, affine32 scheme) fed the character 5-grams of the raw page with
    ``update_batch``; ``MinHashLSH(threshold=0.7, num_perm=128)`` (bands/rows from datasketch's
    optimiser); query then insert each document; union of all candidates into clusters."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    uf, ids = _UnionFind(), []
    for doc_id, text in _records(path):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in _char_shingles(text)])
        k = uf.add()
        ids.append(doc_id)
        for c in lsh.query(m):
            uf.union(k, c)
        lsh.insert(k, m)
    return _clusters(ids, uf), {
        "num_perm": NUM_PERM,
        "threshold": THRESHOLD,
        "bands_rows": [lsh.b, lsh.r],
        "shingles": "char 5-grams of the raw page",
        "hash": "sha1",
    }


def dedup_rensa(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """rensa in the same loop: ``RMinHash(num_perm=128, seed=42)`` (the seed its README uses)
    over the same character 5-grams, ``RMinHashLSH(threshold=0.7, num_perm=128,
    num_bands=16)`` (rensa needs bands dividing num_perm; 16 bands of 8 rows put the LSH
    threshold at (1/16)^(1/8) = 0.71); query then insert; union of candidates."""
    from rensa import RMinHash, RMinHashLSH

    bands = 16
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=bands)
    uf, ids = _UnionFind(), []
    for doc_id, text in _records(path):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(list(_char_shingles(text)))
        k = uf.add()
        ids.append(doc_id)
        for c in lsh.query(m):
            uf.union(k, c)
        lsh.insert(k, m)
    return _clusters(ids, uf), {
        "num_perm": NUM_PERM,
        "seed": 42,
        "threshold": THRESHOLD,
        "num_bands": bands,
        "shingles": "char 5-grams of the raw page",
    }


def dedup_rensa_dedup(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """rensa's own streaming deduplicator as its README shows it:
    ``RMinHashDeduplicator(threshold=0.7, num_perm=128, use_lsh=True)`` (other arguments at
    their defaults), with ``RMinHash(num_perm=128, seed=42)`` over character 5-grams. It checks
    LSH candidates against the threshold; a duplicate joins the cluster of its earliest match
    and is not added, so the index holds kept documents only."""
    from rensa import RMinHash, RMinHashDeduplicator

    d = RMinHashDeduplicator(threshold=THRESHOLD, num_perm=NUM_PERM, use_lsh=True)
    out: dict[str, str] = {}
    order: dict[str, int] = {}
    for doc_id, text in _records(path):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(list(_char_shingles(text)))
        dups = d.get_duplicates(m)
        if dups:
            first = min(dups, key=order.__getitem__)
            out[doc_id] = out[first]
        else:
            d.add(doc_id, m)
            out[doc_id] = doc_id
        order[doc_id] = len(order)
    return out, {
        "num_perm": NUM_PERM,
        "seed": 42,
        "threshold": THRESHOLD,
        "use_lsh": True,
        "shingles": "char 5-grams of the raw page",
    }


def dedup_datatrove(path: Path, workdir: Path, workers: int = 2) -> tuple[dict[str, str], dict]:
    """datatrove's MinHash pipeline, four ``LocalPipelineExecutor`` runs as its example shows:
    signatures -> buckets -> clusters -> filter, ``MinhashConfig()`` defaults (word 5-grams,
    14 buckets x 8 hashes, 64-bit hashes, its text normalisation) except the hash function:
    sha1, because its default xxhash path passes str, which xxhash 4 refuses; language Korean
    (its Kiwi
    word tokenizer, with the "cong" model: kiwipiepy 0.24 ships no "sbg" model, datatrove's
    default for it). The input is split into 2 JSONL shards; signatures and filter run as 2
    tasks, buckets as 14 tasks, on ``workers`` processes. Clusters are read back from the
    filter's output (kept documents) and exclusion file (removed ones), both carrying
    ``minhash_cluster_id``; the kept document of a cluster is its representative."""
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.typeshelper import Languages
    from datatrove.utils.word_tokenizers import KiwiTokenizer

    work = Path(tempfile.mkdtemp(prefix="datatrove-", dir=workdir))
    shards = work / "input"
    shards.mkdir()
    tasks = 2
    outs = [open(shards / f"{t:02d}.jsonl", "wb") for t in range(tasks)]  # noqa: SIM115
    ids: list[str] = []
    for i, r in enumerate(read_jsonl(path)):  # round-robin, so both tasks get work
        outs[i % tasks].write(orjson.dumps({"id": r["id"], "text": r["text"]}) + b"\n")
        ids.append(str(r["id"]))
    for f in outs:
        f.close()

    # xxhash 4 refuses str input, which datatrove's default xxhash hasher passes: use its
    # other documented hash function, sha1, at the default 64-bit precision.
    config = MinhashConfig(hash_config=HashConfig(hash_fc="sha1", precision=64))
    tok = KiwiTokenizer("cong")
    logs = work / "logs"

    def reader() -> JsonlReader:
        return JsonlReader(str(shards), glob_pattern="*.jsonl", compression=None)

    stages = [
        ([reader(), MinhashDedupSignature(str(work / "sigs"), config=config, language=tok)], tasks),
        (
            [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)],
            config.num_buckets,
        ),
        (
            [
                MinhashDedupCluster(
                    str(work / "buckets"), str(work / "remove"), config=config, save_cluster_id=True
                )
            ],
            1,
        ),
        (
            [
                reader(),
                MinhashDedupFilter(
                    str(work / "remove"),
                    load_cluster_ids=True,
                    exclusion_writer=JsonlWriter(str(work / "removed"), compression=None),
                ),
                JsonlWriter(str(work / "kept"), compression=None),
            ],
            tasks,
        ),
    ]
    for n, (pipeline, n_tasks) in enumerate(stages):
        LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=n_tasks,
            workers=min(workers, n_tasks),
            logging_dir=str(logs / f"stage{n}"),
            skip_completed=False,
        ).run()
    rep: dict[int, str] = {}
    cluster_of: dict[str, int] = {}
    for f in sorted((work / "kept").glob("*.jsonl")):
        for r in read_jsonl(f):
            c = r.get("metadata", {}).get("minhash_cluster_id", -1)
            if c != -1:
                rep[c] = str(r["id"])
    for f in sorted((work / "removed").glob("*.jsonl")):
        for r in read_jsonl(f):
            cluster_of[str(r["id"])] = r["metadata"]["minhash_cluster_id"]
    out = {i: rep.get(cluster_of[i], i) if i in cluster_of else i for i in ids}
    shutil.rmtree(work, ignore_errors=True)
    return out, {
        "config": "MinhashConfig() defaults (word 5-grams, 14 buckets x 8 hashes, "
        "64-bit) but hash_fc='sha1'",
        "language": Languages.korean,
        "tokenizer": "KiwiTokenizer('cong')",
        "tasks": tasks,
        "workers": workers,
    }


def dedup_exact(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """Exact-hash baseline: SHA-1 of the page with whitespace runs collapsed; first seen kept."""
    seen: dict[bytes, str] = {}
    out = {}
    for doc_id, text in _records(path):
        key = hashlib.sha1(" ".join(text.split()).encode("utf-8")).digest()
        out[doc_id] = seen.setdefault(key, doc_id)
    return out, {"key": "sha1 of whitespace-normalised page"}


def dedup_dedupe_ko(path: Path, workdir: Path, batch: int = 1000) -> tuple[dict[str, str], dict]:
    """dedupe_ko as a user calls it: ``dedupe_ko.clean`` each page, then
    ``Deduplicator().add_batch`` (default `DedupConfig`) a batch of 1,000 at a time."""
    import dedupe_ko
    from dedupe_ko.dedup import Deduplicator

    d = Deduplicator()
    out: dict[str, str] = {}
    buf: list[tuple[str, str]] = []

    def flush() -> None:
        for dec in d.add_batch(buf):
            out[dec.id] = dec.cluster
        buf.clear()

    empty = 0
    for doc_id, text in _records(path):
        body = dedupe_ko.clean(text)
        if not body.strip():  # nothing but furniture: kept alone, as the CLI quarantines it
            out[doc_id] = doc_id
            empty += 1
            continue
        buf.append((doc_id, body))
        if len(buf) >= batch:
            flush()
    flush()
    cfg = getattr(d, "config", None)
    return out, {
        "config": repr(cfg) if cfg is not None else "DedupConfig()",
        "batch": batch,
        "empty_after_clean": empty,
    }


def dedup_dedupe_ko_raw(
    path: Path, workdir: Path, batch: int = 1000
) -> tuple[dict[str, str], dict]:
    """dedupe_ko's deduplicator alone, on the raw pages (no cleaning): the engine's own speed,
    and what cleaning adds to quality. ``Deduplicator().add_batch``, 1,000 at a time."""
    from dedupe_ko.dedup import Deduplicator

    d = Deduplicator()
    out: dict[str, str] = {}
    buf: list[tuple[str, str]] = []
    for rec in _records(path):
        buf.append(rec)
        if len(buf) >= batch:
            out.update((dec.id, dec.cluster) for dec in d.add_batch(buf))
            buf.clear()
    out.update((dec.id, dec.cluster) for dec in d.add_batch(buf))
    return out, {"config": repr(d.config), "batch": batch, "input": "raw pages, not cleaned"}


DEDUP_PEERS: dict[str, Callable[[Path, Path], tuple[dict[str, str], dict]]] = {
    "datasketch": dedup_datasketch,
    "rensa": dedup_rensa,
    "rensa-dedup": dedup_rensa_dedup,
    "datatrove": dedup_datatrove,
    "exact": dedup_exact,
    "dedupe_ko": dedup_dedupe_ko,
    "dedupe_ko-raw": dedup_dedupe_ko_raw,
}


# --------------------------------------------------------------------------------------------
# Clean peers


def clean_none(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """The page as it came: the floor every cleaner must beat."""
    return dict(_records(path)), {}


def clean_ftfy(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """``ftfy.fix_text`` with its default ``TextFixerConfig``: Unicode repair only."""
    import ftfy

    return {i: ftfy.fix_text(t) for i, t in _records(path)}, {"config": "TextFixerConfig()"}


def _ccnet_key(line: str) -> bytes:
    """CCNet's normalisation for line dedup: lower case, digits to 0, no punctuation/space."""
    import unicodedata

    s = line.lower()
    s = "".join("0" if c.isdigit() else c for c in s if unicodedata.category(c)[0] not in "PZS")
    return hashlib.sha1(s.encode("utf-8")).digest()[:8]


def clean_ccnet(path: Path, workdir: Path, min_docs: int = 2) -> tuple[dict[str, str], dict]:
    """CCNet-style line dedup: a first pass counts, for each normalised line hash, how many
    pages of the corpus hold it; the second pass drops lines found in ``min_docs`` (2) or more
    pages, and repeats of a line inside a page after its first occurrence. Two passes over
    the input, 8-byte hashes in memory."""
    df: Counter[bytes] = Counter()
    for _, text in _records(path):
        df.update({_ccnet_key(ln) for ln in text.split("\n") if ln.strip()})
    out = {}
    for doc_id, text in _records(path):
        seen: set[bytes] = set()
        keep = []
        for ln in text.split("\n"):
            if not ln.strip():
                continue
            k = _ccnet_key(ln)
            if df[k] >= min_docs or k in seen:
                continue
            seen.add(k)
            keep.append(ln)
        out[doc_id] = "\n".join(keep)
    return out, {"min_docs": min_docs, "normalisation": "lower, digits->0, no punct/space"}


def clean_dedupe_ko(path: Path, workdir: Path) -> tuple[dict[str, str], dict]:
    """``dedupe_ko.clean`` with its default `CleanConfig`."""
    import dedupe_ko

    return {i: dedupe_ko.clean(t) for i, t in _records(path)}, {"config": "CleanConfig()"}


CLEAN_PEERS: dict[str, Callable[[Path, Path], tuple[dict[str, str], dict]]] = {
    "none": clean_none,
    "ftfy": clean_ftfy,
    "ccnet": clean_ccnet,
    "dedupe_ko": clean_dedupe_ko,
}


def versions() -> dict[str, str]:
    """Installed versions of dedupe_ko and every peer package."""
    out = {}
    for name in (
        "dedupe-ko",
        "datasketch",
        "rensa",
        "datatrove",
        "kiwipiepy",
        "ftfy",
        "numpy",
        "xxhash",
    ):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _vmhwm() -> int:
    """This process's peak resident set in bytes (VmHWM: counted from exec, unlike
    ru_maxrss, which also holds the parent's size at fork time)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("task", choices=["dedup", "clean"])
    ap.add_argument("peer")
    ap.add_argument("input", type=Path)
    ap.add_argument("output", type=Path, help="JSONL: {id, cluster} or {id, text}")
    ap.add_argument("--stats", type=Path, help="write {seconds, docs, params} here as JSON")
    ap.add_argument("--profile", type=Path, help="run under cProfile; top functions here")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    args = ap.parse_args(argv)
    peers = DEDUP_PEERS if args.task == "dedup" else CLEAN_PEERS
    if args.peer not in peers:
        ap.error(f"unknown {args.task} peer {args.peer!r}; choose from {', '.join(peers)}")
    fn = peers[args.peer]
    args.workdir.mkdir(parents=True, exist_ok=True)
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    result, params = fn(args.input, args.workdir)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof is not None:
        import io
        import pstats

        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        buf.write("\n\n---- by own time ----\n")
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
        args.profile.write_text(buf.getvalue())
    key = "cluster" if args.task == "dedup" else "text"
    write_jsonl(args.output, ({"id": i, key: v} for i, v in result.items()))
    stats = {
        "seconds": seconds,
        "cpu_self": cpu,
        "docs": len(result),
        "params": params,
        "vmhwm": _vmhwm(),
    }
    if args.stats:
        args.stats.write_bytes(orjson.dumps(stats, default=str))
    else:
        print(orjson.dumps(stats, default=str).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
