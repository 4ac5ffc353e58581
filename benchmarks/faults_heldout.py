"""Held-out fault check: kill -9 and rerun, and two runs at once, on a real corpus.

    python benchmarks/faults_heldout.py [CORPUS] [--redis URL] [--kills 4] [--out FILE]

For each backend (SQLite, and Redis when ``--redis`` is given):

- reference: one uninterrupted ``dedupe_ko run --index`` on a fresh index;
- kill and rerun: the same command killed with SIGKILL at random points of its run (a
  fraction of the reference's time), then run again: are OUT and REJECTED identical to the
  reference, is any record a duplicate of itself, is a temporary file left, does the index
  hold exactly the kept records?
- two at once: the first and second half of the corpus run one after the other on one index,
  then at the same time on another: records kept, and pairs among them that are duplicates of
  each other (an in-memory `Deduplicator` over the kept bodies).

``--exe`` runs another installation's command line instead (e.g. ``dedupe-ko``) for a
before/after comparison. Writes a Markdown report to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared" / "corpus" / "naver_raw.jsonl"


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [orjson.loads(x) for x in path.read_bytes().splitlines() if x]


class Runner:
    def __init__(self, exe: list[str], inp: Path, folder: Path, index: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.exe, self.inp, self.folder, self.index = exe, inp, folder, index
        self.out, self.rej = folder / "out.jsonl", folder / "rej.jsonl"

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [
                *self.exe,
                "run",
                str(self.inp),
                "-o",
                str(self.out),
                "--rejected",
                str(self.rej),
                "--index",
                self.index,
                "--jobs",
                "2",
                "-q",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def run(self) -> float:
        t0 = time.monotonic()
        p = self.start()
        _, err = p.communicate()
        if p.returncode:
            raise SystemExit(f"run failed ({p.returncode}): {err.decode()[-500:]}")
        return time.monotonic() - t0

    def result(self) -> tuple[list[str], list[tuple[str, str]]]:
        return (
            [r["id"] for r in _lines(self.out)],
            [(r["id"], r.get("duplicate_of", "")) for r in _lines(self.rej)],
        )

    def temps(self) -> int:
        return sum(1 for n in os.listdir(self.folder) if n.endswith(".tmp"))


def _index_len(target: str) -> str:
    from dedupe_ko.index import Index

    try:
        with Index.open(target) as idx:
            return f"{len(idx):,}"
    except (TypeError, ValueError):  # an index of another version (--exe)
        return "?"


def _pairs_kept_twice(paths: list[Path]) -> int:
    """Kept records (cleaned bodies) that duplicate another kept record."""
    from dedupe_ko.dedup import Deduplicator

    d = Deduplicator()
    recs = [(r["id"], r["text"]) for p in paths for r in _lines(p)]
    return sum(1 for x in d.add_batch(recs) if not x.kept)


def check(
    exe: list[str], inp: Path, work: Path, new_index, kills: int, rng: random.Random, name: str
) -> list[str]:
    rows = []
    ref = Runner(exe, inp, work / f"{name}-ref", new_index("ref"))
    took = ref.run()
    ref_out, ref_rej = ref.result()
    rows.append(
        f"| {name} | reference | {len(ref_out):,} kept, {len(ref_rej):,} rejected, {took:.1f} s | |"
    )
    for k in range(kills):
        job = Runner(exe, inp, work / f"{name}-kill{k}", new_index(f"kill{k}"))
        p = job.start()
        at = rng.uniform(0.1, 0.95)
        time.sleep(at * took)
        p.kill()
        p.wait()
        debris = job.temps()
        job.run()
        out, rej = job.result()
        selfdup = sum(1 for i, d in rej if i == d)
        same = out == ref_out and rej == ref_rej
        rows.append(
            f"| {name} | kill -9 at {at:.0%} of the run, rerun | {len(out):,} kept "
            f"({'identical to the reference' if same else 'DIFFERENT'}), {selfdup} duplicates "
            f"of themselves, {job.temps()} temps left ({debris} after the kill), index "
            f"{_index_len(job.index)} entries | {'ok' if same and not selfdup else 'FAIL'} |"
        )
    lines = inp.read_bytes().splitlines(keepends=True)
    halves = []
    for h, part in enumerate((lines[: len(lines) // 2], lines[len(lines) // 2 :])):
        path = work / f"{name}-half{h}.jsonl"
        path.write_bytes(b"".join(part))
        halves.append(path)
    seq = [Runner(exe, h, work / f"{name}-seq{i}", new_index("seq")) for i, h in enumerate(halves)]
    for r in seq:
        r.run()
    conc = [
        Runner(exe, h, work / f"{name}-conc{i}", new_index("conc")) for i, h in enumerate(halves)
    ]
    procs = [r.start() for r in conc]
    for p in procs:
        p.communicate()
    seq_kept = sum(len(r.result()[0]) for r in seq)
    conc_kept = sum(len(r.result()[0]) for r in conc)
    seq_pairs = _pairs_kept_twice([r.out for r in seq])
    conc_pairs = _pairs_kept_twice([r.out for r in conc])
    rows.append(
        f"| {name} | two halves, one after the other | {seq_kept:,} kept, "
        f"{seq_pairs} kept twice | |"
    )
    verdict = (
        "ok"
        if conc_kept == seq_kept and conc_pairs <= seq_pairs
        else "ok (no story kept twice; which copy wins depends on the order)"
        if conc_pairs <= seq_pairs
        else "FAIL: stories kept twice"
    )
    rows.append(
        f"| {name} | two halves at once | {conc_kept:,} kept, {conc_pairs} kept twice | {verdict} |"
    )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT))
    ap.add_argument("--redis", default=os.environ.get("DEDUPE_KO_REDIS_URL"))
    ap.add_argument("--kills", type=int, default=4)
    ap.add_argument("--exe", default=None, help="command to run instead of python -m dedupe_ko")
    ap.add_argument("--out", default=str(HERE / "results" / "faults_heldout.md"))
    args = ap.parse_args()
    exe = args.exe.split() if args.exe else [sys.executable, "-m", "dedupe_ko"]
    inp = Path(args.corpus)
    rng = random.Random(2026)
    rows = ["| backend | check | result | verdict |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="dko-faults-") as tmp:
        work = Path(tmp)
        rows += check(exe, inp, work, lambda k: str(work / f"{k}.db"), args.kills, rng, "SQLite")
        if args.redis:
            prefix = f"heldout{uuid.uuid4().hex[:8]}"
            rows += check(
                exe,
                inp,
                work,
                lambda k: f"{args.redis}?prefix={prefix}{k}",
                args.kills,
                rng,
                "Redis",
            )
            import redis

            client = redis.Redis.from_url(args.redis)
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)
    report = "\n".join(
        [
            f"# Held-out fault check: {inp.name} ({sum(1 for _ in inp.open('rb')):,} records)",
            "",
            f"`python benchmarks/faults_heldout.py {args.corpus} --kills {args.kills}"
            f"{' --redis URL' if args.redis else ''}{' --exe ' + repr(args.exe) if args.exe else ''}`"
            f" (`--jobs 2`, 2-core machine shared with other jobs)",
            "",
            *rows,
            "",
        ]
    )
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
