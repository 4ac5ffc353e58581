"""Band stores: where LSH band keys and sentence-piece keys point to clusters.

One small protocol, `BandStore`, as datasketch keeps its LSH apart from its storage: the
`dedupe_ko.dedup.Deduplicator` holds two (band keys, piece keys) and never knows how they
are kept. `MemoryBandStore` keeps sorted numpy runs in memory; the persistent
`dedupe_ko.index.Index` keeps its sentence pieces in a `SQLiteBandStore` (immutable sorted
runs in the index file) or a `RedisBandStore` (256 hashes of keys).

A key maps to many values (cluster numbers). ``query(keys, cap=k)`` leaves out the keys that
point to more than ``k`` distinct values and reports them as ``crowded``: a sentence found
in many unrelated clusters is boilerplate (a standard closing line, a stock lede) and must
not make candidates, and a capped bucket keeps the cost of a query bounded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ._jit import kernel, loaded
from .minhash import _distinct

__all__ = ["BandStore", "Hits", "MemoryBandStore", "RedisBandStore", "SQLiteBandStore"]


@dataclass(frozen=True)
class Hits:
    """What a query found: ``values[i]`` is stored under a key of query row ``rows[i]``
    (rows of the (n x width) key array); ``crowded[j]`` is True when flat key j points to
    more than ``cap`` distinct values (its hits are left out)."""

    rows: np.ndarray
    values: np.ndarray
    crowded: np.ndarray


class BandStore(Protocol):
    """uint64 key -> int values, added in batches, queried in batches."""

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Store ``values[i]`` under ``keys[i]`` (flat arrays of equal length)."""
        ...

    def query(self, keys: np.ndarray, cap: int | None = None) -> Hits:
        """Every stored value under each key of an (n x width) or flat key array."""
        ...

    def __len__(self) -> int: ...


def _merge(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted (keys, values) runs in linear time; ``a``'s entries come first on ties."""
    if _K_MERGE is not None and loaded():
        return _K_MERGE(a[0], a[1], b[0], b[1])
    return _merge_numpy(a, b)


def _merge_kernel(ka, va, kb, vb):
    """`_merge_numpy` as one compiled loop."""
    n, m = len(ka), len(kb)
    keys = np.empty(n + m, dtype=ka.dtype)
    vals = np.empty(n + m, dtype=va.dtype)
    i = j = 0
    for o in range(n + m):
        if j >= m or (i < n and ka[i] <= kb[j]):
            keys[o], vals[o] = ka[i], va[i]
            i += 1
        else:
            keys[o], vals[o] = kb[j], vb[j]
            j += 1
    return keys, vals


def _sieve_kernel(bits, keys, shift):
    """Set the sieve bit of each key (`_sieve_bit`)."""
    for x in keys:
        h = (x * _SIEVE_MUL) >> shift
        bits[h >> np.uint64(3)] |= np.uint8(1 << np.int64(h & np.uint64(7)))


def _sifted_kernel(bits, shift, flat):
    """The positions of the keys whose sieve bit is set (the others are in no run), in
    ascending order, and their keys."""
    n = len(flat)
    cand = np.empty(n, np.int64)
    c = 0
    for p in range(n):
        h = (flat[p] * _SIEVE_MUL) >> shift
        if (bits[h >> np.uint64(3)] >> np.int64(h & np.uint64(7))) & 1:
            cand[c] = p
            c += 1
    cand = cand[:c]
    return cand, flat[cand]


def _search_kernel(k, v, bits, shift, keys, idx, out_lo, out_cnt):
    """One run (keys ``k``, values ``v``): for each query key ``keys[q]`` (ascending, so
    each search gallops on from where the last one ended), its first entry and count
    (into ``out_lo[idx[q]]``, ``out_cnt[idx[q]]``); returns the values of those entries,
    key by key in ``idx`` order. With the run's own sieve (``bits``, ``shift``; empty:
    none), a key whose bit is not set is not in the run: count 0, no search."""
    m = len(k)
    sieved = len(bits) > 0
    at = 0
    total = 0
    for q in range(len(keys)):
        x = keys[q]
        i = idx[q]
        if sieved:
            hs = (x * _SIEVE_MUL) >> shift
            if not (bits[hs >> np.uint64(3)] >> np.int64(hs & np.uint64(7))) & 1:
                out_lo[i] = 0
                out_cnt[i] = 0
                continue
        a, b = at, m
        if a < m and k[a] < x:  # first index >= x is in (a, b]: gallop to bound b
            step = 1
            b = a + 1
            while b < m and k[b] < x:
                a = b
                step *= 2
                b = a + step
            a += 1
            b = min(b, m)
        while a < b:
            h = (a + b) >> 1
            if k[h] < x:
                a = h + 1
            else:
                b = h
        at = a
        e = a
        if e < m and k[e] == x:  # the end of x's entries: gallop, then bisect
            step = 1
            b = e + 1
            while b < m and k[b] == x:
                e = b
                step *= 2
                b = e + step
            e += 1
            b = min(b, m)
            while e < b:
                h = (e + b) >> 1
                if k[h] == x:
                    e = h + 1
                else:
                    b = h
        out_lo[i] = a
        out_cnt[i] = e - a
        total += e - a
    vals = np.empty(total, v.dtype)
    o = 0
    for i in range(len(keys)):
        for e in range(out_lo[i], out_lo[i] + out_cnt[i]):
            vals[o] = v[e]
            o += 1
    return vals


def _hits_kernel(cand, cnt, vals, n, cap):
    """`MemoryBandStore.query`'s answer from the runs' searches (`_search_kernel`: counts
    ``cnt[r, i]`` of key ``cand[i]`` in run r, their values ``vals``, run after run):
    (query position, value) of the entries found, and which of the ``n`` keys are crowded.
    ``cap < 0``: none; entries then come run by run, in the keys' order, as stored. With a
    cap, the distinct (position, value) pairs of the keys not crowded, sorted (a key is
    crowded when its entries hold more than ``cap`` distinct values)."""
    runs, c = cnt.shape
    crowded = np.zeros(n, np.bool_)
    total = len(vals)
    pos = np.empty(total, np.int64)
    val = np.empty(total, np.int32)
    if cap < 0:
        o = 0
        for r in range(runs):
            for i in range(c):
                for _ in range(cnt[r, i]):
                    pos[o] = cand[i]
                    val[o] = vals[o]
                    o += 1
        return pos, val, crowded
    ptr = np.zeros(runs, np.int64)  # where run r's values of the next key start
    at = 0
    for r in range(runs):
        ptr[r] = at
        for i in range(c):
            at += cnt[r, i]
    seen = np.empty(cap + 1, np.int64)
    o = 0
    for i in range(c):
        p = cand[i]
        d = 0
        for r in range(runs):
            start = ptr[r]
            ptr[r] += cnt[r, i]
            if crowded[p]:
                continue
            for e in range(start, start + cnt[r, i]):
                x = vals[e]
                new = True
                for t in range(d):
                    if seen[t] == x:
                        new = False
                        break
                if new:
                    if d == cap:
                        crowded[p] = True
                        break
                    seen[d] = x
                    d += 1
        if crowded[p]:
            continue
        for t in range(d):  # insertion sort of the few distinct values
            x = seen[t]
            u = o + t
            while u > o and val[u - 1] > x:
                val[u] = val[u - 1]
                u -= 1
            val[u] = x
            pos[o + t] = p
        o += d
    return pos[:o], val[:o], crowded


def _radix_order_kernel(keys):
    """``np.argsort(keys, kind="stable")`` of uint64 keys: six passes of an 11-bit LSD radix
    sort (each pass stable, its 2,048 counters in the L1 cache)."""
    n = len(keys)
    idx = np.arange(n)
    tmp = np.empty(n, np.int64)
    cur = keys.copy()
    nxt = np.empty(n, keys.dtype)
    counts = np.zeros(1 << 11, np.int64)
    mask = np.uint64((1 << 11) - 1)
    shift = 0
    while shift < 64:
        counts[:] = 0
        sh = np.uint64(shift)
        for i in range(n):
            counts[np.int64((cur[i] >> sh) & mask)] += 1
        total = 0
        for b in range(1 << 11):
            c = counts[b]
            counts[b] = total
            total += c
        for i in range(n):
            d = np.int64((cur[i] >> sh) & mask)
            p = counts[d]
            counts[d] = p + 1
            nxt[p] = cur[i]
            tmp[p] = idx[i]
        cur, nxt = nxt, cur
        idx, tmp = tmp, idx
        shift += 11
    return idx


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")``; for many uint64 keys, with compiled kernels, by
    `_radix_order_kernel` (about 2.3x faster on 30,000 hashes: a batch's band or piece keys)."""
    if (
        len(keys) >= _RADIX_MIN
        and keys.dtype == np.uint64
        and _K_RADIX_ORDER is not None
        and loaded()
    ):
        return _K_RADIX_ORDER(keys)
    return np.argsort(keys, kind="stable")


_RADIX_MIN = 4096  # keys under which numpy's sort is as fast
_K_MERGE = kernel(_merge_kernel)
_K_RADIX_ORDER = kernel(_radix_order_kernel)
_K_SIFTED = kernel(_sifted_kernel)
_K_SEARCH = kernel(_search_kernel)
_K_QUERY = kernel(_hits_kernel)
_K_SIEVE = kernel(_sieve_kernel)
_SIEVE_MUL = np.uint64(0x9E3779B97F4A7C15)
_SIEVE_MIN_BITS, _SIEVE_MAX_BITS = 16, 23  # log2 of its bits: 8 KiB to 1 MiB
# each run's own sieve (8 to 16 bits an entry, 128 bytes at the least): a key the store holds
# is in one run or two of a dozen, and the others skip its search
_RUN_SIEVE_MIN_BITS, _RUN_SIEVE_MAX_BITS = 10, 27
_RUN_SIEVE_MAX = 1 << 18


def _run_sieve(keys: np.ndarray) -> tuple[np.ndarray, np.uint64]:
    """A run's own sieve (bits, shift): one bit per key hash (`_sieve_kernel`); none (an
    empty array) for a run of `_RUN_SIEVE_MAX` keys or more, whose searches cost about as
    much as the sieve's misses in memory."""
    if len(keys) >= _RUN_SIEVE_MAX:
        return np.zeros(0, np.uint8), np.uint64(0)
    bits = min(max(_RUN_SIEVE_MIN_BITS, (8 * len(keys)).bit_length()), _RUN_SIEVE_MAX_BITS)
    shift = np.uint64(64 - bits)
    sieve = np.zeros(1 << (bits - 3), np.uint8)
    assert _K_SIEVE is not None
    _K_SIEVE(sieve, keys, shift)
    return sieve, shift


def _merge_numpy(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """`_merge` in numpy calls."""
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


class MemoryBandStore:
    """A `BandStore` in memory: sorted numpy runs of (uint64 key, int32 value).

    Each `add` appends one sorted run; runs of similar size are merged (like a binary
    counter), so there are O(log n) runs and every entry is merged O(log n) times.
    12 bytes per entry.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        # with compiled kernels (`_hits_kernel`): a sieve of one bit per key hash (8 to 32
        # bits an entry, at most 1 MiB) that lets a query skip the searches of most keys
        # not stored; made at the first kernel query (None till then), False when kernels
        # are off or a key is not uint64
        self._sieve: np.ndarray | None | bool = None if _K_QUERY is not None else False
        self._shift = np.uint64(64 - _SIEVE_MIN_BITS)
        # ... and each run's own (`_run_sieve`), beside ``_runs``, made with the first
        self._run_sieves: list[tuple[np.ndarray, np.uint64]] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self._runs)

    @property
    def nbytes(self) -> int:
        sieve = self._sieve.nbytes if isinstance(self._sieve, np.ndarray) else 0
        sieve += sum(b.nbytes for b, _ in self._run_sieves)
        return sum(k.nbytes + v.nbytes for k, v in self._runs) + sieve

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        if not len(keys):
            return
        order = _stable_order(keys)
        self._runs.append((keys[order], np.asarray(values)[order].astype(np.int32)))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= len(self._runs[-1][0]):
            b = self._runs.pop()
            self._runs.append(_merge(self._runs.pop(), b))
        if self._sieve is not False and keys.dtype != np.uint64:
            self._sieve = False  # the kernels take uint64 keys: numpy answers every query
            self._run_sieves = []
        elif isinstance(self._sieve, np.ndarray):  # (else made at the first kernel query)
            self._sift(self._runs[-1][0] if len(self._runs) > 1 else None)
            del self._run_sieves[len(self._runs) - 1 :]  # the runs merged into the last
            self._run_sieves.append(_run_sieve(self._runs[-1][0]))

    def _sift(self, new: np.ndarray | None) -> None:
        """Set the sieve bits of the newest run (``new``), or build the sieve, bigger, from
        every run when the store outgrew it (or ``new`` is None: one run, merged)."""
        n = len(self)
        bits = min(max(_SIEVE_MIN_BITS, (8 * n).bit_length()), _SIEVE_MAX_BITS)
        assert _K_SIEVE is not None
        if new is None or self._sieve is None or np.uint64(64 - bits) != self._shift:
            self._shift = np.uint64(64 - bits)
            self._sieve = np.zeros(1 << (bits - 3), np.uint8)
            for k, _ in self._runs:
                _K_SIEVE(self._sieve, k, self._shift)
        else:
            _K_SIEVE(self._sieve, new, self._shift)

    def query(self, keys: np.ndarray, cap: int | None = None) -> Hits:
        width = keys.shape[1] if keys.ndim == 2 else 1
        flat = keys.ravel()
        if (
            _K_QUERY is None
            or not loaded()
            or not self._runs
            or self._sieve is False
            or flat.dtype != np.uint64
        ):
            return self._query_numpy(flat, width, cap)
        if self._sieve is None:
            self._sift(None)
            self._run_sieves = [_run_sieve(k) for k, _ in self._runs]
        sieve = self._sieve
        assert _K_SIFTED is not None and _K_SEARCH is not None
        cand, cand_keys = _K_SIFTED(sieve, self._shift, flat)
        idx = _stable_order(cand_keys)
        sorted_keys = cand_keys[idx]
        cnt = np.zeros((len(self._runs), len(cand)), np.int64)
        lo = np.empty(len(cand), np.int64)
        vals = [
            _K_SEARCH(k, v, bits, shift, sorted_keys, idx, lo, cnt[r])
            for r, ((k, v), (bits, shift)) in enumerate(
                zip(self._runs, self._run_sieves, strict=True)
            )
        ]
        pos, val, crowded = _K_QUERY(
            cand, cnt, np.concatenate(vals), len(flat), -1 if cap is None else cap
        )
        return Hits(pos // width, val, crowded)

    def _query_numpy(self, flat: np.ndarray, width: int, cap: int | None) -> Hits:
        """`query` in numpy calls."""
        # Binary searches for sorted needles walk each run once, front to back (numpy starts
        # each search where the last one ended): several times faster on a large table than
        # needles in random order. Hits are then put back in the caller's key order.
        order = np.argsort(flat, kind="stable")
        sflat = flat[order]
        spans = []  # per run: its values, and the hit keys' positions, first entries, counts
        total = np.zeros(len(flat), dtype=np.int64)
        for k, v in self._runs:
            lo = np.searchsorted(k, sflat, side="left")
            inside = lo < len(k)
            hit = np.flatnonzero(inside)[k[lo[inside]] == sflat[inside]]
            if not len(hit):
                continue
            hi = np.searchsorted(k, sflat[hit], side="right")
            back = np.argsort(order[hit], kind="stable")  # the hit keys in the caller's order
            hit, lo_hit, cnt = order[hit][back], lo[hit][back], (hi - lo[hit])[back]
            spans.append((v, hit, lo_hit, cnt))
            total[hit] += cnt
        # A key with more entries than `sample` (boilerplate under thousands of clusters) is
        # crowded as soon as its first `sample` entries hold more than `cap` distinct values:
        # only those are read, so a query's cost does not grow with the store.
        sample = None if cap is None else 4 * (cap + 1)
        pos, val = self._expand(spans, len(flat), sample)
        crowded = np.zeros(len(flat), dtype=bool)
        if cap is not None and len(pos):
            pair = _distinct(pos * (1 << 31) + val.astype(np.int64))
            pos, val = pair >> 31, (pair & ((1 << 31) - 1)).astype(np.int32)
            per_key = np.bincount(pos, minlength=len(flat))
            crowded = per_key > cap
            if sample is not None and (~crowded & (total > sample)).any():
                # sampled keys with many repeated values: read all their entries after all
                pos, val = self._expand(spans, len(flat), None)
                pair = _distinct(pos * (1 << 31) + val.astype(np.int64))
                pos, val = pair >> 31, (pair & ((1 << 31) - 1)).astype(np.int32)
                crowded = np.bincount(pos, minlength=len(flat)) > cap
            keep = ~crowded[pos]
            pos, val = pos[keep], val[keep]
        return Hits(pos // width, val, crowded)

    @staticmethod
    def _expand(spans: list, n: int, sample: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(query position, value) of the entries found, run by run, key by key; with
        ``sample``, at most that many entries of each key (the first runs' first)."""
        at, vals = [np.empty(0, np.int64)], [np.empty(0, np.int32)]
        taken = np.zeros(n, dtype=np.int64) if sample is not None else None
        for v, hit, lo_hit, cnt in spans:
            if taken is not None:
                cnt = np.minimum(cnt, sample - taken[hit])
                taken[hit] += cnt
                ok = cnt > 0
                hit, lo_hit, cnt = hit[ok], lo_hit[ok], cnt[ok]
            first = np.repeat(lo_hit - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
            vals.append(v[first])
            at.append(np.repeat(hit, cnt))
        return np.concatenate(at), np.concatenate(vals)


def _hits(per_key: list[np.ndarray], width: int, cap: int | None) -> Hits:
    """`Hits` from the distinct values found under each flat key."""
    counts = np.array([len(v) for v in per_key], dtype=np.int64)
    crowded = (counts > cap) if cap is not None else np.zeros(len(per_key), dtype=bool)
    keep = np.flatnonzero(~crowded & (counts > 0))
    if not len(keep):
        return Hits(np.empty(0, np.int64), np.empty(0, np.int64), crowded)
    values = np.concatenate([per_key[i] for i in keep]).astype(np.int64)
    pos = np.repeat(keep, counts[keep])
    return Hits(pos // width, values, crowded)


class SQLiteBandStore:
    """A `BandStore` in an SQLite file: key rows in immutable sorted runs (`dedupe_ko._runs`,
    tables ``<prefix>runs`` and ``<prefix>chunks``), values below 2**32.

    Every call works in the caller's connection and transaction (``conn()`` gives it), so a
    batch's rows commit with the rest of the batch or not at all. A row keeps the key's top
    31 bits: two keys equal there share their values (an extra candidate for verification).
    """

    def __init__(self, conn: Callable[[], sqlite3.Connection], prefix: str = "") -> None:
        from . import _runs

        self._conn = conn
        self._rm = _runs
        self.runs = _runs.Runs(prefix)
        self.prefix = prefix

    def schema(self) -> str:
        """The tables this store needs (CREATE ... IF NOT EXISTS)."""
        return self._rm.schema(self.prefix, if_not_exists=True)

    def __len__(self) -> int:
        return int(
            self._conn()
            .execute(f"SELECT coalesce(sum(rows), 0) FROM {self.prefix}runs")
            .fetchone()[0]
        )

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        if not len(keys):
            return
        rows = (self._rm.key_tops(np.asarray(keys).ravel()) << 32) | np.asarray(
            values, dtype=np.int64
        ).ravel()
        self.runs.add(self._conn(), np.unique(rows))

    def remove(self, values: np.ndarray) -> None:
        """Drop every row of ``values`` (one merge of all runs)."""
        if len(values):
            self.runs.purge(self._conn(), np.asarray(values, dtype=np.int64))

    def query(self, keys: np.ndarray, cap: int | None = None) -> Hits:
        width = keys.shape[1] if keys.ndim == 2 else 1
        flat = np.asarray(keys, dtype=np.uint64).ravel()
        if not len(flat):
            return Hits(np.empty(0, np.int64), np.empty(0, np.int64), np.zeros(0, bool))
        found = self.runs.lookup(self._conn(), self._rm.key_tops(flat)[:, None], 1)
        return _hits([a for a, _ in found], width, cap)


# Redis layout of a `RedisBandStore`: key k lives in the hash ``<prefix><top byte of k>`` (256
# hashes), field: k's 8 bytes (little-endian), value: the values stored under k, 4 bytes each.
# A batch writes each hash it touches with one HMGET and one HSET of many fields (one
# server call per hash, not one per key), and a hash field costs about half the memory of a
# key of its own. These Lua functions are the only code that writes or reads that layout;
# the Index's scripts include them, so a batch of entries commits in one atomic script.
#
# A batch comes as `redis_payload` makes it: 12-byte records (8-byte key, 4-byte value) in
# two parts, each grouped by hash (a 1-byte hash name and a 4-byte count per group): the first
# record of every distinct key, then the batch's repeats of keys already in the first part.
# The first part's fields are all distinct, so one struct.unpack per chunk makes every HSET
# argument, with no string.sub or table lookup per record (about 7 us less redis-server CPU
# for an insert's 38 keys, of about 50); the repeats, and every record of a batch with values
# to skip, take the general loop. A key's values end up after its stored ones, in the
# batch's order, either way (the stored data is what the one-loop version wrote).
LUA_BAND_FUNCTIONS = """
local function bs_add(p, recs, groups, skip)
  -- the general loop: records may repeat keys; skip: a table of values not to store (or nil)
  local sub, call, unpack, min = string.sub, redis.call, unpack, math.min
  local pos, added = 0, 0
  for g = 1, #groups, 5 do
    local name, cnt = p .. sub(groups, g, g), struct.unpack('<I4', groups, g + 1)
    local stop = pos + cnt
    while pos < stop do
      local last = min(stop, pos + 2000)
      local fl, args, at, nf = {}, {}, {}, 0
      for o = pos, last - 1 do
        local v = sub(recs, o * 12 + 9, o * 12 + 12)
        if not (skip and skip[v]) then
          local f = sub(recs, o * 12 + 1, o * 12 + 8)
          local k = at[f]
          if k then
            args[k] = args[k] .. v
          else
            nf = nf + 1
            fl[nf] = f
            args[2 * nf - 1] = f
            args[2 * nf] = v
            at[f] = 2 * nf
          end
          added = added + 1
        end
      end
      if nf > 0 then
        local old = call('HMGET', name, unpack(fl, 1, nf))
        for j = 1, nf do
          if old[j] then args[2 * j] = old[j] .. args[2 * j] end
        end
        call('HSET', name, unpack(args, 1, 2 * nf))
      end
      pos = last
    end
  end
  return added
end
local bs_formats = {}
local function bs_add_distinct(p, recs, groups)
  -- records whose keys are all distinct: (field, value) arguments by one struct.unpack
  local sub, call, unpack, min = string.sub, redis.call, unpack, math.min
  local pos = 0
  for g = 1, #groups, 5 do
    local name, cnt = p .. sub(groups, g, g), struct.unpack('<I4', groups, g + 1)
    local stop = pos + cnt
    while pos < stop do
      local nf = min(stop - pos, 1000)
      local fmt = bs_formats[nf]
      if not fmt then
        fmt = string.rep('c8c4', nf)
        bs_formats[nf] = fmt
      end
      local args = {struct.unpack(fmt, recs, pos * 12 + 1)}
      local fl = {}
      for j = 1, nf do fl[j] = args[2 * j - 1] end
      local old = call('HMGET', name, unpack(fl, 1, nf))
      for j = 1, nf do
        if old[j] then args[2 * j] = old[j] .. args[2 * j] end
      end
      call('HSET', name, unpack(args, 1, 2 * nf))
      pos = pos + nf
    end
  end
  return pos
end
local function bs_add_batch(p, first, fgroups, rest, rgroups, skip)
  -- a `redis_payload` batch; skip: a table of values not to store (or nil)
  if skip and next(skip) == nil then skip = nil end
  if skip then return bs_add(p, first, fgroups, skip) + bs_add(p, rest, rgroups, skip) end
  return bs_add_distinct(p, first, fgroups) + bs_add(p, rest, rgroups, nil)
end
local function bs_get(p, k)
  -- the values under the 8-byte key k (a string of 4-byte values, or false)
  return redis.call('HGET', p .. string.sub(k, 8, 8), k)
end
local function bs_pull(p, k, nb)
  -- take the 4-byte value nb out of key k
  local name = p .. string.sub(k, 8, 8)
  local v = redis.call('HGET', name, k)
  if not v then return end
  local keep = {}
  for j = 1, #v, 4 do
    local c = string.sub(v, j, j + 3)
    if c ~= nb then keep[#keep + 1] = c end
  end
  if #keep == 0 then redis.call('HDEL', name, k)
  else redis.call('HSET', name, k, table.concat(keep)) end
end
"""

_LUA_ADD = (
    LUA_BAND_FUNCTIONS + "return bs_add_batch(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], nil)"
)

_RECORD = np.dtype([("key", "<u8"), ("value", "<u4")])  # 12 bytes, no padding
_GROUP = np.dtype([("name", "u1"), ("count", "<u4")])  # 5 bytes


def _key_order(k: np.ndarray) -> np.ndarray:
    """The stable sort order of uint64 keys, by four stable 16-bit passes (numpy sorts 16-bit
    integers by radix: 1.3 ms for 38,000 keys against 4.4 ms for a stable argsort of them)."""
    order = np.argsort((k & np.uint64(0xFFFF)).astype(np.uint16), kind="stable")
    for shift in (16, 32, 48):
        digit = ((k[order] >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


def _records(k: np.ndarray, v: np.ndarray, at: np.ndarray) -> tuple[bytes, bytes]:
    """Records of positions ``at`` (sorted by key, so grouped by hash) and their groups."""
    rec = np.empty(len(at), dtype=_RECORD)
    rec["key"], rec["value"] = k[at], v[at]
    counts = np.bincount((k[at] >> np.uint64(56)).astype(np.intp), minlength=256)
    names = np.flatnonzero(counts)
    groups = np.empty(len(names), dtype=_GROUP)
    groups["name"], groups["count"] = names, counts[names]
    return rec.tobytes(), groups.tobytes()


def redis_payload(keys: np.ndarray, values: np.ndarray) -> tuple[bytes, bytes, bytes, bytes]:
    """(first, first groups, repeats, repeat groups) for ``bs_add_batch``: 12-byte records
    (the key's 8 bytes, its 4-byte value) sorted by key, the first record of each distinct
    key in one part and the later ones (in batch order) in the other, each part's hashes
    with their record counts."""
    k = np.ascontiguousarray(np.asarray(keys).ravel(), dtype="<u8")
    v = np.ascontiguousarray(np.asarray(values).ravel(), dtype="<u4")
    order = _key_order(k)
    first = np.ones(len(order), dtype=bool)
    ks = k[order]
    first[1:] = ks[1:] != ks[:-1]
    return (*_records(k, v, order[first]), *_records(k, v, order[~first]))


class RedisBandStore:
    """A `BandStore` on a Redis server: 256 hashes ``<prefix><top byte of k>``, field k's
    8 bytes, value the 4-byte values under k (`LUA_BAND_FUNCTIONS` write and read it). The
    Index's Lua scripts call the same functions inside their own atomic batches."""

    def __init__(self, client: Any, prefix: bytes) -> None:
        self.client = client
        self.prefix = prefix

    def __len__(self) -> int:
        total = 0
        for name in self.client.scan_iter(match=self.prefix + b"?", count=1000):
            total += sum(len(v) // 4 for v in self.client.hvals(name))
        return total

    def add(self, keys: np.ndarray, values: np.ndarray, pipe: Any = None) -> None:
        """`BandStore.add`; with ``pipe`` (a redis pipeline), queued on it instead."""
        if not len(keys):
            return
        args = (self.prefix, *redis_payload(keys, values))
        if pipe is not None:
            pipe.eval(_LUA_ADD, 0, *args)
            return
        self.client.eval(_LUA_ADD, 0, *args)

    def query(self, keys: np.ndarray, cap: int | None = None) -> Hits:
        width = keys.shape[1] if keys.ndim == 2 else 1
        flat = np.ascontiguousarray(np.asarray(keys).ravel(), dtype="<u8")
        blob = flat.tobytes()
        fields = [blob[o : o + 8] for o in range(0, len(blob), 8)]
        part = (flat >> np.uint64(56)).astype(np.uint8).tolist()
        by_part: dict[int, list[int]] = {}
        for i, t in enumerate(part):
            by_part.setdefault(t, []).append(i)
        blobs: list[bytes | None] = [None] * len(fields)
        with self.client.pipeline(transaction=False) as pipe:
            for t, at in by_part.items():
                pipe.hmget(self.prefix + bytes([t]), [fields[i] for i in at])
            for at, got in zip(by_part.values(), pipe.execute(), strict=True):
                for i, b in zip(at, got, strict=True):
                    blobs[i] = b
        per_key = [_distinct(np.frombuffer(b, dtype="<u4")) if b else _NONE for b in blobs]
        return _hits(per_key, width, cap)


_NONE = np.empty(0, dtype=np.uint32)
