"""Unicode repair and canonical form for Korean news text.

`normalize(text)` returns a `Normalized`: the repaired text plus the names of the steps that
changed it and warnings about damage it could not repair. Every step is skipped when a cheap
check shows the text does not need it, so clean text costs one regex scan and an NFC check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ftfy
from ftfy.chardata import UTF8_DETECTOR_RE

__all__ = [
    "NORMALIZER_VERSION",
    "Normalized",
    "normalize",
    "repair_cp949",
    "fold_key",
    "fold_keys",
]

# Bump when the output of `normalize` changes for some input: stored signatures depend on it.
NORMALIZER_VERSION = 1

# Every ftfy option set on purpose (ftfy 6.3).
_FTFY = ftfy.TextFixerConfig(
    unescape_html=True,  # plain text, never markup: "&amp;" and "&#8220;" are always entities
    remove_terminal_escapes=True,  # ANSI colour codes from crawler logs
    fix_encoding=True,  # UTF-8 read as Windows-1252 / Latin-1 ("ì•žì„œ" -> "앞서")
    restore_byte_a0=True,  # mojibake whose 0xA0 byte became a plain space
    replace_lossy_sequences=True,  # unrecoverable mojibake pieces -> U+FFFD (then flagged)
    decode_inconsistent_utf8=True,  # mojibake mixed into otherwise fine text
    fix_c1_controls=True,  # stray C1 controls are Windows-1252 bytes
    fix_latin_ligatures=False,  # irrelevant for Korean; keep Latin text as written
    fix_character_width=False,  # would turn CJK full-width punctuation into ASCII
    uncurl_quotes=False,  # quote folding is ours (see _CHAR_MAP), with the CJK variants
    fix_line_breaks=True,  # CRLF, U+2028 and friends -> "\n"
    fix_surrogates=True,  # UTF-16 surrogate pairs from JSON escapes
    remove_control_chars=True,  # C0 controls, BOM, bidi marks
    normalization="NFC",  # Hangul must never come out decomposed
    max_decode_length=1_000_000,
    explain=False,
)

# Characters that may belong to mojibake: Latin-1 / Windows-1252 high characters.
_CP1252_HIGH = (
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_HIGH = "\u0080-\u00ff" + _CP1252_HIGH
# The cheap test that decides whether the repair steps run at all: a UTF-8 lead byte followed
# by a continuation byte (as Latin-1 / Windows-1252), two high Latin-1 characters in a row
# (CP949 bytes), an HTML entity, a terminal escape, a C1 control or a lone surrogate.
_MOJIBAKE_HINT = re.compile(
    f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]|[\u00a1-\u00fe]{{2}}"
    "|&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[\x1b\u0080-\u009f\ud800-\udfff]"
)
# A necessary condition for _MOJIBAKE_HINT that the standard library's `re` tests in one fast
# scan of a character class: some character of the hint other than "·" (Korean text is full of
# middle dots), or two middle dots in a row.
_MAYBE_DAMAGED = re.compile("[&\x1b\u0080-\u00b6\u00b8-\u00fe\ud800-\udfff]")
# A maximal stretch of text that could be CP949 bytes shown as Latin-1 / Windows-1252, with
# at least two high characters (a lone "·" or accent is never repaired, so never looked at).
_LATIN_RUN = re.compile(
    f"(?<![\\x20-\\x7e{_HIGH}])[\\x20-\\x7e]*+(?:[{_HIGH}][\\x20-\\x7e]*+){{2,}}"
)
_HANGUL = re.compile("[\uac00-\ud7a3]")

_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\uff02\u301d\u301e"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\uff07"
_MIDDLE_DOTS = "\u318d\u2027\u30fb\uff65"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_ODD_SPACES = "\u00a0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000\t\v\f"

_CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\n\t\v\f")
_LINE_BREAKS = "\u2028\u2029\u0085"
_CHAR_MAP = {
    **{ord(c): None for c in _ZERO_WIDTH + _CONTROLS},
    **{ord(c): "\n" for c in _LINE_BREAKS},
    **{ord(c): " " for c in _ODD_SPACES},
    **{ord(c): "\u00b7" for c in _MIDDLE_DOTS},
}
_QUOTE_MAP = {**{ord(c): '"' for c in _DOUBLE_QUOTES}, **{ord(c): "'" for c in _SINGLE_QUOTES}}
# Every pattern of this module uses the standard library's `re`: its scans of character classes
# (what the checks run on every text are) are several times faster than `regex`'s.
_NEEDS_MAP = re.compile(
    "[" + _ZERO_WIDTH + _ODD_SPACES + _MIDDLE_DOTS + _CONTROLS + _LINE_BREAKS + "]"
)
_NEEDS_QUOTES = re.compile("[" + _DOUBLE_QUOTES + _SINGLE_QUOTES + "]")
_SPACES = re.compile(r"[ ]{2,}")
_BLANK_LINES = re.compile(r"\n{2,}")


def _has_hint(text: str) -> bool:
    """``_MOJIBAKE_HINT.search(text) is not None``, tried only where a character of
    `_MAYBE_DAMAGED` stands (or the one before it): the hint's alternation has no first
    character `re` can scan for, and a text with a few such characters is common."""
    if "\u00b7\u00b7" in text:
        return True
    search, match = _MAYBE_DAMAGED.search, _MOJIBAKE_HINT.match
    m = search(text)
    while m is not None:
        i = m.start()
        if match(text, i) or (i and match(text, i - 1)):
            return True  # every hint holds such a character, at its start or second
        m = search(text, i + 1)
    return False


def _replace_each(text: str, chars: re.Pattern[str], table: Mapping[int, str | None]) -> str:
    """``text.translate(table)`` for a table of rare characters: only the ones ``chars`` finds
    are replaced (a translate walks every character through a dict, 20x slower)."""
    for c in set(chars.findall(text)):
        text = text.replace(c, table.get(ord(c)) or "")
    return text


def _map_characters(text: str) -> str:
    """Zero-width and control characters out, odd spaces and dots mapped, one space, no blank
    lines."""
    if not (
        _NEEDS_MAP.search(text)
        or "  " in text
        or "\n\n" in text
        or " \n" in text
        or "\n " in text
        or text.startswith((" ", "\n"))
        or text.endswith((" ", "\n"))
    ):
        return text
    out = _replace_each(text.replace("\r\n", "\n").replace("\r", "\n"), _NEEDS_MAP, _CHAR_MAP)
    # Each substitution only where it has something to do (a substitution scans all the text).
    if "  " in out:
        out = _SPACES.sub(" ", out)
    if " \n" in out or "\n " in out or out.startswith(" ") or out.endswith(" "):
        # no space at a line's start or end (``re.sub("^ +| +$", "", out, flags=re.M)``)
        out = "\n".join([line.strip(" ") for line in out.split("\n")])
    if "\n\n" in out:
        out = _BLANK_LINES.sub("\n", out)
    return out.strip("\n")


@dataclass(frozen=True)
class Normalized:
    """Text after repair and canonicalisation, with what changed it and what is still wrong."""

    text: str
    fixes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# Windows-1252's characters above U+00FF, each to the byte it stands for (as a character).
_CP1252_BYTES = {
    ord(c): chr(b)
    for b in range(0x80, 0xA0)
    for c in [bytes([b]).decode("cp1252", errors="ignore")]
    if c and ord(c) > 0xFF
}


def _latin_to_bytes(s: str) -> bytes | None:
    """The bytes ``s`` shows as Latin-1 / Windows-1252 text (None: it cannot be that)."""
    try:
        return s.translate(_CP1252_BYTES).encode("latin-1")
    except UnicodeEncodeError:
        return None


def _cp949_candidate(run: str) -> str | None:
    raw = _latin_to_bytes(run)
    if raw is None:
        return None
    high = {c for c in set(run) if c > "\x7f"}
    if len(high) < 3:
        return None  # "··" or "··· ···" are punctuation, not Korean bytes
    try:
        raw.decode("utf-8")
        return None  # valid UTF-8 bytes: UTF-8 mojibake, ftfy's job
    except UnicodeDecodeError:
        pass
    try:
        fixed = raw.decode("cp949")
    except UnicodeDecodeError:
        return None
    non_ascii = [c for c in fixed if ord(c) > 0x7F]
    if not non_ascii:
        return None
    hangul = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7a3")
    # CP949 mojibake of Korean decodes to mostly Hangul; Latin text that happens to decode
    # turns into Hanja or symbols and is left alone.
    if hangul < 2 or hangul < 0.7 * len(non_ascii):
        return None
    return fixed


def repair_cp949(text: str) -> str:
    """Repair CP949/EUC-KR bytes that were decoded as Latin-1 or Windows-1252.

    "´ëÀü¡¤¼¼Á¾" becomes "대전·세종". Only stretches that decode cleanly into mostly Hangul are
    replaced, so correct text (including Latin text with accents) is returned unchanged.
    """
    return _LATIN_RUN.sub(lambda m: _repair_run(m.group(), utf8=False), text)


def _repair_run(run: str, *, utf8: bool) -> str:
    if len(run) - len(run.encode("ascii", "ignore")) < 2:  # fewer than two non-ASCII
        return run
    # Keep leading/trailing plain spaces outside the decoded stretch.
    core = run.strip(" ")
    fixed = _cp949_candidate(core)
    if fixed is None and utf8:
        # UTF-8 read as Windows-1252 inside a line that also holds good Hangul: ftfy only sees
        # the whole line and gives up, so it gets the damaged stretch alone.
        candidate = ftfy.fix_encoding(core)
        fixed = candidate if candidate != core and _HANGUL.search(candidate) else None
    if fixed is None:
        return run
    lead = run[: len(run) - len(run.lstrip(" "))]
    trail = run[len(run.rstrip(" ")) :]
    return lead + fixed + trail


def _repair_stretches(text: str) -> str:
    """CP949 and UTF-8 mojibake repaired stretch by stretch (see `repair_cp949`)."""
    return _LATIN_RUN.sub(lambda m: _repair_run(m.group(), utf8=True), text)


# What ftfy may change in a line (entities, controls, line and paragraph separators, bidi and
# other format controls, BOM, surrogates); `_ftfy_leaves` also asks ftfy's own mojibake
# detector and NFC.
_FTFY_TOUCHES = re.compile(
    "[&\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u206a-\u206f\ufeff\ufff9-\ufffc\ud800-\udfff]"
)


def _ftfy_leaves(line: str) -> bool:
    """ftfy 6 returns this line unchanged: it holds Hangul (so no single-byte codec that
    ftfy re-decodes through can encode it), nothing its other fixers touch, no sequence
    its inconsistent-UTF-8 detector fixes, and it is NFC."""
    return (
        _HANGUL.search(line) is not None
        and _FTFY_TOUCHES.search(line) is None
        and UTF8_DETECTOR_RE.search(line) is None
        and unicodedata.is_normalized("NFC", line)
    )


def _fix_text(text: str) -> str:
    """``ftfy.fix_text(text, config=_FTFY)``, without the lines ftfy leaves alone: ftfy fixes
    each line on its own (lines up to ``max_decode_length``), so only the runs of lines that
    may change go to it. In a damaged article most lines are fine."""
    out: list[str] = []
    run: list[str] = []  # consecutive lines for ftfy
    lines = text.split("\n")
    last = len(lines) - 1
    for i, line in enumerate(lines):
        seg = line if i == last else line + "\n"
        if len(line) < _FTFY.max_decode_length and _ftfy_leaves(line):
            if run:
                out.append(ftfy.fix_text("".join(run), config=_FTFY))
                run = []
            out.append(seg)
        elif seg:
            run.append(seg)
    if run:
        out.append(ftfy.fix_text("".join(run), config=_FTFY))
    return "".join(out)


def normalize(text: str, *, fold_quotes: bool = True) -> Normalized:
    """Repair mojibake (UTF-8 and CP949), entities and odd characters; end in NFC.

    Steps: CP949-as-Latin-1 repair (ours), ftfy (only when the text shows mojibake, entities or
    escapes), zero-width and BOM removal, odd spaces to " ", middle-dot variants to "·",
    curly and full-width quotes to ASCII (``fold_quotes``), one space between words, no blank
    lines, NFC. Text containing U+FFFD (bytes lost by an earlier wrong decode, e.g. UTF-8 read
    as CP949) cannot be repaired: it is kept and a warning says so.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"normalize() takes str, not {type(text).__name__}; decode bytes first "
            "(e.g. data.decode('utf-8', errors='replace'))"
        )
    fixes: list[str] = []
    out = text
    repaired_last = True
    for _ in range(3):  # removing a character can expose more damage; stop at a fixpoint
        step = out
        damaged = _MAYBE_DAMAGED.search(step) or "\u00b7\u00b7" in step
        if not damaged and not repaired_last:
            # Last round only mapped characters, which leaves nothing to map again (the
            # mapping is idempotent) and, with no damage in sight, nothing to repair.
            break
        repaired_last = False
        if damaged and _has_hint(step):
            repaired_last = True
            # Stretch by stretch first (CP949 before ftfy, which would misread some CP949
            # byte pairs as UTF-8), then ftfy over the whole text.
            repaired = repair_cp949(step)
            if repaired != step and "cp949_mojibake" not in fixes:
                fixes.append("cp949_mojibake")
            stretch = _repair_stretches(repaired)
            if stretch != repaired and "utf8_mojibake" not in fixes:
                fixes.append("utf8_mojibake")
            repaired = stretch
            fixed = _fix_text(repaired)
            if fixed != repaired and "ftfy" not in fixes:
                fixes.append("ftfy")
            step = fixed
        mapped = _map_characters(step)
        if mapped != step and "characters" not in fixes:
            fixes.append("characters")
        if fold_quotes and _NEEDS_QUOTES.search(mapped):
            if "quotes" not in fixes:
                fixes.append("quotes")
            mapped = _replace_each(mapped, _NEEDS_QUOTES, _QUOTE_MAP)
        if mapped == out:
            break
        out = mapped
    if not unicodedata.is_normalized("NFC", out):
        fixes.append("nfc")
        out = unicodedata.normalize("NFC", out)
    warnings: tuple[str, ...] = ()
    if "\ufffd" in out:
        n = out.count("\ufffd")
        warnings = (
            f"unrepairable: {n} replacement character(s) U+FFFD; the source was decoded with "
            "the wrong codec (often UTF-8 read as CP949) and the lost bytes cannot be restored",
        )
    return Normalized(out, tuple(fixes), warnings)


def _key_kept_runs() -> re.Pattern[str]:
    """Runs of the characters `fold_key` keeps: the complement of one class of every BMP
    character it drops (punctuation, symbols, separators, controls, format characters, and ㆍ,
    a letter used as a middle dot). Joining what the standard library's `re` finds is 1.4x as
    fast as deleting the class with ``sub`` (fewer, longer pieces), and twice as fast as a
    translate table."""
    drop = [cp for cp in range(0x10000) if _dropped_category(unicodedata.category(chr(cp)))]
    drop.append(0x318D)
    drop.sort()
    spans: list[list[int]] = []
    for cp in drop:
        if spans and cp == spans[-1][1] + 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    cls = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in spans)
    return re.compile(f"[^{cls}]+")


def _dropped_category(category: str) -> bool:
    return category[0] in "PSZ" or category in ("Cc", "Cf")


_KEY_KEPT = _key_kept_runs()
_KEY_DROP_ASTRAL = re.compile(r"[^\u0000-\uffff]")


def fold_key(text: str) -> str:
    """A comparison key: NFC, lower case, without spaces, punctuation, symbols (so also
    without quote and middle-dot variants) or invisible characters."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    key = "".join(_KEY_KEPT.findall(text.replace(" ", "")))  # spaces first: longer runs
    if not key.isascii() and _KEY_DROP_ASTRAL.search(key):
        key = "".join(c for c in key if not _dropped_category(unicodedata.category(c)))
    return key.lower()


_KEY_SEP = "\ue000"  # private use: `fold_key` keeps it, and it is cased or combined with nothing


def fold_keys(texts: Sequence[str]) -> list[str]:
    """``[fold_key(t) for t in texts]``, folded as one text (one substitution, not one per
    text) and split again at a separator that no step of `fold_key` changes or moves."""
    if len(texts) < 2 or any(_KEY_SEP in t for t in texts):
        return [fold_key(t) for t in texts]
    return fold_key(_KEY_SEP.join(texts)).split(_KEY_SEP)
