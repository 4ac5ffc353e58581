"""Compiled kernels (`dedupe_ko._jit`) give exactly the numbers of the numpy code they replace.

Each kernel is compared with its numpy path in one process, on Korean news text (our own
sentences, republished with edits) and on random inputs. Skipped when kernels are off
(``DEDUPE_KO_JIT=0`` or no numba): the numpy path is then the only one.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe_ko.dedup  # noqa: F401  (the module, for its private helpers)
from dedupe_ko import _jit, sentences
from dedupe_ko.sentences import fingerprint_batch, same_text, same_text_many
from dedupe_ko.store import MemoryBandStore, _merge, _merge_numpy

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not _jit.available(), reason="kernels off (DEDUPE_KO_JIT=0)")


@pytest.fixture(autouse=True)
def _numba_loaded() -> None:
    """Callers use their kernels once numba is loaded (`_jit.load`; a Deduplicator loads it
    after `_jit.LOAD_AFTER` records)."""
    assert _jit.load()


_SENTENCES = [
    "서울시는 3일 강남구 일대 재건축 단지 12곳의 안전진단 결과를 발표했다.",
    '시 관계자는 "주민 불편을 줄이기 위해 올해 안에 절차를 마무리하겠다"고 말했다.',
    "한국은행은 기준금리를 연 3.50%로 동결했다고 밝혔다.",
    "이번 결정은 금융통화위원 7명 전원 일치로 이뤄졌다.",
    "삼성전자 주가는 전 거래일보다 1.2% 오른 7만1천300원에 거래를 마쳤다.",
    "외국인 투자자는 이날 유가증권시장에서 2천450억원어치를 순매수했다.",
    "기상청은 내일 전국에 최고 80㎜의 비가 내릴 것으로 내다봤다.",
    "경찰은 사고 원인을 조사하고 있으며 운전자 A(45)씨를 입건했다.",
    "행사에는 지역 주민과 관계자 300여 명이 참석해 자리를 빛냈다.",
    "정부는 내년 예산안을 656조원 규모로 편성해 국회에 제출했다.",
    "부산항만공사는 올해 컨테이너 물동량이 2천300만TEU를 넘어설 것으로 전망했다.",
    "교육부는 2025학년도 대입 수시모집 경쟁률이 평균 6.1대 1을 기록했다고 발표했다.",
    "창원시는 파산센터 운영 성과를 점검하고 창원 시민의 상담 수요를 분석했다.",
    "인천시는 파산센터 상담 실적을 공개하며 인천 지역 지원을 늘리겠다고 했다.",
]


def _article(rng: random.Random) -> str:
    return "\n".join(rng.sample(_SENTENCES, rng.randint(1, 8)))


def _edited(rng: random.Random, text: str) -> str:
    """A republication: sentences dropped, spacing and a number changed, a lede added."""
    lines = text.split("\n")
    if len(lines) > 2 and rng.random() < 0.5:
        lines = lines[: rng.randint(1, len(lines) - 1)]
    if rng.random() < 0.4:
        lines.insert(0, rng.choice(_SENTENCES))
    out = "\n".join(lines)
    if rng.random() < 0.4:
        out = out.replace(" ", "", 3)
    if rng.random() < 0.3:
        out = out.replace("3", "4", 1)
    return out


def _prints(seed: int, n: int = 24) -> list[sentences.Fingerprint]:
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(n):
        texts.append(
            _edited(rng, rng.choice(texts)) if texts and rng.random() < 0.6 else _article(rng)
        )
    batch = fingerprint_batch(texts)
    return [batch.of(i) for i in range(len(texts))]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.booleans(), st.integers(0, 3))
def test_same_text_kernel_matches_numpy(seed: int, share: bool, left: int) -> None:
    fps = _prints(seed)
    rng = np.random.default_rng(seed)
    for a in fps:
        for b in fps:
            hashes = np.concatenate((a.hashes, b.hashes))
            leave = rng.choice(hashes, min(left, len(hashes)), replace=False) if left else None
            assert same_text(a, b, leave, share) == sentences._same_text_numpy(a, b, leave, share)


def test_same_text_kernel_covers_every_outcome() -> None:
    """The comparison above reaches the early out, full comparisons and templates."""
    kinds = set()
    for seed in range(6):
        fps = _prints(seed)
        for a in fps:
            for b in fps:
                t = same_text(a, b)
                assert t == sentences._same_text_numpy(a, b)
                kinds.add("early" if t.numbers == 0 and t.share < 1 else "compared")
                kinds.add("template" if t.template else "copy" if t.share >= 0.7 else "apart")
    assert {"early", "compared", "template", "copy", "apart"} <= kinds


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_same_text_many_kernel_matches_numpy(seed: int) -> None:
    """`same_text_many` with the early-out kernel (`_K_EARLY_HITS`) equals `same_text` in
    numpy, pair by pair."""
    fps = _prints(seed, 12)
    a, bs = fps[0], fps[1:]
    assert sentences._K_EARLY_HITS is not None
    got = same_text_many(a, bs)
    assert got == [sentences._same_text_numpy(a, b) for b in bs]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 3), st.booleans())
def test_same_text_rows_kernel_matches_numpy(seed: int, left: int, share: bool) -> None:
    """`same_text_rows` compiled (`_table_texts_kernel`) and in numpy give the same rows,
    and each row is `same_text` of its pair."""
    fps = _prints(seed, 16)
    table = sentences.FingerprintTable()
    rng = np.random.default_rng(seed)
    for f in fps:
        if rng.random() < 0.2:
            table.append(None)
        table.append(f)
    slots = np.flatnonzero(table.has)
    rng.shuffle(slots)
    for a in fps[:6]:
        hashes = np.concatenate([f.hashes for f in fps])
        leave = np.sort(rng.choice(hashes, min(left, len(hashes)), replace=False)) if left else None
        got, shares = sentences.same_text_rows(a, table, slots, leave, share)
        out = np.empty(0, np.uint64) if leave is None else leave
        want = sentences._same_text_rows_numpy(a, table, slots, out, share)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(shares, sentences.text_shares(want))
        _, edited = sentences.same_text_rows(a, table, slots, leave, share, edited=True)
        np.testing.assert_array_equal(edited, sentences.text_shares(want, edited=True))
        assert [sentences.text_of_row(r) for r in got] == [
            sentences._same_text_numpy(a, table.view(s), leave, share) for s in slots.tolist()
        ]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_table_put_kernel_matches_numpy(seed: int) -> None:
    """`FingerprintTable.put` compiled (`_table_put_kernel`) and in numpy fill the same
    buffers, starts and counts, through buffer growth, empty slots and slots put again."""
    fps = _prints(seed, 40)
    rng = random.Random(seed)
    plan = [(rng.randrange(300), rng.choice(fps + [None])) for _ in range(150)]
    tables = []
    for compiled in (True, False):
        with pytest.MonkeyPatch.context() as m:
            if not compiled:
                m.setattr(sentences, "_K_TABLE_PUT", None)
            table = sentences.FingerprintTable()
            for k in range(300):  # past the first buffers of 1,024 values: they grow
                table.append(fps[k % len(fps)] if k % 9 else None)
            for slot, fp in plan:
                table.put(slot, fp)
            tables.append(table)
    kern, nump = tables
    np.testing.assert_array_equal(kern._used, nump._used)
    np.testing.assert_array_equal(kern._start, nump._start)
    np.testing.assert_array_equal(kern._count, nump._count)
    assert kern.has.tolist() == nump.has.tolist()
    for f, (x, y) in enumerate(zip(kern._data, nump._data, strict=True)):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x[: kern._used[f]], y[: nump._used[f]])
    last = dict(plan)
    for slot in range(300):
        want = last.get(slot, fps[slot % len(fps)] if slot % 9 else None)
        got = kern[slot]
        if want is None:
            assert got is None
        else:
            assert got is not None and all(
                np.array_equal(a, b) for a, b in zip(got._arrays(), want._arrays(), strict=True)
            )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_store_query_kernel_matches_numpy(seed: int, width: int) -> None:
    rng = np.random.default_rng(seed)
    store = MemoryBandStore()
    for _ in range(rng.integers(1, 9)):
        n = int(rng.integers(0, 300))
        store.add(rng.integers(0, 200, n).astype(np.uint64), rng.integers(0, 40, n))
    keys = rng.integers(0, 220, (int(rng.integers(0, 40)), width)).astype(np.uint64)
    for cap in (None, 0, 1, 4):
        got = store.query(keys, cap)
        want = store._query_numpy(keys.ravel(), width, cap)
        for x, y in ((got.rows, want.rows), (got.values, want.values), (got.crowded, want.crowded)):
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=80), st.lists(st.integers(0, 30), max_size=80))
def test_merge_kernel_matches_numpy(a: list[int], b: list[int]) -> None:
    ka, kb = np.sort(np.array(a, np.uint64)), np.sort(np.array(b, np.uint64))
    va, vb = np.arange(len(a), dtype=np.int32), -np.arange(len(b), dtype=np.int32)
    for x, y in zip(_merge((ka, va), (kb, vb)), _merge_numpy((ka, va), (kb, vb)), strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def test_store_query_kernel_as_the_store_grows() -> None:
    """The sieve in front of the kernel's searches is rebuilt, bigger, as runs come in (up
    to a million entries here), and never hides a stored key."""
    rng = np.random.default_rng(5)
    store = MemoryBandStore()
    stored = []
    for size in (10, 3_000, 40_000, 200_000, 800_000):
        keys = rng.integers(0, 2**63, size, dtype=np.uint64)
        store.add(keys, rng.integers(0, 5_000, size))
        stored.append(keys)
        probe = np.concatenate((rng.choice(np.concatenate(stored), 3_000), keys[:50] + 1))
        for cap in (None, 4):
            got = store.query(probe, cap)
            want = store._query_numpy(probe, 1, cap)
            np.testing.assert_array_equal(got.rows, want.rows)
            np.testing.assert_array_equal(got.values, want.values)
            np.testing.assert_array_equal(got.crowded, want.crowded)
        assert len(got.rows) >= 3_000  # every stored key probed is found
    assert isinstance(store._sieve, np.ndarray) and store._sieve.nbytes == 1 << 20


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_store_query_with_each_runs_sieve_equals_numpy(seed: int) -> None:
    """Many small adds (runs merged like a binary counter, each with its own sieve): keys
    repeated across runs, under many values (crowded) or absent, come out as numpy finds
    them; a run's sieve never hides a key it holds."""
    rng = np.random.default_rng(seed)
    store = MemoryBandStore()
    pool = rng.integers(0, 2**63, 400, dtype=np.uint64)
    for _ in range(int(rng.integers(1, 40))):
        n = int(rng.integers(1, 300))
        fresh = rng.integers(0, 2**63, n, dtype=np.uint64)
        keys = np.where(rng.random(n) < 0.5, rng.choice(pool, n), fresh)
        assert keys.dtype == np.uint64
        store.add(keys, rng.integers(0, 50, n))
        probe = np.concatenate((rng.choice(pool, 200), keys[:20], keys[:20] + 1))
        for cap in (None, 2, 4):
            got = store.query(probe.reshape(-1, 2) if len(probe) % 2 == 0 else probe, cap)
            want = store._query_numpy(probe, 2 if len(probe) % 2 == 0 else 1, cap)
            np.testing.assert_array_equal(got.rows, want.rows)
            np.testing.assert_array_equal(got.values, want.values)
            np.testing.assert_array_equal(got.crowded, want.crowded)
    assert len(store._run_sieves) == len(store._runs)
    assert store.nbytes >= sum(b.nbytes for b, _ in store._run_sieves) + 12 * len(store)


def test_store_with_other_keys_answers_by_numpy() -> None:
    store = MemoryBandStore()
    store.add(np.array([5, 3, 5], np.int64), np.array([1, 2, 3]))
    got = store.query(np.array([5, 4], np.int64))
    assert store._sieve is False
    assert got.rows.tolist() == [0, 0] and got.values.tolist() == [1, 3]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_pair_kernels_match_numpy(seed: int) -> None:
    """Rows sharing band keys (`_pairs_within`) or enough sentence pieces (`_shared_pairs`,
    with its boilerplate marks) come out the same, in the same order."""
    dd = sys.modules["dedupe_ko.dedup"]
    rng = np.random.default_rng(seed)
    n, width = int(rng.integers(2, 40)), int(rng.integers(1, 6))
    bands = rng.integers(0, int(rng.integers(1, 60)), (n, width)).astype(np.uint64)
    for x, y in zip(dd._pairs_within(bands), dd._pairs_within_numpy(bands), strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    per = [np.unique(rng.integers(0, 80, int(rng.integers(0, 12)))) for _ in range(n)]
    keys = np.concatenate(per).astype(np.uint64)
    rows = np.repeat(np.arange(n), [len(p) for p in per])
    marked = rng.random(len(keys)) < 0.1
    for min_shared, max_rows in ((1, 1), (2, 3), (3, 8)):
        got_crowded, want_crowded = marked.copy(), marked.copy()
        got = dd._shared_pairs(keys, rows, n, min_shared, got_crowded, max_rows)
        want = dd._shared_pairs_numpy(keys, rows, n, min_shared, want_crowded, max_rows)
        for x, y in zip(got, want, strict=True):
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(got_crowded, want_crowded)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([np.int32, np.int64]))
def test_candidates_kernel_matches_numpy(seed: int, dtype: type) -> None:
    """A body's candidate clusters (repeated, one per shared band key) come out distinct and
    sorted, with their Jaccard estimates, as `_unique` and `_share_equal` give them."""
    dd = sys.modules["dedupe_ko.dedup"]
    rng = np.random.default_rng(seed)
    clusters, width = int(rng.integers(1, 30)), int(rng.choice([1, 16, 128]))
    sigs = rng.integers(0, 4, (clusters, width)).astype(np.uint32)
    sig = rng.integers(0, 4, width).astype(np.uint32)
    cands = rng.integers(0, clusters, int(rng.integers(1, 70))).astype(dtype)
    got, jac = dd._K_CANDIDATES(cands, sigs, sig)
    want = dd._unique(cands)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(jac, dd._share_equal(sigs[want], sig))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1, 5_000, 40_000]))
def test_radix_order_kernel_is_the_stable_argsort(seed: int, n: int) -> None:
    """Hash keys over the whole uint64 range, many repeated (a band key shared by near
    copies): the radix kernel gives numpy's stable order, position for position."""
    from dedupe_ko import store

    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    keys[rng.random(n) < 0.3] = rng.choice(keys[: max(1, n // 50)], 1)[0]
    keys[rng.random(n) < 0.05] = np.uint64(2**64 - 1)
    want = np.argsort(keys, kind="stable")
    got = store._K_RADIX_ORDER(keys)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(store._stable_order(keys), want)


def test_small_run_stays_on_numpy_and_a_large_one_loads_numba() -> None:
    """A run of a few records never pays numba's start-up; a Deduplicator that has taken
    `_jit.LOAD_AFTER` records loads it. Run in a fresh process (this one has numba)."""
    code = (
        "import sys\n"
        "from dedupe_ko.dedup import Deduplicator\n"
        "from dedupe_ko import _jit\n"
        "d = Deduplicator()\n"
        "body = '서울시는 3일 재건축 단지 12곳의 안전진단 결과를 발표했다. 시 관계자는 말했다.'\n"
        "d.add_batch([(f's{i}', body + str(i)) for i in range(20)])\n"
        "print('numba' in sys.modules)\n"
        "d.add_batch([(f'l{i}', body + str(i)) for i in range(_jit.LOAD_AFTER)])\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["False", "True"]
