"""Shingles, signatures and band keys: datasketch equality, Korean-aware shingling, speedups
that must not change a value (`fold` against `fold_key`)."""

from __future__ import annotations

import numpy as np
import pytest
import xxhash
from _shared import FIXTURES
from datasketch import MinHash, MinHashLSH
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe_ko import minhash as mh_module
from dedupe_ko.minhash import (
    MinHashConfig,
    MinHasher,
    containment,
    exact_key,
    fold,
    fold_batch,
    shingle_key,
    strip_marks,
)
from dedupe_ko.normalize import fold_key


def load_stories() -> dict[str, list[str]]:
    """tests/fixtures/dedup_stories.txt as {id: [title, paragraph, ...]}."""
    stories: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (FIXTURES / "dedup_stories.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = stories.setdefault(line[3:].strip(), [])
        elif line.strip() and not line.startswith("#") and current is not None:
            current.append(line.strip())
    return stories


STORIES = load_stories()
BODIES = {k: "\n".join(v[1:]) for k, v in STORIES.items()}


def datasketch_signature(hashes: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=int)
    m.update_batch(hashes.tolist())
    return m.hashvalues


# -- fold: the fast twin of normalize.fold_key ---------------------------------------------


def test_fixture_has_six_long_stories():
    assert len(STORIES) == 6
    assert all(7 <= len(p) - 1 <= 10 for p in STORIES.values())


def reference_fold(text: str) -> str:
    """What `fold` promises: `fold_key`, with the Hangul araea used as a dot dropped too."""
    return fold_key(text.replace("\u318d", ""))


@pytest.mark.parametrize("story", sorted(BODIES))
def test_fold_equals_fold_key_on_articles(story):
    body = BODIES[story]
    assert fold(body) == fold_key(body) == reference_fold(body)
    assert " " not in fold(body) and "," not in fold(body)


def test_fold_drops_the_araea_used_as_a_middle_dot():
    assert fold("정치ㆍ경제ㆍ사회") == fold("정치·경제·사회") == "정치경제사회"


_ODD = (
    "가나다한국어기사 abcXYZ ΣΑΣ σς İı .,!?\"'“”‘’„«»「」『』《》〈〉【】·ㆍ・‧･…—–-_~"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u00a0\u3000\u2028\u2029\t\n\r"
    "\x00\x07\x1b\x85＂＇％＆①②ⅠⅡ㈜℃㎏ｶﾞ\u1100\u1161\u11a8\u0301e\uff01"
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_ODD), max_size=60)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
    | st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=40)
)
def test_fold_equals_fold_key_on_random_text(text):
    assert fold(text) == reference_fold(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(_ODD), max_size=30)
        | st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
        | st.sampled_from(["", "abc", "한국어 기사입니다.", "\U0001f600 웃음", "정치ㆍ경제"]),
        max_size=150,
    )
)
def test_fold_batch_equals_fold_text_by_text(texts):
    assert fold_batch(texts) == [fold(t) for t in texts]


def test_exact_key_is_the_hash_of_fold_key():
    body = BODIES["bus"]
    assert exact_key(body) == xxhash.xxh3_128_digest(fold_key(body).encode("utf-8"))
    spaced = body.replace("시내버스 노선을", "시내버스노선을").replace("\n", "\n\n  ")
    assert exact_key(spaced) == exact_key(body)
    assert exact_key(body.replace("128개", "129개")) != exact_key(body)


# -- Korean-aware shingles ---------------------------------------------------------------


def test_same_sentence_with_and_without_spaces_shingles_the_same():
    h = MinHasher()
    spaced = "청주시가 다음 달 1일부터 시내버스 노선을 전면 개편한다고 14일 밝혔다."
    unspaced = "청주시가 다음달 1일부터 시내버스노선을 전면개편한다고 14일밝혔다."
    tight = spaced.replace(" ", "")
    a = h.shingle_hashes(spaced)
    assert np.array_equal(a, h.shingle_hashes(unspaced))
    assert np.array_equal(a, h.shingle_hashes(tight))
    assert len(a) == len(tight) - 1 - 4  # one shingle per 5 characters, the full stop dropped


def test_quote_and_middle_dot_variants_shingle_the_same():
    h = MinHasher()
    base = '김 부회장은 "앞으로도 회원들과 함께 하겠다"며 정치·경제·사회 분야를 언급했다.'
    variants = [
        base.replace('"앞', "\u201c앞").replace('다"', "다\u201d"),  # curly quotes
        base.replace('"앞', "「앞").replace('다"', "다」"),  # corner brackets
        base.replace('"앞', "＂앞").replace('다"', "다＂"),  # full width
        base.replace("·", "ㆍ"),  # Hangul araea used as a dot
        base.replace("·", "・"),  # katakana middle dot
        base.replace("·", "\u2027"),  # hyphenation point
    ]
    want = h.shingle_hashes(base)
    for v in variants:
        assert v != base
        assert np.array_equal(h.shingle_hashes(v), want), v


@pytest.mark.parametrize(
    "mark",
    [
        "[속보] ",
        "[단독] ",
        "<종합> ",
        "(2보) ",
        "【속보】",
        "(서울=연합뉴스) 김하늘 기자 = ",
        "【세종=뉴시스】홍길동 기자 = ",
        "[부산=뉴스1] ",
        "이도윤 기자 = ",
    ],
)
def test_tag_or_dateline_on_one_copy_shingles_the_same(mark):
    h = MinHasher()
    body = BODIES["market"]
    tagged = mark + body
    assert strip_marks(body) is body  # nothing to strip: the same object comes back
    assert np.array_equal(h.shingle_hashes(tagged), h.shingle_hashes(body))
    # on the lede of a later paragraph too (datelines sit at a paragraph start)
    paragraphs = body.split("\n")
    paragraphs[3] = mark + paragraphs[3]
    assert np.array_equal(h.shingle_hashes("\n".join(paragraphs)), h.shingle_hashes(body))


_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u202f\u3000\u180e\u200b"


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from("[<(【"),
    st.text(alphabet=st.sampled_from(_SPACES), max_size=3),
    st.sampled_from(["속보", "단독", "2보", "Q&A", "종합"]),
    st.text(alphabet=st.sampled_from(_SPACES + "가나 1"), max_size=9),
    st.sampled_from("]>)】"),
)
def test_fast_tag_test_finds_every_tag(open_, space, word, rest, close):
    """strip_marks tests with the standard library's engine first: it must find every tag
    the full pattern finds (whitespace classes differ between the two engines)."""
    text = f"본문 앞{open_}{space}{word}{rest}{close} 서울시는 20일 발표했다."
    if mh_module._TAGS.search(text):
        assert mh_module._TAGS_MAYBE.search(text)
        assert strip_marks(text) == mh_module._TAGS.sub("", text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["(서울=연합뉴스)", "[속보]", "<종합 2보>", "【단독】", "(", "[", "<", "【"]
        )
        | st.text(alphabet=st.sampled_from("가나 1보속 ]>)】(\t"), max_size=8),
        max_size=40,
    )
)
def test_tag_test_by_openers_equals_a_scan(parts):
    """`_may_have_tag` tries the pattern only where "[", "<", "(" or "【" stands (and scans
    once past 16 of them): the same answer as a scan of the whole text."""
    text = "서울시는 20일 " + "".join(parts) + " 발표했다."
    assert mh_module._may_have_tag(text) == (mh_module._TAGS_MAYBE.search(text) is not None)


def test_marks_in_running_text_are_kept():
    body = "재판부는 원고 (서울=연합뉴스 보도 인용) 주장을 받아들였다"
    assert strip_marks(body) == body
    assert shingle_key(body) == fold(body)


def test_different_stories_share_few_shingles():
    h = MinHasher()
    sets = {k: set(h.shingle_hashes(v).tolist()) for k, v in BODIES.items()}
    names = sorted(sets)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            inter = len(sets[a] & sets[b])
            assert inter / len(sets[a] | sets[b]) < 0.05, (a, b)


def test_short_and_empty_keys():
    h = MinHasher()
    assert h.shingle_hashes("").size == 0
    assert h.shingle_hashes("  ,.  ").size == 0
    assert h.shingle_hashes("서울").size == 1  # shorter than a shingle: one shingle
    assert h.shingle_hashes("서울시청").size == 1
    assert h.shingle_hashes("서울시청앞").size == 1
    assert h.shingle_hashes("서울시청앞광장").size == 3


# -- signatures: exactly datasketch's ------------------------------------------------------


@pytest.mark.parametrize("story", sorted(BODIES))
def test_signature_equals_datasketch_minhash(story):
    h = MinHasher()
    hashes = h.shingle_hashes(BODIES[story])
    sig = h.signature(BODIES[story])
    assert sig.dtype == np.uint32 and sig.shape == (128,)
    assert np.array_equal(sig, datasketch_signature(hashes))


@pytest.mark.parametrize("num_perm", [128, 40])
def test_batch_signatures_equal_datasketch_across_blocks(num_perm):
    """A batch bigger than one numpy block (and with empty texts in it) gives the same rows
    as datasketch one document at a time; permutations are taken a block at a time, the last
    block shorter when num_perm is not a multiple of it."""
    h = MinHasher(num_perm=num_perm)
    texts = [BODIES[k] for k in sorted(BODIES)] * 12 + ["", "…", "서울"]
    texts = [t[: 200 + 37 * i] for i, t in enumerate(texts)]
    hashes = [h.shingle_hashes(t) for t in texts]
    assert sum(map(len, hashes)) > mh_module._CHUNK  # several blocks
    assert num_perm % mh_module._PERM_BLOCK or num_perm > mh_module._PERM_BLOCK
    sigs, sizes = h.signatures(texts)
    assert sizes.tolist() == [len(x) for x in hashes]
    for row, hs in zip(sigs, hashes, strict=True):
        assert np.array_equal(row, datasketch_signature(hs, num_perm=num_perm))
    assert (sigs[sizes == 0] == 0xFFFFFFFF).all()  # datasketch's empty value


def test_batch_of_keys_hashes_as_key_by_key():
    """Keys are hashed a group at a time: across groups, with empty and one-shingle keys in
    some groups, the sets and signatures are those of each key alone."""
    h = MinHasher()
    paragraphs = [p for story in STORIES.values() for p in story[1:]]
    keys = [shingle_key(p) for p in paragraphs] * 3 + ["", "서울", "가"]
    keys = keys[:70] + ["", "서울시청"] + keys[70:]  # a short key in the second group only
    assert len(keys) > 2 * mh_module._GROUP
    sigs, sizes = h.signatures_of_keys(keys)
    one_by_one = [h.hashes_of_key(k) for k in keys]
    assert sizes.tolist() == [len(x) for x in one_by_one]
    ref_sigs, _ = h.signatures_of_hashes(one_by_one)
    assert np.array_equal(sigs, ref_sigs)
    for i in (0, 69, 71, len(keys) - 2):
        assert np.array_equal(sigs[i], datasketch_signature(one_by_one[i]))


def test_other_num_perm_and_seed_equal_datasketch():
    h = MinHasher(num_perm=64, seed=7, shingle_size=4)
    body = BODIES["noise"]
    assert np.array_equal(
        h.signature(body), datasketch_signature(h.shingle_hashes(body), num_perm=64, seed=7)
    )


def test_jaccard_estimate_equals_datasketch_and_tracks_the_true_value():
    h = MinHasher()
    a = BODIES["dorm"]
    b = "\n".join(STORIES["dorm"][1:6])  # the first five paragraphs only
    sa, sb = h.signature(a), h.signature(b)
    ma = MinHash(num_perm=128, seed=1, scheme="affine32", hashvalues=sa)
    mb = MinHash(num_perm=128, seed=1, scheme="affine32", hashvalues=sb)
    assert h.jaccard(sa, sb) == pytest.approx(ma.jaccard(mb))
    A, B = set(h.shingle_hashes(a).tolist()), set(h.shingle_hashes(b).tolist())
    true = len(A & B) / len(A | B)
    assert abs(h.jaccard(sa, sb) - true) < 0.15  # about 3 standard errors at 128 permutations
    assert containment(true, len(B), len(A)) == pytest.approx(1.0)


def test_lean_minhash_works_in_datasketch_lsh():
    h = MinHasher()
    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    for k, body in BODIES.items():
        lsh.insert(k, h.lean_minhash(h.signature(body)))
    copy = BODIES["beach"].replace("8톤", "8.2톤") + "\n(끝)"
    assert lsh.query(h.lean_minhash(h.signature(copy))) == ["beach"]


# -- LSH parameters and band keys ----------------------------------------------------------


def test_bands_rows_come_from_datasketch_optimiser():
    cfg = MinHashConfig()
    assert cfg.bands_rows == tuple(_optimal_param(0.3, 128, 0.5, 0.5))
    b, r = cfg.bands_rows
    assert b * r <= cfg.num_perm
    # a pair at the lowest similarity a duplicate may have (0.5) is nearly always a candidate
    assert 1 - (1 - 0.5**r) ** b > 0.99
    h = MinHasher(cfg)
    assert (h.bands, h.rows) == (b, r)
    assert MinHashConfig(threshold=0.8).bands_rows != (b, r)


def test_band_keys_match_exactly_when_a_band_matches():
    h = MinHasher()
    sig = h.signature(BODIES["startup"])
    other = sig.copy()
    other[h.rows * 2] ^= 1  # change one value in band 2
    keys = h.band_keys(np.stack([sig, other]))
    assert keys.shape == (2, h.bands) and keys.dtype == np.uint64
    same = keys[0] == keys[1]
    assert not same[2] and same.sum() == h.bands - 1
    assert len(set(keys[0].tolist())) == h.bands  # the band index is mixed into each key


def test_config_checks_say_what_is_wrong():
    with pytest.raises(ValueError, match="num_perm"):
        MinHashConfig(num_perm=4)
    with pytest.raises(ValueError, match="shingle_size"):
        MinHashConfig(shingle_size=0)
    with pytest.raises(ValueError, match="threshold"):
        MinHashConfig(threshold=1.0)


def test_fingerprint_names_what_signatures_depend_on():
    fp = MinHashConfig().fingerprint()
    assert fp["scheme"] == "affine32"
    assert (fp["bands"], fp["rows"]) == MinHashConfig().bands_rows
    assert fp != MinHashConfig(shingle_size=4).fingerprint()
