"""``dedupe-ko``: a thin command-line shell over `dedupe_ko.io` and `dedupe_ko.pipeline`.

    dedupe-ko clean IN -o OUT [--explain]
    dedupe-ko dedup IN -o KEPT --clusters CLUSTERS [--rejected REJECTED] [--threshold T]
                    [--containment C] [--keep first|longest] [--index SEEN]
    dedupe-ko run   IN -o OUT  --clusters CLUSTERS [--rejected REJECTED]     (clean + dedup)
    dedupe-ko rules list [--rules FILE] | dedupe-ko rules check FILE

Nothing but data goes to stdout; progress and the summary go to stderr. A user error (bad
path, option, rule file or index) is one line on stderr and exit status 1, never a traceback:
`main` maps the known error types to that line (`_user_error`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from . import io as dio
from ._extras import MissingExtraError
from .boilerplate import RuleError, load_rules
from .clean import CleanConfig
from .pipeline import Sinks, default_jobs, run

_STARTED = time.perf_counter()  # the summary reports the whole run, start-up included
log = logging.getLogger("dedupe_ko")

__all__ = ["main", "build_parser"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_QUARANTINED = 3

_EPILOG = """\
formats (from the file name; --format / --out-format override):
  .jsonl .json .ndjson (JSON lines; a .json file holding one JSON array is read as that
  array, element n getting id "item:<n>" when it has none), .jsonl.gz, .jsonl.zst, .csv
  (header row; --text-field, --id-field), .parquet (streamed; other columns kept), .txt or
  a folder of .txt files (one article per file; id = path relative to the folder). "-" is
  stdin / stdout, JSON lines.
  Web pages in: .html/.htm files or folders (--format html), or records with the HTML in a
  field (--html-field NAME); a page with no article is quarantined as no_article_body.
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

exit status: 0 success (every output in place); 1 usage or I/O error (no output file is
  written or changed, and --index does not keep this run's records); 3 with --strict when
  any record was quarantined (outputs are still written); 130 Ctrl-C, 143 SIGTERM (nothing
  written). A run killed outright leaves nothing either: the next run on the same outputs
  removes its temporary files, and the next open of the index rolls its records back.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, like every user error; the message already points at --help.
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


class UsageError(Exception):
    """A command line that cannot run; the message says what to change."""


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="dedupe-ko",
        description="Clean and deduplicate scraped Korean news articles.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    p.add_argument("--version", action="version", version=f"dedupe-ko {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp: argparse.ArgumentParser, out_help: str) -> None:
        sp.add_argument(
            "input",
            nargs="?",
            default="-",
            metavar="IN",
            help='input file or folder ("-" = stdin, the default)',
        )
        sp.add_argument(
            "-o",
            "--output",
            default="-",
            metavar="OUT",
            help=f'{out_help} ("-" = stdout, the default)',
        )
        sp.add_argument(
            "--text-field",
            default="text",
            metavar="F",
            help="field holding the article (default: text)",
        )
        sp.add_argument(
            "--id-field", default="id", metavar="F", help="field holding the id (default: id)"
        )
        rule_opts(sp)
        sp.add_argument(
            "--rejected",
            metavar="FILE",
            help="write every record not written to OUT here, with its reason",
        )
        sp.add_argument(
            "--quarantine",
            metavar="FILE",
            help="write quarantined records here (default: the --rejected file)",
        )
        sp.add_argument("--summary-json", metavar="FILE", help="write the summary as JSON")
        sp.add_argument(
            "--quiet", "-q", action="store_true", help="no progress bar and no summary on stderr"
        )
        sp.add_argument(
            "--verbose",
            "-v",
            action="count",
            default=0,
            help="diagnostics on stderr (-v: info, -vv: debug)",
        )
        sp.add_argument(
            "--strict",
            action="store_true",
            help=f"exit with status {EXIT_QUARANTINED} when any record was quarantined",
        )
        sp.add_argument(
            "--max-chars",
            type=_positive,
            default=dio.MAX_CHARS,
            metavar="N",
            help="quarantine articles longer than N characters (default 1,000,000)",
        )
        sp.add_argument(
            "--format",
            choices=dio.INPUT_FORMATS,
            help="input format (default: "
            "from the file name; html: .html/.htm pages or a folder of them)",
        )
        sp.add_argument(
            "--html-field",
            metavar="NAME",
            help="records hold a web page's HTML in this field: clean its article body",
        )
        sp.add_argument(
            "--out-format", choices=dio.FORMATS, help="OUT format (default: from the file name)"
        )
        sp.add_argument(
            "--jobs",
            "-j",
            type=_positive,
            default=default_jobs(),
            metavar="N",
            help=f"cleaning processes (default: all cores, here {default_jobs()})",
        )

    def rule_opts(sp: argparse.ArgumentParser) -> None:
        # One value per flag: `--rules a.toml IN` must not take IN as a second rule file.
        sp.add_argument(
            "--rules",
            action="append",
            default=[],
            metavar="FILE",
            help="a rule file (TOML) laid over the built-in catalogue; repeat the "
            "flag for more files",
        )
        sp.add_argument(
            "--disable-rule",
            action="append",
            default=[],
            metavar="ID",
            help="a rule id to switch off (ID,ID,... or repeat the flag)",
        )

    def dedup_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--clusters",
            metavar="CLUSTERS",
            help='one line per input record: {"id", "cluster", "similarity", '
            '"match"}, plus "containment" for a partial match and "supersedes" '
            "for a fuller version kept after its brief",
        )
        sp.add_argument(
            "--threshold",
            type=float,
            default=0.7,
            metavar="T",
            help="Jaccard similarity at which two bodies are the same story (default 0.7)",
        )
        sp.add_argument(
            "--containment",
            type=float,
            default=0.6,
            metavar="C",
            help="share of the shorter body's sentences found in the other, whole or "
            "edited, at which it is the same text (the one knob; default 0.6)",
        )
        sp.add_argument(
            "--keep",
            choices=("first", "longest"),
            default="first",
            help="which article of a cluster to keep (default: first)",
        )
        sp.add_argument(
            "--index",
            metavar="PATH_OR_URL",
            help="persistent index (seen.db or redis://host:port/db?prefix=p): "
            "drop what it has seen, add what is kept",
        )
        sp.add_argument(
            "--engine",
            choices=("local", "spark"),
            default="local",
            help="spark: clean and dedup as Spark jobs (pip install "
            "'dedupe-ko[spark]'), with the local engine's results",
        )
        sp.add_argument(
            "--master",
            default="local[2]",
            metavar="URL",
            help="Spark master for --engine spark (default local[2])",
        )

    raw = argparse.RawDescriptionHelpFormatter
    sp = sub.add_parser(
        "clean",
        help="strip page furniture; one output record per input record",
        epilog=_EPILOG,
        formatter_class=raw,
    )
    common(sp, "cleaned records")
    sp.add_argument(
        "--explain",
        action="store_true",
        help="add the removals (rule, category, offsets, text) to each record",
    )

    sp = sub.add_parser(
        "dedup",
        help="drop near-duplicate articles (similarity on the cleaned "
        "body); kept records are written as they came in",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(sp, "kept records")
    dedup_opts(sp)

    sp = sub.add_parser(
        "run",
        help="clean, then drop near-duplicates: the main job",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(sp, "cleaned, deduplicated records")
    dedup_opts(sp)
    sp.add_argument(
        "--explain", action="store_true", help="add the removals to each written record"
    )

    sp = sub.add_parser("rules", help="list the rule catalogue or check a rule file")
    rsub = sp.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    lp = rsub.add_parser("list", help="one line per rule: id, category, scope, first example")
    rule_opts(lp)
    cp = rsub.add_parser(
        "check",
        help="load FILE over the catalogue and run its rules on "
        "their examples and an ordinary article; exit 1 on any problem",
    )
    cp.add_argument("file", metavar="FILE", help="the rule file (TOML)")
    return p


def _positive(s: str) -> int:
    try:
        v = int(s.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{s!r} must be positive")
    return v


def _flat(values: list[str]) -> tuple[str, ...]:
    """Values of a repeatable flag, each also split at commas."""
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


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
    if (
        args.quarantine is not None
        and args.rejected is not None
        and args.quarantine != "-"
        and _same(args.quarantine, args.rejected)
    ):
        outs.pop("--quarantine")  # one file for both, on purpose
    inp = args.input
    stdout_users = [k for k, v in outs.items() if v == "-"]
    if len(stdout_users) > 1:
        raise UsageError(
            f"only one output can go to stdout, not {', '.join(stdout_users)}; "
            "give the others file names"
        )
    if outs.get("--summary-json") == "-":
        raise UsageError("--summary-json needs a file name (the summary already goes to stderr)")
    files = {k: v for k, v in outs.items() if v != "-"}
    for k, v in files.items():
        if inp != "-" and os.path.exists(inp):
            if _same(v, inp):
                raise UsageError(
                    f"{k} {v} is the input file; refusing to overwrite the input. "
                    "Write to another file"
                )
            if os.path.isdir(inp) and os.path.realpath(v).startswith(
                os.path.realpath(inp) + os.sep
            ):
                raise UsageError(f"{k} {v} is inside the input folder {inp}; write it elsewhere")
    names = list(files.items())
    for i, (k1, v1) in enumerate(names):
        for k2, v2 in names[i + 1 :]:
            if os.path.realpath(v1) == os.path.realpath(v2):
                raise UsageError(f"{k1} and {k2} are the same file {v1}; give each its own")
    for k in ("--clusters", "--rejected", "--quarantine"):
        v = outs.get(k)
        if v is not None and _format_or_none(v) not in dio.JSONL_FORMATS:
            raise UsageError(f"{k} {v}: write it as JSON lines (.jsonl, .jsonl.gz or .jsonl.zst)")
    return outs


def _format_or_none(path: str) -> str | None:
    try:
        return dio.detect_format(path)
    except dio.FormatError:
        return None


def _output_format(args: argparse.Namespace) -> str | None:
    """OUT's format; refuses a name that hides what would be written."""
    if args.out_format or args.output == "-":
        return args.out_format
    if os.path.isdir(args.output):
        return "txt"
    fmt = _format_or_none(args.output)
    if fmt is None:
        raise UsageError(
            f"-o {args.output}: cannot tell the output format from the name; name "
            "it .jsonl, .jsonl.gz, .jsonl.zst, .csv or .parquet, or pass "
            "--out-format"
        )
    if fmt == "txt":
        raise UsageError(
            f"-o {args.output}: text output is a folder with one <id>.txt file per "
            "record, not one file; write .jsonl for one file, or pass an existing "
            "folder (or --out-format txt) for the folder"
        )
    return fmt


def _deduplicator(args: argparse.Namespace) -> tuple[Any, Any]:
    try:
        from .dedup import DedupConfig, Deduplicator
    except ImportError as e:
        raise UsageError(f"deduplication is not available in this build ({e})") from e
    try:
        config = DedupConfig(threshold=args.threshold, containment=args.containment, keep=args.keep)
    except ValueError as e:
        raise UsageError(str(e)) from None
    store = None
    if args.index:
        try:
            from .index import Index
        except ImportError as e:
            raise UsageError(
                f"--index is not available in this build ({e}); run without --index"
            ) from e
        store = _open_index(Index, args, config)
    return Deduplicator(config, store=store), store


_CLI_FLAGS = {"dedup_threshold": "--threshold"}


def _open_index(index_cls: Any, args: argparse.Namespace, config: Any) -> Any:
    """`Index.open` with its errors turned into what to change on the command line."""
    from .index import IndexMismatchError

    target = args.index
    is_url = "://" in target
    if not is_url:
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            raise UsageError(
                f"--index {target}: folder {parent} does not exist; create it or "
                "give a path in an existing folder"
            )
    try:
        return index_cls.open(target, config)
    except IndexMismatchError as e:
        flags = [
            (_CLI_FLAGS[k], stored, asked)
            for k, (stored, asked) in e.differences.items()
            if k in _CLI_FLAGS
        ]
        if flags and len(flags) == len(e.differences):
            was = ", ".join(f"{f} {stored}" for f, stored, _ in flags)
            now = ", ".join(f"{f} {asked}" for f, _, asked in flags)
            raise UsageError(
                f"--index {target} was built with {was}, not {now}: run with {was}, "
                f"or give a new --index (a new path or Redis prefix) to start one "
                f"with {now}"
            ) from e
        diff = "; ".join(f"{k}: stored {s!r}, now {a!r}" for k, (s, a) in e.differences.items())
        raise UsageError(
            f"--index {target} was built with other signature settings or software "
            f"({diff}); give a new --index (a new path or Redis prefix), or use the "
            "version that built it"
        ) from e
    except sqlite3.Error as e:
        raise UsageError(
            f"--index {target}: cannot open it as an SQLite index ({e}); give a "
            "writable path such as seen.db, or redis://host:6379/0"
        ) from e
    except TypeError as e:
        if not is_url:
            raise
        # redis-py passes an unknown ?option on as a keyword argument and fails on it.
        raise UsageError(
            f"--index {target}: the URL has an option Redis does not know ({e}); "
            "known: prefix=NAME and redis-py's options such as socket_timeout=S"
        ) from e


def _run(args: argparse.Namespace) -> int:
    if args.command == "rules":
        return _rules(args)
    outs = _check_paths(args)
    out_fmt = _output_format(args)
    # HTML pages in (files, folders, or a field of each record).
    html = (
        bool(args.html_field)
        or (args.format or (dio.detect_format(args.input) if args.input != "-" else "jsonl"))
        == "html"
    )
    read_opts = dio.ReadOptions(
        format=args.format,
        text_field=args.html_field or args.text_field,
        id_field=args.id_field,
        max_chars=args.max_chars,
    )
    clean_cfg = CleanConfig(
        rule_files=tuple(args.rules),
        disabled_rules=frozenset(_flat(args.disable_rule)),
        max_chars=args.max_chars,
    )
    clean_cfg.rules  # noqa: B018 - load the rule files now: a bad file is a usage error
    dedup = args.command in ("dedup", "run")
    cleaned_out = args.command in ("clean", "run")
    explain = getattr(args, "explain", False)

    items = dio.read(args.input, read_opts)  # opens the input: raises before any output exists
    log.info(
        "%s: input %s (%s), output %s (%s), %d rules, %d job(s)",
        args.command,
        args.input,
        dio.detect_format(args.input, args.format),
        args.output,
        out_fmt or "jsonl",
        len(clean_cfg.rules.rules),
        args.jobs,
    )
    extra = ["title", *(["removals"] if explain else []), "warnings"] if cleaned_out else []
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

        out = w(
            args.output,
            out_fmt,
            schema=schema,
            extra_columns=extra,
            id_field=args.id_field,
            text_field=args.text_field,
        )
        clusters = w(outs.get("--clusters"))
        rejected = w(args.rejected)
        quarantine = w(outs["--quarantine"]) if "--quarantine" in outs else rejected
        summary_out = w(args.summary_json, "jsonl") if args.summary_json else None
        deduplicator = None
        spark = getattr(args, "engine", "local") == "spark"
        if spark and args.index:
            raise UsageError("--index works with --engine local only; drop one of them")
        if spark and explain:
            raise UsageError("--explain works with --engine local only; drop one of them")
        if dedup and not spark:
            deduplicator, store = _deduplicator(args)
            if store is not None:
                store.begin_run()  # entries seen only once the outputs are committed
        bar, by_bytes = _progress(args, read_opts) if not spark else (None, False)
        try:
            if spark:
                from .dedup import DedupConfig
                from .spark import run_files

                summary = run_files(
                    args.input,
                    Sinks(out, clusters, rejected, quarantine),
                    read_options=read_opts,
                    clean_config=clean_cfg,
                    dedup_config=DedupConfig(
                        threshold=args.threshold, containment=args.containment, keep=args.keep
                    ),
                    command=args.command,
                    write_cleaned=cleaned_out,
                    text_field=args.text_field,
                    master=args.master,
                )
            else:
                summary = run(
                    _advancing(items, bar, by_bytes),
                    Sinks(out, clusters, rejected, quarantine),
                    command=args.command,
                    clean_config=clean_cfg,
                    deduplicator=deduplicator,
                    explain=explain,
                    write_cleaned=cleaned_out,
                    text_field=args.text_field,
                    jobs=args.jobs,
                    html=html,
                )
        finally:
            if bar is not None:
                bar.close()
        summary.seconds = time.perf_counter() - _STARTED
        if summary_out is not None:
            summary_out.write_document(summary.as_dict())
        dio.commit_all(writers, before_rename=store.expect_outputs if store else None)
    except BaseException:
        for writer in writers:
            writer.abort()
        if store is not None:
            with contextlib.suppress(Exception):  # else the next open rolls it back
                store.abort_run()
        raise
    try:
        if store is not None:
            store.commit_run()
    except Exception as e:  # noqa: BLE001 - the outputs are in place: say so, exit 0
        print(
            f"dedupe-ko: warning: the outputs are written but the index {args.index} could "
            f"not record them now ({e}); the next run on it records them",
            file=sys.stderr,
        )
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()
        getattr(items, "close", lambda: None)()
    if not args.quiet:
        print(summary.format(), file=sys.stderr)
    if summary.quarantined and quarantine is None:
        print(
            f"dedupe-ko: {summary.quarantined:,} records were quarantined and not kept; pass "
            "--rejected FILE (or --quarantine FILE) to keep them",
            file=sys.stderr,
        )
    if summary.duplicates and rejected is None and not args.quiet:
        print(
            f"dedupe-ko: {summary.duplicates:,} duplicates were dropped; pass --rejected FILE "
            "to keep them",
            file=sys.stderr,
        )
    cleaned = summary.records_in - summary.quarantined
    mostly = getattr(summary, "mostly_removed", 0)
    if cleaned_out and cleaned and mostly * 2 > cleaned:
        print(
            f"dedupe-ko: warning: cleaning removed more than half of the text of {mostly:,} "
            f"of {cleaned:,} records; check the rules (dedupe-ko rules check FILE) and "
            "--text-field",
            file=sys.stderr,
        )
    if args.strict and summary.quarantined:
        return EXIT_QUARANTINED
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    """``rules list``: the catalogue as loaded; ``rules check FILE``: problems, exit 1 if any."""
    if args.rules_command == "list":
        rules = load_rules(tuple(args.rules), disabled=_flat(args.disable_rule))
        for r in rules.rules:
            example = r.examples[0] if r.examples else ""
            print(f"{r.id}\t{r.category}\t{r.kind}\t{example}")
        return EXIT_OK
    from .rulecheck import check_rule_file

    rules, problems = check_rule_file(args.file)
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    print(
        f"{args.file}: {len(rules.rules)} rules loaded, {len(problems)} problem(s)", file=sys.stderr
    )
    return EXIT_ERROR if problems else EXIT_OK


def _progress(args: argparse.Namespace, opts: dio.ReadOptions) -> tuple[Any, bool]:
    """A tqdm bar on a terminal: by bytes of the input file (total and ETA) for plain JSON
    lines and CSV, else by records; (None, False) when quiet or not a terminal."""
    if args.quiet or not sys.stderr.isatty():
        return None, False
    from tqdm import tqdm

    total = None
    with contextlib.suppress(OSError, dio.FormatError):
        if os.path.isfile(args.input) and dio.detect_format(args.input, opts.format) in (
            "jsonl",
            "csv",
        ):
            total = os.path.getsize(args.input)
    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        width = 0
    # A terminal that reports no width (0 columns) would get an empty bar: use 80.
    ncols = width if width >= 40 else 80
    if total is not None:
        return tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            mininterval=0.5,
            smoothing=0.1,
            desc="dedupe-ko",
            ncols=ncols,
        ), True
    return tqdm(
        unit=" rec",
        unit_scale=True,
        file=sys.stderr,
        mininterval=0.5,
        smoothing=0.1,
        desc="dedupe-ko",
        ncols=ncols,
    ), False


def _advancing(items: Any, bar: Any, by_bytes: bool) -> Any:
    """The input items, moving the bar as each is read (to its byte offset, or by one)."""
    if bar is None:
        return items
    return _advance(items, bar, by_bytes)


def _advance(items: Any, bar: Any, by_bytes: bool) -> Any:
    for item in items:
        if by_bytes:
            offset = item.where.get("offset")
            if isinstance(offset, int) and offset > bar.n:
                bar.update(offset - bar.n)
        else:
            bar.update(1)
        yield item
    if by_bytes and bar.total:
        bar.update(bar.total - bar.n)


def _user_error(e: BaseException) -> str | None:
    """The one-line message for an error the user can fix, or None for a bug."""
    if isinstance(e, UsageError | MissingExtraError | RuleError | dio.FormatError):
        return str(e)
    if (
        isinstance(e, FileNotFoundError | IsADirectoryError | NotADirectoryError | PermissionError)
        and e.filename is not None
    ):
        return f"{e.filename}: {e.strerror}"
    if isinstance(e, ValueError | OSError | RuntimeError):
        return str(e)
    return None


def _one_line(message: str) -> str:
    return " ".join(message.split())


class _Terminated(BaseException):
    """SIGTERM, handled like Ctrl-C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dedupe-ko`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(getattr(args, "verbose", 0), logging.DEBUG)
    logging.basicConfig(level=level, format="dedupe-ko: %(levelname)s: %(name)s: %(message)s")
    import signal

    previous = None
    with contextlib.suppress(ValueError):  # not the main thread: leave SIGTERM alone
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("dedupe-ko: interrupted; no output was written", file=sys.stderr)
        return 130
    except _Terminated:
        print("dedupe-ko: terminated (SIGTERM); no output was written", file=sys.stderr)
        return 143
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `| head`): stop quietly.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_ERROR
    except Exception as e:
        message = _user_error(e)
        if message is None:
            raise  # a bug: the traceback is for the report
        log.debug("user error", exc_info=True)
        print(f"dedupe-ko {args.command}: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
