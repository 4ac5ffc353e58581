"""The Spark engine gives the local engine's results: cleaning, and every dedup decision.

One SparkSession for the module (local[2], few shuffle partitions, no UI). The tests fail,
not skip, when pyspark is installed and something is wrong; they skip only without pyspark
(CI installs it) or, for the corpus tests, without ../shared beside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from _shared import CORPUS, FIXTURES, ROOT, need_corpus

from dedupe_ko import CleanConfig, clean
from dedupe_ko.dedup import DedupConfig, dedup

pyspark = pytest.importorskip("pyspark", reason="pip install 'dedupe-ko[spark]'")

from dedupe_ko.spark import (  # noqa: E402 - after the importorskip
    DedupReport,
    SparkDedupConfig,
    clean_df,
    dedup_df,
    kept_df,
    session,
)

FIELDS = ("cluster", "kept", "match", "similarity", "containment", "supersedes")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    s = session(
        "local[2]",
        **{
            "spark.sql.shuffle.partitions": "4",
            "spark.default.parallelism": "2",
            "spark.ui.showConsoleProgress": "false",
        },
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def _stories() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    key = None
    for line in (FIXTURES / "dedup_stories.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            key = line[3:].strip()
            out[key] = []
        elif line.strip() and not line.startswith("#") and key is not None:
            out[key].append(line)
    return out


SHARED_LINE = "이 기사는 지역 언론 공동취재단이 함께 취재해 작성했으며 무단 인용을 금합니다."


def _fixture_records() -> list[tuple[str, str]]:
    """Stories with the copies a news archive holds, in an order where it matters: an exact
    copy, a re-spaced copy, one without a paragraph, a brief (first paragraphs) before its
    full story, a longer version after it, and a closing line many stories share."""
    recs: list[tuple[str, str]] = []
    for n, (key, (_, *paras)) in enumerate(_stories().items()):
        body = "\n".join(paras)
        shared = "\n".join([*paras, SHARED_LINE]) if n % 2 else body
        if n % 3 == 0:
            recs.append((f"{key}-brief", "\n".join(paras[:3])))
        recs.append((f"{key}-0", shared))
        recs.append((f"{key}-exact", shared))
        recs.append((f"{key}-spaced", body.replace("다. ", "다.  ").replace(" ", "  ", 3)))
        if len(paras) > 3:
            recs.append((f"{key}-cut", "\n".join(paras[:2] + paras[3:])))
        recs.append(
            (f"{key}-more", body + "\n" + paras[1] + " 관계자는 추가 설명을 내놓지 않았다.")
        )
    return recs


def _local(
    records: list[tuple[str, str]], config: DedupConfig, batch_size: int
) -> dict[str, tuple[object, ...]]:
    good = [(i, t) for i, t in records if t.strip()]
    return {
        d.id: tuple(getattr(d, f) for f in FIELDS)
        for d in dedup(good, config, batch_size=batch_size)
    }


def _spark_decisions(
    spark: object,
    records: list[tuple[str, str]],
    config: DedupConfig,
    batch_size: int,
    report: DedupReport | None = None,
    **spark_config: int,
) -> dict[str, tuple[object, ...]]:
    df = spark.createDataFrame(records, "id string, text string")  # type: ignore[attr-defined]
    scfg = SparkDedupConfig(batch_size=batch_size, **spark_config)
    res = dedup_df(df, config, spark_config=scfg, report=report)
    return {
        r["id"]: tuple(r[f] for f in FIELDS) for r in res.where("quarantined is null").collect()
    }


def _differ(a: dict[str, tuple[object, ...]], b: dict[str, tuple[object, ...]]) -> list[str]:
    assert a.keys() == b.keys()
    return [i for i in a if a[i] != b[i]]


@pytest.mark.parametrize(
    "keep,batch_size,driver_edges,replay_rows",
    [("first", 7, 0, 1), ("longest", 256, SparkDedupConfig.driver_edges, 4096)],
    ids=["in-spark-one-group-per-replay", "on-driver-groups-together"],
)
def test_dedup_df_makes_every_decision_of_the_local_engine(
    spark: object, keep: str, batch_size: int, driver_edges: int, replay_rows: int
) -> None:
    """Both ways of finding components (in Spark, on the driver) and of replaying (each
    group alone, many groups per `dedup.replay` call) give the local engine's decisions."""
    records = _fixture_records()
    config = DedupConfig(keep=keep)  # type: ignore[arg-type]
    local = _local(records, config, batch_size)
    report = DedupReport({})
    ours = _spark_decisions(
        spark,
        records,
        config,
        batch_size,
        report,
        driver_edges=driver_edges,
        replay_rows=replay_rows,
    )
    assert _differ(local, ours) == []
    kinds = {v[2] for v in local.values()}
    # the corpus exercises every path (with keep="longest" an exact copy of a member is
    # reported against its cluster's final, fullest representative: near, not exact)
    assert {"near", "partial", "none"} <= kinds and (keep == "longest" or "exact" in kinds)
    assert report.verified_edges > 0 and report.piece_edges > 0
    assert report.groups < len(records)
    assert report.components == ("spark" if driver_edges == 0 else "driver")
    assert report.rounds >= 1


def test_union_find_on_the_driver_gives_the_smallest_node_of_each_component() -> None:
    """`_union_find` against a plain one-edge-at-a-time union-find on random graphs: chains
    laid out in descending order (the worst case for hooking), stars, isolated pairs."""
    import numpy as np

    from dedupe_ko.spark import _union_find

    rng = np.random.default_rng(16)
    for n_nodes, n_edges in [(50, 30), (2000, 1500), (2000, 4000)]:
        ids = rng.choice(10**12, size=n_nodes, replace=False).astype(np.int64)
        a = ids[rng.integers(0, n_nodes, n_edges)]
        b = ids[rng.integers(0, n_nodes, n_edges)]
        chain = np.sort(ids[:40])[::-1]  # one long path, largest ids first
        a, b = np.concatenate([a, chain[:-1]]), np.concatenate([b, chain[1:]])
        parent: dict[int, int] = {}

        def root(x: int, parent: dict[int, int] = parent) -> int:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            rx, ry = root(x), root(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
        nodes, labels, rounds = _union_find(a, b)
        assert nodes.tolist() == sorted(parent)
        assert dict(zip(nodes.tolist(), labels.tolist(), strict=True)) == {
            x: root(x) for x in parent
        }
        on_chain = set(labels[np.searchsorted(nodes, chain)].tolist())
        assert len(on_chain) == 1 and on_chain.pop() <= chain.min()
        assert 0 < rounds < 40
    nodes, labels, rounds = _union_find(np.empty(0, np.int64), np.empty(0, np.int64))
    assert len(nodes) == len(labels) == rounds == 0


def test_dedup_df_sets_aside_blank_repeated_and_missing_ids(spark: object) -> None:
    story = "\n".join(next(iter(_stories().values()))[1:])
    records = [("a", story), ("b", "  \n "), ("a", story + " 덧붙임."), (None, story), ("c", story)]
    df = spark.createDataFrame(records, "id string, text string")  # type: ignore[attr-defined]
    decisions = dedup_df(df)
    rows = {(r["id"], r["position"]): r for r in decisions.collect()}
    assert len(rows) == 5
    assert rows[("b", 1)]["quarantined"] == "empty_after_clean"
    assert rows[("a", 2)]["quarantined"] == "duplicate_id"
    assert rows[(None, 3)]["quarantined"] == "missing_id"
    assert rows[("c", 4)]["cluster"] == "a" and rows[("c", 4)]["match"] == "exact"
    kept = kept_df(df, decisions)
    assert sorted((r["id"], r["text"]) for r in kept.collect()) == [("a", story)]


def test_clean_df_runs_the_cleaner_with_user_rules_on_the_executors(
    spark: object, tmp_path: Path
) -> None:
    rules = tmp_path / "house.toml"
    ad = "한빛몰에서는 이번 주 텀블러를 할인해 판매하고 있으며 회원에게는 무료 배송을 제공합니다."
    rules.write_text(
        '[[rule]]\nid = "promo.house_ad"\ncategory = "promo"\nkind = "line"\n'
        f"pattern = '한빛몰에서는 .{{0,80}}'\nexamples = [\"{ad}\"]\n",
        encoding="utf-8",
    )
    config = CleanConfig(rule_files=(str(rules),))
    stories = list(_stories().values())[:4]
    pages = [
        (
            f"p{i}",
            "\n".join([title, "공유", "댓글", *paras, ad, "ⓒ 한빛일보 무단전재 및 재배포 금지"]),
        )
        for i, (title, *paras) in enumerate(stories)
    ]
    df = spark.createDataFrame(pages, "id string, text string")  # type: ignore[attr-defined]
    out = {r["id"]: r for r in clean_df(df, config).collect()}
    for pid, page in pages:
        assert out[pid]["text"] == clean(page, config)
        assert "한빛몰" not in out[pid]["text"] and "공유" not in out[pid]["text"].split("\n")
        assert out[pid]["removed_bytes"]["promo"] > 0
        assert out[pid]["clean_error"] is None
    default = {r["id"]: r["text"] for r in clean_df(df).collect()}
    assert all(ad in t for t in default.values())  # the user rule made the cut


def _corpus_records(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    out = []
    with open(path, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            out.append((str(r["id"]), clean(r["text"])))
            if limit is not None and len(out) >= limit:
                break
    return out


BOILER = (
    "이 기사는 한국언론진흥재단의 지역 저널리즘 지원 사업으로 취재했으며 기사의 모든 권리는 "
    "발행사에 있습니다. 사실과 다른 내용이나 정정 요청은 독자권익위원회 전자우편으로 보내 "
    "주시면 확인 후 바로잡겠습니다."
)


def _generated(n: int, seed: int, copies: int = 5) -> list[tuple[str, str]]:
    """`make_corpus` pages, cleaned, at most ``copies`` pages of each story."""
    need_corpus()
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.corpora import make_corpus
    finally:
        sys.path.remove(str(ROOT))
    pages, truth = make_corpus(n, seed=seed)
    seen: dict[object, int] = {}
    out = []
    for p in pages:
        seen[truth[p["id"]]] = seen.get(truth[p["id"]], 0) + 1
        if seen[truth[p["id"]]] <= copies:
            out.append((p["id"], clean(p["text"])))
    return out


def test_generated_corpus_with_a_boilerplate_paragraph_stays_in_small_groups(
    spark: object,
) -> None:
    """Hundreds of articles end with the same closing paragraph: the engines agree, and the
    paragraph does not join its holders into one replay group (only those before it is
    surely boilerplate, a batch or two, are replayed together)."""
    records = [
        (i, f"{t}\n{BOILER}" if n % 3 else t)
        for n, (i, t) in enumerate(_generated(300, 16, copies=2))
    ]
    holders = sum(BOILER in t for _, t in records)
    assert holders > 120
    config = DedupConfig()
    report = DedupReport({})
    local = _local(records, config, 16)
    assert _differ(local, _spark_decisions(spark, records, config, 16, report)) == []
    assert report.boilerplate_pieces > 0
    assert report.largest_group < holders // 2, report  # all of them, without the hints
    assert len({v[0] for v in local.values()}) > holders  # unrelated stories stay apart


def test_replay_with_boilerplate_hints_keeps_decisions_and_checks_them() -> None:
    """`dedup.replay` told that the closing paragraph is boilerplate from batch 1 on decides as
    the whole run does (six stories hold it in batch 0: six clusters, more than four), and
    refuses the same hint when only three stories held it by then."""
    from dedupe_ko.dedup import BoilerplateUnsettled, replay
    from dedupe_ko.minhash import pieces_batch, strip_marks

    stories = ["\n".join(paras) for _, *paras in _stories().values()]
    first = [(f"s{k}", f"{t}\n{BOILER}") for k, t in enumerate(stories)]
    later = [
        (f"s{k}-more", f"{t} 관계자는 추가 설명을 하지 않았다.\n{BOILER}")
        for k, t in enumerate(stories)
    ]
    later += [(f"s{k}-brief", f"{t.split(chr(10))[0]}\n{BOILER}") for k, t in enumerate(stories)]
    records = first + later
    pieces, _, _, _ = pieces_batch([strip_marks(BOILER)])
    hint = {int(p): 1 for p in pieces}
    whole = list(dedup(records, DedupConfig(), batch_size=len(first)))
    batched = [(n // len(first), i, t) for n, (i, t) in enumerate(records)]
    hinted = replay(batched, DedupConfig(), boilerplate=hint, confirm=hint)
    assert hinted == whole
    with pytest.raises(BoilerplateUnsettled) as e:
        replay([(0, i, t) for i, t in first[:3]] + [(1, *later[0])], boilerplate=hint, confirm=hint)
    assert set(e.value.pieces) == set(hint)


def test_boilerplate_guess_that_fails_falls_back_to_whole_links(spark: object) -> None:
    """The first holders of the closing paragraph are versions of one story (one cluster):
    when its holders are counted, the paragraph is not yet boilerplate, the replay says so,
    and the second pass links all its holders; the decisions stay the local engine's."""
    story = _stories()["bus"]
    title, *paras = story
    versions = [
        (f"v{k}", "\n".join([*paras, f"현장 관계자 {k}명은 추가 설명을 하지 않았다.", BOILER]))
        for k in range(24)
    ]
    others = [(i, f"{t}\n{BOILER}") for i, t in _generated(60, 5)]
    records = versions + others
    config = DedupConfig()
    report = DedupReport({})
    local = _local(records, config, 16)
    assert _differ(local, _spark_decisions(spark, records, config, 16, report)) == []
    assert report.unsettled_pieces > 0 and report.replay_passes > 1
    assert {local[i][0] for i, _ in versions} == {"v0"}


def test_cli_spark_engine_writes_the_local_engines_clusters(tmp_path: Path) -> None:
    corpus = need_corpus() / "corpus.jsonl"
    src = tmp_path / "in.jsonl"
    with open(corpus, "rb") as f, open(src, "wb") as g:
        for n, line in enumerate(f):
            if n >= 150:
                break
            g.write(line)
    outs = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for engine in ("local", "spark"):
        clusters = tmp_path / f"{engine}.clusters.jsonl"
        out = tmp_path / f"{engine}.out.jsonl"
        cmd = [
            sys.executable,
            "-m",
            "dedupe_ko",
            "run",
            str(src),
            "-o",
            str(out),
            "--clusters",
            str(clusters),
            "-q",
            "--engine",
            engine,
        ]
        if engine == "spark":
            cmd += ["--master", "local[2]"]
        subprocess.run(cmd, check=True, cwd=ROOT, env=env, timeout=1800)
        outs[engine] = (
            [orjson.loads(x) for x in clusters.read_bytes().splitlines()],
            out.read_bytes().splitlines(),
        )
    assert outs["spark"][0] == outs["local"][0]
    assert [orjson.loads(x) for x in outs["spark"][1]] == [
        orjson.loads(x) for x in outs["local"][1]
    ]


def test_dev_corpus_same_clusters(spark: object) -> None:
    records = _corpus_records(need_corpus() / "corpus.jsonl")
    assert CORPUS.exists()
    config = DedupConfig()
    assert (
        _differ(_local(records, config, 256), _spark_decisions(spark, records, config, 256)) == []
    )
