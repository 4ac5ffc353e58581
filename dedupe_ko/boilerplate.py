"""The boilerplate rule engine. The catalogue itself is data: ``rules/default.toml``.

A `RuleSet` is loaded once (`load_rules`) and applied line by line (`RuleSet.strip_line`).
Every rule has a `kind` (`KINDS`): the one placement of furniture it describes (a whole line,
a line's start or end, the ends of a collapsed page, beside a credit, before or after the
body). Loading validates each rule (types, unknown and retired fields, its examples act, its
counter-examples do not); `RuleSet` sorts the rules by kind, in one place, for the matcher.
Rules never see more than one line, so a mistaken rule can cost at most that line, and prefix
and suffix rules trim furniture from the ends of a line while the body in between stays.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import regex

from .lexicon import CAPTION_END, INNER_SENTENCE, NEWS_END, SENTENCE_SPLIT, VIEW_END, VOCAB
from .lexicon import is_sentence as is_sentence
from .prefilter import (
    EDGE_CHARS,
    admitted,
    edge_checks,
    edge_gate,
    first_chars,
    last_chars,
    necessary,
    on_re,
    whole_chars,
)

__all__ = [
    "CATEGORIES",
    "KINDS",
    "Cut",
    "Kind",
    "Rule",
    "RuleError",
    "RuleSet",
    "load_rules",
]

_DEFAULT_MAX_CHARS = 200
_TAIL = 400
_TRAILING_SPACE = regex.compile(r"\s*$", regex.REVERSE)  # what a suffix pattern's \s*$ takes
_LEADING_SPACE = regex.compile(r"\s*")  # what a prefix pattern's ^\s* takes
_MEMO_CHARS = 120  # lines up to this long are remembered with their cuts
_MEMO_SIZE = 50_000
# Prefix rules are looked up by a piece's first two characters (pieces start in more ways
# than they end: a table of three would miss too often), suffix rules by the last three.
_HEAD_CHARS = 2
_HEAD_CATEGORIES = frozenset({"ui", "reaction", "timestamp"})
PAGE_CATEGORIES = frozenset({"ui", "reaction", "promo", "layout", "timestamp", "caption"})
"""Furniture of the page around an article (widgets, promos, captions): never a sentence of
running text."""
CATEGORIES = (
    "ui",
    "reaction",
    "timestamp",
    "wire",
    "byline",
    "copyright",
    "caption",
    "promo",
    "layout",
)
"""What a piece of furniture is; reported with every removal."""


class RuleError(ValueError):
    """A rule file or rule is malformed; the message names the file, the rule and the fix."""


@dataclass(frozen=True)
class Kind:
    """One placement of furniture, and how the matcher applies a rule of this kind.

    ``scope``: the pattern matches the whole unit ("line"), its start ("prefix") or its end
    ("suffix"). ``zone``: the units it may act on ("any"; "head" before the first body
    sentence, "tail" after the last, "body" with body text after it, "edge" the first / last
    line of a collapsed page). ``ends``: a whole-line kind that also trims the same furniture
    from the start and/or end of a collapsed page ("both", "start", "end"). ``near``: the rule
    needs ``Rule.near`` ("after": the line before was removed by one of them; "beside": the
    line after). ``caption``: a credit whose description (up to ``max_chars``) goes with it.
    """

    name: str
    doc: str
    scope: str = "line"
    zone: str = "any"
    ends: str = ""
    near: str = ""
    caption: bool = False


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("line", "the whole line is furniture: it is dropped"),
        Kind(
            "ends",
            "as line, and glued to either end of a page collapsed onto one line",
            ends="both",
        ),
        Kind("opening", "as line, and glued to the start of a collapsed page", ends="start"),
        Kind("closing", "as line, and glued to the end of a collapsed page", ends="end"),
        Kind("prefix", "trimmed from the start of a line", scope="prefix"),
        Kind("suffix", "trimmed from the end of a line", scope="suffix"),
        Kind(
            "page_start",
            "trimmed from the start of a collapsed page only",
            scope="prefix",
            zone="edge",
        ),
        Kind(
            "caption",
            "a credit at a line's end; a one-sentence description of at most "
            "max_chars before it goes with it",
            scope="suffix",
            caption=True,
        ),
        Kind("context", "a whole line right after a line removed by a rule in near", near="after"),
        Kind(
            "beside",
            "a whole line right above a line removed whole by a rule or category "
            "in near, with body text after it",
            near="beside",
        ),
        Kind("inside", "a whole line with body text after it", zone="body"),
        Kind("head", "a whole line before the first body sentence", zone="head"),
        Kind("tail", "a whole line after the last body sentence", zone="tail"),
    )
}
"""The closed set of rule kinds, by name; a rule file's ``kind`` is one of these."""

_FIELDS = frozenset(
    {
        "id",
        "category",
        "kind",
        "pattern",
        "max_chars",
        "near",
        "requires",
        "examples",
        "counter_examples",
        "note",
    }
)
_RETIRED = ("scope", "zone", "edge", "after", "beside", "caption_max")


@dataclass(frozen=True)
class Rule:
    """One kind of furniture: what it is (``category``), where it stands (``kind``, one of
    `KINDS`) and what it looks like (``pattern``).

    ``scope``, ``zone``, ``edge``, ``after``, ``beside`` and ``caption_max`` are derived from
    the kind for the matcher; they are not fields of a rule file.
    """

    id: str
    category: str
    kind: str
    pattern: str
    max_chars: int = _DEFAULT_MAX_CHARS
    near: frozenset[str] = frozenset()
    requires: re.Pattern[str] | None = field(repr=False, compare=False, default=None)
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    compiled: regex.Pattern[str] = field(repr=False, compare=False, kw_only=True)
    edge_prefix: regex.Pattern[str] | None = field(repr=False, compare=False, default=None)
    edge_suffix: regex.Pattern[str] | None = field(repr=False, compare=False, default=None)
    edge_inner: regex.Pattern[str] | None = field(repr=False, compare=False, default=None)
    scope: str = field(init=False, repr=False, compare=False)
    zone: str = field(init=False, repr=False, compare=False)
    edge: bool = field(init=False, repr=False, compare=False)
    after: frozenset[str] = field(init=False, repr=False, compare=False)
    beside: frozenset[str] = field(init=False, repr=False, compare=False)
    caption_max: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        k = KINDS[self.kind]
        derived = {
            "scope": k.scope,
            "zone": k.zone,
            "edge": bool(k.ends),
            "after": self.near if k.near == "after" else frozenset(),
            "beside": self.near if k.near == "beside" else frozenset(),
            "caption_max": self.max_chars if k.caption else 0,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Cut:
    """A piece of one line that a rule removes: ``[start, end)`` relative to the line."""

    rule: Rule
    start: int
    end: int


def _expand(pattern: str, vocab: dict[str, str], where: str) -> str:
    def sub(m: regex.Match[str]) -> str:
        name = m.group(1)
        if name not in vocab:
            raise RuleError(f"{where}: unknown vocabulary entry {{{name}}}; define it in [vocab]")
        return vocab[name]

    return regex.sub(r"\{([a-z_]+)\}", sub, pattern)


def _vocab_entry(key: str, value: object, where: str) -> str:
    if key.endswith("_re"):
        if not isinstance(value, str):
            raise RuleError(f"{where}: [vocab] {key} must be a regular expression string")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: [vocab] {key} must be a list of phrases (or end in _re)")
    # Longest first, so "공유하기" is tried before "공유"; a space matches any spacing.
    phrases = sorted(set(value), key=len, reverse=True)
    return "|".join(r"\s*".join(regex.escape(w) for w in p.split()) for p in phrases)


def _old_kind(raw: dict) -> str | None:
    """The kind that does what a rule of the old schema (scope, zone, edge, after, beside,
    caption_max) did; None for a combination that no kind covers."""
    scope, zone, edge = raw.get("scope", "line"), raw.get("zone", "any"), raw.get("edge", False)
    after, beside, caption = raw.get("after"), raw.get("beside"), raw.get("caption_max")
    if after or beside:
        plain = scope == "line" and zone == "any" and not edge and not (after and beside)
        return ("context" if after else "beside") if plain else None
    if scope == "suffix" and zone == "any" and not edge:
        return "caption" if caption else "suffix"
    if scope == "prefix" and not edge and not caption:
        return {"any": "prefix", "edge": "page_start"}.get(zone)
    if scope != "line" or caption:
        return None
    if zone == "any":
        return {True: "ends", "prefix": "opening", "suffix": "closing", False: "line"}.get(edge)
    return None if edge else {"head": "head", "tail": "tail", "body": "inside"}.get(zone)


def _migration(raw: dict, loc: str) -> str:
    """The error for a rule that still uses the old schema: what to write instead."""
    old = [f for f in _RETIRED if f in raw]
    kind = _old_kind(raw)
    if kind is None:
        return (
            f"{loc}: the fields {', '.join(old)} were replaced by kind, and no kind does what "
            f"this combination did; pick one of {', '.join(KINDS)} (docs/cleaning.md)"
        )
    extra = []
    near = raw.get("after") or raw.get("beside")
    if near:
        extra.append(f"near = {list(near)!r}")
    if raw.get("caption_max"):
        extra.append(f"max_chars = {raw['caption_max']!r} (the longest description)")
    fix = f'kind = "{kind}"' + "".join(f", {e}" for e in extra)
    return (
        f"{loc}: {', '.join(old)} {'is' if len(old) == 1 else 'are'} no longer rule fields "
        f"(a rule's kind says where it acts): remove {'it' if len(old) == 1 else 'them'} and "
        f"write {fix}"
    )


def _strings(raw: dict, name: str, loc: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{loc}: {name} must be a list of non-empty strings")
    return tuple(value)


def _parse_rule(raw: dict, vocab: dict[str, str], where: str) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: every [[rule]] must be a table of fields")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise RuleError(f"{where}: every [[rule]] needs an id")
    loc = f"{where}: rule {rid!r}"
    if any(f in raw for f in _RETIRED):
        raise RuleError(_migration(raw, loc))
    unknown = set(raw) - _FIELDS
    if unknown:
        raise RuleError(f"{loc}: unknown field(s) {sorted(unknown)}; a rule has {sorted(_FIELDS)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        said = "needs a kind" if kind is None else f"kind {kind!r} is not one of the kinds"
        raise RuleError(f'{loc}: {said}: one of {", ".join(KINDS)} ("line" drops a whole line)')
    spec = KINDS[kind]
    category = raw.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"{loc}: category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    if not isinstance(raw.get("pattern"), str) or not raw["pattern"]:
        raise RuleError(f"{loc}: needs a pattern (a regex string)")
    max_chars = raw.get("max_chars", _DEFAULT_MAX_CHARS)
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
        raise RuleError(f"{loc}: max_chars must be a positive whole number, not {max_chars!r}")
    near = _strings(raw, "near", loc)
    if bool(spec.near) != bool(near):
        raise RuleError(
            f"{loc}: near (a list of rule ids) is for the kinds context and beside, and they "
            "need it"
        )
    if "note" in raw and not isinstance(raw["note"], str):
        raise RuleError(f"{loc}: note must be a string")
    source = _expand(raw["pattern"], vocab, loc)
    try:
        if spec.scope == "line":
            compiled = regex.compile(rf"(?:{source})")
        elif spec.scope == "prefix":
            compiled = regex.compile(rf"^\s*(?:{source})")
        else:
            # Matched backwards from the line end (`match` of a REVERSE pattern is anchored
            # there): the same (longest) match as a forward search, at the cost of the match.
            compiled = regex.compile(rf"(?:{source})\s*$", regex.REVERSE)
        edge_prefix = edge_suffix = edge_inner = None
        # The same furniture at the start or end of a page that was collapsed onto one line.
        if spec.ends in ("both", "start"):
            edge_prefix = regex.compile(rf"^\s*(?:{source})(?=\s)")
            edge_inner = regex.compile(rf"(?<=\s)(?:{source})(?=\s)")
        if spec.ends in ("both", "end"):
            edge_suffix = regex.compile(rf"(?:(?<=[\s.!?\"')\]])|^)(?:{source})\s*$", regex.REVERSE)
    except regex.error as e:
        raise RuleError(f"{loc}: pattern does not compile: {e}") from e
    rule = Rule(
        id=rid,
        category=category,
        kind=kind,
        pattern=raw["pattern"],
        max_chars=max_chars,
        near=frozenset(near),
        requires=_compile_requires(raw.get("requires"), vocab, loc),
        edge_prefix=edge_prefix,
        edge_suffix=edge_suffix,
        edge_inner=edge_inner,
        examples=_strings(raw, "examples", loc),
        counter_examples=_strings(raw, "counter_examples", loc),
        compiled=compiled,
    )
    for example in rule.examples:
        if not _removes(rule, example, _EXAMPLE_ZONES):
            raise RuleError(f"{loc}: does not remove its example {example!r}; fix the pattern")
    for counter in rule.counter_examples:
        if _removes(rule, counter, _counter_zones(counter)):
            raise RuleError(
                f"{loc}: removes its counter-example {counter!r}; narrow the pattern or max_chars"
            )
    return rule


_EXAMPLE_ZONES = frozenset({"any", "head", "tail", "body", "first", "last"})
_COLLAPSED = 300  # a line this long is a page collapsed onto one line (passes.COLLAPSED_CHARS)


def _counter_zones(line: str) -> frozenset[str]:
    """The zones a line gets that is alone on its page (an end of a collapsed page when long)."""
    return frozenset(
        {"any", "head", "tail"} | ({"first", "last"} if len(line) > _COLLAPSED else set())
    )


def _removes(rule: Rule, line: str, zones: frozenset[str]) -> bool:
    """Whether ``rule`` alone, applied where its kind acts, removes any text of ``line``; the
    line is taken to be in ``zones`` (and next to what ``near`` names)."""
    alone = RuleSet((rule,), on_re=False)
    if rule.kind in ("head", "tail"):
        return alone.layout_rule(line, rule.zone) is not None
    if rule.kind == "beside":
        return len(line) <= rule.max_chars and rule.compiled.fullmatch(line) is not None
    after = min(rule.near) if rule.kind == "context" else None
    cuts, _, _ = alone.strip_line(line, zones, after=after)
    return any(line[c.start : c.end].strip() for c in cuts)


def _compile_requires(source: object, vocab: dict[str, str], loc: str) -> re.Pattern[str] | None:
    """The quick pre-check: the standard library's `re` finds a few literals faster."""
    if source is None:
        return None
    if not isinstance(source, str):
        raise RuleError(f"{loc}: requires must be a pattern string")
    try:
        return re.compile(_expand(source, vocab, loc))
    except re.error as e:
        raise RuleError(f"{loc}: requires does not compile with Python's re: {e}") from e


def _read_toml(path: Path | None) -> tuple[dict, str]:
    if path is None:
        text = resources.files("dedupe_ko").joinpath("rules/default.toml").read_text("utf-8")
        return tomllib.loads(text), "rules/default.toml"
    try:
        return tomllib.loads(Path(path).read_text("utf-8")), str(path)
    except FileNotFoundError as e:
        raise RuleError(f"rule file {path} not found") from e
    except tomllib.TOMLDecodeError as e:
        raise RuleError(f"rule file {path} is not valid TOML: {e}") from e


@dataclass(frozen=True)
class RuleSet:
    """The rules in force, grouped by kind for the matcher. Build it with `load_rules`."""

    rules: tuple[Rule, ...]
    on_re: bool = field(default=True, compare=False)
    """Run each pattern on its `re` twin where it has one (`prefilter.on_re`): the same
    matches, found several times faster. False: on `regex` only (loading checks a rule's
    examples so, without compiling twins it may never use)."""

    def __post_init__(self) -> None:
        # The one dispatch on kind: which matcher path sees which rules (catalogue order kept).
        def of(*kinds: str) -> tuple[Rule, ...]:
            return tuple(r for r in self.rules if r.kind in kinds)

        line = of("line", "ends", "opening", "closing", "context", "inside")
        object.__setattr__(self, "_line", line)
        object.__setattr__(
            self,
            "_line_in_body",
            tuple(r for r in line if r.category not in PAGE_CATEGORIES),
        )
        object.__setattr__(self, "_beside", of("beside"))
        object.__setattr__(self, "_layout", of("head", "tail"))
        object.__setattr__(self, "_prefix", of("prefix", "page_start"))
        object.__setattr__(self, "_suffix", of("suffix", "caption"))
        object.__setattr__(self, "_edge", of("ends", "opening", "closing"))
        # Short lines (menus, credits, footers) recur across a corpus: their cuts are kept.
        object.__setattr__(self, "_memo", {})
        # A whole-line pattern backtracks through a line before it fails: its rule's quick
        # check (``requires``, else what every match holds, `prefilter.necessary`) runs first.
        # (Prefix and suffix patterns are anchored at one end and fail faster than a check.)
        whole = [r for r in self.rules if r.scope == "line" and not r.beside]
        object.__setattr__(
            self, "_gate", {r.id: r.requires or necessary(r.compiled) for r in whole}
        )
        # ... and only on a line whose first and last characters can start and end a match.
        object.__setattr__(self, "_bounds", {r.id: whole_chars(r.compiled) for r in whole})
        ends = {r.id: last_chars(r.compiled) for r in self.rules if r.scope == "suffix"}
        starts = {r.id: first_chars(r.compiled) for r in self.rules if r.scope == "prefix"}
        # A suffix pattern runs only on a window whose last non-space character can end it,
        # a prefix pattern only on a piece whose first non-space character can start it.
        object.__setattr__(self, "_ends", ends)
        object.__setattr__(self, "_starts", starts)
        # Each pattern runs on `re` where `re` reads it the same (`prefilter.on_re`): the
        # same matches, found several times faster. Reverse (suffix) patterns stay on `regex`.
        fast = {
            (r.id, a): _on_re(getattr(r, a), self.on_re)
            for r in self.rules
            for a in ("compiled", "edge_prefix", "edge_inner")
        }
        object.__setattr__(self, "_twins", [t for t in fast.values() if isinstance(t, _OnRe)])
        gate, bounds = self._gate, self._bounds  # type: ignore[attr-defined]

        def plan(rules: tuple[Rule, ...]) -> tuple[tuple, ...]:
            return tuple(
                (r, r.max_chars, r.after, r.zone, *bounds[r.id], gate[r.id], fast[r.id, "compiled"])
                for r in rules
            )

        # The rules that can act on a piece, by the characters at its ends (filled as pieces
        # come): one dict look-up instead of a class test per rule and piece.
        object.__setattr__(self, "_line_by_ends", {})
        object.__setattr__(self, "_line_static", {})  # (in_body, size, zones, after) -> mask
        # the rules a context rule fires after (any other ``after`` reads as None)
        object.__setattr__(self, "_line_near", frozenset(n for r in line for n in r.after))
        object.__setattr__(self, "_line_sizes", sorted({r.max_chars for r in line}))
        # ... by way of which whole-line rules a character can start / end (a bit per rule):
        # characters are many, the sets of rules they leave are few.
        object.__setattr__(self, "_line_starts", {})
        object.__setattr__(self, "_line_ends", {})
        object.__setattr__(self, "_prefix_by_first", {})
        object.__setattr__(self, "_suffix_by_last", {})
        # (rule id, at its end) -> `edge_checks`; a literal check's source -> its pattern
        object.__setattr__(self, "_edge_checks", {})
        object.__setattr__(self, "_literal_checks", {})
        object.__setattr__(self, "_line_char_masks", {})  # (character, at end) -> mask
        object.__setattr__(self, "_line_gates", None)  # [(bit, gate at the end)], built once

        object.__setattr__(self, "_line_plan", plan(line))
        object.__setattr__(self, "_line_in_body_plan", plan(self._line_in_body))  # type: ignore[attr-defined]
        object.__setattr__(self, "_line_body_ok", frozenset(id(r) for r in self._line_in_body))  # type: ignore[attr-defined]
        object.__setattr__(
            self,
            "_prefix_plan",
            tuple((r, r.zone, starts[r.id], fast[r.id, "compiled"]) for r in self._prefix),  # type: ignore[attr-defined]
        )
        object.__setattr__(
            self,
            "_edge_plan",
            tuple(
                (r, fast[r.id, "edge_prefix"], fast[r.id, "edge_inner"])
                for r in self._edge  # type: ignore[attr-defined]
                if r.edge_prefix is not None and r.edge_inner is not None
            ),
        )
        object.__setattr__(self, "_fast", {r.id: fast[r.id, "compiled"] for r in self.rules})

    def compile(self) -> RuleSet:
        """Compile now the `re` twins that are otherwise compiled on first use (~0.5 s for
        the built-in catalogue): for a process that forks workers, or before timing."""
        for twin in self._twins:  # type: ignore[attr-defined]
            twin.match  # noqa: B018 - the first attribute access compiles
        for rule in self._suffix + self._edge:  # type: ignore[attr-defined]
            self._edge_check(rule, "", at_end=True)
        for rule in self._prefix:  # type: ignore[attr-defined]
            self._edge_check(rule, "", at_end=False)
        self._line_tail_gates()
        return self

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def strip_line(
        self,
        line: str,
        zones: frozenset[str] = frozenset({"any"}),
        after: str | None = None,
        in_body: bool = False,
    ) -> tuple[list[Cut], int, int]:
        """Cut furniture from one line; return the cuts and the kept ``[start, end)``.

        ``zones`` are the zones this line is in ("any" always; "head", "tail" where they
        apply; "first" / "last" when it is a long first / last line, a collapsed page).
        ``after`` is the id of the rule that removed the whole previous line, if any (rules
        with ``after`` only fire there). Prefix and suffix rules are applied until nothing
        more matches. ``in_body``: the line is a sentence inside running text, which no
        page-widget or caption line rule (`PAGE_CATEGORIES`) removes whole.
        """
        if len(line) > _MEMO_CHARS:
            return self._strip(line, zones, after, in_body)
        memo: dict = self._memo  # type: ignore[attr-defined]
        key = (line, zones, after, in_body)
        hit = memo.get(key)
        if hit is None:
            hit = _remember(memo, key, self._strip(line, zones, after, in_body))
        cuts, a, b = hit
        return list(cuts), a, b

    def _strip(
        self, line: str, zones: frozenset[str], after: str | None, in_body: bool = False
    ) -> tuple[list[Cut], int, int]:
        cuts: list[Cut] = []
        start, end = 0, len(line)
        while start < end:
            # Skip leading/trailing spaces left by a trim.
            while start < end and line[start] == " ":
                start += 1
            while end > start and line[end - 1] == " ":
                end -= 1
            if start >= end:
                break
            piece = line[start:end]
            whole = self._match_line(piece, zones, after, in_body)
            if whole is not None:
                cuts.append(Cut(whole, start, end))
                start = end
                break
            changed = False
            if piece[0] in _RX_SPACE:
                k = _LEADING_SPACE.match(piece).end()  # type: ignore[union-attr]
                first = piece[k] if k < len(piece) else ""
            else:
                first = piece[0]
            head = piece[:_HEAD_CHARS]
            by_first = self._prefix_by_first  # type: ignore[attr-defined]
            prefixes = by_first.get((head, first))
            if prefixes is None:
                # only the rules a match of which can start with these characters
                prefixes = _remember(
                    by_first,
                    (head, first),
                    tuple(
                        (rule, zone, fast, check)
                        for rule, zone, start_cls, fast in self._prefix_plan  # type: ignore[attr-defined]
                        if _fits(start_cls, first)
                        for ok, check in [self._edge_check(rule, head, at_end=False)]
                        if ok
                    ),
                )
            for rule, zone, fast, check in prefixes:
                if (
                    zone != "any"
                    and zone not in zones
                    and not (zone == "edge" and "first" in zones)
                ):
                    continue
                if check is not None and check.search(piece) is None:
                    continue
                m = fast.match(piece)
                if m and m.end() > 0:
                    cuts.append(Cut(rule, start, start + m.end()))
                    start += m.end()
                    changed = True
                    break
            if not changed and "first" in zones:
                # Page-head furniture of a collapsed page: the longest match wins.
                best: tuple[int, Rule] | None = None
                for rule, edge, _ in self._edge_plan:  # type: ignore[attr-defined]
                    m = edge.match(piece)
                    if m and rule.category == "ui" and " " not in m.group().strip():
                        continue  # one menu word could start a sentence ("공유 경제가 …")
                    if m and INNER_SENTENCE.search(m.group()):
                        continue  # furniture never holds a finished Korean sentence
                    if m and 0 < m.end() <= rule.max_chars and (best is None or m.end() > best[0]):
                        best = (m.end(), rule)
                if best is not None:
                    cuts.append(Cut(best[1], start, start + best[0]))
                    start += best[0]
                    changed = True
            if changed:
                continue
            # Furniture at a line's end is short: search only its last _TAIL characters, and
            # take the match that starts earliest (the longest piece of furniture).
            w0 = max(0, len(piece) - _TAIL)
            window = piece[w0:]
            found: tuple[int, Rule] | None = None
            if window[-1] in _RX_SPACE:
                n_end = _TRAILING_SPACE.match(window).start()  # type: ignore[union-attr]
                last = window[n_end - 1] if n_end else ""
            else:
                last = window[-1]
            tail = window[-EDGE_CHARS:]
            key = (tail, last, "last" in zones)
            by_last = self._suffix_by_last  # type: ignore[attr-defined]
            suffixes = by_last.get(key)
            if suffixes is None:
                # only the rules a match of which can end with these characters
                ends = self._ends  # type: ignore[attr-defined]
                suffixes = _remember(
                    by_last,
                    key,
                    tuple(
                        (rule, check)
                        for rule in (self._suffix + self._edge if key[2] else self._suffix)  # type: ignore[attr-defined]
                        if _fits(ends.get(rule.id), last)
                        for ok, check in [self._edge_check(rule, tail, at_end=True)]
                        if ok
                    ),
                )
            for rule, check in suffixes:
                if check is not None and check.search(window) is None:
                    continue  # no alternative that can end so finds its literals here
                m = _suffix_match(rule, window, zones)
                if m is not None and (
                    found is None
                    or m.start() < found[0]
                    # the same piece: a caption rule knows its description may go with it
                    or (m.start() == found[0] and rule.caption_max > found[1].caption_max)
                ):
                    found = (m.start(), rule)
            if found is not None:
                rule = found[1]
                cut_from = w0 + found[0]
                rest = piece[:cut_from].rstrip()
                if rule.caption_max and rest:
                    cut_from = _caption_start(rest, rule.caption_max, cut_from)
                cuts.append(Cut(rule, start + cut_from, end))
                end = start + cut_from
                changed = True
            if not changed:
                break
        return cuts, start, max(start, end)

    def _edge_check(
        self, rule: Rule, edge: str, at_end: bool
    ) -> tuple[bool, re.Pattern[str] | None]:
        """Whether a suffix (``at_end``) or prefix match of ``rule`` can end (start) with the
        characters ``edge``, and the literal check left for the text (`prefilter.edge_checks`
        of its alternatives, built on first use)."""
        checks = self._edge_checks  # type: ignore[attr-defined]
        key = (rule.id, at_end)
        if key not in checks:
            pattern = rule.edge_suffix if rule.scope == "line" else rule.compiled
            k = EDGE_CHARS if at_end else _HEAD_CHARS
            checks[key] = None if pattern is None else edge_checks(pattern, at_end, k)
        # ("$" also matches before a final line break, which the gates do not know)
        if at_end and edge.endswith("\n"):
            return True, None
        ok, literal = admitted(checks[key], edge[::-1] if at_end else edge)
        if literal is None:
            return ok, None
        compiled = self._literal_checks  # type: ignore[attr-defined]
        if literal not in compiled:
            compiled[literal] = re.compile(literal)
        return ok, compiled[literal]

    def layout_rule(self, line: str, zone: str) -> Rule | None:
        """The "layout" rule that removes ``line`` when it stands outside the body block:
        ``zone`` is "head" (before the first body sentence) or "tail" (after the last)."""
        for rule in self._layout:  # type: ignore[attr-defined]
            if (
                rule.zone == zone
                and len(line) <= rule.max_chars
                and self._fast[rule.id].fullmatch(line)  # type: ignore[attr-defined]
            ):
                return rule
        return None

    @property
    def has_beside(self) -> bool:
        return bool(self._beside)  # type: ignore[attr-defined]

    def beside_rule(self, line: str, neighbours: Iterable[Rule]) -> Rule | None:
        """The "beside" rule that removes ``line`` because the next line is furniture that
        ``neighbours`` removed (a photo description above its credit)."""
        names = {n for r in neighbours for n in (r.id, r.category)}
        for rule in self._beside:  # type: ignore[attr-defined]
            if (
                rule.beside & names
                and len(line) <= rule.max_chars
                and self._fast[rule.id].fullmatch(line)  # type: ignore[attr-defined]
            ):
                return rule
        return None

    def head_furniture_at(self, text: str) -> int | None:
        """Offset of the first page-head furniture (menu, reaction widget, timestamp) inside
        ``text``, after at least a few characters of other text; None if there is none."""
        best: int | None = None
        for rule, _, inner in self._edge_plan:  # type: ignore[attr-defined]
            if rule.category not in _HEAD_CATEGORIES:
                continue
            m = inner.search(text, 1)
            if m and (best is None or m.start() < best):
                best = m.start()
        return best

    def _line_mask(self, edge: str, at_end: bool) -> int:
        """Bit i set: whole-line rule i can match a piece that starts with the character
        ``edge`` (``at_end`` False: its first class) or ends with the characters ``edge``
        (its last class, then `prefilter.edge_gate`)."""
        ch = edge[-1] if at_end else edge[0]
        by_char = self._line_char_masks  # type: ignore[attr-defined]
        mask = by_char.get((ch, at_end))
        if mask is None:
            at = 5 if at_end else 4
            mask = 0
            for i, p in enumerate(self._line_plan):  # type: ignore[attr-defined]
                if _fits(p[at], ch):
                    mask |= 1 << i
            by_char[ch, at_end] = mask
        if not at_end:
            return mask
        inward = edge[::-1]  # what the gates read (`prefilter.edge_of`)
        for bit, gate in self._line_tail_gates():
            if mask & bit and gate.match(inward) is None:
                mask &= ~bit
        return mask

    def _line_tail_gates(self) -> list[tuple[int, re.Pattern[str]]]:
        """(bit, `prefilter.edge_gate` at the end) of each whole-line rule that has a gate."""
        gates = self._line_gates  # type: ignore[attr-defined]
        if gates is None:
            gates = [
                (1 << i, gate)
                for i, p in enumerate(self._line_plan)  # type: ignore[attr-defined]
                for gate in [edge_gate(p[0].compiled, at_end=True)]
                if gate is not None
            ]
            object.__setattr__(self, "_line_gates", gates)
        return gates

    def _line_static_mask(
        self, in_body: bool, size: int, zones: frozenset[str], after: str | None
    ) -> int:
        """Bit i set: whole-line rule i may act on a piece in ``zones`` whose length is in
        `_line_sizes` bucket ``size``, after a line ``after`` removed (``in_body``: a sentence
        inside running text, which no page widget or caption line rule removes)."""
        body_ok = self._line_body_ok  # type: ignore[attr-defined]
        least = self._line_sizes[size]  # type: ignore[attr-defined]
        mask = 0
        for bit, (r, max_chars, near, zone, *_) in enumerate(self._line_plan):  # type: ignore[attr-defined]
            if (
                (not in_body or id(r) in body_ok)
                and least <= max_chars
                # context rules fire only right after their rule, never before the body
                and not (near and (after not in near or "head" in zones))
                and (zone == "any" or zone in zones)
            ):
                mask |= 1 << bit
        return mask

    def _match_line(
        self, piece: str, zones: frozenset[str], after: str | None, in_body: bool = False
    ) -> Rule | None:
        n = len(piece)
        sizes = self._line_sizes  # type: ignore[attr-defined]
        size = bisect_left(sizes, n)
        if size == len(sizes):
            return None  # longer than every whole-line rule's max_chars
        # The rules its length (against their max_chars), its zones and the rule that removed
        # the line before it leave (a bit per rule; a few such masks), ...
        fixed = (in_body, size, zones, after if after in self._line_near else None)  # type: ignore[attr-defined]
        static = self._line_static.get(fixed)  # type: ignore[attr-defined]
        if static is None:
            static = self._line_static[fixed] = self._line_static_mask(*fixed)  # type: ignore[attr-defined]
        starts, ends = self._line_starts, self._line_ends  # type: ignore[attr-defined]
        # ... then those that can start with its first character (a table of three would miss
        # too often: pieces start in too many ways) ...
        a = starts.get(piece[0])
        if a is None:
            a = starts[piece[0]] = self._line_mask(piece[0], at_end=False)
        a &= static
        if not a:
            return None
        # ... and end with its last characters.
        tail = piece[-EDGE_CHARS:]
        b = ends.get(tail)
        if b is None:
            b = _remember(ends, tail, self._line_mask(tail, at_end=True))
        ab = a & b
        if not ab:
            return None
        cache = self._line_by_ends  # type: ignore[attr-defined]
        plan = cache.get(ab)
        if plan is None:
            plan = _remember(
                cache,
                ab,
                tuple(
                    (p[0], p[6], p[7])
                    for bit, p in enumerate(self._line_plan)  # type: ignore[attr-defined]
                    if ab >> bit & 1
                ),
            )
        for rule, quick, fast in plan:
            if quick is not None and quick.search(piece) is None:
                continue
            if fast.fullmatch(piece):
                return rule
        return None


_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    """``memo[key] = value``, the memo emptied first once it holds `_MEMO_SIZE` entries (the
    matcher's tables grow with the lines a long run meets)."""
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


def _fits(cls: re.Pattern[str] | None, ch: str) -> bool:
    """``ch`` can stand where the class ``cls`` (None: any character) stands."""
    return cls is None or cls.match(ch) is not None


# What `regex` counts as \s (Unicode White_Space): where a piece starts or ends with one, the
# pattern's own \s run is measured.
_RX_SPACE = frozenset(c for c in map(chr, range(0x3001)) if regex.match(r"\s", c))


class _OnRe:
    """A rule pattern with the ``match`` / ``fullmatch`` / ``search`` of its `re` twin
    (`prefilter.on_re`; itself when it has none), compiled on first use: `re` compiles the
    big vocabulary alternations slowly, and a run that never reaches a rule skips its cost."""

    def __init__(self, pattern: regex.Pattern[str]) -> None:
        self.pattern = pattern

    def __getattr__(self, name: str) -> Any:
        if name not in ("match", "fullmatch", "search"):
            raise AttributeError(name)
        fast = on_re(self.pattern) or self.pattern
        self.match, self.fullmatch, self.search = fast.match, fast.fullmatch, fast.search
        return getattr(fast, name)

    def __getstate__(self) -> dict[str, Any]:
        return {"pattern": self.pattern}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.pattern = state["pattern"]


def _on_re(pattern: regex.Pattern[str] | None, twin: bool) -> _OnRe | regex.Pattern[str] | None:
    return _OnRe(pattern) if twin and pattern is not None else pattern


def _suffix_match(rule: Rule, window: str, zones: frozenset[str]) -> regex.Match[str] | None:
    """Where ``rule`` finds furniture at the end of ``window`` (None: nowhere, or not here)."""
    if rule.scope == "line":  # an edge rule at the end of a collapsed page
        if rule.edge_suffix is None:
            return None
        m = rule.edge_suffix.match(window)  # REVERSE: anchored at the window's end
        if m and (m.end() - m.start() > rule.max_chars or INNER_SENTENCE.search(m.group())):
            return None
    else:
        if (
            rule.zone != "any"
            and rule.zone not in zones
            and not (rule.zone == "edge" and "last" in zones)
        ):
            return None
        if rule.requires is not None and not rule.requires.search(window):
            return None
        m = rule.compiled.match(window)  # REVERSE: anchored at the window's end
    return m if m and m.end() > m.start() else None


_NAME_CAPTION = 40  # "삼성 갤럭시S10 플러스", "홍길동 한빛시장": a caption that names, no more


def _caption_start(rest: str, limit: int, cut_from: int) -> int:
    """Where a photo credit's caption starts in the ``rest`` of its line: 0 when the rest is
    one caption-like sentence, the start of the last sentence when only that one describes a
    view (a caption glued to a body paragraph), else ``cut_from`` (the credit alone goes)."""
    if _is_caption_text(rest, limit):
        return 0
    last = SENTENCE_SPLIT.split(rest)[-1]
    if last != rest and len(last) <= limit and VIEW_END.search(last):
        return len(rest) - len(last)
    if (
        last != rest
        and len(last) <= _NAME_CAPTION
        and not NEWS_END.search(last)
        and (last[-1] not in ".!?")
    ):
        return len(rest) - len(last)  # a name or object glued after the last sentence
    return cut_from


def _is_caption_text(rest: str, limit: int) -> bool:
    """A photo description: one short sentence that reads like one ("…하고 있다.", "…
    청사 전경.", a phrase without a verb). A news sentence ("…라고 밝혔다.") glued to a
    credit is body text: only the credit goes."""
    if len(rest) > limit or len(SENTENCE_SPLIT.split(rest)) != 1:
        return False
    return bool(CAPTION_END.search(rest)) or not NEWS_END.search(rest)


def load_rules(
    files: Sequence[str | Path] = (),
    *,
    disabled: Iterable[str] = (),
    categories: Iterable[str] | None = None,
    include_default: bool = True,
) -> RuleSet:
    """Load the built-in catalogue, then each user file in turn.

    A user file may define ``[vocab]`` entries (added to or replacing built-in ones),
    ``[[rule]]`` entries (a rule whose id exists replaces it) and ``disable = ["id", ...]``.
    ``categories`` keeps only rules of those categories; ``disabled`` drops rules by id.
    """
    sources: list[tuple[dict, str]] = []
    if include_default:
        sources.append(_read_toml(None))
    sources.extend(_read_toml(Path(f)) for f in files)
    vocab = {
        k: _vocab_entry(k, list(v) if isinstance(v, tuple) else v, "lexicon")
        for k, v in VOCAB.items()
    }
    rules: dict[str, Rule] = {}
    origin: dict[str, str] = {}
    off = set(disabled)
    for data, where in sources:
        for key, value in data.get("vocab", {}).items():
            vocab[key] = _vocab_entry(key, value, where)
        dis = data.get("disable", [])
        if not isinstance(dis, list):
            raise RuleError(f"{where}: disable must be a list of rule ids")
        off.update(dis)
        for raw in data.get("rule", []):
            rule = _parse_rule(raw, vocab, where)
            rules[rule.id] = rule
            origin[rule.id] = where
    for rule in rules.values():
        lost = rule.near - set(rules) - (set(CATEGORIES) if rule.kind == "beside" else set())
        if lost:
            what = "rule ids or categories" if rule.kind == "beside" else "rule ids"
            raise RuleError(
                f"{origin[rule.id]}: rule {rule.id!r}: near names {sorted(lost)}, which are "
                f"not {what} in force"
            )
    unknown = off - set(rules)
    if unknown:
        raise RuleError(f"cannot disable unknown rule id(s) {sorted(unknown)}")
    keep = None if categories is None else set(categories)
    chosen = tuple(
        r for r in rules.values() if r.id not in off and (keep is None or r.category in keep)
    )
    return RuleSet(chosen)
