"""What `dedupe-ko run` holds per record, and what one very long article costs.

    python benchmarks/bench_memory.py [--small 2000] [--large 8000] [--out FILE]

1. Per record: peak RSS of ``python -m dedupe_ko run`` (``--jobs 1``, with and without
   ``--index``) on generated corpora of ``--small`` and ``--large`` pages; the difference
   over the extra records is what the run holds per record (the Deduplicator's cluster
   tables and exact-hash dict, the summary's kept ids; texts are not held).
2. One long article: the time and peak RSS of a run over one article of 1,000,000
   characters (the default ``--max-chars``) and of 4,260,000 characters (the issue's case,
   now quarantined ``too_long`` without being cleaned), side by side with a run over one
   ordinary article.

Writes a Markdown table to ``--out`` (default benchmarks/results/memory.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _machine import cpu_model  # noqa: E402


def _run(args: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of one ``python -m dedupe_ko`` process."""
    code = (
        "import resource, runpy, sys; sys.argv = ['dedupe_ko', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('dedupe_ko', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        "sys.stderr.write(f'MAXRSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
        "sys.exit(code)\n"
    )
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True
    )
    took = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"dedupe_ko {' '.join(args)} failed: {p.stderr[-800:]}")
    rss = int(p.stderr.rsplit("MAXRSS ", 1)[1].split()[0]) * 1024
    return took, rss


def _held(n: int, folder: Path) -> int:
    """Bytes still allocated (tracemalloc) once `pipeline.run` has decided ``n`` generated
    pages, with the Deduplicator and the summary still alive: what a run holds."""
    import gc
    import tracemalloc

    import corpora

    from dedupe_ko import io as dio
    from dedupe_ko.dedup import Deduplicator
    from dedupe_ko.pipeline import Sinks, run

    data, _ = corpora.corpus_files(n, seed=3)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    dedup = Deduplicator()
    out = dio.open_writer(str(folder / f"held{n}.jsonl"))
    summary = run(dio.read(str(data)), Sinks(out=out), deduplicator=dedup)
    out.abort()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert summary.records_in == n and dedup is not None
    return held


def _clean_time(text: str, repeats: int = 3) -> float:
    """Best of ``repeats`` in-process `clean_and_explain` times (no process start)."""
    from dedupe_ko.clean import CleanConfig, clean_and_explain

    cfg = CleanConfig(max_chars=max(len(text), 1))
    clean_and_explain(text[:2000], cfg)  # warm-up: rules compiled
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        clean_and_explain(text, cfg)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--large", type=int, default=8000)
    ap.add_argument("--out", default=str(HERE / "results" / "memory.md"))
    args = ap.parse_args()
    import corpora

    rows = []
    with tempfile.TemporaryDirectory(prefix="dko-mem-") as tmp:
        t = Path(tmp)
        sizes = {}
        for n in (args.small, args.large):
            data, _ = corpora.corpus_files(n, seed=3)
            for label, extra in (("run", []), ("run --index", ["--index", str(t / f"{n}.db")])):
                took, rss = _run(
                    ["run", str(data), "-o", str(t / "o.jsonl"), "--jobs", "1", "-q", *extra]
                )
                sizes[(label, n)] = rss
                rows.append(f"| {label}, {n:,} pages | {took:.1f} s | {rss / 1e6:,.1f} MB |")
        per = {
            label: (sizes[(label, args.large)] - sizes[(label, args.small)])
            / (args.large - args.small)
            for label in ("run", "run --index")
        }
        _held(200, t)  # warm-up: one-time allocations (compiled rules, caches) not counted
        held = {n: _held(n, t) for n in (args.small, args.large)}
        held_per = (held[args.large] - held[args.small]) / (args.large - args.small)
        seed = (ROOT.parent / "shared" / "seed" / "article.txt").read_text()
        long_rows = []
        for chars in (len(seed), 1_000_000, 4_260_000):
            text = (seed + "\n") * (chars // (len(seed) + 1) + 1)
            path = t / f"one{chars}.jsonl"
            path.write_bytes(orjson.dumps({"id": "one", "text": text[:chars]}) + b"\n")
            took, rss = _run(
                [
                    "run",
                    str(path),
                    "-o",
                    str(t / "o1.jsonl"),
                    "--rejected",
                    str(t / "r1.jsonl"),
                    "--jobs",
                    "1",
                    "-q",
                ]
            )
            quarantined = (t / "r1.jsonl").stat().st_size > 0
            long_rows.append((chars, took, rss, quarantined, _clean_time(text[:chars])))
    base = long_rows[0]
    lines = [
        "# What `run` holds per record; one long article",
        "",
        f"`python benchmarks/bench_memory.py --small {args.small} --large {args.large}` on "
        f"{cpu_model()}, {os.cpu_count()} cores (shared with other jobs: times are rough); "
        "generated corpora (`benchmarks/corpora.py`, seed 3), `--jobs 1`.",
        "",
        "| run | time | peak RSS |",
        "|---|---:|---:|",
        *rows,
        "",
        f"Held per record (peak RSS difference / {args.large - args.small:,} extra pages): "
        + ", ".join(f"`{k}` {v:,.0f} bytes" for k, v in per.items())
        + ". The texts are streamed, not held; what stays is the Deduplicator's per-cluster "
        "rows and exact-hash dict and the summary's kept ids (one string each). At the "
        "issue's 180,000 records that is about "
        f"{per['run'] * 180_000 / 1e6:,.0f} MB by RSS (which also counts allocator slack).",
        "",
        f"Counted exactly (tracemalloc, `pipeline.run` with a `Deduplicator`, the run's objects "
        f"still alive): {held[args.small] / 1e6:,.2f} MB after {args.small:,} pages, "
        f"{held[args.large] / 1e6:,.2f} MB after {args.large:,}: **{held_per:,.0f} bytes per "
        f"record** ({held_per * 180_000 / 1e6:,.0f} MB at 180,000 records).",
        "",
        "| one article of | `run` time | vs ordinary | peak RSS | vs ordinary | outcome "
        "| cleaning it in-process (best of 3) |",
        "|---:|---:|---:|---:|---:|---|---:|",
    ]
    for chars, took, rss, quarantined, ct in long_rows:
        lines.append(
            f"| {chars:,} chars | {took:.2f} s | {took / base[1]:.2f}x | "
            f"{rss / 1e6:,.1f} MB | {rss / base[2]:.2f}x | "
            f"{'quarantined too_long' if quarantined else 'cleaned and written'} | "
            f"{ct:.3f} s |"
        )
    lines += [
        "",
        "`run` times include the process start (imports), about the whole of the "
        "ordinary article's run; the last column is the cleaning alone (the 4,260,000-"
        "character article is no longer cleaned by `run`: it is quarantined on reading; "
        "the issue measured 28 s and 1.28 GB for it before).",
        "",
    ]
    report = "\n".join(lines)
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
