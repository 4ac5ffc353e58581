"""`dedupe_ko._arrays.grow`: buffers grow in place when nothing else holds them, and a
view taken before the growth keeps its values when they cannot."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from dedupe_ko._arrays import grow
from dedupe_ko.dedup import _Column
from dedupe_ko.sentences import FingerprintTable, fingerprint_batch


class _Owner:
    def __init__(self, a: np.ndarray) -> None:
        self.a = a


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="refcounts are CPython's")
def test_grow_in_place_when_only_the_owner_holds_it() -> None:
    o = _Owner(np.arange(1, 6, dtype=np.int64))
    before = id(o.a)
    grow(o, "a", 9)
    assert id(o.a) == before
    assert o.a.tolist() == [1, 2, 3, 4, 5, 0, 0, 0, 0]
    items = [np.ones((2, 3), np.uint32)]
    before = id(items[0])
    grow(items, 0, 4)
    assert id(items[0]) == before
    assert items[0].tolist() == [[1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0]]


def test_grow_moves_a_buffer_a_view_still_reads() -> None:
    o = _Owner(np.arange(1, 6, dtype=np.int64))
    old = o.a
    view = o.a[1:3]
    grow(o, "a", 7)
    assert o.a is not old and o.a.tolist() == [1, 2, 3, 4, 5, 0, 0]
    assert view.tolist() == [2, 3] and old.tolist() == [1, 2, 3, 4, 5]
    o.a[1] = 99  # the new buffer is its own
    assert view.tolist() == [2, 3]


def test_column_and_table_keep_their_values_through_growth() -> None:
    col = _Column(np.int64, width=2)
    rows = [(k, -k) for k in range(1000)]
    held = []
    for k, r in enumerate(rows):
        col.append(r)
        if k == 300:
            held.append(col.a)  # a view alive across the next growth: a copy then
    assert col.a.tolist() == [list(r) for r in rows]
    assert held[0].tolist() == [list(r) for r in rows[:301]]
    texts = [
        f"서울시는 {k}일 강남구 일대 재건축 단지 {k + 3}곳의 안전진단 결과를 발표했다. "
        f"시 관계자는 올해 안에 {k % 7 + 2}개 단지의 절차를 마무리하겠다고 말했다."
        for k in range(400)
    ]
    batch = fingerprint_batch(texts)
    fps = [batch.of(k) for k in range(len(texts))]
    table = FingerprintTable()
    for fp in fps:  # past 256 slots and the first 1,024 values of each field
        table.append(fp)
    for k, fp in enumerate(fps):
        got = table[k]
        assert got is not None
        for x, y in zip(got._arrays(), fp._arrays(), strict=True):
            np.testing.assert_array_equal(x, y)
