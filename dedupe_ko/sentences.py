"""Sentence fingerprints: does one article contain the other's text, nearly verbatim?

    prints = fingerprint_batch([body_a, body_b])        # one numpy pass for a batch
    t = same_text(prints.of(0), prints.of(1))
    t.share, t.sentences, t.numbers_found, t.template   # 0.83, 12, 0.95, False

What a reader calls "the same text" when outlets republish: most sentences of the shorter
article appear, nearly verbatim, in the other, whatever lede or paragraph was added, dropped
or moved. `same_text` measures exactly that:

- The text is cut into sentences by `split_sentences` (the one place that decides where a
  sentence ends: ".", "?", "!", "。" not followed by a digit, and line breaks; the same cuts
  as `dedupe_ko.minhash.pieces_batch`, whose sentence hash each sentence carries, so a
  caller can leave out the sentences its piece store found in many clusters).
- Each sentence keeps a sample of its folded character 5-grams (spaces, punctuation and
  quote style gone, so 띄어쓰기 and quote edits cost nothing): every 5-gram that holds a
  digit, and a quarter of the others (by hash), so numbers weigh about four times as much
  as words. It also keeps its numbers (digit runs of the folded text: "45,350원" -> 45350).
- A sentence of the shorter article is **present** in the other when at least
  `SENTENCE_PRESENT` (half) of its sampled 5-grams occur anywhere in the other article (so
  a sentence split in two, or re-cut at other punctuation, still counts) and every one of its
  numbers occurs there too (a copy keeps its facts; a template filled for another stock,
  broker or day does not); in an article that keeps at least `NUMBERS_KEPT` of its
  distinct numbers in the other, the 5-grams alone decide (a copy may write a figure
  otherwise, "2조1367억" / "2조1천367억", or update one in a later version).
- ``share`` = characters of present sentences / characters of all its sentences;
  ``edited`` counts the sentences another outlet edited too: at least `EDITED_PRESENT` of
  their sampled 5-grams in the other, and their numbers by the same rule.
- ``template``: the same skeleton filled with other facts, never a copy, however much
  wording they share: the shorter article has at least `TEMPLATE_MIN_NUMBERS` distinct
  numbers and fewer than `TEMPLATE_NUMBERS_FOUND` (half) of them occur in the other, or it
  has at least `SUBJECT_MIN_WORDS` words it repeats (its subject: "창원", "파산센터") and
  fewer than `SUBJECT_WORDS_FOUND` of them occur in the other (a press-release template
  filled for another city, company or person), unless it has `FACTS_MIN_NUMBERS` numbers
  or more and every one occurs in the other (the same facts; the subject only spelt
  otherwise: "이 모 교수" / "A교수").

A caller that keeps many fingerprints (the Deduplicator's clusters) holds them in a
`FingerprintTable` (flat growable arrays, one slot each), and `same_text_rows` compares an
article with many slots at once: one int64 row of `same_text`'s numbers and a share per
pair, no object per pair; `text_of_row` makes the `SameText` of the few rows a caller keeps.

Everything is numpy over the whole batch (no Python loop per sentence or 5-gram), or, with
numba installed (`dedupe_ko._jit`), compiled kernels that give the same arrays (5-grams,
anchors, numbers, words, distinct values per article); a fingerprint holds about 1.3 bytes
per character of text (sampled 5-grams as uint32).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import Literal

import numpy as np

from ._arrays import grow
from ._jit import kernel, loaded
from .cluster import in_sorted
from .minhash import (
    _MIX,
    _MULT,
    _PIECE_MUL,
    _PIECE_POS,
    MIN_PIECE_CHARS,
    PIECE_CHUNK,
    Sentences,
    _distinct,
    cut_sentences,
    piece_hashes,
    pieces_batch,
    pieces_of_cut,
)

__all__ = [
    "ANCHOR_CHARS",
    "ANCHOR_EVERY",
    "FACTS_MIN_NUMBERS",
    "NUMBERS_KEPT",
    "SENTENCE_PRESENT",
    "SUBJECT_MIN_WORDS",
    "SUBJECT_WORDS_FOUND",
    "TEMPLATE_MIN_NUMBERS",
    "TEMPLATE_NUMBERS_FOUND",
    "EditedText",
    "Fingerprint",
    "FingerprintTable",
    "Prints",
    "SameText",
    "anchor_keys",
    "anchors_batch",
    "candidate_keys",
    "fingerprint_batch",
    "in_order",
    "pieces_and_prints",
    "same_text",
    "same_text_many",
    "same_text_rows",
    "split_sentences",
    "text_of_row",
    "text_shares",
]

SENTENCE_PRESENT = 0.6  # share of a sentence's sampled 5-grams found in the other article
# A copy that keeps most of its facts (this share of its numbers in the other) may write a
# few of them otherwise ("2조1367억" / "2조1천367억", a figure updated in a later version):
# there a sentence with this share of its sampled 5-grams in the other is present anyway.
NUMBERS_KEPT = 0.75
# A sentence edited in another outlet (words changed, a clause added or cut) keeps at least
# this share of its sampled 5-grams (and its numbers): it counts for `in_order`.
EDITED_PRESENT = 0.45
TEMPLATE_MIN_NUMBERS = 4  # a template verdict needs at least this many numbers ...
TEMPLATE_NUMBERS_FOUND = 0.5  # ... of which fewer than this share occur in the other
EARLY_OUT = 0.3  # fewer of the shorter one's sampled 5-grams in the other: not compared further
SUBJECT_MIN_WORDS = 2  # or at least this many words repeated in the shorter article ...
SUBJECT_WORDS_FOUND = 0.7  # ... of which fewer than this share occur in the other
# ... unless it has at least this many numbers and every one occurs in the other: it tells
# the same facts, and the subject is only spelt otherwise ("이 모 교수" / "A교수", an
# English name in Hangul). A date and a time alone make four or five numbers that a
# template filled for another city on the same day shares; twice `TEMPLATE_MIN_NUMBERS` do not.
FACTS_MIN_NUMBERS = 2 * TEMPLATE_MIN_NUMBERS
_GRAM = 5
ANCHOR_CHARS = 13  # folded characters an anchor covers (three 5-grams, overlapping by one)
ANCHOR_EVERY = 8  # one position in this many (a power of 2) starts an anchor
_ANCHOR_TAG = np.uint64(1 << 60)
_SAMPLE_MASK = np.uint32(3)  # keep a 5-gram without digits when (hash & 3) == 0: a quarter
_GRAM_MUL = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint32)
_NUM_MUL = np.uint64(0x94D049BB133111EB)
_SIEVE = 1 << 14  # a table of low bits in front of an exact lookup (`_early_pass`)
_SIEVE_MASK = np.uint32(_SIEVE - 1)
_HASH_MUL = 0x9E3779B1  # `_table_texts_kernel`'s hash table: (value * this) >> 20


def split_sentences(text: str, min_chars: int = MIN_PIECE_CHARS) -> list[str]:
    """The sentences of ``text`` as `fingerprint_batch` (and `minhash.pieces_batch`) cut
    them, as written (for reading and tests): `minhash.cut_sentences` decides."""
    cut = cut_sentences([text], min_chars)
    if cut is None:
        return []
    starts = cut.pos[cut.start]
    ends = cut.pos[cut.start + cut.length - 1] + 1
    return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


@dataclass(frozen=True)
class Fingerprint:
    """One article's sentences (those with at least ``MIN_PIECE_CHARS`` folded characters).

    ``hashes[i]``: sentence i's hash, equal to its `minhash.pieces_batch` piece hash;
    ``chars[i]``: its folded characters; its sampled 5-grams are
    ``grams[gram_at[i]:gram_at[i + 1]]`` and its numbers ``numbers[num_at[i]:num_at[i + 1]]``;
    ``vocab`` and ``num_vocab``: all its 5-grams and numbers, distinct and sorted (for
    lookups when it is the longer article); ``words``: its words (runs of two or more
    Hangul syllables or Latin letters, as written), distinct and sorted; ``repeated``: those
    it uses at least twice.
    """

    hashes: np.ndarray
    chars: np.ndarray
    gram_at: np.ndarray
    grams: np.ndarray
    num_at: np.ndarray
    numbers: np.ndarray
    vocab: np.ndarray
    num_vocab: np.ndarray
    words: np.ndarray
    repeated: np.ndarray

    def _arrays(self) -> tuple[np.ndarray, ...]:
        """Its arrays, in field order (written out: `dataclasses.fields` per call is slow)."""
        return (
            self.hashes,
            self.chars,
            self.gram_at,
            self.grams,
            self.num_at,
            self.numbers,
            self.vocab,
            self.num_vocab,
            self.words,
            self.repeated,
        )

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._arrays())

    def __len__(self) -> int:
        return len(self.hashes)

    @property
    def total_chars(self) -> int:
        """Characters of all its sentences (``chars.sum()``, kept: asked once per pair)."""
        kept = self.__dict__  # (not functools.cached_property: it takes a lock in 3.11)
        if "_total_chars" not in kept:
            kept["_total_chars"] = int(self.chars.sum())
        return kept["_total_chars"]

    @property
    def gram_counts(self) -> np.ndarray:
        """How many of its sampled 5-grams (``grams``) equal each ``vocab`` value."""
        kept = self.__dict__
        if "_gram_counts" not in kept:
            kept["_gram_counts"] = np.bincount(
                np.searchsorted(self.vocab, self.grams), minlength=len(self.vocab)
            )
        return kept["_gram_counts"]

    def pack(self) -> bytes:
        """Bytes for a store (`dedupe_ko.index.Pieces`); `unpack` reads them back."""
        parts = (
            self.hashes.astype("<u8"),
            self.chars.astype("<i4"),
            np.diff(self.gram_at).astype("<u4"),
            self.grams.astype("<u4"),
            np.diff(self.num_at).astype("<u4"),
            self.numbers.astype("<u4"),
            self.words.astype("<u4"),
            self.repeated.astype("<u4"),
        )
        head = np.array([len(a) for a in parts], dtype="<u4").tobytes()
        return head + b"".join(a.tobytes() for a in parts)

    @classmethod
    def unpack(cls, blob: bytes) -> Fingerprint:
        sizes = np.frombuffer(blob, dtype="<u4", count=8).tolist()
        at = 32
        arrays = []
        for n, dt in zip(
            sizes, ("<u8", "<i4", "<u4", "<u4", "<u4", "<u4", "<u4", "<u4"), strict=True
        ):
            arrays.append(np.frombuffer(blob, dtype=dt, count=n, offset=at))
            at += n * np.dtype(dt).itemsize
        hashes, chars, gcount, grams, ncount, numbers, words, repeated = arrays
        gram_at = np.concatenate(([0], np.cumsum(gcount, dtype=np.int64)))
        num_at = np.concatenate(([0], np.cumsum(ncount, dtype=np.int64)))
        return cls(
            hashes.astype(np.uint64),
            chars.astype(np.int32),
            gram_at,
            grams.astype(np.uint32),
            num_at,
            numbers.astype(np.uint32),
            _distinct(grams).astype(np.uint32),
            _distinct(numbers).astype(np.uint32),
            words.astype(np.uint32),
            repeated.astype(np.uint32),
        )

    def compact(self) -> Fingerprint:
        """The same fingerprint in arrays of its own (a batch's views keep the whole batch's
        arrays alive): for fingerprints that are kept."""
        return Fingerprint(
            self.hashes.copy(),
            self.chars.copy(),
            self.gram_at.copy(),
            self.grams.copy(),
            self.num_at.copy(),
            self.numbers.copy(),
            self.vocab.copy(),
            self.num_vocab.copy(),
            self.words.copy(),
            self.repeated.copy(),
        )


@dataclass
class Prints:
    """The fingerprints of a batch, in flat arrays: article j's sentences are
    ``sent_at[j]:sent_at[j + 1]``, its distinct sorted 5-grams
    ``vocab[vocab_at[j]:vocab_at[j + 1]]`` and numbers ``num_vocab[nv_at[j]:nv_at[j + 1]]``."""

    sent_at: np.ndarray
    hashes: np.ndarray
    chars: np.ndarray
    gram_at: np.ndarray
    grams: np.ndarray
    num_at: np.ndarray
    numbers: np.ndarray
    vocab_at: np.ndarray
    vocab: np.ndarray
    nv_at: np.ndarray
    num_vocab: np.ndarray
    word_at: np.ndarray
    words: np.ndarray
    rep_at: np.ndarray
    repeated: np.ndarray
    anchor_at: np.ndarray
    anchors: np.ndarray
    vocab_counts: np.ndarray | None = None  # how often each vocab value is a sampled 5-gram

    def __len__(self) -> int:
        return len(self.sent_at) - 1

    def anchors_of(self, j: int) -> np.ndarray:
        """Article j's anchors (`ANCHOR_CHARS`-grams sampled by content), distinct and
        sorted, as candidate keys (`anchor_keys`)."""
        return self.anchors[self.anchor_at[j] : self.anchor_at[j + 1]]

    def _offset_lists(self) -> tuple:
        """The offsets as Python ints, and each article's sentence offsets into its 5-grams
        and numbers counted from its own first (article j's are ``[sent_at[j] + j :
        sent_at[j + 1] + j + 1]``)."""
        lens = np.diff(self.sent_at) + 1
        first = np.repeat(self.sent_at[:-1], lens)
        at = first + np.arange(len(first)) - np.repeat(np.cumsum(lens) - lens, lens)
        g_rel = self.gram_at[at] - self.gram_at[first]
        n_rel = self.num_at[at] - self.num_at[first]
        ints = (self.sent_at, self.vocab_at, self.nv_at, self.word_at, self.rep_at)
        return (
            *(x.tolist() for x in ints),
            self.gram_at.tolist(),
            self.num_at.tolist(),
            g_rel,
            n_rel,
        )

    def of(self, j: int) -> Fingerprint:
        """Article j's fingerprint (views of the batch's arrays: `Fingerprint.compact` one
        that is kept)."""
        lists = self.__dict__.get("_offset_lists")
        if lists is None:  # once per batch (asked per article)
            lists = self.__dict__["_offset_lists"] = self._offset_lists()
        sent_at, vocab_at, nv_at, word_at, rep_at, gram_at, num_at, g_rel, n_rel = lists
        a, b = sent_at[j], sent_at[j + 1]
        ga, gb = gram_at[a], gram_at[b]
        na, nb = num_at[a], num_at[b]
        va, vb = vocab_at[j], vocab_at[j + 1]
        fp = object.__new__(Fingerprint)  # (the fields set at once: __init__ of a frozen
        fp.__dict__.update(  # dataclass sets them one by one, the cost of a batch's views)
            hashes=self.hashes[a:b],
            chars=self.chars[a:b],
            gram_at=g_rel[a + j : b + j + 1],
            grams=self.grams[ga:gb],
            num_at=n_rel[a + j : b + j + 1],
            numbers=self.numbers[na:nb],
            vocab=self.vocab[va:vb],
            num_vocab=self.num_vocab[nv_at[j] : nv_at[j + 1]],
            words=self.words[word_at[j] : word_at[j + 1]],
            repeated=self.repeated[rep_at[j] : rep_at[j + 1]],
        )
        if self.vocab_counts is not None:  # its `gram_counts`, known from the cut
            fp.__dict__["_gram_counts"] = self.vocab_counts[va:vb]
        return fp


def _distinct_per_doc(
    values: np.ndarray, doc: np.ndarray, n: int, min_count: int = 0, counts_too: bool = False
) -> tuple[np.ndarray, ...]:
    """Distinct sorted values of each doc (0..n-1): (offsets, values); with ``min_count``
    also those occurring at least that many times in their doc: (offsets, values, offsets2,
    values2); ``counts_too``: then the counts of the values (of the first selection)."""
    if _K_DISTINCT_PER_DOC is not None and values.dtype == np.uint32 and len(values) and loaded():
        ok, at, vals, counts, rep_at, rep = _K_DISTINCT_PER_DOC(
            values, doc.astype(np.int64, copy=False), n, min_count
        )
        if ok:  # (docs in order, all in 0..n-1: as every caller gives them)
            out: tuple[np.ndarray, ...] = (at, vals)
            if min_count:
                out += (rep_at, rep)
            return (*out, counts) if counts_too else out
    return _distinct_per_doc_numpy(values, doc, n, min_count, counts_too)


def _distinct_per_doc_kernel(
    values: np.ndarray, doc: np.ndarray, n: int, min_count: int
) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_distinct_per_doc_numpy` for docs given in order (kernel): each doc's values sorted
    on their own (put in about one bucket each by their top bits, then an insertion sort),
    then made distinct and counted. Returns ``(ok, offsets, values, counts, offsets2,
    values2)``; ``ok`` False (nothing done) when ``doc`` is not ascending within 0..n-1."""
    size = len(values)
    at = np.zeros(n + 1, dtype=np.int64)
    rep_at = np.zeros(n + 1, dtype=np.int64)
    for i in range(size):
        d = doc[i]
        if d < 0 or d >= n or (i > 0 and d < doc[i - 1]):
            return False, at, values[:0], at[:0], rep_at, values[:0]
    sorted_ = np.empty(size, dtype=np.uint32)
    out = np.empty(size, dtype=np.uint32)
    counts = np.empty(size, dtype=np.int64)
    rep = np.empty(size, dtype=np.uint32)
    cnt = np.zeros(size + 2, dtype=np.int64)
    nd = 0
    nr = 0
    lo = 0
    for d in range(n):
        hi = lo
        while hi < size and doc[hi] == d:
            hi += 1
        m = hi - lo
        dst = sorted_[lo:hi]
        if m > 32:  # bucket by the top bits (about one value a bucket), then insertion sort
            bits = 0
            while (2 << bits) <= m:
                bits += 1
            shift = 32 - bits
            nb = 1 << bits
            for k in range(nb + 1):
                cnt[k] = 0
            for i in range(m):
                cnt[(values[lo + i] >> shift) + 1] += 1
            for k in range(nb):
                cnt[k + 1] += cnt[k]
            for i in range(m):
                v = values[lo + i]
                k = v >> shift
                dst[cnt[k]] = v
                cnt[k] += 1
            for i in range(1, m):
                x = dst[i]
                j = i - 1
                while j >= 0 and dst[j] > x:
                    dst[j + 1] = dst[j]
                    j -= 1
                dst[j + 1] = x
        else:
            for i in range(m):
                x = values[lo + i]
                j = i - 1
                while j >= 0 and dst[j] > x:
                    dst[j + 1] = dst[j]
                    j -= 1
                dst[j + 1] = x
        i = 0
        while i < m:
            j = i + 1
            while j < m and dst[j] == dst[i]:
                j += 1
            out[nd] = dst[i]
            counts[nd] = j - i
            nd += 1
            if min_count and j - i >= min_count:
                rep[nr] = dst[i]
                nr += 1
            i = j
        at[d + 1] = nd
        rep_at[d + 1] = nr
        lo = hi
    return True, at, out[:nd], counts[:nd], rep_at, rep[:nr]


_K_DISTINCT_PER_DOC = kernel(_distinct_per_doc_kernel)


def _distinct_per_doc_numpy(
    values: np.ndarray, doc: np.ndarray, n: int, min_count: int = 0, counts_too: bool = False
) -> tuple[np.ndarray, ...]:
    """`_distinct_per_doc` in numpy (without kernels; tests compare the two)."""
    key = np.sort((doc.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64))
    # (np.unique hashes instead of sorting in numpy 2.3+: much slower here)
    first = (
        np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        if len(key)
        else np.empty(0, np.int64)
    )
    counts = np.diff(np.append(first, len(key)))
    out: tuple[np.ndarray, ...] = ()
    for sel in (first, first[counts >= min_count]) if min_count else (first,):
        k = key[sel]
        d = (k >> np.uint64(32)).astype(np.int64)
        out += (np.searchsorted(d, np.arange(n + 1), side="left"), k.astype(np.uint32))
    if counts_too:
        out += (counts,)
    return out


def _words(cps: np.ndarray, seps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the words (runs of 2+ Hangul syllables or Latin letters) and their doc. A
    word is hashed from its first two characters, its last one and its length: enough to
    tell "창원" from "인천" or "센터는" from "센터에서는", and cheap (no pass per character)."""
    w = ((cps >= 0xAC00) & (cps <= 0xD7A3)) | ((cps >= 0x61) & (cps <= 0x7A))
    if len(w) < 2 or not w.any():
        return np.empty(0, np.uint32), np.empty(0, np.int64)
    starts = np.flatnonzero(w[1:] & ~w[:-1]) + 1
    ends = np.flatnonzero(w[:-1] & ~w[1:])
    if w[0]:
        starts = np.concatenate(([0], starts))
    if w[-1]:
        ends = np.append(ends, len(w) - 1)
    long_enough = ends > starts
    starts, ends = starts[long_enough], ends[long_enough]
    h = cps[starts].astype(np.uint64) * _NUM_MUL
    h += cps[starts + 1].astype(np.uint64) * _PIECE_POS
    h += cps[ends].astype(np.uint64) * _PIECE_MUL
    h += (ends - starts).astype(np.uint64) * _MULT
    # a word's text: the number of separators (``seps``, sorted) at or before it
    return (_mix(h) >> np.uint64(32)).astype(np.uint32), np.searchsorted(seps, starts, "right")


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start indices and lengths of runs of equal consecutive values."""
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return starts, np.diff(np.append(starts, len(keys)))


def _mix(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(31)
    h *= _MIX
    h ^= h >> np.uint64(29)
    return h


def _empty(n: int) -> Prints:
    none32, zi, zn = np.empty(0, np.uint32), np.zeros(1, np.int64), np.zeros(n + 1, np.int64)
    return Prints(
        zn,
        np.empty(0, np.uint64),
        np.empty(0, np.int32),
        zi,
        none32,
        zi,
        none32,
        zn,
        none32,
        zn,
        none32,
        zn,
        none32,
        zn,
        none32,
        zn,
        none32,
    )


def _sentence_ids(cut: Sentences) -> np.ndarray:
    """The sentence number of each of ``cut.kc``'s characters (-1: in no kept sentence)."""
    sid = np.full(len(cut.kc), -1, dtype=np.int64)
    s_start, s_len = cut.start, cut.length
    within = np.arange(int(s_len.sum())) - np.repeat(np.cumsum(s_len) - s_len, s_len)
    sid[np.repeat(s_start, s_len) + within] = np.repeat(np.arange(len(s_start)), s_len)
    return sid


def _gram_hashes(kc: np.ndarray) -> np.ndarray:
    """32-bit hashes of the 5-grams starting at each position of ``kc`` (but the last 4)."""
    m = len(kc) - _GRAM + 1
    g = kc[:m] * _GRAM_MUL[0]
    for i in range(1, _GRAM):
        g += kc[i : i + m] * _GRAM_MUL[i]
    g ^= g >> np.uint32(15)  # a 32-bit finaliser (murmur3's)
    g *= np.uint32(0x2C1B3C6D)
    g ^= g >> np.uint32(12)
    return g


def anchors_batch(
    texts: Sequence[str], min_chars: int = MIN_PIECE_CHARS
) -> tuple[np.ndarray, np.ndarray]:
    """The anchor keys (`anchor_keys`) of many texts without the rest of their fingerprints:
    ``(keys, offsets)``, text i's distinct sorted keys are ``keys[offsets[i]:offsets[i + 1]]``
    (the same as ``anchor_keys(fingerprint_batch(texts).anchors_of(i))``)."""
    n = len(texts)
    cut = cut_sentences(texts, min_chars)
    if cut is None or len(cut.kc) < ANCHOR_CHARS:
        return np.empty(0, np.uint64), np.zeros(n + 1, np.int64)
    a_sid, anchors = _anchors(_gram_hashes(cut.kc), _sentence_ids(cut))
    at, values = _distinct_per_doc(anchors, cut.doc[a_sid], n)
    return anchor_keys(values), at


def candidate_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """What a body is found by in the sentence-piece store: its piece hashes
    (`minhash.pieces_batch`) then its anchor keys, ``(keys, offsets)`` as `anchors_batch`
    (sorted per text: an anchor key is above every piece hash). The Spark engine links rows
    on these, as the Deduplicator finds candidates on them."""
    h, _, p_at, _ = pieces_batch(texts)
    a, a_at = anchors_batch(texts)
    at = p_at + a_at
    keys = np.empty(len(h) + len(a), np.uint64)
    p_rows = np.repeat(np.arange(len(texts)), np.diff(p_at))
    a_rows = np.repeat(np.arange(len(texts)), np.diff(a_at))
    keys[np.arange(len(h)) - p_at[p_rows] + at[p_rows]] = h
    keys[np.arange(len(a)) - a_at[a_rows] + at[a_rows] + np.diff(p_at)[a_rows]] = a
    return keys, at


def fingerprint_batch(texts: Sequence[str], min_chars: int = MIN_PIECE_CHARS) -> Prints:
    """Fingerprints of many texts (already stripped of tags and datelines, like the text
    given to `minhash.pieces_batch`) in one numpy pass, on `minhash.cut_sentences`' cut."""
    return prints_of_cut(cut_sentences(texts, min_chars), len(texts))


def pieces_and_prints(
    texts: Sequence[str],
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Prints]:
    """``(minhash.pieces_batch(texts), fingerprint_batch(texts))``, equal array for array,
    from one sentence cut."""
    cut = cut_sentences(texts)
    return pieces_of_cut(cut, len(texts)), prints_of_cut(cut, len(texts))


def prints_of_cut(cut: Sentences | None, n: int) -> Prints:
    """`fingerprint_batch` of ``n`` texts already cut by `minhash.cut_sentences`."""
    if cut is None:
        return _empty(n)
    kc, s_start, s_len, sent_doc = cut.kc, cut.start, cut.length, cut.doc
    k = len(s_start)
    # sentence hash: the hash of its first piece, as `pieces_batch` cuts it (so the pieces a
    # caller found in many clusters leave the sentence out)
    first_stop = s_start + np.where(s_len >= 2 * PIECE_CHUNK, PIECE_CHUNK, s_len)
    hashes = piece_hashes(kc, s_start, first_stop)
    chars = s_len.astype(np.int32)
    sent_at = np.searchsorted(sent_doc, np.arange(n + 1), side="left").astype(np.int64)
    if _K_SENTENCE_PARTS is not None and loaded():
        gram_at, grams, gram_sid, num_at, numbers, num_sid, anchors, anchor_sid = _K_SENTENCE_PARTS(
            kc, s_start, s_len
        )
    else:
        gram_sid, grams, anchor_sid, anchors, num_sid, numbers = _sentence_parts_numpy(cut)
        gram_at = np.searchsorted(gram_sid, np.arange(k + 1)).astype(np.int64)
        num_at = np.searchsorted(num_sid, np.arange(k + 1)).astype(np.int64)
    vocab_at, vocab, vocab_counts = _distinct_per_doc(grams, sent_doc[gram_sid], n, counts_too=True)
    nv_at, num_vocab = _distinct_per_doc(numbers, sent_doc[num_sid], n)
    word_hashes = (
        _words(cut.cps, cut.seps) if _K_WORDS is None or not loaded() else _K_WORDS(cut.cps)
    )
    word_at, words, rep_at, repeated = _distinct_per_doc(
        word_hashes[0], word_hashes[1], n, min_count=2
    )
    anchor_at, anchors = _distinct_per_doc(anchors, sent_doc[anchor_sid], n)
    return Prints(
        sent_at,
        hashes,
        chars,
        gram_at,
        grams,
        num_at,
        numbers,
        vocab_at,
        vocab,
        nv_at,
        num_vocab,
        word_at,
        words,
        rep_at,
        repeated,
        anchor_at,
        anchors,
        vocab_counts,
    )


def _sentence_parts_numpy(
    cut: Sentences,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sampled 5-grams, anchors and numbers of a cut's sentences, each with its
    sentence: ``(gram_sid, grams, anchor_sid, anchors, num_sid, numbers)`` (numpy; the kernel
    `_sentence_parts_kernel` gives the same)."""
    kc = cut.kc
    sid = _sentence_ids(cut)
    # sampled 5-grams inside one sentence: every one with a digit, a quarter of the others
    digit = (kc >= 0x30) & (kc <= 0x39)
    m = len(kc) - _GRAM + 1
    if m > 0:
        g = _gram_hashes(kc)
        cd = np.concatenate(([0], np.cumsum(digit, dtype=np.int32)))
        has_digit = (cd[_GRAM:] - cd[:m]) > 0
        ok = (sid[:m] >= 0) & (sid[:m] == sid[_GRAM - 1 :])
        ok &= has_digit | ((g & _SAMPLE_MASK) == 0)
        at = np.flatnonzero(ok)
        gram_sid, grams = sid[at], g[at]
        anchor_sid, anchors = _anchors(g, sid)
    else:
        gram_sid, grams = np.empty(0, np.int64), np.empty(0, np.uint32)
        anchor_sid, anchors = gram_sid, grams
    # numbers: runs of digits inside one sentence
    digit &= sid >= 0
    if digit.any():
        prev = np.concatenate(([False], digit[:-1] & (sid[1:] == sid[:-1])))
        run_id = np.cumsum(digit & ~prev)[digit]
        d_sid, d_c = sid[digit], kc[digit].astype(np.uint64)
        ds, dl = _runs(run_id)
        drank = (np.arange(len(run_id)) - np.repeat(ds, dl)).astype(np.uint64)
        nh = np.add.reduceat(_mix(d_c * _NUM_MUL + (drank + np.uint64(1)) * _PIECE_POS), ds)
        num_sid, numbers = d_sid[ds], (_mix(nh) >> np.uint64(32)).astype(np.uint32)
    else:
        num_sid, numbers = np.empty(0, np.int64), np.empty(0, np.uint32)
    return gram_sid, grams, anchor_sid, anchors, num_sid, numbers


_G0, _G1, _G2, _G3, _G4 = (np.uint64(int(x)) for x in _GRAM_MUL)
_M32 = np.uint64(0xFFFFFFFF)
_GF = np.uint64(0x2C1B3C6D)
_AF = np.uint64(0x85EBCA6B)
_S12, _S13, _S15, _S16 = np.uint64(12), np.uint64(13), np.uint64(15), np.uint64(16)
_S29, _S31, _S32 = np.uint64(29), np.uint64(31), np.uint64(32)
_ONE = np.uint64(1)


def _sentence_parts_kernel(
    kc: np.ndarray, s_start: np.ndarray, s_len: np.ndarray
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """`_sentence_parts_numpy` sentence by sentence (kernel), with the offsets
    `fingerprint_batch` takes from them: ``(gram_at, grams, gram_sid, num_at, numbers,
    num_sid, anchors, anchor_sid)``. Hashes as `_gram_hashes` and `_anchors` (mod 2**32),
    numbers as the digit runs' sums of mixed (digit, rank) terms."""
    k = len(s_start)
    total = 0
    for s in range(k):
        total += s_len[s]
    gram_at = np.zeros(k + 1, dtype=np.int64)
    num_at = np.zeros(k + 1, dtype=np.int64)
    grams = np.empty(total, dtype=np.uint32)
    gram_sid = np.empty(total, dtype=np.int64)
    numbers = np.empty(total, dtype=np.uint32)
    num_sid = np.empty(total, dtype=np.int64)
    anchors = np.empty(total, dtype=np.uint32)
    anchor_sid = np.empty(total, dtype=np.int64)
    longest = 1
    for s in range(k):
        longest = max(longest, s_len[s])
    g = np.empty(longest, dtype=np.uint64)  # a sentence's 5-gram hashes
    ng = 0
    nn = 0
    na = 0
    for s in range(k):
        lo = s_start[s]
        length = s_len[s]
        m = length - 4
        last_digit = -1  # the last digit at or before the window's end
        for j in range(min(4, length)):
            if 0x30 <= kc[lo + j] <= 0x39:
                last_digit = j
        for i in range(m):
            at = lo + i
            if 0x30 <= kc[at + 4] <= 0x39:
                last_digit = i + 4
            h = (
                np.uint64(kc[at]) * _G0
                + np.uint64(kc[at + 1]) * _G1
                + np.uint64(kc[at + 2]) * _G2
                + np.uint64(kc[at + 3]) * _G3
                + np.uint64(kc[at + 4]) * _G4
            ) & _M32
            h = h ^ (h >> _S15)
            h = (h * _GF) & _M32
            h = h ^ (h >> _S12)
            g[i] = h
            grams[ng] = np.uint32(h)  # written always, kept by the count (no branch)
            gram_sid[ng] = s
            ng += int(last_digit >= i or (h & np.uint64(3)) == 0)
        for i in range(length - 12):
            a = (g[i] * _G0 + g[i + 4] * _G1 + g[i + 8] * _G2) & _M32
            a = a ^ (a >> _S16)
            a = (a * _AF) & _M32
            a = a ^ (a >> _S13)
            anchors[na] = np.uint32(a)
            anchor_sid[na] = s
            na += int((a & np.uint64(ANCHOR_EVERY - 1)) == 0)
        i = 0
        while i < length:
            c = kc[lo + i]
            if c < 0x30 or c > 0x39:
                i += 1
                continue
            nh = np.uint64(0)
            rank = np.uint64(0)
            while i < length and kc[lo + i] >= 0x30 and kc[lo + i] <= 0x39:
                rank += _ONE
                x = np.uint64(kc[lo + i]) * _NUM_MUL + rank * _PIECE_POS
                x = x ^ (x >> _S31)
                x = x * _MIX
                x = x ^ (x >> _S29)
                nh += x
                i += 1
            nh = nh ^ (nh >> _S31)
            nh = nh * _MIX
            nh = nh ^ (nh >> _S29)
            numbers[nn] = np.uint32(nh >> _S32)
            num_sid[nn] = s
            nn += 1
        gram_at[s + 1] = ng
        num_at[s + 1] = nn
    return (
        gram_at,
        grams[:ng],
        gram_sid[:ng],
        num_at,
        numbers[:nn],
        num_sid[:nn],
        anchors[:na],
        anchor_sid[:na],
    )


_K_SENTENCE_PARTS = kernel(_sentence_parts_kernel)


def _words_kernel(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_words` in one scan (kernel); a word's text counts the 0 separators before it."""
    size = len(cps)
    out = np.empty(size // 2 + 1, dtype=np.uint32)
    doc = np.empty(size // 2 + 1, dtype=np.int64)
    nw = 0
    d = 0
    i = 0
    while i < size:
        c = cps[i]
        if c == 0:
            d += 1
        if not ((c >= 0xAC00 and c <= 0xD7A3) or (c >= 0x61 and c <= 0x7A)):
            i += 1
            continue
        start = i
        while i + 1 < size and (
            (cps[i + 1] >= 0xAC00 and cps[i + 1] <= 0xD7A3)
            or (cps[i + 1] >= 0x61 and cps[i + 1] <= 0x7A)
        ):
            i += 1
        end = i
        i += 1
        if end > start:
            h = np.uint64(cps[start]) * _NUM_MUL
            h += np.uint64(cps[start + 1]) * _PIECE_POS
            h += np.uint64(cps[end]) * _PIECE_MUL
            h += np.uint64(end - start) * _MULT
            h = h ^ (h >> _S31)
            h = h * _MIX
            h = h ^ (h >> _S29)
            out[nw] = np.uint32(h >> _S32)
            doc[nw] = d
            nw += 1
    return out[:nw], doc[:nw]


_K_WORDS = kernel(_words_kernel)


def _anchors(g: np.ndarray, sid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Anchors from the 5-gram hashes ``g`` (at each position of the batch's folded
    characters) and each character's sentence ``sid``: the hash of the `ANCHOR_CHARS`
    characters from each position (three overlapping 5-grams), kept when it falls in one
    sentence and its low bits are 0 (one position in `ANCHOR_EVERY`, chosen by content, so
    a passage two articles share yields the same anchors in both). Returns (sentence of
    each anchor, anchors)."""
    m = len(g) - (ANCHOR_CHARS - _GRAM)
    if m <= 0:
        return np.empty(0, np.int64), np.empty(0, np.uint32)
    h = g[:m] * _GRAM_MUL[0]
    for k, at in enumerate(range(_GRAM - 1, ANCHOR_CHARS - _GRAM + 1, _GRAM - 1), 1):
        h += g[at : at + m] * _GRAM_MUL[k]
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    end = ANCHOR_CHARS - 1
    ok = (h & np.uint32(ANCHOR_EVERY - 1)) == 0
    ok &= sid[:m] >= 0
    ok &= sid[:m] == sid[end : end + m]
    return sid[:m][ok], h[ok]


def anchor_keys(anchors: np.ndarray) -> np.ndarray:
    """Anchors as uint64 keys of the sentence-piece store: tagged (bit 60) so that they
    never equal a piece hash (48 bits)."""
    return anchors.astype(np.uint64) | _ANCHOR_TAG


@dataclass(frozen=True)
class SameText:
    """How much of the shorter article ``inner`` ("a" or "b") appears in the other.

    ``share``: characters of its present sentences / characters of its sentences (both
    without the sentences left out as boilerplate); ``sentences`` / ``chars``: how many
    sentences and characters were compared; ``numbers``: its distinct numbers;
    ``numbers_found``: the share of them that occur in the other (1.0 with none);
    ``subject``: the words it repeats; ``subject_found``: the share of them in the other;
    ``template``: see the module docstring; ``outer_chars``: the other's characters;
    ``compared``: False when only the template check ran (`same_text` ``share=False``);
    ``edited``: like ``share``, with the sentences another outlet edited counted too (at
    least `EDITED_PRESENT` of their sampled 5-grams in the other, and their numbers): words
    changed, a clause cut or added, two sentences merged.
    """

    share: float
    sentences: int
    chars: int
    numbers: int
    numbers_found: float
    inner: Literal["a", "b"]
    subject: int = 0
    subject_found: float = 1.0
    outer_chars: int = 0
    compared: bool = True
    edited: float = 0.0

    @property
    def template(self) -> bool:
        return (
            self.numbers >= TEMPLATE_MIN_NUMBERS and self.numbers_found < TEMPLATE_NUMBERS_FOUND
        ) or (
            self.subject >= SUBJECT_MIN_WORDS
            and self.subject_found < SUBJECT_WORDS_FOUND
            and not (self.numbers >= FACTS_MIN_NUMBERS and self.numbers_found == 1.0)
        )

    def explain(self) -> str:
        """One line for logs: "share 0.42 (edited 0.71) of 9 sentences; numbers 3/12;
        subject 5/6"."""
        found = round(self.numbers_found * self.numbers)
        words = round(self.subject_found * self.subject)
        shared = (
            f"share {self.share:.2f} (edited {self.edited:.2f})"
            if self.compared
            else "share not compared"
        )
        return (
            f"{shared} of {self.sentences} sentences; "
            f"numbers {found}/{self.numbers}; subject {words}/{self.subject}"
        )


_NO_TEXT = SameText(0.0, 0, 0, 0, 1.0, "a")


def _present(
    inner: Fingerprint, outer: Fingerprint, hit: np.ndarray, kept: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Which sentences of ``inner`` are present in ``outer`` (see the module docstring), and
    which are present or edited (`EDITED_PRESENT` of their sampled 5-grams); ``hit``: which
    of inner's sampled 5-grams occur in outer; ``kept``: the article keeps its facts
    (`NUMBERS_KEPT`), so its sentences are present on their 5-grams alone."""
    gram_at = inner.gram_at
    counts = np.diff(gram_at)
    # sampled 5-grams found per sentence, from running sums (a sentence with none: 0)
    run = np.zeros(len(hit) + 1, dtype=np.int64)
    np.cumsum(hit, dtype=np.int64, out=run[1:])
    found = run[gram_at[1:]] - run[gram_at[:-1]]
    present = found >= SENTENCE_PRESENT * counts
    edited = found >= EDITED_PRESENT * counts
    nz = counts > 0
    if not nz.all():  # no sampled 5-gram: the whole sentence must be there
        present[~nz] = edited[~nz] = np.isin(inner.hashes[~nz], outer.hashes)
    if len(inner.numbers) and not kept:
        missing = ~in_sorted(inner.numbers, outer.num_vocab)
        run = np.zeros(len(missing) + 1, dtype=np.int64)
        np.cumsum(missing, dtype=np.int64, out=run[1:])
        num_at = inner.num_at
        numbers_there = run[num_at[1:]] == run[num_at[:-1]]
        present &= numbers_there
        edited &= numbers_there
    return present, edited


def same_text(
    a: Fingerprint, b: Fingerprint, leave_out: np.ndarray | None = None, share: bool = True
) -> SameText:
    """How much of the shorter of a and b (by characters of its sentences) appears nearly
    verbatim in the other. ``leave_out``: sentence hashes that count for neither side
    (boilerplate: sentences found in many unrelated clusters). ``share=False``: only the
    template check (numbers, subject words); the sentences are not compared
    (``compared`` False, ``share`` 1.0)."""
    if _K_SAME_TEXT is None or _K_KEPT is None or not loaded():
        return _same_text_numpy(a, b, leave_out, share)
    if leave_out is None or not len(leave_out):
        keep_a = keep_b = _ALL
        chars_a, chars_b = a.total_chars, b.total_chars
    else:
        out = np.sort(leave_out)
        chars_a, keep_a = _K_KEPT(a.hashes, a.chars, out)
        chars_b, keep_b = _K_KEPT(b.hashes, b.chars, out)
    if chars_a == 0 or chars_b == 0:
        return _NO_TEXT
    side: Literal["a", "b"]
    inner, outer, keep, side = (a, b, keep_a, "a") if chars_a <= chars_b else (b, a, keep_b, "b")
    chars, other = min(chars_a, chars_b), max(chars_a, chars_b)
    n = len(inner) if keep is _ALL else int(np.count_nonzero(keep))
    state, n_hit, n_grams, nums_found, subj_found, part, part_e = _K_SAME_TEXT(
        inner.hashes,
        inner.chars,
        inner.gram_at,
        inner.grams,
        inner.num_at,
        inner.numbers,
        inner.num_vocab,
        inner.repeated,
        outer.hashes,
        outer.vocab,
        outer.num_vocab,
        outer.words,
        keep,
        share,
    )
    n_nums, subj = len(inner.num_vocab), len(inner.repeated)
    found = nums_found / n_nums if n_nums else 1.0
    in_other = subj_found / subj if subj else 1.0
    if state == 1:  # share=False: the template check only
        return SameText(1.0, n, chars, n_nums, found, side, subj, in_other, other, False, 1.0)
    if state == 2:  # the 5-gram early out
        g = n_hit / n_grams
        return SameText(g, n, chars, 0, 1.0, side, outer_chars=other, edited=g)
    return SameText(
        part / chars, n, chars, n_nums, found, side, subj, in_other, other, True, part_e / chars
    )


_ALL = np.empty(0, np.bool_)  # `_same_text_kernel`: no sentence left out


def _kept_kernel(hashes, chars, leave_out):
    """(characters of the sentences not in the sorted ``leave_out``, which are kept)."""
    keep = np.ones(len(hashes), np.bool_)
    total = 0
    m = len(leave_out)
    for i in range(len(hashes)):
        k = np.searchsorted(leave_out, hashes[i])
        if k < m and leave_out[k] == hashes[i]:
            keep[i] = False
        else:
            total += chars[i]
    return total, keep


def _same_text_kernel(
    i_hashes, i_chars, i_gram_at, i_grams, i_num_at, i_numbers, nums, subject,
    o_hashes, o_vocab, o_num_vocab, o_words, keep, share,
):  # fmt: skip
    """`_same_text_numpy`'s counts, inner (the shorter) against outer, in one compiled pass:
    (state: 1 template check only, 2 early out, 3 compared; 5-grams hit, 5-grams, numbers
    found, subject words found, characters of present sentences, of present or edited
    ones). ``keep``: the sentences not left out (empty: all)."""
    mv, mw = len(o_num_vocab), len(o_words)
    nf = 0
    for v in nums:
        k = np.searchsorted(o_num_vocab, v)
        if k < mv and o_num_vocab[k] == v:
            nf += 1
    sf = 0
    for v in subject:
        k = np.searchsorted(o_words, v)
        if k < mw and o_words[k] == v:
            sf += 1
    if not share:
        return 1, 0, 0, nf, sf, 0, 0
    n_grams = len(i_grams)
    hit = np.zeros(n_grams, np.bool_)
    n_hit = 0
    m = len(o_vocab)
    for g in range(n_grams):
        v = i_grams[g]
        k = np.searchsorted(o_vocab, v)
        if k < m and o_vocab[k] == v:
            hit[g] = True
            n_hit += 1
    if n_hit < EARLY_OUT * n_grams:
        return 2, n_hit, n_grams, nf, sf, 0, 0
    kept = (nf / len(nums) if len(nums) else 1.0) >= NUMBERS_KEPT
    all_kept = len(keep) == 0
    part = 0
    part_e = 0
    for s in range(len(i_hashes)):
        if not all_kept and not keep[s]:
            continue
        g0, g1 = i_gram_at[s], i_gram_at[s + 1]
        if g1 > g0:
            f = 0
            for g in range(g0, g1):
                f += hit[g]
            present = f >= SENTENCE_PRESENT * (g1 - g0)
            edited = f >= EDITED_PRESENT * (g1 - g0)
        else:  # no sampled 5-gram: the whole sentence must be there
            present = False
            for h in o_hashes:
                if h == i_hashes[s]:
                    present = True
                    break
            edited = present
        if edited and not kept:
            for q in range(i_num_at[s], i_num_at[s + 1]):
                v = i_numbers[q]
                k = np.searchsorted(o_num_vocab, v)
                if not (k < mv and o_num_vocab[k] == v):
                    present = edited = False
                    break
        if present:
            part += i_chars[s]
        if edited:
            part_e += i_chars[s]
    return 3, n_hit, n_grams, nf, sf, part, part_e


_K_KEPT = kernel(_kept_kernel)
_K_SAME_TEXT = kernel(_same_text_kernel)


def _same_text_numpy(
    a: Fingerprint, b: Fingerprint, leave_out: np.ndarray | None = None, share: bool = True
) -> SameText:
    """`same_text` in numpy calls (without compiled kernels; tests compare the two)."""
    if leave_out is None or not len(leave_out):
        keep_a = keep_b = None
        chars_a, chars_b = a.total_chars, b.total_chars
    else:
        out = np.sort(leave_out)
        keep_a, keep_b = ~in_sorted(a.hashes, out), ~in_sorted(b.hashes, out)
        chars_a, chars_b = int(a.chars[keep_a].sum()), int(b.chars[keep_b].sum())
    return text_of_row(_row_numpy(a, b, keep_a, keep_b, chars_a, chars_b, share))


def _row_numpy(
    a: Fingerprint,
    b: Fingerprint,
    keep_a: np.ndarray | None,
    keep_b: np.ndarray | None,
    chars_a: int,
    chars_b: int,
    share: bool = True,
) -> np.ndarray:
    """`same_text`'s numbers (a row of `same_text_rows`) in numpy; ``keep_*``: the
    sentences not left out (None: all), ``chars_*``: their characters."""
    row = np.zeros(_TEXT_COLUMNS, np.int64)
    row[_T_CHARS_A], row[_T_CHARS_B] = chars_a, chars_b
    if chars_a == 0 or chars_b == 0:
        return row  # _NONE_TEXT
    a_inner = chars_a <= chars_b
    inner, outer, keep = (a, b, keep_a) if a_inner else (b, a, keep_b)
    row[_T_A_INNER] = a_inner
    row[_T_N] = len(inner) if keep is None else int(np.count_nonzero(keep))
    nums, subject = inner.num_vocab, inner.repeated
    if not share:
        row[_T_STATE] = _TEMPLATE_ONLY
        row[_T_NUMS_FOUND] = int(np.count_nonzero(in_sorted(nums, outer.num_vocab)))
        row[_T_SUBJECT_FOUND] = int(np.count_nonzero(in_sorted(subject, outer.words)))
        row[_T_NUMS], row[_T_SUBJECT] = len(nums), len(subject)
        return row
    hit = in_sorted(inner.grams, outer.vocab)
    n_hit = int(np.count_nonzero(hit))
    row[_T_HITS], row[_T_GRAMS] = n_hit, len(hit)
    if n_hit < EARLY_OUT * len(hit):
        # too few of its 5-grams in the other for the sentences to be: the 5-gram share is
        # reported (cheap; most candidates the LSH bands bring end here)
        row[_T_STATE] = _EARLY
        return row
    nf = int(np.count_nonzero(in_sorted(nums, outer.num_vocab)))
    found = nf / len(nums) if len(nums) else 1.0
    present, edited = _present(inner, outer, hit, found >= NUMBERS_KEPT)
    if keep is not None:
        present &= keep
        edited &= keep
    row[_T_EDITED] = int(inner.chars[edited].sum())
    row[_T_STATE] = _COMPARED
    row[_T_NUMS_FOUND] = nf
    row[_T_SUBJECT_FOUND] = int(np.count_nonzero(in_sorted(subject, outer.words)))
    row[_T_PART] = int(inner.chars[present].sum())
    row[_T_NUMS], row[_T_SUBJECT] = len(nums), len(subject)
    return row


def _found_share(values: np.ndarray, sorted_other: np.ndarray) -> float:
    """Share of ``values`` found in ``sorted_other`` (1.0 for none): the same float as
    ``in_sorted(values, sorted_other).mean()``."""
    if not len(values):
        return 1.0
    return int(np.count_nonzero(in_sorted(values, sorted_other))) / len(values)


@dataclass(frozen=True)
class _Early:
    """The 5-gram early out of a against many b (`_early_pass`), one value per b."""

    early: np.ndarray  # the pair stops at the early out
    hits: np.ndarray
    grams: np.ndarray
    chars_a: int
    chars_b: np.ndarray
    n_a: int
    n_b: np.ndarray
    a_inner: np.ndarray


def _early_pass(a: Fingerprint, bs: Sequence[Fingerprint], leave_out: np.ndarray | None) -> _Early:
    """`same_text`'s early out for a against every b of ``bs`` in one numpy pass: the
    shorter one's sampled 5-grams found in the other, as one lookup in a's vocabulary (b's
    sampled 5-grams when b is the shorter; b's distinct ones, each counted as often as a
    has it, when a is)."""
    k = len(bs)
    if leave_out is None or not len(leave_out):
        chars_a, n_a = a.total_chars, len(a)
        chars_b = np.array([b.total_chars for b in bs], dtype=np.int64)
        n_b = np.array([len(b.hashes) for b in bs], dtype=np.int64)
    else:
        owner_s = np.repeat(np.arange(k), [len(b) for b in bs])
        b_chars = np.concatenate([b.chars for b in bs]).astype(np.int64)
        out = np.sort(leave_out)
        keep_a = ~in_sorted(a.hashes, out)
        chars_a, n_a = int(a.chars[keep_a].sum()), int(keep_a.sum())
        keep_b = ~in_sorted(np.concatenate([b.hashes for b in bs]), out)
        chars_b = np.bincount(owner_s, weights=b_chars * keep_b, minlength=k).astype(np.int64)
        n_b = np.bincount(owner_s, weights=keep_b, minlength=k).astype(np.int64)
    a_inner = chars_a <= chars_b
    parts = [b.vocab if ai else b.grams for b, ai in zip(bs, a_inner.tolist(), strict=True)]
    sizes = [len(x) for x in parts]
    grams = np.where(a_inner, len(a.grams), [len(b.grams) for b in bs])
    vocab = a.vocab
    if len(vocab) and _K_EARLY_HITS is not None and loaded():
        hits = _K_EARLY_HITS(
            np.concatenate(parts), np.array(sizes, np.int64), a_inner, vocab, a.gram_counts
        )
    elif len(vocab):
        vals = np.concatenate(parts)
        owner = np.repeat(np.arange(k), sizes)
        # only the values whose low bits some vocabulary value has can be in it: searched
        maybe = np.zeros(_SIEVE, dtype=bool)
        maybe[vocab & _SIEVE_MASK] = True
        cand = np.flatnonzero(maybe[vals & _SIEVE_MASK])
        vals, owner = vals[cand], owner[cand]
        at = np.searchsorted(vocab, vals)
        np.minimum(at, len(vocab) - 1, out=at)
        found = vocab[at] == vals
        at, owner = at[found], owner[found]
        weight = np.where(a_inner[owner], a.gram_counts[at], 1)
        hits = np.bincount(owner, weight, k).astype(np.int64)
    else:
        hits = np.zeros(k, dtype=np.int64)
    early = (chars_a > 0) & (chars_b > 0) & (hits < EARLY_OUT * grams)
    return _Early(early, hits, grams, chars_a, chars_b, n_a, n_b, a_inner)


def _early_hits_kernel(vals, sizes, a_inner, vocab, gram_counts):
    """`_early_pass`'s hits: for each b (its ``sizes[k]`` values of ``vals`` in turn), its
    values found in ``vocab``, each counted ``gram_counts`` times when a is the inner one."""
    hits = np.zeros(len(sizes), np.int64)
    m = len(vocab)
    maybe = np.zeros(_SIEVE, np.bool_)  # low bits some vocabulary value has: searched
    for v in vocab:
        maybe[v & _SIEVE_MASK] = True
    at = 0
    for k in range(len(sizes)):
        w = a_inner[k]
        n = 0
        for q in range(at, at + sizes[k]):
            v = vals[q]
            if not maybe[v & _SIEVE_MASK]:
                continue
            i = np.searchsorted(vocab, v)
            if i < m and vocab[i] == v:
                n += gram_counts[i] if w else 1
        hits[k] = n
        at += sizes[k]
    return hits


_K_EARLY_HITS = kernel(_early_hits_kernel)


def same_text_many(
    a: Fingerprint,
    bs: Sequence[Fingerprint],
    leave_out: np.ndarray | None = None,
    share: bool = True,
) -> list[SameText]:
    """``[same_text(a, b, leave_out, share) for b in bs]``, equal field for field, with the
    5-gram early out of every pair taken in one numpy pass: the pairs that stop there (most
    candidates the piece store brings) cost no call of their own."""
    if not share or len(bs) < 2:
        return [same_text(a, b, leave_out, share) for b in bs]
    e = _early_pass(a, bs, leave_out)
    hits, grams, chars_a, chars_b = e.hits, e.grams, e.chars_a, e.chars_b
    out_texts: list[SameText] = []
    for i, b in enumerate(bs):
        if not e.early[i]:
            out_texts.append(same_text(a, b, leave_out, share))
            continue
        cb, side = int(chars_b[i]), e.a_inner[i]
        out_texts.append(
            SameText(
                float(hits[i] / grams[i]),
                e.n_a if side else int(e.n_b[i]),
                min(chars_a, cb),
                0,
                1.0,
                "a" if side else "b",
                outer_chars=max(chars_a, cb),
                edited=float(hits[i] / grams[i]),
            )
        )
    return out_texts


# ---------------------------------------------------------------------------------------------
# One article against many kept fingerprints, without an object per pair

# The columns of a `same_text_rows` row: what `same_text` (share=True) computes for a pair.
_T_STATE = 0  # _NONE_TEXT: a side without characters; _TEMPLATE_ONLY: share=False;
# _EARLY: the 5-gram early out; _COMPARED
_T_HITS = 1  # the inner one's sampled 5-grams found in the other ...
_T_GRAMS = 2  # ... of its sampled 5-grams
_T_NUMS_FOUND = 3  # its distinct numbers found in the other (compared only)
_T_SUBJECT_FOUND = 4  # the words it repeats found in the other (compared only)
_T_PART = 5  # characters of its present sentences (compared only)
_T_CHARS_A = 6  # characters of a's sentences, then of b's (both without those left out)
_T_CHARS_B = 7
_T_N = 8  # the inner one's sentences (not left out)
_T_A_INNER = 9  # 1: a is the inner (shorter) one
_T_NUMS = 10  # its distinct numbers, the words it repeats (compared only)
_T_SUBJECT = 11
_T_EDITED = 12  # characters of its present or edited sentences (compared only)
_TEXT_COLUMNS = 13
_NONE_TEXT, _TEMPLATE_ONLY, _EARLY, _COMPARED = 0, 1, 2, 3


def text_of_row(row: np.ndarray) -> SameText:
    """The `SameText` a row of `same_text_rows` stands for (equal to `same_text`'s)."""
    state, hits, grams, nf, sf, part, chars_a, chars_b, n, a_inner, nums, subj, part_e = (
        row.tolist()
    )
    if state == _NONE_TEXT:
        return _NO_TEXT
    side: Literal["a", "b"] = "a" if a_inner else "b"
    chars, other = min(chars_a, chars_b), max(chars_a, chars_b)
    if state == _EARLY:
        g = hits / grams
        return SameText(g, n, chars, 0, 1.0, side, outer_chars=other, edited=g)
    found = nf / nums if nums else 1.0
    in_other = sf / subj if subj else 1.0
    if state == _TEMPLATE_ONLY:
        return SameText(1.0, n, chars, nums, found, side, subj, in_other, other, False, 1.0)
    return SameText(
        part / chars, n, chars, nums, found, side, subj, in_other, other, True, part_e / chars
    )


def text_shares(rows: np.ndarray, edited: bool = False) -> np.ndarray:
    """The ``share`` (``edited``: the ``edited`` share) of each row's `SameText`
    (`text_of_row`) in one numpy pass (``share``: the second array `same_text_rows`
    returns)."""
    state = rows[:, _T_STATE]
    chars = np.minimum(rows[:, _T_CHARS_A], rows[:, _T_CHARS_B])
    num = np.where(state == _EARLY, rows[:, _T_HITS], rows[:, _T_EDITED if edited else _T_PART])
    den = np.where(state == _EARLY, rows[:, _T_GRAMS], chars)
    out = np.zeros(len(rows))
    some = (state == _EARLY) | (state == _COMPARED)
    out[some] = num[some] / den[some]
    out[state == _TEMPLATE_ONLY] = 1.0
    return out


_GROW = 2  # a `FingerprintTable` buffer grows by half: at most a third of it unused


class FingerprintTable:
    """Many articles' fingerprints in flat growable arrays, one numbered slot each (the
    Deduplicator's clusters), so that `same_text_rows` compares an article with many of
    them in one kernel call. ``table[i]`` is slot i's `Fingerprint` (arrays of its own) or
    None; `put` fills or replaces a slot (a replaced slot's old arrays stay in the buffers
    unused: a cluster's version changes rarely). Buffers grow by half; a slot costs
    about 170 bytes on top of its arrays (a `Fingerprint` object: about 1.5 KB)."""

    # field, dtype; "gram_at" and "num_at" hold one offset more than the sentences
    _FIELDS = (
        ("hashes", np.uint64),
        ("chars", np.int32),
        ("gram_at", np.int64),
        ("grams", np.uint32),
        ("num_at", np.int64),
        ("numbers", np.uint32),
        ("vocab", np.uint32),
        ("num_vocab", np.uint32),
        ("words", np.uint32),
        ("repeated", np.uint32),
    )

    def __init__(self) -> None:
        self._data = [np.empty(1024, dtype=dt) for _, dt in self._FIELDS]
        self._used = np.zeros(len(self._FIELDS), np.int64)  # the values in each buffer
        self._start = np.zeros((256, len(self._FIELDS)), np.int64)
        self._count = np.zeros((256, len(self._FIELDS)), np.int64)
        self._has = np.zeros(256, np.bool_)
        self._version = np.zeros(256, np.int64)
        self._puts = 0
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def append(self, fp: Fingerprint | None) -> int:
        """A new slot holding ``fp`` (None: no fingerprint); returns its number."""
        i = self.n
        if i == len(self._has):
            rows = i + i // _GROW
            for name in ("_start", "_count", "_has", "_version"):
                grow(self, name, rows)
        self.n = i + 1
        self.put(i, fp)
        return i

    def put(self, i: int, fp: Fingerprint | None) -> None:
        """Slot i holds ``fp`` from now on (None: no fingerprint)."""
        self._puts += 1
        self._version[i] = self._puts
        self._has[i] = fp is not None
        if fp is None:
            self._count[i] = 0
            return
        arrays = fp._arrays()
        if _K_TABLE_PUT is not None and loaded():
            # one compiled call writes the ten fields (or none, when a buffer is full)
            if _K_TABLE_PUT(i, self._used, self._start, self._count, *self._data, *arrays):
                return
            self._grow(arrays)
            _K_TABLE_PUT(i, self._used, self._start, self._count, *self._data, *arrays)
            return
        self._grow(arrays)
        starts = self._used.tolist()
        counts = [len(arr) for arr in arrays]
        for f, arr in enumerate(arrays):
            self._data[f][starts[f] : starts[f] + counts[f]] = arr
        self._start[i] = starts
        self._count[i] = counts
        self._used += counts

    def _grow(self, arrays: tuple[np.ndarray, ...]) -> None:
        """Make room in each buffer for ``arrays`` (one per field): a full one grows by
        half, or to fit them."""
        for f, arr in enumerate(arrays):
            size, need = len(self._data[f]), int(self._used[f]) + len(arr)
            if need > size:
                grow(self._data, f, max(need, size + size // _GROW))

    def __getitem__(self, i: int) -> Fingerprint | None:
        """Slot i's fingerprint in arrays of its own (kept safely), or None."""
        if not self._has[i]:
            return None
        return Fingerprint(*(a.copy() for a in self._views(i)))

    def view(self, i: int) -> Fingerprint | None:
        """Slot i's fingerprint as views of the table's buffers (for a comparison now: a
        later `put` may move them), or None."""
        if not self._has[i]:
            return None
        return Fingerprint(*self._views(i))

    def _views(self, i: int) -> list[np.ndarray]:
        start, count = self._start[i].tolist(), self._count[i].tolist()
        return [d[a : a + n] for d, a, n in zip(self._data, start, count, strict=True)]

    @property
    def has(self) -> np.ndarray:
        """Which slots hold a fingerprint (a view)."""
        return self._has[: self.n]

    def version(self, i: int) -> int:
        """A number that changes whenever slot i is `put` (for caches of comparisons)."""
        return int(self._version[i])

    @property
    def nbytes(self) -> int:
        return sum(int(d.nbytes) for d in self._data) + sum(
            int(x.nbytes) for x in (self._start, self._count, self._has, self._version)
        )


def _table_put_kernel(
    i, used, start, count,
    hashes, chars, gram_at, grams, num_at, numbers, vocab, num_vocab, words, repeated,
    a_hashes, a_chars, a_gram_at, a_grams, a_num_at, a_numbers, a_vocab, a_num_vocab,
    a_words, a_repeated,
):  # fmt: skip
    """`FingerprintTable.put` compiled: slot i's fields appended to the buffers (in
    `FingerprintTable._FIELDS` order), their starts and counts in row i. Returns False,
    writing nothing, when a buffer has no room for its field (the caller grows them).
    (The fields differ in dtype: each is named, and the inner functions typed per call.)"""

    def room(f, buf, arr):
        return used[f] + len(arr) <= len(buf)

    def append(f, buf, arr):
        n = len(arr)
        buf[used[f] : used[f] + n] = arr
        start[i, f], count[i, f] = used[f], n
        used[f] += n

    if not (
        room(0, hashes, a_hashes)
        and room(1, chars, a_chars)
        and room(2, gram_at, a_gram_at)
        and room(3, grams, a_grams)
        and room(4, num_at, a_num_at)
        and room(5, numbers, a_numbers)
        and room(6, vocab, a_vocab)
        and room(7, num_vocab, a_num_vocab)
        and room(8, words, a_words)
        and room(9, repeated, a_repeated)
    ):
        return False
    append(0, hashes, a_hashes)
    append(1, chars, a_chars)
    append(2, gram_at, a_gram_at)
    append(3, grams, a_grams)
    append(4, num_at, a_num_at)
    append(5, numbers, a_numbers)
    append(6, vocab, a_vocab)
    append(7, num_vocab, a_num_vocab)
    append(8, words, a_words)
    append(9, repeated, a_repeated)
    return True


_K_TABLE_PUT = kernel(_table_put_kernel)


def same_text_rows(
    a: Fingerprint,
    table: FingerprintTable,
    slots: np.ndarray,
    leave_out: np.ndarray | None = None,
    share: bool = True,
    edited: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``same_text(a, table[s], leave_out, share)`` for each slot s of ``slots`` (each
    holding a fingerprint) as numbers: (one int64 row per slot, its ``share``s, or with
    ``edited`` its ``edited`` shares: `text_shares`). A caller drops the pairs that cannot
    pass on their shares (`cluster.text_refused`) and makes the `SameText` of the others
    (`text_of_row`). With kernels, one compiled call for all the slots; no object per pair."""
    slots = np.asarray(slots, dtype=np.int64)
    out = _NO_HASHES if leave_out is None else np.sort(leave_out).astype(np.uint64)
    if _K_TABLE_TEXTS is not None and loaded():
        return _K_TABLE_TEXTS(
            *a._arrays(),
            a.gram_counts,
            out,
            *table._data,
            table._start,
            table._count,
            slots,
            share,
            edited,
        )
    rows = _same_text_rows_numpy(a, table, slots, out, share)
    return rows, text_shares(rows, edited)


_NO_HASHES = np.empty(0, np.uint64)


def _same_text_rows_numpy(
    a: Fingerprint, table: FingerprintTable, slots: np.ndarray, out: np.ndarray, share: bool
) -> np.ndarray:
    """`same_text_rows`' rows in numpy calls: the early outs of many pairs in one pass
    (`_early_pass`), the pairs left compared one by one."""
    rows = np.zeros((len(slots), _TEXT_COLUMNS), np.int64)
    if not len(slots):
        return rows
    bs = [table.view(s) for s in slots.tolist()]
    assert all(b is not None for b in bs), "same_text_rows: a slot without a fingerprint"
    if len(bs) < 2 or not share:
        keep_a = None if not len(out) else ~in_sorted(a.hashes, out)
        chars_a = a.total_chars if keep_a is None else int(a.chars[keep_a].sum())
        for q, b in enumerate(bs):
            assert b is not None
            keep_b = None if not len(out) else ~in_sorted(b.hashes, out)
            chars_b = b.total_chars if keep_b is None else int(b.chars[keep_b].sum())
            rows[q] = _row_numpy(a, b, keep_a, keep_b, chars_a, chars_b, share)
        return rows
    e = _early_pass(a, bs, out)  # type: ignore[arg-type]
    for q, b in enumerate(bs):
        assert b is not None
        cb, a_in = int(e.chars_b[q]), bool(e.a_inner[q])
        rows[q, _T_CHARS_A], rows[q, _T_CHARS_B] = e.chars_a, cb
        if e.chars_a == 0 or cb == 0:
            continue  # _NONE_TEXT
        rows[q, _T_A_INNER] = a_in
        n = e.n_a if a_in else int(e.n_b[q])
        if e.early[q]:
            rows[q, _T_STATE], rows[q, _T_HITS], rows[q, _T_GRAMS] = _EARLY, e.hits[q], e.grams[q]
            rows[q, _T_N] = n
            continue
        keep_a = None if not len(out) else ~in_sorted(a.hashes, out)
        keep_b = None if not len(out) else ~in_sorted(b.hashes, out)
        rows[q] = _row_numpy(a, b, keep_a, keep_b, e.chars_a, cb)
    return rows


def _table_texts_kernel(
    a_hashes, a_chars, a_gram_at, a_grams, a_num_at, a_numbers, a_vocab, a_num_vocab,
    a_words, a_repeated, a_counts, leave_out,
    hashes, chars, gram_at, grams, num_at, numbers, vocab, num_vocab, words, repeated,
    start, count, slots, share, edited_share,
):  # fmt: skip
    """`same_text_rows` compiled: a against each slot of the table's flat arrays (slot s's
    field f is ``[start[s, f]:start[s, f] + count[s, f]]``, fields in `FingerprintTable`
    order), the 5-gram early out first (a's vocabulary behind a sieve of low bits, as in
    `_early_hits_kernel`), then `_same_text_kernel`'s comparison for the pairs left, which
    reads which 5-grams are present from the early out's own lookups (``share`` False: the
    template check only). Returns (rows, shares: ``edited_share``, the edited ones)."""
    k = len(slots)
    rows = np.zeros((k, 13), np.int64)
    shares = np.zeros(k, np.float64)
    m_out = len(leave_out)
    na = len(a_hashes)
    keep_a = np.ones(na, np.bool_)
    chars_a = 0
    n_a = 0
    for i in range(na):
        if m_out:
            j = np.searchsorted(leave_out, a_hashes[i])
            if j < m_out and leave_out[j] == a_hashes[i]:
                keep_a[i] = False
                continue
        chars_a += a_chars[i]
        n_a += 1
    # a's vocabulary in an open-addressing hash table (a quarter full at most): value ->
    # its index in a_vocab, -1 for an empty cell (the 5-grams are hashes: the high bits of
    # a multiplicative hash spread them)
    m = len(a_vocab) if share and k else 0  # (the template check needs no table)
    size = 64
    while size < 4 * m:
        size *= 2
    mask = size - 1
    cell = np.full(size, -1, np.int32)
    for i in range(m):
        h = ((a_vocab[i] * _HASH_MUL) >> 20) & mask
        while cell[h] >= 0:
            h = (h + 1) & mask
        cell[h] = i
    # a's arrays as slices, the same types as a slot's (one variable holds either side)
    A_h, A_c, A_ga, A_g = a_hashes[0:na], a_chars[0:na], a_gram_at[0 : na + 1], a_grams[0:]
    A_na, A_nu, A_nv = a_num_at[0 : na + 1], a_numbers[0:], a_num_vocab[0:]
    A_w, A_r = a_words[0:], a_repeated[0:]
    # the early out's lookups, kept for the full comparison: a's vocabulary entries found
    # in pair q's other side (``seen[v] == q + 1``), or the other's sampled 5-grams found
    # in a's (``b_hit``); where each of a's sampled 5-grams is in its vocabulary (``at_v``)
    seen = np.zeros(m, np.int64)
    at_v = np.empty(0, np.int64)
    b_hit = np.zeros(0, np.bool_)
    for q in range(k):
        s = slots[q]
        st = start[s]
        ct = count[s]
        B_h = hashes[st[0] : st[0] + ct[0]]
        B_c = chars[st[1] : st[1] + ct[1]]
        B_ga = gram_at[st[2] : st[2] + ct[2]]
        B_g = grams[st[3] : st[3] + ct[3]]
        B_na = num_at[st[4] : st[4] + ct[4]]
        B_nu = numbers[st[5] : st[5] + ct[5]]
        B_v = vocab[st[6] : st[6] + ct[6]]
        B_nv = num_vocab[st[7] : st[7] + ct[7]]
        B_w = words[st[8] : st[8] + ct[8]]
        B_r = repeated[st[9] : st[9] + ct[9]]
        nb = len(B_h)
        keep_b = np.ones(nb, np.bool_)
        chars_b = 0
        n_b = 0
        for i in range(nb):
            if m_out:
                j = np.searchsorted(leave_out, B_h[i])
                if j < m_out and leave_out[j] == B_h[i]:
                    keep_b[i] = False
                    continue
            chars_b += B_c[i]
            n_b += 1
        rows[q, 6] = chars_a
        rows[q, 7] = chars_b
        if chars_a == 0 or chars_b == 0:
            continue  # no text (state 0)
        a_in = chars_a <= chars_b
        rows[q, 9] = a_in
        rows[q, 8] = n_a if a_in else n_b
        hits = 0
        if not share:
            n_grams = 0
        elif a_in:  # a's sampled 5-grams in b: b's distinct ones in a's, counted as a has them
            n_grams = len(A_g)
            for v in B_v:
                h = ((v * _HASH_MUL) >> 20) & mask
                while cell[h] >= 0:
                    if a_vocab[cell[h]] == v:
                        hits += a_counts[cell[h]]
                        seen[cell[h]] = q + 1
                        break
                    h = (h + 1) & mask
        else:
            n_grams = len(B_g)
            b_hit = np.zeros(n_grams, np.bool_)
            for g in range(n_grams):
                v = B_g[g]
                h = ((v * _HASH_MUL) >> 20) & mask
                while cell[h] >= 0:
                    if a_vocab[cell[h]] == v:
                        hits += 1
                        b_hit[g] = True
                        break
                    h = (h + 1) & mask
        rows[q, 1] = hits
        rows[q, 2] = n_grams
        if hits < EARLY_OUT * n_grams:
            rows[q, 0] = 2
            shares[q] = hits / n_grams
            continue
        if a_in:
            i_h, i_c, i_ga, i_na, i_nu, i_nv, i_r, keep = (
                A_h, A_c, A_ga, A_na, A_nu, A_nv, A_r, keep_a
            )  # fmt: skip
            o_h, o_nv, o_w = B_h, B_nv, B_w
        else:
            i_h, i_c, i_ga, i_na, i_nu, i_nv, i_r, keep = (
                B_h, B_c, B_ga, B_na, B_nu, B_nv, B_r, keep_b
            )  # fmt: skip
            o_h, o_nv, o_w = A_h, A_nv, A_w
        mv, mw = len(o_nv), len(o_w)
        nf = 0
        for v in i_nv:
            j = np.searchsorted(o_nv, v)
            if j < mv and o_nv[j] == v:
                nf += 1
        sf = 0
        for v in i_r:
            j = np.searchsorted(o_w, v)
            if j < mw and o_w[j] == v:
                sf += 1
        rows[q, 3] = nf
        rows[q, 4] = sf
        rows[q, 10] = len(i_nv)
        rows[q, 11] = len(i_r)
        if not share:
            rows[q, 0] = 1
            shares[q] = 1.0
            continue
        if a_in:  # a's sampled 5-grams in b: as the early out found their values
            if len(at_v) != len(A_g):
                at_v = np.searchsorted(a_vocab, A_g)
            hit = np.zeros(len(A_g), np.bool_)
            for g in range(len(A_g)):
                hit[g] = seen[at_v[g]] == q + 1
        else:  # b's in a: found by the early out
            hit = b_hit
        kept = (nf / len(i_nv) if len(i_nv) else 1.0) >= NUMBERS_KEPT
        part = 0
        part_e = 0
        for t in range(len(i_h)):
            if not keep[t]:
                continue
            g0, g1 = i_ga[t], i_ga[t + 1]
            if g1 > g0:
                f = 0
                for g in range(g0, g1):
                    f += hit[g]
                present = f >= SENTENCE_PRESENT * (g1 - g0)
                edited = f >= EDITED_PRESENT * (g1 - g0)
            else:  # no sampled 5-gram: the whole sentence must be there
                present = False
                for h in o_h:
                    if h == i_h[t]:
                        present = True
                        break
                edited = present
            if edited and not kept:
                for u in range(i_na[t], i_na[t + 1]):
                    v = i_nu[u]
                    j = np.searchsorted(o_nv, v)
                    if not (j < mv and o_nv[j] == v):
                        present = edited = False
                        break
            if present:
                part += i_c[t]
            if edited:
                part_e += i_c[t]
        rows[q, 0] = 3
        rows[q, 5] = part
        rows[q, 12] = part_e
        shares[q] = (part_e if edited_share else part) / min(chars_a, chars_b)
    return rows, shares


_K_TABLE_TEXTS = kernel(_table_texts_kernel)

# -- Edited copies: the shared sentences in the same order ---------------------------------


@dataclass(frozen=True)
class EditedText(SameText):
    """`SameText` with ``ordered``: the share of the shorter article's characters in
    sentences found in the other nearly verbatim or edited (at least `EDITED_PRESENT` of
    their sampled 5-grams there, and their numbers, as for `same_text`), counted only along
    the longest chain of them that keeps its order in both articles (a longest common
    subsequence of the matched sentences, weighted by characters)."""

    ordered: float = 0.0

    def explain(self) -> str:
        """`SameText.explain` with "; in order 0.93"."""
        return f"{super().explain()}; in order {self.ordered:.2f}"


def in_order(
    a: Fingerprint, b: Fingerprint, text: SameText, leave_out: np.ndarray | None = None
) -> EditedText:
    """``text`` (`same_text(a, b, leave_out)`) with its `EditedText.ordered` share.

    A copy edited sentence by sentence (an outlet's words in every line of one press
    release) keeps the source's order; outlets that write up one release on their own
    reorder it (the quote first, the figures last). Each sentence of the shorter article
    that is present or edited is placed at the sentence of the other that holds most of its
    sampled 5-grams (a sentence without any: where its hash is); the heaviest chain of them
    whose places never go back counts. Meant for pairs near the threshold: a few numpy
    calls and a loop over the matched sentences."""
    inner, outer = (a, b) if text.inner == "a" else (b, a)
    fields = {f.name: getattr(text, f.name) for f in dataclass_fields(SameText)}
    if not text.chars or not len(inner) or not len(outer):
        return EditedText(**fields)
    keep = np.ones(len(inner), dtype=bool)
    if leave_out is not None and len(leave_out):
        keep = ~np.isin(inner.hashes, leave_out)
    n_in, n_out = len(inner), len(outer)
    grams, counts = inner.grams, np.diff(inner.gram_at)
    owner = np.repeat(np.arange(n_in), counts)
    hit = in_sorted(grams, outer.vocab)
    # present or edited, as `same_text` counts them (a verbatim sentence holds all its
    # 5-grams: it is among them)
    edited = _present(inner, outer, hit, text.numbers_found >= NUMBERS_KEPT)[1] & keep
    exact = np.isin(inner.hashes, outer.hashes)
    if not edited.any():
        return EditedText(**fields)
    # where each sentence sits in the other: the other's sentence holding most of its
    # sampled 5-grams (each 5-gram votes once for every sentence of the other it is in)
    o_owner = np.repeat(np.arange(n_out), np.diff(outer.gram_at))
    order = np.argsort(outer.grams, kind="stable")
    o_vals, o_own = outer.grams[order], o_owner[order]
    lo = np.searchsorted(o_vals, grams, "left")
    many = np.searchsorted(o_vals, grams, "right") - lo
    total = int(many.sum())
    place = np.zeros(n_in, dtype=np.int64)
    if total:
        g = np.repeat(np.arange(len(grams)), many)
        at = np.arange(total) - np.repeat(np.cumsum(many) - many, many) + np.repeat(lo, many)
        pairs = np.unique(g * n_out + o_own[at])
        votes = np.bincount(
            owner[pairs // n_out] * n_out + pairs % n_out, minlength=n_in * n_out
        ).reshape(n_in, n_out)
        place = votes.argmax(axis=1)
    if exact.any():  # a verbatim sentence sits where its hash is
        first: dict[int, int] = {}
        for k, h in enumerate(outer.hashes.tolist()):
            first.setdefault(h, k)
        for s in np.flatnonzero(exact & (counts == 0)).tolist():
            place[s] = first[int(inner.hashes[s])]
    # the heaviest chain of matched sentences whose places never go back
    at_s = place[edited].tolist()
    weight = inner.chars[edited].tolist()
    chain = [0] * len(at_s)
    for i, (p, w) in enumerate(zip(at_s, weight, strict=True)):
        chain[i] = w + max((chain[k] for k in range(i) if at_s[k] <= p), default=0)
    return EditedText(**fields, ordered=max(chain) / text.chars)
