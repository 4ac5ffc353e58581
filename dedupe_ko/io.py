"""Reading and writing article dumps: JSONL (plain, gzip, zstd), CSV, Parquet and plain text.

`read(path)` streams a dump and yields, in input order, a `Record` for every good input record
and a `Quarantined` for every bad one; it never raises on bad data, only on a path or format it
cannot open at all (`FormatError`, `OSError`). `open_writer(path)` returns a `Writer` that
writes to a temporary file next to ``path`` (``.NAME.dkotmp-<owner>.<random>.tmp``: the next
run writing NAME removes those of dead processes) and renames it into place on
`Writer.commit`; `commit_all` puts several outputs in place all or none. An interrupted run
never leaves a half-written output; write errors raise `OutputError` naming the output.

Formats, chosen from the file name (``format=`` overrides):

- ``jsonl``: ``.jsonl``, ``.json``, ``.ndjson``; one JSON object a line, parsed with orjson.
  ``-`` is stdin / stdout.
- ``jsonl.gz`` (``.jsonl.gz``, ``.json.gz``) and ``jsonl.zst`` (``.jsonl.zst``, ``.json.zst``).
- ``csv``: a header row, then one record a row (the csv module, UTF-8, BOM allowed).
- ``parquet``: streamed a batch at a time; every column is kept on output.
- ``txt``: a folder of ``.txt`` files, one article each (id = path relative to the folder,
  read in sorted order), or one ``.txt`` file holding one article (id = its file name). As an
  output, a folder with one ``.txt`` file per record: the title line (when there is one), then
  the body.

Ids. The id field (``id``, or ``id_field``) may hold a string or an integer; integers stay
integers in the output records and become their decimal string wherever an id is compared or
reported (`Record.id`, clusters, duplicates). A record with no id (absent, null or blank) gets
one from its place in the input: ``line:<n>`` (JSONL: 1-based physical line number),
``row:<n>`` (CSV and Parquet: 1-based data row, header not counted) or the relative path
(text). The same input always gets the same ids.

Bytes that are not UTF-8. A JSONL line, CSV row or text file that is not valid UTF-8 is
decoded as CP949 (the Korean Windows code page, a superset of EUC-KR) when the raw bytes are
valid CP949 and hold no valid UTF-8 Hangul; the record then carries the note ``decoded as
CP949``. Anything else (e.g. UTF-8 with a truncated character) is never guessed at or
replaced with U+FFFD: it is quarantined as ``invalid_utf8`` with the byte offset of the
first bad byte (in the decompressed stream for .gz/.zst) and its raw text with the bad
bytes shown as ``\\xNN``. A UTF-8 BOM at the start of a file, or of any JSONL line (files
concatenated), is dropped. Blank lines in JSONL
are not records and are skipped.

Quarantine reasons (`Quarantined.reason`): ``malformed_json``, ``not_an_object``,
``invalid_utf8``, ``invalid_unicode`` (a lone surrogate escape such as ``"\\ud800"``),
``malformed_csv`` (a row with the wrong number of fields), ``bad_id`` (an id that is not a
string or an integer), ``duplicate_id`` (an id seen earlier in the same input; the first one
wins), ``missing_text``, ``text_not_string``, ``empty_text`` (empty or whitespace only),
``too_long`` (over ``max_chars`` characters, default 1,000,000), ``too_deep`` (lists/objects
nested more than 128 deep), ``unreadable`` (a text file that cannot be read,
or a compressed stream that is corrupt: reading stops there, the run goes on).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, BinaryIO, TypedDict

import orjson
import regex
import xxhash

from . import _owner
from ._extras import require

try:
    import zstandard
except ImportError:  # the [zstd] extra; .jsonl.zst then says how to install it
    zstandard = None  # type: ignore[assignment]
_STREAM_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError) + (
    (zstandard.ZstdError,) if zstandard is not None else ()
)

__all__ = [
    "FORMATS",
    "FormatError",
    "INPUT_FORMATS",
    "MAX_CHARS",
    "MAX_DEPTH",
    "OutputError",
    "Quarantined",
    "ReadOptions",
    "Record",
    "Writer",
    "detect_format",
    "input_schema",
    "open_writer",
    "read",
    "commit_all",
    "remove_dead_temps",
    "write_json",
]

FORMATS = ("jsonl", "jsonl.gz", "jsonl.zst", "csv", "parquet", "txt")
JSONL_FORMATS = ("jsonl", "jsonl.gz", "jsonl.zst")
# --- body block (issue 13): HTML pages are an input format only.
INPUT_FORMATS = (*FORMATS, "html")
HTML_SUFFIXES = (".html", ".htm")
_BOM = b"\xef\xbb\xbf"
MAX_CHARS = 1_000_000  # default longest article read (longer: ``too_long``)
MAX_DEPTH = 128  # deepest JSON nesting read (deeper: ``too_deep``)
_HANGUL = regex.compile(r"[\uac00-\ud7a3]")
_SURROGATE = regex.compile(r"[\ud800-\udfff]")


class FormatError(ValueError):
    """A path or format that cannot be read or written at all (a usage error)."""


class OutputError(OSError):
    """An output could not be written or put in place; the message names the output asked
    for (never the temporary file), and no output of the run was committed."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read a dump.

    - ``format``: one of `FORMATS`, or None to choose from the file name. Default None.
    - ``text_field`` / ``id_field``: the fields holding the article and its id.
      Defaults "text" and "id".
    - ``max_chars``: longer articles are quarantined as ``too_long``. Default `MAX_CHARS`
      (1,000,000: cleaning one takes 1-5 s; benchmarks/results/memory.md).
    - ``batch_size``: Parquet rows per batch. Default 2048.
    """

    format: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    max_chars: int = MAX_CHARS
    batch_size: int = 2048

    def __post_init__(self) -> None:
        if self.format is not None and self.format not in INPUT_FORMATS:
            raise FormatError(
                f"unknown format {self.format!r}; choose one of {', '.join(INPUT_FORMATS)}"
            )
        if self.max_chars <= 0:
            raise FormatError(f"max_chars must be positive, got {self.max_chars}")
        if not self.text_field or not self.id_field:
            raise FormatError("text_field and id_field must be non-empty")


@dataclass(frozen=True)
class Record:
    """One good input record.

    ``fields`` is the record as read, every field kept (the id filled in when it was
    missing); ``text`` is its text field and ``id`` its id as a string. ``where`` says where
    it came from (source and line, row, byte offset or path); ``notes`` lists repairs made
    while reading.
    """

    id: str
    text: str
    fields: dict[str, Any]
    where: dict[str, Any]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quarantined:
    """One input record that cannot be processed, why, and where to find it.

    ``record`` is the parsed record when there is one; ``raw`` the raw text when it could not
    be parsed.
    """

    id: str
    reason: str
    detail: str
    where: dict[str, Any]
    record: dict[str, Any] | None = None
    raw: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "reason": self.reason,
            "detail": self.detail,
            "where": self.where,
        }
        if self.record is not None:
            d["record"] = self.record
        if self.raw is not None:
            d["raw"] = self.raw
        return d


Item = Record | Quarantined


# ---------------------------------------------------------------------------------------------
# Format detection


def detect_format(path: str | os.PathLike[str], override: str | None = None) -> str:
    """The format of ``path``: ``override`` when given, else from the extension
    (``-`` is JSONL; a folder is ``txt``)."""
    if override is not None:
        if override not in INPUT_FORMATS:
            raise FormatError(
                f"unknown format {override!r}; choose one of {', '.join(INPUT_FORMATS)}"
            )
        return override
    p = str(path)
    if p == "-":
        return "jsonl"
    name = Path(p).name.lower()
    for ext, fmt in (
        (".jsonl.gz", "jsonl.gz"),
        (".json.gz", "jsonl.gz"),
        (".ndjson.gz", "jsonl.gz"),
        (".jsonl.zst", "jsonl.zst"),
        (".json.zst", "jsonl.zst"),
        (".ndjson.zst", "jsonl.zst"),
        (".jsonl", "jsonl"),
        (".json", "jsonl"),
        (".ndjson", "jsonl"),
        (".csv", "csv"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".txt", "txt"),
        (".html", "html"),
        (".htm", "html"),
    ):
        if name.endswith(ext):
            return fmt
    if os.path.isdir(p):
        return "html" if _html_folder(p) else "txt"
    raise FormatError(
        f"cannot tell the format of {p!r} from its name; name it .jsonl, .jsonl.gz, .jsonl.zst, "
        ".csv, .parquet or .txt, or pass --format"
    )


# ---------------------------------------------------------------------------------------------
# Checking records (shared by every reader)


@dataclass
class _Checker:
    """Turns parsed objects into Records or Quarantined; owns the duplicate-id set of one
    read (128-bit hashes of the ids: ~50 bytes an id)."""

    opts: ReadOptions
    source: str
    seen: set[int] = field(default_factory=set)

    def check(
        self,
        obj: Any,
        where: dict[str, Any],
        default_id: str,
        notes: tuple[str, ...] = (),
        raw: str | None = None,
    ) -> Item:
        o = self.opts
        if not isinstance(obj, dict):
            kind = type(obj).__name__ if obj is not None else "null"
            return Quarantined(
                default_id,
                "not_an_object",
                f"a JSON {kind} is not a record (want an object)",
                where,
                raw=raw if raw is not None else _show(obj),
            )
        idv = obj.get(o.id_field)
        if idv is None or (isinstance(idv, str) and not idv.strip()):
            rid = default_id
            obj = dict(obj)
            obj[o.id_field] = rid
        elif isinstance(idv, str):
            rid = idv
        elif isinstance(idv, int) and not isinstance(idv, bool):
            rid = str(idv)
        else:
            return Quarantined(
                default_id,
                "bad_id",
                f"field {o.id_field!r} holds {_show(idv, 80)}, not a string or an integer",
                where,
                record=obj,
            )
        key = xxhash.xxh3_128_intdigest(rid.encode("utf-8", "surrogatepass"))
        if key in self.seen:
            return Quarantined(
                rid,
                "duplicate_id",
                f"id {rid!r} was seen earlier in this input; the first one is kept",
                where,
                record=obj,
            )
        self.seen.add(key)
        text = obj.get(o.text_field)
        if isinstance(text, bytes | bytearray):
            decoded = _decode(bytes(text))
            if isinstance(decoded, int):
                return Quarantined(
                    rid,
                    "invalid_utf8",
                    f"field {o.text_field!r} holds bytes that are neither UTF-8 "
                    f"nor CP949 (first bad byte at offset {decoded} of the field)",
                    where,
                    record=_printable(obj),
                )
            text, how = decoded
            obj = dict(obj)
            obj[o.text_field] = text
            if how:
                notes = (*notes, how)
        if text is None:
            return Quarantined(
                rid,
                "missing_text",
                f"no {o.text_field!r} field (pass --text-field to name the field "
                "holding the article)",
                where,
                record=obj,
            )
        if not isinstance(text, str):
            return Quarantined(
                rid,
                "text_not_string",
                f"field {o.text_field!r} holds a {type(text).__name__}, not a string",
                where,
                record=obj,
            )
        if len(text) > o.max_chars:
            return Quarantined(
                rid,
                "too_long",
                f"text has {len(text):,} characters, over the limit of "
                f"{o.max_chars:,} (raise it with --max-chars)",
                where,
                record=obj,
            )
        if not text.strip():
            return Quarantined(
                rid, "empty_text", "text is empty or whitespace only", where, record=obj
            )
        return Record(rid, text, obj, where, notes)


def _show(v: Any, limit: int = 2000) -> str:
    s = repr(v)
    return s if len(s) <= limit else s[:limit] + "..."


def _printable(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (bytes(v).decode("utf-8", "backslashreplace") if isinstance(v, bytes | bytearray) else v)
        for k, v in obj.items()
    }


def _decode(data: bytes) -> tuple[str, str | None] | int:
    """UTF-8; else CP949 when the bytes are valid CP949 holding Hangul and are not mostly
    valid UTF-8 (UTF-8 with a few damaged bytes is never re-read as CP949). Returns (text,
    note) or the offset of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        bad = e.start
    as_utf8 = data.decode("utf-8", "replace")
    damaged = as_utf8.count("\ufffd")
    valid = len(as_utf8) - len(as_utf8.encode("ascii", "ignore")) - damaged
    if valid < damaged:
        try:
            text = data.decode("cp949")
        except UnicodeDecodeError:
            return bad
        if _HANGUL.search(text):
            return text, "decoded as CP949: the input was not UTF-8"
    return bad


# ---------------------------------------------------------------------------------------------
# Readers


def read(
    path: str | os.PathLike[str],
    options: ReadOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
) -> Iterator[Item]:
    """Stream the records of a dump in input order: `Record` for good ones, `Quarantined` for
    bad ones. ``-`` reads ``stdin`` (default ``sys.stdin.buffer``). Raises `FormatError` or
    `OSError` before the first record when the input cannot be opened."""
    opts = options or ReadOptions()
    p = str(path)
    fmt = detect_format(p, opts.format)
    if p != "-" and not os.path.exists(p):
        raise FileNotFoundError(f"input {p!r} does not exist")
    if fmt == "parquet":
        if p == "-":
            raise FormatError("Parquet cannot be read from stdin; give a file path")
        require("pyarrow.parquet", "parquet", "reading Parquet")
        return _read_parquet(p, opts)
    if fmt == "jsonl" and p != "-" and os.path.isfile(p) and _starts_with(p, b"["):
        return _read_json_array(p, opts)
    if fmt == "html":
        return _read_html(p, opts, stdin)
    if fmt == "txt":
        if p == "-":
            return _read_txt_stream(stdin or sys.stdin.buffer, "-", opts)
        return _read_txt(p, opts)
    if p != "-" and os.path.isdir(p):
        raise FormatError(f"{p!r} is a folder; only the txt format reads folders")
    return _read_stream(p, fmt, opts, stdin)


def _read_stream(p: str, fmt: str, opts: ReadOptions, stdin: BinaryIO | None) -> Iterator[Item]:
    raw = (stdin or sys.stdin.buffer) if p == "-" else open(p, "rb")  # noqa: SIM115
    try:
        if fmt == "jsonl.gz":
            stream: Iterable[bytes] = gzip.GzipFile(fileobj=raw, mode="rb")
        elif fmt == "jsonl.zst":
            zstd = require("zstandard", "zstd", "reading .jsonl.zst")
            stream = io.BufferedReader(
                zstd.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            )
        else:
            stream = raw
    except Exception:
        if p != "-":
            raw.close()
        raise
    return _closing(
        _read_csv(stream, p, opts) if fmt == "csv" else _read_jsonl(stream, p, opts),
        raw if p != "-" else None,
    )


def _closing(items: Iterator[Item], fh: IO[bytes] | None) -> Iterator[Item]:
    try:
        yield from items
    finally:
        if fh is not None:
            fh.close()


def _lines(stream: Iterable[bytes], source: str) -> Iterator[tuple[int, int, bytes] | Quarantined]:
    """(line number, byte offset, line) for each physical line; a corrupt compressed stream
    ends the input with one ``unreadable`` quarantine record."""
    offset = 0
    n = 0
    it = iter(stream)
    while True:
        try:
            line = next(it)
        except StopIteration:
            return
        except _STREAM_ERRORS as e:
            yield Quarantined(
                f"offset:{offset}",
                "unreadable",
                f"the input stream is corrupt or truncated after byte {offset:,} "
                f"({type(e).__name__}: {e}); reading stopped here",
                {"source": source, "line": n + 1, "offset": offset},
            )
            return
        n += 1
        if line.startswith(_BOM):  # at the start of the file, or of a file appended to it
            yield n, offset + 3, line[3:]
        else:
            yield n, offset, line
        offset += len(line)


def _starts_with(path: str, prefix: bytes) -> bool:
    """Whether the file's first non-blank bytes (after a UTF-8 BOM) are ``prefix``."""
    with open(path, "rb") as fh:
        head = fh.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(prefix)


def _read_json_array(path: str, opts: ReadOptions) -> Iterator[Item]:
    """A ``.json`` file holding one JSON array of records (loaded whole): element n (from 1)
    gets the id ``item:<n>`` when it has none. Not one valid array after all: read as JSON
    lines, so each bad line is quarantined on its own."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield from _read_stream(path, "jsonl", opts, None)
        return
    if not isinstance(items, list):  # pragma: no cover - a text starting with '[' is a list
        yield from _read_stream(path, "jsonl", opts, None)
        return
    checker = _Checker(opts, path)
    for n, obj in enumerate(items, 1):
        yield checker.check(obj, {"source": path, "item": n}, f"item:{n}")


def _read_jsonl(stream: Iterable[bytes], source: str, opts: ReadOptions) -> Iterator[Item]:
    checker = _Checker(opts, source)
    for item in _lines(stream, source):
        if isinstance(item, Quarantined):
            yield item
            continue
        n, offset, line = item
        if not line.strip():
            continue
        where = {"source": source, "line": n, "offset": offset}
        notes: tuple[str, ...] = ()
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            if "depth limit" in str(e):
                yield _too_deep(line, where)
                continue
            parsed = _parse_slow(line, e, where)
            if isinstance(parsed, Quarantined):
                yield parsed
                continue
            obj, notes = parsed
        except Exception as e:  # noqa: BLE001 - whatever the parser raises is this line's fault
            yield _unparsable(line, where, e)
            continue
        if _depth_over(obj, MAX_DEPTH):
            yield _too_deep(line, where)
            continue
        yield checker.check(obj, where, f"line:{n}", notes)


def _parse_slow(
    line: bytes, err: orjson.JSONDecodeError, where: dict[str, Any]
) -> tuple[Any, tuple[str, ...]] | Quarantined:
    """A line orjson rejected: try CP949 bytes, then the standard json module (NaN, lone
    surrogate escapes), else quarantine it."""
    ident = f"line:{where['line']}"
    decoded = _decode(line)
    if isinstance(decoded, int):
        off = where["offset"] + decoded
        return Quarantined(
            ident,
            "invalid_utf8",
            f"line {where['line']} is neither UTF-8 nor CP949; first bad byte at "
            f"byte offset {off:,} of the input",
            {**where, "offset": off},
            raw=line.decode("utf-8", "backslashreplace").rstrip("\r\n"),
        )
    text, how = decoded
    notes = (how,) if how else ()
    try:
        return orjson.loads(text), notes
    except orjson.JSONDecodeError:
        pass
    if _depth_over_text(text, MAX_DEPTH):
        return _too_deep(line, where)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError, MemoryError):
        msg = str(err) if not how else "not valid JSON after decoding it as CP949"
        return Quarantined(
            ident, "malformed_json", f"line {where['line']}: {msg}", where, raw=text.rstrip("\r\n")
        )
    if _has_surrogate(obj):
        return Quarantined(
            ident,
            "invalid_unicode",
            f"line {where['line']} holds a lone surrogate escape (e.g. \\ud800): not a character",
            where,
            raw=text.rstrip("\r\n"),
        )
    return obj, (*notes, "parsed with the standard json module (NaN or Infinity literals)")


def _has_surrogate(obj: Any) -> bool:
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, str):
            if _SURROGATE.search(o) is not None:
                return True
        elif isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, list):
            stack.extend(o)
    return False


def _depth_over(obj: Any, limit: int) -> bool:
    """Is ``obj`` nested deeper than ``limit`` lists/objects? (Flat records cost one pass
    over their fields.)"""
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if d > limit:
            return True
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values() if isinstance(v, dict | list))
        elif isinstance(o, list):
            stack.extend((v, d + 1) for v in o if isinstance(v, dict | list))
    return False


def _depth_over_text(text: str, limit: int) -> bool:
    """A cheap upper bound before the recursive standard parser: brackets outside strings."""
    depth = 0
    for tok in regex.finditer(r'"(?:[^"\\]|\\.)*"|[\[{\]}]', text):
        c = tok.group()
        if c in "[{":
            depth += 1
            if depth > limit:
                return True
        elif c in "]}":
            depth -= 1
    return False


def _too_deep(line: bytes, where: dict[str, Any]) -> Quarantined:
    return Quarantined(
        f"line:{where['line']}",
        "too_deep",
        f"line {where['line']} nests lists/objects more than {MAX_DEPTH} deep",
        where,
        raw=line.decode("utf-8", "backslashreplace")[:2000].rstrip("\r\n"),
    )


def _unparsable(line: bytes, where: dict[str, Any], e: BaseException) -> Quarantined:
    return Quarantined(
        f"line:{where['line']}",
        "malformed_json",
        f"line {where['line']}: {type(e).__name__}: {e}",
        where,
        raw=line.decode("utf-8", "backslashreplace").rstrip("\r\n"),
    )


def _read_csv(stream: Iterable[bytes], source: str, opts: ReadOptions) -> Iterator[Item]:
    if csv.field_size_limit() < opts.max_chars * 4 + 1:
        # csv's limit is process-wide; raise it so long articles reach the too_long check.
        csv.field_size_limit(min(2**31 - 1, opts.max_chars * 4 + 1))
    consumed: list[tuple[int, int, bytes, bool]] = []  # physical lines of the current row
    broken: list[Quarantined] = []

    def text_lines() -> Iterator[str]:
        for item in _lines(stream, source):
            if isinstance(item, Quarantined):
                broken.append(item)
                return
            n, offset, line = item
            try:
                text, bad = line.decode("utf-8"), False
            except UnicodeDecodeError:
                text, bad = line.decode("utf-8", "surrogateescape"), True
            consumed.append((n, offset, line, bad))
            yield text

    reader = csv.reader(text_lines())
    checker = _Checker(opts, source)
    header: list[str] | None = None
    row_no = 0
    while True:
        consumed.clear()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            if not consumed:
                break
            row_no += 1
            yield _csv_broken(consumed, source, row_no, f"row {row_no}: {e}")
            continue
        if header is None:
            header = [_unescape(h) for h in row]
            if opts.text_field not in header:
                raise FormatError(
                    f"CSV header of {source!r} has no {opts.text_field!r} column (columns: "
                    f"{', '.join(header)}); pass --text-field"
                )
            continue
        if not row:
            continue  # a blank line
        row_no += 1
        n, offset = consumed[0][0], consumed[0][1]
        where = {"source": source, "row": row_no, "line": n, "offset": offset}
        if len(row) != len(header):
            yield _csv_broken(
                consumed,
                source,
                row_no,
                f"row {row_no} has {len(row)} fields, the header has {len(header)}",
            )
            continue
        notes: tuple[str, ...] = ()
        if any(x[3] for x in consumed):
            data = b"".join(x[2] for x in consumed)
            decoded = _decode(data)
            if isinstance(decoded, int):
                off = offset + decoded
                yield Quarantined(
                    f"row:{row_no}",
                    "invalid_utf8",
                    f"row {row_no} is neither UTF-8 nor CP949; first bad byte at "
                    f"byte offset {off:,} of the input",
                    {**where, "offset": off},
                    raw=data.decode("utf-8", "backslashreplace").rstrip("\r\n"),
                )
                continue
            row = [c.encode("utf-8", "surrogateescape").decode("cp949", "replace") for c in row]
            notes = (decoded[1],) if decoded[1] else ()
        yield checker.check(dict(zip(header, row, strict=True)), where, f"row:{row_no}", notes)
    yield from broken


def _unescape(s: str) -> str:
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _csv_broken(
    consumed: list[tuple[int, int, bytes, bool]], source: str, row_no: int, detail: str
) -> Quarantined:
    n, offset = consumed[0][0], consumed[0][1]
    raw = b"".join(x[2] for x in consumed).decode("utf-8", "backslashreplace")
    return Quarantined(
        f"row:{row_no}",
        "malformed_csv",
        detail,
        {"source": source, "row": row_no, "line": n, "offset": offset},
        raw=raw,
    )


def input_schema(path: str, options: ReadOptions | None = None) -> Any:
    """The Arrow schema of a Parquet input (to keep its columns on Parquet output), else None."""
    opts = options or ReadOptions()
    if path == "-" or detect_format(path, opts.format) != "parquet":
        return None
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).schema_arrow


def _read_parquet(path: str, opts: ReadOptions) -> Iterator[Item]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as e:
        raise FormatError(f"{path!r} is not a readable Parquet file: {e}") from e
    names = pf.schema_arrow.names
    if opts.text_field not in names:
        raise FormatError(
            f"Parquet file {path!r} has no {opts.text_field!r} column (columns: "
            f"{', '.join(names)}); pass --text-field"
        )
    return _parquet_rows(pf, path, opts)


def _parquet_rows(pf: Any, path: str, opts: ReadOptions) -> Iterator[Item]:
    checker = _Checker(opts, path)
    row = 0
    for batch in pf.iter_batches(batch_size=opts.batch_size):
        for obj in batch.to_pylist():
            row += 1
            yield checker.check(obj, {"source": path, "row": row}, f"row:{row}")


def _read_txt(path: str, opts: ReadOptions) -> Iterator[Item]:
    checker = _Checker(opts, path)
    for f, rel in _files(Path(path), (".txt",)):
        where = {"source": path, "path": rel}
        try:
            data = f.read_bytes()
        except OSError as e:
            yield Quarantined(rel, "unreadable", f"cannot read {rel}: {e.strerror or e}", where)
            continue
        yield _txt_item(data, rel, where, checker, opts)


def _files(root: Path, suffixes: Sequence[str]) -> list[tuple[Path, str]]:
    """The files under folder ``root`` with one of ``suffixes``, sorted by relative path, each
    with that path (its id); or ``root`` itself, named by its file name, when it is a file."""
    if not root.is_dir():
        return [(root, root.name)]
    files = sorted(
        (f for f in root.rglob("*") if f.suffix.lower() in suffixes and f.is_file()),
        key=lambda f: f.relative_to(root).as_posix(),
    )
    return [(f, f.relative_to(root).as_posix()) for f in files]


def _html_folder(path: str) -> bool:
    """A folder of HTML pages: it holds .html/.htm files and no .txt file."""
    names = [f.suffix.lower() for f in Path(path).rglob("*") if f.is_file()]
    return any(n in HTML_SUFFIXES for n in names) and ".txt" not in names


def _read_html(path: str, opts: ReadOptions, stdin: BinaryIO | None) -> Iterator[Item]:
    """HTML pages: a folder of .html/.htm files (id = relative path), one file, or stdin.
    Each page is decoded by its BOM, declared charset, or UTF-8 then CP949
    (`dedupe_ko.html.decode_html`); the record's text field holds the page's HTML."""
    from .html import decode_html

    checker = _Checker(opts, path)
    pairs: list[tuple[Path | None, str]] = (
        [(None, "stdin")] if path == "-" else list(_files(Path(path), HTML_SUFFIXES))
    )
    for f, rel in pairs:
        where = {"source": path, "path": rel}
        try:
            data = (stdin or sys.stdin.buffer).read() if f is None else f.read_bytes()
        except OSError as e:
            yield Quarantined(rel, "unreadable", f"cannot read {rel}: {e.strerror or e}", where)
            continue
        text, enc = decode_html(data)
        notes = (f"decoded as {enc}",) if enc not in ("utf-8", "ascii") else ()
        yield checker.check({opts.id_field: rel, opts.text_field: text}, where, rel, notes)


# --- end body block


def _read_txt_stream(stream: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Item]:
    yield _txt_item(stream.read(), "stdin", {"source": source}, _Checker(opts, source), opts)


def _txt_item(
    data: bytes, rel: str, where: dict[str, Any], checker: _Checker, opts: ReadOptions
) -> Item:
    skip = 3 if data.startswith(_BOM) else 0
    decoded = _decode(data[skip:])
    if isinstance(decoded, int):
        off = skip + decoded
        return Quarantined(
            rel,
            "invalid_utf8",
            f"{rel} is neither UTF-8 nor CP949; first bad byte at byte offset {off:,}",
            {**where, "offset": off},
            raw=data.decode("utf-8", "backslashreplace"),
        )
    text, how = decoded
    return checker.check(
        {opts.id_field: rel, opts.text_field: text}, where, rel, (how,) if how else ()
    )


# ---------------------------------------------------------------------------------------------
# Writers


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray):
        return bytes(obj).decode("utf-8", "backslashreplace")
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    return str(obj)  # Decimal, timedelta, anything else pyarrow hands back


def dumps(obj: Any) -> bytes:
    """One JSON line (with "\\n"); lone surrogates are written as \\u escapes."""
    try:
        return orjson.dumps(obj, default=_default, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return json.dumps(obj, ensure_ascii=True, default=_default).encode("ascii") + b"\n"


class Writer:
    """Writes records to one output. Use `write` for each record, then `commit` (rename the
    finished temporary file into place) or `abort` (delete it). Also a context manager:
    commits on a clean exit, aborts on an exception."""

    def __init__(
        self,
        path: str,
        fmt: str,
        *,
        stdout: BinaryIO | None = None,
        schema: Any = None,
        extra_columns: Iterable[str] = (),
        id_field: str = "id",
        text_field: str = "text",
    ) -> None:
        self.path = path
        self._id_field = id_field
        self._text_field = text_field
        self.format = fmt
        self.count = 0
        self._done = False
        self._extra = list(extra_columns)
        self._schema = schema
        self._tmp: str | None = None
        self._fh: IO[bytes] | None = None
        self._sink: Any = None
        if path == "-":
            if fmt not in ("jsonl",):
                raise FormatError(f"stdout takes JSONL only, not {fmt}")
            self._fh = stdout or sys.stdout.buffer
            self._sink = self._fh
            return
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"folder {parent!r} for output {path!r} does not exist")
        remove_dead_temps(path)
        if fmt == "txt":
            if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
                raise FormatError(
                    f"txt output {path!r} exists and is not an empty folder; "
                    "remove it or choose another path"
                )
            with _naming(path):
                self._tmp = tempfile.mkdtemp(**_temp_name(path))
            os.chmod(self._tmp, 0o777 & ~_umask())
            self._names: set[str] = set()
            return
        with _naming(path):
            fd, self._tmp = tempfile.mkstemp(**_temp_name(path))
        os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
        self._fh = os.fdopen(fd, "wb")
        if fmt == "jsonl.gz":
            self._sink = gzip.GzipFile(fileobj=self._fh, mode="wb", compresslevel=6, mtime=0)
        elif fmt == "jsonl.zst":
            zstd = require("zstandard", "zstd", "writing .jsonl.zst")
            self._sink = zstd.ZstdCompressor(level=3).stream_writer(self._fh, closefd=False)
        elif fmt == "csv":
            self._text = io.TextIOWrapper(
                self._fh, encoding="utf-8", newline="", write_through=False
            )
            self._csv: Any = None
        elif fmt == "parquet":
            self._rows: list[dict[str, Any]] = []
            self._pq: Any = None
            self._buffered = 0
        else:
            self._sink = self._fh

    # -- writing
    def write_document(self, obj: Any) -> None:
        """Write ``obj`` as one indented JSON document (a summary), not as a line."""
        assert self._fh is not None
        with _naming(self.path):
            self._fh.write(orjson.dumps(obj, default=_default, option=orjson.OPT_INDENT_2) + b"\n")

    def write(self, record: dict[str, Any]) -> None:
        """Write one record (a dict)."""
        with _naming(self.path):
            self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        fmt = self.format
        if fmt in JSONL_FORMATS:
            self._sink.write(dumps(record))
        elif fmt == "csv":
            self._write_csv(record)
        elif fmt == "parquet":
            self._rows.append(record)
            self._buffered += sum(len(v) for v in record.values() if isinstance(v, str))
            if len(self._rows) >= 2048 or self._buffered >= 64 << 20:
                self._flush_parquet()
        else:
            self._write_txt(record)
        self.count += 1

    def _write_csv(self, record: dict[str, Any]) -> None:
        if self._csv is None:
            cols = list(record) + [c for c in self._extra if c not in record]
            self._csv = csv.DictWriter(self._text, fieldnames=cols, extrasaction="raise")
            self._csv.writeheader()
        unknown = [k for k in record if k not in self._csv.fieldnames]
        if unknown:
            raise FormatError(
                f"record {self.count + 1} has fields {unknown} that the first "
                "record did not have; CSV needs one header: write JSONL or Parquet"
            )
        self._csv.writerow({k: _cell(v) for k, v in record.items()})

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        if self._pq is None:
            schema = self._schema
            if schema is None:
                try:
                    extra = set(self._extra)
                    schema = pa.Table.from_pylist(
                        [
                            {
                                k: _encode_nested(v) if isinstance(v, dict | list) else v
                                for k, v in r.items()
                                if k not in extra
                            }
                            for r in self._rows
                        ]
                    ).schema
                except (pa.ArrowException, TypeError, ValueError) as e:
                    raise FormatError(
                        f"records do not fit one Parquet schema ({e}); write JSONL instead"
                    ) from e
            for name in self._extra:
                if name not in schema.names:
                    schema = schema.append(pa.field(name, _extra_types().get(name, pa.string())))
            schema = pa.schema(
                [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in schema]
            )
            self._schema = schema
            self._strings = {f.name for f in schema if f.type == pa.string()}
            self._pq = pq.ParquetWriter(self._fh, schema)
        names = set(self._schema.names)
        for i, r in enumerate(self._rows):
            if not names.issuperset(r):
                unknown = sorted(set(r) - names)
                raise FormatError(
                    f"record {self.count - len(self._rows) + i + 1} has fields "
                    f"{unknown} not in the Parquet schema; write JSONL instead"
                )
        strings = self._strings
        rows = [
            {k: (_encode_nested(v) if k in strings else v) for k, v in r.items()}
            for r in self._rows
        ]
        try:
            table = pa.Table.from_pylist(rows, schema=self._schema)
        except (pa.ArrowException, TypeError, ValueError) as e:
            raise FormatError(
                f"records do not fit the Parquet schema ({e}); write JSONL instead"
            ) from e
        self._pq.write_table(table)
        self._rows = []
        self._buffered = 0

    def _write_txt(self, record: dict[str, Any]) -> None:
        rid = str(record.get(self._id_field, self.count + 1))
        rel = rid if rid.endswith(".txt") else rid + ".txt"
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            rel = urllib.parse.quote(rid, safe="") + ".txt"
        base, k = rel, 1
        while rel in self._names:
            k += 1
            rel = f"{base[:-4]}.{k}.txt"
        self._names.add(rel)
        assert self._tmp is not None
        target = os.path.join(self._tmp, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        title = record.get("title")
        text = str(record.get(self._text_field) or "")
        body = f"{title}\n{text}" if title else text
        with open(target, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(body + "\n")

    # -- finishing
    def commit(self) -> None:
        """Finish the output and move it into place (`commit_all` of this one writer)."""
        commit_all([self])

    def abort(self) -> None:
        """Drop what was written (the output path is left as it was)."""
        if self._done:
            return
        self._done = True
        if self.path == "-":
            with contextlib.suppress(Exception):
                assert self._fh is not None
                self._fh.flush()
            return
        with contextlib.suppress(Exception):
            if self._fh is not None:
                self._fh.close()
        self._remove_tmp()

    def _close(self) -> None:
        fmt = self.format
        if fmt == "txt":
            return
        assert self._fh is not None
        if fmt == "jsonl.gz" or fmt == "jsonl.zst":
            self._sink.close()
        elif fmt == "csv":
            if self._csv is None and self._extra:
                csv.writer(self._text).writerow(self._extra)
            self._text.flush()
            self._text.detach()
        elif fmt == "parquet":
            self._flush_parquet()
            if self._pq is None:
                import pyarrow as pa
                import pyarrow.parquet as pq

                cols = [self._id_field, self._text_field, *self._extra]
                schema = self._schema or pa.schema(
                    [(c, _extra_types().get(c, pa.string())) for c in cols]
                )
                self._pq = pq.ParquetWriter(self._fh, schema)
            self._pq.close()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def _remove_tmp(self) -> None:
        if self._tmp and os.path.exists(self._tmp):
            if os.path.isdir(self._tmp):
                import shutil

                shutil.rmtree(self._tmp, ignore_errors=True)
            else:
                os.unlink(self._tmp)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


# Temporary files: ".NAME.dkotmp-<owner>.<random>.tmp" beside the output NAME, so the next run
# writing NAME removes those of dead owners (a run killed with -9 cannot remove its own).
_TMP_MARK = ".dkotmp-"


class _TempName(TypedDict):
    """Keyword arguments of `tempfile.mkstemp`/`mkdtemp` for a temporary beside an output."""

    prefix: str
    suffix: str
    dir: str


def _temp_name(path: str) -> _TempName:
    owner = _owner.current().replace("/", "_")
    return {
        "prefix": f".{os.path.basename(path)}{_TMP_MARK}{owner}.",
        "suffix": ".tmp",
        "dir": os.path.dirname(os.path.abspath(path)),
    }


def remove_dead_temps(path: str) -> list[str]:
    """Remove the temporary files (and backups) of dead runs beside output ``path``; returns
    the names removed."""
    folder = os.path.dirname(os.path.abspath(path))
    head = f".{os.path.basename(path)}{_TMP_MARK}"
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(head) and name.endswith(".tmp")):
            continue
        owner = name[len(head) : -len(".tmp")].rpartition(".")[0]
        if not _owner.is_dead(owner):
            continue
        full = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            if os.path.isdir(full) and not os.path.islink(full):
                import shutil

                shutil.rmtree(full)
            else:
                os.unlink(full)
            removed.append(name)
    return removed


@contextlib.contextmanager
def _naming(path: str) -> Iterator[None]:
    """Turn an OSError on a temporary file into an `OutputError` naming ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as e:
        why = e.strerror or str(e)
        raise OutputError(e.errno, f"output {path}: {why}; no output was committed") from e


def commit_all(
    writers: Sequence[Writer], before_rename: Callable[[list[tuple[str, str]]], None] | None = None
) -> None:
    """Put every writer's output in place, all or none.

    Finishes and fsyncs every temporary file first; then calls ``before_rename`` with the
    (output, temporary file) pairs (e.g. `dedupe_ko.index.Index.expect_outputs`); then
    renames them all, one after another, keeping a hard link to each output it replaces so
    that a failing rename puts back the outputs already replaced. On any failure every
    temporary file is removed and `OutputError` names the output that failed.
    """
    todo = [w for w in writers if not w._done]
    try:
        for w in todo:
            if w.path == "-":
                assert w._fh is not None
                w._fh.flush()
            else:
                with _naming(w.path):
                    w._close()
        files = [w for w in todo if w.path != "-"]
        if before_rename is not None:
            before_rename([(w.path, w._tmp) for w in files if w._tmp is not None])
        done: list[tuple[Writer, str | None]] = []
        try:
            for w in files:
                assert w._tmp is not None
                with _naming(w.path):
                    backup: str | None = None
                    if os.path.isfile(w.path):
                        name = _temp_name(w.path)
                        backup = os.path.join(name["dir"], name["prefix"] + "bak.tmp")
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(backup)
                        os.link(w.path, backup)
                    os.replace(w._tmp, w.path)
                    done.append((w, backup))
        except BaseException:
            for w, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, w.path)
                    else:
                        os.unlink(w.path) if os.path.isfile(w.path) else None
            raise
        for _, backup in done:
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.unlink(backup)
        for folder in {os.path.dirname(os.path.abspath(w.path)) for w in files}:
            _fsync_dir(folder)
    except BaseException:
        for w in todo:
            w._done = False
            w.abort()
        raise
    for w in todo:
        w._done = True


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    """The process umask (os.umask can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | int | float):
        return json.dumps(v)
    return orjson.dumps(v, default=_default).decode()


def _encode_nested(v: Any) -> Any:
    if isinstance(v, dict | list | tuple):
        return orjson.dumps(v, default=_default).decode()
    return v


@lru_cache(maxsize=1)
def _extra_types() -> dict[str, Any]:
    """pyarrow types of the columns the pipeline adds."""
    import pyarrow as pa

    removal = pa.struct(
        [
            ("rule", pa.string()),
            ("category", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("repeats", pa.string()),
            ("similarity", pa.float64()),
        ]
    )
    return {
        "title": pa.string(),
        "warnings": pa.list_(pa.string()),
        "removals": pa.list_(removal),
        "duplicate_of": pa.string(),
        "reason": pa.string(),
        "similarity": pa.float64(),
    }


def open_writer(
    path: str,
    fmt: str | None = None,
    *,
    stdout: BinaryIO | None = None,
    schema: Any = None,
    extra_columns: Iterable[str] = (),
    id_field: str = "id",
    text_field: str = "text",
) -> Writer:
    """A `Writer` for ``path`` (format from the name unless ``fmt``; ``-`` is stdout JSONL).

    ``schema`` (Parquet) is the Arrow schema to start from, e.g. the input's (`input_schema`);
    ``extra_columns`` are fields some records may add (title, removals...), so CSV and Parquet
    can give them a column from the start.
    """
    if path != "-" and fmt is None and os.path.isdir(path):
        fmt = "txt"
    if detect_format(path, fmt) == "parquet":
        require("pyarrow.parquet", "parquet", "writing Parquet")
    return Writer(
        path,
        detect_format(path, fmt),
        stdout=stdout,
        schema=schema,
        extra_columns=extra_columns,
        id_field=id_field,
        text_field=text_field,
    )


def write_json(path: str, obj: Any) -> None:
    """Write one JSON document atomically (temporary file, then rename)."""
    with _naming(path):
        _write_json(path, obj)


def _write_json(path: str, obj: Any) -> None:
    fd, tmp = tempfile.mkstemp(**_temp_name(path))
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(orjson.dumps(obj, default=_default, option=orjson.OPT_INDENT_2) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
