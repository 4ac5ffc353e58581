"""The Spark engine in local[2] next to the local engine, on the same generated corpus.

    python benchmarks/bench_spark.py --n 100000     # the issue's size
    python benchmarks/bench_spark.py --n 2000 --no-write   # a quick look

The corpus: `corpora.make_corpus(n, seed=0)` scraped pages (page furniture around real bodies
from ../shared/corpus/bodies.jsonl, half the stories republished 1-4 times with edits), made in
memory and staged as one Parquet file before timing. Both engines clean and then deduplicate:

- local: the CLI's per-record cleaning (`pipeline._clean_one`: text, title, warnings, bytes
  removed per category) on every page in one process, then `dedupe_ko.dedup` with
  batch_size 256 (the CLI's), all in memory.
- spark: `dedupe_ko.spark.clean_df` then `dedup_df` on a ``local[2]`` SparkSession reading the
  Parquet file; each dedup stage is materialised in turn (`DedupReport`) so its wall time is
  known; the session's start-up and the report's own counts are timed apart.

Wall seconds and CPU seconds are given for each engine: CPU is this process's plus every
process under it (the JVM, the Python workers), read from /proc every second (a process's
last reading is kept after it exits), so it does not depend on what else the machine runs; the load average is sampled during each engine's run. Both
results are compared: the figures are written only when every decision is the same, to
benchmarks/results/spark.md, one section per corpus size (a run replaces its size's section).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpora  # noqa: E402
from _machine import cpu_model  # noqa: E402

from dedupe_ko import CleanConfig  # noqa: E402
from dedupe_ko.dedup import DedupConfig, dedup  # noqa: E402
from dedupe_ko.pipeline import _clean_one  # noqa: E402

RESULTS = HERE / "results" / "spark.md"
FIELDS = ("cluster", "kept", "match", "similarity", "containment", "supersedes")
TITLE = "# Spark engine (local[2]) next to the local engine"
ORDER = ["clean", "order_keys", "signatures", "pairs_verify", "piece_links", "components"]
ORDER += ["replay", "result", "report", "other"]


def _tree() -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds of its own, user + system) for this process ("driver") and
    every process under it: the JVM ("jvm") and the rest, Spark's Python workers
    ("workers"), from /proc."""
    root = os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            raw = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        f = raw[raw.rindex(")") + 2 :].split()
        stats[int(d)] = (int(f[1]), comm, (int(f[11]) + int(f[12])) / tick)
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    out: dict[int, tuple[str, float]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            _, comm, cpu = stats[pid]
            out[pid] = ("driver" if pid == root else "jvm" if comm == "java" else "workers", cpu)
        todo.extend(kids.get(pid, ()))
    return out


class CpuWatch:
    """Every process of the tree read every ``every`` seconds, its last reading kept after
    it exits: each process's own CPU only (not its reaped children's, which a daemon
    restart or a missed wait would lose); what a process does after its last reading is
    not counted."""

    def __init__(self, every: float = 1.0) -> None:
        self.last: dict[int, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self.read()
        self._stop = threading.Event()
        threading.Thread(target=self._run, args=(every,), daemon=True).start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.read()

    def read(self) -> dict[int, tuple[str, float]]:
        now = _tree()
        with self._lock:
            self.last.update(now)
            return dict(self.last)


WATCH: list[CpuWatch] = []


def tree_cpu() -> dict[int, tuple[str, float]]:
    """The latest CPU reading of every process of the tree seen so far (`CpuWatch`)."""
    if not WATCH:
        WATCH.append(CpuWatch())
    return WATCH[0].read()


class Load:
    """The 1-minute load average sampled every ``every`` seconds while running."""

    def __init__(self, every: float = 10.0) -> None:
        self.samples: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._t.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> str:
        self._stop.set()
        s = self.samples
        return f"{min(s):.1f} / {sum(s) / len(s):.1f} / {max(s):.1f}"


class Timer:
    """Wall and CPU (`tree_cpu`) seconds of the block."""

    def __enter__(self) -> Timer:
        self.wall, self._start = time.perf_counter(), tree_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.parts = {"driver": 0.0, "jvm": 0.0, "workers": 0.0}
        for pid, (kind, cpu) in tree_cpu().items():
            self.parts[kind] += cpu - self._start.get(pid, (kind, 0.0))[1]
        self.cpu = sum(self.parts.values())


def stage_metrics(spark: object) -> dict[str, dict[str, float]]:
    """Per dedupe-ko stage (the job descriptions `dedup_df` sets), from the Spark UI's REST
    API: shuffle bytes written, bytes spilled, the largest task's peak execution memory,
    JVM task CPU seconds."""
    import json
    import urllib.request

    sc = spark.sparkContext  # type: ignore[attr-defined]
    base = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"

    def get(path: str) -> list[dict]:
        with urllib.request.urlopen(base + path) as r:
            return json.load(r)

    stage_of: dict[int, str] = {}
    for job in get("/jobs"):
        name = (job.get("description") or "").removeprefix("dedupe-ko ")
        for sid in job.get("stageIds", []):
            stage_of[sid] = name if name in ORDER else "other"
    out: dict[str, dict[str, float]] = {}
    for st in get("/stages?details=true"):
        name = stage_of.get(st["stageId"], "other")
        m = out.setdefault(name, {"shuffle": 0.0, "spill": 0.0, "peak": 0.0, "cpu": 0.0})
        m["shuffle"] += st.get("shuffleWriteBytes", 0)
        m["spill"] += st.get("memoryBytesSpilled", 0) + st.get("diskBytesSpilled", 0)
        m["cpu"] += st.get("executorCpuTime", 0) / 1e9
        for t in (st.get("tasks") or {}).values():
            peak = (t.get("taskMetrics") or {}).get("peakExecutionMemory", 0)
            m["peak"] = max(m["peak"], peak)
    return out


def write_section(text: str, n: int) -> None:
    """Replace (or add) the section for ``n`` pages in RESULTS, sections sorted by size."""
    sections: dict[int, str] = {}
    if RESULTS.exists():
        for part in RESULTS.read_text(encoding="utf-8").split("\n## ")[1:]:
            m = re.match(r"([\d,]+) pages", part)
            if m:
                sections[int(m.group(1).replace(",", ""))] = "## " + part.rstrip("\n") + "\n"
    sections[n] = text
    body = "\n".join(sections[k] for k in sorted(sections))
    RESULTS.write_text(f"{TITLE}\n\n{body}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="pages (default 100,000)")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8, help="shuffle partitions (default 8)")
    ap.add_argument(
        "--driver-edges",
        type=int,
        default=None,
        help="SparkDedupConfig.driver_edges (default: its default; 0: components in Spark)",
    )
    ap.add_argument(
        "--ui",
        action="store_true",
        help="Spark UI on: also report shuffle bytes and peak task memory per stage",
    )
    ap.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = ap.parse_args()

    import pyarrow as pa
    import pyarrow.parquet as pq

    from dedupe_ko.spark import DedupReport, SparkDedupConfig, clean_df, dedup_df, session

    pages, _ = corpora.make_corpus(args.n, seed=0)
    mb = sum(len(p["text"].encode()) for p in pages) / 1e6
    tmp = tempfile.mkdtemp(prefix="bench-spark-")
    staged = os.path.join(tmp, "pages.parquet")
    pq.write_table(
        pa.table({"id": [p["id"] for p in pages], "text": [p["text"] for p in pages]}),
        staged,
        row_group_size=2000,
    )

    load = Load()
    config = CleanConfig()
    with Timer() as lc:
        outcomes = [_clean_one(p["text"], config, False) for p in pages]
        cleaned = [
            (p["id"], p["text"] if o[0] is None else o[0])
            for p, o in zip(pages, outcomes, strict=True)
            if not isinstance(o, str)
        ]
    del outcomes
    with Timer() as ld:
        local = {
            d.id: tuple(getattr(d, f) for f in FIELDS)
            for d in dedup([r for r in cleaned if r[1].strip()], DedupConfig(), batch_size=256)
        }
    del cleaned
    local_load = load.stop()

    load = Load()
    with Timer() as st:
        spark = session(
            args.master,
            **{
                "spark.sql.shuffle.partitions": str(args.partitions),
                "spark.ui.showConsoleProgress": "false",
                "spark.sql.files.maxPartitionBytes": str(8 << 20),
                "spark.driver.memory": "4g",
                "spark.ui.enabled": "true" if args.ui else "false",
            },
        )
        spark.sparkContext.setLogLevel("ERROR")
    with Timer() as sc:
        spark.sparkContext.setJobDescription("dedupe-ko clean")
        c = clean_df(spark.read.parquet(staged)).select("id", "text").persist()
        c.count()
    report = DedupReport({})
    scfg = SparkDedupConfig()
    if args.driver_edges is not None:
        scfg = SparkDedupConfig(driver_edges=args.driver_edges)
    with Timer() as sd:
        res = dedup_df(c, spark_config=scfg, report=report)
        ours = {
            r["id"]: tuple(r[f] for f in FIELDS)
            for r in res.where("quarantined is null").toLocalIterator()
        }
    differ = sum(1 for k, v in local.items() if ours.get(k) != v) + len(ours.keys() - local)
    metrics = stage_metrics(spark) if args.ui else {}
    spark.stop()
    spark_load = load.stop()

    n = len(pages)
    # the report's own counts (each a Spark job) are not the engine's work
    sd_wall = sd.wall - report.seconds.get("report", 0.0)
    stages = {"clean": sc.wall, **{k: v for k, v in report.seconds.items() if k != "report"}}
    lines = [
        f"## {n:,} pages",
        "",
        f"`python benchmarks/bench_spark.py {shlex.join(sys.argv[1:])}` on {cpu_model()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average (1 min; "
        f"min / mean / max while each engine ran): local {local_load}, "
        f"spark {spark_load}. The machine is shared: wall seconds grow with the load, "
        "CPU seconds much less.",
        "",
        f"{n:,} generated pages ({mb:.1f} MB of text); decisions that differ between the "
        f"engines: **{differ}**.",
        "",
        "| engine | clean s | dedup s | docs/s (clean + dedup) | CPU s | docs per CPU s |",
        "|---|---:|---:|---:|---:|---:|",
        f"| local (1 process) | {lc.wall:.1f} | {ld.wall:.1f} | "
        f"{n / (lc.wall + ld.wall):,.0f} | {lc.cpu + ld.cpu:.1f} | "
        f"{n / (lc.cpu + ld.cpu):,.0f} |",
        f"| spark {args.master} | {sc.wall:.1f} | {sd_wall:.1f} | "
        f"{n / (sc.wall + sd_wall):,.0f} | {sc.cpu + sd.cpu:.1f} | "
        f"{n / (sc.cpu + sd.cpu):,.0f} |",
        "",
        f"Spark session start-up (not counted above): {st.wall:.1f} s. Spark / local docs/s: "
        f"{(lc.wall + ld.wall) / (sc.wall + sd_wall):.2f} (wall), "
        f"{(lc.cpu + ld.cpu) / (sc.cpu + sd.cpu):.2f} (CPU; Spark's CPU includes the report's "
        "counts and the JVM's own work).",
        "",
        "Spark CPU seconds by process (clean + dedup): "
        + ", ".join(f"{k} {sc.parts[k] + sd.parts[k]:.1f}" for k in sc.parts)
        + " (workers: the Python processes that run the library's code).",
        "",
        "Spark stages (each materialised in turn), wall seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
        + f" (report's own counts, not counted: {report.seconds.get('report', 0.0):.1f}).",
        "",
        f"Graph: {report.fresh:,} distinct bodies, {report.candidate_pairs:,} band pairs, "
        f"{report.verified_edges:,} verified, {report.piece_edges:,} piece links, "
        f"components computed on the {report.components} ({report.rounds} rounds), {report.boilerplate_pieces:,} widely held pieces "
        f"taken as boilerplate from a batch on ({report.unsettled_pieces} guesses raised, "
        f"{report.replay_passes} replay passes), {report.groups:,} groups replayed, the "
        f"largest {report.largest_group:,} records; {report.truncated_buckets} band buckets "
        "cut to the bucket limit.",
        "",
    ]
    if metrics:
        lines += [
            "Per stage, from the Spark UI (`--ui`): shuffle written, spilled, the largest "
            "task's peak execution memory (JVM), JVM task CPU:",
            "",
            "| stage | shuffle MB | shuffle bytes / page | spilled MB | peak task MB | JVM CPU s |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| {k} | {m['shuffle'] / 1e6:.1f} | {m['shuffle'] / n:,.0f} | "
                f"{m['spill'] / 1e6:.1f} | {m['peak'] / 1e6:.1f} | {m['cpu']:.1f} |"
                for k, m in sorted(metrics.items(), key=lambda km: ORDER.index(km[0]))
            ),
            "",
        ]
    text = "\n".join(lines)
    print(text)
    if differ:
        raise SystemExit(f"{differ} decisions differ: not writing {RESULTS}")
    if not args.no_write:
        write_section(text, n)


if __name__ == "__main__":
    main()
