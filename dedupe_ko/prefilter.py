"""Quick checks before a rule's pattern runs: what every match of a pattern must contain.

`first_chars(pattern)` and `last_chars(pattern)` do the same for the start of a pattern
anchored at a text's start (``^\\s*…``) and the end of one anchored at its end (``…\\s*$``):
the characters its first (last) non-space character can be, one set lookup.

`on_re(pattern)` is the same pattern compiled by the standard library's `re`, whose
matcher backtracks several times faster than `regex` on the rules' patterns; None when `re`
might read it otherwise.

`edge_gate(pattern, at_end)` does it for the first (last) `EDGE_CHARS` characters of every
match: a `re` pattern that the text's first (last) few characters must fit, so a table keyed by
those characters can say which rules can act on a piece at all.

`necessary(pattern)` reads a compiled pattern's source and returns a standard-library `re`
pattern that finds one of the literal strings (or small character classes) that every match
holds, e.g. ``기자|특파원|@|\\d`` for a byline pattern. When its ``search`` finds nothing in a
text, the pattern cannot match anywhere in that text, so the rule engine skips it: the
answers are the same, the cost is one fast scan instead of a backtracking match. Patterns it
cannot read (syntax only the `regex` module knows, case-insensitive ones, ones whose every
match may be empty of literals) get None: they always run.
"""

from __future__ import annotations

import functools
import importlib
import re
import warnings
from typing import Any

import regex

__all__ = [
    "EDGE_CHARS",
    "Checks",
    "admitted",
    "edge_checks",
    "edge_gate",
    "edge_of",
    "first_chars",
    "last_chars",
    "necessary",
    "on_re",
    "whole_chars",
]

_c: Any
_p: Any
try:  # the standard library's own parser (Python 3.11+)
    _c = importlib.import_module("re._constants")
    _p = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python: no quick checks
    _c = _p = None

Atoms = set[tuple[str, float]]  # (re source of a literal or class, how selective it is)

_MIN_WEIGHT = 0.5  # a check on one digit or Latin letter still pays; one space or stop not
# Syntax that `re` reads differently from `regex` without an error: fuzzy-match constraints.
_FUZZY = re.compile(r"\{[^}]*[eids]\s*[<=>]")


def necessary(pattern: regex.Pattern[str] | re.Pattern[str]) -> re.Pattern[str] | None:
    """A `re` pattern that finds something in every text ``pattern`` matches (anywhere), or
    None when no useful such check is known."""
    tree = _tree(pattern)
    if tree is None:
        return None
    atoms = _sequence(list(tree))
    if atoms is None or _weight(atoms) < _MIN_WEIGHT:
        return None
    return re.compile("|".join(sorted({a for a, _ in atoms}, key=len, reverse=True)))


def _char_weight(ch: str) -> float:
    if "\uac00" <= ch <= "\ud7a3":
        return 1.0
    if ch.isascii() and ch.isalnum():
        return 0.5
    return 0.0 if ch.isspace() or ch in ".,·" else 0.7


def _literal(text: str) -> Atoms:
    return {(re.escape(text), sum(map(_char_weight, text)))}


def _weight(atoms: Atoms) -> float:
    return min(w for _, w in atoms)


def _sequence(items: list[tuple[Any, Any]]) -> Atoms | None:
    """Every match of a sequence holds a match of each item: the most selective item's atoms
    (runs of literal characters joined into one string)."""
    options: list[Atoms | None] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            options.append(_literal(run))
            run = ""
        options.append(_node(op, av))
    if run:
        options.append(_literal(run))
    found = [o for o in options if o]
    return max(found, key=_weight) if found else None


def _node(op: Any, av: Any) -> Atoms | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _sequence(list(sub))
    if op is _c.BRANCH:
        out: Atoms = set()
        for sub in av[1]:
            atoms = _sequence(list(sub))
            if atoms is None:
                return None  # this branch may match without any
            out |= atoms
        return out
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _sequence(list(sub)) if low >= 1 else None
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.ASSERT:  # a lookahead or lookbehind that must hold: its text is in the string
        return _sequence(list(av[1]))
    if op is _c.IN:
        return _char_class(av)
    if op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
        return {(r"\d", 0.5)}
    return None  # anything else may match any character, or none


def _char_class(items: list[tuple[Any, Any]]) -> Atoms | None:
    """A class of a few literals, short ranges and digits (not a negated or broad one)."""
    parts: list[str] = []
    weight = 1.0
    for op, av in items:
        if op is _c.LITERAL:
            parts.append(re.escape(chr(av)))
            weight = min(weight, _char_weight(chr(av)))
        elif op is _c.RANGE and av[1] - av[0] <= 10:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
            weight = min(weight, 0.5)
        elif op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
            parts.append(r"\d")
            weight = min(weight, 0.5)
        else:
            return None
    return {("[" + "".join(parts) + "]", weight)}


# Unicode White_Space (what `regex`'s \s matches) and the separators str.isspace adds.
_WHITE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_ANY = None  # a character set that may hold anything


def last_chars(pattern: regex.Pattern[str] | re.Pattern[str]) -> re.Pattern[str] | None:
    """For a pattern that ends in ``\\s*$``: a `re` character class that the last non-space
    character of every match fits, or None when it may be anything (or a space)."""
    return _edge_chars(pattern, at_end=True)


def first_chars(pattern: regex.Pattern[str] | re.Pattern[str]) -> re.Pattern[str] | None:
    """For a pattern that starts with ``^\\s*``: a `re` character class that the first
    non-space character of every match fits, or None when it may be anything (or a space)."""
    return _edge_chars(pattern, at_end=False)


def whole_chars(
    pattern: regex.Pattern[str] | re.Pattern[str],
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """For a pattern used with ``fullmatch``: `re` character classes that the first and the
    last character of every text it matches fit (None: any character)."""
    tree = _tree(pattern)
    if tree is None:
        return None, None
    items = list(tree)
    out: list[re.Pattern[str] | None] = []
    for at_end in (False, True):
        parts, nullable = _last(items, at_end)
        out.append(None if parts is _ANY or nullable or not parts else _class(parts))
    return out[0], out[1]


def _tree(pattern: regex.Pattern[str] | re.Pattern[str]) -> Any:
    """The standard library's parse of ``pattern``, or None when it reads it otherwise (read
    only: the parse is shared by every caller with the same source and flags)."""
    return _parse(pattern.pattern, pattern.flags)


# Pure functions of a pattern's source and flags, memoised as `re` memoises its compiles:
# loading a catalogue checks every rule's examples with rule sets of their own, which asked
# for the same parses and gates 6-20 times over (start-up 0.8 -> 1.9 CPU s per process).
_memo = functools.lru_cache(maxsize=2048)


@_memo
def _parse(source: str, flags: int) -> Any:
    if _p is None or flags & regex.IGNORECASE or _FUZZY.search(source):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = _p.parse(source)
    except Exception:  # noqa: BLE001 - syntax only `regex` knows
        return None
    return None if tree.state.flags & re.IGNORECASE else tree


def _class(parts: list[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(parts) + "]")


def _edge_chars(
    pattern: regex.Pattern[str] | re.Pattern[str], at_end: bool
) -> re.Pattern[str] | None:
    tree = _tree(pattern)
    if tree is None:
        return None
    items = list(tree)
    if not at_end:
        items.reverse()  # the start, read as the end of the reversed sequence
    if not items or items[-1][0] is not _c.AT:  # not anchored at that end
        return None
    while items and (items[-1][0] is _c.AT or _is_space_run(items[-1])):
        items.pop()
    if not at_end:
        items.reverse()
    parts, nullable = _last(items, at_end)
    if parts is _ANY or nullable or not parts:
        return None
    cls = _class(parts)
    if any(cls.match(c) for c in _WHITE):
        return None  # a match may end in a space the \s* beside it would have taken
    return cls


def _is_space_run(item: tuple[Any, Any]) -> bool:
    """``\\s*`` (or `` *``)."""
    op, av = item
    if op not in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) or av[0] != 0:
        return False
    sub = list(av[2])
    return len(sub) == 1 and (
        sub[0] == (_c.IN, [(_c.CATEGORY, _c.CATEGORY_SPACE)]) or sub[0] == (_c.LITERAL, 32)
    )


def _last(items: list[tuple[Any, Any]], at_end: bool = True) -> tuple[list[str] | None, bool]:
    """The class parts of what a match of ``items`` can end (``at_end``) or start with, and
    whether it can be empty."""
    out: list[str] = []
    for op, av in reversed(items) if at_end else items:
        parts, nullable = _last_node(op, av, at_end)
        if parts is _ANY:
            return _ANY, False
        out += parts
        if not nullable:
            return out, False
    return out, True


def _last_node(op: Any, av: Any, at_end: bool = True) -> tuple[list[str] | None, bool]:
    if op is _c.LITERAL:
        return [re.escape(chr(av))], False
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
        return [], True  # zero-width
    if op is _c.SUBPATTERN:
        return (_ANY, False) if av[1] & re.IGNORECASE else _last(list(av[3]), at_end)
    if op is _c.ATOMIC_GROUP:
        return _last(list(av), at_end)
    if op is _c.BRANCH:
        out: list[str] = []
        empty = False
        for sub in av[1]:
            parts, nullable = _last(list(sub), at_end)
            if parts is _ANY:
                return _ANY, False
            out += parts
            empty = empty or nullable
        return out, empty
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = av
        if high == 0:
            return [], True
        parts, nullable = _last(list(sub), at_end)
        return parts, nullable or low == 0
    if op is _c.IN:
        read = _class_parts(av)
        if read is None or read[1] or _SPACE_PART in read[0]:
            return _ANY, False  # negated, \w, \s...: leave it to the pattern
        return read[0], False
    if op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
        return [r"\d"], False
    return _ANY, False


# What `regex` means by \s (Unicode White_Space). `re` adds \x1c-\x1f (str.isspace): spelled
# out, the two modules match the same characters.
_SPACE_SET = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_TOKEN = re.compile(r"\\.|\[\^?\]?|\]|[^\\\[\]]+", re.S)
# Escapes whose meaning differs between the modules (word characters and boundaries, \p{…}
# properties, \X, \G, \L<…>, \m / \M word ends, \K): left to `regex`.
_OTHER_ESCAPES = set("wWbBpPXGLmMKhHvV")


def on_re(pattern: regex.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` compiled by `re`, when it matches exactly the same strings there: a
    pattern without regex-only syntax (reverse search, variable lookbehind, nested sets,
    properties, fuzzy matching), without case folding, whose only character categories are
    digits and spaces (``\\s`` spelled out as `regex`'s set). None otherwise."""
    if pattern.flags & ~(regex.V0 | regex.UNICODE):
        return None  # reverse search, case folding, multiline, ASCII, POSIX, …
    tree = _tree(pattern)
    if tree is None or tree.state.flags & ~re.UNICODE:
        return None  # inline flags: left to `regex`
    out: list[str] = []
    in_class = False
    for tok in _TOKEN.findall(pattern.pattern):
        if tok.startswith("\\") and len(tok) == 2:
            ch = tok[1]
            if ch in _OTHER_ESCAPES:
                return None
            if ch == "s":
                tok = _SPACE_SET if in_class else f"[{_SPACE_SET}]"
            elif ch == "S":
                if in_class:
                    return None
                tok = f"[^{_SPACE_SET}]"
        elif tok.startswith("["):
            if in_class:
                return None  # a nested set: `regex` V1 syntax or a literal "[": not ours
            in_class = True
        elif tok == "]":
            in_class = False
        out.append(tok)
    if in_class:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile("".join(out))
    except Exception:  # noqa: BLE001 - e.g. a lookbehind of variable width
        return None


EDGE_CHARS = 3  # how many characters at a match's edge `edge_gate` describes
_MAX_PATHS = 4000  # more shapes than this at an edge: no gate (it would not pay)


class _GiveUp(Exception):
    """A node `edge_gate` cannot read: the pattern gets no gate."""


def edge_gate(
    pattern: regex.Pattern[str] | re.Pattern[str], at_end: bool, k: int = EDGE_CHARS
) -> re.Pattern[str] | None:
    """A `re` pattern that ``match``es `edge_of` every string ``pattern`` matches in full (its
    first ``k`` characters, or its last ``k`` read from the end inwards when ``at_end``): when
    it fails there, the pattern cannot match a string with those edge characters. Zero-width
    assertions are ignored (a weaker gate, never a wrong one). None
    when the pattern is not read (syntax only `regex` knows, back references, too many shapes).
    """
    return _edge_gate(pattern.pattern, pattern.flags, at_end, k)


@_memo
def _edge_gate(source: str, flags: int, at_end: bool, k: int) -> re.Pattern[str] | None:
    tree = _parse(source, flags)
    if tree is None:
        return None
    try:
        return _compile_gate(_walk({()}, list(tree), k, at_end), at_end)
    except (_GiveUp, RecursionError):
        return None


def _compile_gate(paths: set[tuple[str, ...]], at_end: bool) -> re.Pattern[str] | None:
    if not paths or any(all(c == "." for c in p) for p in paths):
        return None  # a match may be empty, or end in anything: no gate
    return re.compile(_trie(sorted(paths)), re.S)


def _trie(paths: list[tuple[str, ...]]) -> str:
    """The paths (classes from the edge inwards) as one alternation that shares their edge
    classes: ``a(?:b|c)`` rather than ``ab|ac`` (`re` compiles and runs it much faster)."""
    heads: dict[str, list[tuple[str, ...]]] = {}
    for p in paths:
        if p:
            heads.setdefault(p[0], []).append(p[1:])
    alts = [""] if any(not p for p in paths) else []  # a path that ends here
    for cls, rest in heads.items():
        inner = _trie(rest)
        alts.append(f"{cls}(?:{inner})" if inner else cls)
    return "|".join(alts)


def edge_of(text: str, at_end: bool, k: int = EDGE_CHARS) -> str:
    """What an edge gate reads: the first ``k`` characters, or the last ``k`` from the end
    inwards (reversed, so that the gate is a ``match`` that fails on the first character)."""
    return text[-k:][::-1] if at_end else text[:k]


Checks = tuple[re.Pattern[str] | None, tuple[tuple[re.Pattern[str] | None, str | None], ...]]


def edge_checks(
    pattern: regex.Pattern[str] | re.Pattern[str], at_end: bool, k: int = EDGE_CHARS
) -> Checks | None:
    """`edge_gate` of the whole pattern, and `edge_gate` and `necessary` for each alternative
    of its first top-level choice (``P(?:A|B)Q`` is read as ``PAQ|PBQ``): ``(edge gate or
    None, source of the literal check or None)`` per alternative, for `admitted`. None when
    not read."""
    return _edge_checks(pattern.pattern, pattern.flags, at_end, k)


@_memo
def _edge_checks(source: str, flags: int, at_end: bool, k: int) -> Checks | None:
    tree = _parse(source, flags)
    if tree is None:
        return None
    whole = _edge_gate(source, flags, at_end, k)
    items = _flat(list(tree))
    at = next((i for i, (op, _) in enumerate(items) if op is _c.BRANCH), None)
    if at is None:
        seqs = [items]
    else:
        seqs = [items[:at] + _flat(list(alt)) + items[at + 1 :] for alt in items[at][1][1]]
    out: list[tuple[re.Pattern[str] | None, str | None]] = []
    for seq in seqs:
        try:
            gate = _compile_gate(_walk({()}, seq, k, at_end), at_end)
        except (_GiveUp, RecursionError):
            gate = None
        atoms = _sequence(seq)
        literal = None
        if atoms is not None and _weight(atoms) >= _MIN_WEIGHT:
            literal = "|".join(sorted({a for a, _ in atoms}, key=len, reverse=True))
        out.append((gate, literal))
    return whole, tuple(out)


def admitted(checks: Checks | None, edge: str) -> tuple[bool, str | None]:
    """Whether a match can have ``edge`` (`edge_of` the text) at that edge, by `edge_checks`,
    and then the source of the literal check the text must pass (None: no check)."""
    if checks is None:
        return True, None
    whole, alternatives = checks
    if whole is not None and whole.match(edge) is None:
        return False, None  # one pattern says no for all of them
    literals: set[str] = set()
    for gate, literal in alternatives:
        if gate is None or gate.match(edge):
            if literal is None:
                return True, None
            literals.add(literal)
    if not literals:
        return False, None
    return True, "|".join(sorted(literals))


def _flat(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Groups without flags opened into the sequence around them."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _c.SUBPATTERN and not av[1] and not av[2]:
            out += _flat(list(av[3]))
        else:
            out.append((op, av))
    return out


def _walk(paths: set[tuple[str, ...]], items: list[tuple[Any, Any]], k: int, at_end: bool) -> set:
    """Extend each path (the classes of the characters met so far, from the edge inwards) by
    a sequence of nodes; a path of ``k`` classes is complete."""
    for op, av in reversed(items) if at_end else items:
        done = {p for p in paths if len(p) >= k}
        open_ = paths - done
        if not open_:
            return paths
        paths = done | _node_paths(open_, op, av, k, at_end)
        if len(paths) > _MAX_PATHS:
            raise _GiveUp
    return paths


def _node_paths(paths: set, op: Any, av: Any, k: int, at_end: bool) -> set:
    if op is _c.LITERAL:
        cls = re.escape(chr(av))
        return {p + (cls,) for p in paths}
    if op in (_c.ANY, _c.NOT_LITERAL):
        return {p + (".",) for p in paths}
    if op is _c.IN:
        cls = _in_class(av)
        return {p + (cls,) for p in paths}
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
        return paths  # zero-width
    if op is _c.SUBPATTERN:
        if av[1] & re.IGNORECASE:
            raise _GiveUp
        return _walk(paths, list(av[3]), k, at_end)
    if op is _c.ATOMIC_GROUP:
        return _walk(paths, list(av), k, at_end)
    if op is _c.BRANCH:
        out: set = set()
        for sub in av[1]:
            out |= _walk(paths, list(sub), k, at_end)
        return out
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = av
        sub = list(sub)
        nullable = _last(sub)[1]
        out = set()
        cur = paths
        r = 0
        while True:
            if r >= low or nullable:
                out |= cur
            if r >= high or r > k:
                break
            if all(len(p) >= k for p in cur):
                out |= cur  # more repeats add nothing inside the edge
                break
            cur = _walk(cur, sub, k, at_end)
            r += 1
        return out
    raise _GiveUp


_SPACE_PART = "\x00"  # \s in `_class_parts`: each reader spells it as it needs


def _class_parts(items: list[tuple[Any, Any]]) -> tuple[list[str], bool] | None:
    """The parts of an IN node as `re` class source (literals, ranges, ``\\d``, and
    `_SPACE_PART` for ``\\s``) and whether the class is negated; None when it holds
    anything else (``\\w``, ``\\S``, …)."""
    parts: list[str] = []
    negated = False
    for o, a in items:
        if o is _c.NEGATE:
            negated = True
        elif o is _c.LITERAL:
            parts.append(re.escape(chr(a)))
        elif o is _c.RANGE:
            parts.append(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
        elif o is _c.CATEGORY and a is _c.CATEGORY_DIGIT:
            parts.append(r"\d")
        elif o is _c.CATEGORY and a is _c.CATEGORY_SPACE:
            parts.append(_SPACE_PART)
        else:
            return None
    return parts, negated


def _in_class(items: list[tuple[Any, Any]]) -> str:
    """A `re` class for an IN node, "." when it may be anything (\\w, \\S, …)."""
    read = _class_parts(items)
    if read is None:
        return "."
    parts, negated = read
    if negated:  # exactly `regex`'s \s: a wider set would take characters out of the class
        return "[^" + "".join(parts).replace(_SPACE_PART, _SPACE_SET) + "]"
    # `re`'s \s holds all of `regex`'s (and \x1c-\x1f): a wider gate, compiled faster
    return "[" + "".join(parts).replace(_SPACE_PART, r"\s") + "]"
