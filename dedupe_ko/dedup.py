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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, Literal, Protocol

import numpy as np

from .minhash import MinHashConfig, MinHasher, containment, fold, folded_key, strip_marks

__all__ = [
    "DedupConfig",
    "DedupStats",
    "Decision",
    "Deduplicator",
    "Match",
    "Store",
    "accept",
    "dedup",
]

MatchKind = Literal["exact", "near", "none"]
_NONE, _EXACT, _NEAR = 0, 1, 2
_KINDS: tuple[MatchKind, ...] = ("none", "exact", "near")


@dataclass(frozen=True)
class DedupConfig:
    """How similar two cleaned bodies must be to count as the same story.

    - ``threshold``: estimated Jaccard similarity of shingle sets at which an article joins
      a representative's cluster. Default 0.7.
    - ``containment``: share of the shorter body's shingles found in the other at which an
      abridged copy (a dropped paragraph, a trimmed tail) joins. Default 0.7: a copy of a
      four-paragraph story that lost one paragraph and gained another (0.75) still joins
      with room for the estimate's noise (about +-0.05 at 128 permutations).
    - ``min_jaccard``: floor under the containment path: never join below this. Default 0.5,
      so a member shares (as far as the estimate tells) at least half of its own and half of
      its representative's shingles.
    - ``keep``: "first" (stable under streaming) or "longest" (the representative is the
      cluster's longest member by folded length; final decisions come from
      `Deduplicator.finish`). Default "first".
    - ``minhash``: shingle, signature and LSH band settings (`MinHashConfig`).
    """

    threshold: float = 0.7
    containment: float = 0.7
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
    """What happened to one input record.

    ``cluster`` is the id of the cluster's representative (the record's own id when it is
    kept); ``match`` says how the record relates to that representative: "exact" (the same
    folded body), "near", or "none" (it is the representative); ``similarity`` is the
    estimated similarity to the representative that `accept` reported (1.0 for the
    representative itself). ``final`` is False only for the provisional decisions that
    ``keep="longest"`` returns while a longer member may still arrive.
    """

    id: str
    kept: bool
    cluster: str
    match: MatchKind
    similarity: float
    final: bool = True

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "cluster": self.cluster, "similarity": self.similarity,
                "match": self.match}


@dataclass(frozen=True)
class DedupStats:
    """Counts so far: ``records == kept + exact + near``. ``archived`` counts the exact and
    near duplicates whose match was found in the ``store`` rather than in this run;
    ``largest_cluster`` is the most records of this run sharing one cluster."""

    records: int
    kept: int
    exact: int
    near: int
    largest_cluster: int
    archived: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"records": self.records, "kept": self.kept, "exact": self.exact,
                "near": self.near, "largest_cluster": self.largest_cluster,
                "archived": self.archived}


class Store(Protocol):
    """A persistent index the Deduplicator consults and fills (`dedupe_ko.index.Index`)."""

    def lookup(self, exact_key: bytes, sig: np.ndarray, size: int) -> Match | None: ...

    def insert_many(self, items: Sequence[tuple[str, bytes, np.ndarray, int]]) -> Any: ...


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
            new = np.empty((max(need, 2 * len(self._data)), *self._tail), dtype=self._data.dtype)
            new[: self.n] = self._data[: self.n]
            self._data = new

    def append(self, value: Any) -> int:
        self.reserve(1)
        self._data[self.n] = value
        self.n += 1
        return self.n - 1

    @property
    def a(self) -> np.ndarray:
        """The filled part (a view: writes go through)."""
        return self._data[: self.n]

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


def _merge(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted (keys, values) runs in linear time; ``a``'s entries come first on ties."""
    ka, va = a
    kb, vb = b
    pos = np.searchsorted(ka, kb, side="right") + np.arange(len(kb))
    keys = np.empty(len(ka) + len(kb), dtype=ka.dtype)
    vals = np.empty(len(keys), dtype=va.dtype)
    from_b = np.zeros(len(keys), dtype=bool)
    from_b[pos] = True
    keys[pos], vals[pos] = kb, vb
    keys[~from_b], vals[~from_b] = ka, va
    return keys, vals


class _Buckets:
    """LSH buckets: uint64 band key -> cluster number, as sorted numpy runs.

    Each batch adds one sorted run; runs of similar size are merged (like a binary counter),
    so there are O(log n) runs and every entry is merged O(log n) times. 12 bytes per entry.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self._runs)

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self._runs)

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order], values[order].astype(np.int32)))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= len(self._runs[-1][0]):
            b = self._runs.pop()
            self._runs.append(_merge(self._runs.pop(), b))

    def query(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For an (n x bands) key array: (row, value) for every stored entry whose key is in
        that row."""
        width = keys.shape[1] if keys.ndim == 2 else 1
        flat = keys.ravel()
        rows, vals = [np.empty(0, np.int64)], [np.empty(0, np.int32)]
        for k, v in self._runs:
            lo = np.searchsorted(k, flat, side="left")
            inside = lo < len(k)
            hit = np.flatnonzero(inside)[k[lo[inside]] == flat[inside]]
            if not len(hit):
                continue
            hi = np.searchsorted(k, flat[hit], side="right")
            cnt = hi - lo[hit]
            first = np.repeat(lo[hit] - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
            vals.append(v[first])
            rows.append(np.repeat(hit // width, cnt))
        return np.concatenate(rows), np.concatenate(vals)


def _pairs_within(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) row pairs of an (n x bands) key array that share some band key."""
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
    pairs = np.unique(later[keep] * n + earlier[keep])
    return pairs // n, pairs % n


def _split(rows: np.ndarray, values: np.ndarray, n: int) -> list[np.ndarray]:
    """Group ``values`` by ``rows`` (0..n-1): a list of n arrays."""
    if not len(rows):
        empty = np.empty(0, dtype=values.dtype)
        return [empty] * n
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(n + 1))
    v = values[order]
    return [v[bounds[i] : bounds[i + 1]] for i in range(n)]


# ---------------------------------------------------------------------------------------------
# The deduplicator


class Deduplicator:
    """Decides, record by record, whether a cleaned body is kept or duplicates a cluster.

    ``Deduplicator(config=None, *, store=None, **overrides)``: ``overrides`` are
    `DedupConfig` fields laid over ``config``. ``store`` is an optional persistent index
    (`dedupe_ko.index.Index`): a record that duplicates nothing in this run is looked up in
    it (``store.lookup(exact_key, sig, size)``); a match makes the record a duplicate of the
    archived id, and kept records are added to it (``store.insert_many``) after each batch
    (with ``keep="longest"``: in `finish`).

    ``keep="first"``: decisions are final as soon as they are returned. ``keep="longest"``:
    a longer member can replace a cluster's representative (only when every member so far
    also passes `accept` against it), so `add_batch` returns provisional decisions
    (``final=False``) and `finish` yields the final ones. Members are checked against a new
    representative with 8-bit sketches (the low byte of each hash value), so this mode holds
    a small row per input (cluster, kind, similarity, size, links and the sketch: num_perm
    + 41 bytes, plus its id and exact key), never the texts.
    """

    def __init__(self, config: DedupConfig | None = None, *, store: Store | None = None,
                 **overrides: Any) -> None:
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
        self._buckets = _Buckets()
        # clusters: representative id, record count, signature, shingle count, archived?
        self._c_rep: list[str] = []
        self._c_count = _Column(np.int64)
        self._c_sig = _Column(np.uint32, p)
        self._c_size = _Column(np.int64)
        self._c_archived = _Column(np.bool_)
        self._archived: dict[str, int] = {}  # archived id -> cluster
        self._counts = [0, 0, 0]  # keep="first": none (kept), exact, near
        self._n_archived = 0
        self._finished = False
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
        # 1. exact keys; which bodies are new (not seen before, not earlier in this batch)
        folded = [fold(t) for t in texts]
        keys = [folded_key(f) for f in folded]
        fresh: list[int] = []
        first_in_batch: set[bytes] = set()
        for i, k in enumerate(keys):
            if k not in self._exact and k not in first_in_batch:
                first_in_batch.add(k)
                fresh.append(i)
        # 2. signatures of the new bodies, one MinHasher call
        shingle_keys = []
        for i in fresh:
            bare = strip_marks(texts[i])
            shingle_keys.append(folded[i] if bare is texts[i] else fold(bare))
        sigs, sizes = self.hasher.signatures_of_keys(shingle_keys)
        bands = self.hasher.band_keys(sigs) if len(fresh) else np.empty((0, self.bands), np.uint64)
        # 3. candidate clusters: earlier batches, and new bodies earlier in this batch
        stored = _split(*self._buckets.query(bands), len(fresh))
        later, earlier = _pairs_within(bands) if len(fresh) > 1 else (np.empty(0, np.int64),) * 2
        in_batch = _split(later, earlier, len(fresh))
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
            d, carries = self._near_or_new(id_, key, len(folded[i]), sigs[j], int(sizes[j]),
                                           cands, kept_items)
            out.append(d)
            if carries >= 0:
                holder[j] = carries
                new_keys.append(j)
        if new_keys:
            self._buckets.add(bands[new_keys].ravel(),
                              np.repeat(holder[new_keys], self.bands))
        if self.store is not None and kept_items:
            self.store.insert_many(kept_items)
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
            kinds = np.bincount(self._r_kind.a, minlength=3)
            n = int(kinds.sum())
            return DedupStats(n, int(kinds[_NONE]), int(kinds[_EXACT]), int(kinds[_NEAR]),
                              largest, self._n_archived)
        none, exact, near = self._counts
        return DedupStats(none + exact + near, none, exact, near, largest, self._n_archived)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays (signatures, band table, per-record columns);
        Python dicts, sets and id strings come on top (measure those with tracemalloc)."""
        cols = [self._c_count, self._c_sig, self._c_size, self._c_archived]
        if self._longest:
            cols += [self._c_len, self._c_rep_rec, self._c_head, self._c_last, self._r_cluster,
                     self._r_kind, self._r_sim, self._r_size, self._r_group, self._r_sketch,
                     self._r_next]
        return self._buckets.nbytes + sum(c.nbytes for c in cols)

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
                raise TypeError(f"record {n} of the batch is not an (id, text) pair: "
                                f"{rec!r:.80}") from None
            if not isinstance(id_, str):
                raise TypeError(f"record {n}: id must be a str, not {type(id_).__name__}")
            if not isinstance(text, str):
                raise TypeError(f"record {id_!r}: text must be a str, not "
                                f"{type(text).__name__}; decode bytes and clean first")
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

    def _new_cluster(self, rep: str, sig: np.ndarray | None, size: int, archived: bool) -> int:
        c = len(self._c_rep)
        self._c_rep.append(rep)
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
            r = self._record(id_, c, kind, sim, int(self._r_size.a[g]), g,
                             self._r_sketch.a[g])
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
        return Decision(id_, False, self._c_rep[c], _KINDS[kind], sim)

    def _near_or_new(self, id_: str, key: bytes, length: int, sig: np.ndarray, size: int,
                     cands: np.ndarray, kept_items: list[tuple[str, bytes, np.ndarray, int]]
                     ) -> tuple[Decision, int]:
        """Decide a new body. Returns the decision and the cluster whose band keys this
        body's keys must point to (-1: none, it is not a representative)."""
        cfg = self.config
        best: tuple[float, int] | None = None  # (similarity, cluster)
        if len(cands):
            cands = np.unique(cands)
            jac = (self._c_sig.a[cands] == sig).mean(axis=1)
            csize = self._c_size.a[cands]
            ranked = []
            for c, j, s in zip(cands.tolist(), jac.tolist(), csize.tolist(), strict=True):
                ok, sim = accept(cfg, j, size, s)
                if ok:
                    ranked.append((-sim, c))
            ranked.sort()
            for neg_sim, c in ranked:
                if (self._longest and length > self._c_len.a[c]
                        and not self._members_accept(c, sig, size)):
                    continue  # it would become the representative, and a member disagrees
                best = (-neg_sim, c)
                break
        if best is not None:
            sim, c = best
            if not self._longest:
                self._c_count.a[c] += 1
                self._counts[_NEAR] += 1
                self._exact[key] = (c, _NEAR, sim)
                return Decision(id_, False, self._c_rep[c], "near", sim), -1
            r = self._record(id_, c, _NEAR, sim, size, -1, (sig & 0xFF).astype(np.uint8))
            self._exact[key] = r
            if length > self._c_len.a[c]:
                self._promote(c, r, key, length, sig, size)
                return self._provisional(r), c
            return self._provisional(r), -1
        match = None
        if self.store is not None:
            match = self.store.lookup(key, sig, size)
        if match is not None:
            c = self._archived.get(match.id)
            if c is None:
                c = self._archived[match.id] = self._new_cluster(match.id, None, 0, True)
            kind = _EXACT if match.kind == "exact" else _NEAR
            self._n_archived += 1
            if not self._longest:
                self._c_count.a[c] += 1
                self._counts[kind] += 1
                self._exact[key] = (c, kind, match.similarity)
                return Decision(id_, False, match.id, match.kind, match.similarity), -1
            r = self._record(id_, c, kind, match.similarity, size, -1,
                             (sig & 0xFF).astype(np.uint8))
            self._exact[key] = r
            return self._provisional(r), -1
        c = self._new_cluster(id_, sig, size, False)
        if not self._longest:
            self._c_count.a[c] += 1
            self._counts[_NONE] += 1
            self._exact[key] = c
            if self.store is not None:
                kept_items.append((id_, key, sig.copy(), size))
            return Decision(id_, True, id_, "none", 1.0), c
        r = self._record(id_, c, _NONE, 1.0, size, -1, (sig & 0xFF).astype(np.uint8))
        self._exact[key] = r
        self._promote(c, r, key, length, sig, size)
        return self._provisional(r), c

    # -- keep="longest" --------------------------------------------------------------------
    def _record(self, id_: str, c: int, kind: int, sim: float, size: int, group: int,
                sketch: np.ndarray) -> int:
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
        p = (self._r_sketch.a[members] == sketch).mean(axis=1)
        return np.clip((p - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)

    def _members_accept(self, c: int, sig: np.ndarray, size: int) -> bool:
        """Would every member of cluster c accept this body as its representative?"""
        members = self._members(c)
        if not len(members):
            return True
        jac = self._sketch_jaccard(members, (sig & 0xFF).astype(np.uint8))
        sizes = self._r_size.a[members]
        return all(accept(self.config, j, int(s), size)[0]
                   for j, s in zip(jac.tolist(), sizes.tolist(), strict=True))

    def _promote(self, c: int, r: int, key: bytes, length: int, sig: np.ndarray,
                 size: int) -> None:
        """Make record r the representative of cluster c; restate the members' relation."""
        self._c_sig.a[c] = sig
        self._c_size.a[c] = size
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
                _, sim = accept(self.config, j, int(self._r_size.a[m]), size)
                self._r_kind.a[m], self._r_sim.a[m] = _NEAR, sim

    def _provisional(self, r: int) -> Decision:
        c = int(self._r_cluster.a[r])
        kind = int(self._r_kind.a[r])
        return Decision(self._r_id[r], kind == _NONE, self._c_rep[c], _KINDS[kind],
                        float(self._r_sim.a[r]), final=False)

    def _final_decisions(self) -> Iterator[Decision]:
        for r in range(len(self._r_id)):
            c = int(self._r_cluster.a[r])
            kind = int(self._r_kind.a[r])
            yield Decision(self._r_id[r], kind == _NONE, self._c_rep[c], _KINDS[kind],
                           float(self._r_sim.a[r]))

    def _insert_representatives(self) -> None:
        assert self.store is not None
        items = []
        for c in range(len(self._c_rep)):
            if self._c_archived.a[c]:
                continue
            items.append((self._c_rep[c], self._c_key[c], self._c_sig.a[c].copy(),
                          int(self._c_size.a[c])))
        if items:
            self.store.insert_many(items)


def dedup(records: Iterable[tuple[str, str]], config: DedupConfig | None = None,
          batch_size: int = 1024, **kw: Any) -> Iterator[Decision]:
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
