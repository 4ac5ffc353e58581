"""The compiled kernels of minhash.py and sentences.py give the numpy paths' arrays exactly
(same values, dtype and order), on Korean articles and on random text."""

from __future__ import annotations

import dataclasses
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_minhash import _ODD, BODIES, STORIES

from dedupe_ko import _jit, minhash, sentences
from dedupe_ko.minhash import (
    MinHashConfig,
    MinHasher,
    cut_sentences,
    fold,
    shingle_key,
    strip_marks,
)

needs_kernels = pytest.mark.skipif(
    minhash._K_KEY_SIGNATURES is None, reason="kernels off (DEDUPE_KO_JIT=0 or no numba)"
)


@pytest.fixture(autouse=True)
def _numba_loaded() -> None:
    """The public functions take their kernels once numba is loaded (`_jit.load`)."""
    if _jit.available():
        assert _jit.load()


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


# -- sentences: distinct values per document ---------------------------------------------


def _same_arrays(got: tuple[np.ndarray, ...], want: tuple[np.ndarray, ...]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert np.array_equal(g, w)


@needs_kernels
def test_distinct_per_doc_kernel_equals_numpy_on_articles():
    texts = [strip_marks(t) for t in KOREAN]
    cut = cut_sentences(texts)
    g = sentences._gram_hashes(cut.kc)
    sid = sentences._sentence_ids(cut)
    ok = sid[: len(g)] >= 0
    values, doc = g[ok], cut.doc[sid[: len(g)][ok]]
    n = len(texts)
    for min_count in (0, 2, 3):
        for counts_too in (False, True):
            want = sentences._distinct_per_doc_numpy(values, doc, n, min_count, counts_too)
            _same_arrays(sentences._distinct_per_doc(values, doc, n, min_count, counts_too), want)
    words = sentences._words(cut.cps, cut.seps)
    _same_arrays(
        sentences._distinct_per_doc(*words, n, min_count=2),
        sentences._distinct_per_doc_numpy(*words, n, min_count=2),
    )
    assert len(sentences._distinct_per_doc(*words, n, min_count=2)[3])  # repeated words


@needs_kernels
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 40), max_size=120), max_size=12),
    st.integers(0, 3),
    st.booleans(),
    st.integers(0, 2),
)
def test_distinct_per_doc_kernel_equals_numpy_on_random_values(per_doc, min_count, counts, extra):
    values = np.array([v for vs in per_doc for v in vs], dtype=np.uint32)
    doc = np.repeat(np.arange(len(per_doc)), [len(vs) for vs in per_doc])
    n = len(per_doc) + extra  # trailing docs with no values
    got = sentences._distinct_per_doc(values, doc, n, min_count, counts)
    _same_arrays(got, sentences._distinct_per_doc_numpy(values, doc, n, min_count, counts))
    if len(doc) > 1 and doc[0] != doc[-1]:  # docs out of order: the numpy path, same result
        rev = doc[::-1].copy()
        got = sentences._distinct_per_doc(values, rev, n, min_count, counts)
        _same_arrays(got, sentences._distinct_per_doc_numpy(values, rev, n, min_count, counts))


# -- sentences: 5-grams, anchors, numbers and words of a batch ----------------------------

_NUMBERS = [
    "코스피는 전 거래일보다 12.35포인트(0.45%) 오른 2,745.82에 마감했다.",
    "삼성전자 3분기 영업이익은 9조1834억원으로 집계됐다. 2023년 같은 기간보다 274% 늘었다.",
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30",
]


def _parts_numpy(cut):
    k = len(cut.start)
    gram_sid, grams, anchor_sid, anchors, num_sid, numbers = sentences._sentence_parts_numpy(cut)
    gram_at = np.searchsorted(gram_sid, np.arange(k + 1)).astype(np.int64)
    num_at = np.searchsorted(num_sid, np.arange(k + 1)).astype(np.int64)
    return (gram_at, grams, gram_sid, num_at, numbers, num_sid, anchors, anchor_sid)


def _check_parts(texts, min_chars=minhash.MIN_PIECE_CHARS):
    cut = cut_sentences(texts, min_chars)
    if cut is None:
        return
    got = sentences._K_SENTENCE_PARTS(cut.kc, cut.start, cut.length)
    _same_arrays(got, _parts_numpy(cut))
    _same_arrays(sentences._K_WORDS(cut.cps), sentences._words(cut.cps, cut.seps))


@needs_kernels
def test_sentence_parts_and_words_kernels_equal_numpy_on_articles():
    texts = [strip_marks(t) for t in KOREAN] + _NUMBERS
    _check_parts(texts)
    _check_parts(texts, min_chars=1)
    cut = cut_sentences(texts)
    gram_at, grams, _, num_at, numbers, *_ = sentences._K_SENTENCE_PARTS(
        cut.kc, cut.start, cut.length
    )
    assert len(grams) > 500 and len(numbers) > 40  # the articles carry both


@needs_kernels
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(_ODD + "0123456789."), max_size=60)
        | st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
        | st.sampled_from(PARAGRAPHS + _NUMBERS),
        max_size=30,
    ),
    st.integers(1, 12),
)
def test_sentence_parts_and_words_kernels_equal_numpy_on_random_text(texts, min_chars):
    _check_parts(texts, min_chars)


@needs_kernels
def test_fingerprint_batch_with_and_without_kernels(monkeypatch: pytest.MonkeyPatch):
    texts = [strip_marks(t) for t in KOREAN] + _NUMBERS + ["", "짧다."]
    got = sentences.fingerprint_batch(texts)
    for name in ("_K_SENTENCE_PARTS", "_K_WORDS", "_K_DISTINCT_PER_DOC"):
        monkeypatch.setattr(sentences, name, None)
    for name in ("_K_CUT", "_K_PIECE_HASHES"):
        monkeypatch.setattr(minhash, name, None)
    want = sentences.fingerprint_batch(texts)
    for field in dataclasses.fields(want):
        g, w = getattr(got, field.name), getattr(want, field.name)
        assert g.dtype == w.dtype and np.array_equal(g, w), field.name
    for j in range(len(texts)):  # each article's fingerprint, as a store keeps it
        _same_arrays(got.of(j)._arrays(), want.of(j)._arrays())
        assert got.of(j).pack() == want.of(j).pack()


# -- minhash: the sentence cut --------------------------------------------------------------


def _check_cut(texts, min_chars=minhash.MIN_PIECE_CHARS):
    got = cut_sentences(texts, min_chars)
    joined = "\x00".join(t.replace("\x00", "") for t in texts)
    joined = unicodedata.normalize("NFC", joined)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    want = minhash._cut_numpy(cps, min_chars) if texts else None
    assert (got is None) == (want is None)
    if got is not None:
        for field in dataclasses.fields(want):
            g, w = getattr(got, field.name), getattr(want, field.name)
            assert g.dtype == w.dtype and np.array_equal(g, w), field.name


@needs_kernels
def test_cut_kernel_equals_numpy_on_articles():
    texts = [strip_marks(t) for t in KOREAN] + _NUMBERS + ["ABC 뉴스. Seoul.3.5%", "끝."]
    _check_cut(texts)
    _check_cut(texts, min_chars=1)
    _check_cut(["", ".", "가."])
    assert len(cut_sentences(texts).start) > 100


@needs_kernels
def test_cut_drops_a_texts_own_nul_before_nfc():
    """A NUL inside a text goes (NULs separate the texts) before NFC composes what it kept
    apart: "A\x00\u0301" is "Á" (hypothesis found it)."""
    _check_cut(["A\x00\u0301"], 0)
    _check_cut(["한\x00\u1100", "가."], 0)
    assert cut_sentences(["A\x00\u0301"], 0).cps.tolist() == [0xC1]


@needs_kernels
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(_ODD + "0123456789.ABCZ?!。"), max_size=60)
        | st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
        | st.sampled_from(PARAGRAPHS + _NUMBERS),
        max_size=30,
    ),
    st.integers(0, 12),
)
def test_cut_kernel_equals_numpy_on_random_text(texts, min_chars):
    _check_cut(texts, min_chars)


# -- minhash: sentence pieces ---------------------------------------------------------------


def _pieces_numpy(texts, min_chars, chunk, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(minhash, "_K_PIECES", None)
        m.setattr(minhash, "_K_PIECE_HASHES", None)
        return minhash.pieces_batch(texts, min_chars, chunk)


def _check_pieces(texts, monkeypatch, min_chars=minhash.MIN_PIECE_CHARS, chunk=24):
    _same_arrays(
        minhash.pieces_batch(texts, min_chars, chunk),
        _pieces_numpy(texts, min_chars, chunk, monkeypatch),
    )
    cut = cut_sentences(texts, min_chars)
    if cut is not None:
        stops = cut.start + np.minimum(cut.length, chunk)
        got = minhash.piece_hashes(cut.kc, cut.start, stops)
        _same_arrays((got,), (minhash._piece_hashes_numpy(cut.kc, cut.start, stops),))


@needs_kernels
def test_pieces_kernel_equals_numpy_on_articles(monkeypatch: pytest.MonkeyPatch):
    texts = [strip_marks(t) for t in KOREAN] + _NUMBERS
    texts += [texts[0] + "\n" + texts[0]]  # a text that repeats its sentences
    _check_pieces(texts, monkeypatch)
    _check_pieces(texts, monkeypatch, min_chars=1, chunk=5)
    h, lengths, offsets, counts = minhash.pieces_batch(texts)
    assert offsets[-1] == len(h) > 100 and counts.sum() > 100
    a, b = offsets[len(texts) - 1], offsets[len(texts)]
    assert np.array_equal(h[a:b], h[offsets[0] : offsets[1]])  # repeats are one piece


@needs_kernels
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(_ODD + "0123456789.ABCZ?!。"), max_size=60)
        | st.sampled_from(PARAGRAPHS + _NUMBERS),
        max_size=20,
    ),
    st.integers(1, 12),
    st.integers(1, 30),
)
def test_pieces_kernel_equals_numpy_on_random_text(texts, min_chars, chunk):
    with pytest.MonkeyPatch.context() as mp:
        _check_pieces(texts, mp, min_chars, chunk)


# -- minhash: fold --------------------------------------------------------------------------

_CASED = [
    "ΣΟΦΟΣ 기자 ΑΣ.",
    "İstanbul 특파원",
    "ＡＢＣ 뉴스",
    "ÀÉÎ 발표",
    "Україна 대사관",
    "KOSPI 2,745",
]


@needs_kernels
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(_ODD + "ΣΑσςİıＡａÀàЁё"), max_size=40)
        | st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
        | st.sampled_from(PARAGRAPHS + _CASED),
        max_size=150,
    )
)
def test_fold_kernel_equals_numpy_and_fold(texts):
    got = minhash.fold_batch(texts)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(minhash, "_K_FOLD", None)
        assert got == minhash.fold_batch(texts)
    assert got == [fold(t) for t in texts]


def _unmarked(lo: int, hi: int) -> list[str]:
    may = minhash._nfc_may_change()
    return [chr(c) for c in range(lo, hi) if not may[c] and not 0xD800 <= c <= 0xDFFF]


# where NFC composes: Latin, Greek, Cyrillic, Devanagari, Kana, conjoining jamo, Hangul
_COMPOSING = (
    _unmarked(0x41, 0x250)
    + _unmarked(0x370, 0x530)
    + _unmarked(0x900, 0x980)
    + _unmarked(0x1100, 0x1200)
    + _unmarked(0x3040, 0x3100)
    + _unmarked(0xAC00, 0xAC40)
    + _unmarked(0x1E00, 0x1F00)
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_COMPOSING), max_size=12))
def test_text_without_marked_characters_is_nfc(text):
    """`_nfc_may_change` marks every character NFC could change or compose: a text of
    unmarked ones is NFC already (`_fold_kernel` sends the others to `fold`)."""
    assert unicodedata.is_normalized("NFC", text)


def test_nfc_marks_cover_composition_and_combining():
    may = minhash._nfc_may_change()
    # Hangul vowels and final consonants combine with what precedes; initials and
    # syllables do not change; a combining accent, a singleton (Ohm sign) and a
    # composition exclusion change
    assert may[0x1161] and may[0x11A8] and not may[0x1100] and not may[0xAC00]
    assert may[0x0301] and may[0x2126] and may[0x0958]
    assert not may[ord("가")] and not may[ord("A")] and not may[ord("·")]
    # above the BMP nothing decomposes to a BMP character after its first (so the BMP's
    # own NFD finds every second character; texts above it take `fold` anyway)
    for cp in range(0x10000, 0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            assert all(int(x, 16) > 0xFFFF for x in d.split()[1:]), hex(cp)


@needs_kernels
def test_fold_kernel_normalises_decomposed_text():
    """Decomposed Hangul and Latin (NFD) fold as their composed form does."""
    texts = [unicodedata.normalize("NFD", t) for t in KOREAN[:3]] + ["Cafe\u0301 서울", "e\u0301"]
    got = minhash.fold_batch(texts)
    assert got == [fold(unicodedata.normalize("NFC", t)) for t in texts]
    assert got[-2:] == ["café서울", "é"]


@needs_kernels
def test_fold_kernel_on_articles_and_other_scripts():
    texts = KOREAN + _CASED
    got = minhash.fold_batch(texts)
    assert got == [fold(t) for t in texts]
    # letters other than A-Z take str.lower (Greek final sigma, full-width, Cyrillic)
    assert got[-6:] == [
        "σοφος기자ας",
        "i̇stanbul특파원",
        "ａｂｃ뉴스",
        "àéî발표",
        "україна대사관",
        "kospi2745",
    ]


def test_pieces_and_prints_equal_the_two_calls():
    texts = [strip_marks(t) for t in KOREAN] + _NUMBERS + ["", "짧다."]
    pieces, prints = sentences.pieces_and_prints(texts)
    _same_arrays(pieces, minhash.pieces_batch(texts))
    want = sentences.fingerprint_batch(texts)
    for field in dataclasses.fields(want):
        g, w = getattr(prints, field.name), getattr(want, field.name)
        assert g.dtype == w.dtype and np.array_equal(g, w), field.name
    assert len(pieces[0]) > 100 and len(prints.hashes) > 100
    for j in range(len(texts)):  # an article's sentence offsets count from its first
        a, b = prints.sent_at[j], prints.sent_at[j + 1]
        fp = prints.of(j)
        _same_arrays(
            (fp.gram_at, fp.num_at, fp.hashes, fp.grams),
            (
                prints.gram_at[a : b + 1] - prints.gram_at[a],
                prints.num_at[a : b + 1] - prints.num_at[a],
                prints.hashes[a:b],
                prints.grams[prints.gram_at[a] : prints.gram_at[b]],
            ),
        )
