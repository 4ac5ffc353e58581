"""The page model: one `Page`, an ordered registry of named passes, one `Removal` type.

A `Page` holds the normalised text, its lines, and its units (whole lines, or the sentence-level
pieces of a line a crawler collapsed; see `dedupe_ko.segment`). Each pass in `PASSES` reads the
page and marks it: it trims or drops units and records a `Removal` for every span it takes.
``render`` turns what is left into the body and removals that tile everything else, so that
``replay(page.text, removals)`` is the body.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from typing import TYPE_CHECKING

import regex

from .blocks import LineHint, select_body
from .boilerplate import PAGE_CATEGORIES, Rule, RuleSet
from .lexicon import (
    CAPTION_END,
    CLOSE,
    DATE_OR_TIME,
    DATELINE_PARAGRAPH,
    DATELINE_START,
    INNER_SENTENCE,
    INNER_STOP,
    NEWS_END,
    PHOTO_CREDIT,
    PHOTO_STAMP,
    POLITE_NOTICE,
    POSITION_MARK,
    SENTENCE_END,
    SPEAKER_TURN,
    STOP_END,
    STOPLESS_SENTENCE,
    SUBHEAD_MARKS,
    TAIL_FURNITURE,
    VIEW_END,
    backwards,
    is_sentence,
)
from .paragraphs import find_repeats
from .segment import PAGE_LINE, units
from .segment import lines as split_lines

if TYPE_CHECKING:
    from .clean import CleanConfig

__all__ = ["PASSES", "Page", "Removal", "run_passes"]

TITLE_MAX = 300
# First/last lines (or units) longer than this are collapsed page heads/tails: furniture is
# trimmed from their ends (edge rules).
COLLAPSED_CHARS = TITLE_MAX
_SENTENCE_MIN = 10
_REPEAT_UNIT_MIN = 20  # a piece of a collapsed line shorter than this is never a repeat
# Caption rules whose removal is no photo credit for the unit above it: a chart placeholder,
# and a caption that opens with its own mark ("▲ 거제 조선소 전경.", "<사진> …").
_SELF_CONTAINED = frozenset({"caption.placeholder", "caption.marked"})
_STORY_SENTENCES = 4  # a page with fewer sentences besides its captions is a photo story
_PHOTO_STORY_MIN = 20  # a photo story's description: at least this many characters
_DATELINE_AT = regex.compile(DATELINE_PARAGRAPH)
_PHOTO_STORY_LEFT = 40  # ... and nothing this long is left beside it (a promo link, a menu)
_TURN_MAX = 60  # a transcript turn this short may repeat an earlier one word for word
_TAIL_MAX = 160  # a promo tail or notice is never longer
_TAIL_ZONES = frozenset({"any", "tail", "last"})
_ARROWS = "▶▷►☞"  # what a link to another page starts with
_ITEM_REST_MAX = 40  # the words of a link after its "?" or "!"
_STATEMENT_END = regex.compile(r"다\.[\"'”’)」』]*\s*$")
_NAME_TITLE_MAX = 60  # a photo's title before its caption ("… 기념촬영")
_HEADLINE_STOPLESS = 40  # a related headline after the body ("… 새 주인 찾았다") is shorter
_MARKS = "▶▷☞※"  # what a promo or a notice starts with
_HEADLINE_PUNCT = "," + "\"'…‘’“”:?!"
_WORD_ENDINGS = frozenset("은는이가을를에의로서도만와과다요고며나")
# How a unit ends, matched backwards from its end (units hold no line break): the same answer
# as the lexicon's patterns' search, without a scan from the unit's start.
_SENTENCE_END = backwards(SENTENCE_END)
_STOP_END = backwards(STOP_END)
_CAPTION_END = backwards(CAPTION_END)
_VIEW_END = backwards(VIEW_END)
_NEWS_END = backwards(NEWS_END)
# what may follow a sentence's last syllable: its stop, closing quotes and brackets, spaces
_CLOSERS = "".join(c for c in "\"'”’」』)]" if regex.fullmatch(CLOSE, c)) + ".!? "


@dataclass(frozen=True)
class Removal:
    """One removed span of the page text: which rule, which category, where, what.

    ``repeats`` is set for repeated paragraphs: the text of the paragraph it repeats.
    """

    rule: str
    category: str
    start: int
    end: int
    text: str
    repeats: str | None = None
    similarity: float | None = None

    def as_dict(self) -> dict:
        d = {
            "rule": self.rule,
            "category": self.category,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }
        if self.repeats is not None:
            d["repeats"] = self.repeats
            d["similarity"] = self.similarity
        return d


@dataclass
class Page:
    """One article as the passes see it.

    ``text`` is the normalised input; ``lines`` its lines with offsets (what the body-block
    slot judges); ``units`` the spans the rules judge; ``kept[k]`` what is left of unit ``k``
    (None once it is gone); ``cuts`` the removals so far (``render`` makes them tile).
    """

    text: str
    config: CleanConfig
    rules: RuleSet
    lines: list[tuple[int, str]] = field(default_factory=list)
    units: list = field(default_factory=list)
    kept: list[tuple[int, int] | None] = field(default_factory=list)
    removed_by: list[list[Rule] | None] = field(default_factory=list)
    cuts: list[Removal] = field(default_factory=list)
    repeats: dict[int, tuple[int, float]] = field(default_factory=dict)
    title: str | None = None
    body: str = ""
    removals: tuple[Removal, ...] = ()
    warnings: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    hints: Sequence[LineHint] | None = None  # one per line, from the HTML path
    body_from: int | None = None  # where the article's block starts on a whole page
    ended: int = -1  # the unit the furniture pass trimmed as the page's end
    started: int = -1  # the unit the furniture pass trimmed as the page's start
    explain: bool = True  # False (`clean`): ``render`` makes the body only, no removals

    def cut(
        self,
        start: int,
        end: int,
        rule: str,
        category: str,
        *,
        repeats: str | None = None,
        similarity: float | None = None,
    ) -> None:
        """Record that ``rule`` removes ``[start, end)``."""
        self.cuts.append(
            Removal(
                rule,
                category,
                start,
                end,
                self.text[start:end],
                repeats=repeats,
                similarity=similarity,
            )
        )

    def drop(
        self,
        k: int,
        rule: str,
        category: str,
        *,
        repeats: str | None = None,
        similarity: float | None = None,
    ) -> None:
        """Drop what is left of unit ``k``."""
        span = self.kept[k]
        if span is not None:
            self.cut(span[0], span[1], rule, category, repeats=repeats, similarity=similarity)
            self.kept[k] = None

    def drop_line(self, i: int, rule: str, category: str) -> None:
        """Drop every unit of line ``i`` (the body-block slot drops whole input lines)."""
        for k, u in enumerate(self.units):
            if u.line == i:
                self.drop(k, rule, category)

    def live(self) -> list[int]:
        """Indices of the units with something left."""
        return [k for k, s in enumerate(self.kept) if s is not None]

    def span_text(self, k: int) -> str:
        a, b = self.kept[k]  # type: ignore[misc]
        return self.text[a:b]


# ------------------------------------------------------------------ passes


def segment(page: Page) -> None:
    """Split the page into lines and units (`clean_and_explain` restored the line breaks that
    runs of spaces stood for before normalising)."""
    page.lines = split_lines(page.text)
    page.units = units(page.text, page.lines, "restore_breaks" in page.fixes)
    page.kept = [(u.start, u.end) for u in page.units]
    page.removed_by = [None] * len(page.units)


def body_block(page: Page) -> None:
    """On a whole web page, drop the lines outside the article's block (`blocks.select_body`:
    navigation, headline lists, comments, footers; rule ids ``block.*``) and take the headline
    the block found above the article. A page with no article body keeps nothing and says so."""
    texts = [line for _, line in page.lines]
    hints = page.hints if page.hints is not None and len(page.hints) == len(texts) else None
    block = select_body(texts, hints)
    if block.page_like:
        by_line: dict[int, list[int]] = {}
        for k, u in enumerate(page.units):
            by_line.setdefault(u.line, []).append(k)
        for d in block.dropped:
            for i in range(d.start, d.end):
                for k in by_line.get(i, ()):
                    page.drop(k, d.rule, d.category)
        if block.title is not None and page.config.extract_title:
            page.title = page.lines[block.title][1]
            for k in by_line.get(block.title, ()):
                page.drop(k, "title.headline", "title")
        first = next((k for k in range(len(page.units)) if page.kept[k] is not None), None)
        page.body_from = None if first is None else page.kept[first][0]  # type: ignore[index]
    if block.no_article:
        page.warnings.append("no article body")


def furniture(page: Page) -> None:
    """Every unit meets every rule: line rules drop it, prefix/suffix rules trim its ends."""
    rules, text, n = page.rules, page.text, len(page.units)
    # which units read as sentences (asked again below only of a unit a headline was cut from)
    sentence = [
        page.kept[k] is not None and is_sentence(text[u.start : u.end])
        for k, u in enumerate(page.units)
    ]
    body_like = [k for k in range(n) if sentence[k]]
    first_body = body_like[0] if body_like else n
    last_body = body_like[-1] if body_like else -1
    last_line = len(page.lines) - 1
    prev_rule: str | None = None
    leading = True  # nothing kept so far: this unit starts the page as the output shows it
    ended = -1  # the unit trimmed as the page's end
    # A page that prints its body twice meets each paragraph twice: it is stripped once.
    stripped: dict[tuple, tuple[list, int, int]] = {}
    for k, u in enumerate(page.units):
        if page.kept[k] is None:  # dropped by an earlier pass (the body block)
            continue
        off, line = u.start, text[u.start : u.end]
        is_body_sentence = sentence[k]
        if leading and page.title is None and page.config.extract_title:
            glued = _glued_headline(line, rules, len(page.lines[0][1]))
            if glued is not None:
                # A collapsed page: "headline menu... body...". The headline is the title and
                # the rest of the unit is cleaned as the page's first line.
                page.title = line[:glued].rstrip()
                page.cut(off, off + glued, "title.headline", "title")
                off, line = off + glued, line[glued:]
                is_body_sentence = is_sentence(line)
        first = last = False
        if len(page.lines[u.line][1]) > COLLAPSED_CHARS:  # a page collapsed onto one line
            first = leading
            if u.line == last_line and u.end == len(text):
                last = True
                ended = k
        # "head" before the first body sentence, "tail" after the last, "body" while body
        # text follows; "first" / "last": the ends of a collapsed page
        head, tail = k < first_body, k > last_body
        zones = _ZONES[head, tail, k < last_body, first, last]
        in_body = not (u.whole or head or tail or first or last) and is_body_sentence
        key = (line, zones, prev_rule, in_body)
        seen = stripped.get(key)
        if seen is None:
            seen = stripped[key] = rules.strip_line(*key)
        line_cuts, a, b = list(seen[0]), seen[1], seen[2]
        if b <= a and in_body and any(c.rule.category in PAGE_CATEGORIES for c in line_cuts):
            # A sentence inside a long line is body text, whatever page widget or caption it
            # resembles; credits and notices are cut there, and the captions pass takes a
            # description beside its credit.
            line_cuts, a, b = [], 0, len(line)
        for c in line_cuts:
            page.cut(off + c.start, off + c.end, c.rule.id, c.rule.category)
        if b > a:
            page.kept[k] = (off + a, off + b)
            prev_rule = None
            if leading:
                page.started = k
            leading = False
        else:
            page.kept[k] = None
            page.removed_by[k] = [c.rule for c in line_cuts]
            prev_rule = line_cuts[-1].rule.id if line_cuts else None
    page.ended = ended


_ZONES = {
    flags: frozenset(
        {"any"}
        | {z for z, on in zip(("head", "tail", "body", "first", "last"), flags, strict=True) if on}
    )
    for flags in product((False, True), repeat=5)
}


def _trim_new_start(page: Page) -> None:
    """The first kept unit starts the output: when an earlier pass dropped what stood before
    it, trim it (or drop it) as the start of a collapsed page, as a second pass over the output
    would (a credit or a byline the dropped deck hid)."""
    live = page.live()
    while live and live[0] != page.started:
        k = live[0]
        u = page.units[k]
        if len(page.lines[u.line][1]) <= COLLAPSED_CHARS:
            return
        a0, b0 = page.kept[k]  # type: ignore[misc]
        zones = {"any", "first"}
        if not is_sentence(page.text[a0:b0]):
            zones.add("head")
        if any(is_sentence(page.span_text(j)) for j in live[1:]):
            zones.add("body")
        cuts, a, b = page.rules.strip_line(page.text[a0:b0], frozenset(zones))
        for c in cuts:
            page.cut(a0 + c.start, a0 + c.end, c.rule.id, c.rule.category)
        if b > a:
            page.kept[k] = (a0 + a, a0 + b)
            page.started = k
            return
        page.kept[k] = None
        live = live[1:]


def _trim_new_end(page: Page, ended: int) -> None:
    """The last kept unit ends the output: trim it as the end of a collapsed page, as a second
    pass over the output would."""
    live = page.live()
    if not live or live[-1] == ended:
        return
    k = live[-1]
    u = page.units[k]
    if len(page.lines[u.line][1]) <= COLLAPSED_CHARS:
        return
    a0, b0 = page.kept[k]  # type: ignore[misc]
    zones = frozenset({"any", "last"} | ({"tail"} if not is_sentence(page.text[a0:b0]) else set()))
    cuts, a, b = page.rules.strip_line(page.text[a0:b0], zones)
    for c in cuts:
        page.cut(a0 + c.start, a0 + c.end, c.rule.id, c.rule.category)
    page.kept[k] = (a0 + a, a0 + b) if b > a else None


def captions(page: Page) -> None:
    """A photo description right before its credit goes with it ("beside" rules). Only
    inside the body: a unit with no body sentence after it is the article's last paragraph,
    followed by a byline or footer."""
    rules = page.rules
    if not rules.has_beside:
        return
    live = page.live()
    credits = {c.start for c in page.cuts if c.category == "caption"}
    for k in live:
        a, b = page.kept[k]  # type: ignore[misc]
        rest = page.text[a:b]
        if (
            not page.units[k].whole
            and b < page.units[k].end
            and any(b <= c <= b + 2 for c in credits)
            and len(rest) <= TITLE_MAX
            and _caption_like(rest)
        ):
            # A photo description glued to its credit inside a collapsed line.
            page.drop(k, "caption.description", "caption")
    live = page.live()
    sentences = [k for k in live if is_sentence(page.span_text(k))]
    if not sentences:
        return
    # the last full sentence: a sign-off with none after it closes the article
    last_full = next((j for j in reversed(live) if _is_anchor(page.span_text(j))), -1)
    units = page.units
    for k in live:
        if k >= sentences[-1]:
            break
        near = page.removed_by[k + 1] if k + 1 < len(units) else None
        if near and not units[k].whole:
            # A piece of a collapsed line goes only with a photo credit right after it.
            if units[k + 1].line != units[k].line:
                continue
            text = page.span_text(k)
            if len(text) > TITLE_MAX or STOPLESS_SENTENCE.search(text):
                continue  # a caption is one sentence
            if text[:1] in SUBHEAD_MARKS and text.rstrip()[-1:] not in ".…":
                continue  # a subhead right above a photo stays (a caption ends in a stop)
            nu = units[k + 1]
            line_off, line_text = page.lines[nu.line]
            credit = any(
                (r.category == "caption" and r.id not in _SELF_CONTAINED)
                or r.id == "wire.credit"
                # "ⓒ 매체" or "[매체]" between two sentences marks a photo; at a paragraph's
                # end it is that paragraph's credit, after its last sentence
                or (
                    r.id in ("copyright.credit", "wire.credit_bracket")
                    and nu.end < line_off + len(line_text.rstrip())
                )
                for r in near
            )  # a chart placeholder credits nothing, and a marked caption ("▲ …") is whole:
            # the subhead before either stays
            photo = credit and PHOTO_CREDIT.search(page.text[nu.start : nu.end]) is not None
            if (credit and (_caption_like(text) or (photo and k == live[0]))) or (
                any(r.category in ("wire", "byline") for r in near)
                and _scene_or_view(text)
                # a sign-off after the last full sentence (only promos behind it) ends the
                # article: the scene before it is the last paragraph ("…실천하고 있다.")
                and last_full > k + 1
            ):
                page.drop(k, "caption.description", "caption")
            continue
        rule = rules.beside_rule(page.span_text(k), near) if near else None
        if rule is not None:
            page.drop(k, rule.id, rule.category)
    wire_at = {c.start for c in page.cuts if c.category == "wire"}
    for k in page.live():
        if _caption_title(page, k, wire_at):
            page.drop(k, "caption.description", "caption")


def photo_stamps(page: Page) -> None:
    """A wire photo's caption ends with its stamp, the date and the photographer's e-mail or
    a credit (`lexicon.PHOTO_STAMP`): the piece of a collapsed line right before a stamp is
    the caption, whatever its shape. At the head of the page, a stamp followed by the wire
    dateline closes a photo block: everything kept before it is captions (rule
    ``caption.stamped``)."""
    text = page.text
    live = page.live()
    wire_at = sorted(c.start for c in page.cuts if c.category == "wire")
    captions_at: dict[int, int] = {}
    stamps: set[int] = set()  # caption removals that are stamps themselves (credit, date)
    for c in page.cuts:
        if c.category == "caption":
            start = c.start
            while start > 0 and text[start - 1] == " ":
                start -= 1
            captions_at[start] = c.end
            if PHOTO_STAMP.match(c.text):
                stamps.add(start)
    for p, k in enumerate(live):
        u = page.units[k]
        if u.whole:
            continue
        a, b = page.kept[k]  # type: ignore[misc]
        nxt = live[p + 1] if p + 1 < len(live) else None
        line_end = page.lines[u.line][0] + len(page.lines[u.line][1])
        gap_end = page.kept[nxt][0] if nxt is not None else len(text)  # type: ignore[index]
        pos = b
        stamped = False
        while pos in captions_at:  # a description the captions pass already took
            stamped = stamped or pos in stamps
            pos = captions_at[pos]
        gap = text[pos : min(gap_end, line_end)]
        if b - a > TITLE_MAX or not (stamped or (len(gap) >= 6 and PHOTO_STAMP.match(gap))):
            continue
        if nxt is None or not is_sentence(page.span_text(nxt)):
            # The stamp ends the page: a photo story's caption is its body, unless an
            # article stands before the dateline that opens this caption.
            opener = max((w for w in wire_at if w < a), default=None)
            if opener is None or not any(
                span[1] <= opener for span in (page.kept[j] for j in live[:p]) if span
            ):
                continue
        block = [k]
        dateline = any(b <= w <= gap_end for w in wire_at)  # on this line or the next
        before = live[:p]
        if (
            dateline
            and before
            and all(page.units[j].line == u.line and not page.units[j].whole for j in before)
            # no dateline inside the block: one before it opens the photo's caption
            and not any(page.kept[before[0]][0] <= w < a for w in wire_at)  # type: ignore[index]
        ):
            head = page.text[page.kept[before[0]][0] : a]  # type: ignore[index]
            if len(head) <= 2 * TITLE_MAX:
                block = before + block
        for j in block:
            page.drop(j, "caption.stamped", "caption")


def posed_captions(page: Page) -> None:
    """A photo description that says where people stand ("대표(왼쪽)가 … 기념촬영을 하고
    있다.", "(왼쪽부터) 홍길동 회장, …") is a caption wherever it stands (rule
    ``caption.posed``); a photo story, with no more than a few sentences of its own, keeps it."""
    live = page.live()
    texts = {k: page.span_text(k) for k in live}
    posed = [
        k
        for k in live
        if len(texts[k]) <= TITLE_MAX
        and "(" in texts[k]  # every POSITION_MARK opens with one
        and (m := POSITION_MARK.search(texts[k]))
        and (_CAPTION_END.match(texts[k]) or (m.start() == 0 and not _NEWS_END.match(texts[k])))
        and not INNER_SENTENCE.search(texts[k])  # one description, never a sentence before it
        and "]" not in texts[k][m.end() :]  # a credit with a sentence glued after it
    ]
    if not posed:
        return
    others = sum(1 for k in live if k not in posed and is_sentence(texts[k]))
    if others < _STORY_SENTENCES:
        return
    for k in posed:
        page.drop(k, "caption.posed", "caption")


def photo_story(page: Page) -> None:
    """A page whose only text is a photo's caption (a wire photo item: description, then the
    stamp `lexicon.PHOTO_STAMP`, date and photographer) is a photo story: its description is
    its body. When no sentence nor paragraph is left (only links, menus) and a removal holds
    a stamp with a description before it, the description is given back; the stamp and what
    follows it stay cut, under the rule that took them, and a warning says so."""
    for k in page.live():
        left = page.span_text(k)
        if len(left) >= _PHOTO_STORY_LEFT or is_sentence(left) or _stopless_sentence(left):
            return  # text is left: a paragraph (a stopless one too, with its e-mail)
    text = page.text
    given = False
    for i, c in enumerate(list(page.cuts)):
        end = next(
            (
                p
                for p in range(c.start + 1, c.end)
                if text[p].isdigit()
                and text[p - 1].isspace()
                and PHOTO_STAMP.match(text[p : c.end]) is not None
            ),
            -1,
        )
        if end < 0:
            continue
        while end > c.start and text[end - 1].isspace():
            end -= 1
        start = c.start
        while start < end and text[start].isspace():
            start += 1
        wire = _DATELINE_AT.match(text[start:end])
        if wire is not None:  # a dateline the same rule took stays cut, on its own
            start += wire.end()
        description = text[start:end]
        if len(description) < _PHOTO_STORY_MIN or not _caption_like(description):
            continue
        unit = next(
            (
                j
                for j, u in enumerate(page.units)
                if page.kept[j] is None and u.start <= start and end <= u.end
            ),
            None,
        )
        if unit is None:
            continue
        page.kept[unit] = (start, end)
        page.cuts[i] = replace(c, start=end, text=text[end : c.end])
        if start > c.start:
            page.cut(c.start, start, c.rule, c.category)
        given = True
    if given:
        page.warnings.append(
            "photo story: no text but a photo caption; its description is kept as the body"
        )


def repeats(page: Page) -> None:
    """Lines that repeat an earlier line (a body printed twice), then pieces of collapsed
    lines that repeat an earlier piece (a body printed twice on one line)."""
    cfg = page.config
    if not cfg.drop_repeats:
        return
    by_line: dict[int, list[int]] = {}
    for k in page.live():
        by_line.setdefault(page.units[k].line, []).append(k)
    order = list(by_line)
    texts = [page.text[page.kept[by_line[i][0]][0] : page.kept[by_line[i][-1]][1]] for i in order]  # type: ignore[index]
    found = find_repeats(
        texts, near_threshold=cfg.near_repeat, containment_threshold=cfg.contained_repeat
    )
    out: dict[int, tuple[int, float]] = {}
    for i, (j, sim) in found.items():
        if SPEAKER_TURN.match(texts[i]) and len(texts[i]) <= _TURN_MAX:
            continue  # a transcript's turns repeat ("▷김태현 : 네.")
        for k in by_line[order[i]]:
            out[k] = (by_line[order[j]][0], sim)
    pieces = [
        k
        for i in order
        if i not in found
        for k in by_line[i]
        if not page.units[k].whole
        and len(page.lines[i][1]) >= PAGE_LINE
        and len(page.span_text(k)) >= _REPEAT_UNIT_MIN
    ]
    if pieces:
        found = find_repeats(
            [page.span_text(k) for k in pieces],
            near_threshold=cfg.near_repeat,
            containment_threshold=cfg.contained_repeat,
        )
        out.update({pieces[i]: (pieces[j], sim) for i, (j, sim) in found.items()})
        # A short piece between two repeated pieces of its line goes with them.
        for rows in by_line.values():
            for p, k in enumerate(rows):
                if k in out or len(page.span_text(k)) >= _REPEAT_UNIT_MIN:
                    continue
                before = rows[p - 1] if p else None
                after = rows[p + 1] if p + 1 < len(rows) else None
                if before in out and (after is None or after in out):
                    out[k] = (out[before][0], out[before][1])
    page.repeats = out


def title(page: Page) -> None:
    """The headline, and short non-sentence units before the first or after the last body
    sentence (navigation, section names, related headlines, counters).

    The title is the first headline-like whole line before the body; it is taken only when the
    page shows furniture, so a clean body keeps its first line and cleaning is idempotent.
    Furniture around the body and the headline are judged on what is not a repeat, so a second
    pass over the output finds nothing more to do.
    """
    live = [k for k in page.live() if k not in page.repeats]
    texts = {k: page.span_text(k) for k in live}
    anchor = {k for k in live if _is_anchor(texts[k])}  # asked below up to three times
    # A unit that a dateline or wire credit was trimmed from is where the body starts.
    ledes = {c.end for c in page.cuts if c.category == "wire"}
    if page.body_from is not None:
        ledes.add(page.body_from)
    # (a short piece of a collapsed line that head furniture rules remove, right after a wire
    # credit, is a caption or a speaker label before the body, as a second pass sees it)
    sentences = [
        k
        for k in live
        if k in anchor
        or (
            page.kept[k][0] in ledes  # type: ignore[index]
            and (page.units[k].whole or page.rules.layout_rule(texts[k], "head") is None)
        )
    ]
    first = sentences[0] if sentences else None
    last = sentences[-1] if sentences else None
    drop: dict[int, str] = {}
    first_anchor = next((k for k in live if k in anchor), None)
    if first_anchor is not None:
        for k in live:
            if k >= first_anchor:
                break
            if _deck(page, k, texts[k], ledes):
                drop[k] = "title.deck"
        live = [k for k in live if k not in drop]
    candidate = None
    if page.title is None and page.config.extract_title:
        before = [k for k in live if first is None or k < first]
        for k in before[: None if sentences else 1]:
            if _whole_line(page, k) and _title_candidate(texts[k]):
                candidate = k
                break
    if sentences:
        for k in live:
            if k < first and k != candidate:  # type: ignore[operator]
                rule = page.rules.layout_rule(texts[k], "head")
            elif k > last:  # type: ignore[operator]
                rule = _after_body(page, k, texts[k])
            else:
                continue
            if rule is not None:
                drop[k] = rule.id
    if candidate is not None and (page.cuts or drop) and len(live) - len(drop) > 1:
        page.title = texts[candidate]
        drop[candidate] = "title.headline"
        # The headline again is furniture before the body or at the head of a doubled body;
        # further down it is the article's own words (a subhead that repeats it).
        anchors = [k for k in live if k > candidate and k not in drop and k in anchor]
        for i, (j, _) in sorted(page.repeats.items()):
            inside = bool(anchors) and anchors[0] < i < anchors[-1]
            if j == candidate and inside and i + 1 not in page.repeats:
                del page.repeats[i]
                break  # the first such copy stays; later ones repeat it
    after: int | None = None  # the unit after k that the walk below dropped as a promo
    for i in range(len(live) - 1, -1, -1):
        # From the end of a collapsed body back to its last sentence: promo tails, notices.
        k = live[i]
        text = texts[k]
        if k in drop:
            continue
        if page.units[k].whole:
            break
        if _tail_furniture(text) or (len(text) <= 40 and not _SENTENCE_END.match(text)):
            drop[k] = "promo.tail"
            after = None
        elif (promo := _promo_sentence(page, text)) is not None:
            drop[k] = promo  # the outlet's appeal to its readers, after the last sentence
            after = k
        elif (
            after is not None
            and drop.get(after, "").startswith("promo.")
            and (promo := _promo_sentence(page, _span(page, k, after))) is not None
        ):
            # one sentence the segmentation cut in two (at an e-mail address inside it)
            drop[k] = promo
            after = k
        elif _arrow_item_rest(page, live[:i], k, texts):
            drop[k] = "promo.tail"  # the rest of a link behind an arrow, cut at its "?"
            after = None
        elif k != live[-1] and (rule := _after_body(page, k, text)) is not None:
            # the walk dropped what stood after it: now it stands after the last sentence
            drop[k] = rule.id
            after = None
        else:
            break
    drop.update(dict.fromkeys(_bracketed_notice(page, live, texts, drop), "promo.tail"))
    for k, rule_id in drop.items():
        category = "promo" if rule_id.startswith("promo.") else "layout"
        page.drop(k, rule_id, "title" if rule_id.startswith("title.") else category)
    _trim_new_start(page)
    _trim_new_end(page, page.ended)
    for k, (j, sim) in sorted(page.repeats.items()):
        if page.kept[k] is not None:
            page.drop(
                k,
                "repeat.paragraph",
                "repeat",
                repeats=texts.get(j) or page.text[page.units[j].start : page.units[j].end],
                similarity=sim,
            )


def _after_body(page: Page, k: int, text: str) -> Rule | None:
    """The layout rule that drops unit k, standing after the body's last sentence, or None
    (never the last sentence of a crawl that dropped the stops)."""
    if not page.units[k].whole and _stopless_sentence(text):
        return None
    return page.rules.layout_rule(text, "tail")


def _tail_furniture(text: str) -> bool:
    """A promo tail or notice (`lexicon.TAIL_FURNITURE`); an arrow before a statement
    ("▶ 피고인 A씨는 … 기소됐다.") marks a point of the article, not a link (one with a
    bracketed tag after the arrow is a link: "▶ [한빛영상] 달콤한 꿈을 꾸었습니다.")."""
    if len(text) > _TAIL_MAX:
        return False
    m = TAIL_FURNITURE.search(text)
    if m is None:
        return False
    point = (
        m.start() == 0
        and not m.group().strip(_ARROWS + " ")  # the arrow is all that matched
        and text[m.end() :].lstrip()[:1] not in "[【<"
        and _STATEMENT_END.search(text) is not None
    )
    return not point or TAIL_FURNITURE.search(text, m.end()) is not None


def _arrow_item_rest(page: Page, before: list[int], k: int, texts: dict[int, str]) -> bool:
    """Is unit k the rest of an arrow item that a unit of ``before`` (the live units before
    it) starts on its line ("▶ 미세먼지 심한 날엔?" + "먼지알지!", the sentence cut having
    split the link at its "?" or "!")? Each piece is short, no statement ("…다."), and
    the item is no longer than a promo tail."""
    text = texts[k]
    if len(text) > _ITEM_REST_MAX or _STATEMENT_END.search(text) is not None:
        return False
    line = page.units[k].line
    for j in reversed(before):
        if page.units[j].line != line or len(_span(page, j, k)) > _TAIL_MAX:
            return False
        if texts[j].lstrip()[:1] in _ARROWS:
            return True
        if len(texts[j]) > _ITEM_REST_MAX or _STATEMENT_END.search(texts[j]) is not None:
            return False
    return False


def _span(page: Page, k: int, j: int) -> str:
    """The page's text from kept unit k's start to kept unit j's end."""
    a, b = page.kept[k], page.kept[j]
    return page.text[a[0] : b[1]] if a is not None and b is not None else ""


def _promo_sentence(page: Page, text: str) -> str | None:
    """The id of the promo rule that drops ``text`` whole (an outlet asking its readers for
    tips, subscriptions, feedback: "... 보내주시면 적극 반영하겠습니다."), or None. The
    furniture pass keeps such a sentence when it stands inside a collapsed body; read from the
    body's end back, it is the outlet speaking after the article."""
    if len(text) > _TAIL_MAX:
        return None
    cuts, a, b = page.rules.strip_line(text, _TAIL_ZONES)
    if b > a or not cuts or any(c.rule.category != "promo" for c in cuts):
        return None
    return cuts[-1].rule.id


def _bracketed_notice(
    page: Page, live: list[int], texts: dict[int, str], drop: dict[int, str]
) -> list[int]:
    """The last pieces of a collapsed line when they are one parenthesised notice in the polite
    style ("(위의 점수는 … 보장하지 않습니다. … 참고용입니다.)"), split at its stops."""
    rest = [k for k in live if k not in drop]
    if not rest or page.units[rest[-1]].whole or not texts[rest[-1]].endswith(")"):
        return []
    for n in range(1, min(4, len(rest)) + 1):
        block = rest[-n:]
        if any(page.units[k].line != page.units[rest[-1]].line for k in block):
            return []
        if texts[block[0]].startswith("("):
            joined = " ".join(texts[k] for k in block)
            return block if POLITE_NOTICE.fullmatch(joined) else []
    return []


def render(page: Page) -> None:
    """Removals that tile everything but the kept spans and one separator between them ("\\n"
    between lines, the first space between pieces of one line); the body is their replay."""
    kept = [s for s in page.kept if s is not None]
    gaps = _gaps(page.text, kept)
    if page.explain:
        page.removals = _tile(page.text, gaps, page.cuts)
    parts: list[str] = []
    pos = 0
    for g0, g1 in gaps:  # the removals tile the gaps: the body is what lies between them
        parts.append(page.text[pos:g0])
        pos = g1
    parts.append(page.text[pos:])
    page.body = "".join(parts)
    if page.title is not None and not page.body:
        page.warnings.append("title only: no body text after the headline")


Pass = Callable[[Page], None]
PASSES: tuple[tuple[str, Pass], ...] = (
    ("segment", segment),
    ("body_block", body_block),
    ("furniture", furniture),
    ("captions", captions),
    ("photo_stamps", photo_stamps),
    ("posed_captions", posed_captions),
    ("photo_story", photo_story),
    ("repeats", repeats),
    ("title", title),
    ("render", render),
)
"""The passes in the order they run; each reads and marks the `Page`."""


def run_passes(page: Page, passes: Sequence[tuple[str, Pass]] = PASSES) -> Page:
    """Run ``passes`` over ``page`` in order and return it."""
    for _, fn in passes:
        fn(page)
    return page


# ------------------------------------------------------------------ headline shapes


def _headline_like(line: str) -> bool:
    return (
        0 < len(line) <= TITLE_MAX and not _STOP_END.match(line) and not DATELINE_START.match(line)
    )


def _whole_line(page: Page, k: int) -> bool:
    """Unit ``k`` is a whole input line and nothing was trimmed from it (but a browser-title
    suffix)."""
    a, b = page.kept[k]  # type: ignore[misc]
    src = page.text
    ends = (
        b == len(src)
        or src[b] == "\n"
        or any(c.start == b and c.rule == "ui.page_title_suffix" for c in page.cuts)
    )
    return page.units[k].whole and (a == 0 or src[a - 1] == "\n") and ends


def _title_candidate(line: str) -> bool:
    """A headline, not a section name, a navigation bar or a date line."""
    tokens = line.split()
    return (
        _headline_like(line)
        and not INNER_STOP.search(line)
        and len(line) >= 8
        and len(tokens) >= 2
        and not _nav_bar(tokens)
        and not DATE_OR_TIME.search(line)
    )


def _is_anchor(line: str) -> bool:
    """A body sentence that can mark where the body block starts or ends (a promo behind an
    arrow or a notice behind a reference mark is none)."""
    return (
        len(line) >= _SENTENCE_MIN and _STOP_END.match(line) is not None and line[0] not in _MARKS
    )


def _deck(page: Page, k: int, text: str, ledes: set[int]) -> bool:
    """A deck: a piece of a collapsed line before the body that is no sentence and stands
    right before a wire dateline or credit, or is bracketed from end to end."""
    if page.units[k].whole or len(text) > TITLE_MAX:
        return False
    if _SENTENCE_END.match(text) and (_STOP_END.match(text) or _verb_end(text)):
        return False  # a sentence (a headline's noun in 다, "2년 연속 최다", is none)
    if text[0] in "[［" and text[-1] in "]］":
        return True
    nxt = k + 1
    span = page.kept[nxt] if nxt < len(page.kept) else None
    return span is not None and (span[0] in ledes or span[0] != page.units[nxt].start)


def _verb_end(text: str) -> bool:
    """``text`` ends like a verb or an adjective: "…했다", "…한다", "…이다", "…있다", "…요"
    (a noun that ends in 다, "최다", "바다", a headline's "…상승세다", does not)."""
    t = text.rstrip(_CLOSERS)
    if len(t) < 2 or t[-1] != "다":
        return bool(t) and t[-1] in "요죠"
    prev = t[-2]
    if prev in "이하되있없겠같많않":
        return True
    code = ord(prev) - 0xAC00
    return 0 <= code < 11172 and code % 28 in (4, 20)  # a final ㄴ (한다) or ㅆ (했다)


def _caption_title(page: Page, k: int, wire_at: set[int]) -> bool:
    """A short scene or view phrase right before an in-body photo's caption that opens with a
    wire dateline: its title ("민주당 지도부와 충남도 기념촬영(홍성=연합뉴스) 20일 …")."""
    u = page.units[k]
    if u.whole or k + 1 >= len(page.units):
        return False
    nxt = page.units[k + 1]
    if nxt.line != u.line or page.kept[k + 1] is not None or nxt.start not in wire_at:
        return False
    text = page.span_text(k)
    return len(text) <= _NAME_TITLE_MAX and not is_sentence(text) and _scene_or_view(text)


def _stopless_sentence(text: str) -> bool:
    """A piece of a collapsed line that reads as a sentence without its stop ("…못한
    영향이다"): longer than a headline, ends in a news verb."""
    return len(text) > _HEADLINE_STOPLESS and NEWS_END.search(text) is not None


def _scene_or_view(text: str) -> bool:
    """Ends like a photo's description: a scene ("…하고 있다.") or a view ("… 전경.")."""
    return bool(_CAPTION_END.match(text) or _VIEW_END.match(text))


def _caption_like(text: str) -> bool:
    """A photo description: a scene or view, or a phrase that does not end like news."""
    return bool(_CAPTION_END.match(text) or _VIEW_END.match(text)) or not _NEWS_END.match(text)


def _nav_bar(tokens: list[str]) -> bool:
    """Section names in a row ("정치 경제 사회 국제 문화"): short words, none ending in a
    particle or verb ending the way headline words do."""
    return (
        len(tokens) >= 5
        and all(len(t) <= 4 and t[-1] not in _WORD_ENDINGS for t in tokens)
        and not any(ch in _HEADLINE_PUNCT for t in tokens for ch in t)
    )


def _glued_headline(line: str, rules: RuleSet, line_chars: int) -> int | None:
    """Where page furniture starts in a first unit that also carries the headline (a page
    collapsed onto one line of ``line_chars``); None for an ordinary first line."""
    if line_chars <= TITLE_MAX or is_sentence(line):
        # an ordinary headline line: its words are never split off; a unit that ends like a
        # sentence is the body's first sentence, never a title
        return None
    at = rules.head_furniture_at(line[: TITLE_MAX + 40])
    if at is None or rules.head_furniture_at(" " + line[:at]) is not None:
        return None  # the page starts with furniture, not a headline
    # A menu is a run of items: one word such as 로그인, 추천 or 반대 inside a sentence
    # ("개식용 반대 메시지를") is body text, and the headline is not cut there.
    gap = line.find(" ", at)
    nxt = rules.head_furniture_at(line[gap : gap + 60]) if gap > 0 else None
    if nxt is None or nxt > 1:
        return None
    if not _headline_like(line[:at].rstrip()):
        return None
    return at


# ------------------------------------------------------------------ rendering


def _gaps(src: str, kept: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Everything outside ``kept`` except one separator between kept spans: the first "\\n"
    between spans on different lines, else the first space (nothing when the pieces were
    glued)."""
    gaps: list[tuple[int, int]] = []
    prev = 0
    for k, (a, b) in enumerate(kept):
        if k == 0:
            if a > 0:
                gaps.append((0, a))
        elif a > prev:
            gap = src[prev:a]
            if not gap.strip() and "\n" not in gap:
                pass  # the space between two kept pieces of one line stays
            else:
                sep = gap.find("\n")
                if sep < 0:  # one space at an edge of the gap, or none when glued
                    sep = 0 if gap[0].isspace() else len(gap) - 1 if gap[-1].isspace() else -1
                if sep < 0:
                    gaps.append((prev, a))
                else:
                    if sep > 0:
                        gaps.append((prev, prev + sep))
                    if prev + sep + 1 < a:
                        gaps.append((prev + sep + 1, a))
        prev = b
    if not kept:
        gaps = [(0, len(src))] if src else []
    elif prev < len(src):
        gaps.append((prev, len(src)))
    return gaps


def _tile(
    src: str, gaps: Sequence[tuple[int, int]], cuts: Sequence[Removal]
) -> tuple[Removal, ...]:
    """Turn cuts into removals that tile the ``gaps`` (`_gaps`). Characters no rule claimed
    go to the neighbouring removal."""
    ordered = sorted(cuts, key=lambda c: (c.start, c.end))
    out: list[Removal] = []
    ci = 0
    for g0, g1 in gaps:
        while ci < len(ordered) and ordered[ci].end <= g0:
            ci += 1
        pieces: list[list] = []  # [start, end, cut]
        j = ci
        while j < len(ordered) and ordered[j].start < g1:
            c = ordered[j]
            a, b = max(c.start, g0), min(c.end, g1)
            if pieces and a < pieces[-1][1]:
                a = pieces[-1][1]
            if a < b:
                if pieces:
                    pieces[-1][1] = a  # unclaimed chars between two cuts join the first
                pieces.append([a, b, c])
            j += 1
        if not pieces:  # only whitespace: give it to the nearest cut
            near = min(ordered, key=lambda c: min(abs(c.start - g1), abs(c.end - g0)), default=None)
            if near is None:
                near = Removal("layout.space", "layout", g0, g1, "")
            pieces = [[g0, g1, near]]
        pieces[0][0] = g0
        pieces[-1][1] = g1
        out.extend(
            Removal(c.rule, c.category, a, b, src[a:b], c.repeats, c.similarity)
            for a, b, c in pieces
        )
    return tuple(out)
