"""Near-duplicate articles across a corpus: exact fast path, MinHash-LSH, verified clusters.

    dd = Deduplicator()                          # the caller owns it; no module-level state
    for d in dd.add_batch([("a1", body1), ("a2", body2), ("a3", body3)]):
        print(d.id, d.kept, d.cluster, d.match, d.similarity)
    print(dd.stats)                              # records = kept + exact + near

    for d in dedup(records):                     # the same, streamed from (id, body) pairs
        ...

Bodies are already cleaned (`dedupe_ko.clean`); nothing here cleans them again. Each batch
goes through four steps with plain arrays between them:

1. keys: the hash of the folded body (`minhash.exact_key`). A body seen before is an exact
   duplicate of that body's cluster, decided by a dict lookup, before any MinHash.
2. signatures: one `MinHasher` call for the batch's new bodies, then LSH band keys (bands
   and rows from datasketch's optimiser: `Deduplicator.bands`, `.rows`).
3. candidates: clusters whose representative shares a band key with the body (earlier
   batches from a sorted in-memory table, this batch from its own keys).
4. verify: every candidate is checked with `accept` against its cluster's REPRESENTATIVE
   signature, never against another member, so no chain A~B~C~D can pull D into A's
   cluster. The best verified candidate (highest similarity, then the oldest) wins;
   with none, a ``store`` (a persistent `dedupe_ko.index.Index`) is asked; else the body
   starts a cluster of its own and is its representative.

Memory: per record, its id (to refuse repeated ids) and its exact key; per cluster, the
representative's signature (4 bytes x num_perm) and its band keys (12 bytes x bands); with
``keep="longest"`` also a small row per record (see `Deduplicator`). No text is held.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any, Literal, Protocol

import numpy as np

from ._arrays import grow
from ._jit import LOAD_AFTER, kernel, load, loaded
from .cluster import (
    CHAIN_MIN_SHARE,
    PARTIAL_MAX_RATIO,
    TEXT_MIN_JACCARD,
    Verdict,
    best,
    fuller,
    in_sorted,
    text_refused,
    verify,
)
from .minhash import (
    MinHashConfig,
    MinHasher,
    _distinct,
    _distinct_counts,
    containment,
    fold_batch,
    folded_key,
    pieces_batch,
    strip_marks,
)
from .sentences import (
    Fingerprint,
    FingerprintTable,
    Prints,
    SameText,
    anchor_keys,
    anchors_batch,
    fingerprint_batch,
    pieces_and_prints,
    same_text,
    same_text_many,
    same_text_rows,
    text_of_row,
)
from .store import MemoryBandStore, _stable_order

__all__ = [
    "BoilerplateUnsettled",
    "DedupConfig",
    "DedupStats",
    "Decision",
    "Deduplicator",
    "Match",
    "Store",
    "accept",
    "dedup",
    "replay",
]

MatchKind = Literal["exact", "near", "partial", "none"]
_NONE, _EXACT, _NEAR, _PARTIAL = 0, 1, 2, 3
_KINDS: tuple[MatchKind, ...] = ("none", "exact", "near", "partial")
_ABSORB_MIN = 4  # new sentence pieces a near copy must bring for its pieces to join
# Anchors (`sentences.anchor_keys`) a body must share with a cluster (or an earlier body of
# its batch), none of them boilerplate, for their texts to be compared: an edited copy whose
# sentences differ in a word or two shares few whole pieces but many anchors.
ANCHOR_MIN = 4
_log = logging.getLogger(__name__)
# Estimated Jaccard at which two bodies are the same text without comparing sentences: a
# template filled with other facts stays far below it (its names and numbers differ).
_SURE_JACCARD = 0.9


@dataclass(frozen=True)
class DedupConfig:
    """How similar two cleaned bodies must be to count as the same story.

    - ``threshold``: estimated Jaccard similarity of shingle sets at which an article joins
      a representative's cluster. Default 0.7.
    - ``containment``: share of the shorter body found in the other at which it is the
      same text. Default 0.6. Used twice: on MinHash estimates (near, with ``min_jaccard``:
      a dropped paragraph, a trimmed tail) and on sentences (`dedupe_ko.cluster.verify`):
      the shorter body's sentences found whole or edited in the other (an abridged brief,
      a story that grew, another outlet's edit of a release).
    - ``min_jaccard``: floor under the MinHash containment path. Default 0.5.
    - ``min_sentences``: a body joins on piece containment alone only with at least this
      many sentence pieces (boilerplate left out). Default 3: a one- or two-sentence brief
      never joins that way.
    - ``min_partial_chars``: ... and at least this many folded characters in them. Default 80.
    - ``boilerplate_clusters``: a sentence piece already found in more than this many
      clusters is boilerplate (a standard closing line, a stock lede): it makes no
      candidates and counts for no containment. Default 4.
    - ``keep``: "first" (stable under streaming) or "longest" (the representative is the
      cluster's longest member by folded length; final decisions come from
      `Deduplicator.finish`). Default "first".
    - ``minhash``: shingle, signature and LSH band settings (`MinHashConfig`).
    """

    threshold: float = 0.7
    containment: float = 0.6
    min_jaccard: float = 0.5
    keep: Literal["first", "longest"] = "first"
    minhash: MinHashConfig = MinHashConfig()
    min_sentences: int = 3
    min_partial_chars: int = 80
    boilerplate_clusters: int = 4

    def __post_init__(self) -> None:
        for name in ("threshold", "containment", "min_jaccard"):
            v = getattr(self, name)
            if not 0.0 < v <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {v}")
        for name in ("min_sentences", "min_partial_chars", "boilerplate_clusters"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
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
    """What happened to one input record.

    ``cluster`` is the id of the cluster's representative (the record's own id when it is
    kept); ``match`` says how the record relates to that representative: "exact" (the same
    folded body), "near", "partial" (one lies inside the other: an abridged copy, or a
    fuller version), or "none" (it is the representative); ``similarity`` is the similarity
    `dedupe_ko.cluster.verify` reported (1.0 for the representative itself);
    ``containment`` is the share of the shorter body's sentences found in the longer one
    (partial matches, and near matches whose sentences were compared). ``supersedes``:
    with ``keep="first"``, a fuller version that arrives after its brief is kept too, joins
    the brief's cluster (``cluster`` is the brief's id) and names the version it
    supersedes. ``final`` is False only for the provisional decisions that
    ``keep="longest"`` returns while a longer member may still arrive.
    """

    id: str
    kept: bool
    cluster: str
    match: MatchKind
    similarity: float
    final: bool = True
    containment: float | None = None
    supersedes: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "cluster": self.cluster,
            "similarity": self.similarity,
            "match": self.match,
        }
        if self.containment is not None:
            out["containment"] = self.containment
        if self.supersedes is not None:
            out["supersedes"] = self.supersedes
        return out


@dataclass(frozen=True)
class DedupStats:
    """Counts so far: ``records == kept + exact + near + partial``. ``archived`` counts the
    exact and near duplicates whose match was found in the ``store`` rather than in this run;
    ``largest_cluster`` is the most records of this run sharing one cluster; ``superseding``
    (``keep="first"``) counts the kept records that are fuller versions of an earlier one."""

    records: int
    kept: int
    exact: int
    near: int
    largest_cluster: int
    archived: int = 0
    partial: int = 0
    superseding: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "records": self.records,
            "kept": self.kept,
            "exact": self.exact,
            "near": self.near,
            "partial": self.partial,
            "superseding": self.superseding,
            "largest_cluster": self.largest_cluster,
            "archived": self.archived,
        }


class Store(Protocol):
    """A persistent index the Deduplicator consults and fills (`dedupe_ko.index.Index`)."""

    def lookup(self, exact_key: bytes, sig: np.ndarray, size: int) -> Match | None: ...

    def insert_many(self, items: Sequence[tuple[str, bytes, np.ndarray, int]]) -> Any: ...


def accept(config: DedupConfig, jaccard: float, size_a: int, size_b: int) -> tuple[bool, float]:
    """Is an estimated Jaccard ``jaccard`` between sets of sizes a and b a near duplicate?

    Returns (verdict, similarity reported): `dedupe_ko.cluster.verify` without pieces.
    """
    v = verify(config, jaccard, size_a, size_b)
    return v.ok, v.similarity


# ---------------------------------------------------------------------------------------------
# Storage: growable columns and the LSH band table


class _Column:
    """A numpy array that grows by doubling (rows of ``width`` values, or scalars)."""

    def __init__(self, dtype: Any, width: int = 0) -> None:
        self._tail = (width,) if width else ()
        self._data = np.empty((256, *self._tail), dtype=dtype)
        self.n = 0

    def reserve(self, extra: int) -> None:
        need = self.n + extra
        if need > len(self._data):
            grow(self, "_data", max(need, 2 * len(self._data)))

    def append(self, value: Any) -> int:
        n = self.n
        if n == len(self._data):
            self.reserve(1)
        self._data[n] = value
        self.n = n + 1
        return n

    @property
    def a(self) -> np.ndarray:
        """The filled part (a view: writes go through)."""
        return self._data[: self.n]

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


def _unique(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` of a 1-d array, without its cost for a single value."""
    return a.copy() if len(a) == 1 else _distinct(a)


def _share_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of equal values in each row of ``a`` against ``b`` (a Jaccard estimate): the
    same floats as ``(a == b).mean(axis=-1)``, about twice as fast on a few rows."""
    return (a == b).sum(axis=-1) / a.shape[-1]


def _pair_shares_kernel(a, rows_a, b, rows_b):
    """``_share_equal(a[rows_a], b[rows_b])`` without the two gathered copies."""
    out = np.empty(len(rows_a), np.float64)
    w = a.shape[1]
    for i in range(len(rows_a)):
        ra, rb = rows_a[i], rows_b[i]
        n = 0
        for p in range(w):
            if a[ra, p] == b[rb, p]:
                n += 1
        out[i] = n / w
    return out


def _row_shares_kernel(a, rows, sig):
    """``_share_equal(a[rows], sig)`` without the gathered copy."""
    out = np.empty(len(rows), np.float64)
    w = a.shape[1]
    for i in range(len(rows)):
        r = rows[i]
        n = 0
        for p in range(w):
            if a[r, p] == sig[p]:
                n += 1
        out[i] = n / w
    return out


def _candidates_kernel(cands, sigs, sig):
    """`_unique` of ``cands`` and `_share_equal` of their rows of ``sigs`` against ``sig``,
    in one call (`Deduplicator._candidates`)."""
    s = np.sort(cands)
    n = 0
    for i in range(len(s)):
        if i == 0 or s[i] != s[i - 1]:
            s[n] = s[i]
            n += 1
    out = s[:n].copy()
    w = sigs.shape[1]
    jac = np.empty(n, np.float64)
    for i in range(n):
        r = out[i]
        m = 0
        for p in range(w):
            if sigs[r, p] == sig[p]:
                m += 1
        jac[i] = m / w
    return out, jac


_K_PAIR_SHARES = kernel(_pair_shares_kernel)
_K_ROW_SHARES = kernel(_row_shares_kernel)
_K_CANDIDATES = kernel(_candidates_kernel)


def _pairs_within(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) row pairs of an (n x bands) key array that share some band key."""
    if _K_PAIRS is not None and loaded():
        n, width = keys.shape
        rows = np.arange(n * width, dtype=np.int64) // width
        flat = keys.ravel()
        order = _stable_order(flat)  # stable: rows ascend inside a run
        return _K_PAIRS(flat, order, rows, n, 1, np.zeros(0, np.bool_), -1)
    return _pairs_within_numpy(keys)


def _pairs_kernel(keys, order, rows, n, min_shared, crowded, max_rows):
    """(later, earlier) rows (entry i is in row ``rows[i]``, ascending; ``order``: the
    entries by key, stably) sharing at least
    ``min_shared`` keys, sorted by (later, earlier): `_pairs_within_numpy` (``max_rows``
    < 0: no key is crowded, a row never pairs with itself) and `_shared_pairs_numpy` (keys
    under more than ``max_rows`` entries, and those ``crowded`` already, left out; the
    former marked in ``crowded``)."""
    m = len(keys)
    skip = np.zeros(m, np.bool_)
    total = 0
    i = 0
    while i < m:
        e = i + 1
        while e < m and keys[order[e]] == keys[order[i]]:
            e += 1
        if max_rows >= 0:
            if e - i > max_rows:
                for q in range(i, e):
                    crowded[order[q]] = True
            k = 0
            for q in range(i, e):
                if crowded[order[q]]:
                    skip[q] = True
                else:
                    k += 1
        else:
            k = e - i
        total += k * (k - 1) // 2
        i = e
    codes = np.empty(total, np.int64)
    c = 0
    i = 0
    while i < m:
        e = i + 1
        while e < m and keys[order[e]] == keys[order[i]]:
            e += 1
        for q in range(i, e):
            if skip[q]:
                continue
            later = rows[order[q]]
            for t in range(i, q):
                if skip[t]:
                    continue
                earlier = rows[order[t]]
                if max_rows < 0 and later == earlier:
                    continue
                codes[c] = later * n + earlier
                c += 1
        i = e
    codes = np.sort(codes[:c])
    out = np.empty(c, np.int64)
    o = 0
    q = 0
    while q < c:
        e = q + 1
        while e < c and codes[e] == codes[q]:
            e += 1
        if e - q >= min_shared:
            out[o] = codes[q]
            o += 1
        q = e
    out = out[:o]
    return out // n, out % n


_K_PAIRS = kernel(_pairs_kernel)


def _pairs_within_numpy(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_pairs_within` in numpy calls."""
    n, width = keys.shape
    flat = keys.ravel()
    order = np.argsort(flat, kind="stable")  # stable: rows ascend inside a run of equal keys
    sk = flat[order]
    row = order // width
    starts = np.concatenate(([True], sk[1:] != sk[:-1]))
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(sk)), 0))
    before = np.arange(len(sk)) - run_start  # entries earlier in the same run
    if not before.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    later = np.repeat(row, before)
    offset = np.arange(before.sum()) - np.repeat(np.cumsum(before) - before, before)
    earlier = row[np.repeat(run_start, before) + offset]
    keep = later != earlier
    pairs = _distinct(later[keep] * n + earlier[keep])
    return pairs // n, pairs % n


def _min_shared(cfg: DedupConfig) -> int:
    """Sentence pieces a body must share with a cluster (or an earlier body) to be compared:
    a partial match needs ceil(containment * min_sentences) of them (a sentence has one
    piece or more)."""
    return max(1, int(np.ceil(cfg.containment * cfg.min_sentences - 1e-9)))


def _enough(
    rows: np.ndarray,
    values: np.ndarray,
    a_rows: np.ndarray,
    a_values: np.ndarray,
    n: int,
    min_shared: int,
) -> list[np.ndarray]:
    """Per row (0..n-1), the values (clusters, members) it shares at least ``min_shared``
    pieces or `ANCHOR_MIN` anchors with, from the hits (row, value) of its pieces and of its
    anchors."""
    if not len(rows) and not len(a_rows):
        return [np.empty(0, np.int64)] * n
    width = int(max(values.max(initial=0), a_values.max(initial=0))) + 1
    code, cnt = _distinct_counts(rows * width + values)
    a_code, a_cnt = _distinct_counts(a_rows * width + a_values)
    code = _distinct(np.concatenate((code[cnt >= min_shared], a_code[a_cnt >= ANCHOR_MIN])))
    return _split(code // width, code % width, n)


def _split(rows: np.ndarray, values: np.ndarray, n: int) -> list[np.ndarray]:
    """Group ``values`` by ``rows`` (0..n-1): a list of n arrays."""
    if not len(rows):
        empty = np.empty(0, dtype=values.dtype)
        return [empty] * n
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(n + 1)).tolist()  # ints slice faster
    v = values[order]
    return [v[bounds[i] : bounds[i + 1]] for i in range(n)]


def _shared_pairs(
    keys: np.ndarray, rows: np.ndarray, n: int, min_shared: int, crowded: np.ndarray, max_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) pairs of rows (0..n-1) sharing at least ``min_shared`` of the flat
    ``keys`` (each row's keys distinct; rows ascending), crowded keys left out. Keys found
    in more than ``max_rows`` rows are boilerplate too: marked in ``crowded`` (in place)."""
    if len(keys) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if _K_PAIRS is not None and loaded():
        order = _stable_order(keys)  # stable: rows ascend inside a run
        rows = rows.astype(np.int64, copy=False)
        return _K_PAIRS(keys, order, rows, n, min_shared, crowded, max_rows)
    return _shared_pairs_numpy(keys, rows, n, min_shared, crowded, max_rows)


def _shared_pairs_numpy(
    keys: np.ndarray, rows: np.ndarray, n: int, min_shared: int, crowded: np.ndarray, max_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """`_shared_pairs` in numpy calls."""
    order = np.argsort(keys, kind="stable")  # stable: rows ascend inside a run of equal keys
    sk = keys[order]
    starts = np.concatenate(([True], sk[1:] != sk[:-1]))
    first = np.flatnonzero(starts)
    size = np.diff(np.append(first, len(sk)))
    crowded[order[np.repeat(size > max_rows, size)]] = True
    ok = ~crowded[order]
    order, sk = order[ok], sk[ok]
    row = rows[order].astype(np.int64)
    starts = np.concatenate(([True], sk[1:] != sk[:-1]))
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(sk)), 0))
    before = np.arange(len(sk)) - run_start
    if not before.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    later = np.repeat(row, before)
    offset = np.arange(before.sum()) - np.repeat(np.cumsum(before) - before, before)
    earlier = row[np.repeat(run_start, before) + offset]
    pairs, counts = _distinct_counts(later * n + earlier)
    pairs = pairs[counts >= min_shared]
    return pairs // n, pairs % n


class _LazyPrints:
    """A batch's sentence fingerprints, cut when first asked for (`_Pieces.print_of`): the
    first request cuts, in one `sentences.fingerprint_batch` call, every later row of
    ``wanted`` not cut yet (the rows that will probably compare sentences or become a
    representative), so the rows that join a cluster on their signature alone cost none.
    A row's fingerprint does not depend on the other texts of the call."""

    def __init__(
        self,
        bares: list[str],
        wanted: np.ndarray,
        done: dict[int, tuple[Prints, int]] | None = None,
    ) -> None:
        self.bares = bares
        self.wanted = wanted
        # cut already: row -> (the cut, its number there); its Fingerprint made when asked
        self._cut: dict[int, tuple[Prints, int]] = {} if done is None else done
        self._done: dict[int, Fingerprint] = {}
        self._next = 0  # rows before this one were offered to an earlier cut

    def of(self, j: int) -> Fingerprint:
        fp = self._done.get(j)
        if fp is not None:
            return fp
        at = self._cut.get(j)
        if at is None:
            later = np.flatnonzero(self.wanted[self._next :]) + self._next
            rows = sorted({j, *(r for r in later.tolist() if r not in self._cut)})
            self._next = max(self._next, j + 1)
            prints = fingerprint_batch([self.bares[r] for r in rows])
            for k, r in enumerate(rows):
                self._cut[r] = (prints, k)
            at = self._cut[j]
        fp = self._done[j] = at[0].of(at[1])
        return fp


@dataclass
class _Pieces:
    """A batch's sentence pieces: row j's are ``hashes[offsets[j]:offsets[j + 1]]``;
    ``crowded`` marks boilerplate pieces; ``stored[j]`` / ``in_batch[j]``: clusters and
    earlier rows of this batch sharing enough pieces with row j to be checked."""

    bares: list[str]
    search: np.ndarray
    hashes: np.ndarray
    lengths: np.ndarray
    offsets: np.ndarray
    sentences: np.ndarray
    crowded: np.ndarray
    stored: list[np.ndarray]
    in_batch: list[np.ndarray]
    prints: _LazyPrints
    anchors: tuple[np.ndarray, np.ndarray]  # searched rows' anchor keys and offsets
    anchor_crowded: np.ndarray  # ... and which of them are boilerplate
    late: dict[int, tuple[np.ndarray, np.ndarray, int, int]] = field(default_factory=dict)
    # (row, cluster) -> (`FingerprintTable.version` of the cluster's fingerprint compared,
    # `same_text` with share=True)
    texts: dict[tuple[int, int], tuple[int, SameText]] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)  # row j's record id (for the debug log)
    # the members of earlier batches sharing enough pieces or anchors (none boilerplate) with
    # row j (`Deduplicator._earlier_members`: every row at once, when first needed)
    members: list[np.ndarray] | None = None
    member_of: np.ndarray | None = None  # row j's member number, -1: none (joined this batch)
    _mixed: np.ndarray | None = None
    _chars: np.ndarray | None = None
    # search, offsets, sentences, mixed and chars as lists (`of`, once a row: ints are
    # quicker to read than numpy scalars)
    _lists: tuple[list, list, list, list, list] | None = None

    def of(self, j: int, need: bool = False) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Row j's non-boilerplate pieces, its boilerplate pieces, the folded characters
        and the sentences (in proportion) of the former. A row not searched has none, unless
        ``need``: then they are cut now (it is becoming a representative)."""
        lists = self._lists
        if lists is None:
            lists = self._lists = (
                self.search.tolist(),
                self.offsets.tolist(),
                self.sentences.tolist(),
                self.mixed.tolist(),
                self.chars.tolist(),
            )
        if not lists[0][j]:
            if not need:
                return self.hashes[:0], self.hashes[:0], 0, 0
            if j not in self.late:
                h, ln, _, counts = pieces_batch([self.bares[j]])
                self.late[j] = (h, h[:0], int(ln.sum()), int(counts[0]))
            return self.late[j]
        a, b = lists[1][j], lists[1][j + 1]
        h = self.hashes[a:b]
        sents = lists[2][j]
        if lists[3][j]:
            crowded = self.crowded[a:b]
            own = h[~crowded]
            return (
                own,
                h[crowded],
                int(self.lengths[a:b][~crowded].sum()),
                round(sents * len(own) / len(h)),
            )
        return h, h[:0], int(lists[4][j]), sents

    @property
    def mixed(self) -> np.ndarray:
        """Rows with some boilerplate pieces."""
        if self._mixed is None:
            rows = np.repeat(np.arange(len(self.search)), np.diff(self.offsets))
            self._mixed = np.bincount(rows[self.crowded], minlength=len(self.search)) > 0
            self._chars = np.bincount(rows, weights=self.lengths, minlength=len(self.search))
        return self._mixed

    @property
    def chars(self) -> np.ndarray:
        """Folded characters in each row's pieces."""
        if self._chars is None:
            _ = self.mixed
        assert self._chars is not None
        return self._chars

    def boiler(self, j: int) -> np.ndarray:
        """Row j's boilerplate pieces (none for a row not searched: nothing is cut)."""
        if not self.search[j] or not self.mixed[j]:
            return self.hashes[:0]
        a, b = self.offsets[j], self.offsets[j + 1]
        return self.hashes[a:b][self.crowded[a:b]]

    def print_of(self, j: int) -> Fingerprint:
        """Row j's sentence fingerprint (`sentences.fingerprint_batch`)."""
        return self.prints.of(j)

    def every(self, j: int) -> np.ndarray:
        """All of row j's pieces, boilerplate included, then its anchors (to store for a
        representative; sorted: an anchor key is above every piece hash)."""
        if not self.search[j]:
            own = self.of(j, need=True)[0]
            mine = anchors_batch([self.bares[j]])[0]
        else:
            own = self.hashes[self.offsets[j] : self.offsets[j + 1]]
            keys, at = self.anchors
            mine = keys[at[j] : at[j + 1]]
        return np.concatenate((own, mine))


# ---------------------------------------------------------------------------------------------
# The deduplicator


class Deduplicator:
    """Decides, record by record, whether a cleaned body is kept or duplicates a cluster.

    ``Deduplicator(config=None, *, store=None, **overrides)``: ``overrides`` are
    `DedupConfig` fields laid over ``config``. ``store`` is an optional persistent index
    (`dedupe_ko.index.Index`): a record that duplicates nothing in this run is looked up in
    it (``store.lookup(exact_key, sig, size)``); a match makes the record a duplicate of the
    archived id, and kept records are added to it (``store.insert_many``) after each batch
    (with ``keep="longest"``: in `finish`). A store that keeps sentence pieces (the Index:
    ``query_pieces``, ``entries``, ``entries_of``, ``lend_pieces``) is asked before the
    containment search, its entries are partial candidates like this run's clusters (a brief
    of an archived story is a ``partial`` duplicate of it; a fuller version is kept and
    ``supersedes`` the archived brief), kept records are stored with their pieces, and near
    copies lend their new sentences to the stored entry, as to a cluster of this run.

    ``keep="first"``: decisions are final as soon as they are returned; a member that joined
    on a share of its sentences is kept as a version of its cluster, and a later body that
    no cluster's version takes may join through it when it also holds half of that
    cluster's version (`cluster.CHAIN_MIN_SHARE`). ``keep="longest"``:
    a longer member can replace a cluster's representative (only when every member so far
    also passes `accept` against it), so `add_batch` returns provisional decisions
    (``final=False``) and `finish` yields the final ones. Members are checked against a new
    representative with 8-bit sketches (the low byte of each hash value), so this mode holds
    a small row per input (cluster, kind, similarity, size, links and the sketch: num_perm
    + 41 bytes, plus its id and exact key), never the texts.
    """

    def __init__(
        self, config: DedupConfig | None = None, *, store: Store | None = None, **overrides: Any
    ) -> None:
        if overrides:
            config = replace(config or DedupConfig(), **overrides)
        self.config = config or DedupConfig()
        self.hasher = MinHasher(self.config.minhash)
        self.bands, self.rows = self.hasher.bands, self.hasher.rows
        self.store = store
        self._longest = self.config.keep == "longest"
        p = self.config.minhash.num_perm
        self._ids: set[str] = set()
        # exact key -> cluster (body identical to the representative's), or, with
        # keep="first", (cluster, kind, similarity) for other members; with keep="longest",
        # the record number of the key's first record.
        self._exact: dict[bytes, Any] = {}
        self._buckets = MemoryBandStore()  # LSH band key -> cluster
        self._piece_store = MemoryBandStore()  # sentence-piece hash -> cluster
        # clusters: representative id, record count, signature, shingle count, archived?
        # and the version verification uses (its id, sentence pieces, their characters)
        self._c_rep: list[str] = []
        self._c_top: list[str] = []
        self._c_pieces: list[np.ndarray] = []
        self._c_has_pieces = _Column(np.bool_)  # len(self._c_pieces[c]) > 0, for `_partial`
        self._c_print = FingerprintTable()  # sentence fingerprint of that version, or None
        # keep="first": the fingerprint of a cluster's first version (its representative)
        # once a fuller version superseded it (`_through_first`)
        self._first_print: dict[int, Fingerprint] = {}
        self._rep_printed: set[int] = set()  # archived clusters verified against their rep
        self._c_chars = _Column(np.int64)
        self._c_sents = _Column(np.int64)
        self._c_top_pieces = _Column(np.int64)  # pieces of the version verified against
        self._c_count = _Column(np.int64)
        self._c_sig = _Column(np.uint32, p)
        self._c_size = _Column(np.int64)
        self._c_archived = _Column(np.bool_)
        self._archived: dict[str, int] = {}  # archived id -> cluster
        self._by_id: dict[str, int] = {}  # id of a version kept in this run -> its cluster
        self._top_n: dict[int, int] = {}  # archived cluster -> entry number of its version
        self._loaded: set[str] = set()  # stored ids whose clusters are rebuilt
        self._loaded_rep: set[str] = set()  # archived clusters with all their versions
        # this batch's answers of the store for `_whole_cluster` (brief, entries sharing its
        # pieces), asked for all found entries at once (`_prefetch`)
        self._fetched: dict[str, tuple[Any, list[Any]]] = {}
        # the store keeps sentence pieces (`dedupe_ko.index.Index`): its entries are partial
        # candidates, and kept records are stored with their pieces
        self._store_pieces = callable(getattr(store, "query_pieces", None))
        self._counts = [0, 0, 0, 0]  # keep="first": none (kept), exact, near, partial
        self._n_superseding = 0
        self._absorbed: list[tuple[np.ndarray, int]] = []  # pieces to add to the store
        # keep="first": the members that joined on a share of their sentences (an edited
        # copy, an abridged one), a version of their cluster a later body may join through
        # (`_through_member`): their pieces and anchors, fingerprints, cluster, signature
        self._m_store = MemoryBandStore()  # piece or anchor key -> member (earlier batches)
        self._m_batch: list[tuple[np.ndarray, int]] = []  # (keys, member) of this batch
        self._m_print = FingerprintTable()
        self._m_cluster = _Column(np.int64)
        self._m_sig = _Column(np.uint32, p)
        self._m_size = _Column(np.int64)
        self._m_id: list[str] = []
        self._n_archived = 0
        self._finished = False
        # sentence pieces counted as boilerplate in the next batch whatever this run's own
        # clusters say (sorted; set by `replay` for a group that lacks their other holders)
        self._boilerplate = np.empty(0, np.uint64)
        if self._longest:
            self._c_len = _Column(np.int64)  # folded length of the representative
            self._c_rep_rec = _Column(np.int64)  # record number of the representative
            self._c_key: list[bytes] = []
            self._r_id: list[str] = []
            self._r_cluster = _Column(np.int64)
            self._r_kind = _Column(np.int8)
            self._r_sim = _Column(np.float64)
            self._r_size = _Column(np.int64)
            self._r_group = _Column(np.int64)  # first record with the same exact key
            self._r_sketch = _Column(np.uint8, p)
            self._r_next = _Column(np.int64)  # next member of the same cluster, -1 at the end
            self._c_head = _Column(np.int64)  # first member of each cluster, -1: none
            self._c_last = _Column(np.int64)  # last member of each cluster

    # -- public API ------------------------------------------------------------------------
    def add(self, id: str, text: str) -> Decision:
        """Decide one record (see `add_batch`)."""
        return self.add_batch([(id, text)])[0]

    def add_batch(self, records: Iterable[tuple[str, str]]) -> list[Decision]:
        """Decide a batch of (id, cleaned body) records, in order; one decision each.

        Raises ValueError, before changing anything, when an id repeats (in the batch or an
        earlier one), and TypeError when an id or body is not a str.
        """
        if self._finished:
            raise RuntimeError("this Deduplicator is finished; start a new one")
        ids, texts = self._check(records)
        if not ids:
            return []
        if len(self._ids) >= LOAD_AFTER and not loaded():
            load()  # a large run: numba's start-up pays off (`dedupe_ko._jit.LOAD_AFTER`)
        self._fetched.clear()  # the store may have changed since the last batch
        # 1. exact keys; which bodies are new (not seen before, not earlier in this batch)
        folded = fold_batch(texts)
        keys = [folded_key(f) for f in folded]
        fresh: list[int] = []
        first_in_batch: set[bytes] = set()
        for i, k in enumerate(keys):
            if k not in self._exact and k not in first_in_batch:
                first_in_batch.add(k)
                fresh.append(i)
        # 2. signatures of the new bodies, one MinHasher call; their sentence pieces
        bares = [strip_marks(texts[i]) for i in fresh]
        shingle_keys = [folded[i] for i in fresh]
        marked = [r for r, i in enumerate(fresh) if bares[r] is not texts[i]]
        for r, f in zip(marked, fold_batch([bares[r] for r in marked]), strict=True):
            shingle_keys[r] = f
        sigs, sizes = self.hasher.signatures_of_keys(shingle_keys)
        bands = self.hasher.band_keys(sigs) if len(fresh) else np.empty((0, self.bands), np.uint64)
        # 3. candidate clusters: earlier batches, and new bodies earlier in this batch
        found = self._buckets.query(bands)
        stored = _split(found.rows, found.values, len(fresh))
        later, earlier = _pairs_within(bands) if len(fresh) > 1 else (np.empty(0, np.int64),) * 2
        in_batch = _split(later, earlier, len(fresh))
        # bodies with a stored representative over the Jaccard threshold will join it: no
        # containment search for them, and their pieces are cut only if they are needed
        near = np.zeros(len(fresh), dtype=bool)
        thr = self.config.threshold
        # ... but those also near-ish to another candidate (the containment route counts
        # their sentences), or that may become a representative, will need them: cut now,
        # with the batch, rather than one by one
        needs = np.zeros(len(fresh), dtype=bool)
        # sentence fingerprints: not for a row with a stored representative so close that
        # it joins on the signature alone (unless it may take that representative's place)
        sure = np.zeros(len(fresh), dtype=bool)
        if len(found.rows):
            if _K_PAIR_SHARES is not None and loaded():
                jac = _K_PAIR_SHARES(sigs, found.rows, self._c_sig.a, found.values)
            else:
                jac = _share_equal(sigs[found.rows], self._c_sig.a[found.values])
            over = jac >= thr
            near[found.rows[over]] = True
            needs[found.rows[~over]] = True
            sure[found.rows[jac >= _SURE_JACCARD]] = True
            if self._longest:  # longer than a representative: it may take its place
                length = np.array([len(folded[i]) for i in fresh], dtype=np.int64)
                longer = length[found.rows] > self._c_len.a[found.values]
                needs[found.rows[longer]] = True
                sure[found.rows[longer]] = False
        needs[later] = True
        pieces = self._pieces(bares, ~near, needs & near, ~sure)
        pieces.ids = [ids[i] for i in fresh]
        # 4. verify and decide, in input order
        slot = dict(zip(fresh, range(len(fresh)), strict=True))
        holder = np.full(len(fresh), -1, dtype=np.int64)  # cluster whose keys row j carries
        out: list[Decision] = []
        new_keys: list[int] = []
        kept_items: list[tuple[str, bytes, np.ndarray, int]] = []
        for i, (id_, key) in enumerate(zip(ids, keys, strict=True)):
            j = slot.get(i)
            if j is None:
                out.append(self._exact_duplicate(id_, key))
                continue
            cands = stored[j]
            if len(in_batch[j]):
                extra = holder[in_batch[j]]
                cands = np.concatenate((cands, extra[extra >= 0]))
            part = pieces.stored[j]
            if len(pieces.in_batch[j]):
                extra = holder[pieces.in_batch[j]]
                part = np.concatenate((part, extra[extra >= 0]))
            d, carries = self._near_or_new(
                id_, key, len(folded[i]), sigs[j], int(sizes[j]), cands, kept_items, part, pieces, j
            )
            out.append(d)
            if carries >= 0:
                holder[j] = carries
                new_keys.append(j)
        if new_keys:
            self._buckets.add(bands[new_keys].ravel(), np.repeat(holder[new_keys], self.bands))
            every = [pieces.every(j) for j in new_keys]
            self._piece_store.add(
                np.concatenate(every), np.repeat(holder[new_keys], [len(e) for e in every])
            )
        if self._m_batch:
            self._m_store.add(
                np.concatenate([k for k, _ in self._m_batch]),
                np.repeat([m for _, m in self._m_batch], [len(k) for k, _ in self._m_batch]),
            )
            self._m_batch.clear()
        lent = []
        if self._absorbed:
            self._piece_store.add(
                np.concatenate([p for p, _ in self._absorbed]),
                np.concatenate([np.full(len(p), c) for p, c in self._absorbed]),
            )
            if self._store_pieces and not self._longest:
                lent = [
                    (self._c_top[c], (p, int(self._c_chars.a[c]), int(self._c_sents.a[c])))
                    for p, c in self._absorbed
                ]
            self._absorbed.clear()
        if self.store is not None and kept_items:
            self.store.insert_many(kept_items)
        if lent:  # the stored version of each cluster holds the sentences its copies lent it
            self.store.lend_pieces(lent, check=False)  # type: ignore[union-attr]
        return out

    def finish(self) -> Iterator[Decision]:
        """The final decision for every record, in input order (``keep="longest"``).

        With ``keep="first"`` every decision was final when returned: yields nothing.
        With a ``store``, the representatives are added to it before the first decision is
        yielded. The Deduplicator takes no records after this.
        """
        self._finished = True
        if not self._longest:
            return iter(())
        if self.store is not None:
            self._insert_representatives()
        return self._final_decisions()

    @property
    def stats(self) -> DedupStats:
        """Records so far, kept, exact and near duplicates, the largest cluster."""
        largest = int(self._c_count.a.max()) if self._c_count.n else 0
        if self._longest:
            kinds = np.bincount(self._r_kind.a, minlength=4)
            n = int(kinds.sum())
            return DedupStats(
                n,
                int(kinds[_NONE]),
                int(kinds[_EXACT]),
                int(kinds[_NEAR]),
                largest,
                self._n_archived,
                int(kinds[_PARTIAL]),
            )
        none, exact, near, partial = self._counts
        return DedupStats(
            none + exact + near + partial,
            none,
            exact,
            near,
            largest,
            self._n_archived,
            partial,
            self._n_superseding,
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays (signatures, band table, per-record columns);
        Python dicts, sets and id strings come on top (measure those with tracemalloc)."""
        cols = [self._c_count, self._c_sig, self._c_size, self._c_archived]
        cols += [self._m_cluster, self._m_sig, self._m_size]
        if self._longest:
            cols += [
                self._c_len,
                self._c_rep_rec,
                self._c_head,
                self._c_last,
                self._r_cluster,
                self._r_kind,
                self._r_sim,
                self._r_size,
                self._r_group,
                self._r_sketch,
                self._r_next,
            ]
        pieces = sum(p.nbytes for p in self._c_pieces) + self._c_chars.nbytes
        members = self._m_store.nbytes + self._m_print.nbytes
        return (
            self._buckets.nbytes
            + self._piece_store.nbytes
            + pieces
            + members
            + sum(c.nbytes for c in cols)
        )

    # -- steps -----------------------------------------------------------------------------
    def _check(self, records: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
        ids: list[str] = []
        texts: list[str] = []
        batch: set[str] = set()
        repeated: list[str] = []
        for n, rec in enumerate(records):
            try:
                id_, text = rec
            except (TypeError, ValueError):
                raise TypeError(
                    f"record {n} of the batch is not an (id, text) pair: {rec!r:.80}"
                ) from None
            if not isinstance(id_, str):
                raise TypeError(f"record {n}: id must be a str, not {type(id_).__name__}")
            if not isinstance(text, str):
                raise TypeError(
                    f"record {id_!r}: text must be a str, not "
                    f"{type(text).__name__}; decode bytes and clean first"
                )
            if id_ in self._ids or id_ in batch:
                repeated.append(id_)
            batch.add(id_)
            ids.append(id_)
            texts.append(text)
        if repeated:
            shown = ", ".join(repr(i) for i in repeated[:5])
            more = f" and {len(repeated) - 5} more" if len(repeated) > 5 else ""
            raise ValueError(
                f"repeated id(s) {shown}{more}: every record needs its own id, or its "
                "decision cannot be told apart; quarantine or rename repeats before dedup "
                "(nothing from this batch was added)"
            )
        self._ids |= batch
        return ids, texts

    def _pieces(
        self, bares: list[str], search: np.ndarray, cut: np.ndarray, printed: np.ndarray
    ) -> _Pieces:
        """Sentence pieces of a batch's new bodies, their boilerplate marks, and, for the
        rows where ``search`` is True, the clusters and earlier rows that share enough of
        them to be checked for a partial match. Rows not searched where ``cut`` is True
        have their pieces cut too (``_Pieces.of(j, need=True)`` gives them). Fingerprints
        are cut when first needed, with those of the later ``printed`` rows (`_LazyPrints`)."""
        cfg = self.config
        n = len(bares)
        # the searched rows' pieces and fingerprints, from one sentence cut (each of them
        # compares sentences or becomes a representative): their anchors
        # (`sentences.anchor_keys`) are asked with their pieces; none for a row not searched
        searched = np.flatnonzero(search)
        offsets = np.zeros(n + 1, np.int64)
        sentences = np.zeros(n, np.int64)
        hashes, lengths = np.empty(0, np.uint64), np.empty(0, np.int64)
        done: dict[int, tuple[Prints, int]] = {}
        a_at = np.zeros(n + 1, np.int64)
        a_all = np.empty(0, np.uint64)
        if len(searched):
            (hashes, lengths, p_at, p_sents), prints = pieces_and_prints(
                [bares[j] for j in searched.tolist()]
            )
            counts = np.zeros(n, np.int64)
            counts[searched] = np.diff(p_at)
            np.cumsum(counts, out=offsets[1:])
            sentences[searched] = p_sents
            done = {j: (prints, k) for k, j in enumerate(searched.tolist())}
            a_count = np.zeros(n, np.int64)
            a_count[searched] = np.diff(prints.anchor_at)
            np.cumsum(a_count, out=a_at[1:])
            a_all = anchor_keys(prints.anchors)
        rows = np.repeat(np.arange(n), np.diff(offsets))
        cap = cfg.boilerplate_clusters
        asked = np.flatnonzero(search[rows])
        a_rows = np.repeat(np.arange(n), np.diff(a_at))
        keys = np.concatenate((hashes[asked], a_all))
        found = self._piece_store.query(keys, cap=cap)
        if self._store_pieces and len(keys):
            found = self._store_candidates(keys, found)
        crowded = np.zeros(len(hashes), dtype=bool)
        crowded[asked] = found.crowded[: len(asked)]
        a_crowded = found.crowded[len(asked) :].copy()
        if len(self._boilerplate):
            crowded |= in_sorted(hashes, self._boilerplate)
            a_crowded |= in_sorted(a_all, self._boilerplate)
        is_piece = found.rows < len(asked)
        a_found = replace(found, rows=found.rows[~is_piece] - len(asked))
        found = replace(found, rows=asked[found.rows[is_piece]], values=found.values[is_piece])
        min_shared = _min_shared(cfg)
        # earlier rows of this batch sharing as many (and pieces in many rows: boilerplate)
        later, earlier = _shared_pairs(hashes, rows, n, min_shared, crowded, 2 * cap)
        # ... or ANCHOR_MIN anchors (an edited copy whose sentences differ in a word or two)
        a_later, a_earlier = _shared_pairs(a_all, a_rows, n, ANCHOR_MIN, a_crowded, 2 * cap)
        later, earlier = np.concatenate((later, a_later)), np.concatenate((earlier, a_earlier))
        keep = ~crowded[found.rows]
        hit_rows, hit_vals = rows[found.rows[keep]], found.values[keep].astype(np.int64)
        a_keep = ~a_crowded[a_found.rows]
        a_hit_rows = a_rows[a_found.rows[a_keep]]
        a_hit_vals = a_found.values[~is_piece][a_keep].astype(np.int64)
        stored = _enough(hit_rows, hit_vals, a_hit_rows, a_hit_vals, n, min_shared)
        wanted = search[later]
        later, earlier = later[wanted], earlier[wanted]
        late: dict[int, tuple[np.ndarray, np.ndarray, int, int]] = {}
        # texts with a NUL cut alone, as `_Pieces.of` would (a batch drops NULs)
        pre = [j for j in np.flatnonzero(cut).tolist() if "\x00" not in bares[j]]
        if pre:
            h, ln, off, counts = pieces_batch([bares[j] for j in pre])
            bounds, sents = off.tolist(), counts.tolist()
            # characters before piece i (ints, as the sums of `ln` slices were)
            total = np.concatenate((np.zeros(1, np.int64), np.cumsum(ln, dtype=np.int64)))
            total = total.tolist()
            for k, j in enumerate(pre):
                a, b = bounds[k], bounds[k + 1]
                late[j] = (h[a:b].copy(), h[:0], total[b] - total[a], sents[k])
        return _Pieces(
            bares,
            search,
            hashes,
            lengths,
            offsets,
            sentences,
            crowded,
            stored,
            _split(later, earlier, n),
            _LazyPrints(bares, printed, done),
            (a_all, a_at),
            a_crowded,
            late,
        )

    def _new_cluster(
        self,
        rep: str,
        sig: np.ndarray | None,
        size: int,
        archived: bool,
        pieces: np.ndarray | None = None,
        chars: int = 0,
        sents: int = 0,
        fp: Fingerprint | None = None,
    ) -> int:
        c = len(self._c_rep)
        if not archived:
            self._by_id[rep] = c
        self._c_rep.append(rep)
        self._c_top.append(rep)
        self._c_pieces.append(np.empty(0, np.uint64) if pieces is None else pieces)
        self._c_has_pieces.append(pieces is not None and len(pieces) > 0)
        self._c_print.append(fp)
        self._c_chars.append(chars)
        self._c_sents.append(sents)
        self._c_top_pieces.append(0 if pieces is None else len(pieces))
        self._c_count.append(0)
        self._c_sig.append(0 if sig is None else sig)
        self._c_size.append(size)
        self._c_archived.append(archived)
        if self._longest:
            self._c_len.append(0)
            self._c_rep_rec.append(-1)
            self._c_head.append(-1)
            self._c_last.append(-1)
            self._c_key.append(b"")
        return c

    def _exact_duplicate(self, id_: str, key: bytes) -> Decision:
        """A body seen before: same cluster, and the same relation to its representative."""
        hit = self._exact[key]
        if self._longest:
            g = hit
            c = int(self._r_cluster.a[g])
            rep = int(self._c_rep_rec.a[c])
            same_as_rep = rep >= 0 and int(self._r_group.a[rep]) == g
            kind = _EXACT if same_as_rep else int(self._r_kind.a[g])
            sim = 1.0 if same_as_rep else float(self._r_sim.a[g])
            r = self._record(id_, c, kind, sim, int(self._r_size.a[g]), g, self._r_sketch.a[g])
            if self._c_archived.a[c]:
                self._n_archived += 1
            return self._provisional(r)
        if isinstance(hit, tuple):
            c, kind, sim = hit
        else:
            c, kind, sim = hit, _EXACT, 1.0
        self._c_count.a[c] += 1
        self._counts[kind] += 1
        if self._c_archived.a[c]:
            self._n_archived += 1
        return Decision(
            id_,
            False,
            self._c_rep[c],
            _KINDS[kind],
            sim,
            containment=sim if kind == _PARTIAL else None,
        )

    def _near_or_new(
        self,
        id_: str,
        key: bytes,
        length: int,
        sig: np.ndarray,
        size: int,
        cands: np.ndarray,
        kept_items: list[tuple[str, bytes, np.ndarray, int]],
        part: np.ndarray,
        pieces: _Pieces,
        row: int,
    ) -> tuple[Decision, int]:
        """Decide a new body. Returns the decision and the cluster whose band keys this
        body's keys must point to (-1: none, it is not a representative)."""
        own, boiler, chars, sents = pieces.of(row)
        # (similarity, cluster, share, Jaccard)
        best_near: tuple[float, int, float, float] | None = None
        if len(cands):
            cands, jac = self._candidates(cands, sig)
            ranked = self._rank_near(cands, sig, size, pieces, row, part, jac)
            for neg_sim, c, jac_c, share in ranked:
                if (
                    self._longest
                    and length > self._c_len.a[c]
                    and not self._members_accept(c, sig, size)
                ):
                    continue  # it would become the representative, and a member disagrees
                best_near = (-neg_sim, c, share, jac_c)
                if self._contains(c, jac_c, size):
                    return self._supersede(
                        id_, key, length, sig, size, -neg_sim, jac_c, c, kept_items, pieces, row
                    )
                break
        if best_near is None and len(cands):
            # band candidates close enough to be compared sentence by sentence are
            # candidates for a partial match too (`cluster.TEXT_MIN_JACCARD`)
            part = np.concatenate((part, cands[jac >= TEXT_MIN_JACCARD]))
        if best_near is not None:
            sim, c, share, jac_c = best_near
            self._absorb(c, own, chars, sents)
            if not self._longest:
                self._c_count.a[c] += 1
                self._counts[_NEAR] += 1
                self._exact[key] = (c, _NEAR, sim)
                if jac_c < self.config.threshold:  # joined on its sentences
                    self._add_member(c, id_, sig, size, pieces, row)
                return Decision(
                    id_, False, self._c_rep[c], "near", sim, containment=share or None
                ), -1
            r = self._record(id_, c, _NEAR, sim, size, -1, (sig & 0xFF).astype(np.uint8))
            self._exact[key] = r
            if length > self._c_len.a[c]:
                own, _, chars, sents = pieces.of(row, need=True)
                fp = pieces.print_of(row)
                self._promote(c, r, key, length, sig, size, own, chars, sents, fp)
                return self._provisional(r), c
            return self._provisional(r), -1
        # A store that keeps sentence pieces is asked first: its exact and near matches rank
        # before partial ones, as in one batch run; its entries are partial candidates too.
        match = None
        if self._store_pieces:
            match = self.store.lookup(key, sig, size)  # type: ignore[union-attr]
        # The store already holds this record under its own id (a rerun of a committed run):
        # it is kept again and joins this run as it did the first one; the store is unchanged.
        rerun = match is not None and match.id == id_
        near_c = -1  # the cluster a stored near match belongs to
        if match is not None and match.kind == "exact" and not rerun and not self._longest:
            stored_c = self._stored_cluster(match.id)
            if stored_c is not None:
                near_c, match = stored_c, Match(self._c_rep[stored_c], 1.0, "exact")
        if match is not None and match.kind == "near" and not rerun and not self._longest:
            # a stored near match is judged by the rule this run's candidates are: against
            # the version its cluster is verified against now, and a fuller version that
            # contains it is kept and supersedes it
            stored_c = self._stored_cluster(match.id)
            if stored_c is not None:
                c = stored_c
                ranked = self._rank_near(np.array([c]), sig, size, pieces, row)
                if not ranked:
                    # the best stored match fails against its cluster: the next ones are
                    # ranked as this run's candidates are (every verified one, not only the
                    # first), so a day-by-day run decides as one batch run
                    ranked = self._rank_near(
                        self._other_stored(key, sig, size, c), sig, size, pieces, row
                    )
                    if ranked:
                        c = ranked[0][1]
                if not ranked:
                    match = None
                elif self._contains(c, ranked[0][2], size):
                    return self._supersede(
                        id_,
                        key,
                        length,
                        sig,
                        size,
                        -ranked[0][0],
                        ranked[0][2],
                        c,
                        kept_items,
                        pieces,
                        row,
                    )
                else:
                    near_c, match = c, Match(self._c_rep[c], -ranked[0][0], "near")
        if len(part) and (match is None or rerun):
            found = self._partial(
                sig, size, own, boiler, chars, sents, _unique(part), pieces, row, rerun
            )
            if found is not None:
                d, carries = self._join_partial(
                    id_,
                    key,
                    length,
                    sig,
                    size,
                    own,
                    chars,
                    sents,
                    *found,
                    fp=pieces.print_of(row),
                    row=row,
                    pieces=pieces,
                )
                if d.kept and self.store is not None and not rerun:
                    kept_items.append(self._kept_item(id_, key, sig, size, pieces, row, d.cluster))
                return d, carries
        if self.store is not None and not self._store_pieces:
            match = self.store.lookup(key, sig, size)
            rerun = match is not None and match.id == id_
        if match is not None and not rerun:
            c = near_c if near_c >= 0 else self._archived.get(match.id, -1)
            if c < 0:
                c = self._archived[match.id] = self._new_cluster(match.id, None, 0, True)
            kind = _EXACT if match.kind == "exact" else _NEAR
            self._n_archived += bool(self._c_archived.a[c])
            if kind == _NEAR and self._store_pieces and not self._longest:
                self._lend_to_archived(c, self._c_top[c], pieces, row)
            if not self._longest:
                self._c_count.a[c] += 1
                self._counts[kind] += 1
                self._exact[key] = (c, kind, match.similarity)
                return Decision(id_, False, match.id, match.kind, match.similarity), -1
            r = self._record(
                id_, c, kind, match.similarity, size, -1, (sig & 0xFF).astype(np.uint8)
            )
            self._exact[key] = r
            return self._provisional(r), -1
        if not self._longest and not rerun and len(self._m_id):
            through = self._through_member(pieces, row, sig, size)
            if through is not None:
                own, _, chars, sents = pieces.of(row)
                return self._join_partial(
                    id_,
                    key,
                    length,
                    sig,
                    size,
                    own,
                    chars,
                    sents,
                    *through,
                    fp=None,
                    row=row,
                    pieces=pieces,
                )
        own, _, chars, sents = pieces.of(row, need=True)
        c = self._new_cluster(id_, sig, size, False, own, chars, sents, pieces.print_of(row))
        if not self._longest:
            self._c_count.a[c] += 1
            self._counts[_NONE] += 1
            self._exact[key] = c
            if self.store is not None and not rerun:
                kept_items.append(self._kept_item(id_, key, sig, size, pieces, row))
            return Decision(id_, True, id_, "none", 1.0), c
        r = self._record(id_, c, _NONE, 1.0, size, -1, (sig & 0xFF).astype(np.uint8))
        self._exact[key] = r
        self._promote(c, r, key, length, sig, size, own, chars, sents, pieces.print_of(row))
        return self._provisional(r), c

    def _text(self, pieces: _Pieces, row: int, c: int, share: bool = True) -> SameText | None:
        """How much of the shorter of row's body and cluster c's version appears nearly
        verbatim in the other (`sentences.same_text`, asked through the cluster table:
        `sentences.same_text_rows`; the row's boilerplate pieces left out of both); None
        when c has no fingerprint (an archived entry of the index)."""
        if not self._c_print.has[c]:
            return None
        version = self._c_print.version(c)
        if share:
            known = pieces.texts.get((row, c))
            if known is not None and known[0] == version:
                return known[1]
        boiler = pieces.boiler(row)
        rows, _ = same_text_rows(
            pieces.print_of(row),
            self._c_print,
            np.array([c]),
            boiler if len(boiler) else None,
            share,
        )
        text = text_of_row(rows[0])
        if share:
            pieces.texts[row, c] = (version, text)
        return text

    def _texts(self, pieces: _Pieces, row: int, cands: list[int]) -> list[SameText | None]:
        """`_text` of row against each cluster of ``cands`` (`sentences.same_text_many`:
        the pairs that stop at the 5-gram early out in one pass; a pair `_text` compared
        for this row already is not compared again)."""
        out: list[SameText | None] = [None] * len(cands)
        todo: list[int] = []
        fps: list[Fingerprint] = []
        for k, c in enumerate(cands):
            t = self._c_print.view(c)
            if t is None:
                continue
            known = pieces.texts.get((row, c))
            if known is not None and known[0] == self._c_print.version(c):
                out[k] = known[1]
            else:
                todo.append(k)
                fps.append(t)
        if not todo:
            return out
        boiler = pieces.boiler(row)
        got = same_text_many(pieces.print_of(row), fps, boiler if len(boiler) else None)
        for k, text in zip(todo, got, strict=True):
            out[k] = text
        return out

    def _candidates(self, cands: np.ndarray, sig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct clusters of ``cands`` (sorted) and their `_jaccards`."""
        if _K_CANDIDATES is not None and loaded():
            return _K_CANDIDATES(cands, self._c_sig.a, sig)
        cands = _unique(cands)
        return cands, self._jaccards(cands, sig)

    def _jaccards(self, cands: np.ndarray, sig: np.ndarray) -> np.ndarray:
        """Jaccard estimates of a signature against clusters ``cands``' signatures."""
        if _K_ROW_SHARES is not None and loaded():
            return _K_ROW_SHARES(self._c_sig.a, cands, sig)
        return _share_equal(self._c_sig.a[cands], sig)

    def _refused(self, pieces: _Pieces, row: int, c: int, v: Verdict) -> None:
        """Log at debug level why row's record is not a duplicate of cluster c."""
        if v.reason and _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s: not a duplicate of %s: %s", pieces.ids[row], self._c_top[c], v.reason)

    def _rank_near(
        self,
        cands: np.ndarray,
        sig: np.ndarray,
        size: int,
        pieces: _Pieces,
        row: int,
        linked: np.ndarray | None = None,
        jac: np.ndarray | None = None,
    ) -> list[tuple[float, int, float, float]]:
        """Clusters ``cands`` this body is a near copy of (`cluster.verify` against each
        cluster's current version, sentence counts included, and their sentences when the
        Jaccard estimate is at least `cluster.TEXT_MIN_JACCARD` or the cluster shares
        sentence pieces with it: ``linked``), as (-similarity, cluster, Jaccard, share of
        shared sentences: 0.0 when not compared), best first (ties: the oldest cluster).
        The same rule for this run's clusters and the store's entries."""
        if jac is None:
            jac = self._jaccards(cands, sig)
        cfg = self.config
        # from here `verify` says near by Jaccard without sentences, and `_through_first`
        # keeps it: the same entry, without their objects
        sure = max(cfg.threshold, _SURE_JACCARD)
        if len(cands) == 1:  # most bodies: one candidate cluster
            c, j = int(cands[0]), float(jac[0])
            if j >= sure:
                return [(-j, c, j, 0.0)]
            # does it share sentence pieces with it (asked under TEXT_MIN_JACCARD)
            shared = (
                j < TEXT_MIN_JACCARD
                and linked is not None
                and len(linked) > 0
                and bool((linked == c).any())
            )
            one, _ = self._near_one(c, j, size, shared, pieces, row, None)
            return [] if one is None else [one]
        floor = min(TEXT_MIN_JACCARD, cfg.min_jaccard, cfg.threshold)
        if not _log.isEnabledFor(logging.DEBUG):
            # under every floor, and sharing no piece, `verify` can only refuse (MinHash
            # alone, no sentences): dropped at once (with a popular band key a body has
            # hundreds of such candidates in a large run)
            keep = jac >= floor
            if linked is not None and len(linked) and not keep.all():
                keep |= in_sorted(cands, _unique(linked))
            if not keep.all():
                cands, jac = cands[keep], jac[keep]
        sents: int | None = None  # cut only when the containment route needs them
        ranked = []
        # which candidates share sentence pieces with it (asked under TEXT_MIN_JACCARD)
        shares_pieces = (
            in_sorted(cands, _unique(linked)).tolist()
            if linked is not None and len(linked) and (jac < TEXT_MIN_JACCARD).any()
            else [False] * len(cands)
        )
        for c, j, shared in zip(cands.tolist(), jac.tolist(), shares_pieces, strict=True):
            if j >= sure:
                ranked.append((-j, c, j, 0.0))
                continue
            one, sents = self._near_one(c, j, size, shared, pieces, row, sents)
            if one is not None:
                ranked.append(one)
        ranked.sort()
        return ranked

    def _near_one(
        self,
        c: int,
        j: float,
        size: int,
        shared: bool,
        pieces: _Pieces,
        row: int,
        sents: int | None,
    ) -> tuple[tuple[float, int, float, float] | None, int | None]:
        """`_rank_near`'s entry for cluster c (Jaccard estimate j under the sure one; None:
        not near), and the row's sentence count when it was needed (``sents``: known)."""
        if j < self.config.threshold and sents is None:
            sents = pieces.of(row, need=True)[3]
        compare = j >= TEXT_MIN_JACCARD or shared
        # over the Jaccard threshold only the template check runs (cheap)
        text = None
        if compare and j < _SURE_JACCARD:
            text = self._text(pieces, row, c, share=j < self.config.threshold)
        v = verify(
            self.config,
            j,
            size,
            int(self._c_size.a[c]),
            sentences_a=sents,
            sentences_b=int(self._c_sents.a[c]) or None,
            text=text,
        )
        if v.kind == "near":
            v = self._through_first(pieces, row, c, v)
        if v.kind == "near":
            return (-v.similarity, c, v.jaccard, v.containment), sents
        if not v.ok:
            self._refused(pieces, row, c, v)
        return None, sents

    def _contains(self, c: int, jaccard: float, size: int) -> bool:
        """Near to cluster c only by containment, and the fuller one: it contains c's
        version, so it is kept as a fuller version, never dropped (``keep="first"``)."""
        return (
            not self._longest
            and jaccard < self.config.threshold
            and size > self._c_size.a[c] / PARTIAL_MAX_RATIO
        )

    def _supersede(
        self,
        id_: str,
        key: bytes,
        length: int,
        sig: np.ndarray,
        size: int,
        sim: float,
        jaccard: float,
        c: int,
        kept_items: list,
        pieces: _Pieces,
        row: int,
    ) -> tuple[Decision, int]:
        """Keep this body as the fuller version of cluster c (see `_contains`)."""
        own, _, chars, sents = pieces.of(row, need=True)
        v = Verdict(True, "partial", sim, jaccard, sim, "b")
        d, carries = self._join_partial(
            id_,
            key,
            length,
            sig,
            size,
            own,
            chars,
            sents,
            v,
            c,
            force=True,
            fp=pieces.print_of(row),
        )
        if self.store is not None:
            kept_items.append(self._kept_item(id_, key, sig, size, pieces, row, d.cluster))
        return d, carries

    def _other_stored(self, key: bytes, sig: np.ndarray, size: int, tried: int) -> np.ndarray:
        """The clusters of every verified stored near match (``store.lookup_all``) but
        ``tried``; empty for a store without it."""
        lookup_all = getattr(self.store, "lookup_all", None)
        if lookup_all is None:
            return np.empty(0, np.int64)
        cs = {self._stored_cluster(m.id) for m in lookup_all(key, sig, size) if m.kind == "near"}
        return np.array(sorted(c for c in cs if c is not None and c != tried), dtype=np.int64)

    def _stored_cluster(self, id_: str) -> int | None:
        """The cluster of a stored entry (a version kept in this run, or an archived
        cluster verified against its newest stored version); None when the store has no
        pieces for it."""
        c = self._by_id.get(id_)
        if c is not None and not self._c_archived.a[c]:
            return c
        c = self._archived.get(id_)
        if c is not None and id_ in self._loaded:
            return c
        got = self.store.entries_of([id_])  # type: ignore[union-attr]
        if not got:
            return c
        self._loaded.add(id_)
        return self._whole_cluster(got[0])

    def _whole_cluster(self, e: Any) -> int:
        """`_archived_cluster`, with the fuller versions stored beside the cluster's brief
        (they contain its sentences: a piece query finds them), so the cluster is verified
        against its newest version whichever of its entries was found."""
        c = self._archived_cluster(e)
        rep = self._c_rep[c]
        if not self._c_archived.a[c] or rep in self._loaded_rep:
            return c
        self._loaded_rep.add(rep)
        if rep in self._fetched:  # asked with the other entries of the batch (`_prefetch`)
            brief, fuller = self._fetched[rep]
        else:
            brief, fuller = self._fetch([e] if rep == e.id else [], [rep] if rep != e.id else [])[
                rep
            ]
        if brief is not None:
            self._archived_cluster(brief)
            for f in fuller:
                if f.pieces.of == rep:
                    self._archived_cluster(f)
        return c

    def _fetch(self, briefs: list[Any], reps: list[str]) -> dict[str, tuple[Any, list[Any]]]:
        """For stored briefs (entries that are their cluster's first version) and the ids
        ``reps`` of more briefs: each brief, and the stored entries that share one of its
        sentence pieces (its fuller versions among them), in three store calls for all:
        ``entries_of``, one ``query_pieces`` over every brief's pieces, ``entries``."""
        by_rep: dict[str, Any] = {b.id: b for b in briefs}
        ask = [r for r in reps if r not in by_rep]
        by_rep.update({r: None for r in ask})
        if ask:
            for b in self.store.entries_of(ask):  # type: ignore[union-attr]
                if by_rep.get(b.id, b) is None:
                    by_rep[b.id] = b
        have = [(r, b) for r, b in by_rep.items() if b is not None]
        out: dict[str, tuple[Any, list[Any]]] = {r: (None, []) for r in by_rep}
        if not have:
            return out
        sizes = [len(b.pieces.hashes) for _, b in have]
        sh = self.store.query_pieces(  # type: ignore[union-attr]
            np.concatenate([b.pieces.hashes for _, b in have]).astype(np.uint64),
            cap=self.config.boilerplate_clusters,
        )
        owner = np.repeat(np.arange(len(have)), sizes)[sh.rows]
        got = {f.n: f for f in self.store.entries(_distinct(sh.values))}  # type: ignore[union-attr]
        for k, (r, b) in enumerate(have):
            ns = _distinct(sh.values[owner == k]).tolist()
            out[r] = (b, [got[n] for n in ns if n in got])
        return out

    def _prefetch(self, entries: list[Any]) -> None:
        """Ask the store at once for what `_whole_cluster` will need for each of ``entries``
        (kept for this batch in ``_fetched``): one round of store calls, not three an entry."""
        briefs: dict[str, Any] = {}
        reps: set[str] = set()
        for e in entries:
            rep = e.pieces.of or e.id
            if e.id in self._by_id or rep in self._loaded_rep or rep in self._fetched:
                continue
            if rep == e.id:
                briefs[rep] = e
            else:
                reps.add(rep)
        reps -= briefs.keys()
        if len(briefs) + len(reps) > 1:  # one cluster: `_whole_cluster` asks as often
            self._fetched.update(self._fetch(list(briefs.values()), sorted(reps)))

    def _partial(
        self,
        sig: np.ndarray,
        size: int,
        own: np.ndarray,
        boiler: np.ndarray,
        chars: int,
        sents: int,
        cands: np.ndarray,
        pieces: _Pieces,
        row: int,
        rerun: bool = False,
    ) -> tuple[Verdict, int] | None:
        """The best cluster this body lies inside, or that lies inside it, or whose text it
        shares (`cluster.verify` on sentence fingerprints, or on sentence pieces for a
        store's entry; boilerplate left out of both sides). Unless ``rerun``, the store's
        entries (archived clusters with their pieces) are candidates too."""
        if not rerun:
            cands = cands[self._c_has_pieces.a[cands]]
        else:
            cands = cands[~self._c_archived.a[cands]]
        if not len(cands) or not len(own):
            return None
        jac_a = self._jaccards(cands, sig)
        texts: list[SameText | None]
        if _log.isEnabledFor(logging.DEBUG):
            texts = self._texts(pieces, row, cands.tolist())  # every refusal says why
        else:
            # the candidates with a fingerprint compared in one `same_text_rows` call; those
            # `cluster.text_refused` must refuse are dropped on their shares, and only the
            # few left get a SameText and a Verdict
            texts = [None] * len(cands)
            has = self._c_print.has[cands]
            every = bool(has.all())
            printed = np.arange(len(cands)) if every else np.flatnonzero(has)
            if len(printed):
                boil = pieces.boiler(row)
                rows, edited = same_text_rows(
                    pieces.print_of(row),
                    self._c_print,
                    cands if every else cands[printed],
                    boil if len(boil) else None,
                    edited=True,
                )
                gone = text_refused(self.config, jac_a if every else jac_a[printed], edited)
                if every and gone.all():
                    # `text_refused` refuses them all (most rows: candidates that share a
                    # paragraph or two)
                    return None
                for q in np.flatnonzero(~gone).tolist():
                    texts[int(printed[q])] = text_of_row(rows[q])
                if gone.any():
                    keep = np.ones(len(cands), dtype=bool)
                    keep[printed[gone]] = False
                    cands, jac_a = cands[keep], jac_a[keep]
                    texts = [t for t, k in zip(texts, keep.tolist(), strict=True) if k]
        jac = jac_a.tolist()
        verdicts = []
        sizes_b = self._c_size.a[cands].tolist()
        chars_b = self._c_chars.a[cands].tolist()
        sents_b = self._c_sents.a[cands].tolist()
        cl = cands.tolist()
        for c, j, size_b, chars_c, sents_c, text in zip(
            cl, jac, sizes_b, chars_b, sents_b, texts, strict=True
        ):
            if text is not None:
                v = verify(self.config, j, size, size_b, text=text)
                v = self._through_first(pieces, row, c, v)
                if v.ok:
                    verdicts.append((v, c, c))
                else:
                    self._refused(pieces, row, c, v)
                continue
            theirs = self._c_pieces[c]
            if len(boiler):  # both sorted, distinct
                theirs = theirs[~in_sorted(theirs, boiler)]
            v = verify(
                self.config,
                j,
                size,
                size_b,
                pieces_a=own,
                pieces_b=theirs,
                chars_a=chars,
                chars_b=chars_c,
                sentences_a=sents,
                sentences_b=sents_c,
            )
            if v.kind == "partial":
                verdicts.append((v, c, c))
        return best(verdicts)

    def _add_member(
        self, c: int, id_: str, sig: np.ndarray, size: int, pieces: _Pieces, row: int
    ) -> None:
        """Keep row's body, which joined cluster c on a share of its sentences, as a
        version of c that later bodies may join through (`_through_member`)."""
        if not pieces.search[row]:
            return
        m = len(self._m_id)
        self._m_id.append(id_)
        self._m_cluster.append(c)
        self._m_sig.append(sig)
        self._m_size.append(size)
        self._m_print.append(pieces.print_of(row))
        self._m_batch.append((pieces.every(row), m))
        if pieces.member_of is None:
            pieces.member_of = np.full(len(pieces.search), -1, np.int64)
        pieces.member_of[row] = m

    def _earlier_members(self, pieces: _Pieces) -> list[np.ndarray]:
        """For every searched row of a batch, the members of earlier batches it shares
        enough pieces or anchors with, none of them boilerplate (one store query)."""
        n = len(pieces.search)
        if not len(self._m_store):
            return [np.empty(0, np.int64)] * n
        a_keys, a_at = pieces.anchors
        own, a_own = ~pieces.crowded, ~pieces.anchor_crowded
        p_keys = pieces.hashes[own]
        rows = np.concatenate(
            (
                np.repeat(np.arange(n), np.diff(pieces.offsets))[own],
                np.repeat(np.arange(n), np.diff(a_at))[a_own],
            )
        )
        hits = self._m_store.query(np.concatenate((p_keys, a_keys[a_own])))
        piece = hits.rows < len(p_keys)
        who, at = hits.values.astype(np.int64), rows[hits.rows]
        return _enough(at[piece], who[piece], at[~piece], who[~piece], n, _min_shared(self.config))

    def _through_member(
        self, pieces: _Pieces, row: int, sig: np.ndarray, size: int
    ) -> tuple[Verdict, int] | None:
        """A body no cluster's version takes may join a cluster through a member version
        (`_add_member`): verified against that member (`cluster.verify`), and sharing at
        least `cluster.CHAIN_MIN_SHARE` of the shorter side with the cluster's version
        (sentences whole or edited; its first version too when superseded, `_through_first`)
        and no template. Candidates: members sharing as many pieces or anchors (none of
        them boilerplate) as a cluster must. Returns (verdict, cluster) or None."""
        if not pieces.search[row]:
            return None
        cfg = self.config
        if pieces.members is None:
            pieces.members = self._earlier_members(pieces)
        members = pieces.members[row]
        if pieces.member_of is not None and len(pieces.in_batch[row]):
            # members that joined earlier in this batch (the earlier rows of the batch
            # sharing as many pieces or anchors with it)
            mine = pieces.member_of[pieces.in_batch[row]]
            if mine.max() >= 0:
                members = np.union1d(members, mine[mine >= 0])
        if not len(members):
            return None
        boil = pieces.boiler(row)
        rows, edited = same_text_rows(
            pieces.print_of(row), self._m_print, members, boil if len(boil) else None, edited=True
        )
        jac = _share_equal(self._m_sig.a[members], sig)
        verdicts = []
        for q in np.flatnonzero(~text_refused(cfg, jac, edited)).tolist():
            m = int(members[q])
            v = verify(cfg, float(jac[q]), size, int(self._m_size.a[m]), text=text_of_row(rows[q]))
            c = int(self._m_cluster.a[m])
            t = self._text(pieces, row, c) if v.ok else None
            if t is None or t.template or t.edited < CHAIN_MIN_SHARE:
                if v.ok and _log.isEnabledFor(logging.DEBUG):
                    if t is None:
                        why = "its version has no fingerprint"
                    elif t.template:
                        why = f"a template of its version ({t.explain()})"
                    else:
                        why = f"edited under {CHAIN_MIN_SHARE} of its version ({t.explain()})"
                    _log.debug(
                        "%s: not a duplicate of %s through %s: %s",
                        pieces.ids[row],
                        self._c_top[c],
                        self._m_id[m],
                        why,
                    )
                continue
            v = self._through_first(pieces, row, c, v)
            if v.ok:
                why = (
                    f"{v.reason}; through {self._m_id[m]}, "
                    f"shares {t.edited:.2f} with {self._c_top[c]}"
                )
                verdicts.append((replace(v, contained="", reason=why), m, c))
        found = best(verdicts)
        if found is None:
            return None
        v, c = found
        _log.debug("%s: joins %s: %s", pieces.ids[row], self._c_top[c], v.reason)
        return v, c

    def _through_first(self, pieces: _Pieces, row: int, c: int, v: Verdict) -> Verdict:
        """``v``, row's body verified against cluster c's version, or a refusal: when a
        fuller version superseded c's first version (its representative, a brief) and the
        body joins that fuller version on a share (partial, or near under the Jaccard
        threshold: the links a chain is made of), it must share at least
        `cluster.CHAIN_MIN_SHARE` of the shorter side with the first version too. (A body
        inside the fuller version but apart from the brief it grew from would put two
        articles of which neither holds half of the other in one cluster.)"""
        first = self._first_print.get(c)
        if first is None or not v.ok or (v.kind == "near" and v.jaccard >= self.config.threshold):
            return v
        boiler = pieces.boiler(row)
        t = same_text(pieces.print_of(row), first, boiler if len(boiler) else None)
        if t.chars == 0 or t.edited >= CHAIN_MIN_SHARE:
            return v
        why = (
            f"{v.reason}; but shares {t.share:.2f} (edited {t.edited:.2f}) with the first version "
            f"{self._c_rep[c]} (under {CHAIN_MIN_SHARE})"
        )
        return replace(v, ok=False, kind="none", reason=why)

    def _join_partial(
        self,
        id_: str,
        key: bytes,
        length: int,
        sig: np.ndarray,
        size: int,
        own: np.ndarray,
        chars: int,
        sents: int,
        v: Verdict,
        c: int,
        force: bool = False,
        fp: Fingerprint | None = None,
        row: int = -1,
        pieces: _Pieces | None = None,
    ) -> tuple[Decision, int]:
        """Join cluster c as an abridged copy, or, as its fuller version, supersede the
        version c is verified against (and become the representative with
        ``keep="longest"``). With ``pieces`` (row's batch), a copy that joined on its
        sentences is kept as a member version (`_add_member`)."""
        sim = v.similarity
        grows = force or (v.contained == "b" and fuller(chars, int(self._c_chars.a[c])))
        if self._longest:
            r = self._record(id_, c, _PARTIAL, sim, size, -1, (sig & 0xFF).astype(np.uint8))
            self._exact[key] = r
            if grows:
                self._promote(c, r, key, length, sig, size, own, chars, sents, fp)
                return self._provisional(r), c
            return self._provisional(r), -1
        self._c_count.a[c] += 1
        if not grows:
            kind = _NEAR if v.kind == "near" else _PARTIAL
            self._counts[kind] += 1
            if self._c_archived.a[c]:
                self._n_archived += 1
            elif pieces is not None and v.jaccard < self.config.threshold:
                self._add_member(c, id_, sig, size, pieces, row)
            self._exact[key] = (c, kind, sim)
            return Decision(
                id_, False, self._c_rep[c], _KINDS[kind], sim, containment=v.containment or None
            ), -1
        before = self._c_top[c]
        if before == self._c_rep[c] and self._c_print[c] is not None:
            self._first_print.setdefault(c, self._c_print[c])  # type: ignore[arg-type]
        self._counts[_NONE] += 1
        self._n_superseding += 1
        self._exact[key] = (c, _EXACT, 1.0)
        self._set_top(c, id_, sig, size, own, chars, sents, fp)
        return Decision(
            id_, True, self._c_rep[c], "partial", sim, containment=sim, supersedes=before
        ), c

    def _kept_item(
        self,
        id_: str,
        key: bytes,
        sig: np.ndarray,
        size: int,
        pieces: _Pieces,
        row: int,
        cluster: str = "",
    ) -> tuple:
        """What the store is given for a kept record: (id, exact key, signature, size), and
        with a store that keeps pieces, (timestamp: now, (every piece hash, the folded
        characters and sentences of its non-boilerplate pieces, and for a fuller version
        kept beside its brief, the cluster's id: the store's entries then rebuild the
        cluster as this run holds it))."""
        if not self._store_pieces:
            return (id_, key, sig.copy(), size)
        _, _, chars, sents = pieces.of(row, need=True)
        of = cluster if cluster != id_ else ""
        fp = pieces.print_of(row).compact()
        return (id_, key, sig.copy(), size, None, (pieces.every(row), chars, sents, of, fp))

    def _store_candidates(self, hashes: np.ndarray, found: Any) -> Any:
        """Add the store's entries to a piece query's hits (``found``, on ``hashes``): each
        entry as its cluster in this run (a version kept here) or as an archived cluster
        holding its pieces; a piece under more than ``boilerplate_clusters`` distinct
        clusters of both is crowded."""
        cap = self.config.boilerplate_clusters
        sh = self.store.query_pieces(hashes, cap=cap)  # type: ignore[union-attr]
        if not len(sh.values):
            return replace(found, crowded=found.crowded | sh.crowded)
        where: dict[int, int] = {}
        stored = self.store.entries(_distinct(sh.values))  # type: ignore[union-attr]
        self._prefetch(stored)
        for e in stored:
            c = self._by_id.get(e.id)
            where[e.n] = self._whole_cluster(e) if c is None else c
        mapped = np.array([where.get(n, -1) for n in sh.values.tolist()], dtype=np.int64)
        ok = mapped >= 0
        pos = np.concatenate((found.rows, sh.rows[ok])).astype(np.int64)
        val = np.concatenate((found.values.astype(np.int64), mapped[ok]))
        crowded = found.crowded | sh.crowded
        if len(pos):
            pair = _distinct(pos * (1 << 31) + val)
            pos, val = pair >> 31, pair & ((1 << 31) - 1)
            crowded = crowded | (np.bincount(pos, minlength=len(hashes)) > cap)
            keep = ~crowded[pos]
            pos, val = pos[keep], val[keep]
        return replace(found, rows=pos, values=val, crowded=crowded)

    def _lend_to_archived(self, c: int, id_: str, pieces: _Pieces, row: int) -> None:
        """A near copy of a stored entry lends its new sentences to the entry's cluster (and,
        after the batch, to the stored entry), as a near copy does to a cluster of this run."""
        if not len(self._c_pieces[c]):
            for e in self.store.entries_of([id_]):  # type: ignore[union-attr]
                self._archived_cluster(e)
        if len(self._c_pieces[c]):
            own, _, chars, sents = pieces.of(row, need=True)
            self._absorb(c, own, chars, sents)

    def _archived_cluster(self, e: Any) -> int:
        """The cluster of a stored entry (`dedupe_ko.index.Entry`), verified against its
        signature and pieces. A fuller version kept beside its brief (``e.pieces.of``) joins
        the brief's cluster, and the newest such version is the one verified against, as in
        the run that kept it."""
        rep = e.pieces.of or e.id
        c = self._by_id.get(rep, self._archived.get(rep))
        if c is None:
            c = self._archived[rep] = self._new_cluster(
                rep,
                e.sig,
                e.size,
                True,
                e.pieces.hashes,
                e.pieces.chars,
                e.pieces.sentences,
                e.pieces.prints,
            )
            if e.id == rep and e.pieces.prints is not None:
                self._rep_printed.add(c)
        elif not self._c_archived.a[c]:
            return c  # a cluster of this run: it knows its current version
        elif (self._c_top[c] == e.id and not len(self._c_pieces[c])) or (
            e.n > self._top_n.get(c, -1) and e.pieces.of
        ):  # known from a lookup / newer
            if c in self._rep_printed:  # a fuller version supersedes the representative
                self._rep_printed.discard(c)
                self._first_print.setdefault(c, self._c_print[c])  # type: ignore[arg-type]
            self._set_top(
                c,
                e.id,
                e.sig,
                e.size,
                e.pieces.hashes,
                e.pieces.chars,
                e.pieces.sentences,
                e.pieces.prints,
            )
        else:
            if e.id == rep and e.pieces.prints is not None and c not in self._rep_printed:
                self._first_print.setdefault(c, e.pieces.prints)  # met after a fuller one
            return c
        self._top_n[c] = e.n
        self._by_id[e.id] = c
        self._c_top_pieces.a[c] = e.pieces.base if e.pieces.base >= 0 else len(e.pieces.hashes)
        return c

    def _absorb(self, c: int, pieces: np.ndarray, chars: int, sents: int) -> None:
        """A near copy joined cluster c: its sentences (a re-led copy's lede, a paragraph
        the representative lacks) become part of c, so a brief made of them still finds c."""
        if len(pieces) < _ABSORB_MIN:
            return
        mine = self._c_pieces[c]
        new = pieces[~in_sorted(pieces, mine)] if len(mine) else pieces
        # a paragraph's worth (typos change a piece or two: nothing to add), and the
        # cluster's pieces at most twice the representative's
        if len(new) >= _ABSORB_MIN and len(mine) + len(new) <= 2 * self._c_top_pieces.a[c]:
            self._c_pieces[c] = _distinct(np.concatenate((mine, new)))
            self._c_has_pieces.a[c] = True
            self._c_chars.a[c] = max(int(self._c_chars.a[c]), chars)
            self._c_sents.a[c] = max(int(self._c_sents.a[c]), sents)
            self._absorbed.append((new, c))

    def _set_top(
        self,
        c: int,
        id_: str,
        sig: np.ndarray,
        size: int,
        pieces: np.ndarray,
        chars: int,
        sents: int,
        fp: Fingerprint | None = None,
    ) -> None:
        """Verify cluster c's later candidates against this version."""
        self._c_top[c] = id_
        self._c_print.put(c, fp)
        self._by_id[id_] = c
        self._c_sig.a[c] = sig
        self._c_size.a[c] = size
        self._c_pieces[c] = pieces
        self._c_has_pieces.a[c] = len(pieces) > 0
        self._c_chars.a[c] = chars
        self._c_sents.a[c] = sents
        self._c_top_pieces.a[c] = len(pieces)

    # -- keep="longest" --------------------------------------------------------------------
    def _record(
        self, id_: str, c: int, kind: int, sim: float, size: int, group: int, sketch: np.ndarray
    ) -> int:
        """Append a per-record row and link it into cluster c's member list."""
        r = len(self._r_id)
        self._r_id.append(id_)
        self._r_cluster.append(c)
        self._r_kind.append(kind)
        self._r_sim.append(sim)
        self._r_size.append(size)
        self._r_group.append(r if group < 0 else group)
        self._r_sketch.append(sketch)
        self._r_next.append(-1)
        last = int(self._c_last.a[c])
        if last >= 0:
            self._r_next.a[last] = r
        else:
            self._c_head.a[c] = r
        self._c_last.a[c] = r
        self._c_count.a[c] += 1
        return r

    def _members(self, c: int) -> np.ndarray:
        out = []
        r = int(self._c_head.a[c])
        nxt = self._r_next.a
        while r >= 0:
            out.append(r)
            r = int(nxt[r])
        return np.array(out, dtype=np.int64)

    def _sketch_jaccard(self, members: np.ndarray, sketch: np.ndarray) -> np.ndarray:
        """Jaccard estimates from 8-bit sketches: equal bytes, less the 1/256 chance match."""
        p = _share_equal(self._r_sketch.a[members], sketch)
        return np.clip((p - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)

    def _members_accept(self, c: int, sig: np.ndarray, size: int) -> bool:
        """Would every member of cluster c accept this body as its representative?
        (Partial members, briefs inside the current representative, are inside a near copy
        of it too: they are not asked.)"""
        members = self._members(c)
        members = members[self._r_kind.a[members] != _PARTIAL]
        if not len(members):
            return True
        jac = self._sketch_jaccard(members, (sig & 0xFF).astype(np.uint8))
        sizes = self._r_size.a[members]
        return all(
            accept(self.config, j, int(s), size)[0]
            for j, s in zip(jac.tolist(), sizes.tolist(), strict=True)
        )

    def _promote(
        self,
        c: int,
        r: int,
        key: bytes,
        length: int,
        sig: np.ndarray,
        size: int,
        pieces: np.ndarray,
        chars: int,
        sents: int,
        fp: Fingerprint | None = None,
    ) -> None:
        """Make record r the representative of cluster c; restate the members' relation."""
        self._set_top(c, self._r_id[r], sig, size, pieces, chars, sents, fp)
        self._c_len.a[c] = length
        self._c_rep_rec.a[c] = r
        self._c_rep[c] = self._r_id[r]
        self._c_key[c] = key
        members = self._members(c)
        others = members[members != r]  # all new to this body: r is a body not seen before
        self._r_kind.a[r] = _NONE
        self._r_sim.a[r] = 1.0
        if len(others):
            jac = self._sketch_jaccard(others, self._r_sketch.a[r])
            for m, j in zip(others.tolist(), jac.tolist(), strict=True):
                msize = int(self._r_size.a[m])
                v = verify(self.config, j, msize, size)
                if v.ok:
                    self._r_kind.a[m], self._r_sim.a[m] = _NEAR, v.similarity
                else:  # an abridged copy of the old representative: inside the new one too
                    self._r_kind.a[m] = _PARTIAL
                    self._r_sim.a[m] = containment(j, msize, size)

    def _provisional(self, r: int) -> Decision:
        return self._decision(r, final=False)

    def _decision(self, r: int, final: bool = True) -> Decision:
        c = int(self._r_cluster.a[r])
        kind = int(self._r_kind.a[r])
        sim = float(self._r_sim.a[r])
        return Decision(
            self._r_id[r],
            kind == _NONE,
            self._c_rep[c],
            _KINDS[kind],
            sim,
            final=final,
            containment=sim if kind == _PARTIAL else None,
        )

    def _final_decisions(self) -> Iterator[Decision]:
        for r in range(len(self._r_id)):
            yield self._decision(r)

    def _insert_representatives(self) -> None:
        assert self.store is not None
        items = []
        for c in range(len(self._c_rep)):
            if self._c_archived.a[c]:
                continue
            item: tuple = (
                self._c_rep[c],
                self._c_key[c],
                self._c_sig.a[c].copy(),
                int(self._c_size.a[c]),
            )
            if self._store_pieces:
                item += (
                    None,
                    (
                        self._c_pieces[c],
                        int(self._c_chars.a[c]),
                        int(self._c_sents.a[c]),
                        "",
                        self._c_print[c],
                    ),
                )
            items.append(item)
        if items:
            self.store.insert_many(items)


def dedup(
    records: Iterable[tuple[str, str]],
    config: DedupConfig | None = None,
    batch_size: int = 1024,
    **kw: Any,
) -> Iterator[Decision]:
    """Decide every (id, cleaned body) record, streamed in batches; decisions in input order.

    ``kw``: `DedupConfig` fields and ``store`` (see `Deduplicator`). With ``keep="first"``
    decisions come out batch by batch; with ``keep="longest"`` they come out after the whole
    input is read (the deduplicator then holds one small row per record, no texts).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    d = Deduplicator(config, **kw)
    it = iter(records)
    while batch := list(islice(it, batch_size)):
        decisions = d.add_batch(batch)
        if d.config.keep == "first":
            yield from decisions
    yield from d.finish()


class BoilerplateUnsettled(RuntimeError):
    """`replay` was told a piece is boilerplate from a batch on, but the group holding its
    earlier holders does not count it so by then: ``pieces`` (the guess was too early)."""

    def __init__(self, pieces: Sequence[int]) -> None:
        self.pieces = tuple(pieces)
        super().__init__(
            f"{len(self.pieces)} sentence piece(s) are not yet boilerplate at the batch given; "
            "replay their holders together, without the boilerplate hint"
        )


def replay(
    records: Iterable[tuple[int, str, str]],
    config: DedupConfig | None = None,
    *,
    boilerplate: Mapping[int, int] | None = None,
    confirm: Iterable[int] = (),
) -> list[Decision]:
    """Final decisions for (batch number, id, cleaned body) records given in input order,
    one `Deduplicator.add_batch` call per batch number.

    A group of records that shares no exact key, verified LSH band bucket or sentence piece
    with any record outside it is decided here exactly as in the whole run (`dedup` with the
    same batches): the Spark engine (`dedupe_ko.spark`) replays each such group this way.

    ``boilerplate``: sentence-piece hash -> the batch number from which the whole run counts
    the piece as boilerplate (in more than ``boilerplate_clusters`` clusters), for pieces
    whose holders are not all in this group; from that batch on the piece makes no
    candidates and counts for no containment here either. ``confirm``: those of them whose
    holders before that batch are all in this group: at that batch this group's own clusters
    must make each one boilerplate, else `BoilerplateUnsettled` is raised.
    """
    d = Deduplicator(config)
    cap = d.config.boilerplate_clusters
    since = dict(boilerplate or {})
    hashes = np.fromiter(since.keys(), np.uint64, len(since))
    starts = np.fromiter(since.values(), np.int64, len(since))
    order = np.argsort(hashes)
    hashes, starts = hashes[order], starts[order]
    pending = sorted((since[p], p) for p in set(confirm))
    unsettled: list[int] = []

    def check(upto: int | None) -> None:
        due = [p for x, p in pending if upto is None or x <= upto]
        if due:
            del pending[: len(due)]
            crowded = d._piece_store.query(np.array(due, np.uint64), cap=cap).crowded
            unsettled.extend(p for p, c in zip(due, crowded.tolist(), strict=True) if not c)

    def run(b: int, batch: list[tuple[str, str]]) -> list[Decision]:
        check(b)
        d._boilerplate = hashes[starts <= b]
        return d.add_batch(batch)

    out: list[Decision] = []
    batch: list[tuple[str, str]] = []
    current = 0
    for b, id_, text in records:
        if b != current and batch:
            out.extend(run(current, batch))
            batch = []
        current = b
        batch.append((id_, text))
    if batch:
        out.extend(run(current, batch))
    check(None)
    if unsettled:
        raise BoilerplateUnsettled(unsettled)
    if d.config.keep == "longest":
        return list(d.finish())
    return out
