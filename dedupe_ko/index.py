"""A persistent "have I seen this article?" index: a SQLite file (default) or a shared Redis.

    with Index.open("seen.db") as seen:                       # or "redis://host:6379/0?prefix=news"
        match = seen.check_and_add("2024-05-01/123", body)    # None: new, and now remembered
        if match:                                              # Match(id, similarity, kind)
            print("republication of", match.id)

The index stores, for every article it was given, its id, the hash of its folded body (the
exact path), its MinHash signature, its shingle count and a timestamp, plus one LSH band key
per band, and its sentence pieces (`Pieces`: hashes, folded characters, sentences) with one
key per piece in a `dedupe_ko.store` band store. A check looks the exact hash up first, then
gathers the articles that share a band key and verifies each with `dedupe_ko.cluster.verify`
(`cluster.best` picks). The text API (`check`, `check_and_add`, `decide_many`) is the
Deduplicator itself with this index as its ``store``: the store calls (`lookup`,
`query_pieces`, `entries`, `insert_many`, `lend_pieces`) carry every decision, so a corpus
run, ``dedupe-ko run --index`` and an hourly scraper decide alike (containment and
superseding included).

A run (`begin_run` ... `commit_run`) stages what it stores: other processes see it at once,
but it becomes permanent only when committed right after the run's outputs are renamed into
place; the run of a process that died is rolled back (or forward, when its outputs are in
place) by the next `Index.open`. `batch` holds the write lock over a block of lookups and
inserts. See docs/index.md, "Runs".

The index records every setting that changes stored data (`MinHashConfig.fingerprint`: the
hashing scheme, permutations, bands, shingles; and `PIECE_SCHEME`) and refuses to open with
others (`IndexMismatchError`); verification thresholds are free to change.

SQLite: WAL journal, a busy timeout, and one transaction per batch (``BEGIN IMMEDIATE`` for
check-and-add), so several processes can share a file and a process killed mid-batch leaves
all or none of that batch. ``synchronous=NORMAL``: a transaction is still all or none after a
crash, but a power loss (not a process crash) may lose the last batches committed before
it. A new file is built beside the target and hard-linked into place, so concurrent creators
agree on one index. A file that is not a dedupe_ko index is refused before anything is
written to it (`IndexFormatError`).

Redis (keys under ``<prefix>:``; a standalone server, not Redis Cluster): each batch is one
Lua script (atomic: keep batches to thousands on a shared server, which serves no one else
while a script runs); band, exact and piece keys live in `dedupe_ko.store.RedisBandStore`
hashes. Check-and-add holds the index's lock key (see `batch`). A server that does not
answer raises `IndexUnavailableError`
(connection refused at once; silence after the socket timeout, 10 s unless the URL sets
``socket_timeout``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sqlite3
import struct
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from . import _owner, _runs
from .cluster import best, in_sorted, verify
from .dedup import _ABSORB_MIN as ABSORB_MIN
from .dedup import Decision, DedupConfig, Deduplicator, Match
from .minhash import (
    MIN_PIECE_CHARS,
    PIECE_CHUNK,
    MinHashConfig,
    MinHasher,
    exact_key,
    pieces_batch,
    strip_marks,
)
from .sentences import Fingerprint, fingerprint_batch
from .store import LUA_BAND_FUNCTIONS, Hits, RedisBandStore, SQLiteBandStore, redis_payload

__all__ = [
    "Index",
    "IndexFormatError",
    "IndexFullError",
    "IndexMismatchError",
    "IndexUnavailableError",
    "MAX_CANDIDATES",
    "Entry",
    "Pieces",
]

FORMAT = "dedupe_ko.index"
FORMAT_VERSION = 2  # the settings record and the Redis layout; 2: keys in 256 hashes
SQLITE_VERSION = 3  # the SQLite layout (user_version); 3: band rows in sorted runs
APPLICATION_ID = 0x646B6F69  # "dkoi", in the SQLite header: marks the file as ours
MAX_CANDIDATES = 1000  # LSH candidates verified per check, those sharing the most bands first
BUSY_TIMEOUT_S = 30.0  # SQLite: how long a writer waits for another process's transaction
REDIS_TIMEOUT_S = 10.0  # Redis: socket timeout unless the URL sets socket_timeout
REDIS_LOCK_S = 60.0  # Redis: a batch's lock expires after this long (a killed holder)
_DAY = 86400.0
_SIG_DTYPE = np.dtype("<u4")
_T = TypeVar("_T")

# Settings from the installed software, not from the config: a new config cannot fix them.
_SOFTWARE_KEYS = (
    "scheme",
    "datasketch_major",
    "permutation_check",
    "shingle_version",
    "normalizer_version",
    "piece_scheme",
)


class IndexFormatError(ValueError):
    """The target exists but is not a (readable) dedupe_ko index. It was left untouched."""


class IndexFullError(OSError):
    """The index's disk (SQLite) or memory (Redis) is full; the batch in flight was not
    stored. The message names the index."""


class IndexUnavailableError(ConnectionError):
    """The index's server (Redis) or file lock (SQLite) did not answer in time."""


class IndexMismatchError(ValueError):
    """The index was built with other signature settings than the ones requested.

    ``differences`` maps each differing setting to ``(stored, requested)``.
    """

    def __init__(
        self,
        where: str,
        differences: dict[str, tuple[object, object]],
        stored_config: dict[str, Any] | None,
    ) -> None:
        self.where = where
        self.differences = differences
        lines = [
            f"{where} was built with other signature settings; its signatures do not "
            "compare with the ones requested:"
        ]
        for key, (stored, requested) in differences.items():
            lines.append(f"  {key}: stored {stored!r}, requested {requested!r}")
        if any(k in _SOFTWARE_KEYS for k in differences):
            lines.append(
                "The difference comes from the installed software (datasketch's hashing "
                "scheme, dedupe_ko's shingling or normaliser), which no setting can undo: "
                "build a new index (a new path or prefix) with this version, or open this "
                "one with the versions that built it."
            )
        else:
            lines.append(
                "Either open it with the settings it was built with (Index.open(target) "
                f"without a config uses them: {_describe(stored_config)}), or build a new "
                "index (a new path or prefix) for the new settings."
            )
        super().__init__("\n".join(lines))


# -- settings ----------------------------------------------------------------------------------


# Verification thresholds that indexes made before 0.x stored in their fingerprint: they do
# not change stored data, so they are no longer compared.
_NOT_STORED = frozenset({"dedup_threshold", "dedup_containment", "dedup_min_jaccard"})


# How sentence pieces are cut and hashed (`minhash.pieces_batch`): stored piece hashes only
# compare with pieces cut the same way.
PIECE_SCHEME = f"pieces-1:{MIN_PIECE_CHARS}:{PIECE_CHUNK}"


def _fingerprint(config: DedupConfig) -> dict[str, object]:
    """What stored data depends on (hashing scheme, permutations, bands, shingles, piece
    scheme); verification thresholds are not in it: they apply to any stored data."""
    fp = dict(config.minhash.fingerprint())
    fp["piece_scheme"] = PIECE_SCHEME
    return json.loads(json.dumps(fp))  # the form it takes once stored (lists, strings)


def _config_dict(config: DedupConfig) -> dict[str, Any]:
    d = asdict(config)
    d["minhash"] = asdict(config.minhash)
    return d


def _config_from_dict(d: dict[str, Any]) -> DedupConfig:
    d = dict(d)
    return DedupConfig(**{**d, "minhash": MinHashConfig(**d["minhash"])})


def _describe(config: dict[str, Any] | None) -> str:
    if not config:
        return "unknown"
    mh = config.get("minhash", {})
    inner = ", ".join(f"{k}={v!r}" for k, v in mh.items())
    outer = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "minhash")
    return f"DedupConfig({outer}, minhash=MinHashConfig({inner}))"


def _new_meta(config: DedupConfig) -> dict[str, str]:
    from . import __version__

    return {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "fingerprint": json.dumps(_fingerprint(config), sort_keys=True),
        "config": json.dumps(_config_dict(config)),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "created_by": f"dedupe_ko {__version__}",
    }


def _timestamp(ts: float | datetime | None, now: float) -> float:
    if ts is None:
        return now
    if isinstance(ts, datetime):
        return ts.timestamp()
    value = float(ts)
    if not math.isfinite(value):
        raise ValueError(f"timestamp must be finite seconds since the epoch, got {ts!r}")
    return value


# -- what a backend hands back ---------------------------------------------------------------


@dataclass
class _Found:
    """What the store holds near one query: exact-hash entries, then LSH candidates."""

    exact: list[tuple[int, str]]  # (n, id), oldest first
    cands: list[tuple[int, str, int, np.ndarray]]  # (n, id, size, sig)


@dataclass(frozen=True)
class Pieces:
    """An article's sentence pieces as the index keeps them: the distinct piece hashes
    (sorted uint64, `minhash.pieces_batch`), their folded characters and the sentences;
    ``prints``: its sentence fingerprint (`sentences.Fingerprint`), which verification
    compares as the Deduplicator does its clusters' (None in entries stored without)."""

    hashes: np.ndarray
    chars: int
    sentences: int
    base: int = -1  # pieces of the stored version itself (-1: all of ``hashes``)
    of: str = ""  # a fuller version kept beside its brief: the cluster's id (the brief's)
    prints: Fingerprint | None = None

    def pack(self) -> bytes:
        base = len(self.hashes) if self.base < 0 else self.base
        hashes = np.ascontiguousarray(self.hashes, dtype="<u8").tobytes()
        if self.prints is not None:
            # -2 first marks the layout with a fingerprint after the hashes and ``of``
            of = self.of.encode()
            head = struct.pack(
                "<qqqqqq", -2, self.chars, self.sentences, base, len(of), len(self.hashes)
            )
            return head + hashes + of + self.prints.pack()
        if not self.of:
            return struct.pack("<qqq", self.chars, self.sentences, base) + hashes
        of = self.of.encode()
        # -1 first (a chars count is never negative) marks the layout with ``of``
        return struct.pack("<qqqqq", -1, self.chars, self.sentences, base, len(of)) + hashes + of

    @classmethod
    def unpack(cls, blob: bytes) -> Pieces:
        chars, sents, base = struct.unpack_from("<qqq", blob)
        if chars == -2:
            chars, sents, base, n_of, n_h = struct.unpack_from("<qqqqq", blob, 8)
            at = _PIECES_HEAD + 24
            hashes = np.frombuffer(blob, dtype="<u8", count=n_h, offset=at).astype(np.uint64)
            at += 8 * n_h
            of = blob[at : at + n_of].decode()
            prints = Fingerprint.unpack(blob[at + n_of :])
            return cls(hashes, chars, sents, base, of, prints)
        if chars >= 0:
            return cls(
                np.frombuffer(blob, dtype="<u8", offset=_PIECES_HEAD).astype(np.uint64),
                chars,
                sents,
                base,
            )
        chars, sents, base, n_of = struct.unpack_from("<qqqq", blob, 8)
        end = len(blob) - n_of
        return cls(
            np.frombuffer(blob[:end], dtype="<u8", offset=_PIECES_HEAD + 16).astype(np.uint64),
            chars,
            sents,
            base,
            blob[end:].decode(),
        )

    def lent(self, other: Pieces, check: bool = True) -> tuple[Pieces, np.ndarray] | None:
        """These pieces with a near copy's new ones added (a re-led copy's lede, a paragraph
        the stored version lacks), and the new hashes; None when there is nothing to add.
        ``check``: as the Deduplicator's clusters, only a paragraph's worth
        (`ABSORB_MIN` new pieces) and up to twice the stored version's own pieces."""
        new = other.hashes[~in_sorted(other.hashes, self.hashes)]
        base = len(self.hashes) if self.base < 0 else self.base
        if not len(new) or (
            check and (len(new) < ABSORB_MIN or len(self.hashes) + len(new) > 2 * base)
        ):
            return None
        return Pieces(
            np.union1d(self.hashes, new),
            max(self.chars, other.chars),
            max(self.sentences, other.sentences),
            base,
            self.of,
            self.prints,
        ), new


_PIECES_HEAD = 24


@dataclass(frozen=True)
class Entry:
    """A stored article as verification needs it (`cluster.verify`)."""

    n: int
    id: str
    size: int
    sig: np.ndarray
    pieces: Pieces


def pieces_of(texts: Sequence[str]) -> list[Pieces]:
    """The `Pieces` of cleaned bodies, cut as the Deduplicator cuts them."""
    bares = [strip_marks(t) for t in texts]
    h, lengths, offsets, sents = pieces_batch(bares)
    prints = fingerprint_batch(bares)
    return [
        Pieces(h[a:b], int(lengths[a:b].sum()), int(sents[i]), prints=prints.of(i).compact())
        for i, (a, b) in enumerate(zip(offsets[:-1], offsets[1:], strict=True))
    ]


# A row to store: (id, exact key, signature, shingle count, timestamp, band keys, pieces).
_Row = tuple[str, bytes, np.ndarray, int, float, np.ndarray, "Pieces | None"]


# -- the index -----------------------------------------------------------------------------------


class Index:
    """A persistent index of cleaned-article signatures; open it with `Index.open`.

    Not thread-safe: use one `Index` per thread or process (processes may share the target).
    """

    def __init__(
        self,
        backend: _SQLiteBackend | _RedisBackend,
        config: DedupConfig,
        retention_days: float | None,
    ) -> None:
        self._backend = backend
        self.config = config
        self.retention_days = retention_days
        self._hasher = MinHasher(config.minhash)
        self.recovered: list[tuple[str, str]] = []
        """Runs of dead owners found on opening: (run id, "rolled forward" / "rolled back")."""

    # ---- opening -----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        target: str | Path,
        config: DedupConfig | None = None,
        *,
        retention_days: float | None = None,
        create: bool = True,
    ) -> Index:
        """Open (or create) the index at ``target``: a file path (SQLite) or a
        ``redis://host:port/db?prefix=NAME`` URL (keys under ``NAME:``, default "dedupe_ko").

        ``config`` defaults to the settings the index was built with (for a new index:
        `DedupConfig()`); a config whose signature settings differ from the stored ones
        raises `IndexMismatchError`. ``retention_days``: entries older than that are ignored
        by checks and purged now (see `purge`). ``create=False``: a missing index raises
        FileNotFoundError instead of being created.
        """
        if retention_days is not None and not retention_days > 0:
            raise ValueError(f"retention_days must be > 0, got {retention_days!r}")
        meta_if_new = _new_meta(config or DedupConfig()) if create else None
        if _is_redis_url(target):
            backend: _SQLiteBackend | _RedisBackend = _RedisBackend(str(target))
        else:
            backend = _SQLiteBackend(Path(target))
        try:
            meta = backend.ensure(meta_if_new)
            try:
                stored_fp = json.loads(meta["fingerprint"])
                stored_config = json.loads(meta["config"])
            except (KeyError, ValueError) as e:
                raise IndexFormatError(
                    f"{backend.where}: the index's settings record is damaged ({e}); "
                    "it was not modified. Build a new index."
                ) from e
            if config is None:
                config = _config_from_dict(stored_config)
            requested = _fingerprint(config)
            diffs = {
                k: (stored_fp.get(k), requested.get(k))
                for k in sorted((set(stored_fp) | set(requested)) - _NOT_STORED, key=_key_order)
                if stored_fp.get(k) != requested.get(k)
            }
            if diffs:
                raise IndexMismatchError(backend.where, diffs, stored_config)
            backend.bands = config.minhash.bands_rows[0]
        except BaseException:
            backend.close()
            raise
        index = cls(backend, config, retention_days)
        try:
            index.recovered = index.recover()
        except BaseException:
            backend.close()
            raise
        if retention_days is not None:
            index.purge(retention_days)
        return index

    @property
    def where(self) -> str:
        """The file path or Redis URL and prefix this index lives at."""
        return self._backend.where

    def close(self) -> None:
        """Close the connection. A run begun and not committed stays staged: the next
        `open` after this process has ended rolls it back (or forward, see `begin_run`)."""
        self._backend.close()

    # ---- runs: entries seen only once the outputs holding them are committed -----------------
    def begin_run(self) -> str:
        """Stage every entry stored from now on under a new run; returns its id.

        Staged entries are matched by checks like any other (so concurrent runs see each
        other), but they become permanent only at `commit_run`. If this process dies first,
        the next `Index.open` (or batch) of any process rolls the run back (its entries are
        deleted), unless `expect_outputs` was called and every output it named is in place
        (renamed): then it is rolled forward (committed)."""
        if self._backend.run is not None:
            raise RuntimeError(f"run {self._backend.run} is already begun on this Index")
        run = uuid.uuid4().hex
        self._backend.begin_run(run, _owner.current())
        return run

    def expect_outputs(self, outputs: Iterable[tuple[str, str]]) -> None:
        """Record the (output path, finished temporary file) pairs about to be renamed: a run
        that dies after the renames is rolled forward, one that dies before is rolled back."""
        run = self._require_run()
        marks = []
        for path, tmp in outputs:
            st = os.stat(tmp)
            marks.append([os.path.abspath(path), st.st_dev, st.st_ino])
        self._backend.set_outputs(run, json.dumps(marks))

    def commit_run(self) -> None:
        """Make the run's entries permanent (one transaction); call it right after the
        outputs holding them are in place."""
        self._backend.end_run(self._require_run(), commit=True)

    def abort_run(self) -> None:
        """Delete the run's entries now (the outputs were not written)."""
        if self._backend.run is not None:
            self._backend.end_run(self._backend.run, commit=False, band_keys=self._hasher.band_keys)

    def recover(self) -> list[tuple[str, str]]:
        """Roll forward or back the runs whose owner process is dead (see `begin_run`);
        returns (run id, what was done) for each."""
        done = []
        for run, owner, outputs in self._backend.pending_runs():
            if run == self._backend.run or not _owner.is_dead(owner):
                continue
            forward = outputs is not None and _outputs_in_place(json.loads(outputs))
            if self._backend.end_run(run, commit=forward, band_keys=self._hasher.band_keys):
                done.append((run, "rolled forward" if forward else "rolled back"))
        return done

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Hold the index's write lock for a block of checks and inserts, so one process's
        check-and-insert of a batch is atomic against every other process (SQLite: one
        ``BEGIN IMMEDIATE`` transaction; Redis: a lock key, expiring after
        ``REDIS_LOCK_S`` s). Runs of dead owners are recovered first."""
        with self._backend.locked():
            self.recover()
            yield

    def _require_run(self) -> str:
        if self._backend.run is None:
            raise RuntimeError("no run begun on this Index (call begin_run first)")
        return self._backend.run

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        """Entries stored (including any older than ``retention_days`` not yet purged)."""
        return self._backend.count()

    def __repr__(self) -> str:
        return f"Index({self.where!r}, threshold={self.config.threshold})"

    # ---- text API ------------------------------------------------------------------------
    def check(self, text: str) -> Match | None:
        """The earlier article ``text`` (a cleaned body) duplicates, or None (new, or a fuller
        version of a stored brief: see `decide_many`). Nothing is stored."""
        return self.check_many([text])[0]

    def check_many(self, texts: Sequence[str]) -> list[Match | None]:
        """`check` for each text, against the index only (the texts are not compared with
        each other), by the Deduplicator's rules."""
        self._check_texts(texts)  # before anything is decided
        view = _View(self, write=False)
        out = []
        for text in texts:
            d = Deduplicator(self.config, store=view).add(_CHECK_ID, text)
            out.append(_as_match(d))
        return out

    def add(self, id: str, text: str, *, timestamp: float | datetime | None = None) -> bool:
        """Store ``text`` under ``id``; False when ``id`` is already in the index (then the
        stored entry is left as it is)."""
        return self.add_many([(id, text, timestamp)]) == 1

    def add_many(
        self, items: Iterable[tuple[str, str] | tuple[str, str, float | datetime | None]]
    ) -> int:
        """Store (id, text[, timestamp]) items in one transaction (all or none); returns how
        many were new. Ids already present are left as they are."""
        ids, texts, stamps = self._unpack(items)
        keys, sigs, sizes = self._signatures(texts)
        return self.insert_many(
            list(zip(ids, keys, sigs, sizes, stamps, pieces_of(texts), strict=True))
        )

    def check_and_add(
        self, id: str, text: str, *, timestamp: float | datetime | None = None
    ) -> Match | None:
        """Atomically: the match of ``text`` if it has one, else store it and return None.
        Two processes doing this with the same story store it once."""
        return self.check_and_add_many([(id, text, timestamp)])[0]

    def check_and_add_many(
        self, items: Iterable[tuple[str, str] | tuple[str, str, float | datetime | None]]
    ) -> list[Match | None]:
        """`check_and_add` for each item in order, as one transaction: an item also matches
        an earlier item of the same batch (see `decide_many`; a kept item gives None)."""
        return [_as_match(d) for d in self.decide_many(items)]

    def decide_many(
        self, items: Iterable[tuple[str, str] | tuple[str, str, float | datetime | None]]
    ) -> list[Decision]:
        """The batch Deduplicator's decision for each (id, text[, timestamp]) item in order,
        with this index as its store, under the index's write lock; kept items are stored.

        The same rules as ``dedupe-ko run --index``: exact, near and ``partial`` (an
        abridged copy inside a stored story) duplicates are not stored; a fuller version of
        a stored brief is kept and stored, joins the brief's cluster and names it in
        ``supersedes``. Feeding a stream day by day keeps what one batch run keeps. An id
        already stored (a rerun) is kept and the index left as it is; a repeated id in
        ``items`` is decided again after the ones before it.
        """
        ids, texts, stamps = self._unpack(items)
        self._check_texts(texts)
        now = time.time()
        when = [_timestamp(t, now) for t in stamps]
        out: list[Decision] = []
        with self._backend.locked():
            start = 0
            while start < len(ids):
                seen: set[str] = set()
                stop = start
                while stop < len(ids) and ids[stop] not in seen:
                    seen.add(ids[stop])
                    stop += 1
                view = _View(self, dict(zip(ids[start:stop], when[start:stop], strict=True)))
                dd = Deduplicator(self.config, store=view)
                out += dd.add_batch(list(zip(ids[start:stop], texts[start:stop], strict=True)))
                start = stop
        return out

    def lend_pieces(self, items: Sequence[tuple[str, Pieces | tuple]], check: bool = True) -> int:
        """Add near copies' sentence pieces to the stored entries they matched ((id,
        `Pieces` or (hashes, chars, sentences)) items; see `Pieces.lent` for ``check``);
        returns how many entries grew. Entries without pieces, or absent, are left alone."""
        got = [
            (
                _check_id(i),
                p
                if isinstance(p, Pieces)
                else Pieces(np.asarray(p[0], dtype=np.uint64), int(p[1]), int(p[2])),
            )
            for i, p in items
        ]
        if not got:
            return 0
        return self._backend.lend(got, check)

    # ---- store protocol (what the Deduplicator's store= uses) -----------------------------
    def lookup(self, exact_key: bytes, sig: np.ndarray, size: int) -> Match | None:
        """The best verified match for one article given its exact key, signature, size."""
        return self.lookup_many([exact_key], np.asarray(sig)[None, :], [size])[0]

    def lookup_all(self, exact_key: bytes, sig: np.ndarray, size: int) -> list[Match]:
        """Every verified match for one article, best first (`lookup` is the first): the
        Deduplicator re-checks stored near matches against their clusters' current versions,
        and takes the next when the best fails, as it does with a run's own candidates."""
        sigs = np.asarray(sig, dtype=np.uint32)[None, :]
        found = self._backend.fetch([exact_key], self._hasher.band_keys(sigs), self._cutoff())
        return self._ranked(found[0], sigs[0], int(size))

    def lookup_many(
        self, exact_keys: Sequence[bytes], sigs: np.ndarray, sizes: Sequence[int] | np.ndarray
    ) -> list[Match | None]:
        """`lookup` for a batch (each against the index only)."""
        sigs = np.atleast_2d(np.asarray(sigs, dtype=np.uint32))
        if not len(exact_keys):
            return []
        found = self._backend.fetch(list(exact_keys), self._hasher.band_keys(sigs), self._cutoff())
        return [self._best(f, s, int(z)) for f, s, z in zip(found, sigs, sizes, strict=True)]

    def insert_many(self, items: Sequence[tuple]) -> int:
        """Store (id, exact_key, sig, size[, timestamp[, pieces]]) items in one transaction;
        returns how many ids were new. ``pieces`` (`Pieces`, or None) makes the entry a
        candidate for containment (`partial`) matches."""
        items = list(items)
        if not items:
            return 0
        now = time.time()
        sigs = np.atleast_2d(np.asarray([it[2] for it in items], dtype=np.uint32))
        self._check_sigs(sigs)
        bands = self._hasher.band_keys(sigs)
        rows: list[_Row] = []
        for it, sig, bk in zip(items, sigs, bands, strict=True):
            id_, key, _sig, size = it[:4]
            ts = _timestamp(it[4] if len(it) > 4 else None, now)
            pieces = it[5] if len(it) > 5 else None
            if pieces is not None and not isinstance(pieces, Pieces):
                pieces = Pieces(
                    np.asarray(pieces[0], dtype=np.uint64),
                    int(pieces[1]),
                    int(pieces[2]),
                    of=str(pieces[3]) if len(pieces) > 3 else "",
                    prints=pieces[4] if len(pieces) > 4 else None,
                )
            rows.append((_check_id(id_), bytes(key), sig, int(size), ts, bk, pieces))
        return self._backend.insert(rows)

    def query_pieces(self, hashes: np.ndarray, cap: int | None = None) -> Hits:
        """The entry numbers stored under each sentence-piece hash (a `store.BandStore`
        query: keys under more than ``cap`` entries are ``crowded``, their entries left out).
        Staged entries of other runs are seen, as by `lookup`."""
        return self._backend.query_pieces(np.asarray(hashes, dtype=np.uint64), cap)

    def entries_of(self, ids: Sequence[str]) -> list[Entry]:
        """`entries` by id."""
        if not ids:
            return []
        return self.entries(
            np.array(sorted(self._backend.numbers(list(ids)).values()), dtype=np.int64)
        )

    def entries(self, ns: np.ndarray) -> list[Entry]:
        """The stored entries ``ns`` that have pieces and are within ``retention_days``."""
        if not len(ns):
            return []
        return self._backend.entries([int(n) for n in ns], self._cutoff())

    # ---- maintenance ---------------------------------------------------------------------
    def purge(self, older_than_days: float | None = None) -> int:
        """Delete entries older than ``older_than_days`` (default: ``retention_days``);
        returns how many were deleted."""
        days = self.retention_days if older_than_days is None else older_than_days
        if days is None:
            raise ValueError("purge needs older_than_days (or open with retention_days=)")
        if not days >= 0:
            raise ValueError(f"older_than_days must be >= 0, got {days!r}")
        return self._backend.purge(time.time() - days * _DAY, self._hasher.band_keys)

    def verify(self) -> list[str]:
        """Consistency problems found in the stored index (an empty list: none)."""
        return self._backend.verify(self._hasher.band_keys)

    # ---- internals -----------------------------------------------------------------------
    def _cutoff(self) -> float:
        if self.retention_days is None:
            return -math.inf
        return time.time() - self.retention_days * _DAY

    def _check_sigs(self, sigs: np.ndarray) -> None:
        if sigs.shape[1] != self.config.minhash.num_perm:
            raise ValueError(
                f"signatures have {sigs.shape[1]} values, the index uses "
                f"num_perm={self.config.minhash.num_perm}"
            )

    @staticmethod
    def _check_texts(texts: Sequence[str]) -> None:
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"text must be a str (a cleaned body), got {type(t).__name__}")

    def _signatures(self, texts: Sequence[str]) -> tuple[list[bytes], np.ndarray, np.ndarray]:
        self._check_texts(texts)
        sigs, sizes = self._hasher.signatures(texts)
        return [exact_key(t) for t in texts], sigs, sizes

    @staticmethod
    def _unpack(items: Iterable[tuple]) -> tuple[list[str], list[str], list[Any]]:
        ids, texts, stamps = [], [], []
        for it in items:
            if not 2 <= len(it) <= 3:
                raise ValueError(f"items are (id, text) or (id, text, timestamp), got {it!r:.80}")
            ids.append(_check_id(it[0]))
            texts.append(it[1])
            stamps.append(it[2] if len(it) == 3 else None)
        return ids, texts, stamps

    def _ranked(self, found: _Found, sig: np.ndarray, size: int) -> list[Match]:
        """Every verified match in ``found``, best first: the exact hit alone, else the LSH
        candidates `cluster.verify` accepts on MinHash, in `cluster.best`'s order (near
        before partial, the highest similarity, then the oldest)."""
        if found.exact:
            return [Match(found.exact[0][1], 1.0, "exact")]
        if not found.cands:
            return []
        jac = (np.stack([c[3] for c in found.cands]) == sig).mean(axis=1)
        left = [
            (verify(self.config, float(j), size, csize), n, id_)
            for (n, id_, csize, _), j in zip(found.cands, jac, strict=True)
        ]
        out = []
        while (top := best(left)) is not None:
            out.append(Match(top[1], top[0].similarity, "near"))
            left = [c for c in left if c[2] != top[1]]
        return out

    def _best(self, found: _Found, sig: np.ndarray, size: int) -> Match | None:
        if found.exact:
            return Match(found.exact[0][1], 1.0, "exact")
        if not found.cands:
            return None
        jac = (np.stack([c[3] for c in found.cands]) == sig).mean(axis=1)
        top = best(
            (verify(self.config, float(j), size, csize), n, id_)
            for (n, id_, csize, _), j in zip(found.cands, jac, strict=True)
        )
        return None if top is None else Match(top[1], top[0].similarity, "near")


_CHECK_ID = "\x00dedupe_ko:check"  # the id a checked text is decided under (never stored)


def _as_match(d: Decision) -> Match | None:
    """A Decision as the "have I seen this?" answer: None when kept."""
    return None if d.kept else Match(d.cluster, d.similarity, d.match)


class _View:
    """The Index as a Deduplicator's ``store``: kept items stored with their given
    timestamps (``stamps``: id -> timestamp), or nothing stored at all (``write=False``)."""

    def __init__(self, index: Index, stamps: dict[str, float] | None = None, write: bool = True):
        self.index = index
        self.stamps = stamps or {}
        self.write = write
        self.lookup = index.lookup
        self.lookup_all = index.lookup_all
        self.query_pieces = index.query_pieces
        self.entries = index.entries
        self.entries_of = index.entries_of

    def insert_many(self, items: Sequence[tuple]) -> int:
        if not self.write:
            return 0
        rows = [(*it[:4], self.stamps.get(it[0]), *it[5:]) for it in items]
        return self.index.insert_many(rows)

    def lend_pieces(self, items: Sequence[tuple[str, Any]], check: bool = True) -> int:
        return self.index.lend_pieces(items, check) if self.write else 0


def _outputs_in_place(marks: list[list[Any]]) -> bool:
    """Does every (path, device, inode) recorded by `Index.expect_outputs` name a file in
    place, i.e. was the temporary file renamed onto its output?"""
    for path, dev, ino in marks:
        try:
            st = os.stat(path)
        except OSError:
            return False
        if (st.st_dev, st.st_ino) != (dev, ino):
            return False
    return True


def _lend(
    have: dict[str, tuple[int, Pieces]], items: Sequence[tuple[str, Pieces]], check: bool
) -> tuple[dict[int, Pieces], list[tuple[np.ndarray, int]]]:
    """`Index.lend_pieces` for any backend: the stored entries ``have`` (id -> entry number,
    pieces) that grow by the items' pieces (`Pieces.lent`), and each entry's new hashes."""
    grew: dict[int, Pieces] = {}
    new: list[tuple[np.ndarray, int]] = []
    for id_, pc in items:
        if id_ not in have:
            continue
        n, cur = have[id_]
        out = cur.lent(pc, check)
        if out is None:
            continue
        have[id_] = (n, out[0])
        grew[n] = out[0]
        new.append((out[1], n))
    return grew, new


def _check_id(id_: object) -> str:
    if not isinstance(id_, str):
        raise TypeError(f"ids must be str, got {type(id_).__name__}: {id_!r:.60}")
    return id_


def _key_order(k: str) -> tuple[int, str]:
    return (0 if k in _SOFTWARE_KEYS else 1, k)


def _is_redis_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.split("://", 1)[0] in ("redis", "rediss", "unix")


# -- SQLite ----------------------------------------------------------------------------------

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SQLITE_VERSION};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    exact BLOB NOT NULL,
    size INTEGER NOT NULL,
    ts REAL NOT NULL,
    sig BLOB NOT NULL
);
CREATE INDEX entries_ts ON entries (ts);
{_runs.SCHEMA}"""
# Runs not yet committed (see `Index.begin_run`); added to older files on opening.
_PENDING_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_runs (
    run TEXT PRIMARY KEY, owner TEXT NOT NULL, started REAL NOT NULL, outputs TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_entries (
    run TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (run, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entry_pieces (n INTEGER PRIMARY KEY, data BLOB NOT NULL);
""" + _runs.schema("piece_", if_not_exists=True)
# Sentence pieces: ``entry_pieces`` holds each entry's `Pieces` (what verification reads),
# the ``piece_`` runs (a `SQLiteBandStore`) map piece hashes to entry numbers.
_TABLES = ("pending_runs", "pending_entries", "entry_pieces", "piece_runs", "piece_chunks")
# The LSH band keys live in sorted runs (see `_runs`). The exact hash is kept the same way, as
# one more band key per entry (its first 8 bytes): an index on ``entries.exact`` would be one
# more random B-tree written on every batch.
_LOW32 = _runs.LOW32


def _exact_u64(keys: Sequence[bytes]) -> np.ndarray:
    """The exact hashes as band keys: their first 8 bytes, big-endian."""
    return np.frombuffer(b"".join(bytes(k[:8]).ljust(8, b"\0") for k in keys), dtype=">u8")


def _with_exact(bands: np.ndarray, keys: Sequence[bytes]) -> np.ndarray:
    """Band keys with the exact hash appended as one more column."""
    return np.column_stack([np.asarray(bands, dtype=np.uint64), _exact_u64(keys).astype(np.uint64)])


class _SQLiteBackend:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self.bands = 0
        self.run: str | None = None
        # band and exact keys (tables runs/chunks), and sentence pieces (piece_runs/chunks)
        self.bandstore = SQLiteBandStore(lambda: self.conn, "")
        self.pieces = SQLiteBandStore(lambda: self.conn, "piece_")
        self._conn: sqlite3.Connection | None = None
        self._held = False  # inside locked(): one transaction for the whole block

    # ---- opening -----------------------------------------------------------------------
    def ensure(self, meta_if_new: dict[str, str] | None) -> dict[str, str]:
        if not self.path.exists():
            if meta_if_new is None:
                raise FileNotFoundError(
                    f"no index at {self.path} (open with create=True to create one)"
                )
            self._create(meta_if_new)
        self._check_header()
        try:
            uri = "file:" + _uri_path(self.path) + "?mode=rw"
            conn = sqlite3.connect(
                uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=True
            )
        except sqlite3.Error as e:
            raise IndexFormatError(
                f"{self.path}: cannot be opened as an index ({e}); it was not modified."
            ) from e
        self._conn = conn
        try:
            rows = conn.execute("SELECT key, value FROM meta").fetchall()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise IndexFormatError(
                f"{self.path}: a damaged dedupe_ko index ({e}); it was not "
                "modified. Restore it from a copy or build a new one."
            ) from e
        meta = dict(rows)
        if meta.get("format") != FORMAT:
            raise IndexFormatError(
                f"{self.path}: marked as a dedupe_ko index but its meta "
                "table is not ours; it was not modified."
            )
        if version != SQLITE_VERSION:
            raise IndexFormatError(
                f"{self.path}: index format {version}, this dedupe_ko "
                f"reads format {SQLITE_VERSION}; it was not modified. "
                "Build a new index (a new path) with this version."
            )
        if mode != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA wal_autocheckpoint=100000")  # checkpoint every ~400 MiB of WAL
        conn.execute("PRAGMA journal_size_limit=67108864")  # then shrink the WAL to 64 MiB
        conn.execute("PRAGMA cache_size=-524288")  # up to 512 MiB of page cache (merges)
        conn.execute("PRAGMA mmap_size=1073741824")
        has = conn.execute(
            f"SELECT count(*) FROM sqlite_master WHERE name IN ({','.join('?' * len(_TABLES))})",
            _TABLES,
        ).fetchone()[0]
        if has != len(_TABLES):

            def add_tables() -> None:
                for statement in _PENDING_SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)

            self._guard(lambda: self._txn(add_tables, True))
        return meta

    def _check_header(self) -> None:
        if not self.path.is_file():
            raise IndexFormatError(f"{self.path} is not a regular file; give a file path.")
        with open(self.path, "rb") as f:
            head = f.read(100)
        if not head:
            raise IndexFormatError(
                f"{self.path} is an empty file, not a dedupe_ko index; it was "
                "not modified. Remove it or give another path."
            )
        if not head.startswith(_SQLITE_MAGIC) or len(head) < 100:
            raise IndexFormatError(
                f"{self.path} is not a dedupe_ko index (not an SQLite "
                f"database: starts with {head[:16]!r}); it was not modified. "
                "Give a new path to create an index."
            )
        app_id = int.from_bytes(head[68:72], "big")
        if app_id != APPLICATION_ID:
            raise IndexFormatError(
                f"{self.path} is an SQLite database of another program "
                f"(application_id {app_id:#x}), not a dedupe_ko index; it "
                "was not modified. Give a new path to create an index."
            )

    def _create(self, meta: dict[str, str]) -> None:
        """Build the index in a temporary file beside the target and hard-link it into
        place: a reader never sees a half-made index, and of several concurrent creators
        one wins and the others open its file."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            self._guard(lambda: self._build(tmp, meta))
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(tmp) + suffix).unlink(missing_ok=True)

    def _build(self, tmp: Path, meta: dict[str, str]) -> None:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.executescript(_SCHEMA + _PENDING_SCHEMA)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            os.link(tmp, self.path)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"the index {self.path} is closed")
        return self._conn

    # ---- transactions --------------------------------------------------------------------
    def _txn(self, fn: Callable[[], _T], immediate: bool) -> _T:
        conn = self.conn
        if self._held:
            return fn()
        try:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except sqlite3.OperationalError as e:
            raise IndexUnavailableError(
                f"{self.path}: could not get the write lock within {BUSY_TIMEOUT_S:.0f} s ({e})"
            ) from e
        try:
            result = fn()
            conn.execute("COMMIT")
            return result
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # ---- reads and writes ------------------------------------------------------------------
    def _fetch(self, keys: list[bytes], bands: np.ndarray, cutoff: float) -> list[_Found]:
        conn = self.conn
        tops = _runs.key_tops(_with_exact(bands, keys))
        out = []
        for key, (near, exact) in zip(
            keys, self.bandstore.runs.lookup(conn, tops, bands.shape[1]), strict=True
        ):
            if len(exact):
                rows = []
                for part in _runs.in_params(np.unique(exact).tolist()):
                    rows += conn.execute(
                        f"SELECT n, id FROM entries WHERE n IN ({','.join('?' * len(part))}) "
                        "AND exact = ? AND ts >= ? ORDER BY n LIMIT 1",
                        (*part, key, cutoff),
                    ).fetchall()
                if rows:
                    out.append(_Found([min(rows)], []))
                    continue
            if not len(near):
                out.append(_Found([], []))
                continue
            # The candidates sharing the most bands first (then the oldest), at most
            # MAX_CANDIDATES of them.
            ns, hits = np.unique(near, return_counts=True)
            top = ns[np.lexsort((ns, -hits))[:MAX_CANDIDATES]]
            top.sort()
            rows = conn.execute(
                f"SELECT n, id, size, sig FROM entries WHERE n IN ({','.join('?' * len(top))}) "
                "AND ts >= ? ORDER BY n",
                (*top.tolist(), cutoff),
            ).fetchall()
            out.append(
                _Found(
                    [], [(n, i, z, np.frombuffer(sig, dtype=_SIG_DTYPE)) for n, i, z, sig in rows]
                )
            )
        return out

    def _insert(self, rows: list[_Row]) -> int:
        if not rows:
            return 0
        conn = self.conn
        # Inside the write transaction every n above the current maximum is one of ours.
        before = conn.execute("SELECT coalesce(max(n), 0) FROM entries").fetchone()[0]
        conn.executemany(
            "INSERT OR IGNORE INTO entries (id, exact, size, ts, sig) VALUES (?, ?, ?, ?, ?)",
            [
                (id_, key, size, ts, np.ascontiguousarray(sig, dtype=_SIG_DTYPE).tobytes())
                for id_, key, sig, size, ts, *_ in rows
            ],
        )
        new = dict(conn.execute("SELECT id, n FROM entries WHERE n > ?", (before,)).fetchall())
        if not new:
            return 0
        if max(new.values()) > _LOW32:
            raise OverflowError(
                f"{self.path}: more than 2**32 entries were ever added; build a new index"
            )
        taken = set()
        picked, ns = [], []
        for i, row in enumerate(rows):
            if row[0] in new and row[0] not in taken:  # the first of repeated ids was stored
                taken.add(row[0])
                picked.append(i)
                ns.append(new[row[0]])
        bands = _with_exact(np.stack([rows[i][5] for i in picked]), [rows[i][1] for i in picked])
        self.bandstore.add(bands, np.repeat(ns, bands.shape[1]))
        with_pieces = [
            (n, pc) for i, n in zip(picked, ns, strict=True) if (pc := rows[i][6]) is not None
        ]
        if with_pieces:
            conn.executemany(
                "INSERT OR REPLACE INTO entry_pieces VALUES (?, ?)",
                [(n, pc.pack()) for n, pc in with_pieces],
            )
            self.pieces.add(
                np.concatenate([pc.hashes for _, pc in with_pieces]),
                np.repeat([n for n, _ in with_pieces], [len(pc.hashes) for _, pc in with_pieces]),
            )
        if self.run is not None:
            conn.executemany(
                "INSERT INTO pending_entries VALUES (?, ?)", [(self.run, n) for n in ns]
            )
        return len(ns)

    def _delete(self, ns: list[int]) -> None:
        """Delete entries ``ns`` with their band rows and pieces (inside a transaction)."""
        if not ns:
            return
        conn = self.conn
        for part in _runs.in_params(ns):
            marks = ",".join("?" * len(part))
            conn.execute(f"DELETE FROM entries WHERE n IN ({marks})", part)
            conn.execute(f"DELETE FROM entry_pieces WHERE n IN ({marks})", part)
        gone = np.array(ns, dtype=np.int64)
        self.bandstore.remove(gone)  # one run without the deleted entries' rows
        self.pieces.remove(gone)

    def query_pieces(self, hashes: np.ndarray, cap: int | None) -> Hits:
        return self._guard(lambda: self._txn(lambda: self.pieces.query(hashes, cap), False))

    def numbers(self, ids: list[str]) -> dict[str, int]:
        def step() -> dict[str, int]:
            out: dict[str, int] = {}
            for part in _runs.in_params(ids):
                out.update(
                    self.conn.execute(
                        f"SELECT id, n FROM entries WHERE id IN ({','.join('?' * len(part))})", part
                    ).fetchall()
                )
            return out

        return self._guard(lambda: self._txn(step, False))

    def lend(self, items: list[tuple[str, Pieces]], check: bool) -> int:
        def step() -> int:
            conn = self.conn
            ids = sorted({i for i, _ in items})
            have: dict[str, tuple[int, Pieces]] = {}
            for part in _runs.in_params(ids):
                for id_, n, data in conn.execute(
                    "SELECT e.id, e.n, p.data FROM entries e JOIN entry_pieces p ON p.n = e.n "
                    f"WHERE e.id IN ({','.join('?' * len(part))})",
                    part,
                ):
                    have[id_] = (n, Pieces.unpack(data))
            grew, new = _lend(have, items, check)
            keys = [hashes for hashes, _ in new]
            values = [np.full(len(hashes), n, dtype=np.int64) for hashes, n in new]
            if not grew:
                return 0
            conn.executemany(
                "UPDATE entry_pieces SET data = ? WHERE n = ?",
                [(pc.pack(), n) for n, pc in grew.items()],
            )
            self.pieces.add(np.concatenate(keys), np.concatenate(values))
            return len(grew)

        return self._guard(lambda: self._txn(step, True))

    def entries(self, ns: list[int], cutoff: float) -> list[Entry]:
        def step() -> list[Entry]:
            out = []
            for part in _runs.in_params(ns):
                for n, id_, size, sig, data in self.conn.execute(
                    "SELECT e.n, e.id, e.size, e.sig, p.data FROM entries e JOIN entry_pieces p "
                    f"ON p.n = e.n WHERE e.n IN ({','.join('?' * len(part))}) AND e.ts >= ?",
                    (*part, cutoff),
                ):
                    out.append(
                        Entry(
                            n, id_, size, np.frombuffer(sig, dtype=_SIG_DTYPE), Pieces.unpack(data)
                        )
                    )
            return out

        return self._guard(lambda: self._txn(step, False))

    # ---- runs ----------------------------------------------------------------------------
    def begin_run(self, run: str, owner: str) -> None:
        self._guard(
            lambda: self._txn(
                lambda: self.conn.execute(
                    "INSERT INTO pending_runs VALUES (?, ?, ?, NULL)", (run, owner, time.time())
                ),
                True,
            )
        )
        self.run = run

    def set_outputs(self, run: str, outputs: str) -> None:
        self._guard(
            lambda: self._txn(
                lambda: self.conn.execute(
                    "UPDATE pending_runs SET outputs = ? WHERE run = ?", (outputs, run)
                ),
                True,
            )
        )

    def pending_runs(self) -> list[tuple[str, str, str | None]]:
        return self._guard(
            lambda: self.conn.execute("SELECT run, owner, outputs FROM pending_runs").fetchall()
        )

    def end_run(
        self, run: str, commit: bool, band_keys: Callable[[np.ndarray], np.ndarray] | None = None
    ) -> bool:
        """Commit or roll back a run's entries in one transaction; False when another
        process already did."""

        def step() -> bool:
            conn = self.conn
            if not conn.execute("DELETE FROM pending_runs WHERE run = ?", (run,)).rowcount:
                return False
            if not commit:
                ns = [
                    n
                    for (n,) in conn.execute("SELECT n FROM pending_entries WHERE run = ?", (run,))
                ]
                self._delete(ns)
            conn.execute("DELETE FROM pending_entries WHERE run = ?", (run,))
            return True

        done = self._guard(lambda: self._txn(step, True))
        if run == self.run:
            self.run = None
        return done

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        if self._held:
            yield
            return
        conn = self.conn
        try:
            self._guard(lambda: conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.OperationalError as e:
            raise IndexUnavailableError(
                f"{self.path}: could not get the write lock within {BUSY_TIMEOUT_S:.0f} s ({e})"
            ) from e
        self._held = True
        try:
            yield
            self._held = False
            self._guard(lambda: conn.execute("COMMIT"))
        except BaseException:
            self._held = False
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def fetch(self, keys: list[bytes], bands: np.ndarray, cutoff: float) -> list[_Found]:
        return self._guard(lambda: self._txn(lambda: self._fetch(keys, bands, cutoff), False))

    def insert(self, rows: list[_Row]) -> int:
        return self._guard(lambda: self._txn(lambda: self._insert(rows), True))

    def count(self) -> int:
        return self._guard(lambda: self.conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def purge(self, cutoff: float, band_keys: Callable[[np.ndarray], np.ndarray]) -> int:
        def step() -> int:
            ns = [n for (n,) in self.conn.execute("SELECT n FROM entries WHERE ts < ?", (cutoff,))]
            if not ns:
                return 0
            self._delete(ns)
            return len(ns)

        return self._guard(lambda: self._txn(step, True))

    def verify(self, band_keys: Callable[[np.ndarray], np.ndarray]) -> list[str]:
        def step() -> list[str]:
            conn = self.conn
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
            if problems:
                return problems
            expected = 0
            stored, problems = self.bandstore.runs.checked_runs(conn)
            rows_all = np.concatenate(stored) if stored else np.empty(0, dtype=np.int64)
            ns = np.array([n for (n,) in conn.execute("SELECT n FROM entries")], dtype=np.int64)
            orphans = int((~np.isin(rows_all & _LOW32, ns)).sum())
            if orphans:
                problems.append(f"{orphans} band keys point at no entry")
            cursor = conn.execute("SELECT n, exact, sig FROM entries ORDER BY n")
            while batch := cursor.fetchmany(50_000):
                sigs = np.stack([np.frombuffer(s, dtype=_SIG_DTYPE) for _, _, s in batch])
                keys = _with_exact(band_keys(sigs), [e for _, e, _ in batch])
                expected += len(_runs.band_rows(keys, np.array([n for n, _, _ in batch])))
            if len(rows_all) != expected:
                problems.append(
                    f"{len(rows_all)} band keys stored for {len(ns)} entries, {expected} expected"
                )
            piece_runs, piece_problems = self.pieces.runs.checked_runs(conn)
            problems += [f"pieces: {p}" for p in piece_problems]
            piece_rows = np.concatenate(piece_runs) if piece_runs else np.empty(0, dtype=np.int64)
            orphans = int((~np.isin(piece_rows & _LOW32, ns)).sum())
            if orphans:
                problems.append(f"{orphans} piece keys point at no entry")
            with_pieces = np.array(
                [n for (n,) in conn.execute("SELECT n FROM entry_pieces")], dtype=np.int64
            )
            if (~np.isin(with_pieces, ns)).any():
                problems.append("pieces kept for entries that are gone")
            return problems

        return self._guard(lambda: self._txn(step, False))

    def _guard(self, fn: Callable[[], _T]) -> _T:
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise IndexUnavailableError(
                    f"{self.path}: busy for more than {BUSY_TIMEOUT_S:.0f} s ({e})"
                ) from e
            if "full" in str(e) or ("disk I/O" in str(e) and _disk_full(self.path)):
                raise IndexFullError(
                    f"index {self.path}: the disk is full ({e}); the batch in "
                    "flight was not stored. Free space and rerun."
                ) from e
            raise
        except sqlite3.DatabaseError as e:
            raise IndexFormatError(
                f"{self.path}: the index is damaged ({e}). Restore it from a "
                "copy or build a new one."
            ) from e


def _disk_full(path: Path) -> bool:
    """Has the file system holding ``path`` (almost) no room left?"""
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < (1 << 20)


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


# -- Redis --------------------------------------------------------------------------------------
# Keys under P = prefix: P:meta hash (settings), P:seq counter, P:id hash id -> n,
# P:rec hash n -> record (size, timestamp, exact key, id, signature), P:t zset n by timestamp,
# P:pr hash n -> `Pieces.pack`; and two `dedupe_ko.store.RedisBandStore`s (entry numbers, 4
# bytes each, under 8-byte keys in 256 hashes): P:b: for the LSH band keys and each entry's
# exact key (its first 8 bytes; a hit is confirmed against the record's 16), P:p: for the
# sentence pieces. Every write of them goes through `store.LUA_BAND_FUNCTIONS`.

_REC_HEAD = struct.Struct("<Id16sH")

_LUA_INIT = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV))
end
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return false end
return redis.call('HGETALL', KEYS[1])
"""

# ARGV: prefix, bands, max candidates, cutoff ("" for none), then per item: exact key
# (16 bytes), band keys (8 bytes each). Per item: {1, n, record} for an exact hit (the
# oldest), else {0, n1, record1, ...} for the LSH candidates sharing the most bands, as many
# as max.
_LUA_FETCH = (
    LUA_BAND_FUNCTIONS
    + """
local call, sub = redis.call, string.sub
local p, B, maxc, cutoff = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local pb = p .. ':b:'
local function members(k)
  local v = bs_get(pb, k)
  local out = {}
  if v then
    for j = 1, #v, 4 do out[#out + 1] = (struct.unpack('<I4', v, j)) end
  end
  return out
end
local function fresh(list)
  if not cutoff or #list == 0 then return list end
  local scores = call('ZMSCORE', p .. ':t', unpack(list))
  local keep = {}
  for j = 1, #list do
    if scores[j] and tonumber(scores[j]) >= cutoff then keep[#keep + 1] = list[j] end
  end
  return keep
end
local out = {}
for i = 5, #ARGV, 2 do
  local key = ARGV[i]
  local exact = members(sub(key, 1, 8))
  table.sort(exact)
  while #exact > maxc do table.remove(exact) end
  exact = fresh(exact)
  local order, hit = {}, false
  if #exact > 0 then
    local recs = call('HMGET', p .. ':rec', unpack(exact))
    for j = 1, #exact do
      if recs[j] and sub(recs[j], 13, 28) == key then
        hit = true
        order = {exact[j]}
        break
      end
    end
  end
  if not hit then
    local hits, blob = {}, ARGV[i + 1]
    for o = 1, B * 8, 8 do
      for _, m in ipairs(members(sub(blob, o, o + 7))) do
        if hits[m] then hits[m] = hits[m] + 1 else hits[m] = 1; order[#order + 1] = m end
      end
    end
    table.sort(order, function(a, b)
      if hits[a] ~= hits[b] then return hits[a] > hits[b] end
      return a < b
    end)
    while #order > maxc do table.remove(order) end
    order = fresh(order)
  end
  local item = {hit and 1 or 0}
  if #order > 0 then
    local recs = call('HMGET', p .. ':rec', unpack(order))
    for j = 1, #order do item[#item + 1] = order[j]; item[#item + 1] = recs[j] or '' end
  end
  out[#out + 1] = item
end
return out
"""
)

# ARGV: prefix, run ("" for none), first entry number, items m, then four strings of m
# parts each (ids, records, `Pieces.pack` or empty, timestamps as text), each followed by
# its parts' byte lengths (4 bytes each); then the band payload (`store.redis_payload` of the
# band and exact keys) and the pieces payload, four strings each, their values the entry
# numbers. Row i becomes entry first + i, unless its id is present (or repeated in the
# batch): then it is skipped with its keys. With a run, each new entry's number is appended
# to P:pend:<run>.
_LUA_INSERT = (
    LUA_BAND_FUNCTIONS
    + """
local call, sub, unpack = redis.call, string.sub, unpack
local p, run, n0, m = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local function parts(blob, lens)
  local out, at = {}, 1
  for i = 1, m do
    local len = struct.unpack('<I4', lens, 4 * i - 3)
    out[i] = sub(blob, at, at + len - 1)
    at = at + len
  end
  return out
end
local function chunks(key, cmd, args)
  for j = 1, #args, 4000 do call(cmd, key, unpack(args, j, math.min(#args, j + 3999))) end
end
local idl, recl, prl = parts(ARGV[5], ARGV[6]), parts(ARGV[7], ARGV[8]), parts(ARGV[9], ARGV[10])
local tsl = parts(ARGV[11], ARGV[12])
local have = {}
for j = 1, m, 4000 do
  local got = call('HMGET', p .. ':id', unpack(idl, j, math.min(m, j + 3999)))
  for k = 1, #got do have[j + k - 1] = got[k] end
end
local skip, seen, nbs = {}, {}, {}
local ids, recs, stamps, prs = {}, {}, {}, {}
for i = 1, m do
  local n = n0 + i - 1
  local nb = struct.pack('<I4', n)
  local id = idl[i]
  if have[i] or seen[id] then
    skip[nb] = true
  else
    seen[id] = true
    nbs[#nbs + 1] = nb
    ids[#ids + 1] = id; ids[#ids + 1] = n
    recs[#recs + 1] = n; recs[#recs + 1] = recl[i]
    stamps[#stamps + 1] = tsl[i]; stamps[#stamps + 1] = n
    if prl[i] ~= '' then prs[#prs + 1] = n; prs[#prs + 1] = prl[i] end
  end
end
if #nbs == 0 then return 0 end
chunks(p .. ':id', 'HSET', ids)
chunks(p .. ':rec', 'HSET', recs)
chunks(p .. ':t', 'ZADD', stamps)
if #prs > 0 then chunks(p .. ':pr', 'HSET', prs) end
bs_add_batch(p .. ':b:', ARGV[13], ARGV[14], ARGV[15], ARGV[16], skip)
bs_add_batch(p .. ':p:', ARGV[17], ARGV[18], ARGV[19], ARGV[20], skip)
if run ~= '' then call('APPEND', p .. ':pend:' .. run, table.concat(nbs)) end
return #nbs
"""
)

# ARGV: prefix, bands, then per item: n, id, exact key, band keys blob, piece hashes blob.
_LUA_DELETE = (
    LUA_BAND_FUNCTIONS
    + """
local call, sub = redis.call, string.sub
local p, B = ARGV[1], tonumber(ARGV[2])
local pb, pp = p .. ':b:', p .. ':p:'
local deleted = 0
for i = 3, #ARGV, 5 do
  local n = ARGV[i]
  local nb = struct.pack('<I4', tonumber(n))
  if call('HDEL', p .. ':rec', n) == 1 then deleted = deleted + 1 end
  if call('HGET', p .. ':id', ARGV[i + 1]) == n then call('HDEL', p .. ':id', ARGV[i + 1]) end
  call('ZREM', p .. ':t', n)
  bs_pull(pb, sub(ARGV[i + 2], 1, 8), nb)
  local blob = ARGV[i + 3]
  for o = 1, B * 8, 8 do bs_pull(pb, sub(blob, o, o + 7), nb) end
  call('HDEL', p .. ':pr', n)
  local pblob = ARGV[i + 4]
  for o = 1, #pblob, 8 do bs_pull(pp, sub(pblob, o, o + 7), nb) end
end
return deleted
"""
)


_LUA_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _redis_keys(bands: np.ndarray, exact: Sequence[bytes]) -> np.ndarray:
    """Band keys with each exact key's first 8 bytes (little-endian) as one more column."""
    first = np.frombuffer(b"".join(bytes(k[:8]).ljust(8, b"\0") for k in exact), dtype="<u8")
    return np.column_stack([np.asarray(bands, dtype=np.uint64), first.astype(np.uint64)])


def _pack_record(id_: str, key: bytes, sig: np.ndarray, size: int, ts: float) -> bytes:
    idb = id_.encode("utf-8")
    return (
        _REC_HEAD.pack(size, ts, key, len(idb))
        + idb
        + np.ascontiguousarray(sig, dtype=_SIG_DTYPE).tobytes()
    )


def _unpack_record(rec: bytes) -> tuple[str, bytes, np.ndarray, int, float]:
    size, ts, key, idlen = _REC_HEAD.unpack_from(rec)
    start = _REC_HEAD.size
    id_ = rec[start : start + idlen].decode("utf-8")
    sig = np.frombuffer(rec, dtype=_SIG_DTYPE, offset=start + idlen)
    return id_, key, sig, size, ts


class _RedisBackend:
    def __init__(self, url: str) -> None:
        from ._extras import require

        require("redis", "redis", "a Redis index (redis://...)")
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        self.prefix = query.pop("prefix", "dedupe_ko")
        if not self.prefix or any(c in self.prefix for c in " :"):
            raise ValueError(
                f"prefix must be a non-empty name without spaces or ':', got {self.prefix!r}"
            )
        query.setdefault("socket_timeout", str(REDIS_TIMEOUT_S))
        query.setdefault("socket_connect_timeout", str(min(REDIS_TIMEOUT_S, 5.0)))
        clean = urlunsplit(parts._replace(query=urlencode(query)))
        shown = urlunsplit(parts._replace(query="", netloc=parts.netloc.rpartition("@")[2]))
        self.where = f"{shown} (prefix {self.prefix!r})"
        self.bands = 0
        self._redis_mod = redis
        # One retry of a dropped connection, none after a timeout: a silent server errors
        # after socket_timeout, not twice that.
        self.client = redis.Redis.from_url(
            clean, retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
        )
        self.meta_key = f"{self.prefix}:meta"
        self.bandstore = RedisBandStore(self.client, self._p("b:"))  # band and exact keys
        self.pieces = RedisBandStore(self.client, self._p("p:"))
        self._sha: dict[str, str] = {}
        self.run: str | None = None
        self._lock_token: bytes | None = None

    # ---- plumbing ------------------------------------------------------------------------
    def _guard(self, fn: Callable[[], _T]) -> _T:
        r = self._redis_mod
        try:
            return fn()
        except r.ResponseError as e:
            if str(e).startswith("OOM"):
                raise IndexFullError(
                    f"index {self.where}: Redis is out of memory ({e}); the "
                    "batch in flight was not stored."
                ) from e
            raise
        except (r.ConnectionError, r.TimeoutError) as e:
            raise IndexUnavailableError(
                f"{self.where}: Redis is not answering ({e}). Is redis-server running and "
                "reachable? Nothing of the batch in flight was stored unless Redis received it "
                "whole."
            ) from e

    def _script(self, client: Any, source: str, args: Sequence[Any]) -> Any:
        sha = self._sha.get(source)
        if sha is None:
            sha = self._sha[source] = self.client.script_load(source)
        try:
            return client.evalsha(sha, 0, *args)
        except self._redis_mod.exceptions.NoScriptError:
            self._sha[source] = self.client.script_load(source)
            return client.evalsha(self._sha[source], 0, *args)

    def _p(self, suffix: str | bytes) -> bytes:
        s = suffix if isinstance(suffix, bytes) else suffix.encode()
        return self.prefix.encode() + b":" + s

    # ---- opening -----------------------------------------------------------------------
    def ensure(self, meta_if_new: dict[str, str] | None) -> dict[str, str]:
        def step() -> dict[str, str]:
            if meta_if_new is None:
                if not self.client.exists(self.meta_key):
                    raise FileNotFoundError(
                        f"no index at {self.where} (open with create=True to create one)"
                    )
                is_hash = self.client.type(self.meta_key) == b"hash"
                raw = self.client.hgetall(self.meta_key) if is_hash else None
            else:
                flat = [x for kv in meta_if_new.items() for x in kv]
                reply = self.client.eval(_LUA_INIT, 1, self.meta_key, *flat)
                raw = dict(zip(reply[::2], reply[1::2], strict=True)) if reply else None
            if not raw:
                kind = self.client.type(self.meta_key).decode()
                raise IndexFormatError(
                    f"{self.where}: the key {self.meta_key!r} holds a {kind}, "
                    "not a dedupe_ko index; it was not modified. Use another "
                    "prefix (?prefix=NAME)."
                )
            meta = {k.decode(): v.decode() for k, v in raw.items()}
            if meta.get("format") != FORMAT:
                raise IndexFormatError(
                    f"{self.where}: {self.meta_key!r} is not a dedupe_ko "
                    "index record; it was not modified. Use another prefix."
                )
            if meta.get("format_version") != str(FORMAT_VERSION):
                raise IndexFormatError(
                    f"{self.where}: index format {meta.get('format_version')}"
                    f", this dedupe_ko reads {FORMAT_VERSION}; it was not modified. Build a "
                    "new index (a new prefix) with this version, or open it with the "
                    "version that built it."
                )
            return meta

        try:
            return self._guard(step)
        except self._redis_mod.ResponseError as e:
            raise IndexFormatError(f"{self.where}: {e}; nothing was modified.") from e

    def close(self) -> None:
        self.client.close()

    # ---- reads and writes ------------------------------------------------------------------
    def _fetch_args(self, keys: list[bytes], bands: np.ndarray, cutoff: float) -> list[Any]:
        args: list[Any] = [
            self.prefix,
            bands.shape[1],
            MAX_CANDIDATES,
            repr(cutoff) if math.isfinite(cutoff) else "",
        ]
        for key, bk in zip(keys, bands, strict=True):
            args += [key, np.ascontiguousarray(bk, dtype="<u8").tobytes()]
        return args

    @staticmethod
    def _parse_fetch(reply: list[Any]) -> list[_Found]:
        out = []
        for item in reply:
            entries = []
            for j in range(1, len(item), 2):
                if item[j + 1]:  # else purged meanwhile
                    id_, _, sig, size, _ = _unpack_record(item[j + 1])
                    entries.append((int(item[j]), id_, size, sig))
            if int(item[0]) and entries:
                out.append(_Found([(entries[0][0], entries[0][1])], []))
            else:
                out.append(_Found([], entries))
        return out

    def _insert_args(self, rows: list[_Row], n0: int) -> list[Any]:
        """_LUA_INSERT's arguments: row i becomes entry ``n0 + i`` (if its id is new)."""
        args: list[Any] = [self.prefix, self.run or "", n0, len(rows)]
        ids = [r[0].encode("utf-8") for r in rows]
        recs = [_pack_record(id_, key, sig, size, ts) for id_, key, sig, size, ts, *_ in rows]
        prs = [b"" if r[6] is None else r[6].pack() for r in rows]
        stamps = [repr(r[4]).encode() for r in rows]
        for part in (ids, recs, prs, stamps):
            args += [b"".join(part), np.array([len(x) for x in part], dtype="<u4").tobytes()]
        ns = np.arange(n0, n0 + len(rows), dtype=np.int64)
        keys = _redis_keys(np.stack([r[5] for r in rows]), [r[1] for r in rows])
        args += redis_payload(keys, np.repeat(ns, keys.shape[1]))
        with_pieces = [(n, r[6]) for n, r in zip(ns.tolist(), rows, strict=True) if r[6]]
        if with_pieces:
            args += redis_payload(
                np.concatenate([pc.hashes for _, pc in with_pieces]),
                np.repeat([n for n, _ in with_pieces], [len(pc.hashes) for _, pc in with_pieces]),
            )
        else:
            args += [b"", b"", b"", b""]
        return args

    def _numbers(self, client: Any, count: int) -> int:
        """Reserve ``count`` entry numbers; returns the first (numbers of ids already present
        go unused: no harm)."""
        return int(client.incrby(self._p("seq"), count)) - count + 1

    def fetch(self, keys: list[bytes], bands: np.ndarray, cutoff: float) -> list[_Found]:
        reply = self._guard(
            lambda: self._script(self.client, _LUA_FETCH, self._fetch_args(keys, bands, cutoff))
        )
        return self._parse_fetch(reply)

    def insert(self, rows: list[_Row]) -> int:
        if not rows:
            return 0

        def step() -> int:
            args = self._insert_args(rows, self._numbers(self.client, len(rows)))
            return int(self._script(self.client, _LUA_INSERT, args))

        return self._guard(step)

    def count(self) -> int:
        return int(self._guard(lambda: self.client.hlen(self._p("id"))))

    # ---- runs: P:runs hash run -> {owner, started, outputs}; P:pend:<run> entry numbers ------
    def begin_run(self, run: str, owner: str) -> None:
        rec = json.dumps({"owner": owner, "started": time.time(), "outputs": None})
        self._guard(lambda: self.client.hset(self._p("runs"), run, rec))
        self.run = run

    def set_outputs(self, run: str, outputs: str) -> None:
        raw = self._guard(lambda: self.client.hget(self._p("runs"), run))
        if raw is None:
            raise RuntimeError(
                f"{self.where}: run {run} is not pending (rolled back by another process?)"
            )
        rec = json.loads(raw)
        rec["outputs"] = outputs
        self._guard(lambda: self.client.hset(self._p("runs"), run, json.dumps(rec)))

    def pending_runs(self) -> list[tuple[str, str, str | None]]:
        raw = self._guard(lambda: self.client.hgetall(self._p("runs")))
        out = []
        for run, rec in raw.items():
            d = json.loads(rec)
            out.append((run.decode(), d["owner"], d.get("outputs")))
        return out

    def end_run(
        self, run: str, commit: bool, band_keys: Callable[[np.ndarray], np.ndarray] | None = None
    ) -> bool:
        pend = self._p("pend:" + run)
        if commit:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hdel(self._p("runs"), run).delete(pend)
                gone, _ = self._guard(pipe.execute)
        else:
            blob = self._guard(lambda: self.client.get(pend)) or b""
            ns = np.frombuffer(blob, dtype="<u4").tolist()
            for i in range(0, len(ns), 1000):
                part = ns[i : i + 1000]
                recs = self._guard(functools.partial(self.client.hmget, self._p("rec"), part))
                live = [(n, _unpack_record(r)) for n, r in zip(part, recs, strict=True) if r]
                if not live:
                    continue
                keys = (band_keys or self._band_keys_unset)(np.stack([r[2] for _, r in live]))
                args = self._delete_args(live, keys)
                self._guard(functools.partial(self._script, self.client, _LUA_DELETE, args))
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hdel(self._p("runs"), run).delete(pend)
                gone, _ = self._guard(pipe.execute)
        if run == self.run:
            self.run = None
        return bool(gone)

    def _delete_args(self, live: list[tuple[Any, tuple]], keys: np.ndarray) -> list[Any]:
        """_LUA_DELETE's arguments for entries (n, record) with their band keys."""
        ns = [n for n, _ in live]
        blobs = self._guard(lambda: self.client.hmget(self._p("pr"), ns))
        args: list[Any] = [self.prefix, self.bands]
        for (n, (id_, key, *_)), bk, pr in zip(live, keys, blobs, strict=True):
            args += [
                n,
                id_,
                key,
                np.ascontiguousarray(bk, dtype="<u8").tobytes(),
                np.ascontiguousarray(Pieces.unpack(pr).hashes, dtype="<u8").tobytes()
                if pr
                else b"",
            ]
        return args

    def query_pieces(self, hashes: np.ndarray, cap: int | None) -> Hits:
        return self._guard(lambda: self.pieces.query(hashes, cap))

    def numbers(self, ids: list[str]) -> dict[str, int]:
        ns = self._guard(lambda: self.client.hmget(self._p("id"), ids))
        return {i: int(n) for i, n in zip(ids, ns, strict=True) if n is not None}

    def lend(self, items: list[tuple[str, Pieces]], check: bool) -> int:
        def step() -> int:
            ids = sorted({i for i, _ in items})
            ns = self.client.hmget(self._p("id"), ids)
            known = [(i, int(n)) for i, n in zip(ids, ns, strict=True) if n is not None]
            if not known:
                return 0
            blobs = self.client.hmget(self._p("pr"), [n for _, n in known])
            have = {i: (n, Pieces.unpack(b)) for (i, n), b in zip(known, blobs, strict=True) if b}
            grew, new = _lend(have, items, check)
            if not grew:
                return 0
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hset(self._p("pr"), mapping={n: pc.pack() for n, pc in grew.items()})
                self.pieces.add(
                    np.concatenate([h for h, _ in new]),
                    np.concatenate([np.full(len(h), n, dtype=np.int64) for h, n in new]),
                    pipe,
                )
                pipe.execute()
            return len(grew)

        return self._guard(step)

    def entries(self, ns: list[int], cutoff: float) -> list[Entry]:
        def step() -> list[Entry]:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hmget(self._p("rec"), ns).hmget(self._p("pr"), ns)
                recs, prs = pipe.execute()
            out = []
            for n, rec, pr in zip(ns, recs, prs, strict=True):
                if rec and pr:
                    id_, _, sig, size, ts = _unpack_record(rec)
                    if ts >= cutoff:
                        out.append(Entry(n, id_, size, sig, Pieces.unpack(pr)))
            return out

        return self._guard(step)

    @staticmethod
    def _band_keys_unset(sigs: np.ndarray) -> np.ndarray:
        raise RuntimeError("rolling back a run needs the index's band keys (bug)")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        if self._lock_token is not None:
            yield
            return
        token = f"{_owner.current()}|{uuid.uuid4().hex}".encode()
        key = self._p("lock")
        t = 0
        while not self._guard(
            lambda: self.client.set(key, token, nx=True, px=int(REDIS_LOCK_S * 1000))
        ):
            t += 1
            if t % 20 == 0:  # a holder killed with -9 leaves its lock: take it back at once
                held = self._guard(lambda: self.client.get(key))
                if held and _owner.is_dead(held.decode(errors="replace").partition("|")[0]):
                    self._guard(functools.partial(self.client.eval, _LUA_UNLOCK, 1, key, held))
            time.sleep(min(0.05, 0.001 * t))
        self._lock_token = token
        try:
            yield
        finally:
            self._lock_token = None
            with contextlib.suppress(Exception):
                self.client.eval(_LUA_UNLOCK, 1, key, token)

    def purge(self, cutoff: float, band_keys: Callable[[np.ndarray], np.ndarray]) -> int:
        deleted = 0
        while True:
            ns = self._guard(
                lambda: self.client.zrangebyscore(
                    self._p("t"), "-inf", f"({cutoff!r}", start=0, num=1000
                )
            )
            if not ns:
                return deleted
            recs = self._guard(functools.partial(self.client.hmget, self._p("rec"), ns))
            live = [(n, _unpack_record(rec)) for n, rec in zip(ns, recs, strict=True) if rec]
            args: list[Any] = []
            if live:
                args = self._delete_args(live, band_keys(np.stack([r[2] for _, r in live])))
            gone = [n for n, rec in zip(ns, recs, strict=True) if not rec]
            if gone:  # a timestamp without a record: drop the timestamp alone
                self._guard(functools.partial(self.client.zrem, self._p("t"), *gone))
            if live:
                deleted += int(
                    self._guard(functools.partial(self._script, self.client, _LUA_DELETE, args))
                )

    def verify(self, band_keys: Callable[[np.ndarray], np.ndarray]) -> list[str]:
        def step() -> list[str]:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hlen(self._p("id")).hlen(self._p("rec")).zcard(self._p("t"))
                ids, recs, stamps = pipe.execute()
            if ids == recs == stamps:
                return []
            return [f"{ids} ids, {recs} records, {stamps} timestamps (should be equal)"]

        return self._guard(step)
