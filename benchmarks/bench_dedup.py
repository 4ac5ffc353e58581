"""dedupe_ko's Deduplicator against the textbook datasketch loop, side by side in one run.

    python benchmarks/bench_dedup.py                    # 50,000 bodies (the committed figures)
    python benchmarks/bench_dedup.py --n 5000 --no-write   # a quick look
    python benchmarks/bench_dedup.py --hard 6000           # the hard set, F1 by kind of copy

The corpus: article bodies (paragraphs joined by "\\n", no page furniture) grown from
../shared/corpus/bodies.jsonl with `corpora.py`'s stories and edits (half the stories
republished 1-4 times, each copy with 1-3 of: spacing changes, a dropped or added paragraph,
the other quote style, a "[속보]"-style tag, typos, a trimmed tail), fixed seed, truth = story.
It is written once to benchmarks/data/ (git-ignored) and read into memory before timing, so
both contenders are timed on the same in-memory records, reading excluded.

Contenders:
- dedupe_ko: ``Deduplicator().add_batch`` over batches of 1024 (default settings: folded
  5-gram shingles, 128 permutations, LSH bands from datasketch's optimiser, every candidate
  verified against its cluster's representative).
- textbook: per document ``datasketch.MinHash(num_perm=128)`` (sha1, datasketch defaults)
  fed the character 5-grams of the raw text with ``update_batch``;
  ``MinHashLSH(threshold=0.7, num_perm=128)``; query, then insert, each document; clusters
  are the union of all candidates.

Before the timed runs, an untimed warm-up (`warm_up`: the first records in both keep modes)
builds dedupe_ko's one-time tables and, when numba's on-disk cache is cold (the first run
after an install or an edit), compiles its kernels; the report says how long that took and
how many kernels were compiled or loaded from the cache, and how many more the timed runs
compiled (none, when the warm-up reached them all).

Figures: docs/s and their ratio, pair precision / recall / F1 and ARI against the truth, and
the bytes dedupe_ko's index holds per article (tracemalloc over a second, untimed run, plus
the ids the Deduplicator keeps alive; and its numpy arrays alone). Results go to
benchmarks/results/dedup.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import shlex
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from math import comb
from pathlib import Path
from statistics import median

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpora  # noqa: E402
from _machine import cpu_model  # noqa: E402

from dedupe_ko import _jit  # noqa: E402
from dedupe_ko.dedup import Deduplicator  # noqa: E402
from dedupe_ko.sentences import fingerprint_batch, same_text  # noqa: E402

RESULTS = HERE / "results" / "dedup.md"
HARD_RESULTS = HERE / "results" / "dedup_hard.md"


# ------------------------------------------------------------------------------------------
# The corpus: corpora.py's stories and edits, as bodies


def iter_bodies(n: int, seed: int) -> Iterator[tuple[str, str, str]]:
    """(id, body, story) for ``n`` articles: `corpora.iter_corpus`'s plan, stories and edits,
    without the page furniture (the Deduplicator takes cleaned bodies)."""
    src = corpora._sources(corpora.BODIES)
    perm = corpora._permutation(seed, len(src.bodies))
    for i, (s, c) in enumerate(corpora._plan(n, seed, 0.5)):
        _, paras = corpora._story(src, perm, seed, s)
        if c:
            paras, _ = corpora._perturb(paras, random.Random(f"page:{seed}:{s}:{c}"))
        yield f"a{i:07d}", "\n".join(paras), f"s{s}"


def corpus(n: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, str], Path]:
    """The records and truth, generated once under benchmarks/data/."""
    path = corpora.DATA_DIR / f"dedup-bodies-v{corpora.CORPUS_VERSION}-n{n}-s{seed}.jsonl"
    if not path.exists():
        corpora.write_jsonl(
            path, ({"id": i, "text": t, "cluster": s} for i, t, s in iter_bodies(n, seed))
        )
    records, truth = [], {}
    for r in corpora.read_jsonl(path):
        records.append((r["id"], r["text"]))
        truth[r["id"]] = r["cluster"]
    return records, truth, path


# ------------------------------------------------------------------------------------------
# Contenders


def run_dedupe_ko(
    records: list[tuple[str, str]], batch_size: int, keep: str = "first"
) -> tuple[dict[str, str], Deduplicator]:
    d = Deduplicator(keep=keep)
    out: dict[str, str] = {}
    for i in range(0, len(records), batch_size):
        for dec in d.add_batch(records[i : i + batch_size]):
            out[dec.id] = dec.cluster
    for dec in d.finish():
        out[dec.id] = dec.cluster
    return out, d


def warm_up(records: list[tuple[str, str]], batch_size: int) -> float:
    """Untimed, before the contenders: dedupe_ko's one-time tables, and numba's compile of
    the kernels when its on-disk cache is cold (the first run after an install or an edit;
    later processes load them from the cache). A run over the first ``LOAD_AFTER`` + 4
    batches in both keep modes reaches the kernels the timed runs use. Returns its CPU s."""
    c = time.process_time()
    Deduplicator().add("warm-up", "본문")
    head = records[: _jit.LOAD_AFTER + 4 * batch_size]
    for keep in ("first", "longest"):
        run_dedupe_ko(head, batch_size, keep=keep)
    # the pair comparison the runs above rarely reach (a copy checked against the first
    # version of a cluster a fuller one superseded, boilerplate left out)
    prints = fingerprint_batch([text for _, text in records[:2]])
    a, b = prints.of(0), prints.of(1)
    same_text(a, b, leave_out=a.hashes[:1])
    return time.process_time() - c


def kernel_cache() -> tuple[int, int]:
    """(kernels compiled from source, kernels loaded from numba's cache) in this process."""
    import importlib

    compiled = cached = 0
    for name in ("minhash", "sentences", "store", "dedup", "cluster"):
        mod = importlib.import_module(f"dedupe_ko.{name}")
        for obj in vars(mod).values():
            f = getattr(obj, "_compiled", None) if isinstance(obj, _jit._Lazy) else None
            if f is not None:
                compiled += sum(f.stats.cache_misses.values())
                cached += sum(f.stats.cache_hits.values())
    return compiled, cached


def run_textbook(records: list[tuple[str, str]]) -> dict[str, str]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    parent: list[int] = []

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, (_, text) in enumerate(records):
        m = MinHash(num_perm=128)
        m.update_batch([text[i : i + 5].encode("utf-8") for i in range(max(1, len(text) - 4))])
        parent.append(k)
        for c in lsh.query(m):
            ra, rb = find(k), find(c)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        lsh.insert(k, m)
    return {rid: records[find(k)][0] for k, (rid, _) in enumerate(records)}


# ------------------------------------------------------------------------------------------
# Scoring (score.py's pair logic, counted from the contingency table)


def score(truth: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    ids = list(truth)
    cells = Counter((truth[i], pred[i]) for i in ids)
    t_sizes, p_sizes = Counter(truth[i] for i in ids), Counter(pred[i] for i in ids)
    tp = sum(comb(v, 2) for v in cells.values())
    t_pairs = sum(comb(v, 2) for v in t_sizes.values())
    p_pairs = sum(comb(v, 2) for v in p_sizes.values())
    p = tp / p_pairs if p_pairs else 0.0
    r = tp / t_pairs if t_pairs else 0.0
    expected = t_pairs * p_pairs / comb(len(ids), 2)
    mx = (t_pairs + p_pairs) / 2
    ari = (tp - expected) / (mx - expected) if mx != expected else 1.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "ari": ari,
        "largest": max(p_sizes.values()),
    }


def index_bytes(records: list[tuple[str, str]], batch_size: int) -> tuple[int, int, int]:
    """(bytes the Deduplicator holds by tracemalloc + its id strings, bytes of its numpy
    arrays, records), from an untimed run."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    d = Deduplicator()
    for i in range(0, len(records), batch_size):
        d.add_batch(records[i : i + batch_size])
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    # The ids were allocated before tracing (they belong to the records); a streaming run
    # would hand them over, so count them too.
    held += sum(sys.getsizeof(r[0]) for r in records)
    return held, d.nbytes, len(records)


# ------------------------------------------------------------------------------------------


def score_by_kind(
    truth: dict[str, str], kinds: dict[str, str], pred: dict[str, str]
) -> dict[str, dict[str, float]]:
    """Pair precision / recall / F1 over the pairs that involve an article of each kind
    (pairs of two such articles count twice); ``false_joins``: articles of the kind sharing a
    predicted cluster with an article of another story."""
    cells = Counter((truth[i], pred[i]) for i in truth)
    t_sizes, p_sizes = Counter(truth.values()), Counter(pred[i] for i in truth)
    acc: dict[str, list[int]] = {}
    for i, k in kinds.items():
        t, p = truth[i], pred[i]
        both = cells[(t, p)] - 1
        a = acc.setdefault(k, [0, 0, 0, 0, 0])
        a[0] += both
        a[1] += p_sizes[p] - 1 - both  # false positive pairs
        a[2] += t_sizes[t] - 1 - both  # false negative pairs
        a[3] += p_sizes[p] - 1 > both
        a[4] += 1
    out = {}
    for k, (tp, fp, fn, fj, n) in acc.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        out[k] = {
            "n": n,
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "false_joins": fj,
        }
    return out


def half_containment_violations(
    texts: dict[str, str], pred: dict[str, str], truth: dict[str, str] | None = None
) -> tuple[int, int]:
    """Pairs sharing a predicted cluster of which neither contains half of the other
    (exact whitespace-free character 5-gram sets): (all such pairs, those of two different
    stories in ``truth``). A brief made of a story's lede and a re-led copy that dropped
    that lede are one story and may be such a pair."""
    groups: dict[str, list[str]] = {}
    for i, c in pred.items():
        groups.setdefault(c, []).append(i)
    bad = across = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        sets = [set(corpora._shingles(texts[m]).tolist()) for m in members]
        for x in range(len(sets)):
            for y in range(x + 1, len(sets)):
                inter = len(sets[x] & sets[y])
                if max(inter / max(1, len(sets[x])), inter / max(1, len(sets[y]))) < 0.5:
                    bad += 1
                    across += truth is not None and truth[members[x]] != truth[members[y]]
    return bad, across


def run_hard(args: argparse.Namespace, argv: list[str] | None) -> int:
    """The hard set (`corpora.iter_hard`): dedupe_ko and each installed peer, F1 by kind."""
    import peers

    load0 = load_average()
    data, truth_path = corpora.hard_files(args.hard, args.seed)
    truth, kinds = {}, {}
    for r in corpora.read_jsonl(truth_path):
        truth[r["id"]], kinds[r["id"]] = r["cluster"], r["kind"]
    records = [(r["id"], r["text"]) for r in corpora.read_jsonl(data)]
    texts = dict(records)
    print(
        f"hard set: {len(records):,} articles, {len(set(truth.values())):,} stories, {data.name}",
        flush=True,
    )
    warm_up(records, args.batch_size)
    contenders: list[tuple[str, dict[str, str], float]] = []
    for keep in ("first", "longest"):
        t = time.perf_counter()
        pred, _ = run_dedupe_ko(records, args.batch_size, keep=keep)
        contenders.append((f'dedupe_ko keep="{keep}"', pred, time.perf_counter() - t))
    with __import__("tempfile").TemporaryDirectory() as work:
        for name in ("datasketch", "rensa", "rensa-dedup", "datatrove", "exact"):
            t = time.perf_counter()
            try:
                pred, _ = peers.DEDUP_PEERS[name](data, Path(work))
            except ImportError as e:
                print(f"{name}: not installed ({e})", flush=True)
                continue
            contenders.append((name, pred, time.perf_counter() - t))
    order = [k for k in corpora.HARD_KINDS if k in set(kinds.values())]
    lines = [
        "| contender | docs/s | pair P | R | F1 | ARI | under-half pairs (other story) | "
        + " | ".join(f"F1 {k}" for k in order)
        + " |",
        "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(order),
    ]
    for name, pred, secs in contenders:
        sc = score(truth, pred)
        by = score_by_kind(truth, kinds, pred)
        cells = []
        for k in order:
            b = by[k]
            if k.endswith("_trap"):
                cells.append(f"{b['f1']:.3f} ({b['false_joins']} joined)")
            else:
                cells.append(f"{b['f1']:.3f}")
        bad, across = half_containment_violations(texts, pred, truth)
        lines.append(
            f"| {name} | {len(records) / secs:,.0f} | {sc['precision']:.4f} | "
            f"{sc['recall']:.4f} | {sc['f1']:.4f} | {sc['ari']:.4f} | "
            f"{bad} ({across}) | " + " | ".join(cells) + " |"
        )
        print(lines[-1], flush=True)
    counts = Counter(kinds.values())
    table = "\n".join(lines)
    print()
    print(table)
    if not args.no_write:
        cmd = "python " + " ".join(
            shlex.quote(a) for a in ["benchmarks/bench_dedup.py", *(argv or sys.argv[1:])]
        )
        HARD_RESULTS.write_text(
            "# Dedup hard set: abridged and partial republications, and traps\n\n"
            f"Command: `{cmd}`  \nMachine: {machine(load0)}  \n"
            f"Set: {len(records):,} article bodies, {len(set(truth.values())):,} stories "
            f"(seed {args.seed}), `corpora.iter_hard`; kinds: "
            + ", ".join(f"{k} {counts[k]:,}" for k in order)
            + ".\n\n"
            f"{table}\n\n"
            "F1 by kind: pair F1 over the pairs that involve an article of that kind. For the "
            "traps (their own stories) every pair they form is false: F1 1.000 means none "
            "joined, and the count of trap articles that joined another story is shown. "
            "Under-half pairs: pairs in one predicted cluster of which neither contains half "
            "of the other's character 5-grams, and in brackets those of two different stories "
            "(false joins); the others are a brief made of a story's lede with a re-led copy "
            "that dropped that lede (one story).\n",
            encoding="utf-8",
        )
        print(f"\nwrote {HARD_RESULTS.relative_to(HERE.parent)}")
    return 0


def _spread(values: list[float]) -> str:
    """The median, and the lowest and highest when there are several: "9.8 (9.1-10.4)"."""
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine(load_at_start: float) -> str:
    cpu = cpu_model(platform.processor() or platform.machine())
    return (
        f"{cpu}; nproc {os.cpu_count()}; Python {platform.python_version()}; "
        f"numpy {np.__version__}; load average (1 min) {load_at_start:.2f} at start, "
        f"{load_average():.2f} at the end"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=50_000, help="articles (default 50,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument("--no-write", action="store_true", help="print only; no results file")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times each contender runs, back to back in rounds (default 3): the ratios "
        "are the median round's",
    )
    ap.add_argument(
        "--hard",
        type=int,
        default=0,
        metavar="N",
        help="run the hard set of N articles (abridged copies and traps) with "
        "every installed peer, F1 by kind of copy, instead of the speed run",
    )
    args = ap.parse_args(argv)
    if args.hard:
        return run_hard(args, argv)

    load0 = load_average()
    t0 = time.perf_counter()
    records, truth, path = corpus(args.n, args.seed)
    n = len(records)
    stories = len(set(truth.values()))
    print(
        f"corpus: {n:,} articles, {stories:,} stories, {path.name} "
        f"({time.perf_counter() - t0:.1f} s to make/read)",
        flush=True,
    )
    warm = warm_up(records, args.batch_size)
    k0 = kernel_cache() if _jit.loaded() else (0, 0)

    # Each round times the three contenders back to back; the figures are each one's
    # median over the rounds, and the x-textbook ratios are the medians of the rounds' own
    # ratios (a shared machine's speed drifts over minutes: a ratio within a round is
    # steadier than one across rounds), their spread shown beside them.
    names = ["dedupe_ko Deduplicator", 'dedupe_ko keep="longest"', "textbook datasketch loop"]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names:
            gc.collect()
            t, c = time.perf_counter(), time.process_time()
            if name == names[2]:
                pred_t = run_textbook(records)
            elif name == names[1]:
                pred_l, d_l = run_dedupe_ko(records, args.batch_size, keep="longest")
            else:
                pred, d = run_dedupe_ko(records, args.batch_size)
            times[name].append((time.perf_counter() - t, time.process_time() - c))
            secs, cpu = times[name][-1]
            print(f"round {r + 1}: {name}: {secs:.1f} s ({cpu:.1f} s CPU)", flush=True)
    scores = {names[0]: score(truth, pred), names[1]: score(truth, pred_l)}
    scores[names[2]] = score(truth, pred_t)

    k1 = kernel_cache() if _jit.loaded() else (0, 0)
    held, arrays, _ = index_bytes(records, args.batch_size)
    base = times[names[2]]
    lines = [
        "| contender | docs/s | x textbook | x textbook (CPU s) | pair precision | recall | "
        "F1 | ARI | largest cluster |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios: dict[str, tuple[list[float], list[float]]] = {}
    for name in names:
        own = times[name]
        wall = [b[0] / o[0] for o, b in zip(own, base, strict=True)]
        cpu = [b[1] / o[1] for o, b in zip(own, base, strict=True)]
        ratios[name] = (wall, cpu)
        sc = scores[name]
        lines.append(
            f"| {name} | {n / median(o[0] for o in own):,.0f} | {_spread(wall)} | "
            f"{_spread(cpu)} | {sc['precision']:.4f} | {sc['recall']:.4f} | {sc['f1']:.4f} | "
            f"{sc['ari']:.4f} | {sc['largest']} |"
        )
    s = d.stats
    extra = [
        f"rounds: {args.rounds}; CPU s per round: "
        + "; ".join(f"{name} " + " / ".join(f"{o[1]:.1f}" for o in times[name]) for name in names),
        f"dedupe_ko bands x rows: {d.bands} x {d.rows} (datasketch optimiser, threshold "
        f"{d.config.minhash.threshold}); threshold {d.config.threshold}, containment "
        f"{d.config.containment}, min_jaccard {d.config.min_jaccard}",
        f"dedupe_ko stats: {s.records:,} records = {s.kept:,} kept + {s.exact:,} exact + "
        f"{s.near:,} near + {s.partial:,} partial ({s.superseding:,} of the kept supersede "
        f"a brief); largest cluster {s.largest_cluster}",
        f"dedupe_ko index: {held / n:,.0f} bytes per article held (tracemalloc + ids), of "
        f"which numpy arrays {arrays / n:,.0f} bytes per article ({held / 2**20:,.1f} MiB for "
        f"{n:,} articles, {s.kept:,} clusters)",
        "dedupe_ko kernels: "
        + (
            f"numba {sys.modules['numba'].__version__} (loaded after "
            f"{_jit.LOAD_AFTER:,} records); an untimed warm-up of {warm:.1f} CPU s compiled "
            f"{k0[0]} and loaded {k0[1]} kernel signatures from numba's cache, the timed runs "
            f"{k1[0] - k0[0]} more (a cold cache, after an install or an edit, compiles "
            "once: the warm-up's CPU s)"
            if _jit.loaded()
            else "off (the numpy path)"
        ),
    ]
    table = "\n".join(lines)
    print()
    print(table)
    print("\n".join(extra))
    if not args.no_write:
        cmd = "python " + " ".join(
            shlex.quote(a) for a in ["benchmarks/bench_dedup.py", *(argv or sys.argv[1:])]
        )
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            "# Dedup: dedupe_ko's Deduplicator vs the textbook datasketch loop\n\n"
            f"Command: `{cmd}`  \nMachine: {machine(load0)}  \n"
            f"Corpus: {n:,} article bodies, {stories:,} stories (seed {args.seed}), grown "
            "from ../shared/corpus/bodies.jsonl with corpora.py's stories and edits; both "
            "contenders timed on the same in-memory records in one run.\n\n"
            f"{table}\n\n" + "\n".join(f"- {e}" for e in extra) + "\n\n"
            "x textbook: wall-clock ratio; x textbook (CPU s): ratio of the process CPU time "
            "each contender used. Each round times the three contenders back to back; a "
            "ratio is the median of the rounds' own ratios, their lowest and highest in "
            "brackets (this machine's speed drifts over minutes). docs/s: the median round."
            "\n\n"
            "Textbook: per document `MinHash(num_perm=128)` (sha1) over the character "
            "5-grams of the raw text (`update_batch`), `MinHashLSH(threshold=0.7, "
            "num_perm=128)`, query then insert each, clusters = union of candidates.\n",
            encoding="utf-8",
        )
        print(f"\nwrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
