"""Segmentation: a page's lines, and the sentence-level units of lines a crawler collapsed.

`restore_breaks(text)` turns runs of spaces that stood for line breaks into "\\n";
`lines(text)` gives each line with its offset; `units(text, lines)` splits every long line
that shows a glued sentence end or a furniture cue (`lexicon.COLLAPSE_CUE`) at Korean sentence
ends (glued ones too) and furniture boundaries (`lexicon.UNIT_BREAKS`). Other lines are one
unit each, so pages with real line breaks are judged line by line as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from .lexicon import (
    COLLAPSE_SHAPES,
    FURNITURE_SHAPES,
    LOST_BREAK,
    MIDLINE_DATELINE,
    UNIT_BREAKS,
)

if TYPE_CHECKING:
    import regex

__all__ = ["SEGMENT_MIN", "Unit", "lines", "restore_breaks", "units"]

SEGMENT_MIN = 200
"""Lines longer than this many characters are split into sentence-level units."""
PAGE_LINE = 1000
"""A line this long is a page collapsed onto one line: it is always split."""


class Unit(NamedTuple):
    """A span ``[start, end)`` of the page text; ``line`` is the index of its line and
    ``whole`` says the unit is the whole line (not a piece of a collapsed one). (A named
    tuple: a page has dozens of them, and a tuple is made several times faster.)"""

    start: int
    end: int
    line: int
    whole: bool


def restore_breaks(text: str) -> str:
    """Runs of 3+ spaces inside lines longer than `SEGMENT_MIN` become one "\\n" (the same
    length is not kept: the result is the page text the offsets refer to)."""
    if "   " not in text:
        return text  # the same object: nothing restored
    out = []
    for line in text.split("\n"):
        if len(line) > SEGMENT_MIN and "   " in line:
            line = LOST_BREAK.sub("\n", line)
        out.append(line)
    joined = "\n".join(out)
    return text if joined == text else joined


def lines(text: str) -> list[tuple[int, str]]:
    """Each line of ``text`` with its offset."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def units(text: str, page_lines: list[tuple[int, str]], collapsed: bool = False) -> list[Unit]:
    """The units of the page: whole lines, and the sentence-level pieces of collapsed ones.
    ``collapsed``: the page came collapsed (a line of `PAGE_LINE` characters, or line breaks
    restored from runs of spaces), so short lines with furniture glued together are split too."""
    collapsed = collapsed or any(len(line) >= PAGE_LINE for _, line in page_lines)
    out: list[Unit] = []
    for i, (off, line) in enumerate(page_lines):
        if not _worth_splitting(line, collapsed):
            out.append(Unit(off, off + len(line), i, True))
            continue
        pieces = _pieces(line)
        whole = len(pieces) == 1
        out.extend(Unit(off + a, off + b, i, whole) for a, b in pieces)
    return out


def _pieces(line: str) -> list[tuple[int, int]]:
    """``[start, end)`` of the pieces of ``line`` between its unit breaks."""
    breaks: list[tuple[int, int]] = []
    has = line.__contains__
    for cues, pattern in UNIT_BREAKS:
        if any(map(has, cues)):
            breaks.extend(_breaks(line, cues, pattern))
    breaks.sort()
    pieces: list[tuple[int, int]] = []
    pos = 0
    for a, b in breaks:
        if a > pos:
            pieces.append((pos, a))
        pos = max(pos, b)
    if pos < len(line):
        pieces.append((pos, len(line)))
    return pieces or [(0, len(line))]


# The sentence-end breaks of `lexicon.UNIT_BREAKS` (cues ".", "!", "?") start right after a
# stop and up to two closing quotes or brackets (``[.!?]{CLOSE}{0,2}`` ends both of its
# lookbehinds): they are tried at those positions only, not at every character of a page.
_STOP_CUES = (".", "!", "?")
_STOP = re.compile(r"[.!?]")
_STOP_REACH = 3


def _breaks(line: str, cues: tuple[str, ...], pattern: regex.Pattern[str]) -> list[tuple[int, int]]:
    """The spans ``pattern.finditer(line)`` gives."""
    if cues != _STOP_CUES:
        return [m.span() for m in pattern.finditer(line)]
    reach = range(1, _STOP_REACH + 1)
    starts = sorted({m.start() + d for m in _STOP.finditer(line) for d in reach})
    spans: list[tuple[int, int]] = []
    pos = 0
    for p in starts:
        if p < pos:
            continue
        m = pattern.match(line, p)
        if m is not None:
            spans.append(m.span())
            pos = m.end() if m.end() > p else p + 1  # as finditer goes on after a match
    return spans


def _worth_splitting(line: str, collapsed: bool) -> bool:
    """A page collapsed onto one line, a long line with a glued stop or furniture cue, or on
    a collapsed page a line of any length with furniture glued together (e-mail, ▶, ©)."""
    if len(line) > SEGMENT_MIN:
        return len(line) >= PAGE_LINE or _cue(line, COLLAPSE_SHAPES)
    return collapsed and _cue(line, FURNITURE_SHAPES)


def _cue(line: str, shapes: re.Pattern[str]) -> bool:
    """`lexicon.COLLAPSE_CUE` / `FURNITURE_CUE` finds something in ``line`` (their dateline
    branch only where an "=" stands)."""
    return shapes.search(line) is not None or (
        "=" in line and MIDLINE_DATELINE.search(line) is not None
    )
