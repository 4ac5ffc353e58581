"""Segmentation: a page's lines, and the sentence-level units of lines a crawler collapsed.

`restore_breaks(text)` turns runs of spaces that stood for line breaks into "\\n";
`lines(text)` gives each line with its offset; `units(text, lines)` splits every long line
that shows a glued sentence end or a furniture cue (`lexicon.COLLAPSE_CUE`) at Korean sentence
ends (glued ones too) and furniture boundaries (`lexicon.UNIT_BREAKS`). Other lines are one
unit each, so pages with real line breaks are judged line by line as before.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import regex

from .lexicon import (
    CLOSE,
    COLLAPSE_SHAPES,
    FURNITURE_SHAPES,
    LOST_BREAK,
    MIDLINE_DATELINE,
    UNIT_BREAKS,
)

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
# the characters of `lexicon.CLOSE` (a class of literals: each is in its source)
_CLOSE = frozenset(c for c in CLOSE if re.fullmatch(CLOSE, c))


# The furniture breaks of `lexicon.UNIT_BREAKS` whose every match is tried from one of these
# characters (a bracket, a mark) or from the run of spaces right before one: ``regex`` would
# try every character of the line; they are tried there only. (Other breaks: every character.)
_ANCHORS: dict[tuple[str, ...], re.Pattern[str]] = {
    ("[", "［"): re.compile(r"[\[［]"),
    ("기자",): re.compile(r"[\[［(<]"),
    ("▶", "▷", "☞", "※"): re.compile(r"[※(▶▷☞]"),
    ("바로", "구독"): re.compile(r"\["),
    ("저작권자", "ⓒ", "©"): re.compile(r"[<\[(ⓒ©]|저작권자"),
    ("=",): re.compile(r"[\[(【<]"),
}
# What `regex` counts as \s: the run of spaces before an anchor.
_RX_SPACE = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    map(chr, range(0x2000, 0x200B))
)


def _breaks(line: str, cues: tuple[str, ...], pattern: regex.Pattern[str]) -> list[tuple[int, int]]:
    """The spans ``pattern.finditer(line)`` gives."""
    if cues != _STOP_CUES:
        anchor = _ANCHORS.get(cues)
        if anchor is None:
            return [m.span() for m in pattern.finditer(line)]
        starts = []
        for m in anchor.finditer(line):
            a = m.start()
            starts.append(a)
            while a > 0 and line[a - 1] in _RX_SPACE:
                a -= 1
                starts.append(a)
        return _tried_at(line, pattern, sorted(set(starts)))
    # right after a stop, and after each closing quote or bracket that follows it
    starts = []
    n = len(line)
    for m in _STOP.finditer(line):
        a = m.start() + 1
        starts.append(a)
        for _ in range(_STOP_REACH - 1):
            if a >= n or line[a] not in _CLOSE:
                break
            a += 1
            starts.append(a)
    return _tried_at(line, pattern, sorted(set(starts)))


def _tried_at(line: str, pattern: regex.Pattern[str], starts: list[int]) -> list[tuple[int, int]]:
    """``pattern.finditer(line)`` when a match can only be tried from ``starts`` (ascending).

    As finditer does, the next match is tried where the last one ended; after a match that
    left nothing (an empty span, or all of it before ``\\K``) it must move on from there."""
    spans: list[tuple[int, int]] = []
    pos, advance = 0, False
    i, n = 0, len(starts)
    while i < n:
        p = starts[i]
        if p < pos:
            i += 1
            continue
        m = (_advancing(pattern) if advance and p == pos else pattern).match(line, p)
        if m is None:
            i += 1
            continue
        spans.append(m.span())
        pos, advance = m.end(), m.start() == m.end()
        if pos > p:
            i += 1  # else: tried again at p, for a match that moves on
    return spans


_ADVANCING: dict[regex.Pattern[str], regex.Pattern[str]] = {}


def _advancing(pattern: regex.Pattern[str]) -> regex.Pattern[str]:
    """``pattern`` where a match must end past where it was tried (``(?!\\G)``)."""
    adv = _ADVANCING.get(pattern)
    if adv is None:
        adv = _ADVANCING[pattern] = regex.compile(f"(?:{pattern.pattern})(?!\\G)", pattern.flags)
    return adv


# A bracketed byline between a deck and the lede on one line: "…함께 변론[한빛일보 홍길동 기자]
# 국민의힘 …" (text on both sides; a byline opening or closing a line is trimmed as it is).
_GLUED_BYLINE = regex.compile(
    r"\S\s*[\[［]\s*(?:[가-힣A-Za-z0-9]{1,12}\s*){0,2}[가-힣]{2,4}\s*기자\s*[\]］]\s*[가-힣A-Za-z0-9\"'“‘]"
)


def _worth_splitting(line: str, collapsed: bool) -> bool:
    """A page collapsed onto one line, a long line with a glued stop or furniture cue, or on
    a collapsed page a line of any length with furniture glued together (e-mail, ▶, ©)."""
    if len(line) > SEGMENT_MIN:
        return len(line) >= PAGE_LINE or _cue(line, COLLAPSE_SHAPES)
    if "기자" in line and _GLUED_BYLINE.search(line) is not None:
        return True  # a deck, a bracketed byline and the lede on one line, however short
    return collapsed and _cue(line, FURNITURE_SHAPES)


def _cue(line: str, shapes: re.Pattern[str]) -> bool:
    """`lexicon.COLLAPSE_CUE` / `FURNITURE_CUE` finds something in ``line`` (their dateline
    branch only where an "=" stands)."""
    return shapes.search(line) is not None or (
        "=" in line and MIDLINE_DATELINE.search(line) is not None
    )
