"""The sorted runs that hold the SQLite index's band rows: lookups against a brute-force scan,
merges of every size class, purge, and damage that `checked_runs` must report."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from dedupe_ko import _runs


def _db(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "runs.db", isolation_level=None)
    conn.executescript(_runs.SCHEMA)
    return conn


def _batch(
    rng: np.random.Generator, first_n: int, entries: int, bands: int = 8, key_bits: int = 14
) -> tuple[np.ndarray, np.ndarray]:
    """Band keys for ``entries`` entries numbered from ``first_n``; few key bits, so that
    many entries share keys (as near duplicates do)."""
    keys = rng.integers(0, 1 << key_bits, (entries, bands), dtype=np.uint64) << np.uint64(33)
    return keys, np.arange(first_n, first_n + entries, dtype=np.int64)


def _expected(all_keys: np.ndarray, all_ns: np.ndarray, query: np.ndarray) -> list[int]:
    tops = _runs.key_tops(all_keys)
    hit = np.isin(tops, _runs.key_tops(query)).any(axis=1)
    return sorted(all_ns[hit].tolist())


@pytest.mark.parametrize("part_rows", [_runs.PART_ROWS, 4096])
def test_lookups_match_a_scan_through_merges_of_every_size_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_rows: int
) -> None:
    # Small filter parts (4,096 rows) put every big run's filter in many parts.
    monkeypatch.setattr(_runs, "PART_ROWS", part_rows)
    conn = _db(tmp_path)
    runs = _runs.Runs()
    rng = np.random.default_rng(3)
    keys, ns = [], []
    n = 1
    # Small batches first (size class 0), then big ones that reach classes 1 and 2.
    sizes = [5] * 12 + [3000] * 9 + [20_000] * 4
    for size in sizes:
        k, numbers = _batch(rng, n, size)
        n += size
        keys.append(k)
        ns.append(numbers)
        conn.execute("BEGIN")
        runs.add(conn, _runs.band_rows(k, numbers))
        conn.execute("COMMIT")
    all_keys, all_ns = np.concatenate(keys), np.concatenate(ns)
    stored = conn.execute("SELECT rows FROM runs").fetchall()
    total = sum(r for (r,) in stored)
    assert total == len(_runs.band_rows(all_keys, all_ns))
    # Merges keep the number of runs small: fewer than FANOUT per size class.
    classes = [_runs.size_class(r) for (r,) in stored]
    assert max(classes) >= 2
    assert all(classes.count(c) < _runs.FANOUT for c in set(classes))
    arrays, problems = runs.checked_runs(conn)
    assert problems == []
    # A fresh reader (empty caches) and the writer's own cache answer alike, and exactly.
    for reader in (runs, _runs.Runs()):
        for i in rng.integers(0, len(all_ns), 40).tolist():
            query = all_keys[i : i + 1]
            ((near, _),) = reader.lookup(conn, _runs.key_tops(query), query.shape[1])
            assert sorted(set(near.tolist())) == _expected(all_keys, all_ns, query)
            assert i + 1 in near  # the entry itself
        absent = rng.integers(1 << 20, 1 << 30, (1, 8), dtype=np.uint64) << np.uint64(33)
        ((near, _),) = reader.lookup(conn, _runs.key_tops(absent), 8)
        assert len(near) == 0


def test_lookup_splits_groups_and_queries(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    runs = _runs.Runs()
    rng = np.random.default_rng(4)
    keys, ns = _batch(rng, 1, 500)
    runs.add(conn, _runs.band_rows(keys, ns))
    # Two queries; the last column is a second group (the index's exact-hash column).
    q = np.stack([keys[10], keys[20]])
    found = runs.lookup(conn, _runs.key_tops(q), 7)
    for (near, other), row in zip(found, (10, 20), strict=True):
        assert set(near.tolist()) == set(_expected(keys[:, :7], ns, q[[0 if row == 10 else 1], :7]))
        assert set(other.tolist()) == set(
            _expected(keys[:, 7:], ns, q[[0 if row == 10 else 1], 7:])
        )
        # A row found by two columns of one group counts once per row.
        assert (np.bincount(near)[row + 1]) == len(set(_runs.key_tops(keys[row, :7]).tolist()))


def test_purge_compaction_drops_the_rows_of_deleted_entries(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    runs = _runs.Runs()
    rng = np.random.default_rng(5)
    keys, ns = _batch(rng, 1, 2000)
    for part in range(0, 2000, 250):
        runs.add(conn, _runs.band_rows(keys[part : part + 250], ns[part : part + 250]))
    gone = ns[ns % 3 == 0]
    runs.purge(conn, gone)
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    arrays, problems = runs.checked_runs(conn)
    assert problems == []
    left = arrays[0] & _runs.LOW32
    assert not np.isin(left, gone).any()
    assert set(left.tolist()) == set(ns[ns % 3 != 0].tolist())


@pytest.mark.parametrize("damage", ["lost chunk", "wrong fences", "stale filter"])
def test_checked_runs_reports_damage(tmp_path: Path, damage: str) -> None:
    conn = _db(tmp_path)
    runs = _runs.Runs()
    keys, ns = _batch(np.random.default_rng(6), 1, 400)
    runs.add(conn, _runs.band_rows(keys, ns))
    if damage == "lost chunk":
        conn.execute("DELETE FROM chunks WHERE c = (SELECT max(c) FROM chunks)")
    elif damage == "wrong fences":
        conn.execute("UPDATE runs SET fences = zeroblob(length(fences))")
    else:
        conn.execute("UPDATE runs SET filter = zeroblob(length(filter))")
    _, problems = runs.checked_runs(conn)
    assert len(problems) == 1 and problems[0].startswith("run ")
