"""``--jobs 2`` with the forkserver workers against ``--jobs 1`` and against the old ``fork``
start method, on a few thousand real records.

    python benchmarks/bench_jobs.py                  # 4,000 records, 3 interleaved rounds
    python benchmarks/bench_jobs.py --records 1000 --repeat 1

Builds ``benchmarks/data/jobs_<n>.jsonl`` (git-ignored) from ``../shared/corpus/naver_raw.jsonl``
(repeated with new ids up to ``--records``). Each variant runs in a fresh process, so start-up
(imports, the forkserver, compiling the catalogue) is in the figure as it is for a user:
read the file, `clean_stage`, write JSON lines, the parent compiling its rule set first as the
CLI does. Rounds are interleaved (1, 2, fork, 1, 2, fork, ...) because the machine is shared;
the ratios of the per-variant medians are what to read. Writes ``benchmarks/results/jobs.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCE = ROOT.parent / "shared" / "corpus" / "naver_raw.jsonl"
sys.path.insert(0, str(HERE))
from _machine import cpu_model  # noqa: E402

DRIVER = """
import sys, orjson
from dedupe_ko.clean import CleanConfig
from dedupe_ko.io import read
from dedupe_ko.pipeline import clean_stage
cfg = CleanConfig()
cfg.rules  # the CLI compiles the parent's rule set before cleaning, too
jobs, method = int(sys.argv[3]), (sys.argv[4] or None)
with open(sys.argv[2], "wb") as out:
    for r in clean_stage(read(sys.argv[1]), cfg, jobs=jobs, start_method=method):
        rec = r.output() if hasattr(r, "output") else {"id": r.id, "reason": r.reason}
        out.write(orjson.dumps(rec, option=orjson.OPT_APPEND_NEWLINE))
"""

VARIANTS = [
    ("--jobs 1", "1", ""),
    ("--jobs 2 (forkserver, new)", "2", ""),
    ("--jobs 2 (fork, old)", "2", "fork"),
]


def build(n: int) -> Path:
    path = HERE / "data" / f"jobs_{n}.jsonl"
    if path.exists():
        return path
    rows = [orjson.loads(line) for line in SOURCE.read_bytes().splitlines() if line.strip()]
    rows = [r for r in rows if isinstance(r.get("text"), str)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for i in range(n):
            fh.write(
                orjson.dumps(
                    {"id": f"jobs-{i}", "text": rows[i % len(rows)]["text"]},
                    option=orjson.OPT_APPEND_NEWLINE,
                )
            )
    return path


def run_once(inp: Path, out: Path, jobs: str, method: str) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", DRIVER, str(inp), str(out), jobs, method], cwd=ROOT, check=True
    )
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not SOURCE.exists():
        print(f"no {SOURCE}: skipped")
        return 0
    inp = build(args.records)
    times: dict[str, list[float]] = {name: [] for name, _, _ in VARIANTS}
    outputs: dict[str, bytes] = {}
    for _ in range(args.repeat):
        for name, jobs, method in VARIANTS:
            out = HERE / "data" / f"jobs_out_{jobs}_{method or 'default'}.jsonl"
            times[name].append(run_once(inp, out, jobs, method))
            outputs[name] = out.read_bytes()
    same = len(set(outputs.values())) == 1
    med = {k: statistics.median(v) for k, v in times.items()}
    one, new, old = (med[name] for name, _, _ in VARIANTS)
    lines = [
        "# --jobs: forkserver workers against --jobs 1 and the old fork start method",
        "",
        f"`python benchmarks/bench_jobs.py --records {args.records} --repeat {args.repeat}`: "
        f"{args.records:,} records from naver_raw.jsonl, {args.repeat} interleaved round(s), "
        f"each run a fresh process; {cpu_model()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}, load average at the end "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| variant | median wall s | runs (s) | vs --jobs 1 | vs fork --jobs 2 |",
        "|---|---:|---|---:|---:|",
    ]
    for name, _, _ in VARIANTS:
        lines.append(
            f"| {name} | {med[name]:.2f} | "
            f"{', '.join(f'{t:.2f}' for t in times[name])} | "
            f"{one / med[name]:.2f}x | {med[name] / old:.2f} |"
        )
    lines += [
        "",
        f"Speed-up of --jobs 2 over --jobs 1: new {one / new:.2f}x, old fork {one / old:.2f}x; "
        f"new / old wall time {new / old:.2f}. Outputs of all variants byte-identical: {same}.",
    ]
    text = "\n".join(lines) + "\n"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "jobs.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
