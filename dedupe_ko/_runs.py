"""The LSH band rows of the SQLite index, kept as immutable sorted runs.

A band row is one int64, ``(band key >> 33) << 32 | n``: the band key's top 31 bits, then
the entry number. All rows of one band key form one range of values, so a lookup is a binary
search. (Keys equal in their top 31 bits but not below only add a candidate, which
verification rejects.)

Band keys are random, so a B-tree of rows gets one random page write per row: at a million
entries every batch rewrites most of it. Here a batch writes its rows, sorted, as one new
*run*: chunks of `CHUNK_ROWS` rows (1 KiB) in ``chunks``, and a row in ``runs`` with the
first value of every chunk (its fences) and a Bloom filter of its band keys. A write costs the
batch's own bytes. Runs of one
size class are merged (with numpy) once `FANOUT` of them exist, so a row is rewritten about
once per size class. A lookup asks each run's Bloom filter of band keys first and reads,
for the few keys that may be there, one chunk found through the fences. Runs never change
once written and their ids are never reused, so every process caches fences and filters
(about 1.6 bytes per row) by run id.

Every function takes the caller's connection inside the caller's transaction: a batch and the
merges it triggers commit together or not at all.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TypeVar

import numpy as np

__all__ = ["SCHEMA", "Runs", "band_rows", "key_tops", "LOW32", "schema"]


def schema(prefix: str = "", if_not_exists: bool = False) -> str:
    """The two tables of one set of runs: ``<prefix>runs`` and ``<prefix>chunks``."""
    ine = "IF NOT EXISTS " if if_not_exists else ""
    return f"""
CREATE TABLE {ine}{prefix}runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT,
    rows INTEGER NOT NULL,
    first_chunk INTEGER NOT NULL,
    fences BLOB NOT NULL,
    filter BLOB NOT NULL
);
CREATE TABLE {ine}{prefix}chunks (c INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""


SCHEMA = schema()
CHUNK_ROWS = 128  # 1 KiB: a lookup reads one small chunk per band key a run may hold
FANOUT = 4  # runs of one size class merged into one
MIN_RUN_ROWS = 1 << 15  # runs below this many rows all share the smallest size class
FILTER_BITS = 12  # Bloom filter bits per row (3 hashes: about 1% false positives)
PART_ROWS = 1 << 21  # rows per part of a big run's filter
_HASHES = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
LOW32 = 0xFFFFFFFF
_ROW = np.dtype("<i8")
_MAX_PARAMS = 30_000  # SQLite takes at most 32,766 parameters per statement


def band_rows(band_keys: np.ndarray, ns: np.ndarray) -> np.ndarray:
    """The sorted, distinct band rows of entries ``ns`` (row i of ``band_keys`` is entry
    ns[i]'s keys)."""
    hi = key_tops(band_keys) << 32
    rows = np.sort((hi | np.asarray(ns, dtype=np.int64)[:, None]).ravel())
    if len(rows) > 1:
        rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
    return rows


def key_tops(keys: np.ndarray) -> np.ndarray:
    """The top 31 bits of band keys: what a row keeps of its key."""
    return (np.asarray(keys, dtype=np.uint64) >> np.uint64(33)).astype(np.int64)


def size_class(rows: int) -> int:
    """Runs of one class are within a factor FANOUT in size."""
    if rows < MIN_RUN_ROWS:
        return 0
    return 1 + int(math.log(rows / MIN_RUN_ROWS, FANOUT))


def _hashes(tops: np.ndarray) -> np.ndarray:
    """Three 32-bit hashes of each band-key top, one column per hash."""
    return (np.asarray(tops, dtype=np.uint64)[:, None] * _HASHES) >> np.uint64(32)


def _positions(hashes: np.ndarray, m: int | np.ndarray) -> np.ndarray:
    """The bit positions of `_hashes` in a filter of ``m`` bits."""
    return ((hashes * np.asarray(m, dtype=np.uint64)) >> np.uint64(32)).astype(np.int64)


def _partitions(rows: int) -> int:
    """How many parts a run's filter has: each covers one range of band-key tops, so it is
    built from one slice of the sorted run, and building never needs more than
    FILTER_BITS * PART_ROWS bytes at once."""
    return max(1, -(-rows // PART_ROWS))


def _part_bits(rows: int, parts: int) -> int:
    """Bits in each part of a filter (whole bytes: readers take the size from the blob)."""
    return max(64, -(-FILTER_BITS * rows // (parts * 64)) * 64)


def bloom(rows: np.ndarray) -> bytes:
    """A Bloom filter of the band keys (top 31 bits) of sorted ``rows``, in parts by key
    range: in part ``(top * parts) >> 31``, the bits `_positions` gives."""
    parts = _partitions(len(rows))
    m = _part_bits(len(rows), parts)
    tops = rows >> 32
    lower = -(-(np.arange(parts + 1, dtype=np.int64) << 31) // parts)
    bounds = np.searchsorted(tops, lower)
    out = []
    for i in range(parts):
        part = tops[bounds[i] : bounds[i + 1]].astype(np.uint64)
        bits = np.zeros(m, dtype=bool)
        h = np.empty_like(part)
        for mult in _HASHES:  # in place: a part holds up to PART_ROWS rows
            np.multiply(part, mult, out=h)
            h >>= np.uint64(32)
            h *= np.uint64(m)
            h >>= np.uint64(32)
            bits[h] = True
        out.append(np.packbits(bits, bitorder="little").tobytes())
    return b"".join(out)


class _View:
    """The runs of one moment, their filters and fences side by side, so that a lookup tests
    and searches all runs in a few vectorised steps."""

    def __init__(
        self, runs: tuple[int, ...], parts: list[tuple[int, int, np.ndarray, np.ndarray]]
    ) -> None:
        self.runs = runs
        sizes = np.array([len(f) for _, _, _, f in parts], dtype=np.int64)
        self.parts = np.array([_partitions(rows) for rows, _, _, _ in parts], dtype=np.int64)
        self.part_bits = (sizes * 8 // np.maximum(self.parts, 1)).astype(np.uint64)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) * 8
        self.filters = (
            np.concatenate([f for _, _, _, f in parts]) if parts else np.empty(0, dtype=np.uint8)
        )
        # The fences as (run index, band-key top): sorted across all runs. Chunk j of a run
        # may hold a top t when its fence top <= t and the next chunk's fence top >= t.
        counts = np.array([len(fences) for _, _, fences, _ in parts], dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.first = np.array([first for _, first, _, _ in parts], dtype=np.int64)
        self.fence_tops = (
            np.concatenate(
                [(np.int64(i) << 31) | (fences >> 32) for i, (_, _, fences, _) in enumerate(parts)]
            )
            if parts
            else np.empty(0, dtype=np.int64)
        )

    def maybe(self, tops: np.ndarray) -> np.ndarray:
        """(run, key) -> whether the run's filter may hold the key's top."""
        part = (tops[None, :] * self.parts[:, None]) >> 31  # (runs, keys)
        base = self.offsets[:, None] + part * self.part_bits[:, None].astype(np.int64)
        pos = _positions(_hashes(tops)[None], self.part_bits[:, None, None]) + base[:, :, None]
        return ((self.filters[pos >> 3] >> (pos & 7).astype(np.uint8)) & 1).all(axis=2)


class Runs:
    """Reads and writes the runs of one SQLite index; holds the per-process caches."""

    def __init__(self, prefix: str = "") -> None:
        """``prefix``: the tables are ``<prefix>runs`` and ``<prefix>chunks``."""
        self._r, self._c = f"{prefix}runs", f"{prefix}chunks"
        # run -> (rows, first chunk, fences, filter); runs never change: this never goes stale
        self._cache: dict[int, tuple[int, int, np.ndarray, np.ndarray]] = {}
        self._view: _View | None = None

    # ---- writing -----------------------------------------------------------------------
    def add(self, conn: sqlite3.Connection, rows: np.ndarray) -> None:
        """Store sorted distinct ``rows`` as a new run, then merge what is due."""
        if len(rows):
            self._write(conn, rows)
            self.compact(conn)

    def _write(self, conn: sqlite3.Connection, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=_ROW)
        base = conn.execute(f"SELECT coalesce(max(c), 0) FROM {self._c}").fetchone()[0] + 1
        buf = rows.tobytes()
        step = CHUNK_ROWS * _ROW.itemsize
        conn.executemany(
            f"INSERT INTO {self._c} (c, data) VALUES (?, ?)",
            ((base + i, buf[o : o + step]) for i, o in enumerate(range(0, len(buf), step))),
        )
        conn.execute(
            f"INSERT INTO {self._r} (rows, first_chunk, fences, filter) VALUES (?, ?, ?, ?)",
            (len(rows), base, rows[::CHUNK_ROWS].tobytes(), bloom(rows)),
        )

    def compact(self, conn: sqlite3.Connection) -> None:
        """Merge the runs of a size class that holds FANOUT of them, smallest class first,
        until none does."""
        while True:
            classes: dict[int, list[int]] = {}
            for run, rows in conn.execute(f"SELECT run, rows FROM {self._r} ORDER BY run"):
                classes.setdefault(size_class(rows), []).append(run)
            full = [c for c, members in classes.items() if len(members) >= FANOUT]
            if not full:
                return
            self._merge(conn, classes[min(full)])

    def purge(self, conn: sqlite3.Connection, gone: np.ndarray) -> None:
        """Merge every run into one without the rows of entries ``gone``."""
        self._merge(
            conn, [r for (r,) in conn.execute(f"SELECT run FROM {self._r} ORDER BY run")], gone
        )

    def _merge(
        self, conn: sqlite3.Connection, group: list[int], gone: np.ndarray | None = None
    ) -> None:
        if not group:
            return
        merged = np.concatenate([self.read_run(conn, r) for r in group])
        merged.sort(kind="stable")  # a merge of sorted runs: timsort finds them
        if gone is not None and len(gone):
            merged = merged[~np.isin(merged & LOW32, gone)]
        self.delete_runs(conn, group)
        if len(merged):
            self._write(conn, merged)

    def delete_runs(self, conn: sqlite3.Connection, runs: Iterable[int]) -> None:
        for run in runs:
            conn.execute(f"DELETE FROM {self._c} WHERE c BETWEEN ? AND ?", self._span(conn, run))
            conn.execute(f"DELETE FROM {self._r} WHERE run = ?", (run,))

    def _span(self, conn: sqlite3.Connection, run: int) -> tuple[int, int]:
        """The first and last chunk ids of ``run`` (one chunk per fence)."""
        first, n = conn.execute(
            f"SELECT first_chunk, length(fences) / 8 FROM {self._r} WHERE run = ?", (run,)
        ).fetchone()
        return first, first + n - 1

    # ---- reading -----------------------------------------------------------------------
    def read_run(self, conn: sqlite3.Connection, run: int) -> np.ndarray:
        """All rows of one run, sorted."""
        data = conn.execute(
            f"SELECT data FROM {self._c} WHERE c BETWEEN ? AND ? ORDER BY c", self._span(conn, run)
        ).fetchall()
        return np.frombuffer(b"".join(d for (d,) in data), dtype=_ROW)

    def _current(self, conn: sqlite3.Connection) -> _View:
        """The runs now, with the cache brought up to date."""
        runs = tuple(r for (r,) in conn.execute(f"SELECT run FROM {self._r} ORDER BY run"))
        if self._view is not None and self._view.runs == runs:
            return self._view
        live = set(runs)
        for r in [r for r in self._cache if r not in live]:
            del self._cache[r]
        missing = [r for r in runs if r not in self._cache]
        for part in in_params(missing):
            for run, rows, first, fences, filter_ in conn.execute(
                f"SELECT run, rows, first_chunk, fences, filter FROM {self._r} WHERE run IN "
                f"({','.join('?' * len(part))})",
                part,
            ):
                self._cache[run] = (
                    rows,
                    first,
                    np.frombuffer(fences, dtype=_ROW),
                    np.frombuffer(filter_, dtype=np.uint8),
                )
        self._view = view = _View(runs, [self._cache[r] for r in runs])
        # Keep each filter once: as a slice of the view's side-by-side copy.
        for i, r in enumerate(runs):
            rows, first, fences, filter_ = self._cache[r]
            at = int(view.offsets[i]) // 8
            self._cache[r] = (rows, first, fences, view.filters[at : at + len(filter_)])
        return view

    def lookup(
        self, conn: sqlite3.Connection, tops: np.ndarray, split: int
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each query (a row of band-key ``tops``, as `key_tops` gives them), the entry
        numbers of the stored rows with those tops: those of columns ``< split``, then those
        of the rest (a row two columns of one group find counts once)."""
        q, k = tops.shape
        flat = tops.ravel()
        none = _entries(np.empty(0, dtype=_ROW))
        empty = [(none, none)] * q
        view = self._current(conn)
        if not view.runs:
            return empty
        # Every run's filter at once: which (run, key) pairs may have rows.
        ri, ki = np.nonzero(view.maybe(flat))
        # The chunks of each pair, through the fences of all runs at once.
        probe = (ri << 31) | flat[ki]
        g0 = np.maximum(np.searchsorted(view.fence_tops, probe, "left") - 1, view.start[ri])
        g1 = np.searchsorted(view.fence_tops, probe, "right") - 1
        ok = g1 >= view.start[ri]
        ri, ki, g0, g1 = ri[ok], ki[ok], g0[ok], g1[ok]
        if not len(ri):
            return empty
        c0 = g0 - view.start[ri] + view.first[ri]
        c1 = g1 - view.start[ri] + view.first[ri]
        ids = np.unique(_gather(c0, c1 + 1))
        data = dict(
            conn.execute(
                f"SELECT c, data FROM {self._c} WHERE c IN (SELECT value FROM json_each(?))",
                (json.dumps(ids.tolist()),),
            ).fetchall()
        )
        blobs = [data[c] for c in ids.tolist()]
        rows = np.frombuffer(b"".join(blobs), dtype=_ROW)
        ends = np.cumsum([len(b) // _ROW.itemsize for b in blobs])
        # Each pair's chunks are consecutive ids, so one slice of ``rows``: keep its rows
        # with the pair's top.
        lo = (ends - np.diff(ends, prepend=0))[np.searchsorted(ids, c0)]
        hi = ends[np.searchsorted(ids, c1)]
        idx = _gather(lo, hi)
        pair = np.repeat(np.arange(len(ri)), hi - lo)
        vals = rows[idx]
        keep = (vals >> 32) == flat[ki[pair]]
        vals, col = vals[keep], ki[pair[keep]]
        # Split by query and by group.
        slot = (col // k) * 2 + (col % k >= split)
        # each slot's distinct rows, sorted (`_entries` of each part), in one sort for all
        order = np.lexsort((vals, slot))
        slot, vals = slot[order], vals[order]
        if len(vals) > 1:
            first = np.concatenate(([True], (slot[1:] != slot[:-1]) | (vals[1:] != vals[:-1])))
            slot, vals = slot[first], vals[first]
        vals = vals & LOW32
        bounds = np.searchsorted(slot, np.arange(2 * q + 1)).tolist()
        parts = [
            vals[bounds[i] : bounds[i + 1]] if bounds[i + 1] > bounds[i] else none
            for i in range(2 * q)
        ]
        return [(parts[2 * i], parts[2 * i + 1]) for i in range(q)]

    def checked_runs(self, conn: sqlite3.Connection) -> tuple[list[np.ndarray], list[str]]:
        """Every run's rows, and what is wrong with the runs (for `Index.verify`)."""
        runs = conn.execute(
            f"SELECT run, rows, first_chunk, fences, filter FROM {self._r} ORDER BY run"
        ).fetchall()
        arrays, problems = [], []
        for run, rows, first, fences, filter_ in runs:
            chunks = [
                np.frombuffer(d, dtype=_ROW)
                for (d,) in conn.execute(
                    f"SELECT data FROM {self._c} WHERE c BETWEEN ? AND ? ORDER BY c",
                    (first, first + len(fences) // 8 - 1),
                )
            ]
            arr = np.concatenate(chunks) if chunks else np.empty(0, dtype=_ROW)
            heads = np.array([c[0] for c in chunks if len(c)], dtype=_ROW)
            if len(arr) != rows or heads.tobytes() != bytes(fences):
                problems.append(
                    f"run {run}: {len(arr)} rows in {len(chunks)} chunks, "
                    f"{rows} rows in {len(fences) // 8} chunks recorded"
                )
            elif len(arr) > 1 and not (arr[1:] > arr[:-1]).all():
                problems.append(f"run {run}: rows are not sorted")
            elif bloom(arr) != bytes(filter_):
                problems.append(f"run {run}: its filter does not match its rows")
            arrays.append(arr)
        return arrays, problems


def _entries(rows: np.ndarray) -> np.ndarray:
    """The entry numbers of the distinct ``rows``."""
    return np.unique(rows) & LOW32


def _gather(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The indices of all ranges ``[a[i], b[i])``, concatenated."""
    lengths = np.maximum(b - a, 0)
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    return np.repeat(a - (ends - lengths), lengths) + np.arange(total)


_P = TypeVar("_P", int, str)  # an entry number or an article id


def in_params(values: Sequence[_P]) -> Iterable[list[_P]]:
    """``values`` in pieces small enough for one statement's parameters."""
    for i in range(0, len(values), _MAX_PARAMS):
        yield list(values[i : i + _MAX_PARAMS])
