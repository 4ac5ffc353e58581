"""The compiled kernels of minhash.py and sentences.py give the numpy paths' arrays exactly
(same values, dtype and order), on Korean articles and on random text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_minhash import _ODD, BODIES, STORIES

from dedupe_ko import minhash
from dedupe_ko.minhash import MinHashConfig, MinHasher, fold, shingle_key

needs_kernels = pytest.mark.skipif(
    minhash._K_KEY_SIGNATURES is None, reason="kernels off (DEDUPE_KO_JIT=0 or no numba)"
)

PARAGRAPHS = [p for story in STORIES.values() for p in story[1:]]
# a lede rewritten by another outlet, a brief, a tagged copy, and odd keys
KOREAN = [
    *BODIES.values(),
    *PARAGRAPHS,
    "[속보] 정부, 내년 최저임금 1만30원 확정…올해보다 1.7% 인상",
    "(서울=연합뉴스) 김하늘 기자 = 서울시는 다음 달부터 시내버스 128개 노선을 개편한다.",
    "서울시청",
    "가",
    "",
    "웃음 \U0001f600 이모지가 들어간 기사 본문입니다.",
]


def _same(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> None:
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert np.array_equal(g, w)


@needs_kernels
@pytest.mark.parametrize("num_perm,shingle_size", [(128, 5), (64, 3), (16, 1), (200, 9)])
def test_signature_kernel_equals_numpy_on_articles(num_perm, shingle_size):
    h = MinHasher(MinHashConfig(num_perm=num_perm, shingle_size=shingle_size))
    keys = [shingle_key(t) for t in KOREAN] * 2
    sigs, sizes = h.signatures_of_keys(keys)
    _same((sigs, sizes), h._signatures_of_keys_numpy(keys))
    assert (sizes > 0).sum() == len(keys) - 2  # only the empty key has no shingle
    assert (sigs[sizes == 0] == 0xFFFFFFFF).all()


@needs_kernels
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(_ODD), max_size=40)
        | st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
        | st.sampled_from(PARAGRAPHS),
        max_size=80,
    ),
    st.integers(1, 8),
)
def test_signature_kernel_equals_numpy_on_random_text(texts, k):
    h = MinHasher(MinHashConfig(num_perm=32, shingle_size=k))
    keys = [fold(t) for t in texts]
    _same(h.signatures_of_keys(keys), h._signatures_of_keys_numpy(keys))
