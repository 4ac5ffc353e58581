"""The Spark engine in local[2] next to the local engine, on the same generated corpus.

    python benchmarks/bench_spark.py --n 100000     # the issue's size (hours on a busy 2-core box)
    python benchmarks/bench_spark.py --n 2000 --no-write   # a quick look

The corpus: `corpora.make_corpus(n, seed=0)` scraped pages (page furniture around real bodies
from ../shared/corpus/bodies.jsonl, half the stories republished 1-4 times with edits), written
once to benchmarks/data/ and staged as one Parquet file before timing. Both engines clean and
then deduplicate:

- local: `dedupe_ko.clean` on every page (one process), then `dedupe_ko.dedup` with
  batch_size 256 (the CLI's), all in memory.
- spark: `dedupe_ko.spark.clean_df` then `dedup_df` on a ``local[2]`` SparkSession reading the
  Parquet file, 8 shuffle partitions; each stage is materialised in turn (`DedupReport`) so
  its wall time is known; the session's start-up is timed apart.

Both results are compared: the figure is only written when every decision is the same.
Results go to benchmarks/results/spark.md with the command, the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpora  # noqa: E402
from _machine import cpu_model  # noqa: E402

from dedupe_ko import clean  # noqa: E402
from dedupe_ko.dedup import DedupConfig, dedup  # noqa: E402

RESULTS = HERE / "results" / "spark.md"
FIELDS = ("cluster", "kept", "match", "similarity", "containment", "supersedes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="pages (default 100,000)")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8, help="shuffle partitions")
    ap.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = ap.parse_args()

    import pyarrow as pa
    import pyarrow.parquet as pq

    from dedupe_ko.spark import DedupReport, clean_df, dedup_df, session

    pages, _ = corpora.make_corpus(args.n, seed=0)
    mb = sum(len(p["text"].encode()) for p in pages) / 1e6
    tmp = tempfile.mkdtemp(prefix="bench-spark-")
    staged = os.path.join(tmp, "pages.parquet")
    pq.write_table(
        pa.table({"id": [p["id"] for p in pages], "text": [p["text"] for p in pages]}),
        staged,
        row_group_size=2000,
    )

    t = time.perf_counter()
    cleaned = [(p["id"], clean(p["text"])) for p in pages]
    local_clean = time.perf_counter() - t
    t = time.perf_counter()
    local = {
        d.id: tuple(getattr(d, f) for f in FIELDS)
        for d in dedup([r for r in cleaned if r[1].strip()], DedupConfig(), batch_size=256)
    }
    local_dedup = time.perf_counter() - t
    del cleaned

    t = time.perf_counter()
    spark = session(
        args.master,
        **{
            "spark.sql.shuffle.partitions": str(args.partitions),
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.files.maxPartitionBytes": str(8 << 20),
            "spark.driver.memory": "4g",
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t
    t = time.perf_counter()
    c = clean_df(spark.read.parquet(staged)).select("id", "text").persist()
    c.count()
    spark_clean = time.perf_counter() - t
    report = DedupReport({})
    t = time.perf_counter()
    res = dedup_df(c, report=report)
    ours = {
        r["id"]: tuple(r[f] for f in FIELDS)
        for r in res.where("quarantined is null").toLocalIterator()
    }
    spark_dedup = time.perf_counter() - t
    differ = sum(1 for k, v in local.items() if ours.get(k) != v) + len(ours.keys() - local)
    spark.stop()

    n = len(pages)
    load = os.getloadavg()[0]
    lines = [
        "# Spark engine (local[2]) next to the local engine",
        "",
        f"`python benchmarks/bench_spark.py {shlex.join(sys.argv[1:])}` on {cpu_model()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average at the "
        f"end {load:.1f} (cores shared with other jobs).",
        "",
        f"{n:,} generated pages ({mb:.1f} MB of text); decisions that differ between the "
        f"engines: **{differ}**.",
        "",
        "| engine | clean s | dedup s | docs/s (clean + dedup) |",
        "|---|---:|---:|---:|",
        f"| local (1 process) | {local_clean:.1f} | {local_dedup:.1f} | "
        f"{n / (local_clean + local_dedup):,.0f} |",
        f"| spark {args.master} | {spark_clean:.1f} | {spark_dedup:.1f} | "
        f"{n / (spark_clean + spark_dedup):,.0f} |",
        "",
        f"Spark session start-up (not counted above): {startup:.1f} s. Ratio spark / local "
        f"docs/s: {(local_clean + local_dedup) / (spark_clean + spark_dedup):.2f}.",
        "",
        "Spark dedup stages (each materialised in turn), seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items())
        + ".",
        "",
        f"Graph: {report.fresh:,} distinct bodies, {report.candidate_pairs:,} band pairs, "
        f"{report.verified_edges:,} verified, {report.piece_edges:,} piece links, "
        f"{report.rounds} component rounds, {report.boilerplate_pieces:,} widely held pieces "
        f"taken as boilerplate from a batch on ({report.unsettled_pieces} guesses raised, "
        f"{report.replay_passes} replay passes), {report.groups:,} groups replayed, the "
        f"largest {report.largest_group:,} records; {report.truncated_buckets} band buckets "
        "cut to the bucket limit.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if differ:
        raise SystemExit(f"{differ} decisions differ: not writing {RESULTS}")
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
