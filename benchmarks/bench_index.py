"""The persistent index against datasketch's MinHashLSH on Redis, in one run.

    python benchmarks/bench_index.py            # 100,000 and 1,000,000 indexed articles
    python benchmarks/bench_index.py --quick    # 10,000 articles, a smaller datasketch run

For each size N: dedupe_ko's `Index` on SQLite and on Redis, and datasketch's
``MinHashLSH(storage_config={"type": "redis"})`` (same bands and rows, its documented bulk
path ``insertion_session``), each given the same signatures. Measured: inserts/s (batches
of --batch), single-article check latency p50/p99 (the signature is given: this is the
index's own time; `Index.check(text)` also hashes the text, timed separately), and bytes
per article (SQLite: the file after a checkpoint; Redis: RDB file after SAVE, and RAM).
datasketch only finds candidates (no verification, no stored signatures): the Index does
more per check and per insert.

Signatures: articles grown from ../shared/corpus/bodies.jsonl: each takes a random body,
keeps each of its paragraphs with probability 0.7, adds 1-3 paragraphs of other bodies and
changes some spacing; one in five is instead a light edit (spacing, a tag, one paragraph
dropped) of an earlier article, a republication. Up to --real articles get real MinHash
signatures (cached under benchmarks/data/index/). Beyond that (the 1,000,000 run), articles
are SYNTHETIC: a real signature with 30-90% of its values replaced by random ones (so
Jaccard 0.1-0.7 to its source) and a random exact key. Queries: a third exact copies of
indexed articles, a third republications of indexed articles, a third articles not indexed.

datasketch on Redis is too slow for 1,000,000: it runs on the first --datasketch-max
articles and its inserts/s there is reported (and labelled) as its figure at N: its work per
insert does not shrink as the index grows, so this flatters it if anything.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import xxhash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _machine import cpu_model  # noqa: E402

from dedupe_ko.dedup import DedupConfig  # noqa: E402
from dedupe_ko.index import Index  # noqa: E402
from dedupe_ko.minhash import MinHasher, exact_key  # noqa: E402

BODIES = ROOT.parent / "shared" / "corpus" / "bodies.jsonl"
CACHE = ROOT / "benchmarks" / "data" / "index"
TAGS = ["[속보] ", "[단독] ", "(종합) ", "[2보] "]


# -- articles and signatures ------------------------------------------------------------------


def _respace(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 30)):
        i = rng.randrange(len(words))
        if i + 1 < len(words) and rng.random() < 0.5:
            words[i : i + 2] = [words[i] + words[i + 1]]
        else:
            w = words[i]
            if len(w) > 2:
                j = rng.randrange(1, len(w))
                words[i] = w[:j] + " " + w[j:]
    return " ".join(words)


def make_articles(n: int, seed: int, bodies: list[list[str]]) -> list[str]:
    """n articles: mixtures of development bodies, one in five a republication."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        if out and rng.random() < 0.2:
            out.append(republish(rng, out[rng.randrange(len(out))]))
            continue
        base = bodies[rng.randrange(len(bodies))]
        paras = [p for p in base if rng.random() < 0.7] or base[:1]
        for _ in range(rng.randint(1, 3)):
            other = bodies[rng.randrange(len(bodies))]
            paras.insert(rng.randint(0, len(paras)), other[rng.randrange(len(other))])
        out.append("\n".join(_respace(rng, p) for p in paras))
    return out


def republish(rng: random.Random, text: str) -> str:
    """A light edit of an article: spacing, a tag on the lede, maybe the last paragraph cut."""
    paras = text.split("\n")
    if len(paras) > 4 and rng.random() < 0.5:
        paras = paras[:-1]
    paras[0] = rng.choice(TAGS) + paras[0]
    return "\n".join(_respace(rng, p) for p in paras)


@dataclass
class Sigs:
    keys: list[bytes]
    sigs: np.ndarray
    sizes: np.ndarray

    def items(self, start: int, stop: int) -> list[tuple[str, bytes, np.ndarray, int]]:
        return [
            (f"a{i}", self.keys[i], self.sigs[i], int(self.sizes[i])) for i in range(start, stop)
        ]


def real_signatures(n: int, seed: int, bodies: list[list[str]], hasher: MinHasher) -> Sigs:
    CACHE.mkdir(parents=True, exist_ok=True)
    fp = xxhash.xxh64_hexdigest(
        orjson.dumps(hasher.config.fingerprint(), option=orjson.OPT_SORT_KEYS)
    )
    path = CACHE / f"sigs-n{n}-s{seed}-{fp}.npz"
    if path.exists():
        z = np.load(path)
        return Sigs([bytes(k) for k in z["keys"]], z["sigs"], z["sizes"])
    t = time.perf_counter()
    texts = make_articles(n, seed, bodies)
    sigs, sizes = hasher.signatures(texts)
    keys = [exact_key(x) for x in texts]
    np.savez(path, keys=np.array(keys, dtype="S16"), sigs=sigs, sizes=sizes)
    print(
        f"  signatures of {n:,} articles: {time.perf_counter() - t:.0f} s (cached: {path})",
        file=sys.stderr,
    )
    return Sigs(keys, sigs, sizes)


def synthetic_signatures(real: Sigs, n: int, seed: int) -> Sigs:
    """n signatures: real ones first, then real ones with 30-90% of values replaced."""
    if n <= len(real.keys):
        return Sigs(real.keys[:n], real.sigs[:n], real.sizes[:n])
    rng = np.random.default_rng(seed)
    extra = n - len(real.keys)
    src = rng.integers(0, len(real.keys), extra)
    sigs = real.sigs[src].copy()
    frac = rng.uniform(0.3, 0.9, extra)[:, None]
    mask = rng.random(sigs.shape) < frac
    sigs[mask] = rng.integers(0, 2**32, int(mask.sum()), dtype=np.uint32)
    keys = [rng.bytes(16) for _ in range(extra)]
    return Sigs(
        real.keys + keys,
        np.concatenate([real.sigs, sigs]),
        np.concatenate([real.sizes, real.sizes[src]]),
    )


def queries(
    n_indexed: int, real_n: int, q: int, seed: int, bodies: list[list[str]], hasher: MinHasher
) -> tuple[list[str], Sigs]:
    """q query texts: exact copies and republications of indexed real articles, and new."""
    rng = random.Random(seed + 1)
    pool = make_articles(min(real_n, n_indexed), seed, bodies)  # the indexed real articles
    fresh = make_articles(q // 3, seed + 7, bodies)
    texts = []
    for i in range(q):
        if i % 3 == 0:
            texts.append(pool[rng.randrange(len(pool))])
        elif i % 3 == 1:
            texts.append(republish(rng, pool[rng.randrange(len(pool))]))
        else:
            texts.append(fresh[i // 3 % len(fresh)])
    sigs, sizes = hasher.signatures(texts)
    return texts, Sigs([exact_key(t) for t in texts], sigs, sizes)


# -- Redis ----------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the benchmark's own (no persistence but an explicit SAVE)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = workdir
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        self.client = redis.Redis(port=self.port, socket_timeout=None)  # SAVE of 1M: minutes
        for _ in range(100):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        self.version = self.client.info("server")["redis_version"]

    def cpu_s(self) -> float:
        """redis-server's CPU seconds so far (user + system, all its threads)."""
        info = self.client.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def used_memory(self) -> int:
        return int(self.client.info("memory")["used_memory"])

    def rdb_bytes(self) -> int:
        self.client.save()
        return (self.dir / "dump.rdb").stat().st_size

    def flush(self) -> None:
        self.client.flushall()

    def stop(self) -> None:
        self.client.close()
        self.proc.terminate()
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)


# -- the measurements ---------------------------------------------------------------------------


@dataclass
class Row:
    system: str
    n: int
    inserts_per_s: float
    p50_ms: float
    p99_ms: float
    p99_best_ms: float
    subset_rate: float
    bytes_disk: float
    bytes_ram: float | None
    note: str = ""
    found: int = 0
    cpu_client_us: float = 0.0  # per insert, the benchmark process
    cpu_server_us: float | None = None  # per insert, redis-server (None: no server)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before / after the build


@dataclass
class Build:
    """One build's insert figures: rate over all and over the first ``subset`` inserts,
    CPU per insert of the benchmark process and of redis-server, load before / after."""

    rate: float
    subset_rate: float
    cpu_client_us: float
    cpu_server_us: float | None
    load: tuple[float, float]


def _percentiles(lat: list[float]) -> tuple[float, float]:
    a = np.array(lat) * 1e3
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def _timed_passes(fn, args: list, passes: int = 3) -> tuple[list[float], list[float], int]:
    """Latency of fn(*a) for each a: the first pass, and each query's best of ``passes``
    (a 2-core machine shared with other jobs preempts some calls; the best of three shows
    the work itself)."""
    runs, found = [], 0
    for p in range(passes):
        lat = []
        for a in args:
            t = time.perf_counter()
            r = fn(*a)
            lat.append(time.perf_counter() - t)
            if p == 0:
                found += bool(r)
        runs.append(lat)
    return runs[0], np.min(np.array(runs), axis=0).tolist(), found


def run_index(
    target: str,
    data: Sigs,
    n: int,
    qs: Sigs,
    qtexts: list[str],
    batch: int,
    config: DedupConfig,
    subset: int,
    server: RedisServer | None = None,
) -> tuple[Build, float, float, float, int, list[float]]:
    with Index.open(target, config) as index:
        load0 = os.getloadavg()[0]
        s0 = server.cpu_s() if server else 0.0
        c0 = time.process_time()
        t = time.perf_counter()
        subset_rate = 0.0
        for s in range(0, n, batch):
            index.insert_many(data.items(s, min(n, s + batch)))
            if not subset_rate and min(n, s + batch) >= subset:
                subset_rate = min(n, s + batch) / (time.perf_counter() - t)
        rate = n / (time.perf_counter() - t)
        build = Build(
            rate,
            subset_rate,
            1e6 * (time.process_time() - c0) / n,
            1e6 * (server.cpu_s() - s0) / n if server else None,
            (load0, os.getloadavg()[0]),
        )
        assert len(index) == n, (len(index), n)
        first, best, found = _timed_passes(
            index.lookup,
            [(k, sig, int(z)) for k, sig, z in zip(qs.keys, qs.sigs, qs.sizes, strict=True)],
        )
        p50, p99 = _percentiles(first)
        best99 = _percentiles(best)[1]
        text_lat = []
        for text in qtexts[:300]:
            t = time.perf_counter()
            index.check(text)
            text_lat.append(time.perf_counter() - t)
    return build, p50, p99, best99, found, text_lat


def run_datasketch(
    server: RedisServer, data: Sigs, n: int, qs: Sigs, hasher: MinHasher
) -> tuple[Build, float, float, float, int, int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(
        num_perm=hasher.config.num_perm,
        params=(hasher.bands, hasher.rows),
        storage_config={
            "type": "redis",
            "basename": b"dsbench",
            "redis": {"host": "127.0.0.1", "port": server.port},
        },
    )
    lean = [hasher.lean_minhash(data.sigs[i]) for i in range(n)]  # built before the clock
    before = server.used_memory()
    load0, s0, c0 = os.getloadavg()[0], server.cpu_s(), time.process_time()
    t = time.perf_counter()
    with lsh.insertion_session(buffer_size=50_000) as session:
        for i, m in enumerate(lean):
            session.insert(f"a{i}", m, check_duplication=False)
    rate = n / (time.perf_counter() - t)
    build = Build(
        rate,
        rate,
        1e6 * (time.process_time() - c0) / n,
        1e6 * (server.cpu_s() - s0) / n,
        (load0, os.getloadavg()[0]),
    )
    ram = server.used_memory() - before
    qlean = [(hasher.lean_minhash(s),) for s in qs.sigs]
    first, best, found = _timed_passes(lsh.query, qlean)
    p50, p99 = _percentiles(first)
    return build, p50, p99, _percentiles(best)[1], found, ram, server.rdb_bytes()


def _subset(n: int, args: argparse.Namespace) -> int:
    return min(n, args.datasketch_max)


def machine() -> str:
    cpu = cpu_model()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import datasketch

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}, datasketch {datasketch.__version__}, "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10,000 articles, datasketch on 5,000")
    ap.add_argument("--sizes", default="100000,1000000", help="indexed articles, comma-separated")
    ap.add_argument(
        "--real",
        type=int,
        default=100_000,
        help="articles with real signatures (more are synthetic)",
    )
    ap.add_argument("--datasketch-max", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--backends", default="sqlite,redis,datasketch")
    ap.add_argument("--out", type=Path, default=None, help="write the results as Markdown")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.real, args.datasketch_max, args.queries = "10000", 10_000, 5_000, 600
    sizes = [int(x) for x in args.sizes.split(",")]
    backends = set(args.backends.split(","))
    if not BODIES.exists():
        print(f"needs the development corpus at {BODIES}", file=sys.stderr)
        return 1

    config = DedupConfig()
    hasher = MinHasher(config.minhash)
    bodies = [orjson.loads(line)["paragraphs"] for line in BODIES.read_bytes().splitlines()]
    bodies = [b for b in bodies if b]
    started = machine()
    print(started, file=sys.stderr)
    real = real_signatures(min(args.real, max(sizes)), args.seed, bodies, hasher)
    data = synthetic_signatures(real, max(sizes), args.seed)
    rows: list[Row] = []
    text_check: dict[tuple[str, int], tuple[float, float]] = {}
    work = Path(tempfile.mkdtemp(prefix="bench_index_"))
    server = RedisServer(work) if backends & {"redis", "datasketch"} else None
    try:
        for n in sizes:
            qtexts, qs = queries(n, len(real.keys), args.queries, args.seed, bodies, hasher)
            note = (
                ""
                if n <= len(real.keys)
                else (f"{len(real.keys):,} real signatures, {n - len(real.keys):,} synthetic")
            )
            if "sqlite" in backends:
                path = work / f"seen-{n}.db"
                b, p50, p99, b99, found, tl = run_index(
                    str(path), data, n, qs, qtexts, args.batch, config, _subset(n, args)
                )
                size = path.stat().st_size  # closed: the WAL is checkpointed and gone
                rows.append(
                    Row(
                        "dedupe_ko Index, SQLite",
                        n,
                        b.rate,
                        p50,
                        p99,
                        b99,
                        b.subset_rate,
                        size / n,
                        None,
                        note,
                        found,
                        b.cpu_client_us,
                        b.cpu_server_us,
                        b.load,
                    )
                )
                text_check[("sqlite", n)] = _percentiles(tl)
                path.unlink()
                print(f"  sqlite {n:,}: {b.rate:,.0f}/s p99 {p99:.2f} ms", file=sys.stderr)
            if "redis" in backends and server:
                server.flush()
                before = server.used_memory()
                target = f"redis://127.0.0.1:{server.port}/0?prefix=bench"
                b, p50, p99, b99, found, tl = run_index(
                    target, data, n, qs, qtexts, args.batch, config, _subset(n, args), server
                )
                ram = server.used_memory() - before
                rows.append(
                    Row(
                        "dedupe_ko Index, Redis",
                        n,
                        b.rate,
                        p50,
                        p99,
                        b99,
                        b.subset_rate,
                        server.rdb_bytes() / n,
                        ram / n,
                        note,
                        found,
                        b.cpu_client_us,
                        b.cpu_server_us,
                        b.load,
                    )
                )
                text_check[("redis", n)] = _percentiles(tl)
                server.flush()
                print(f"  redis {n:,}: {b.rate:,.0f}/s p99 {p99:.2f} ms", file=sys.stderr)
            if "datasketch" in backends and server:
                server.flush()
                m = min(n, args.datasketch_max)
                b, p50, p99, b99, found, ram, rdb = run_datasketch(server, data, m, qs, hasher)
                label = (
                    ""
                    if m == n
                    else (
                        f"MEASURED ON THE FIRST {m:,} ARTICLES, inserts/s carried over to {n:,}; "
                        f"latency and bytes are at {m:,}"
                    )
                )
                rows.append(
                    Row(
                        "datasketch MinHashLSH, Redis",
                        n,
                        b.rate,
                        p50,
                        p99,
                        b99,
                        b.rate,
                        rdb / m,
                        ram / m,
                        label,
                        found,
                        b.cpu_client_us,
                        b.cpu_server_us,
                        b.load,
                    )
                )
                server.flush()
                print(f"  datasketch {m:,}: {b.rate:,.0f}/s p99 {p99:.2f} ms", file=sys.stderr)
    finally:
        try:
            if server:
                server.stop()
        finally:
            shutil.rmtree(work, ignore_errors=True)

    report = format_report(rows, text_check, args, started, sizes, server)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    return 0


def _datasketch_row(rows: list[Row], n: int) -> Row | None:
    """The datasketch baseline's row at size `n`, which the ratios divide by."""
    return next((r for r in rows if r.n == n and r.system.startswith("datasketch")), None)


def format_report(
    rows: list[Row],
    text_check: dict,
    args: argparse.Namespace,
    started: str,
    sizes: list[int],
    server: RedisServer | None,
) -> str:
    cmd = "python benchmarks/bench_index.py " + " ".join(sys.argv[1:])
    lines = [
        "# Persistent index: dedupe_ko Index (SQLite, Redis) vs datasketch MinHashLSH on Redis",
        "",
        f"Command: `{cmd.strip()}`",
        "",
        f"Machine: {started}; Redis {server.version if server else '-'}; "
        f"load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        f"Inserts in batches of {args.batch:,} (Index.insert_many / datasketch "
        "insertion_session), signatures given; check = one article at a time with its "
        "signature given, three passes over the queries: p50/p99 of the first, and p99 of each "
        "query's best of three (shared 2-core machine: preemption by other jobs shows in the "
        "first) (Index.lookup, which verifies candidates; datasketch query returns "
        f"unverified candidates); {args.queries:,} queries, a third exact copies, a third "
        "republications, a third new. Bytes per article: SQLite file after checkpoint; Redis "
        "RDB after SAVE (disk) and used_memory growth (RAM).",
        "",
        "| articles | system | inserts/s | vs datasketch | inserts/s over the datasketch "
        "subset | vs datasketch there | check p50 ms | check p99 ms | p99 best of 3 ms "
        "| queries matched | bytes/article disk | bytes/article RAM | note |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n in sizes:
        ds = _datasketch_row(rows, n)
        for r in (r for r in rows if r.n == n):
            ratio = f"{r.inserts_per_s / ds.inserts_per_s:.1f}x" if ds else "-"
            sub_ratio = f"{r.subset_rate / ds.inserts_per_s:.1f}x" if ds else "-"
            ram = f"{r.bytes_ram:,.0f}" if r.bytes_ram is not None else "-"
            lines.append(
                f"| {n:,} | {r.system} | {r.inserts_per_s:,.0f} | {ratio} "
                f"| {r.subset_rate:,.0f} | {sub_ratio} | {r.p50_ms:.3f} "
                f"| {r.p99_ms:.3f} | {r.p99_best_ms:.3f} | {r.found:,}/{args.queries:,} "
                f"| {r.bytes_disk:,.0f} | {ram} | {r.note} |"
            )
    lines += [
        "",
        "CPU per insert (not wall time, so less exposed to other jobs on the machine): the "
        "benchmark process (time.process_time) and redis-server (INFO cpu, user + system) "
        "over each build; ratio = datasketch's total over the system's total. Load = the "
        "1-minute load average before / after the build.",
        "",
        "| articles | system | client CPU us/insert | redis-server CPU us/insert "
        "| total CPU us/insert | CPU vs datasketch | load before / after |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for n in sizes:
        ds = _datasketch_row(rows, n)
        for r in (r for r in rows if r.n == n):
            total = r.cpu_client_us + (r.cpu_server_us or 0.0)
            ds_total = ds.cpu_client_us + (ds.cpu_server_us or 0.0) if ds else 0.0
            server = f"{r.cpu_server_us:,.1f}" if r.cpu_server_us is not None else "-"
            lines.append(
                f"| {n:,} | {r.system} | {r.cpu_client_us:,.1f} | {server} | {total:,.1f} "
                f"| {f'{ds_total / total:.1f}x' if ds else '-'} "
                f"| {r.load[0]:.1f} / {r.load[1]:.1f} |"
            )
    lines += ["", "`Index.check(text)` (MinHash of the text included), 300 queries:", ""]
    lines += ["| articles | backend | p50 ms | p99 ms |", "|---:|---|---:|---:|"]
    for (backend, n), (p50, p99) in text_check.items():
        lines.append(f"| {n:,} | {backend} | {p50:.3f} | {p99:.3f} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
