"""Near-duplicate articles across a corpus: exact fast path, MinHash-LSH, verified clusters.

(Skeleton: the shared types below are the contract between the deduplicator, the persistent
index and the CLI. The Deduplicator itself is being written.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .minhash import MinHashConfig, containment

__all__ = ["DedupConfig", "Match", "Decision", "accept"]

MatchKind = Literal["exact", "near", "none"]


@dataclass(frozen=True)
class DedupConfig:
    """How similar two cleaned bodies must be to count as the same story.

    - ``threshold``: estimated Jaccard similarity of shingle sets at which an article joins
      a representative's cluster. Default 0.7.
    - ``containment``: share of the shorter body's shingles found in the other at which an
      abridged copy (a dropped paragraph, a trimmed tail) joins. Default 0.85.
    - ``min_jaccard``: floor under the containment path: never join below this. Default 0.5.
    - ``keep``: "first" (stable under streaming) or "longest". Default "first".
    - ``minhash``: shingle and signature settings (`MinHashConfig`).
    """

    threshold: float = 0.7
    containment: float = 0.85
    min_jaccard: float = 0.5
    keep: Literal["first", "longest"] = "first"
    minhash: MinHashConfig = MinHashConfig()

    def __post_init__(self) -> None:
        for name in ("threshold", "containment", "min_jaccard"):
            v = getattr(self, name)
            if not 0.0 < v <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {v}")
        if self.keep not in ("first", "longest"):
            raise ValueError(f'keep must be "first" or "longest", got {self.keep!r}')


@dataclass(frozen=True)
class Match:
    """An earlier article this one duplicates."""

    id: str
    similarity: float
    kind: MatchKind


@dataclass(frozen=True)
class Decision:
    """What happened to one input record."""

    id: str
    kept: bool
    cluster: str
    match: MatchKind
    similarity: float

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "cluster": self.cluster, "similarity": self.similarity,
                "match": self.match}


def accept(config: DedupConfig, jaccard: float, size_a: int, size_b: int) -> tuple[bool, float]:
    """Is an estimated Jaccard ``jaccard`` between sets of sizes a and b a duplicate?

    Returns (verdict, similarity reported): Jaccard when it clears ``threshold``, else the
    containment of the smaller set when that clears ``containment`` (and Jaccard clears
    ``min_jaccard``).
    """
    if jaccard >= config.threshold:
        return True, float(jaccard)
    if jaccard >= config.min_jaccard:
        small, big = (size_a, size_b) if size_a <= size_b else (size_b, size_a)
        c = containment(jaccard, small, big)
        if c >= config.containment:
            return True, float(c)
    return False, float(jaccard)
