"""Clean and deduplicate on Apache Spark, with the local engine's results, exactly.

    from dedupe_ko.spark import clean_df, dedup_df, kept_df
    cleaned = clean_df(df)                         # df: id and text columns
    decisions = dedup_df(cleaned)                  # every id: cluster, match, similarity
    kept = kept_df(cleaned, decisions)             # the rows to keep

Nothing that decides is written twice: the executors run `dedupe_ko.clean` (through
`mapInArrow`), `dedupe_ko.minhash` (keys, signatures, band keys, sentence pieces),
`dedupe_ko.cluster.verify` and, per group, `dedupe_ko.dedup.replay` (the Deduplicator
itself). Stages, with plain DataFrames between them:

1. order: every row gets its input position (``zipWithIndex``); rows with no id, a repeated
   id (the first is kept) or a blank body are set aside with a reason; the others get the
   local engine's batch number (position among them // ``batch_size``).
2. exact keys: the first row of each folded body is *fresh*; the others follow it.
3. signatures, LSH band keys and sentence pieces of the fresh rows.
4. candidate pairs per band bucket, bounded: each member is paired with the bucket's first
   ``bucket_limit`` members in input order (``bucket_limit`` x size pairs, not size^2).
5. verification of each pair with `cluster.verify` (the function the local engine uses):
   only verified pairs become edges, and pairs from `cluster.TEXT_MIN_JACCARD` on (the local
   engine compares their sentences, which the signatures cannot tell).
6. edges from sentence pieces: rows that share a sentence piece (`minhash.pieces_batch`) or
   an anchor (`sentences.candidate_keys`: the local engine compares bodies sharing a few) are
   linked, unverified, because the local engine's containment search and its boilerplate
   rule (a piece found in more than ``boilerplate_clusters`` clusters stops counting) look at
   every row holding a piece *until* it is boilerplate. A piece held by many bodies links only
   its holders up to the batch where it surely is (``SparkDedupConfig.boilerplate_holders``).
7. connected components over the edges: on the driver (edge list collected, vectorised
   union-find) up to ``SparkDedupConfig.driver_edges`` edges, else in Spark (min-label
   propagation with pointer jumping; no GraphFrames).
8. per component, `dedup.replay` decides its rows in input order with the same batches, so
   the representative, the no-chain admission rule (members verified against the
   representative, never against each other) and every tie-break are the local engine's.
   Widely held pieces are passed as boilerplate from their batch on; the group holding a
   piece's early holders confirms it (else `dedup.BoilerplateUnsettled`: that piece's guess
   counts more holders and stages 6-8 run again). Whole groups are replayed together, up to
   ``SparkDedupConfig.replay_rows`` rows per call (a union of closed groups is closed).

Why this is exact: the local engine only ever compares a body with clusters whose current
version shares a band key or sentence pieces with it, and a comparison that fails verification
changes nothing; a group closed under verified band pairs, shared pieces and exact keys
therefore sees every comparison the whole run makes. The one approximation is the bucket
bound: a band bucket with more than ``bucket_limit`` distinct fresh bodies pairs its later
members with its first ``bucket_limit`` only (`DedupReport.truncated_buckets` counts them).
A sentence found in many articles joins only its first holders into one group, about one
batch of them (`DedupReport.largest_group`). Sentences each shared by a few unrelated stories
are not boilerplate and stay linked: where they chain, groups merge, and a group is replayed
by one task (docs/spark.md, "Measured costs": one group of 99,995 rows at 100,000 pages of
the benchmark's mosaic stories).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._extras import require
from .clean import CleanConfig
from .dedup import DedupConfig

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["DedupReport", "SparkDedupConfig", "clean_df", "dedup_df", "kept_df", "session"]

log = logging.getLogger(__name__)

_EXTRA = ("spark", "the Spark engine")


def _spark() -> Any:
    return require("pyspark.sql", *_EXTRA)


def _local_cores(master: str) -> int | None:
    """The cores of a ``local``, ``local[N]``, ``local[*]`` or ``local[N,F]`` master; None
    for a cluster's."""
    m = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\d+)?\])?", master)
    if m is None:
        return None
    if m.group(1) in (None, ""):
        return 1
    return os.cpu_count() or 1 if m.group(1) == "*" else int(m.group(1))


def session(master: str = "local[2]", app: str = "dedupe-ko", **conf: str) -> SparkSession:
    """A SparkSession for ``master`` (UI off, Arrow on); ``conf``: more Spark settings.

    On a local master, ``spark.sql.shuffle.partitions`` defaults to twice its cores (Spark's
    200 would make every shuffle 200 small tasks, each a Python worker call in the replay)."""
    sql = _spark()
    b = (
        sql.SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    cores = _local_cores(master)
    if cores is not None and "spark.sql.shuffle.partitions" not in conf:
        b = b.config("spark.sql.shuffle.partitions", str(2 * cores))
    for k, v in conf.items():
        b = b.config(k, v)
    return b.getOrCreate()


# ---------------------------------------------------------------------------------------------
# Cleaning


def _shipped_config(config: CleanConfig) -> tuple[CleanConfig, tuple[tuple[str, bytes], ...]]:
    """The config with its rule files read on the driver, so executors need not see them."""
    files = tuple((Path(f).name, Path(f).read_bytes()) for f in config.rule_files)
    return config, files


def _executor_config(config: CleanConfig, files: tuple[tuple[str, bytes], ...]) -> CleanConfig:
    """On an executor: the shipped rule files written to a local folder (once per content)."""
    if not files:
        return config
    digest = sha256(b"".join(n.encode() + b"\0" + d for n, d in files)).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"dedupe-ko-rules-{digest}"
    paths = []
    for i, (name, data) in enumerate(files):
        p = folder / f"{i:03d}-{name}"
        if not p.exists():
            folder.mkdir(exist_ok=True)
            tmp = p.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, p)
        paths.append(str(p))
    return replace(config, rule_files=tuple(paths))


def clean_df(
    df: DataFrame, config: CleanConfig | None = None, *, text_col: str = "text"
) -> DataFrame:
    """``df`` with ``text_col`` cleaned by `dedupe_ko.clean` in the executors (`mapInArrow`).

    Added columns: ``title`` (string or null), ``warnings`` (array of strings),
    ``removed_bytes`` (map: category -> bytes removed) and ``clean_error`` (null, or why
    cleaning raised: such a row keeps its text and should be quarantined). The built-in rule
    catalogue comes with the installed package; ``config.rule_files`` are read here and sent
    to the executors with the task.
    """
    sql = _spark()
    T = sql.types
    cfg, files = _shipped_config(config or CleanConfig())
    cfg.rules  # noqa: B018 - a bad rule file fails here, on the driver, not in a task
    extra = [
        T.StructField("title", T.StringType()),
        T.StructField("warnings", T.ArrayType(T.StringType())),
        T.StructField("removed_bytes", T.MapType(T.StringType(), T.LongType())),
        T.StructField("clean_error", T.StringType()),
    ]
    names = set(df.columns)
    for f in extra:
        if f.name in names:
            raise ValueError(
                f"clean_df: the input already has a column {f.name!r}; rename or drop it first"
            )
    if text_col not in names:
        raise ValueError(f"clean_df: no column {text_col!r}; pass text_col=")
    schema = T.StructType([*df.schema.fields, *extra])

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        from .pipeline import _clean_one  # the CLI's own per-record cleaning

        c = _executor_config(cfg, files)
        arrow_schema = None
        for rb in batches:
            texts = rb.column(text_col).to_pylist()
            out_text: list[Any] = []
            titles: list[str | None] = []
            warns: list[list[str]] = []
            removed: list[list[tuple[str, int]]] = []
            errors: list[str | None] = []
            for t in texts:
                if not isinstance(t, str):
                    out_text.append(t)
                    titles.append(None)
                    warns.append([])
                    removed.append([])
                    errors.append(None if t is None else "text is not a string")
                    continue
                oc = _clean_one(t, c, False)
                if isinstance(oc, str):
                    out_text.append(t)
                    titles.append(None)
                    warns.append([])
                    removed.append([])
                    errors.append(oc)
                    continue
                body, title, w, _, rem = oc
                out_text.append(t if body is None else body)
                titles.append(title)
                warns.append(list(w))
                removed.append(list(rem.items()))
                errors.append(None)
            cols = {n: rb.column(n) for n in rb.schema.names}
            cols[text_col] = pa.array(out_text, pa.string())
            if arrow_schema is None:
                arrow_schema = pa.schema(
                    [
                        *rb.schema,
                        pa.field("title", pa.string()),
                        pa.field("warnings", pa.list_(pa.string())),
                        pa.field("removed_bytes", pa.map_(pa.string(), pa.int64())),
                        pa.field("clean_error", pa.string()),
                    ]
                )
            arrays = [
                *cols.values(),
                pa.array(titles, pa.string()),
                pa.array(warns, pa.list_(pa.string())),
                pa.array(removed, pa.map_(pa.string(), pa.int64())),
                pa.array(errors, pa.string()),
            ]
            yield pa.RecordBatch.from_arrays(arrays, schema=arrow_schema)

    return df.mapInArrow(run, schema)


# ---------------------------------------------------------------------------------------------
# Dedup


@dataclass(frozen=True)
class SparkDedupConfig:
    """How the Spark engine splits the work (the decisions come from `DedupConfig`).

    - ``batch_size``: records per `Deduplicator.add_batch` call of the local run being
      reproduced (the CLI's is 256). Default 256.
    - ``bucket_limit``: a band bucket's members are paired with its first this many members
      in input order only. Default 1000.
    - ``max_iterations``: connected-component rounds before giving up. Default 100.
    - ``driver_edges``: with at most this many edges (verified pairs and piece links) the
      connected components are computed on the driver (the edge list collected, union-find
      in numpy: at most ~100 bytes of driver memory per edge, collected and labelled, and
      ~1 s of CPU per million edges); above it, in Spark (each partition's edges made stars
      by the same union-find, then min-label rounds of a few jobs each). 0: always in
      Spark. Default 20,000,000 (~2 GB on the driver).
    - ``replay_rows``: whole groups are replayed together, up to this many rows per
      `dedup.replay` call (a larger group alone): fewer, larger calls; the replay task holds
      about this many texts. 1: one call per group. Default 4096.
    - ``boilerplate_holders``: a sentence piece held by at least this many distinct bodies
      links only its holders up to the batch of this many-th one, and is boilerplate from
      the next batch on (the replay checks that the group's own clusters make it so; if
      not, the guess counts four times as many holders, and the groups are replayed again).
      0: twice (`DedupConfig.boilerplate_clusters` + 1). Default 0.
    """

    batch_size: int = 256
    bucket_limit: int = 1000
    max_iterations: int = 100
    boilerplate_holders: int = 0
    driver_edges: int = 20_000_000
    replay_rows: int = 4096

    def __post_init__(self) -> None:
        for name in ("boilerplate_holders", "driver_edges"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be an int >= 0, got {v!r}")
        for name in ("batch_size", "bucket_limit", "max_iterations", "replay_rows"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")


@dataclass
class DedupReport:
    """What `dedup_df` found on the way (filled when ``report=`` is passed): rows set aside
    by reason, fresh (distinct-body) rows, candidate pairs and verified edges, piece links,
    band buckets cut to ``bucket_limit``, component rounds and where they ran ("driver" or
    "spark", see `SparkDedupConfig.driver_edges`), widely held pieces replayed as
    boilerplate from a batch on, those whose guess failed (linked whole), replay passes,
    groups replayed and the largest one; with a report each stage is materialised in turn
    and ``seconds`` holds its wall time (order and exact keys, signatures, pairs and
    verification, piece links, components, replay (all passes), result; then the
    report's own counts)."""

    set_aside: dict[str, int]
    fresh: int = 0
    candidate_pairs: int = 0
    verified_edges: int = 0
    piece_edges: int = 0
    truncated_buckets: int = 0
    rounds: int = 0
    components: str = ""
    boilerplate_pieces: int = 0
    unsettled_pieces: int = 0
    replay_passes: int = 0
    groups: int = 0
    largest_group: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


_DECISION_FIELDS = (
    "id",
    "position",
    "cluster",
    "kept",
    "match",
    "similarity",
    "containment",
    "supersedes",
    "quarantined",
)


def dedup_df(
    df: DataFrame,
    config: DedupConfig | None = None,
    *,
    spark_config: SparkDedupConfig | None = None,
    id_col: str = "id",
    text_col: str = "text",
    report: DedupReport | None = None,
) -> DataFrame:
    """One row per input row: ``id``, ``position`` (input order), ``cluster`` (its
    representative's id), ``kept``, ``match`` ("none", "exact", "near", "partial"),
    ``similarity``, ``containment``, ``supersedes`` and ``quarantined`` (null, or why the
    row was not compared: "missing_id", "duplicate_id", "empty_after_clean").

    ``text_col`` holds cleaned bodies (`clean_df`). The decisions are those of
    ``dedupe_ko.dedup(rows, config, batch_size=spark_config.batch_size)`` over the rows kept
    for comparison, in input order (see the module docstring). The result is computed
    eagerly (the component rounds need counts) and cached.
    """
    sql = _spark()
    F, T = sql.functions, sql.types
    cfg = config or DedupConfig()
    scfg = spark_config or SparkDedupConfig()
    spark = df.sparkSession
    clock = [time.perf_counter()]

    def label(stage: str | None) -> None:
        """Name the jobs that follow in the Spark UI (and its REST API)."""
        sc: Any = spark.sparkContext  # None clears the description (typed str only)
        sc.setJobDescription(None if stage is None else f"dedupe-ko {stage}")

    def lap(stage: str, *frames: DataFrame) -> None:
        if report is None:
            return
        for f in frames:
            f.count()
        now = time.perf_counter()
        report.seconds[stage] = round(report.seconds.get(stage, 0.0) + now - clock[0], 3)
        clock[0] = now

    for c in (id_col, text_col):
        if c not in df.columns:
            raise ValueError(f"dedup_df: no column {c!r}; pass id_col= / text_col=")

    # 1. order and set-aside
    label("order_keys")
    base = df.select(
        F.col(id_col).cast("string").alias("id"), F.col(text_col).cast("string").alias("text")
    )
    rows = _with_position(base, "position")
    keyed = rows.mapInArrow(
        _key_batches, "position long, id string, text string, blank boolean, key binary"
    )
    first_of_id = F.min("position").over(sql.Window.partitionBy("id"))
    keyed = keyed.withColumn(
        "quarantined",
        F.when(F.col("id").isNull(), F.lit("missing_id"))
        .when(F.col("position") != first_of_id, F.lit("duplicate_id"))
        .when(F.col("blank"), F.lit("empty_after_clean")),
    ).persist()
    good = _with_position(
        keyed.where(F.col("quarantined").isNull())
        .select("position", "id", "text", "key")
        .orderBy("position"),
        "dpos",
    )

    # 2. exact keys: the first row of each key is fresh; the others follow it
    w = sql.Window.partitionBy("key")
    good = good.withColumn("root", F.min("dpos").over(w)).persist()
    fresh = good.where(F.col("dpos") == F.col("root")).select("dpos", "text")
    lap("order_keys", good)

    # 3. signatures, band keys, pieces
    label("signatures")
    feats = fresh.mapInArrow(
        _feature_batches(cfg),
        "dpos long, sig binary, size long, bands array<long>, pieces array<long>",
    ).persist()
    lap("signatures", feats)

    # 4. candidate pairs per band bucket, bounded
    label("pairs_verify")
    k = scfg.bucket_limit
    buckets = (
        feats.select("dpos", F.explode("bands").alias("band"))
        .groupBy("band")
        .agg(F.array_sort(F.collect_list("dpos")).alias("m"))
        .where(F.size("m") > 1)
        .persist()
    )
    truncated = buckets.where(F.size("m") > k + 1).count() if report is not None else 0
    pairs = (
        buckets.select(F.posexplode("m").alias("i", "b"), "m")
        .where(F.col("i") > 0)
        .select(F.explode(F.slice("m", 1, F.least(F.col("i"), F.lit(k)))).alias("a"), "b")
        .distinct()
    )

    # 5. verify each pair with cluster.verify
    sa = feats.select(
        F.col("dpos").alias("a"), F.col("sig").alias("sig_a"), F.col("size").alias("size_a")
    )
    sb = feats.select(
        F.col("dpos").alias("b"), F.col("sig").alias("sig_b"), F.col("size").alias("size_b")
    )
    joined = (
        pairs.join(sa, "a").join(sb, "b").select("a", "b", "sig_a", "size_a", "sig_b", "size_b")
    )
    verified = joined.mapInArrow(_verify_batches(cfg), "a long, b long").persist()
    lap("pairs_verify", verified)

    # 6. shared sentence pieces: holders linked to the piece's first holder, up to the batch
    # from which a widely held piece is surely boilerplate (checked by the replay)
    bs = scfg.batch_size
    need = scfg.boilerplate_holders or 2 * (cfg.boilerplate_clusters + 1)
    holders = (
        feats.select("dpos", F.explode("pieces").alias("piece"))
        .groupBy("piece")
        .agg(F.array_sort(F.collect_list("dpos")).alias("h"))
        .where(F.size("h") > 1)
        .persist()
    )
    n_heavy = 0
    raised: dict[int, int] = {}  # piece -> holders to count after a failed guess
    passes = 0
    while True:
        passes += 1
        label("piece_links")
        wanted = F.lit(need)
        for level in sorted(set(raised.values())):
            wanted = F.when(
                F.col("piece").isin([p for p, v in raised.items() if v == level]), level
            ).otherwise(wanted)
        at = F.floor(F.element_at("h", F.col("want").cast("int")) / bs) + 1
        pieces_now = holders.withColumn("want", wanted).withColumn(
            "since",
            F.when((F.size("h") >= F.col("want")) & (F.element_at("h", -1) >= at * bs), at),
        )
        heavy = {
            int(r["piece"]): int(r["since"])
            for r in pieces_now.where(F.col("since").isNotNull()).select("piece", "since").collect()
        }
        n_heavy = max(n_heavy, len(heavy))
        linked = pieces_now.select(
            F.when(F.col("since").isNull(), F.col("h"))
            .otherwise(F.filter("h", lambda x: x < F.col("since") * bs))
            .alias("h")
        ).where(F.size("h") > 1)
        piece_edges = linked.select(
            F.element_at("h", 1).alias("a"), F.explode(F.slice("h", 2, F.size("h"))).alias("b")
        )
        edges = verified.union(piece_edges).distinct().persist()
        lap("piece_links", edges)

        # 7. connected components
        label("components")
        n_edges = edges.count()
        if n_edges <= scfg.driver_edges:
            labels, rounds = _components_on_driver(spark, edges)
        else:
            labels, rounds = _components(edges, scfg.max_iterations)
        lap("components", labels)

        # 8. replay each group with the local engine, many groups per task
        label("replay")
        comp = good.join(labels.withColumnRenamed("node", "root"), "root", "left").withColumn(
            "group", F.coalesce("label", "root")
        )
        parts = int(spark.conf.get("spark.sql.shuffle.partitions") or 8)
        decided = (
            comp.select("group", "dpos", "position", "id", "text")
            .repartition(parts, "group")
            .sortWithinPartitions("group", "dpos")
            .mapInArrow(_replayer(cfg, bs, heavy, scfg.replay_rows), _replay_schema())
            .persist()
        )
        bad = [
            int(r["unsettled"])
            for r in decided.where(F.col("unsettled").isNotNull())
            .select("unsettled")
            .distinct()
            .collect()
        ]
        lap("replay", decided)
        if not bad:
            break
        log.info("dedup_df: %d boilerplate guesses too early; replaying with their links", len(bad))
        for p in bad:  # count four times as many holders (all of them, in the end)
            raised[p] = 4 * raised.get(p, need)
        for d in (edges, decided):
            d.unpersist()

    label("result")
    decisions = decided.where(F.col("unsettled").isNull()).select(
        *_DECISION_FIELDS[:-1], F.lit(None).cast(T.StringType()).alias("quarantined")
    )
    aside = keyed.where(F.col("quarantined").isNotNull()).select(
        "id",
        "position",
        F.coalesce("id", F.concat(F.lit("row:"), F.col("position") + 1)).alias("cluster"),
        F.lit(False).alias("kept"),
        F.lit("none").alias("match"),
        F.lit(0.0).alias("similarity"),
        F.lit(None).cast(T.DoubleType()).alias("containment"),
        F.lit(None).cast(T.StringType()).alias("supersedes"),
        "quarantined",
    )
    result = decisions.unionByName(aside).persist()
    n = result.count()
    lap("result")
    if report is not None:
        label("report")
        report.set_aside = {
            r["quarantined"]: r["count"] for r in aside.groupBy("quarantined").count().collect()
        }
        report.fresh = feats.count()
        report.candidate_pairs = pairs.count()
        report.verified_edges = verified.count()
        report.piece_edges = piece_edges.distinct().count()
        report.truncated_buckets = truncated
        report.rounds = rounds
        report.components = "driver" if n_edges <= scfg.driver_edges else "spark"
        report.boilerplate_pieces = n_heavy
        report.unsettled_pieces = len(raised)
        report.replay_passes = passes
        sizes = comp.groupBy("group").count()
        agg = sizes.agg(F.count("*").alias("g"), F.max("count").alias("m")).first()
        if agg is not None:
            report.groups, report.largest_group = int(agg["g"] or 0), int(agg["m"] or 0)
        lap("report")
    if truncated:
        log.warning(
            "%d band buckets had more than %d members: their later members were "
            "paired with the first %d only",
            truncated,
            k + 1,
            k,
        )
    label(None)
    log.info("dedup_df: %d rows decided in %d component rounds", n, rounds)
    for d in (keyed, good, feats, buckets, verified, holders, edges, decided):
        d.unpersist()
    return result


def kept_df(
    df: DataFrame,
    decisions: DataFrame | None = None,
    config: DedupConfig | None = None,
    *,
    id_col: str = "id",
    **kw: Any,
) -> DataFrame:
    """The rows of ``df`` that are kept (``decisions`` from `dedup_df` on this same ``df``,
    computed with ``config`` and ``kw`` when not given), matched by input position, so a
    repeated id's later rows are not kept; in no particular order."""
    sql = _spark()
    F = sql.functions
    if decisions is None:
        decisions = dedup_df(df, config, id_col=id_col, **kw)
    keep = decisions.where(F.col("kept")).select(F.col("position").alias("_keep"))
    rows = _with_position(df, "_position")
    return rows.join(keep, rows["_position"] == keep["_keep"], "left_semi").drop("_position")


def _with_position(df: DataFrame, name: str) -> DataFrame:
    """``df`` with a first column ``name``: its rows' order, 0-based, consecutive. Computed in
    the JVM (partition number and row number within it, then each partition's offset), on a
    local checkpoint, so the numbers cannot change if a partition is computed again."""
    F = _spark().functions
    tagged = df.select(
        F.spark_partition_id().alias("_pid"),
        F.monotonically_increasing_id().alias("_mid"),
        *[F.col(c) for c in df.columns],
    ).localCheckpoint()
    counts: dict[int, int] = {r[0]: r[1] for r in tagged.groupBy("_pid").count().collect()}
    offsets, total = [], 0
    for pid in range(max(counts, default=-1) + 1):
        offsets.append(total)
        total += counts.get(pid, 0)
    start = F.element_at(F.array(*[F.lit(o) for o in offsets or [0]]), F.col("_pid") + 1)
    local = F.col("_mid") - F.shiftleft(F.col("_pid").cast("long"), 33)
    return tagged.select((start + local).alias(name), *[F.col(c) for c in df.columns])


# ---------------------------------------------------------------------------------------------
# Executor functions (plain data in, plain data out; the library does the deciding)


def _key_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Blank flag (the CLI's ``not text.strip()``) and `minhash.exact_key` per row."""
    import pyarrow as pa

    from .minhash import exact_key

    for rb in batches:
        texts = rb.column("text").to_pylist()
        blank = [t is None or not t.strip() for t in texts]
        keys = [None if b else exact_key(t) for t, b in zip(texts, blank, strict=True)]
        yield pa.RecordBatch.from_arrays(
            [
                rb.column("position"),
                rb.column("id"),
                rb.column("text"),
                pa.array(blank, pa.bool_()),
                pa.array(keys, pa.binary()),
            ],
            names=["position", "id", "text", "blank", "key"],
        )


def _feature_batches(cfg: DedupConfig) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        from .minhash import MinHasher, fold, strip_marks
        from .sentences import candidate_keys

        hasher = MinHasher(cfg.minhash)
        for rb in batches:
            texts = rb.column("text").to_pylist()
            bares = [strip_marks(t) for t in texts]
            sigs, sizes = hasher.signatures_of_keys([fold(b) for b in bares])
            bands = (
                hasher.band_keys(sigs) if len(texts) else np.empty((0, hasher.bands), np.uint64)
            ).view(np.int64)
            hashes, offsets = candidate_keys(bares)  # sentence pieces and anchors
            hashes = hashes.view(np.int64)
            n = len(texts)
            yield pa.RecordBatch.from_arrays(
                [
                    rb.column("dpos"),
                    pa.array([sigs[i].tobytes() for i in range(n)], pa.binary()),
                    pa.array(sizes, pa.int64()),
                    pa.ListArray.from_arrays(
                        pa.array(np.arange(n + 1, dtype=np.int32) * hasher.bands),
                        pa.array(bands.ravel(), pa.int64()),
                    ),
                    pa.ListArray.from_arrays(
                        pa.array(offsets.astype(np.int32)), pa.array(hashes, pa.int64())
                    ),
                ],
                names=["dpos", "sig", "size", "bands", "pieces"],
            )

    return run


def _verify_batches(cfg: DedupConfig) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        from .cluster import TEXT_MIN_JACCARD, verify

        for rb in batches:
            a, b = rb.column("a").to_numpy(), rb.column("b").to_numpy()
            sig_a = rb.column("sig_a").to_pylist()
            sig_b = rb.column("sig_b").to_pylist()
            size_a = rb.column("size_a").to_pylist()
            size_b = rb.column("size_b").to_pylist()
            keep = np.zeros(len(a), dtype=bool)
            for i in range(len(a)):
                x = np.frombuffer(sig_a[i], np.uint32)
                y = np.frombuffer(sig_b[i], np.uint32)
                jac = float((x == y).mean())  # as the Deduplicator computes it
                # from TEXT_MIN_JACCARD on the local engine compares the sentences: linked
                keep[i] = jac >= TEXT_MIN_JACCARD or verify(cfg, jac, size_b[i], size_a[i]).ok
            yield pa.RecordBatch.from_arrays(
                [pa.array(a[keep]), pa.array(b[keep])], names=["a", "b"]
            )

    return run


def _replay_schema() -> str:
    return (
        "id string, position long, cluster string, kept boolean, match string, "
        "similarity double, containment double, supersedes string, unsettled long"
    )


def _replayer(cfg: DedupConfig, batch_size: int, heavy: dict[int, int], chunk: int) -> Any:
    """Replay the groups of a partition (rows sorted by group, then dpos) with `dedup.replay`,
    whole groups together up to ``chunk`` rows per call (a larger group alone), in input
    order; ``heavy``: piece -> the batch from which it is taken as boilerplate. A call whose
    guess fails yields one row per unsettled piece instead of decisions.

    Several groups in one call decide as each would alone: a union of groups is closed under
    exact keys, verified band pairs and shared pieces just as each group is (the whole run is
    the union of all of them), and it saves a `Deduplicator` per group."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        from .dedup import BoilerplateUnsettled, replay
        from .minhash import strip_marks
        from .sentences import candidate_keys

        keys = np.array(sorted(heavy), np.uint64)
        names = _replay_schema()

        def decide(rows: list[tuple[int, int, str, str, list[int]]]) -> list[tuple[Any, ...]]:
            rows.sort(key=lambda r: r[0])  # input order across the groups
            held = {p for r in rows for p in r[4]}
            hint = {p: heavy[p] for p in held}
            confirm = {p for d, _, _, _, ps in rows for p in ps if d // batch_size < heavy[p]}
            try:
                decisions = replay(
                    ((d // batch_size, id_, t) for d, _, id_, t, _ in rows),
                    cfg,
                    boilerplate=hint,
                    confirm=confirm,
                )
            except BoilerplateUnsettled as e:
                return [(None,) * 8 + (int(p),) for p in e.pieces]
            where = {r[2]: r[1] for r in rows}
            return [
                (
                    d.id,
                    where[d.id],
                    d.cluster,
                    d.kept,
                    d.match,
                    float(d.similarity),
                    d.containment,
                    d.supersedes,
                    None,
                )
                for d in decisions
            ]

        def emit(out: list[tuple[Any, ...]]) -> pa.RecordBatch:
            cols = list(zip(*out, strict=True)) if out else [()] * 9
            types = [pa.string(), pa.int64(), pa.string(), pa.bool_(), pa.string()]
            types += [pa.float64(), pa.float64(), pa.string(), pa.int64()]
            return pa.RecordBatch.from_arrays(
                [pa.array(list(c), t) for c, t in zip(cols, types, strict=True)],
                names=[f.split()[0] for f in names.split(", ")],
            )

        current: Any = None
        rows: list[tuple[int, int, str, str, list[int]]] = []  # whole groups, then the current
        start = 0  # where the current group begins in rows
        for rb in batches:
            groups = rb.column("group").to_pylist()
            dpos = rb.column("dpos").to_pylist()
            pos = rb.column("position").to_pylist()
            ids = rb.column("id").to_pylist()
            texts = rb.column("text").to_pylist()
            holds: list[list[int]] = [[] for _ in texts]
            if len(keys):
                h, off = candidate_keys([strip_marks(t) for t in texts])
                hit = np.flatnonzero(np.isin(h, keys))
                row = np.searchsorted(off, hit, side="right") - 1
                for r, p in zip(row.tolist(), h[hit].tolist(), strict=True):
                    holds[r].append(p)
            out: list[tuple[Any, ...]] = []
            for i, g in enumerate(groups):
                if g != current:
                    if len(rows) >= chunk:  # whole groups only
                        out.extend(decide(rows))
                        rows = []
                    start = len(rows)
                    current = g
                rows.append((dpos[i], pos[i], ids[i], texts[i], holds[i]))
                if start and len(rows) > chunk:  # the current group would overfill the chunk
                    out.extend(decide(rows[:start]))
                    rows, start = rows[start:], 0
            if out:
                yield emit(out)
        if rows:
            yield emit(decide(rows))

    return run


def _first(df: DataFrame) -> Any:
    """The first value of the first row of ``df`` (one aggregate)."""
    row = df.first()
    return None if row is None else row[0]


def _union_find(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(nodes, labels, rounds) for the edges ``a[i] - b[i]``: every node once, sorted, and
    the smallest node of its connected component. Vectorised union-find: each round hooks
    the larger root of every edge under the smaller one (``parent[x] <= x`` always, so no
    cycle), then pointer jumping flattens the trees; rounds: O(log nodes)."""
    nodes, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inv[: len(a)], inv[len(a) :]
    parent = np.arange(len(nodes))
    rounds = 0
    while True:
        ra, rb = parent[ia], parent[ib]
        moved = ra != rb
        if not moved.any():
            break
        rounds += 1
        ia, ib, ra, rb = ia[moved], ib[moved], ra[moved], rb[moved]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    return nodes, nodes[parent], rounds


def _components_on_driver(spark: SparkSession, edges: DataFrame) -> tuple[DataFrame, int]:
    """`_components`, with the edge list collected (one job) and `_union_find` on the
    driver; the labels go back as a DataFrame of (node, label)."""
    pd = require("pandas", *_EXTRA)
    pdf: Any = edges.select("a", "b").toPandas()
    a = pdf["a"].to_numpy(np.int64)
    b = pdf["b"].to_numpy(np.int64)
    nodes, labels, rounds = _union_find(a, b)
    frame = pd.DataFrame({"node": nodes, "label": labels})
    return spark.createDataFrame(frame, "node long, label long"), rounds


def _star_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """A partition's edges as stars: each node linked to the smallest node of its component
    among this partition's edges (`_union_find`), the same components with fewer edges."""
    import pyarrow as pa

    a, b = [], []
    for rb in batches:
        a.append(rb.column("a").to_numpy())
        b.append(rb.column("b").to_numpy())
    if not a:
        return
    nodes, labels, _ = _union_find(
        np.concatenate(a).astype(np.int64), np.concatenate(b).astype(np.int64)
    )
    leaf = nodes != labels
    yield pa.RecordBatch.from_arrays(
        [pa.array(labels[leaf]), pa.array(nodes[leaf])], names=["a", "b"]
    )


def _components(edges: DataFrame, max_iterations: int) -> tuple[DataFrame, int]:
    """(node, label) for every node of ``edges`` (columns a, b): label = the smallest node
    of its connected component. Each partition's edges are first made stars around their
    smallest node (`_star_batches`: union-find within the partition, after partitioning by
    the smaller end), so the rounds start from at most one edge per node and partition;
    then min-label propagation over both directions, each round followed by pointer jumping
    (label := label of label). Labels only fall, so a round that leaves their sum unchanged
    changed none: the check is one aggregate, not a join."""
    sql = _spark()
    F = sql.functions
    stars = (
        edges.select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b"))
        .repartition("a")
        .mapInArrow(_star_batches, "a long, b long")
    )
    both = (
        stars.select("a", "b")
        .union(edges.select(F.col("b").alias("a"), F.col("a").alias("b")))
        .persist()
    )
    labels = (
        both.groupBy("a")
        .agg(F.least(F.min("b"), F.first("a")).alias("label"))
        .withColumnRenamed("a", "node")
    ).localCheckpoint()
    total = _first(labels.agg(F.sum("label")))
    rounds = 1
    while rounds < max_iterations:
        msgs = both.join(labels.withColumnRenamed("node", "a"), "a").select(
            F.col("b").alias("node"), "label"
        )
        new = labels.union(msgs).groupBy("node").agg(F.min("label").alias("label"))
        jump = new.select(F.col("node").alias("l2"), F.col("label").alias("ll"))
        labels = (
            new.join(jump, new["label"] == jump["l2"], "left").select(
                "node", F.least("label", F.coalesce("ll", "label")).alias("label")
            )
        ).localCheckpoint()
        rounds += 1
        now = _first(labels.agg(F.sum("label")))
        if now == total:
            break
        total = now
    else:
        raise RuntimeError(
            f"connected components did not settle in {max_iterations} rounds; "
            "raise SparkDedupConfig.max_iterations"
        )
    both.unpersist()
    return labels, rounds


# ---------------------------------------------------------------------------------------------
# The CLI's `run` / `dedup` on Spark


def run_files(
    input: str,
    sinks: Any,
    *,
    read_options: Any,
    clean_config: CleanConfig,
    dedup_config: DedupConfig,
    command: str = "run",
    write_cleaned: bool = True,
    text_field: str = "text",
    master: str = "local[2]",
    spark_config: SparkDedupConfig | None = None,
) -> Any:
    """``dedupe-ko run|dedup --engine spark``: the CLI's reader and writers, Spark in between.

    The input is read with `dedupe_ko.io.read` (the same ids and quarantine reasons as the
    local engine) and staged as Parquet in a temporary folder; cleaning and dedup
    run in Spark (`clean_df`, `dedup_df`); results come back in input order to ``sinks``
    (`dedupe_ko.pipeline.Sinks`). Returns the checked `dedupe_ko.pipeline.Summary`.
    """
    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq

    from . import io as dio
    from .pipeline import CleanedRecord, Summary, _count_clean, _quarantine, _write

    F = _spark().functions
    summary = Summary(command)
    t0 = time.perf_counter()
    aside: list[tuple[int, Any]] = []  # (position, Quarantined) from reading
    schema = pa.schema(
        [
            ("position", pa.int64()),
            ("id", pa.string()),
            ("text", pa.string()),
            ("source", pa.string()),
            ("record", pa.binary()),
        ]
    )
    with tempfile.TemporaryDirectory(prefix="dedupe-ko-spark-") as tmp:
        staged = os.path.join(tmp, "input.parquet")
        with pq.ParquetWriter(staged, schema) as writer:
            buf: list[Any] = []

            def flush() -> None:
                writer.write_batch(
                    pa.RecordBatch.from_pylist(
                        [
                            {
                                "position": p,
                                "id": r.id,
                                "text": r.text,
                                "source": r.text,
                                "record": orjson.dumps(
                                    (r.fields, r.where, list(r.notes)), default=dio._default
                                ),
                            }
                            for p, r in buf
                        ],
                        schema=schema,
                    )
                )
                buf.clear()

            for pos, item in enumerate(dio.read(input, read_options)):
                summary.records_in += 1
                if isinstance(item, dio.Quarantined):
                    aside.append((pos, item))
                    continue
                buf.append((pos, item))
                if len(buf) >= 4096:
                    flush()
            flush()
        ours = _spark().SparkSession.getActiveSession() is None  # stopped at the end if so
        spark = session(master, **{"spark.ui.showConsoleProgress": "false"})
        df = clean_df(spark.read.parquet(staged), clean_config)
        df = df.persist()
        ok = df.where(F.col("clean_error").isNull()).orderBy("position")
        decisions = dedup_df(ok, dedup_config, spark_config=spark_config).select(
            F.col("id").alias("d_id"),
            "cluster",
            "kept",
            "match",
            "similarity",
            "containment",
            "supersedes",
            "quarantined",
        )
        joined = df.join(decisions, df["id"] == decisions["d_id"], "left").orderBy("position")
        results = ((r["position"], r) for r in joined.toLocalIterator())
        pending = sorted(aside, key=lambda x: x[0])
        clusters = sinks.clusters
        for _pos, r in _merge_by_position(results, pending):
            if isinstance(r, dio.Quarantined):
                _quarantine(r, sinks.quarantine, clusters, summary)
                continue
            fields, where, notes = orjson.loads(r["record"])
            rec = dio.Record(r["id"], r["source"], fields, where, tuple(notes))
            if r["clean_error"] is not None:
                q = dio.Quarantined(
                    rec.id,
                    "clean_error",
                    f"cleaning failed: {r['clean_error']}",
                    where,
                    record=fields,
                )
                _quarantine(q, sinks.quarantine, clusters, summary)
                continue
            removed = dict(r["removed_bytes"] or {})
            cr = CleanedRecord(
                rec,
                r["text"],
                r["title"],
                tuple(r["warnings"] or ()),
                None,
                removed,
                r["text"] != rec.text,
            )
            if r["quarantined"] is not None:
                q = dio.Quarantined(
                    rec.id,
                    r["quarantined"],
                    "nothing but page furniture: the cleaned body is empty",
                    where,
                    record=fields,
                )
                _quarantine(q, sinks.quarantine, clusters, summary)
                continue
            _count_clean(cr, summary)
            if r["kept"]:
                _write(sinks.out, cr.output(text_field) if write_cleaned else fields)
                summary.written += 1
                summary.kept_ids.add(rec.id)
            else:
                _write(
                    sinks.rejected,
                    {
                        **fields,
                        "duplicate_of": r["cluster"],
                        "reason": f"{r['match']}_duplicate",
                        "similarity": r["similarity"],
                    },
                )
                if r["match"] == "exact":
                    summary.exact_duplicates += 1
                else:
                    summary.near_duplicates += 1
                dbc = summary.duplicates_by_cluster
                dbc[r["cluster"]] = dbc.get(r["cluster"], 0) + 1
            _write(clusters, _decision_dict(r))
        df.unpersist()
        if ours:
            spark.stop()
    summary.seconds = time.perf_counter() - t0
    summary.check()
    return summary


def _decision_dict(r: Any) -> dict[str, object]:
    """A result row as `dedupe_ko.dedup.Decision.as_dict` writes it."""
    out: dict[str, object] = {
        "id": r["id"],
        "cluster": r["cluster"],
        "similarity": r["similarity"],
        "match": r["match"],
    }
    if r["containment"] is not None:
        out["containment"] = r["containment"]
    if r["supersedes"] is not None:
        out["supersedes"] = r["supersedes"]
    return out


def _merge_by_position(
    a: Iterator[tuple[int, Any]], b: list[tuple[int, Any]]
) -> Iterator[tuple[int, Any]]:
    """Two position-sorted streams as one."""
    i = 0
    for pos, r in a:
        while i < len(b) and b[i][0] < pos:
            yield b[i]
            i += 1
        yield pos, r
    yield from b[i:]
