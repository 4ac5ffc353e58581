"""Issue 15: start-up of ``dedupe-ko`` on one record, against ``python -c "import ftfy, regex"``.

Each command runs as a whole new process, ``--repeat`` times, interleaved with the others (the
machine is shared); the table gives the median and the minimum wall time and the ratio of the
medians to the baseline's. ``--before DIR`` also times a checkout of older code (e.g. made with
``git archive COMMIT | tar -x -C DIR``) the same way, so before and after sit side by side.

    python benchmarks/bench_startup.py                       # this checkout
    python benchmarks/bench_startup.py --before /tmp/before  # and an older one
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import cpu_model

ROOT = Path(__file__).resolve().parent.parent
RECORD = {
    "id": "seoul-bus-01",
    "text": "서울시 버스 노선 47개 조정\n기사 스크랩\n"
    "서울시는 6일 시내버스 노선 47개를 다음 달부터 조정한다고 밝혔다.\n"
    "시는 지난 3월부터 시민 2만여 명의 의견을 받아 계획을 다듬었다.\n"
    "저작권자 ⓒ 한빛통신 무단전재 및 재배포 금지",
}


def _commands(checkout: Path, tmp: Path, label: str) -> dict[str, tuple[list[str], Path]]:
    one = tmp / "one.jsonl"
    py = [sys.executable, "-m", "dedupe_ko"]
    return {
        f"{label}: dedupe-ko clean, 1 record": (
            [*py, "clean", str(one), "-o", str(tmp / f"{label}-c.jsonl"), "-q", "-j", "1"],
            checkout,
        ),
        f"{label}: dedupe-ko run, 1 record": (
            [
                *py,
                "run",
                str(one),
                "-o",
                str(tmp / f"{label}-r.jsonl"),
                "--clusters",
                str(tmp / f"{label}-k.jsonl"),
                "-q",
                "-j",
                "1",
            ],
            checkout,
        ),
    }


def _time(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the child)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--before", type=Path, help="a checkout of the code to compare against")
    ap.add_argument("--before-label", default="", help="what --before is (e.g. its commit)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "startup.md")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "one.jsonl").write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", "utf-8")
        cmds = {
            'baseline: python -c "import ftfy, regex"': (
                [sys.executable, "-c", "import ftfy, regex"],
                tmp,
            )
        }
        if args.before is not None:
            cmds.update(_commands(args.before.resolve(), tmp, "before"))
        cmds.update(_commands(ROOT, tmp, "after" if args.before else "now"))
        for cmd, cwd in cmds.values():  # warm the file cache and .pyc files once
            _time(cmd, cwd)
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
        for _ in range(args.repeat):
            for name, (cmd, cwd) in cmds.items():
                times[name].append(_time(cmd, cwd))

    first = next(iter(times.values()))
    base_wall = statistics.median(w for w, _ in first)
    base_cpu = statistics.median(c for _, c in first)
    rows = [
        "| command | wall median s | wall min s | wall / baseline | CPU median s "
        "| CPU / baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, ts in times.items():
        wall = statistics.median(w for w, _ in ts)
        cpu = statistics.median(c for _, c in ts)
        rows.append(
            f"| {name} | {wall:.3f} | {min(w for w, _ in ts):.3f} | "
            f"{wall / base_wall:.2f}x | {cpu:.3f} | {cpu / base_cpu:.2f}x |"
        )
    table = "\n".join(rows)
    print(table)
    cmdline = "python benchmarks/bench_startup.py " + " ".join(sys.argv[1:])
    args.out.write_text(
        "# Start-up: one record through `dedupe-ko`, against importing ftfy and regex\n\n"
        f"`{cmdline.strip()}` — {args.repeat} runs of each command, interleaved, each a new "
        f"process; Python {platform.python_version()}, {cpu_model()}, 2 cores shared with "
        "other work (read the ratios; CPU time, user + system of the process, moves less "
        "than wall time when the machine is busy)."
        + (f" before: {args.before_label or args.before}." if args.before else "")
        + "\n\n"
        + table
        + "\n",
        "utf-8",
    )


if __name__ == "__main__":
    main()
