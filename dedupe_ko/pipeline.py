"""A run as stages with plain data between them, and the counts that account for every record.

    read (`dedupe_ko.io.read`)  ->  `clean_stage`  ->  `dedup_stage`  ->  `run` routes each item

Every input item ends up in exactly one place: written (OUT), a duplicate (REJECTED, with
``duplicate_of``) or quarantined (the quarantine file, with its reason). `Summary` counts them
and `Summary.check` verifies ``records_in == written + duplicates + quarantined`` at the end
of every run.

Quarantine reasons added here (on top of those of `dedupe_ko.io`): ``clean_error`` (cleaning
raised; the message is kept), ``unencodable`` (the output encoder refused the record) and,
when deduplicating, ``empty_after_clean`` (nothing but page furniture: an empty body is never
compared with other articles).

With a persistent index as the deduplicator's store, each batch runs under `Index.batch`
(the index's write lock), so concurrent runs keep what sequential runs keep; and a record
the index holds under its own id is written, not reported as a duplicate of itself.

`clean_stage` cleans in a process pool when ``jobs > 1``: records go out in chunks, at most a
few chunks per worker in flight, and come back in input order, so the output is identical to
``jobs=1`` and memory stays flat however long the input. Workers start from a forkserver that
has the cleaner imported and the catalogue compiled (never a ``fork`` of the caller, which may
have threads), get the config once in their initializer, and the caller cleans the first
chunks itself while they start.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from . import _owner
from .clean import CleanConfig, clean_and_explain
from .io import Item, Quarantined, Record

__all__ = [
    "CleanedRecord",
    "Sinks",
    "Summary",
    "clean_stage",
    "dedup_stage",
    "default_jobs",
    "run",
]

INVARIANT = "records_in = written + duplicates + quarantined"


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# Clean stage


@dataclass(frozen=True)
class CleanedRecord:
    """A `Record` after cleaning: its body, title, warnings and (with explain) removals."""

    record: Record
    text: str
    title: str | None
    warnings: tuple[str, ...]
    removals: tuple[dict[str, Any], ...] | None
    removed_bytes: dict[str, int]
    changed: bool

    def output(self, text_field: str = "text") -> dict[str, Any]:
        """The record as `clean` writes it: every input field kept, the text field replaced by
        the body, ``title`` when found, ``removals`` with explain, ``warnings`` when any."""
        out = dict(self.record.fields)
        out[text_field] = self.text
        if self.title is not None:
            out["title"] = self.title
        if self.removals is not None:
            out["removals"] = list(self.removals)
        warnings = [*(f"input: {n}" for n in self.record.notes), *self.warnings]
        if warnings:
            out["warnings"] = warnings
        return out


# What a worker sends back for one text: (body or None when unchanged, title, warnings,
# removals or None, removed bytes by category), or an error message.
_Outcome = (
    tuple[
        str | None, str | None, tuple[str, ...], tuple[dict[str, Any], ...] | None, dict[str, int]
    ]
    | str
)


def _clean_one(text: str, config: CleanConfig, explain: bool, html: bool = False) -> _Outcome:
    try:
        c = _clean_html(text, config) if html else clean_and_explain(text, config)
    except Exception as e:  # noqa: BLE001 - a record that breaks the cleaner is quarantined
        return f"{type(e).__name__}: {e}"
    removed: dict[str, int] = {}
    for r in c.removals:
        if r.category != "title":
            removed[r.category] = removed.get(r.category, 0) + len(
                r.text.encode("utf-8", "surrogatepass")
            )
    removals = tuple(r.as_dict() for r in c.removals) if explain else None
    return (None if c.text == text else c.text, c.title, tuple(c.warnings), removals, removed)


def _clean_many(
    texts: list[str | None], config: CleanConfig, explain: bool, html: bool = False
) -> list[_Outcome]:
    return [_clean_one(t, config, explain, html) if t is not None else "" for t in texts]


# --- body block (issue 13): HTML records, and pages with no article body.
NO_ARTICLE = "no article body"


def _clean_html(text: str, config: CleanConfig) -> Any:
    from .html import clean_html  # selectolax is needed only for HTML input

    return clean_html(text, config)


def _no_article(item: Record) -> Quarantined:
    return Quarantined(
        item.id,
        "no_article_body",
        "a page with no article body (menus, headline lists, notices only)",
        item.where,
        record=item.fields,
    )


# --- end body block


def _finish(item: Item, outcome: _Outcome) -> CleanedRecord | Quarantined:
    if isinstance(item, Quarantined):
        return item
    if isinstance(outcome, str):
        return Quarantined(
            item.id, "clean_error", f"cleaning failed: {outcome}", item.where, record=item.fields
        )
    text, title, warnings, removals, removed = outcome
    if NO_ARTICLE in warnings:
        return _no_article(item)
    return CleanedRecord(
        item,
        item.text if text is None else text,
        title,
        warnings,
        removals,
        removed,
        text is not None,
    )


def _chunks(items: Iterable[Item], size: int, max_chars: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    chars = 0
    for it in items:
        chunk.append(it)
        if isinstance(it, Record):
            chars += len(it.text)
        if len(chunk) >= size or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def clean_stage(
    items: Iterable[Item],
    config: CleanConfig | None = None,
    *,
    explain: bool = False,
    jobs: int = 1,
    chunk_size: int = 64,
    html: bool = False,
    start_method: str | None = None,
) -> Iterator[CleanedRecord | Quarantined]:
    """Clean every `Record` (quarantined items pass through), in input order.

    ``jobs > 1`` cleans in that many worker processes; the output is the same as with 1.
    ``html``: the records' text is an HTML page (`dedupe_ko.clean_html`). A page with no
    article body is quarantined as ``no_article_body``. ``start_method``: how workers start
    (`multiprocessing`); default ``forkserver``, or ``spawn`` where there is none.
    """
    cfg = config or CleanConfig()
    if jobs <= 1:
        for it in items:
            yield (
                it
                if isinstance(it, Quarantined)
                else _finish(it, _clean_one(it.text, cfg, explain, html))
            )
        return
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(start_method),
        initializer=_worker_init,
        initargs=(cfg, explain, html, _owner.current()),
    )
    pending: deque[tuple[list[Item], Future[list[_Outcome]]]] = deque()
    starting = True
    try:
        for chunk in _chunks(items, chunk_size, 1 << 20):
            texts = [it.text if isinstance(it, Record) else None for it in chunk]
            if starting and len(pending) >= jobs:
                if not pending[0][1].done() and len(pending) < _WARMUP_CHUNKS:
                    # The workers are still starting (a fresh server imports the cleaner):
                    # clean this chunk here meanwhile (at most `_WARMUP_CHUNKS` in flight).
                    fut: Future[list[_Outcome]] = Future()
                    fut.set_result(_clean_many(texts, cfg, explain, html))
                    pending.append((chunk, fut))
                    continue
                starting = False
            pending.append((chunk, pool.submit(_clean_in_worker, texts)))
            while len(pending) >= jobs * 3:
                yield from _collect(*pending.popleft())
        while pending:
            yield from _collect(*pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WARMUP_CHUNKS = 32


def _context(start_method: str | None) -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one (Linux, macOS), else ``spawn``; never a plain ``fork``
    of this possibly multi-threaded process (deprecated since Python 3.12: it may deadlock).
    The server imports the cleaner and compiles the built-in catalogue once (`dedupe_ko._warm`);
    each worker is forked from it, single-threaded, with both ready."""
    if start_method is None:
        methods = multiprocessing.get_all_start_methods()
        start_method = "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        ctx.set_forkserver_preload(["dedupe_ko._warm"])
    return ctx


# The cleaning settings of this worker process, set once by `_worker_init` (the pool's
# initializer): chunks then carry only their texts, not the config.
_WORKER: tuple[CleanConfig, bool, bool] | None = None


def _worker_init(config: CleanConfig, explain: bool, html: bool, run_owner: str) -> None:
    """A cleaning worker ends with the process that runs the pool (``run_owner``, even one
    killed with -9), leaves SIGTERM and SIGINT to it, and compiles its rule set (built-in plus
    user files) once.

    A forkserver worker's parent is the server, and the server outlives the run while any
    worker holds its liveness pipe: so besides ``PR_SET_PDEATHSIG`` on the parent, a thread
    checks the run's process itself twice a second."""
    import signal
    import threading

    global _WORKER
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _owner.die_with_parent()

    def watch() -> None:
        while not _owner.is_dead(run_owner):
            time.sleep(0.5)
        os._exit(1)

    if _owner.is_dead(run_owner):
        os._exit(1)
    threading.Thread(target=watch, name="dedupe-ko-run-watch", daemon=True).start()
    config.rules  # noqa: B018 - compile now, once per worker, not inside the first chunk
    _WORKER = (config, explain, html)


def _clean_in_worker(texts: list[str | None]) -> list[_Outcome]:
    assert _WORKER is not None, "called outside a cleaning worker"
    return _clean_many(texts, *_WORKER)


def _collect(
    chunk: list[Item], fut: Future[list[_Outcome]]
) -> Iterator[CleanedRecord | Quarantined]:
    try:
        outcomes = fut.result()
    except Exception as e:
        raise RuntimeError(
            f"a cleaning worker process failed ({type(e).__name__}: {e}); "
            "rerun with --jobs 1 to clean in one process"
        ) from e
    for it, oc in zip(chunk, outcomes, strict=True):
        yield _finish(it, oc)


# ---------------------------------------------------------------------------------------------
# Dedup stage


class DeduplicatorLike(Protocol):
    """What `dedup_stage` needs of `dedupe_ko.dedup.Deduplicator`."""

    def add_batch(self, records: list[tuple[str, str]]) -> list[Any]: ...


def dedup_stage(
    items: Iterable[CleanedRecord | Quarantined],
    deduplicator: DeduplicatorLike,
    *,
    batch_size: int = 256,
) -> Iterator[tuple[CleanedRecord, Any] | Quarantined]:
    """Pair each cleaned record with its `dedupe_ko.dedup.Decision`, in input order, a batch
    at a time. Records whose body cleaned away to nothing are quarantined
    (``empty_after_clean``) rather than compared.

    With ``keep="longest"`` a decision is final only once the whole input has been seen: the
    items are spooled to a temporary file (not held in memory) and come out, in input order,
    with the final decisions of ``deduplicator.finish()``.
    """
    longest = getattr(getattr(deduplicator, "config", None), "keep", "first") == "longest"
    spooling = (
        tempfile.TemporaryFile(prefix="dedupe-ko-spool-")  # noqa: SIM115 - with below
        if longest
        else nullcontext()
    )
    with spooling as spool:
        buf: list[CleanedRecord | Quarantined] = []
        batch: list[tuple[str, str]] = []
        for it in items:
            if isinstance(it, CleanedRecord):
                if not it.text.strip():
                    r = it.record
                    it = Quarantined(
                        r.id,
                        "empty_after_clean",
                        "nothing but page furniture: the cleaned body is empty",
                        r.where,
                        record=r.fields,
                    )
                else:
                    batch.append((it.record.id, it.text))
            if spool is not None:
                pickle.dump(it, spool, protocol=pickle.HIGHEST_PROTOCOL)
            else:
                buf.append(it)
            if len(batch) >= batch_size:
                yield from _decide(buf, batch, deduplicator)
                buf, batch = [], []
        if buf or batch:
            yield from _decide(buf, batch, deduplicator)
        finish = getattr(deduplicator, "finish", None)
        finals = iter(finish()) if finish is not None else iter(())
        if spool is not None:
            spool.seek(0)
            yield from _pair(_unspool(spool), finals)


def _unspool(spool: Any) -> Iterator[CleanedRecord | Quarantined]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _pair(
    items: Iterable[CleanedRecord | Quarantined], decisions: Iterator[Any]
) -> Iterator[tuple[CleanedRecord, Any] | Quarantined]:
    for it in items:
        if isinstance(it, Quarantined):
            yield it
            continue
        d = next(decisions, None)
        if d is None or d.id != it.record.id:
            raise RuntimeError(f"deduplicator returned no decision for {it.record.id!r} (bug)")
        if not d.kept and d.cluster == d.id:
            # The index already holds this record under its own id (a rerun of a committed
            # run): it is written again, not a duplicate of itself; the index is unchanged.
            d = replace(d, kept=True, match="none", similarity=1.0)
        yield it, d


def _decide(
    buf: list[CleanedRecord | Quarantined],
    batch: list[tuple[str, str]],
    deduplicator: DeduplicatorLike,
) -> Iterator[tuple[CleanedRecord, Any] | Quarantined]:
    if not batch:
        return _pair(buf, iter(()))
    # With a persistent index, its lock is held from the batch's lookups to its inserts, so
    # concurrent runs on one index keep what they would keep one after the other.
    locked = getattr(getattr(deduplicator, "store", None), "batch", None)
    with locked() if locked is not None else nullcontext():
        decisions = deduplicator.add_batch(batch)
    return _pair(buf, iter(decisions))


# ---------------------------------------------------------------------------------------------
# Counting and routing


@dataclass
class Summary:
    """Counts for one run; every input item is counted once as written, duplicate or
    quarantined. ``cleaned_only`` = written records that no other record of this run
    duplicates (all written records for `clean`). Deduplicating keeps the ids written (one
    string each) to tell that apart from a match in a persistent index."""

    command: str
    records_in: int = 0
    written: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    quarantined_by_reason: Counter[str] = field(default_factory=Counter)
    changed_by_clean: int = 0
    with_warnings: int = 0
    repaired_on_read: int = 0
    removed_bytes_by_category: Counter[str] = field(default_factory=Counter)
    mostly_removed: int = 0  # records that lost more than half of their text to cleaning
    # cluster -> its duplicates in this run; ids kept in this run (only when deduplicating)
    duplicates_by_cluster: dict[str, int] = field(default_factory=dict)
    kept_ids: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def duplicates(self) -> int:
        return self.exact_duplicates + self.near_duplicates

    @property
    def quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())

    @property
    def cleaned_only(self) -> int:
        return self.written - sum(1 for c in self.duplicates_by_cluster if c in self.kept_ids)

    def holds(self) -> bool:
        """The invariant: records_in = written + duplicates + quarantined."""
        return self.records_in == self.written + self.duplicates + self.quarantined

    def check(self) -> None:
        """Raise RuntimeError if a record went unaccounted for (a bug, never bad input)."""
        if not self.holds():
            raise RuntimeError(
                f"{INVARIANT} does not hold: {self.records_in} != {self.written} + "
                f"{self.duplicates} + {self.quarantined} (bug: please report it)"
            )

    def largest_cluster(self) -> tuple[str | None, int]:
        """The cluster with the most records of this run (its representative may be an
        archived article of the index) and that count."""
        if not self.duplicates_by_cluster:
            return None, 1 if self.written else 0
        sizes = {c: n + (c in self.kept_ids) for c, n in self.duplicates_by_cluster.items()}
        rep = max(sizes, key=lambda k: sizes[k])
        return rep, sizes[rep]

    def as_dict(self, top: int = 10) -> dict[str, Any]:
        rep, size = self.largest_cluster()
        return {
            "command": self.command,
            "records_in": self.records_in,
            "written": self.written,
            "cleaned_only": self.cleaned_only,
            "duplicates": self.duplicates,
            "exact_duplicates": self.exact_duplicates,
            "near_duplicates": self.near_duplicates,
            "quarantined": self.quarantined,
            "quarantined_by_reason": dict(self.quarantined_by_reason.most_common()),
            "clusters_with_duplicates": len(self.duplicates_by_cluster),
            "largest_cluster": {"id": rep, "size": size},
            "changed_by_clean": self.changed_by_clean,
            "with_warnings": self.with_warnings,
            "repaired_on_read": self.repaired_on_read,
            "removed_bytes_by_category": dict(self.removed_bytes_by_category.most_common(top)),
            "removed_bytes_total": sum(self.removed_bytes_by_category.values()),
            "invariant": INVARIANT,
            "invariant_holds": self.holds(),
            "seconds": round(self.seconds, 3),
            "records_per_second": (
                round(self.records_in / self.seconds, 1) if self.seconds else None
            ),
        }

    def format(self, top: int = 5) -> str:
        """The summary as a few lines of text (for stderr)."""
        dups = (
            ""
            if self.command == "clean"
            else f"{self.duplicates:,} duplicates (exact "
            f"{self.exact_duplicates:,}, near {self.near_duplicates:,}), "
        )
        lines = [
            f"dedupe-ko {self.command}: {self.records_in:,} records in, {self.written:,} written, "
            f"{dups}{self.quarantined:,} quarantined"
        ]
        if self.quarantined:
            lines.append(
                "  quarantined: "
                + ", ".join(f"{k} {v:,}" for k, v in self.quarantined_by_reason.most_common())
            )
        if self.command != "clean":
            rep, size = self.largest_cluster()
            lines.append(
                f"  {len(self.duplicates_by_cluster):,} clusters with duplicates; "
                f"{self.cleaned_only:,} written had no duplicate; largest cluster: "
                + (f"{rep} ({size} records)" if rep else "none")
            )
        if self.removed_bytes_by_category:
            lines.append(
                "  removed by category: "
                + ", ".join(
                    f"{k} {_size(v)}" for k, v in self.removed_bytes_by_category.most_common(top)
                )
            )
        lines.append(
            f"  changed by cleaning {self.changed_by_clean:,}, with warnings "
            f"{self.with_warnings:,}, repaired on read {self.repaired_on_read:,}"
        )
        ok = "holds" if self.holds() else "DOES NOT HOLD"
        lines.append(
            f"  {INVARIANT}: {self.records_in:,} = {self.written:,} + "
            f"{self.duplicates:,} + {self.quarantined:,} ({ok})"
        )
        rate = f", {self.records_in / self.seconds:,.0f} records/s" if self.seconds else ""
        lines.append(f"  {self.seconds:.1f} s{rate}")
        return "\n".join(lines)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


class _Sink(Protocol):
    def write(self, record: dict[str, Any]) -> None: ...


@dataclass
class Sinks:
    """Where each kind of item goes; any may be None (not written).

    ``out``: written records. ``clusters``: one line per input item (when deduplicating).
    ``rejected``: duplicates, whole, with ``duplicate_of``, ``reason`` and ``similarity``.
    ``quarantine``: quarantined items (`dedupe_ko.io.Quarantined.as_dict`).
    """

    out: _Sink | None = None
    clusters: _Sink | None = None
    rejected: _Sink | None = None
    quarantine: _Sink | None = None


def run(
    items: Iterable[Item],
    sinks: Sinks,
    *,
    command: str = "run",
    clean_config: CleanConfig | None = None,
    deduplicator: DeduplicatorLike | None = None,
    explain: bool = False,
    write_cleaned: bool = True,
    text_field: str = "text",
    jobs: int = 1,
    batch_size: int = 256,
    on_item: Callable[[], None] | None = None,
    html: bool = False,
) -> Summary:
    """Read, clean, (deduplicate,) and route every item to its sink; return the checked counts.

    Without a ``deduplicator`` this is `clean`: every good record is written. With one, kept
    records are written (cleaned when ``write_cleaned``, else as they came in) and duplicates
    go to ``sinks.rejected``. ``html``: the records hold HTML pages.
    """
    summary = Summary(command)
    t0 = time.perf_counter()

    def counted(src: Iterable[Item]) -> Iterator[Item]:
        for it in src:
            summary.records_in += 1
            if on_item is not None:
                on_item()
            yield it

    stream: Iterable[Any] = clean_stage(
        counted(items), clean_config, explain=explain, jobs=jobs, html=html
    )
    if deduplicator is not None:
        stream = dedup_stage(stream, deduplicator, batch_size=batch_size)
    clusters = sinks.clusters if deduplicator is not None else None
    for it in stream:
        if isinstance(it, Quarantined):
            _quarantine(it, sinks.quarantine, clusters, summary)
        elif isinstance(it, CleanedRecord):
            if _unwritable(sinks.out, it.output(text_field), it.record, sinks, summary):
                continue
            _count_clean(it, summary)
            summary.written += 1
        else:
            cr, d = it
            if d.kept:
                if _unwritable(
                    sinks.out,
                    cr.output(text_field) if write_cleaned else cr.record.fields,
                    cr.record,
                    sinks,
                    summary,
                    clusters,
                ):
                    continue
                _count_clean(cr, summary)
                summary.written += 1
                summary.kept_ids.add(d.id)
            else:
                if _unwritable(
                    sinks.rejected,
                    {
                        **cr.record.fields,
                        "duplicate_of": d.cluster,
                        "reason": f"{d.match}_duplicate",
                        "similarity": d.similarity,
                    },
                    cr.record,
                    sinks,
                    summary,
                    clusters,
                ):
                    continue
                _count_clean(cr, summary)
                if d.match == "exact":
                    summary.exact_duplicates += 1
                else:
                    summary.near_duplicates += 1
                dbc = summary.duplicates_by_cluster
                dbc[d.cluster] = dbc.get(d.cluster, 0) + 1
            _write(clusters, d.as_dict())
    summary.seconds = time.perf_counter() - t0
    summary.check()
    return summary


def _write(sink: _Sink | None, record: dict[str, Any]) -> None:
    if sink is not None:
        sink.write(record)


def _unwritable(
    sink: _Sink | None,
    out: dict[str, Any],
    record: Record,
    sinks: Sinks,
    summary: Summary,
    clusters: _Sink | None = None,
) -> bool:
    """Write ``out``; when the encoder refuses it, quarantine the record (``unencodable``)
    instead and return True. (A full disk is not the record's fault: that still raises.)"""
    try:
        _write(sink, out)
        return False
    except (TypeError, RecursionError, OverflowError, UnicodeError) as e:
        why = f"{type(e).__name__}: {e}"
    except ValueError as e:
        if type(e).__name__ == "FormatError":
            raise
        why = f"{type(e).__name__}: {e}"
    line = record.where.get("line") or record.where.get("row")
    q = Quarantined(
        record.id,
        "unencodable",
        f"{'line ' + str(line) + ': ' if line else ''}the output encoder refused "
        f"the record ({why})"[:2000],
        record.where,
    )
    _quarantine(q, sinks.quarantine, clusters, summary)
    return True


def _count_clean(cr: CleanedRecord, summary: Summary) -> None:
    summary.changed_by_clean += cr.changed
    summary.with_warnings += bool(cr.warnings)
    summary.repaired_on_read += bool(cr.record.notes)
    summary.removed_bytes_by_category.update(cr.removed_bytes)
    summary.mostly_removed += len(cr.text) * 2 < len(cr.record.text)


def _quarantine(
    q: Quarantined, quarantine: _Sink | None, clusters: _Sink | None, summary: Summary
) -> None:
    summary.quarantined_by_reason[q.reason] += 1
    _write(quarantine, q.as_dict())
    _write(
        clusters,
        {"id": q.id, "cluster": q.id, "similarity": 0.0, "match": "none", "quarantined": q.reason},
    )
