"""`Index.check(text)` on an index that holds real article bodies with their sentence pieces.

    python benchmarks/bench_check.py                     # 10,000 stored, 400 checks, SQLite
    python benchmarks/bench_check.py --redis redis://127.0.0.1:6379/0   # and on Redis

`bench_index.py` stores signatures only (no pieces), so its `Index.check` never meets the
containment path. Here the index is filled with `Index.add_many` from `bench_dedup.py`'s
corpus (bodies grown from ../shared/corpus/bodies.jsonl: past about 9,300 stories they share
paragraphs, so a text finds many stored entries by its pieces), then checked with 300
unseen bodies and 100 stored ones. Printed: p50/p99 latency, CPU ms per check, and the
store calls one check makes (``query_pieces``, ``entries``, ``entries_of``), counted on the
real index. Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_dedup  # noqa: E402

from dedupe_ko.index import Index  # noqa: E402


def run(target: str, stored: int, records: list[tuple[str, str]]) -> str:
    """One backend: fill, check, and a line of figures."""
    with Index.open(target) as index:
        fill = time.perf_counter()
        for i in range(0, stored, 1000):
            index.add_many(records[i : min(stored, i + 1000)])
        fill = time.perf_counter() - fill
        texts = [t for _, t in records[stored : stored + 300]] + [t for _, t in records[:100]]
        calls: Counter[str] = Counter()
        for name in ("query_pieces", "entries", "entries_of"):
            real = getattr(index, name)

            def counted(*a, _real=real, _name=name, **k):
                calls[_name] += 1
                return _real(*a, **k)

            setattr(index, name, counted)
        index.check(texts[0])  # one-time tables
        calls.clear()
        lat = []
        cpu = time.process_time()
        for text in texts:
            t = time.perf_counter()
            index.check(text)
            lat.append(time.perf_counter() - t)
        cpu = time.process_time() - cpu
    ms = np.array(lat) * 1e3
    per = ", ".join(f"{k} {calls[k] / len(texts):.2f}" for k in sorted(calls))
    return (
        f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms, "
        f"CPU {cpu / len(texts) * 1e3:.2f} ms per check; store calls per check: {per}; "
        f"filled by add_many at {stored / fill:,.0f} bodies/s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stored", type=int, default=10_000, help="bodies in the index")
    ap.add_argument("--redis", default="", help="also on this Redis URL (a prefix of its own)")
    args = ap.parse_args(argv)
    records, _, _ = bench_dedup.corpus(20_000, 0)
    load = os.getloadavg()[0]
    print(f"{args.stored:,} stored bodies, 400 checks; load average {load:.2f} at start")
    with tempfile.TemporaryDirectory() as work:
        print("sqlite:", run(str(Path(work) / "seen.db"), args.stored, records), flush=True)
    if args.redis:
        import redis

        prefix = f"benchcheck{uuid.uuid4().hex[:12]}"  # keys of its own, deleted after
        try:
            print("redis:", run(f"{args.redis}?prefix={prefix}", args.stored, records))
        finally:
            client = redis.Redis.from_url(args.redis)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            for i in range(0, len(keys), 1000):
                client.delete(*keys[i : i + 1000])
            client.close()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
