"""Shortcuts the Deduplicator takes for speed give the answers of the calls they replace
(our own Korean fixtures, tests/fixtures/dedup_stories.txt): `same_text_many` equals
`same_text` pair by pair, early outs included."""

from __future__ import annotations

import importlib
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from test_minhash import STORIES

from dedupe_ko.cluster import text_refused, verify
from dedupe_ko.dedup import DedupConfig
from dedupe_ko.index import Index
from dedupe_ko.minhash import pieces_batch, strip_marks
from dedupe_ko.sentences import (
    EARLY_OUT,
    Fingerprint,
    FingerprintTable,
    SameText,
    fingerprint_batch,
    same_text,
    same_text_many,
    same_text_rows,
    text_of_row,
    text_shares,
)

NAMES = sorted(STORIES)


def _texts() -> list[str]:
    """Whole stories, briefs (first paragraphs), a story with another's paragraph quoted,
    a spaced copy, a one-line text and an empty one."""
    out = []
    for k in NAMES:
        paras = STORIES[k][1:]
        out += ["\n".join(paras), "\n".join(paras[:2])]
    a, b = STORIES[NAMES[0]][1:], STORIES[NAMES[1]][1:]
    out.append("\n".join(a + b[:1]))
    out.append("\n".join(a).replace("다. ", "다.  ").replace("의 ", "의"))
    out += ["짧은 한 문장의 단신이다.", ""]
    return [strip_marks(t) for t in out]


def _prints_and_boiler() -> tuple[list[Fingerprint], list[Fingerprint], np.ndarray]:
    """Fingerprints of `_texts()`, their compact forms, and two of the first story's pieces
    (sorted) to leave out as boilerplate."""
    texts = _texts()
    prints = fingerprint_batch(texts)
    fps = [prints.of(j) for j in range(len(texts))]
    h, _, off, _ = pieces_batch(texts[:1])
    return fps, [f.compact() for f in fps], np.sort(h[off[0] : off[0] + 2])


def test_same_text_many_equals_same_text_pair_by_pair() -> None:
    fps, compact, boiler = _prints_and_boiler()
    early = 0
    for a in fps:
        for leave_out in (None, boiler):
            for share in (True, False):
                many = same_text_many(a, compact, leave_out, share)
                one = [same_text(a, b, leave_out, share) for b in compact]
                assert many == one
                early += sum(
                    t.compared and t.share < EARLY_OUT and t.numbers == 0 and t.sentences > 0
                    for t in many
                )
    assert early > 50  # unrelated stories stop at the 5-gram early out: that path is tested


def test_text_refused_only_for_verdicts_that_verify_refuses() -> None:
    """`cluster.text_refused` lets the Deduplicator drop candidates before `verify`: every
    compared, non-template text it refuses, verify refuses, whatever its other fields."""
    rng = np.random.default_rng(7)
    cfg = DedupConfig()
    refused = 0
    for _ in range(4000):
        j = float(rng.choice([rng.random(), cfg.threshold, cfg.min_jaccard, 0.0, 0.95]))
        share = float(rng.choice([rng.random(), cfg.containment, EARLY_OUT, 0.0]))
        chars = int(rng.integers(0, 3000))
        text = SameText(
            share,
            int(rng.integers(0, 12)),
            chars,
            0,
            1.0,
            "a" if rng.random() < 0.5 else "b",
            outer_chars=chars + int(rng.integers(0, 3000)),
        )
        size_a, size_b = (int(x) for x in rng.integers(1, 4000, 2))
        if text_refused(cfg, np.array([j]), np.array([share]))[0]:
            refused += 1
            assert not verify(cfg, j, size_a, size_b, text=text).ok
    assert refused > 500
    assert not text_refused(cfg, np.array([0.1]), np.array([np.nan]))[0]


def _same_arrays(a: Fingerprint, b: Fingerprint) -> bool:
    return all(
        x.dtype == y.dtype and np.array_equal(x, y)
        for x, y in zip(a._arrays(), b._arrays(), strict=True)
    )


def test_same_text_rows_equal_same_text_pair_by_pair() -> None:
    """One `same_text_rows` call against a table of fingerprints gives, row by row, the
    `same_text` of each pair (early outs, full comparisons, a side without text, either
    side the shorter, boilerplate left out), and `text_shares` their shares (and their
    edited shares)."""
    fps, compact, boiler = _prints_and_boiler()
    table = FingerprintTable()
    for f in compact:
        table.append(f)
    slots = np.arange(len(compact))
    kinds = set()
    for a in fps:
        for leave_out in (None, boiler):
            for share in (True, False):
                rows, shares = same_text_rows(a, table, slots, leave_out, share)
                want = [same_text(a, b, leave_out, share) for b in compact]
                assert [text_of_row(r) for r in rows] == want
                assert shares.tolist() == text_shares(rows).tolist() == [t.share for t in want]
                _, edited = same_text_rows(a, table, slots, leave_out, share, edited=True)
                assert edited.tolist() == text_shares(rows, edited=True).tolist()
                assert edited.tolist() == [t.edited for t in want]
                kinds |= {_kind(t) for t in want} | {t.inner for t in want}
                # in another order, and one by one: the same rows
                back, _ = same_text_rows(a, table, slots[::-1].copy(), leave_out, share)
                assert np.array_equal(back, rows[::-1])
                for s in (0, len(slots) - 1):
                    one, _ = same_text_rows(a, table, slots[s : s + 1], leave_out, share)
                    assert np.array_equal(one[0], rows[s])
    assert {"none", "template check", "early", "compared", "a", "b"} <= kinds


def _kind(t: SameText) -> str:
    if t.chars == 0:
        return "none"
    if not t.compared:
        return "template check"
    return "early" if t.numbers == 0 else "compared"


def test_fingerprint_table_keeps_replaces_and_copies_slots() -> None:
    """A slot holds its fingerprint array for array (dtypes too) as its buffers grow; `put`
    replaces one slot and changes its version only; ``table[i]`` owns its arrays; None
    slots stay None."""
    fps, compact, _ = _prints_and_boiler()
    table = FingerprintTable()
    for k in range(300):  # past the first buffers: they grow
        table.append(None if k % 7 == 3 else compact[k % len(compact)])
    assert len(table) == 300 and table.has.tolist() == [k % 7 != 3 for k in range(300)]
    for k in range(300):
        got = table[k]
        if k % 7 == 3:
            assert got is None and table.view(k) is None
            continue
        assert got is not None and _same_arrays(got, compact[k % len(compact)])
        view = table.view(k)
        assert view is not None and _same_arrays(view, got)
        assert not any(
            np.shares_memory(x, y) for x, y in zip(got._arrays(), view._arrays(), strict=True)
        )
    before = [table.version(k) for k in range(300)]
    table.put(5, compact[0])
    table.put(3, compact[1])  # a None slot gets a fingerprint
    table.put(6, None)
    changed = [k for k in range(300) if table.version(k) != before[k]]
    assert changed == [3, 5, 6]
    assert _same_arrays(table[5], compact[0]) and _same_arrays(table[3], compact[1])
    assert table[6] is None and _same_arrays(table[4], compact[4 % len(compact)])
    rows, _ = same_text_rows(fps[0], table, np.array([5, 3]))
    assert [text_of_row(r) for r in rows] == [same_text(fps[0], b) for b in compact[:2]]
    # slots put again before the table is read (written to the buffers then): the last
    # put of a slot counts
    table.put(7, compact[2])
    table.put(7, compact[3])
    table.put(8, compact[2])
    table.put(8, None)
    table.put(9, compact[1])
    rows, _ = same_text_rows(fps[1], table, np.array([9, 7]))
    assert [text_of_row(r) for r in rows] == [same_text(fps[1], compact[k]) for k in (1, 3)]
    assert _same_arrays(table[7], compact[3]) and table[8] is None
    assert _same_arrays(table[11], compact[11 % len(compact)])


def test_a_fingerprint_does_not_depend_on_the_other_texts_of_the_batch() -> None:
    """The Deduplicator cuts fingerprints for some rows of a batch only (`_LazyPrints`)."""
    texts = _texts() + ["널 문자가\x00 섞인 본문이다. 두 번째 문장도 충분히 길다."]
    whole = fingerprint_batch(texts)
    for rows in ([0], [3, 1], list(range(len(texts) - 1, -1, -2)), [len(texts) - 1]):
        part = fingerprint_batch([texts[r] for r in rows])
        for k, r in enumerate(rows):
            a, b = whole.of(r), part.of(k)
            for x, y in zip(a._arrays(), b._arrays(), strict=True):
                assert x.dtype == y.dtype and np.array_equal(x, y)


def test_fingerprint_arrays_are_its_fields_in_order() -> None:
    """`Fingerprint._arrays` (compact, nbytes) is written out field by field."""
    fp = fingerprint_batch(_texts()[:1]).of(0)
    names = [f.name for f in fields(fp)]
    assert len(fp._arrays()) == len(names)
    for name, arr in zip(names, fp._arrays(), strict=True):
        assert arr is getattr(fp, name)
    for x, y in zip(fp.compact()._arrays(), fp._arrays(), strict=True):
        assert np.array_equal(x, y) and x.dtype == y.dtype and not np.shares_memory(x, y)


def test_lazy_fingerprints_decide_as_fingerprints_of_every_row(monkeypatch) -> None:
    """Copies that join on their signature alone get no fingerprint; the decisions are those
    of a run where every row of a batch has one."""
    dedup_module = importlib.import_module("dedupe_ko.dedup")
    first, later = [], []  # two batches: the copies meet stored representatives
    for k in NAMES:
        paras = STORIES[k][1:]
        text = "\n".join(paras)
        first.append((f"{k}-0", text))
        mid = len(text) // 2
        later.append((f"{k}-1", text[:mid] + "가" + text[mid + 1 :]))  # a typo: near, over 0.9
        if len(paras) > 3:
            later.append((f"{k}-brief", "\n".join(paras[:3])))  # partial: compared
    cut_rows: list[int] = []
    real = dedup_module.fingerprint_batch

    def counting(texts, *a):
        cut_rows.append(len(texts))
        return real(texts, *a)

    def run() -> list:
        out = []
        for keep in ("first", "longest"):
            d = dedup_module.Deduplicator(keep=keep)
            out += d.add_batch(first) + d.add_batch(later) + list(d.finish())
        return out

    monkeypatch.setattr(dedup_module, "fingerprint_batch", counting)
    lazy = run()
    lazy_rows, cut_rows[:] = sum(cut_rows), []
    init = dedup_module._LazyPrints.__init__

    def every_row(self, bares, wanted, done=None):
        init(self, bares, np.ones(len(bares), dtype=bool), done)

    monkeypatch.setattr(dedup_module._LazyPrints, "__init__", every_row)
    assert lazy == run()
    assert 0 < lazy_rows < sum(cut_rows)


@pytest.fixture(params=["sqlite", "redis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "seen.db")
    return request.getfixturevalue("redis_target")


def test_check_asks_the_store_once_for_the_clusters_of_all_entries_it_finds(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Index.check` of a text that shares sentences with many stored entries (briefs and
    the fuller versions that superseded them) asks for their clusters in one round of store
    calls, and answers as when each entry's cluster is asked for on its own."""
    dedup_module = importlib.import_module("dedupe_ko.dedup")
    long_ones = [k for k in NAMES if len(STORIES[k]) >= 6]
    assert len(long_ones) >= 3
    # every story's lede run together (a digest), a shorter brief of each, each story again
    queries = ["\n".join(p for k in long_ones for p in STORIES[k][1:3])]
    queries += ["\n".join(STORIES[k][1:3]) for k in long_ones]
    queries += ["\n".join(STORIES[k][1:]) for k in long_ones]
    with Index.open(target) as index:
        index.decide_many([(f"{k}-brief", "\n".join(STORIES[k][1:4])) for k in long_ones])
        kept = index.decide_many([(f"{k}-full", "\n".join(STORIES[k][1:])) for k in long_ones])
        assert all(d.kept and d.supersedes for d in kept)  # fuller versions beside the briefs
        calls: list[str] = []
        for name in ("query_pieces", "entries", "entries_of"):
            real = getattr(index, name)

            def counted(*a, _real=real, _name=name, **k):
                calls.append(_name)
                return _real(*a, **k)

            monkeypatch.setattr(index, name, counted)
        batched, batched_calls = [], []
        for q in queries:
            calls.clear()
            batched.append(index.check(q))
            batched_calls.append(len(calls))
        monkeypatch.setattr(dedup_module.Deduplicator, "_prefetch", lambda self, entries: None)
        one_by_one, one_calls = [], []
        for q in queries:
            calls.clear()
            one_by_one.append(index.check(q))
            one_calls.append(len(calls))
    assert batched == one_by_one
    assert any(m is not None and m.kind == "partial" for m in batched)
    # the digest finds every story's brief and fuller version: one round for all of them
    assert batched_calls[0] <= 4 < 2 * len(long_ones) <= one_calls[0]
    assert all(b <= o for b, o in zip(batched_calls, one_calls, strict=True))


def test_distinct_is_np_unique() -> None:
    from dedupe_ko.minhash import _distinct, _distinct_counts

    rng = np.random.default_rng(14)
    for n in (0, 1, 2, 31, 32, 33, 400, 3000):
        for dtype in (np.uint32, np.int64, np.uint64):
            a = rng.integers(0, max(2, n // 3), n).astype(dtype)
            got, want = _distinct(a), np.unique(a)
            assert got.dtype == want.dtype and np.array_equal(got, want)
            (v, c), (v2, c2) = _distinct_counts(a), np.unique(a, return_counts=True)
            assert v.dtype == v2.dtype and c.dtype == c2.dtype
            assert np.array_equal(v, v2) and np.array_equal(c, c2)
