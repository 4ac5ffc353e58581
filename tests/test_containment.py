"""Abridged and partial republications: sentence pieces, the band store, `cluster.verify`,
and the Deduplicator's partial matches with the traps that must not join (a story quoting
one paragraph of another, stock ledes and closings shared by many stories, one-sentence
briefs). Fixtures are written here (test_minhash.STORIES); the hard set reads
../shared/corpus and skips without it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest
from _shared import need_corpus
from test_minhash import STORIES

from dedupe_ko.cluster import best, fuller, piece_containment, verify
from dedupe_ko.dedup import DedupConfig, Deduplicator, dedup
from dedupe_ko.minhash import pieces_batch
from dedupe_ko.store import MemoryBandStore

PARAS = {k: v[1:] for k, v in STORIES.items()}
NAMES = sorted(PARAS)


def body(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


def pieces_of(text: str) -> np.ndarray:
    h, _, off, _ = pieces_batch([text])
    return h[off[0] : off[1]]


# -- sentence pieces -----------------------------------------------------------------------


def test_pieces_ignore_spacing_and_quote_style_and_a_typo_changes_one_piece():
    p = (
        '서울중앙지법 민사합의부는 14일 "계약서의 문언만으로는 피고 회사의 손해배상 책임을 '
        '인정하기 어렵다"며 원고의 청구를 기각했다. 재판부는 3.5%의 위약금 조항도 무효라고 '
        "판단했다."
    )
    spaced = p.replace("원고의 청구를", "원고의청구를").replace('"', "\u201c", 1)
    assert np.array_equal(pieces_of(p), pieces_of(spaced))
    typo = p.replace("기각했다", "기각햇다")
    a, b = pieces_of(p), pieces_of(typo)
    assert len(a) == len(b) >= 2
    assert len(np.setdiff1d(a, b)) == 1  # one piece differs, not its whole sentence
    first = pieces_of(p.split(". ")[0] + ".")
    assert len(first) >= 2 and len(np.setdiff1d(first, b)) == 1
    # "3.5%" does not end a sentence: two sentences, not three
    assert pieces_batch([p])[3][0] == 2


def test_pieces_of_a_batch_equal_pieces_one_by_one():
    texts = [body(PARAS[k]) for k in NAMES] + ["", "짧다.", body(PARAS["bus"][:2])]
    h, lengths, off, sents = pieces_batch(texts)
    for i, t in enumerate(texts):
        one = pieces_batch([t])
        assert np.array_equal(h[off[i] : off[i + 1]], one[0])
        assert sents[i] == one[3][0]
    assert off[-1] == len(h) == len(lengths)
    assert sents[len(NAMES)] == 0 and sents[len(NAMES) + 1] == 0  # empty; under 10 chars


# -- the band store ------------------------------------------------------------------------


def test_memory_band_store_finds_every_value_and_caps_crowded_keys():
    store = MemoryBandStore()
    store.add(np.array([5, 7, 9], dtype=np.uint64), np.array([0, 0, 0]))
    for c in range(1, 6):  # key 7 ends up in six clusters, key 9 in two
        store.add(
            np.array([7] + ([9] if c == 1 else []), dtype=np.uint64),
            np.array([c] * (2 if c == 1 else 1)),
        )
    assert len(store) == 3 + 6
    q = np.array([[5, 7], [9, 11]], dtype=np.uint64)
    hits = store.query(q)
    assert sorted(zip(hits.rows.tolist(), hits.values.tolist(), strict=True)) == [
        (0, 0),
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (0, 5),
        (1, 0),
        (1, 1),
    ]
    capped = store.query(q, cap=4)
    assert capped.crowded.tolist() == [False, True, False, False]
    assert sorted(zip(capped.rows.tolist(), capped.values.tolist(), strict=True)) == [
        (0, 0),
        (1, 0),
        (1, 1),
    ]


# -- verification ----------------------------------------------------------------------------


def test_verify_partial_needs_three_sentences_and_the_shorter_side():
    cfg = DedupConfig()
    full, brief = body(PARAS["market"]), body(PARAS["market"][:2])
    pf, pb = pieces_of(full), pieces_of(brief)
    assert piece_containment(pb, pf) == 1.0
    v = verify(
        cfg,
        0.2,
        300,
        1200,
        pieces_a=pb,
        pieces_b=pf,
        chars_a=len(brief),
        chars_b=len(full),
        sentences_a=4,
        sentences_b=18,
    )
    assert v.ok and v.kind == "partial" and v.contained == "a" and v.containment == 1.0
    # the same pieces, but only two sentences on the contained side: no join
    v2 = verify(
        cfg,
        0.2,
        300,
        1200,
        pieces_a=pb,
        pieces_b=pf,
        chars_a=len(brief),
        chars_b=len(full),
        sentences_a=2,
        sentences_b=18,
    )
    assert not v2.ok and v2.containment == 1.0
    # about the same length: never "one inside the other"
    v3 = verify(
        cfg,
        0.4,
        1000,
        1200,
        pieces_a=pb,
        pieces_b=pf,
        chars_a=900,
        chars_b=1000,
        sentences_a=14,
        sentences_b=18,
    )
    assert not v3.ok
    # near wins over partial in `best`; then similarity; then age
    near = verify(cfg, 0.8, 500, 500)
    assert best([(v, 0, "partial"), (near, 5, "near")]) == (near, "near")
    assert best([(v2, 0, "x")]) is None
    assert fuller(10, 5) and not fuller(5, 5)


# -- the Deduplicator ------------------------------------------------------------------------


def brief(k: str) -> list[str]:
    """The first paragraphs of story k, as many as make three sentences (an outlet's brief)."""
    n = 1
    while pieces_batch([body(PARAS[k][:n])])[3][0] < 3:
        n += 1
    assert n <= len(PARAS[k]) // 2
    return PARAS[k][:n]


@pytest.mark.parametrize("keep", ["first", "longest"])
@pytest.mark.parametrize("batch_size", [1, 64])
def test_briefs_join_their_story_and_the_fullest_is_kept(keep, batch_size):
    """Briefs made of the first two or three paragraphs of each story (one with spacing
    changes) arrive before and after the full stories: every brief joins its story; with
    keep="longest" the representative is the full story; with keep="first" a full story
    that comes after its brief is kept too and supersedes it."""
    records = []
    for k in NAMES:
        records.append((f"{k}-brief", body(brief(k))))
    for k in NAMES:
        records.append((f"{k}-full", body(PARAS[k])))
        longer = PARAS[k][: len(brief(k)) + 1]
        records.append((f"{k}-brief3", body([p.replace(" ", "", 2) for p in longer])))
    out = {d.id: d for d in dedup(records, batch_size=batch_size, keep=keep)}
    for k in NAMES:
        members = [out[f"{k}-brief"], out[f"{k}-full"], out[f"{k}-brief3"]]
        assert len({d.cluster for d in members}) == 1, [(d.id, d.cluster) for d in members]
        assert {d.cluster for d in members}.isdisjoint(
            {out[f"{o}-full"].cluster for o in NAMES if o != k}
        )
        assert out[f"{k}-full"].kept  # a full story is never dropped for its own brief
        assert not out[f"{k}-brief3"].kept
        assert out[f"{k}-brief3"].match in ("near", "partial")  # near: like the 2-paragraph
        assert out[f"{k}-brief"].match in ("near", "partial", "none")
        if keep == "longest":
            assert out[f"{k}-full"].cluster == f"{k}-full" and not out[f"{k}-brief"].kept
        else:
            assert out[f"{k}-full"].supersedes == f"{k}-brief"
            assert out[f"{k}-full"].cluster == f"{k}-brief"


def test_a_story_quoting_one_paragraph_of_another_stays_apart():
    """Three stories each quote one paragraph (its lede, or one from the middle) of one of
    three others: none joins another, whatever the order."""
    hosts, quoted = NAMES[:3], NAMES[3:]
    records = []
    for i, (h, q) in enumerate(zip(hosts, quoted, strict=True)):
        host = PARAS[h]
        records.append((f"{h}-quoting", body([*host[:3], PARAS[q][i % 2 * 2], *host[3:]])))
    originals = [(k, body(PARAS[k])) for k in quoted]
    for order in (originals + records, records + originals):
        out = list(dedup(order, batch_size=5))
        assert all(d.kept for d in out), [(d.id, d.cluster, d.match) for d in out if not d.kept]


LEDES = [
    "[주간 법률 브리핑] 한 주 동안 법원과 검찰에서 나온 주요 소식을 모았습니다. "
    "독자 여러분이 궁금해하실 쟁점을 중심으로 정리했습니다. 자세한 내용은 아래와 같습니다.",
]
CLOSING = (
    "※ 이 기사는 지역 언론 협력 사업에 따라 제공됐습니다. 무단 전재와 재배포를 "
    "금합니다. 기사에 대한 문의는 독자센터로 해 주시기 바랍니다."
)


def test_shared_stock_lede_and_closing_do_not_join_stories():
    """Every story carries the same series lede and the same closing paragraph (six
    sentences of boilerplate); short items of two paragraphs of their own inside the same
    boilerplate stay apart too."""
    records = [(k, body([LEDES[0], *PARAS[k][:3], CLOSING])) for k in NAMES]
    records += [(f"{k}-item", body([LEDES[0], *PARAS[k][-3:-1], CLOSING])) for k in NAMES]
    for batch_size in (1, 4, 100):
        out = list(dedup(records, batch_size=batch_size))
        assert all(d.kept for d in out), [(d.id, d.cluster) for d in out if not d.kept]


def test_one_or_two_sentence_briefs_do_not_join_on_containment():
    """The first sentence (or the two-sentence lede) of a story is inside it, but too
    short to tell: it does not join the story."""
    recs = []
    for k in NAMES:
        first = PARAS[k][0]
        recs.append((k, body(PARAS[k])))
        recs.append((f"{k}-one", first.split(". ")[0] + "."))
        recs.append((f"{k}-lede", first))
    for batch_size in (1, 100):
        out = {d.id: d for d in dedup(recs, batch_size=batch_size)}
        for k in NAMES:
            assert out[k].kept
            assert out[f"{k}-one"].cluster != k and out[f"{k}-lede"].cluster != k


def test_partial_stats_add_up():
    dd = Deduplicator()
    dd.add_batch([(f"{k}-brief", body(PARAS[k][: len(brief(k)) + 1])) for k in NAMES])
    dd.add_batch([(f"{k}-full", body(PARAS[k])) for k in NAMES])
    dd.add_batch([(f"{k}-brief2", body(brief(k))) for k in NAMES])
    s = dd.stats
    assert s.records == s.kept + s.exact + s.near + s.partial == 3 * len(NAMES)
    assert s.superseding == len(NAMES) and s.partial == len(NAMES)


# -- the hard set ----------------------------------------------------------------------------


def test_hard_set_bars(tmp_path: Path):
    """corpora.iter_hard (abridged, noisy, reordered, re-led copies and traps) from real
    bodies: pair F1 >= 0.95 at precision >= 0.99, no cluster joining two articles of which
    neither contains half of the other."""
    need_corpus()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import bench_dedup
    import corpora

    data, truth_path = corpora.hard_files(1500, seed=3, data_dir=tmp_path)
    truth = {r["id"]: r["cluster"] for r in corpora.read_jsonl(truth_path)}
    records = [(r["id"], r["text"]) for r in corpora.read_jsonl(data)]
    pred, _ = bench_dedup.run_dedupe_ko(records, 256)
    sc = bench_dedup.score(truth, pred)
    assert sc["precision"] >= 0.99 and sc["f1"] >= 0.95, sc
    bad, across = bench_dedup.half_containment_violations(dict(records), pred, truth)
    assert across == 0  # every under-half pair is a brief and a re-led copy of one story


# -- batch run and day-by-day runs with an index ----------------------------------------------


def _days(with_briefs: bool) -> list[list[dict]]:
    """Two days of a stream: day 1 the full stories; day 2 near copies of them (spacing,
    a closing line), new stories, and, ``with_briefs``, briefs of day 1's stories."""
    half = NAMES[:4]
    day1 = [{"id": f"{k}-1", "text": body(PARAS[k])} for k in half]
    day2 = [{"id": f"{k}-2", "text": body([p.replace(" ", "", 1) for p in PARAS[k]])} for k in half]
    day2 += [{"id": f"{k}-new", "text": body(PARAS[k])} for k in NAMES[4:]]
    if with_briefs:
        day2 += [{"id": f"{k}-brief", "text": body(brief(k))} for k in half]
    return [day1, day2]


def _kept_batch_and_daily(tmp_path: Path, days: list[list[dict]]) -> tuple[set, set]:
    import subprocess

    import orjson

    def run(records: list[dict], name: str, *extra: str) -> set[str]:
        src = tmp_path / f"{name}.in.jsonl"
        src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
        out = tmp_path / f"{name}.out.jsonl"
        p = subprocess.run(
            [sys.executable, "-m", "dedupe_ko", "run", str(src), "-o", str(out), *extra],
            capture_output=True,
            cwd=Path(__file__).parent.parent,
            timeout=120,
        )
        assert p.returncode == 0, p.stderr.decode()
        return {orjson.loads(line)["id"] for line in out.read_bytes().splitlines()}

    batch = run([r for d in days for r in d], "batch")
    db = tmp_path / "seen.db"
    daily: set[str] = set()
    for i, d in enumerate(days):
        daily |= run(d, f"day{i}", "--index", str(db))
    return batch, daily


def test_daily_runs_with_an_index_keep_what_a_batch_run_keeps(tmp_path):
    batch, daily = _kept_batch_and_daily(tmp_path, _days(with_briefs=False))
    assert daily == batch == {f"{k}-1" for k in NAMES[:4]} | {f"{k}-new" for k in NAMES[4:]}


def test_daily_runs_with_an_index_drop_briefs_like_a_batch_run(tmp_path):
    batch, daily = _kept_batch_and_daily(tmp_path, _days(with_briefs=True))
    assert not any(i.endswith("-brief") for i in batch)
    assert daily == batch


@pytest.mark.parametrize("keep", ["first", "longest"])
def test_partial_search_decides_the_same_with_the_debug_log_on(keep, caplog):
    """Without the debug log the partial search compares a row with all its candidates in
    one `same_text_rows` call and drops those that cannot pass on their shares; with it on,
    every pair goes through `verify` and says why it is refused. Briefs, fuller versions,
    quoting stories and shared boilerplate decide the same either way."""
    hosts, quoted = NAMES[:3], NAMES[3:]
    records = []
    for k in NAMES:
        records.append((f"{k}-brief", body(brief(k))))
    for i, (h, q) in enumerate(zip(hosts, quoted, strict=True)):
        records.append((f"{h}-quoting", body([*PARAS[h][:3], PARAS[q][i % 2 * 2], *PARAS[h][3:]])))
    for k in NAMES:
        records.append((f"{k}-full", body(PARAS[k])))
        records.append((f"{k}-boiler", body([LEDES[0], *PARAS[k][-3:-1], CLOSING])))
        longer = PARAS[k][: len(brief(k)) + 1]
        records.append((f"{k}-brief3", body([p.replace(" ", "", 2) for p in longer])))
    quiet = [d.as_dict() for d in dedup(records, batch_size=8, keep=keep)]
    caplog.set_level(logging.DEBUG, logger="dedupe_ko.dedup")
    loud = [d.as_dict() for d in dedup(records, batch_size=8, keep=keep)]
    assert loud == quiet
    assert any(d["match"] == "partial" for d in quiet)
    assert any("not a duplicate of" in r.getMessage() for r in caplog.records)
