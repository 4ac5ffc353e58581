"""Verification and representative choice, written once for the Deduplicator and the Index.

    v = verify(config, jaccard, size_a, size_b, pieces_a=pa, pieces_b=pb, chars_a=la, chars_b=lb)
    v.ok, v.kind, v.similarity          # True, "partial", 0.86: 86% of a's sentences are in b

Two articles are the same story when one of these holds (checked in this order):

- **near**: estimated Jaccard similarity of their shingle sets >= ``config.threshold``, or the
  shingle containment of the smaller set (estimated from Jaccard and the set sizes) >=
  ``config.containment`` with Jaccard >= ``config.min_jaccard``;
- **partial** (an abridged copy, or a story that grew): the share of one article's sentence
  pieces (`minhash.pieces_batch`) found in the other is >= ``config.containment``, and that
  article has at least ``config.min_sentences`` pieces and ``config.min_partial_chars``
  folded characters, so a one- or two-sentence brief never joins on containment alone;
  and it is the shorter one (at most `PARTIAL_MAX_RATIO` of the other's characters).
  The caller leaves boilerplate pieces (found in many unrelated clusters) out of both sets.

With sentence fingerprints (``text``, `dedupe_ko.sentences.same_text`: the share of the
shorter article's sentences found nearly verbatim in the other), what "the same text" means
is decided by them (`config.containment` is the one knob):

- a **template** (the shorter article's numbers, or the words it repeats, mostly absent
  from the other: one skeleton filled for another stock, broker, city or day) is never a
  duplicate, however high the Jaccard similarity;
- **near** by Jaccard or shingle containment also needs that share >= ``config.containment``
  (when the shorter article has at least ``config.min_sentences`` sentences and the share
  was compared: the caller may run only the template check over ``config.threshold``):
  outlets that write up one press release in their own words share wording, not sentences;
- **same text** otherwise: share >= ``config.containment`` (with the floors of the piece
  path: ``config.min_sentences`` sentences, ``config.min_partial_chars`` characters) is a
  **partial** match when the shorter article is at most `PARTIAL_MAX_RATIO` of the other
  (an abridged copy), else a **near** one (an edited copy: its own lede, a paragraph
  dropped or added, another ending);
- **edited text** last: the same, on the share of sentences found whole or edited
  (`SameText.edited`: a release another outlet edited line by line keeps few sentences
  whole); its similarity is that share.

A refused candidate's `Verdict.reason` says why.

`best` picks among verified candidates: near before partial, then the highest similarity,
then the highest Jaccard, then the oldest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np

from .minhash import containment as _estimated_containment

if TYPE_CHECKING:
    from .dedup import DedupConfig
    from .sentences import SameText

__all__ = [
    "BRIEF_SENTENCE_CHARS",
    "CHAIN_MIN_SHARE",
    "PARTIAL_MAX_RATIO",
    "TEXT_MIN_JACCARD",
    "Verdict",
    "best",
    "fuller",
    "in_sorted",
    "piece_containment",
    "text_refused",
    "verify",
]

VerdictKind = Literal["near", "partial", "none"]
# A partial match is a shorter version: at most this share of the other's characters. Two
# bodies of about the same length that share 70% are near copies or not copies at all (the
# MinHash path decides), never "one inside the other".
PARTIAL_MAX_RATIO = 0.8
# A candidate found by LSH band keys alone (no shared sentence piece) is compared sentence by
# sentence from this estimated Jaccard on; below it only the MinHash rule applies (so the
# Spark engine links band pairs from here on: `dedupe_ko.spark`).
TEXT_MIN_JACCARD = 0.3
# A body cut into fewer than ``min_sentences`` sentences is a brief only when it is short too:
# under ``min_sentences`` times this many folded characters. A longer one (sentences of 150+
# characters on average, beyond the 99th percentile of real news sentences) is text printed
# without sentence ends (wire copy stripped of periods, a list of ▲ items): its share counts.
BRIEF_SENTENCE_CHARS = 100
# A body verified against a cluster's fuller version (one that superseded the brief the
# cluster started from) joins it only when it also shares at least this share of the shorter
# side with that first version, its representative (sentences whole or edited): no cluster
# holds two articles of which neither contains half of the other.
CHAIN_MIN_SHARE = 0.5
_T = TypeVar("_T")


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing two articles a and b.

    ``similarity``: Jaccard (near by Jaccard), the shingle containment (near by containment)
    or the piece containment (partial) that decided; ``jaccard``: the Jaccard estimate;
    ``containment``: the largest share of one article's sentence pieces found in the other
    (0.0 when pieces were not compared); ``contained``: "a" or "b", which one lies inside the
    other for a partial match ("" otherwise); with sentence fingerprints ``containment`` is
    the share of the shorter one's sentences found nearly verbatim in the other and
    ``reason`` says how it was decided ("same text: share 0.83 of 12 sentences; ...") or
    why a candidate was refused ("template (...)", "not the same text (...)").
    """

    ok: bool
    kind: VerdictKind
    similarity: float
    jaccard: float
    containment: float = 0.0
    contained: Literal["a", "b", ""] = ""
    reason: str = ""


def in_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each value of ``a``, is it in the sorted array ``b``? (bool array like ``a``)"""
    if not len(b):
        return np.zeros(len(a), dtype=bool)
    i = np.searchsorted(b, a)
    np.minimum(i, len(b) - 1, out=i)  # past the end: b's last value, under a
    return b[i] == a


def piece_containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the distinct piece hashes ``a`` that are also in the sorted ``b`` (0.0 for
    none)."""
    if not len(a) or not len(b):
        return 0.0
    return float(in_sorted(a, b).sum()) / len(a)


def verify(
    config: DedupConfig,
    jaccard: float,
    size_a: int,
    size_b: int,
    *,
    pieces_a: np.ndarray | None = None,
    pieces_b: np.ndarray | None = None,
    chars_a: int = 0,
    chars_b: int = 0,
    sentences_a: int | None = None,
    sentences_b: int | None = None,
    text: SameText | None = None,
) -> Verdict:
    """Are a and b the same story? Near by MinHash first; partial by sentence pieces when
    both piece sets are given (``chars_*``: folded characters in those pieces).
    ``sentences_*``: sentences of each (default: the piece counts); when known, the MinHash
    containment route too needs ``config.min_sentences`` on the smaller side. With ``text``
    (`dedupe_ko.sentences.same_text` of a and b) the sentences decide (module docstring)."""
    j = float(jaccard)
    if text is not None:
        return _same_text(config, j, size_a, size_b, text)
    if j >= config.threshold:
        return Verdict(True, "near", j, j)
    if j >= config.min_jaccard:
        a_small = size_a <= size_b
        small, big = (size_a, size_b) if a_small else (size_b, size_a)
        c = _estimated_containment(j, small, big)
        n = sentences_a if a_small else sentences_b
        if c >= config.containment and (n is None or n >= config.min_sentences):
            return Verdict(True, "near", float(c), j)
    if pieces_a is None or pieces_b is None or not len(pieces_a) or not len(pieces_b):
        return Verdict(False, "none", j, j)
    shared = int(in_sorted(pieces_a, pieces_b).sum())
    c_a, c_b = shared / len(pieces_a), shared / len(pieces_b)
    # The contained side: the larger share; on a tie the shorter text.
    a_inside = c_a > c_b or (c_a == c_b and chars_a <= chars_b)
    if a_inside:
        share, n, chars = c_a, len(pieces_a) if sentences_a is None else sentences_a, chars_a
    else:
        share, n, chars = c_b, len(pieces_b) if sentences_b is None else sentences_b, chars_b
    other = chars_b if a_inside else chars_a
    ok = (
        share >= config.containment
        and n >= config.min_sentences
        and chars >= config.min_partial_chars
        and (not other or chars <= PARTIAL_MAX_RATIO * other)
    )
    if not ok:
        return Verdict(False, "none", j, j, share)
    return Verdict(True, "partial", share, j, share, "a" if a_inside else "b")


def _same_text(config: DedupConfig, j: float, size_a: int, size_b: int, text: SameText) -> Verdict:
    """`verify` with sentence fingerprints."""
    share = text.share if text.compared else 0.0
    if text.template:
        return Verdict(False, "none", j, j, share, reason=f"template ({text.explain()})")
    # a brief (fewer than min_sentences sentences, and short: `BRIEF_SENTENCE_CHARS`) has no
    # meaningful share: it joins on Jaccard >= threshold alone
    few = (
        text.sentences < config.min_sentences
        and text.chars < config.min_sentences * BRIEF_SENTENCE_CHARS
    )
    same = share >= config.containment
    if j >= config.threshold and (few or same or not text.compared):
        return Verdict(True, "near", j, j, share, reason=f"jaccard {j:.2f}; {text.explain()}")
    # the containment estimate needs min_sentences too, as without fingerprints
    if j >= config.min_jaccard and not few and (same or not text.compared):
        small, big = (size_a, size_b) if size_a <= size_b else (size_b, size_a)
        c = _estimated_containment(j, small, big)
        if c >= config.containment:
            return Verdict(
                True,
                "near",
                float(c),
                j,
                share,
                reason=f"shingle containment {c:.2f}; {text.explain()}",
            )
    # the same text: its sentences found whole (the share) or, failing that, whole or edited
    # by the other outlet (words changed, a clause cut, two sentences merged) make up
    # `containment` of it
    edited = text.edited if text.compared else 0.0
    whole_or_edited = same or edited >= config.containment
    if whole_or_edited and not few and text.chars >= config.min_partial_chars:
        sim, what = (share, "same text") if same else (edited, "edited text")
        why = f"{what}: {text.explain()}"
        if text.chars <= PARTIAL_MAX_RATIO * text.outer_chars:
            return Verdict(True, "partial", sim, j, share, text.inner, why)
        return Verdict(True, "near", sim, j, share, reason=why)
    return Verdict(
        False, "none", j, j, share, reason=f"not the same text (jaccard {j:.2f}, {text.explain()})"
    )


def text_refused(config: DedupConfig, jaccard: np.ndarray, edited: np.ndarray) -> np.ndarray:
    """Which candidates `verify` must refuse, known before their `SameText` is built: those
    whose sentences were compared (no template found) with the ``edited`` share (sentences
    present or edited; never under ``share``) under ``config.containment`` and Jaccard
    under ``config.threshold`` (every accepting route of `_same_text` needs one of the
    two). NaN shares (not known) are never refused here."""
    return (np.asarray(jaccard) < config.threshold) & (np.asarray(edited) < config.containment)


def best(candidates: Iterable[tuple[Verdict, int, _T]]) -> tuple[Verdict, _T] | None:
    """The best verified candidate of (verdict, age, item) triples: near before partial,
    then the highest similarity, then the highest Jaccard (a brief found whole in several
    versions joins the one most like it), then the smallest age (the oldest); None if none
    is ok."""
    top: tuple[tuple[int, float, float, int], Verdict, _T] | None = None
    for v, age, item in candidates:
        if not v.ok:
            continue
        rank = (0 if v.kind == "near" else 1, -v.similarity, -v.jaccard, age)
        if top is None or rank < top[0]:
            top = (rank, v, item)
    return None if top is None else (top[1], top[2])


def fuller(chars_a: int, chars_b: int) -> bool:
    """Is a the fuller version (more folded characters) of the story than b? Ties: no,
    the one seen first stays."""
    return chars_a > chars_b
