"""Band stores: where LSH band keys and sentence-piece keys point to clusters.

One small protocol, `BandStore`, as datasketch keeps its LSH apart from its storage: the
`dedupe_ko.dedup.Deduplicator` holds two (band keys, piece keys) and never knows how they
are kept. `MemoryBandStore` keeps sorted numpy runs in memory; `SQLiteBandStore` keeps the
SQLite index's runs (`dedupe_ko._runs`) behind the same two calls. (The Index still calls
`_runs` directly; moving it and the Redis scripts onto this protocol is the next step.)

A key maps to many values (cluster numbers). ``query(keys, cap=k)`` leaves out the keys that
point to more than ``k`` distinct values and reports them as ``crowded``: a sentence found
in many unrelated clusters is boilerplate (a standard closing line, a stock lede) and must
not make candidates, and a capped bucket keeps the cost of a query bounded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["BandStore", "Hits", "MemoryBandStore", "SQLiteBandStore"]


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


class MemoryBandStore:
    """A `BandStore` in memory: sorted numpy runs of (uint64 key, int32 value).

    Each `add` appends one sorted run; runs of similar size are merged (like a binary
    counter), so there are O(log n) runs and every entry is merged O(log n) times.
    12 bytes per entry.
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
        self._runs.append((keys[order], np.asarray(values)[order].astype(np.int32)))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= len(self._runs[-1][0]):
            b = self._runs.pop()
            self._runs.append(_merge(self._runs.pop(), b))

    def query(self, keys: np.ndarray, cap: int | None = None) -> Hits:
        width = keys.shape[1] if keys.ndim == 2 else 1
        order = np.argsort(keys.ravel())  # sorted needles: the runs are read in order
        flat = keys.ravel()[order]
        at, vals = [np.empty(0, np.int64)], [np.empty(0, np.int32)]
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
            at.append(np.repeat(order[hit], cnt))
        pos, val = np.concatenate(at), np.concatenate(vals)
        crowded = np.zeros(len(flat), dtype=bool)
        if cap is not None and len(pos):
            pair = np.unique(pos * (1 << 31) + val.astype(np.int64))
            pos, val = pair >> 31, (pair & ((1 << 31) - 1)).astype(np.int32)
            per_key = np.bincount(pos, minlength=len(flat))
            crowded = per_key > cap
            keep = ~crowded[pos]
            pos, val = pos[keep], val[keep]
        return Hits(pos // width, val, crowded)


class SQLiteBandStore:
    """A `BandStore` in a SQLite file: the index's immutable sorted runs (`_runs.Runs`).

    ``SQLiteBandStore(conn)`` works on the caller's connection, inside the caller's
    transactions (an `add` and the merges it triggers commit with the caller's batch); the
    ``runs`` and ``chunks`` tables (`_runs.SCHEMA`) are created when missing. A row keeps
    the top 31 bits of its key and a 32-bit value, so a key equal to another in its top 31
    bits only adds a candidate (which verification rejects), and values must be < 2**32.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        from . import _runs

        self._r = _runs
        self.conn = conn
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"runs", "chunks"} <= have:
            conn.executescript(_runs.SCHEMA)
        self._runs = _runs.Runs()

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT coalesce(sum(rows), 0) FROM runs").fetchone()[0])

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.int64)
        if not len(keys):
            return
        if values.min() < 0 or values.max() > self._r.LOW32:
            raise ValueError("SQLiteBandStore values must be in 0..2**32-1")
        rows = np.sort((self._r.key_tops(np.asarray(keys)) << 32) | values)
        rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
        self._runs.add(self.conn, rows)

    def query(self, keys: np.ndarray, cap: int | None = None) -> Hits:
        width = keys.shape[1] if keys.ndim == 2 else 1
        flat = np.asarray(keys).ravel()
        found = self._runs.lookup(self.conn, self._r.key_tops(flat)[:, None], 1)
        counts = np.array([len(f[0]) for f in found], dtype=np.int64)
        pos = np.repeat(np.arange(len(flat)), counts)
        val = (np.concatenate([f[0] for f in found]) if len(found) else
               np.empty(0, np.int64)).astype(np.int32)
        crowded = np.zeros(len(flat), dtype=bool)
        if cap is not None:
            crowded = counts > cap  # entries are distinct per key already
            keep = ~crowded[pos]
            pos, val = pos[keep], val[keep]
        return Hits(pos // width, val, crowded)
