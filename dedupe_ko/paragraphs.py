"""Repeated paragraphs inside one article (the print view that doubles the body).

`find_repeats(paragraphs)` returns, for each paragraph that repeats an earlier one, the index
of the earlier paragraph it repeats. Exact repeats compare a folded key (no spaces,
punctuation or quote variants); near repeats compare character trigram sets, so a copy with
different spacing, a typo, or a sentence dropped from its start still counts.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import deque
from collections.abc import Sequence

from .normalize import fold_keys

__all__ = ["find_repeats", "trigrams"]

_W, _STRIDE = 8, 4  # probe length; stride of the index of kept paragraphs
_SCAN_MAX = 200  # up to this many kept paragraphs, candidates are found by scanning
_POOL_MAX = 64  # at most this many candidates (the latest) are compared


def trigrams(key: str) -> frozenset[str]:
    """Character trigrams of a folded key (the key itself when shorter)."""
    if len(key) < 3:
        return frozenset((key,)) if key else frozenset()
    return frozenset([key[i : i + 3] for i in range(len(key) - 2)])  # a list: 1.4x a generator


def find_repeats(
    paragraphs: Sequence[str],
    *,
    near_threshold: float = 0.8,
    containment_threshold: float = 0.9,
    lone_threshold: float = 0.95,
    min_near_chars: int = 20,
    min_contained_chars: int = 40,
) -> dict[int, tuple[int, float]]:
    """Map each repeated paragraph's index to (index of the paragraph it repeats, similarity).

    The first occurrence is kept. A later paragraph repeats an earlier one when their folded
    keys are equal (similarity 1.0). It is a near repeat when their trigram Jaccard
    similarity is at least ``near_threshold`` (both at least ``min_near_chars`` long), or when
    at least ``containment_threshold`` of its trigrams lie in one earlier paragraph (a trimmed
    copy, at least ``min_contained_chars`` long). Articles do restate themselves, so a near
    repeat is only dropped when it is nearly identical (similarity at least
    ``lone_threshold``) or lines up with a neighbour that repeats the paragraph next to its
    match (it is part of a doubled block).
    """
    keys = fold_keys(paragraphs)
    first_at: dict[str, int] = {}
    exact_of: list[int] = []  # index of the first paragraph with the same key (or -1)
    for i, key in enumerate(keys):
        exact_of.append(first_at.get(key, -1) if key else -1)
        first_at.setdefault(key, i)
    first: dict[str, int] = {}
    kept: list[tuple[int, str]] = []
    index: dict[str, deque[int]] = {}  # 8-character pieces of kept paragraphs, every 4th
    indexed = False  # the index is only built for very long pages
    grams: dict[int, frozenset[str]] = {}  # trigram sets, computed only for candidates
    scan = _Scan(min_near_chars)  # the kept paragraphs' keys, searched as one string
    out: dict[int, tuple[int, float]] = {}
    n = len(keys)
    for i, key in enumerate(keys):
        if not key:
            continue
        if key in first:
            out[i] = (first[key], 1.0)
            continue
        if len(key) >= min_near_chars and kept:
            if len(kept) <= _SCAN_MAX:
                candidates = scan.candidates(key)
            else:  # a very long page: look candidates up instead of scanning them all
                if not indexed:
                    for j, kkey in kept:
                        _index_key(index, j, kkey, min_near_chars)
                    indexed = True
                candidates = sorted(heapq.nlargest(_POOL_MAX, _indexed_candidates(key, index)))
            best = None
            if candidates:
                # Bounded work on pathological pages where everything looks alike.
                candidates = candidates[-_POOL_MAX:]
                for j in candidates:
                    if j not in grams:
                        grams[j] = trigrams(keys[j])
                pool = [(j, keys[j], grams[j]) for j in candidates]
                best = _best_near(
                    key,
                    trigrams(key),
                    pool,
                    near_threshold,
                    containment_threshold,
                    min_near_chars,
                    min_contained_chars,
                )
            # A near repeat inside a doubled block lines up with its neighbours: the paragraph
            # before it repeats the one before its match, or the one after repeats the next.
            # A paragraph whose trigrams are contained in an earlier one but whose text is not
            # never stands alone: a sentence that restates the start of an earlier one
            # ("…내걸고 있다." after "…내걸고 있지만 …") is the article's own words.
            if best is not None and (
                (best[1] >= lone_threshold and not best[2])
                or (i - 1 in out and out[i - 1][0] == best[0] - 1)
                or (i + 1 < n and exact_of[i + 1] == best[0] + 1)
            ):
                out[i] = (best[0], round(best[1], 4))
                continue
        first[key] = i
        kept.append((i, key))
        scan.add(i, key)
        if indexed:  # built once the page has more than _SCAN_MAX kept paragraphs
            _index_key(index, i, key, min_near_chars)
    return out


def _index_key(index: dict[str, deque[int]], i: int, key: str, min_chars: int) -> None:
    """Add paragraph ``i`` to the index of 8-character pieces (every 4th)."""
    if len(key) >= min_chars:
        for o in range(0, len(key) - _W + 1, _STRIDE):
            piece = key[o : o + _W]
            if piece not in index:
                index[piece] = deque(maxlen=_POOL_MAX)  # the latest paragraphs only
            index[piece].append(i)


def _indexed_candidates(key: str, index: dict[str, deque[int]]) -> set[int]:
    """`_Scan.candidates` through the index: the probes at each of 4 shifts meet an indexed piece
    wherever they occur in an earlier paragraph."""
    mid = len(key) // 2
    out: set[int] = set()
    for s in (0, mid - _W // 2, len(key) - _W - _STRIDE + 1):
        for d in range(_STRIDE):
            piece = key[max(0, s) + d : max(0, s) + d + _W]
            if len(piece) == _W:
                out.update(index.get(piece, ()))
    return out


class _Scan:
    """Earlier paragraphs that share a stretch of text with a key at its start, middle or end:
    a cheap filter before trigram sets are compared. The keys of the kept paragraphs (at
    least ``min_chars`` long) are held as one string, "\\0" between them (a folded key has no
    control characters), so each probe is one substring search over all of them."""

    def __init__(self, min_chars: int) -> None:
        self.min_chars = min_chars
        self.hay = ""
        self.starts: list[int] = []  # where each key starts in hay
        self.owners: list[int] = []  # the paragraph index of each key

    def add(self, i: int, key: str) -> None:
        if len(key) >= self.min_chars:
            self.starts.append(len(self.hay) + 1)
            self.owners.append(i)
            self.hay += "\0" + key

    def candidates(self, key: str) -> list[int]:
        """Indices (ascending) of the kept paragraphs that contain one of the key's probes."""
        w = 8
        mid = len(key) // 2
        hay, starts = self.hay, self.starts
        found: set[int] = set()
        for probe in {key[:w], key[mid - w // 2 : mid + w // 2], key[-w:]}:
            at = hay.find(probe)
            while at >= 0:
                k = bisect_right(starts, at) - 1
                found.add(k)
                if k + 1 >= len(starts):
                    break
                at = hay.find(probe, starts[k + 1])
        return [self.owners[k] for k in sorted(found)]


def _best_near(
    key: str,
    grams: frozenset[str],
    kept: Sequence[tuple[int, str, frozenset[str]]],
    near_threshold: float,
    containment_threshold: float,
    min_near_chars: int,
    min_contained_chars: int,
) -> tuple[int, float, bool] | None:
    """The earlier paragraph ``key`` repeats best: (its index, the similarity, whether its
    trigrams are only contained in it and its text is not), or None."""
    best: tuple[int, float, bool] | None = None
    for j, kkey, kgrams in kept:
        if len(kkey) < min_near_chars:
            continue
        inter = len(grams & kgrams)
        if not inter:
            continue
        score = inter / (len(grams) + len(kgrams) - inter)
        contained = score < near_threshold
        if contained:
            score = 0.0
            if len(key) >= min_contained_chars and inter / len(grams) >= containment_threshold:
                score = inter / len(grams)
        if score and (best is None or score > best[1]):
            # (a copy trimmed at either end is found whole in the other: that one may stand
            # alone)
            best = (j, score, contained and key not in kkey)
    return best
