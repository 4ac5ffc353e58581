"""Shingles and MinHash signatures for Korean article bodies, built a batch at a time.

Shingles are character n-grams of the folded body (`shingle_key`): spaces, punctuation,
quote and middle-dot variants, tags such as "[속보]" and wire datelines such as
"(서울=연합뉴스) 김하늘 기자 =" are gone, so 띄어쓰기 differences between outlets, or a tag on
one copy, do not change them. Signatures use datasketch's "affine32" permutation scheme
(the datasketch 2.0 default) with its own permutation parameters; a `MinHasher` applies them
to a whole batch with numpy, and gives exactly the hash values
``datasketch.MinHash(scheme="affine32", hashfunc=<our shingle hash>)`` would.

With numba installed (`dedupe_ko._jit`), the batch paths (`fold_batch`, `signatures_of_keys`,
`cut_sentences`, `pieces_batch`) run as compiled kernels, one loop per batch; each keeps its
numpy path (without numba, or `DEDUPE_KO_JIT=0`), which gives the same arrays; the tests
compare the two.
"""

from __future__ import annotations

import importlib.metadata
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import TYPE_CHECKING

import numpy as np
import regex
import xxhash

from ._jit import kernel, loaded
from ._sketch import affine32_permutations, optimal_bands_rows  # datasketch's, without scipy
from .lexicon import DATELINE_PARAGRAPH
from .normalize import NORMALIZER_VERSION, fold_key

if TYPE_CHECKING:
    from datasketch import LeanMinHash

__all__ = [
    "MinHashConfig",
    "MinHasher",
    "SCHEME",
    "Sentences",
    "containment",
    "cut_sentences",
    "exact_key",
    "fold",
    "fold_batch",
    "folded_key",
    "piece_hashes",
    "pieces_batch",
    "pieces_of_cut",
    "shingle_key",
    "strip_marks",
]

SCHEME = "affine32"


def _distinct(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` of a 1-d array (sorted distinct values, same dtype), by one sort:
    several times faster on the small arrays verification and stores handle (numpy 2.3+
    hashes in `np.unique`)."""
    if len(a) < 32:  # a Python set is quicker there (a few candidates)
        return np.array(sorted(set(a.tolist())), dtype=a.dtype)
    s = np.sort(a)
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def _distinct_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, return_counts=True)`` of a 1-d array, by one sort (see `_distinct`)."""
    s = np.sort(a)
    first = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1]))) if len(s) else s[:0]
    return s[first], np.diff(np.append(first, len(s))).astype(np.intp)


SHINGLE_VERSION = 2
_EMPTY = np.uint32(0xFFFFFFFF)
# Tags that some outlets put before the lede or headline: "[속보]", "[단독]", "<종합>", "(2보)".
_TAGS = regex.compile(
    r"[\[<(【]\s*(?:속보|단독|종합|긴급|1보|2보|3보|\d+보|포토|영상|인터뷰|사설|칼럼|기고|"
    r"르포|해설|분석|기획|이슈|초점|팩트체크|Q&A|업데이트)[^\]>)】]{0,8}[\]>)】]"
)
# The same shape for the standard library's faster engine, a first test only: its "\s" takes
# every character `regex`'s does (and U+001C-U+001F), so it finds every text `_TAGS` would.
_TAGS_MAYBE = re.compile(_TAGS.pattern)
_TAG_OPENERS = "[<(【"  # a tag's first character (`_TAGS` starts with this class)
# A wire dateline at the start of a paragraph (the lexicon's shape, read there).
_DATELINES = regex.compile(DATELINE_PARAGRAPH, regex.M)
_GROUP = 64  # keys whose shingles are hashed together (a few 100 kB of scratch: in cache)
_CHUNK = 32768  # shingles per numpy block, taken `_PERM_BLOCK` permutations at a time
_PERM_BLOCK = 16  # (a 16 x 32768 x 4 bytes = 2 MiB scratch buffer: about 12% faster than
# all 128 permutations of 8192 shingles at once)
_MULT = np.uint64(0x100000001B3)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


# Hangul letter araea, which Korean text uses as a middle dot ("정치ㆍ경제"): dropped like "·".
_DOT_LETTERS = "\u318d"


@cache
def _kept_bmp() -> np.ndarray:
    """Boolean table over the Basic Multilingual Plane: True where `fold_key` keeps the
    character (and it is not in `_DOT_LETTERS`).

    Built once per process (about 0.05 s) by folding every BMP character with `fold_key`
    itself, each between two "0" separators (digits never compose under NFC), so `fold`
    follows `fold_key` whatever its rules are; a test compares them on random text.
    """
    cps = np.concatenate([np.arange(0x30), np.arange(0x31, 0xD800), np.arange(0xE000, 0x10000)])
    seq = np.full(2 * len(cps) + 1, 0x30, dtype=np.uint32)
    seq[1::2] = cps
    folded = fold_key(seq.tobytes().decode("utf-32-le"))
    out = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    seps = np.flatnonzero(out == 0x30)
    if len(seps) != len(cps) + 1:  # a fold that merges characters: no table, never a wrong one
        raise RuntimeError("fold_key does not fold character by character; fold() needs it")
    keep = np.zeros(0x10000, dtype=bool)
    keep[cps] = np.diff(seps) > 1
    keep[0x30] = True
    keep[[ord(c) for c in _DOT_LETTERS]] = False
    return keep


def fold(text: str) -> str:
    """`normalize.fold_key(text)`, with `_DOT_LETTERS` dropped too, computed with a
    code-point table (about 15x faster): NFC, no spaces, punctuation, symbols or invisible
    characters, lower case."""
    if text.isascii():
        return fold_key(text) if not text.isalnum() else text.lower()
    if "\u318d" in text:  # dropped before NFC, as the reference does (가ㆍᆨ folds to 각)
        text = text.translate(_DOT_MAP)
        if not text:
            return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if cps.max() > 0xFFFF:  # rare (emoji, CJK extensions): the reference path
        return _SURROGATES.sub("", fold_key(text.translate(_DOT_MAP)))
    kept = cps[_kept_bmp()[cps]]
    return kept.tobytes().decode("utf-32-le", "surrogatepass").lower()


def fold_batch(texts: Sequence[str]) -> list[str]:
    """``[fold(t) for t in texts]`` (the same strings), a few texts per numpy pass."""
    out: list[str] = []
    for g in range(0, len(texts), _GROUP):
        out += _fold_group(texts[g : g + _GROUP])
    return out


def _fold_group(texts: Sequence[str]) -> list[str]:
    out = [""] * len(texts)
    where: list[int] = []
    todo: list[str] = []
    for i, t in enumerate(texts):
        if t.isascii() or "\u318d" in t:  # fold's own early paths
            out[i] = fold(t)
            continue
        where.append(i)
    if not where:
        return out
    if _K_FOLD is not None and loaded():
        # the kernel finds the texts NFC might change (`_fold_table`): no is_normalized
        # scan of each text here
        todo = [texts[i] for i in where]
        cps = np.frombuffer("".join(todo).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        bounds = np.zeros(len(todo) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, todo), dtype=np.int64, count=len(todo)), out=bounds[1:])
        kept_cps, at, flags = _K_FOLD(cps, bounds, _fold_table())
        text = kept_cps.tobytes().decode("utf-32-le", "surrogatepass")
        cuts, marks = at.tolist(), flags.tolist()
        for j, i in enumerate(where):
            if marks[j] == 2:  # above the BMP, or NFC may change it: fold's own path
                out[i] = fold(texts[i])
            else:  # A-Z lowered by the kernel; other letters with a lower case: str.lower
                piece = text[cuts[j] : cuts[j + 1]]
                out[i] = piece.lower() if marks[j] else piece
        return out
    todo = [
        t if unicodedata.is_normalized("NFC", t) else unicodedata.normalize("NFC", t)
        for t in (texts[i] for i in where)
    ]
    cps = np.frombuffer("".join(todo).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bounds = np.zeros(len(todo) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, todo), dtype=np.int64, count=len(todo)), out=bounds[1:])
    big = cps > 0xFFFF  # rare (emoji, CJK extensions): those texts take fold's own path
    rare = [False] * len(todo)
    if big.any():
        keep = _kept_bmp()[np.minimum(cps, np.uint32(0xFFFF))] & ~big
        big_at = np.concatenate(([0], np.cumsum(big)))[bounds]
        rare = (big_at[1:] > big_at[:-1]).tolist()
    else:
        keep = _kept_bmp()[cps]
    kept_at = np.zeros(len(cps) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_at[1:])
    cut = kept_at[bounds].tolist()
    kept = cps[keep].tobytes().decode("utf-32-le", "surrogatepass")
    for j, i in enumerate(where):
        out[i] = fold(texts[i]) if rare[j] else kept[cut[j] : cut[j + 1]].lower()
    return out


@cache
def _fold_table() -> np.ndarray:
    """Flags over the BMP for `_fold_kernel` (uint8): 1 where `fold` keeps the character
    (`_kept_bmp`); 2 where it is kept and ``str.lower`` changes it, but A-Z; 4 where NFC
    may change a text holding it (`_nfc_may_change`)."""
    lower = np.array([chr(c).lower() != chr(c) for c in range(0x10000)], dtype=bool)
    lower[0x41:0x5B] = False
    kept = _kept_bmp()
    return (
        kept.astype(np.uint8) | ((kept & lower).astype(np.uint8) << 1) | (_nfc_may_change() << 2)
    ).astype(np.uint8)


def _nfc_may_change() -> np.ndarray:
    """uint8 over the BMP: 1 where NFC may change a text holding the character. A text
    without any such character is NFC already (every character is NFC_Quick_Check=Yes and
    of combining class 0). Marked: the characters NFC changes on their own (NFC_QC=No), those
    that may combine with the one before (NFC_QC=Maybe: they follow another in some
    character's canonical decomposition, Hangul vowels and final consonants among them)
    and those of a combining class above 0. Read from one NFC and one NFD of the BMP's
    characters, each between two "0"s (digits never compose; no character above the BMP
    decomposes to one of the BMP after its first: a test checks)."""
    cps = np.concatenate([np.arange(0x30), np.arange(0x31, 0xD800), np.arange(0xE000, 0x10000)])
    seq = np.full(2 * len(cps) + 1, 0x30, dtype=np.uint32)
    seq[1::2] = cps
    text = seq.tobytes().decode("utf-32-le")
    out = np.zeros(0x10000, dtype=np.uint8)
    for form in ("NFC", "NFD"):
        got = np.frombuffer(unicodedata.normalize(form, text).encode("utf-32-le"), np.uint32)
        sep = np.flatnonzero(got == 0x30)
        after = np.zeros(len(got), dtype=bool)  # right after a "0": a segment's first
        after[sep[:-1] + 1] = True
        if form == "NFC":  # changed on its own: its segment is not the character alone
            same = (np.diff(sep) == 2) & (got[np.minimum(sep[:-1] + 1, len(got) - 1)] == cps)
            out[cps[~same]] = 1
        else:  # a character after another in a decomposition
            inner = ~after & (got != 0x30)
            out[got[inner]] = 1
    combining = [c for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))]
    out[combining] = 1
    return out


def _fold_kernel(
    cps: np.ndarray, bounds: np.ndarray, table: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kept characters of each text, A-Z lowered, for `_fold_group` (kernel; ``table``
    is `_fold_table`): ``(kept, offsets, marks)``; ``marks[i]`` is 2 when text i has a
    character above the BMP or one NFC may change, 1 when it keeps one that ``str.lower``
    changes, else 0."""
    n = len(bounds) - 1
    out = np.empty(len(cps), dtype=np.uint32)
    at = np.zeros(n + 1, dtype=np.int64)
    marks = np.zeros(n, dtype=np.int8)
    nk = 0
    for i in range(n):
        seen = 0
        big = False
        for t in range(bounds[i], bounds[i + 1]):
            c = np.int64(cps[t])
            if c > 0xFFFF:
                big = True
                continue
            f = table[c]
            seen |= f
            if 0x41 <= c <= 0x5A:
                c += 0x20
            out[nk] = c  # written always, kept by the count (no branch on keep)
            nk += f & 1
        marks[i] = 2 if big or seen & 4 else (1 if seen & 2 else 0)
        at[i + 1] = nk
    return out[:nk], at, marks


_K_FOLD = kernel(_fold_kernel)


_DOT_MAP = {ord(c): None for c in _DOT_LETTERS}
_SURROGATES = regex.compile("[\ud800-\udfff]+")  # lone ones cannot be encoded: dropped


def _may_have_tag(text: str) -> bool:
    """``_TAGS_MAYBE.search(text)`` as a bool: a tag starts with one of `_TAG_OPENERS`, so
    the pattern is tried only where one stands (`str.find` skips the rest of the text much
    faster than a regex scan); with many openers, one scan."""
    tries = 0
    for ch in _TAG_OPENERS:
        i = text.find(ch)
        while i >= 0:
            if _TAGS_MAYBE.match(text, i):
                return True
            tries += 1
            if tries > 16:
                return _TAGS_MAYBE.search(text) is not None
            i = text.find(ch, i + 1)
    return False


def strip_marks(text: str) -> str:
    """The text without "[속보]"-style tags and wire datelines (the same object when it has
    none), so a copy that carries them shingles like one that does not."""
    out = _TAGS.sub("", text) if _may_have_tag(text) else text
    if "=" in out and _DATELINES.search(out):  # every dateline has an "=": a cheap test first
        out = _DATELINES.sub("", out)
    return out


def shingle_key(text: str) -> str:
    """The text that shingles are cut from: tags and datelines dropped, then folded."""
    return fold(strip_marks(text))


def exact_key(text: str) -> bytes:
    """A 128-bit hash of the folded body: equal for bodies that differ only in spacing,
    punctuation or quote style (the exact-duplicate fast path)."""
    return folded_key(fold(text))


def folded_key(folded: str) -> bytes:
    """`exact_key` of a body already folded with `fold`."""
    return xxhash.xxh3_128_digest(folded.encode("utf-8"))


def _window_hashes(cps: np.ndarray, k: int) -> np.ndarray:
    """The mixed 64-bit hash of every window of ``k`` code points in ``cps`` (uint64; the
    low 32 bits are a shingle's hash)."""
    wide = cps.astype(np.uint64)
    n = len(wide) - k + 1
    h = wide[:n] if k == 1 else wide[:n] * _MULT
    for j in range(1, k):  # polynomial over the k code points of each window (Horner)
        h += wide[j : j + n]
        if j < k - 1:
            h *= _MULT
    h ^= h >> np.uint64(29)  # one mixing round before keeping the low 32 bits
    h *= _MIX
    h ^= h >> np.uint64(32)
    return h


@dataclass(frozen=True)
class MinHashConfig:
    """What makes two signatures comparable.

    - ``num_perm``: permutations per signature. Default 128.
    - ``shingle_size``: characters per shingle, counted after spaces and punctuation are
      removed (Hangul syllables carry more than Latin letters, so 4-5 is enough). Default 5.
    - ``seed``: datasketch permutation seed. Default 1.
    - ``threshold``: Jaccard similarity the LSH bands are tuned for, with datasketch's
      optimiser. It sits below the lowest similarity a duplicate may have
      (`DedupConfig.min_jaccard`, 0.5), so such a pair is still a candidate with probability
      0.99: the default 0.3 gives 37 bands of 3 rows, P(candidate) = 0.99 at Jaccard 0.5,
      0.64 at 0.3, 0.03 at 0.1. Candidates are verified, so a low threshold costs only time.
    - ``false_positive_weight`` / ``false_negative_weight``: datasketch's optimiser weights.
    """

    num_perm: int = 128
    shingle_size: int = 5
    seed: int = 1
    threshold: float = 0.3
    false_positive_weight: float = 0.5
    false_negative_weight: float = 0.5

    def __post_init__(self) -> None:
        if self.num_perm < 8:
            raise ValueError(f"num_perm must be at least 8, got {self.num_perm}")
        if not 1 <= self.shingle_size <= 32:
            raise ValueError(f"shingle_size must be in 1..32, got {self.shingle_size}")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold}")

    @cached_property
    def bands_rows(self) -> tuple[int, int]:
        """(bands, rows) chosen by datasketch's optimiser for ``threshold`` and ``num_perm``."""
        return _bands_rows(
            self.threshold, self.num_perm, self.false_positive_weight, self.false_negative_weight
        )

    def fingerprint(self) -> dict[str, object]:
        """Everything a stored signature depends on; an index refuses to mix fingerprints."""
        b, r = self.bands_rows
        perms = affine32_permutations(4, self.seed)
        return {
            "scheme": SCHEME,
            "datasketch_major": importlib.metadata.version("datasketch").split(".")[0],
            "permutation_check": [int(x) for x in perms.ravel()],
            "seed": self.seed,
            "num_perm": self.num_perm,
            "bands": b,
            "rows": r,
            "shingle_size": self.shingle_size,
            "shingle_version": SHINGLE_VERSION,
            "normalizer_version": NORMALIZER_VERSION,
        }


class MinHasher:
    """Turns texts into MinHash signatures and LSH band keys, many at a time.

    ``bands`` and ``rows`` are the LSH parameters datasketch's optimiser chose
    (`MinHashConfig.bands_rows`).
    """

    def __init__(self, config: MinHashConfig | None = None, **overrides: object) -> None:
        if overrides:
            config = replace(config or MinHashConfig(), **overrides)  # type: ignore[arg-type]
        self.config = config or MinHashConfig()
        a, b = affine32_permutations(self.config.num_perm, self.config.seed)
        self._a = a.astype(np.uint32)[:, None]
        self._b = b.astype(np.uint32)[:, None]
        self.bands, self.rows = self.config.bands_rows

    # -- shingles ------------------------------------------------------------------------
    def shingle_hashes(self, text: str) -> np.ndarray:
        """Distinct 32-bit hashes of the text's character n-grams (uint32, sorted)."""
        return self.hashes_of_key(shingle_key(text))

    def hashes_of_key(self, key: str) -> np.ndarray:
        """Distinct 32-bit hashes of the n-grams of an already folded key (uint32, sorted).

        A key shorter than ``shingle_size`` is one shingle; an empty key has none.
        """
        if not key:
            return np.empty(0, dtype=np.uint32)
        cps = np.frombuffer(key.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        k = min(self.config.shingle_size, len(cps))
        n = len(cps) - k + 1
        out = _window_hashes(cps, k).astype(np.uint32)
        out.sort()
        if n > 1:
            out = out[np.concatenate(([True], out[1:] != out[:-1]))]
        return out

    # -- signatures ----------------------------------------------------------------------
    def signatures(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures (n x num_perm, uint32) and shingle counts (n,) for a batch of texts."""
        return self.signatures_of_keys([shingle_key(t) for t in texts])

    def signatures_of_keys(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """`signatures` for texts already turned into keys (`shingle_key`)."""
        if _K_KEY_SIGNATURES is None or not keys or not loaded():
            return self._signatures_of_keys_numpy(keys)
        n = len(keys)
        cps = np.frombuffer("".join(keys).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, keys), dtype=np.int64, count=n), out=bounds[1:])
        sigs = np.full((n, self.config.num_perm), _EMPTY, dtype=np.uint32)
        sizes = np.zeros(n, dtype=np.int64)
        a, b = self._a.ravel(), self._b.ravel()
        _K_KEY_SIGNATURES(cps, bounds, self.config.shingle_size, a, b, sigs, sizes)
        return sigs, sizes

    def _signatures_of_keys_numpy(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """`signatures_of_keys` in numpy (without kernels; tests compare the two)."""
        n = len(keys)
        sizes = np.zeros(n, dtype=np.int64)
        parts = []
        for g in range(0, n, _GROUP):
            flat, sizes[g : g + _GROUP] = self._shingles_group(keys[g : g + _GROUP])
            parts.append(flat)
        flat = np.concatenate(parts) if parts else np.empty(0, np.uint32)
        return self._signatures_flat(flat, sizes)

    def _shingles_group(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """`hashes_of_key` of a few keys, concatenated, and their counts: the windows of
        all of them hashed in one numpy pass (small enough to stay in cache)."""
        k = self.config.shingle_size
        n = len(keys)
        lens = np.fromiter(map(len, keys), dtype=np.int64, count=n)
        if ((lens > 0) & (lens < k)).any() or not lens.any():  # rare: key by key
            hashes = [self.hashes_of_key(key) for key in keys]
            sizes = np.fromiter(map(len, hashes), dtype=np.int64, count=n)
            return (np.concatenate(hashes) if n else np.empty(0, np.uint32)), sizes
        cps = np.frombuffer("".join(keys).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        h = _window_hashes(cps, k)
        # the windows that lie inside one key, key by key
        cnt = np.where(lens >= k, lens - k + 1, 0)
        starts = np.cumsum(lens) - lens
        pos = np.repeat(starts - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))
        vals = h[pos].astype(np.uint32)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(cnt, out=bounds[1:])
        b = bounds.tolist()
        for i in range(n):
            vals[b[i] : b[i + 1]].sort()
        distinct = np.ones(len(vals), dtype=bool)
        np.not_equal(vals[1:], vals[:-1], out=distinct[1:])
        distinct[bounds[:-1][cnt > 0]] = True  # each key's first value
        at = np.zeros(len(vals) + 1, dtype=np.int64)
        np.cumsum(distinct, out=at[1:])
        return vals[distinct], at[bounds[1:]] - at[bounds[:-1]]

    def signatures_of_hashes(self, hashes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures and set sizes for shingle-hash sets (`shingle_hashes` output).

        Row i equals ``MinHash(num_perm, seed=seed, scheme="affine32", hashfunc=int)`` after
        ``update_batch(hashes[i])``: datasketch's fmix32 pre-mix, then ``a * h + b`` mod 2^32
        and the minimum, done for about `_CHUNK` shingles at a time in one numpy pass.
        """
        sizes = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=len(hashes))
        flat = np.concatenate(hashes) if len(hashes) else np.empty(0, np.uint32)
        return self._signatures_flat(flat, sizes)

    def _signatures_flat(
        self, flat: np.ndarray, sizes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """`signatures_of_hashes` of sets given concatenated: set i is the ``sizes[i]``
        values after the previous sets'."""
        n = len(sizes)
        sigs = np.full((n, self.config.num_perm), _EMPTY, dtype=np.uint32)
        if n == 0 or sizes.sum() == 0:
            return sigs, sizes
        hv_all = _fmix32(flat)
        ends = np.cumsum(sizes).tolist()
        size_list = sizes.tolist()
        p = self.config.num_perm
        buf = np.empty(min(p, _PERM_BLOCK) * max(_CHUNK, max(size_list)), dtype=np.uint32)
        start = 0
        while start < n:
            stop, total = start, 0
            while stop < n and (total == 0 or total + size_list[stop] <= _CHUNK):
                total += size_list[stop]
                stop += 1
            nonempty = np.flatnonzero(sizes[start:stop]) + start
            if len(nonempty):
                hv = hv_all[ends[start] - size_list[start] : ends[stop - 1]]
                offsets = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
                for lo in range(0, p, _PERM_BLOCK):  # a block of permutations at a time
                    a, b = self._a[lo : lo + _PERM_BLOCK], self._b[lo : lo + _PERM_BLOCK]
                    phv = buf[: len(a) * len(hv)].reshape(len(a), -1)
                    np.multiply(hv[None, :], a, out=phv)  # wraps mod 2^32, as datasketch
                    phv += b
                    sigs[nonempty, lo : lo + len(a)] = np.minimum.reduceat(phv, offsets, axis=1).T
            start = stop
        return sigs, sizes

    def signature(self, text: str) -> np.ndarray:
        """One text's signature (num_perm,), uint32."""
        return self.signatures([text])[0][0]

    def lean_minhash(self, signature: np.ndarray) -> LeanMinHash:
        """The signature as a datasketch LeanMinHash (for datasketch's own LSH and tools)."""
        from datasketch import LeanMinHash, MinHash  # imports scipy: only when asked for

        m = MinHash(
            num_perm=self.config.num_perm,
            seed=self.config.seed,
            hashvalues=signature,
            scheme=SCHEME,
            permutations=(self._a.ravel(), self._b.ravel()),
        )
        return LeanMinHash(m)

    # -- LSH band keys ---------------------------------------------------------------------
    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """(n x bands) uint64 keys: one per band of ``rows`` hash values, band index mixed in."""
        sigs = np.atleast_2d(sigs)
        n = sigs.shape[0]
        used = sigs[:, : self.bands * self.rows].reshape(n, self.bands, self.rows).astype(np.uint64)
        h = np.broadcast_to(
            np.arange(1, self.bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15),
            (n, self.bands),
        ).copy()
        for j in range(self.rows):
            h = (h ^ used[:, :, j]) * _MULT
            h ^= h >> np.uint64(31)
        return h

    @staticmethod
    def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
        """Estimated Jaccard similarity: the share of equal hash values (rows of b vs a)."""
        eq = np.asarray(sig_b) == np.asarray(sig_a)
        return eq.mean(axis=-1)


@cache
def _bands_rows(
    threshold: float, num_perm: int, fp_weight: float, fn_weight: float
) -> tuple[int, int]:
    """datasketch's optimiser (`_sketch.optimal_bands_rows`), once per setting."""
    b, r = optimal_bands_rows(threshold, num_perm, fp_weight, fn_weight)
    return int(b), int(r)


_M32 = np.uint64(0xFFFFFFFF)
_FM1 = np.uint64(0x85EBCA6B)
_FM2 = np.uint64(0xC2B2AE35)
_U16, _U13, _U29, _U32 = np.uint64(16), np.uint64(13), np.uint64(29), np.uint64(32)


def _key_signatures_kernel(
    cps: np.ndarray,
    bounds: np.ndarray,
    k: int,
    a: np.ndarray,
    b: np.ndarray,
    sigs: np.ndarray,
    sizes: np.ndarray,
) -> None:
    """`MinHasher._signatures_of_keys_numpy` as one loop (kernel): key i is
    ``cps[bounds[i]:bounds[i + 1]]``; its window hashes (`_window_hashes` of ``min(k, len)``
    code points, rolled: the same polynomial mod 2**64) go into a small open-addressing set
    (entries tagged with the key number, so it is never cleared), ``sizes[i]`` counts the
    distinct ones, and ``sigs[i, q]`` is the least ``a[q] * h + b[q]`` (mod 2**32) of the
    distinct ones, `_fmix32`-mixed (a key without code points keeps its `_EMPTY` row)."""
    n = len(bounds) - 1
    p = len(a)
    longest = 1
    for i in range(n):
        longest = max(longest, bounds[i + 1] - bounds[i])
    cap = 16
    while cap < 2 * longest:
        cap *= 2
    table = np.zeros(cap, dtype=np.uint64)  # (key number + 1) << 32 | hash
    hvs = np.empty(cap, dtype=np.uint32)  # the key's distinct hashes, fmix32-mixed
    for i in range(n):
        lo = bounds[i]
        length = bounds[i + 1] - lo
        if length == 0:
            continue
        kk = min(k, length)
        m = length - kk + 1
        size = 16
        while size < 2 * m:
            size *= 2
        mask = size - 1
        tag = np.uint64(i + 1) << _U32
        top = np.uint64(1)  # _MULT ** (kk - 1)
        for _j in range(kk - 1):
            top = top * _MULT
        h = np.uint64(0)
        for j in range(kk - 1):
            h = h * _MULT + np.uint64(cps[lo + j])
        count = 0
        for w in range(m):
            h = h * _MULT + np.uint64(cps[lo + w + kk - 1])
            x = h ^ (h >> _U29)
            x = x * _MIX
            x = x ^ (x >> _U32)
            v32 = x & _M32
            h = h - np.uint64(cps[lo + w]) * top
            entry = tag | v32
            slot = (v32 ^ (v32 >> _U16)) & np.uint64(mask)
            new = True
            while True:
                e = table[slot]
                if e == entry:
                    new = False
                    break
                if (e & ~_M32) != tag:
                    break
                slot = (slot + np.uint64(1)) & np.uint64(mask)
            if not new:
                continue
            table[slot] = entry
            count += 1
            hv = v32
            hv = hv ^ (hv >> _U16)
            hv = (hv * _FM1) & _M32
            hv = hv ^ (hv >> _U13)
            hv = (hv * _FM2) & _M32
            hv = hv ^ (hv >> _U16)
            hvs[count - 1] = np.uint32(hv)
        # permutation by permutation, the minimum over the key's hashes: a reduction over
        # a contiguous uint32 array, which LLVM vectorises (about twice as fast as hash by
        # hash over the permutations)
        for q in range(p):
            aq = a[q]
            bq = b[q]
            mn = np.uint32(0xFFFFFFFF)
            for j in range(count):
                mn = min(mn, np.uint32(np.uint32(aq * hvs[j]) + bq))
            sigs[i, q] = mn
        sizes[i] = count


_K_KEY_SIGNATURES = kernel(_key_signatures_kernel)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before the permutations."""
    hv = hv.astype(np.uint32, copy=True)
    hv ^= hv >> np.uint32(16)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    return hv


# Sentence pieces: a body is cut at sentence ends ("." not followed by a digit, "?", "!", "。")
# and line breaks; each piece is folded like a shingle key and hashed as a whole.
_PIECE_ENDS = np.array([ord(c) for c in ".?!。\n"], dtype=np.uint32)
_DIGITS = (0x30, 0x39)
_DOC_SEP = "\x00"
MIN_PIECE_CHARS = 10  # folded characters; shorter sentences ("3", "앞서") carry no identity
PIECE_CHUNK = 24  # folded characters per piece of a sentence
_PIECE_MUL = np.uint64(0x9E3779B97F4A7C15)
_PIECE_POS = np.uint64(0xC2B2AE3D27D4EB4F)


_POW_K = np.uint64(0x9E3779B97F4A7C15)  # odd: invertible modulo 2**64
_POW_K_INV = np.uint64(pow(0x9E3779B97F4A7C15, -1, 2**64))
_pow_cache: list[np.ndarray] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """K**i and K**-i modulo 2**64 for i < n (at least), computed once and grown by doubling."""
    if not _pow_cache or len(_pow_cache[0]) < n:
        size = max(n, 2 * len(_pow_cache[0]) if _pow_cache else 1 << 16)
        with np.errstate(over="ignore"):
            pw = np.cumprod(np.full(size, _POW_K, dtype=np.uint64)) * _POW_K_INV
            inv = np.cumprod(np.full(size, _POW_K_INV, dtype=np.uint64)) * _POW_K
        _pow_cache[:] = [pw, inv]
    return _pow_cache[0], _pow_cache[1]


@cache
def _piece_classes() -> np.ndarray:
    """uint8 class of each BMP code point for `pieces_batch` (index 0x10000 stands for every
    code point above): 0 dropped by `fold`, 1 kept, 2 a sentence end, 3 the text separator."""
    cls = _kept_bmp().astype(np.uint8)
    cls = np.append(cls, np.uint8(1))
    cls[_PIECE_ENDS] = 2
    cls[0] = 3
    return cls


@dataclass(frozen=True)
class Sentences:
    """A batch of texts cut into sentences, as `pieces_batch` and `dedupe_ko.sentences` both
    read them (`cut_sentences`): ``cps`` the joined texts' code points (A-Z lower-cased,
    texts separated by 0), ``pos`` the positions in ``cps`` of the characters `fold` keeps,
    ``kc`` those characters, ``seps`` the separators' positions; sentence i is
    ``kc[start[i] : start[i] + length[i]]`` (those of at least ``min_chars``) and belongs to
    text ``doc[i]``."""

    cps: np.ndarray
    pos: np.ndarray
    kc: np.ndarray
    seps: np.ndarray
    start: np.ndarray
    length: np.ndarray
    doc: np.ndarray


def cut_sentences(texts: Sequence[str], min_chars: int = MIN_PIECE_CHARS) -> Sentences | None:
    """The one sentence cut of the dedup side: at ".", "?", "!", "。" (a "." before a digit
    does not end one: "3.5%") and at line breaks; sentences under ``min_chars`` folded
    characters are dropped. None when no text has a sentence."""
    n = len(texts)
    if n == 0:
        return None
    # a text's own NULs go first (they separate the texts), then NFC: "A\x00\u0301" is "Á"
    if any(_DOC_SEP in t for t in texts):
        texts = [t.replace(_DOC_SEP, "") for t in texts]
    texts = [
        t if unicodedata.is_normalized("NFC", t) else unicodedata.normalize("NFC", t) for t in texts
    ]
    joined = _DOC_SEP.join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    if _K_CUT is not None and loaded():
        pos, kc, seps, start, length, doc = _K_CUT(cps, _piece_classes(), min_chars)
        if not len(pos) or not len(start):
            return None
        return Sentences(cps, pos, kc, seps, start, length, doc)
    return _cut_numpy(cps, min_chars)


def _cut_numpy(cps: np.ndarray, min_chars: int) -> Sentences | None:
    """`cut_sentences` of the joined texts' code points ``cps`` (lower-cased in place), in
    numpy (the kernel `_cut_kernel` gives the same arrays)."""
    cps[(cps - np.uint32(0x41)) < 26] += np.uint32(0x20)  # A-Z to a-z (enough for Korean text)
    # 0 dropped, 1 kept, 2 sentence end, 3 text end (code points above the BMP: kept)
    cls = np.take(_piece_classes(), cps, mode="clip")
    seps = np.flatnonzero(cls == 3)
    ends = np.flatnonzero(cls >= 2)
    dots = ends[cps[ends] == 0x2E]
    nxt = cps[np.minimum(dots + 1, len(cps) - 1)]
    digit_after = dots[(nxt >= _DIGITS[0]) & (nxt <= _DIGITS[1])]  # "3.5%": one sentence
    if len(digit_after):
        ends = np.setdiff1d(ends, digit_after, assume_unique=True)
    pos = np.flatnonzero(cls == 1)
    if not len(pos):
        return None
    kc = cps[pos]
    # sentences as [start, stop) in the kept-character index
    cuts = np.concatenate(([0], np.searchsorted(pos, ends), [len(pos)]))  # ascending
    cuts = cuts[np.concatenate((cuts[1:] != cuts[:-1], [True]))]
    s_start, s_len = cuts[:-1], np.diff(cuts)
    long_enough = s_len >= min_chars
    s_start, s_len = s_start[long_enough], s_len[long_enough]
    if not len(s_start):
        return None
    doc = np.searchsorted(seps, pos[s_start])
    return Sentences(cps, pos, kc, seps, s_start, s_len, doc)


def _cut_kernel(
    cps: np.ndarray, classes: np.ndarray, min_chars: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_cut_numpy` in one scan (kernel): lower-cases A-Z in ``cps`` and returns ``(pos,
    kc, seps, start, length, doc)``; a sentence is a run of kept characters between two
    ends (a class 2 or 3 character, but a "." before a digit)."""
    size = len(cps)
    pos = np.empty(size, dtype=np.int64)
    kc = np.empty(size, dtype=np.uint32)
    seps = np.empty(size, dtype=np.int64)
    start = np.empty(size, dtype=np.int64)
    length = np.empty(size, dtype=np.int64)
    doc = np.empty(size, dtype=np.int64)
    top = len(classes) - 1
    nk = 0  # kept characters so far
    ns = 0  # separators so far
    nsent = 0
    run = 0  # kept characters since the last end
    for i in range(size):
        c = np.int64(cps[i])
        if 0x41 <= c <= 0x5A:  # A-Z to a-z
            c += 0x20
            cps[i] = c
        cl = classes[c if c < top else top]
        pos[nk] = i  # written always, kept by the count (no branch on the class)
        kc[nk] = c
        kept = int(cl == 1)
        nk += kept
        run += kept
        if cl >= 2:
            if cl == 2 and c == 0x2E and i + 1 < size and 0x30 <= cps[i + 1] <= 0x39:
                continue  # "3.5%": one sentence
            if run >= min_chars and run > 0:
                start[nsent] = nk - run
                length[nsent] = run
                doc[nsent] = ns
                nsent += 1
            run = 0
            if cl == 3:
                seps[ns] = i
                ns += 1
    if run >= min_chars and run > 0:
        start[nsent] = nk - run
        length[nsent] = run
        doc[nsent] = ns
        nsent += 1
    return pos[:nk], kc[:nk], seps[:ns], start[:nsent], length[:nsent], doc[:nsent]


_K_CUT = kernel(_cut_kernel)


def piece_hashes(kc: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """48-bit hashes of ``kc[starts[i]:stops[i]]`` (one polynomial hash from prefix sums,
    mixed): the hash of a sentence piece, wherever it is cut."""
    if _K_PIECE_HASHES is not None and loaded():
        return _K_PIECE_HASHES(kc, starts.astype(np.int64), stops.astype(np.int64))
    return _piece_hashes_numpy(kc, starts, stops)


def _piece_hashes_numpy(kc: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """`piece_hashes` in numpy (the kernel `_piece_hash` gives the same values)."""
    lengths = stops - starts
    pw, inv = _powers(len(kc) + 1)
    prefix = np.empty(len(kc) + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(kc.astype(np.uint64) * pw[: len(kc)], out=prefix[1:])
    ph = (prefix[stops] - prefix[starts]) * inv[starts]
    ph += lengths.astype(np.uint64) * _MULT
    ph ^= ph >> np.uint64(31)
    ph *= _MIX
    ph ^= ph >> np.uint64(29)
    return ph >> np.uint64(16)


_S16U, _S29U, _S31U = np.uint64(16), np.uint64(29), np.uint64(31)


def _piece_hashes_kernel(kc: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """`piece_hashes` (kernel)."""
    out = np.empty(len(starts), dtype=np.uint64)
    for i in range(len(starts)):
        h = np.uint64(0)
        for t in range(stops[i] - 1, starts[i] - 1, -1):
            h = h * _POW_K + np.uint64(kc[t])
        h += np.uint64(stops[i] - starts[i]) * _MULT
        h ^= h >> _S31U
        h *= _MIX
        h ^= h >> _S29U
        out[i] = h >> _S16U
    return out


_K_PIECE_HASHES = kernel(_piece_hashes_kernel)


def _pieces_kernel(
    kc: np.ndarray,
    s_start: np.ndarray,
    s_len: np.ndarray,
    doc: np.ndarray,
    n: int,
    chunk: int,
    offsets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`pieces_batch` after the cut (kernel): each sentence cut into pieces of ``chunk``
    characters (the last takes the rest), hashed as `piece_hashes`; each text's hashes
    sorted and made distinct, with their lengths. Fills ``offsets``; returns (hashes,
    lengths)."""
    k = len(s_start)
    total = 0
    for s in range(k):
        total += max(1, s_len[s] // chunk)
    hashes = np.empty(total, dtype=np.uint64)
    lengths = np.empty(total, dtype=np.int64)
    seg = np.empty(total, dtype=np.uint64)
    seg_len = np.empty(total, dtype=np.int64)
    out = 0
    s = 0
    for d in range(n):
        m = 0
        while s < k and doc[s] == d:
            per = max(1, s_len[s] // chunk)
            for j in range(per):
                a = s_start[s] + j * chunk
                b = s_start[s] + s_len[s] if j == per - 1 else a + chunk
                h = np.uint64(0)
                for t in range(b - 1, a - 1, -1):
                    h = h * _POW_K + np.uint64(kc[t])
                h += np.uint64(b - a) * _MULT
                h ^= h >> _S31U
                h *= _MIX
                h ^= h >> _S29U
                seg[m] = h >> _S16U
                seg_len[m] = b - a
                m += 1
            s += 1
        order = np.argsort(seg[:m])
        for i in range(m):
            v = seg[order[i]]
            if i > 0 and v == hashes[out - 1]:
                continue
            hashes[out] = v
            lengths[out] = seg_len[order[i]]
            out += 1
        offsets[d + 1] = out
    return hashes[:out], lengths[:out]


_K_PIECES = kernel(_pieces_kernel)


def pieces_batch(
    texts: Sequence[str], min_chars: int = MIN_PIECE_CHARS, chunk: int = PIECE_CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sentence-piece hashes of many bodies in one numpy pass (no Python loop per piece).

    Each text (already stripped of tags and datelines, `strip_marks`) is cut into sentences
    by `cut_sentences`; a sentence is folded like `fold` (spaces, punctuation
    and quotes gone; A-Z lower-cased), dropped when under ``min_chars`` folded characters,
    and cut into pieces of ``chunk`` characters from its start (the last piece takes the
    remainder, so pieces hold ``chunk`` to ``2 * chunk - 1`` characters). Each piece gets a
    48-bit hash: 띄어쓰기 or quote-style changes leave pieces equal, and a typo changes one
    piece, not a whole sentence. Returns ``(hashes, lengths, offsets, sentences)``: the distinct
    hashes of text i, sorted, are ``hashes[offsets[i]:offsets[i + 1]]``, ``lengths`` holds
    each piece's folded length and ``sentences[i]`` the number of sentences kept in text i.
    """
    return pieces_of_cut(cut_sentences(texts, min_chars), len(texts), chunk)


def pieces_of_cut(
    cut: Sentences | None, n: int, chunk: int = PIECE_CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`pieces_batch` of ``n`` texts already cut by `cut_sentences` (``cut``)."""
    offsets = np.zeros(n + 1, dtype=np.int64)
    sentences = np.zeros(n, dtype=np.int64)
    empty = (np.empty(0, np.uint64), np.empty(0, np.int64), offsets, sentences)
    if cut is None:
        return empty
    s_start, s_len = cut.start, cut.length
    sentences[:] = np.bincount(cut.doc, minlength=n)
    if _K_PIECES is not None and chunk >= 1 and loaded():
        ph, lengths = _K_PIECES(cut.kc, s_start, s_len, cut.doc, n, chunk, offsets)
        return ph, lengths, offsets, sentences
    per = np.maximum(1, s_len // chunk)  # pieces of each sentence
    first = np.repeat(np.cumsum(per) - per, per)
    k = np.arange(len(first)) - first  # piece number inside its sentence
    pstarts = np.repeat(s_start, per) + k * chunk
    pstops = np.where(
        k == np.repeat(per, per) - 1, np.repeat(s_start + s_len, per), pstarts + chunk
    )
    lengths = pstops - pstarts
    ph = piece_hashes(cut.kc, pstarts, pstops)
    # 48-bit hashes, sorted within each text: one sort of (text << 48 | hash)
    pdoc = np.repeat(cut.doc, per).astype(np.uint64)
    key = (pdoc << np.uint64(48)) | ph
    order = np.argsort(key)
    key, lengths = key[order], lengths[order]
    if len(key) > 1:
        first = np.concatenate(([True], key[1:] != key[:-1]))
        key, lengths = key[first], lengths[first]
    ph = key & np.uint64((1 << 48) - 1)
    offsets[1:] = np.searchsorted(key >> np.uint64(48), np.arange(1, n + 1, dtype=np.uint64))
    return ph, lengths.astype(np.int64), offsets, sentences


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of A's shingles found in B, from their Jaccard estimate and set sizes."""
    if size_a <= 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / size_a)
