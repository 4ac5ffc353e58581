"""``dedupe-ko``: a thin command-line shell over `dedupe_ko.io` and `dedupe_ko.pipeline`.

    dedupe-ko clean IN -o OUT [--explain]
    dedupe-ko dedup IN -o KEPT --clusters CLUSTERS [--rejected REJECTED] [--threshold T]
                    [--containment C] [--keep first|longest] [--index SEEN]
    dedupe-ko run   IN -o OUT  --clusters CLUSTERS [--rejected REJECTED]     (clean + dedup)

Nothing but data goes to stdout; progress and the summary go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from . import io as dio
from .clean import CleanConfig
from .pipeline import Sinks, default_jobs, run

__all__ = ["main", "build_parser"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_QUARANTINED = 3

_EPILOG = """\
formats (from the file name; --format / --out-format override):
  .jsonl .json .ndjson (JSON lines), .jsonl.gz, .jsonl.zst, .csv (header row; --text-field,
  --id-field), .parquet (streamed; other columns kept), .txt or a folder of .txt files (one
  article per file; id = path relative to the folder). "-" is stdin / stdout, JSON lines.
  CLUSTERS, REJECTED and QUARANTINE files are JSON lines (.jsonl, .jsonl.gz, .jsonl.zst).

ids: a record without an id gets "line:<n>" (JSONL line number), "row:<n>" (CSV/Parquet data
  row, 1-based) or its relative path (text). A repeated id is quarantined; the first is kept.

bad input never stops a run: malformed JSON, bytes that are neither UTF-8 nor CP949 (CP949
  lines are decoded and noted), missing / non-string / empty text, text over --max-chars,
  repeated ids, and (dedup, run) bodies that clean away to nothing are quarantined with a
  reason and their location, written to --quarantine (default: the --rejected file).
  CLUSTERS lists quarantined records too: cluster = own id, match "none", and a
  "quarantined" field holding the reason. Every run checks
  records_in = written + duplicates + quarantined.

rejected lines: a duplicate is the input record whole plus "duplicate_of", "reason"
  ("exact_duplicate" / "near_duplicate") and "similarity"; a quarantined record is
  {"id", "reason", "detail", "where": {source, line / row / path, offset}, "record": the
  parsed record whole} or, when it could not be parsed, "raw": its text (bad bytes as \\xNN).

exit status: 0 success; 1 usage or I/O error (no output file is written or changed; an
  --index already holds the kept records of the batches done before the error); 3 with
  --strict when any record was quarantined (outputs are still written).
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


class UsageError(Exception):
    """A command line that cannot run; the message says what to change."""


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dedupe-ko", description="Clean and deduplicate scraped Korean news "
                "articles.", epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    p.add_argument("--version", action="version", version=f"dedupe-ko {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp: argparse.ArgumentParser, out_help: str) -> None:
        sp.add_argument("input", nargs="?", default="-", metavar="IN",
                        help='input file or folder ("-" = stdin, the default)')
        sp.add_argument("-o", "--output", default="-", metavar="OUT",
                        help=f'{out_help} ("-" = stdout, the default)')
        sp.add_argument("--text-field", default="text", metavar="F",
                        help="field holding the article (default: text)")
        sp.add_argument("--id-field", default="id", metavar="F",
                        help="field holding the id (default: id)")
        sp.add_argument("--rules", action="append", nargs="+", default=[], metavar="FILE",
                        help="extra rule file(s) (TOML) laid over the built-in catalogue")
        sp.add_argument("--disable-rule", action="append", nargs="+", default=[], metavar="ID",
                        help="rule id(s) to switch off")
        sp.add_argument("--rejected", metavar="FILE",
                        help="write every record not written to OUT here, with its reason")
        sp.add_argument("--quarantine", metavar="FILE",
                        help="write quarantined records here (default: the --rejected file)")
        sp.add_argument("--summary-json", metavar="FILE", help="write the summary as JSON")
        sp.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar and no summary on stderr")
        sp.add_argument("--strict", action="store_true",
                        help=f"exit with status {EXIT_QUARANTINED} when any record was "
                        "quarantined")
        sp.add_argument("--max-chars", type=_positive, default=5_000_000, metavar="N",
                        help="quarantine articles longer than N characters (default 5,000,000)")
        sp.add_argument("--format", choices=dio.FORMATS, help="input format (default: from "
                        "the file name)")
        sp.add_argument("--out-format", choices=dio.FORMATS, help="OUT format (default: from "
                        "the file name)")
        sp.add_argument("--jobs", "-j", type=_positive, default=default_jobs(), metavar="N",
                        help=f"cleaning processes (default: all cores, here {default_jobs()})")

    def dedup_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--clusters", metavar="CLUSTERS",
                        help='one line per input record: {"id", "cluster", "similarity", '
                        '"match"}, plus "containment" for a partial match and "supersedes" '
                        'for a fuller version kept after its brief')
        sp.add_argument("--threshold", type=float, default=0.7, metavar="T",
                        help="Jaccard similarity at which two bodies are the same story "
                        "(default 0.7)")
        sp.add_argument("--containment", type=float, default=0.7, metavar="C",
                        help="share of a shorter body found in a longer one at which it is "
                        "an abridged copy of it (match \"partial\"; default 0.7)")
        sp.add_argument("--keep", choices=("first", "longest"), default="first",
                        help="which article of a cluster to keep (default: first)")
        sp.add_argument("--index", metavar="PATH_OR_URL",
                        help="persistent index (seen.db or redis://host:port/db?prefix=p): "
                        "drop what it has seen, add what is kept")

    raw = argparse.RawDescriptionHelpFormatter
    sp = sub.add_parser("clean", help="strip page furniture; one output record per input "
                        "record", epilog=_EPILOG, formatter_class=raw)
    common(sp, "cleaned records")
    sp.add_argument("--explain", action="store_true",
                    help="add the removals (rule, category, offsets, text) to each record")

    sp = sub.add_parser("dedup", help="drop near-duplicate articles (similarity on the cleaned "
                        "body); kept records are written as they came in", epilog=_EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    common(sp, "kept records")
    dedup_opts(sp)

    sp = sub.add_parser("run", help="clean, then drop near-duplicates: the main job",
                        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(sp, "cleaned, deduplicated records")
    dedup_opts(sp)
    sp.add_argument("--explain", action="store_true",
                    help="add the removals to each written record")
    return p


def _positive(s: str) -> int:
    try:
        v = int(s.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{s!r} must be positive")
    return v


def _flat(groups: list[list[str]]) -> tuple[str, ...]:
    return tuple(x for g in groups for x in g)


def _same(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_paths(args: argparse.Namespace) -> dict[str, str]:
    """Outputs by role; refuses to overwrite the input, to write two outputs to one file, or
    to send two outputs to stdout."""
    outs = {"-o": args.output}
    for role in ("clusters", "rejected", "quarantine", "summary_json"):
        v = getattr(args, role, None)
        if v is not None:
            outs["--" + role.replace("_", "-")] = v
    if args.quarantine is not None and args.rejected is not None and \
            args.quarantine != "-" and _same(args.quarantine, args.rejected):
        outs.pop("--quarantine")  # one file for both, on purpose
    inp = args.input
    stdout_users = [k for k, v in outs.items() if v == "-"]
    if len(stdout_users) > 1:
        raise UsageError(f"only one output can go to stdout, not {', '.join(stdout_users)}; "
                         "give the others file names")
    if outs.get("--summary-json") == "-":
        raise UsageError("--summary-json needs a file name (the summary already goes to stderr)")
    files = {k: v for k, v in outs.items() if v != "-"}
    for k, v in files.items():
        if inp != "-" and os.path.exists(inp):
            if _same(v, inp):
                raise UsageError(f"{k} {v} is the input file; refusing to overwrite the input. "
                                 "Write to another file")
            if os.path.isdir(inp) and os.path.realpath(v).startswith(
                    os.path.realpath(inp) + os.sep):
                raise UsageError(f"{k} {v} is inside the input folder {inp}; write it elsewhere")
    names = list(files.items())
    for i, (k1, v1) in enumerate(names):
        for k2, v2 in names[i + 1:]:
            if os.path.realpath(v1) == os.path.realpath(v2):
                raise UsageError(f"{k1} and {k2} are the same file {v1}; give each its own")
    for k in ("--clusters", "--rejected", "--quarantine"):
        v = outs.get(k)
        if v is not None and dio.detect_format(v) not in dio.JSONL_FORMATS:
            raise UsageError(f"{k} {v}: write it as JSON lines (.jsonl, .jsonl.gz or .jsonl.zst)")
    return outs


def _deduplicator(args: argparse.Namespace) -> tuple[Any, Any]:
    try:
        from .dedup import DedupConfig, Deduplicator
    except ImportError as e:
        raise UsageError(f"deduplication is not available in this build ({e})") from e
    try:
        config = DedupConfig(threshold=args.threshold, containment=args.containment,
                             keep=args.keep)
    except ValueError as e:
        raise UsageError(str(e)) from None
    store = None
    if args.index:
        try:
            from .index import Index
        except ImportError as e:
            raise UsageError(f"--index is not available in this build ({e}); run without "
                             "--index") from e
        store = Index.open(args.index, config)
    return Deduplicator(config, store=store), store


def _run(args: argparse.Namespace) -> int:
    outs = _check_paths(args)
    read_opts = dio.ReadOptions(format=args.format, text_field=args.text_field,
                                id_field=args.id_field, max_chars=args.max_chars)
    clean_cfg = CleanConfig(rule_files=_flat(args.rules), disabled_rules=frozenset(
        _flat(args.disable_rule)), max_chars=args.max_chars)
    clean_cfg.rules  # noqa: B018 - load the rule files now: a bad file is a usage error
    dedup = args.command in ("dedup", "run")
    cleaned_out = args.command in ("clean", "run")
    explain = getattr(args, "explain", False)

    items = dio.read(args.input, read_opts)  # opens the input: raises before any output exists
    out_fmt = args.out_format or (None if args.output == "-" else dio.detect_format(
        args.output) if not os.path.isdir(args.output) else "txt")
    extra = (["title", *(["removals"] if explain else []), "warnings"] if cleaned_out else [])
    schema = dio.input_schema(args.input, read_opts) if out_fmt == "parquet" else None

    writers: list[dio.Writer] = []
    store = None
    try:
        def w(path: str | None, fmt: str | None = None, **kw: Any) -> dio.Writer | None:
            if path is None:
                return None
            writer = dio.open_writer(path, fmt, **kw)
            writers.append(writer)
            return writer

        out = w(args.output, out_fmt, schema=schema, extra_columns=extra,
                id_field=args.id_field, text_field=args.text_field)
        clusters = w(outs.get("--clusters"))
        rejected = w(args.rejected)
        quarantine = w(outs["--quarantine"]) if "--quarantine" in outs else rejected
        deduplicator = None
        if dedup:
            deduplicator, store = _deduplicator(args)
        bar = _progress(args.quiet)
        try:
            summary = run(items, Sinks(out, clusters, rejected, quarantine), command=args.command,
                          clean_config=clean_cfg, deduplicator=deduplicator, explain=explain,
                          write_cleaned=cleaned_out, text_field=args.text_field, jobs=args.jobs,
                          on_item=(lambda: bar.update(1)) if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()
        for writer in writers:
            writer.commit()
        if args.summary_json:
            dio.write_json(args.summary_json, summary.as_dict())
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
        getattr(items, "close", lambda: None)()
    if not args.quiet:
        print(summary.format(), file=sys.stderr)
    if summary.quarantined and quarantine is None:
        print(f"dedupe-ko: {summary.quarantined:,} records were quarantined and not kept; pass "
              "--rejected FILE (or --quarantine FILE) to keep them", file=sys.stderr)
    if summary.duplicates and rejected is None and not args.quiet:
        print(f"dedupe-ko: {summary.duplicates:,} duplicates were dropped; pass --rejected FILE "
              "to keep them", file=sys.stderr)
    if args.strict and summary.quarantined:
        return EXIT_QUARANTINED
    return EXIT_OK


def _progress(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" rec", unit_scale=True, file=sys.stderr, mininterval=0.5, smoothing=0.1,
                desc="dedupe-ko")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dedupe-ko`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("dedupe-ko: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `| head`): stop quietly.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_ERROR
    except (UsageError, ValueError, OSError, RuntimeError) as e:
        print(f"dedupe-ko {args.command}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
