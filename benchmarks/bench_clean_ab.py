"""CPU time of `dedupe_ko.clean` at a git revision against this work tree, in one process.

    python benchmarks/bench_clean_ab.py            # HEAD against the work tree
    python benchmarks/bench_clean_ab.py main -r 3  # main against the work tree, 3 rounds

The revision's ``dedupe_ko`` is unpacked (``git archive``) into a temporary folder and
imported as ``dedupe_ko_old``; both clean the first 3,000 texts of ``../shared/corpus``
(the texts of ``bench_clean_io.py``) in 4 interleaved slices, each side going first in every
other slice, and the CPU time of this thread is summed for each. On a shared, loaded machine CPU seconds of two contenders measured side by
side are the steadiest figure there is: read the saving, not the absolute seconds. Round 2 on
reuses each side's memory of short furniture lines (both alike).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rev", nargs="?", default="HEAD", help="git revision (default HEAD)")
    ap.add_argument("-r", "--rounds", type=int, default=1, help="passes over the texts")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_clean_io import CORPUS, corpus_texts

    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is missing: the benchmark reads the development corpus")
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", args.rev, "dedupe_ko"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        (Path(tmp) / "dedupe_ko").rename(Path(tmp) / "dedupe_ko_old")
        sys.path.insert(0, tmp)
        sys.path.insert(0, str(ROOT))
        import dedupe_ko_old  # type: ignore[import-not-found]

        import dedupe_ko

        texts = corpus_texts()[:3000]
        old, new = dedupe_ko_old.clean, dedupe_ko.clean
        old("워밍업")
        new("워밍업")
        for mod in (dedupe_ko_old, dedupe_ko):  # the `re` twins, where the revision has them
            rules = mod.CleanConfig().rules
            if hasattr(rules, "compile"):
                rules.compile()
        spent = {"old": 0.0, "new": 0.0}
        steps = [("old", old), ("new", new)]
        for _ in range(args.rounds):
            for k in range(4):
                chunk = texts[k::4]
                # who goes first alternates: the second of two identical contenders in a
                # slice read 2-7% slower here
                for name, fn in steps if k % 2 == 0 else steps[::-1]:
                    c0 = time.thread_time()
                    for t in chunk:
                        fn(t)
                    spent[name] += time.thread_time() - c0
        cpu_old, cpu_new = spent["old"], spent["new"]
    saved = cpu_old - cpu_new
    print(
        f"{args.rev}: {cpu_old / args.rounds:.2f} CPU s, work tree: {cpu_new / args.rounds:.2f} "
        f"CPU s per pass over {len(texts):,} texts; saved {saved / args.rounds:.2f} s "
        f"({saved / cpu_old:.1%}), {cpu_old / cpu_new:.2f}x"
    )


if __name__ == "__main__":
    main()
