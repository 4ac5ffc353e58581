"""Body-block selection: find the article's lines in the text of a whole web page.

A saved page prints its article among site menus, player and share buttons, browser notices,
related-headline lists, comments and footers. ``select_body(lines)`` scores every line for
body-likeness (Korean sentence endings, length, punctuation, menu- and link-like tokens,
numbers-only lines, short lines repeated on the page), picks the best-scoring run of lines
(a maximum-sum run over the scores, as jusText and trafilatura do over HTML blocks), widens
it by its context (a deck of short headline lines right above the body, the headline) and
says what every other line is. It acts only on page-like texts (many short non-sentence
lines, a large share of them), so an article body, even one that does not read as prose
(speaker turns, one sentence per line, a video item of two lines), passes untouched.

``hints`` (one `LineHint` a line, from `dedupe_ko.html.html_to_lines`) add the markup's
evidence: link density, inside ``nav``/``header``/``footer``/``aside``, a ``figcaption``,
inside ``article``/``main``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import regex

from .lexicon import (
    BROWSER_TITLE,
    BULLET_MARKS,
    COMMENT_CUE,
    COMMENT_HEAD,
    CREDIT_AT_END,
    DATE_IN_LINE,
    FIGURES_ONLY,
    FOOTER_CUE,
    GOES_ON,
    HANDOFF,
    HANGUL,
    HANGUL_STOP,
    HANGUL_STOP_END,
    INNER_HANGUL_STOP,
    KOREAN_STOP_END,
    LIST_HEAD,
    LIST_ITEM,
    PAGE_CONTROL_TOKENS,
    PAGE_CONTROLS,
    PAGE_NOTICE,
    SCRIPT_TAG_LINE,
    SHORT_PAGE_NOTICE,
    STOP_AT_END,
    TICKER,
    TRUNCATED_END,
    VERB_STOP,
    backwards,
)

__all__ = ["BlockConfig", "BlockVerdict", "Dropped", "LineHint", "select_body"]

_BROWSER_TITLE_BACK = backwards(BROWSER_TITLE)  # a page-long first line costs one match

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineHint:
    """What the HTML says about one line.

    - ``link_density``: share of the line's characters inside ``<a>``.
    - ``boilerplate``: inside ``nav``, ``header``, ``footer``, ``aside``, ``form``,
      ``button``, ``select`` or an element whose class/id names a menu, share bar or footer.
    - ``caption``: inside ``figcaption``.
    - ``in_article``: inside ``article``, ``main`` or an element whose class/id names the
      article body.
    - ``heading``: an ``h1``–``h6`` line.
    """

    link_density: float = 0.0
    boilerplate: bool = False
    caption: bool = False
    in_article: bool = False
    heading: bool = False


@dataclass(frozen=True)
class BlockConfig:
    """What makes a text page-like and a run of lines the article.

    - ``min_lines``: fewer lines is never page-like. Default: 40.
    - ``min_furniture``: page-like needs at least this many short non-sentence lines (an
      article with a menu, a footer and a print view has up to about 35 at 60%; a saved
      page's site menus, player and lists alone have 70 and more). Default: 36.
    - ``furniture_share``: ... making up at least this share of the lines. Default: 0.6.
    - ``min_body_chars``: a page whose best run holds fewer sentence characters has no
      article. Default: 40.
    - ``secondary_share``: another run whose score reaches this share of the best run's
      and that stands within ``secondary_gap`` lines of it joins the body. Default: 0.4.
    - ``secondary_gap``: see above. Default: 15.
    - ``split_gap``: furniture lines adding up to this negative score split a run in two
      (the better part is the body). Default: 4.0.
    - ``max_deck``: short headline lines right above the body kept as its deck. Default: 4.
    - ``min_marked``: with HTML hints, a page whose markup marks this many lines as
      navigation, header, footer or links is page-like whatever its text. Default: 10.
    """

    min_lines: int = 40
    min_furniture: int = 36
    furniture_share: float = 0.6
    min_body_chars: int = 40
    secondary_share: float = 0.4
    secondary_gap: int = 15
    split_gap: float = 4.0
    max_deck: int = 4
    min_marked: int = 10

    def __post_init__(self) -> None:
        if not 0.0 < self.furniture_share <= 1.0:
            raise ValueError(f"furniture_share must be in (0, 1], got {self.furniture_share}")
        if not 0.0 < self.secondary_share <= 1.0:
            raise ValueError(f"secondary_share must be in (0, 1], got {self.secondary_share}")
        if min(self.min_lines, self.min_furniture, self.min_body_chars) < 0:
            raise ValueError("min_lines, min_furniture and min_body_chars must be >= 0")


@dataclass(frozen=True)
class Dropped:
    """Lines ``[start, end)`` left out of the body, by which rule and of which category."""

    start: int
    end: int
    rule: str
    category: str = "page"


@dataclass(frozen=True)
class BlockVerdict:
    """Which lines are the article, and why the others are not.

    ``kept`` are line indices in order (the headline, when found, among them: ``title``);
    ``dropped`` cover every other line. A text that is not page-like keeps every line.
    ``no_article`` is set for a page-like text with no article body in it.
    """

    kept: tuple[int, ...]
    dropped: tuple[Dropped, ...]
    page_like: bool
    no_article: bool
    title: int | None = None
    reason: str = ""


# ---------------------------------------------------------------------------------------------
# Line kinds and scores

_BODY, _PROSE, _HEAD, _SHORT, _MENU, _NOTICE, _NUM, _TAGK, _HANDOFFK, _TICKERK, _CAPTIONK = (
    "body",
    "prose",
    "headline",
    "short",
    "menu",
    "notice",
    "numbers",
    "tag",
    "handoff",
    "ticker",
    "caption",
)
_ITEMK = "item"


def _kind(line: str, repeated: bool, hint: LineHint | None) -> str:
    s = line.strip()
    n = len(s)
    if not s:
        return _SHORT
    if SCRIPT_TAG_LINE.match(s):
        return _TAGK
    if s in PAGE_CONTROLS or (n <= 30 and all(t in PAGE_CONTROL_TOKENS for t in s.split())):
        return _MENU
    if FIGURES_ONLY.match(s) or not HANGUL.search(s) and n < 40:
        return _NUM
    if TICKER.match(s):
        return _TICKERK
    ko_end = KOREAN_STOP_END.search(s) is not None or (
        n >= 5 and HANGUL_STOP_END.search(s) is not None
    )
    sentence = (
        (n >= 15 or ko_end) and STOP_AT_END.search(s) is not None and not (TRUNCATED_END.search(s))
    )
    if sentence and (
        (PAGE_NOTICE.search(s) and n < 120) or (SHORT_PAGE_NOTICE.search(s) and n < 40)
    ):
        return _NOTICE
    if n < 50 and HANDOFF.search(s):
        return _HANDOFFK
    if (hint is not None and hint.caption) or (
        # a short line: a body sentence with a caption glued to it is the rules' to split
        not sentence
        and 10 <= n <= 80
        and s[0] not in "[(【<"
        and " " in s
        and len(HANGUL_STOP.findall(s)) <= 1
        and not VERB_STOP.search(s)
        and CREDIT_AT_END.search(s)
    ):
        return _CAPTIONK
    if hint is not None and hint.heading and not hint.boilerplate and hint.link_density <= 0.5:
        return _HEAD
    if hint is not None and (
        hint.link_density > 0.5 or (hint.boilerplate and not (hint.in_article and sentence))
    ):
        return _MENU if n < 15 else _HEAD
    if LIST_ITEM.match(s) and not sentence:
        return _ITEMK  # "1. 신청 기간: ..." a numbered list inside an article
    if sentence and (ko_end or n >= 40):
        return _BODY
    if n >= 10 and s.endswith(","):
        return _PROSE  # one phrase a line: the sentence goes on below
    if repeated and not ko_end:
        return _MENU  # a headline the page lists twice, a button row
    if (n >= 80 and s.count(" ") >= 8) or (
        n >= 30 and (INNER_HANGUL_STOP.search(s) or s[-1] in GOES_ON)
    ):
        return _PROSE  # a sentence cut mid-way (a ticker split it), or two run on
    if n < 12 and s[0] not in BULLET_MARKS:
        return _SHORT
    return _HEAD  # (a short "■ …" line is a section head: it may stand in a deck)


_SCORE = {
    _BODY: 1.0,
    _PROSE: 0.2,
    _HEAD: -0.5,
    _SHORT: -0.25,
    _MENU: -0.8,
    _NOTICE: -1.0,
    _NUM: -0.4,
    _TAGK: 0.0,
    _HANDOFFK: 0.0,
    _TICKERK: -0.2,
    _CAPTIONK: -0.3,
    _ITEMK: 0.0,
}


def _score(kind: str, line: str, hint: LineHint | None) -> float:
    v = _SCORE[kind]
    if kind in (_BODY, _PROSE):
        v += min(len(line.strip()), 240) / (120 if kind == _BODY else 240)  # long weigh more
        if line.rstrip().endswith(","):
            v *= 0.5
        if hint is not None and hint.in_article:
            v += 0.5
    return v


def _best_run(scores: Sequence[float], lo: int, hi: int) -> tuple[int, int, float]:
    """The maximum-sum run ``[a, b)`` of ``scores[lo:hi]`` (Kadane)."""
    best = (lo, lo, 0.0)
    start, acc = lo, 0.0
    for i in range(lo, hi):
        if acc <= 0:
            start, acc = i, 0.0
        acc += scores[i]
        if acc > best[2]:
            best = (start, i + 1, acc)
    return best


def _mark_lists(lines: Sequence[str], kinds: list[str], reach: int = 12) -> None:
    """A lone sentence among the lines right under a list label ("관련기사", "많이 본 뉴스")
    is a headline."""
    for i, line in enumerate(lines):
        if len(line.strip()) > 20 or not LIST_HEAD.search(line):
            continue
        for j in range(i + 1, min(len(lines), i + 1 + reach)):
            t = lines[j].strip()
            if len(t) > 70 or (len(t) <= 20 and LIST_HEAD.search(t)):
                break  # a long line is the body going on; a new label, a new list
            if kinds[j] in (_BODY, _PROSE):
                if j + 1 < len(lines) and kinds[j + 1] in (_BODY, _PROSE):
                    break  # two sentences in a row: the body goes on after a related box
                kinds[j] = _HEAD


def _list_boxes(lines: Sequence[str], kinds: Sequence[str], reach: int = 12) -> set[int]:
    """List labels ("관련기사", "많이 본 뉴스") and the headline lines right under them."""
    out: set[int] = set()
    for i, line in enumerate(lines):
        t = line.strip()
        if len(t) > 20 or not LIST_HEAD.search(t) or kinds[i] in (_BODY, _PROSE):
            continue
        out.add(i)
        j = i + 1
        # headlines (a repeated one reads as a menu line) and rank numbers; a short menu
        # word ends the box
        while j < min(len(lines), i + 1 + reach) and (
            kinds[j] == _NUM or (kinds[j] in (_HEAD, _MENU, _SHORT) and len(lines[j].strip()) >= 15)
        ):
            out.add(j)
            j += 1
    return out


def _page_like(kinds: Sequence[str], cfg: BlockConfig) -> bool:
    furniture = sum(k in (_SHORT, _MENU, _NUM, _HEAD, _NOTICE) for k in kinds)
    return (
        len(kinds) >= cfg.min_lines
        and furniture >= cfg.min_furniture
        and furniture >= cfg.furniture_share * len(kinds)
    )


def _fold(s: str) -> str:
    return regex.sub(r"[\s\W_]+", "", s)


def _title_at(
    lines: Sequence[str],
    kinds: Sequence[str],
    before: int,
    hints: Sequence[LineHint] | None,
    near: int = 80,
) -> int | None:
    """The headline: of the headline-like lines within ``near`` lines above the body, the
    nearest that the browser title (the page's first line) holds, else the nearest HTML
    heading, else the nearest that the page prints again above it (a header, a breadcrumb)."""
    folded = [_fold(t) for t in lines[:before]]
    cands = []
    for i in range(before - 1, max(0, before - near), -1):
        tokens = lines[i].split()
        if (
            kinds[i] in (_HEAD, _MENU)
            and len(folded[i]) >= 6
            and len(tokens) >= 2
            and not (DATE_IN_LINE.search(lines[i]) or all(t in PAGE_CONTROL_TOKENS for t in tokens))
        ):
            cands.append(i)
    first = folded[0] if folded else ""
    top = folded[: min(10, len(folded))]
    seen = Counter(folded)
    tests = [
        lambda i: folded[i] in first,
        lambda i: hints is not None and hints[i].heading and not hints[i].boilerplate,
        lambda i: seen[folded[i]] > 1 or any(folded[i] in t for t in top[:i]),
    ]
    for test in tests:
        for i in cands:
            if test(i):
                return i
    return None


def _drop_rule(lines: Sequence[str], kinds: Sequence[str], k: int, after_body: bool) -> str:
    s = lines[k]
    kind = kinds[k]
    if after_body and FOOTER_CUE.search(s):
        return "block.footer"
    if kind == _NOTICE:
        return "block.footer" if FOOTER_CUE.search(s) else "block.notice"
    if after_body and COMMENT_CUE.search(s):
        return "block.comments"
    if kind in (_BODY, _PROSE):
        return "block.comments" if after_body else "block.notice"
    if kind == _HEAD:
        return "block.headline_list"
    if kind == _HANDOFFK:
        return "block.handoff"
    if kind == _TICKERK:
        return "block.ticker"
    if kind == _CAPTIONK:
        return "block.caption"
    return "block.nav"


_CATEGORY = {"block.caption": "caption", "block.handoff": "byline", "block.footer": "copyright"}


def _group(
    lines: Sequence[str],
    kinds: Sequence[str],
    idx: Sequence[int],
    body_start: int,
    rules: dict[int, str] | None = None,
) -> list[Dropped]:
    out: list[Dropped] = []
    for k in idx:
        rule = (rules or {}).get(k) or _drop_rule(lines, kinds, k, k > body_start)
        if out and out[-1].end == k and out[-1].rule == rule:
            out[-1] = replace(out[-1], end=k + 1)
        else:
            out.append(Dropped(k, k + 1, rule, _CATEGORY.get(rule, "page")))
    return out


def _is_list(lines: Sequence[str], kinds: Sequence[str], a: int, b: int) -> bool:
    """A run where nearly every sentence comes right under a headline (a section index, a
    list of related articles with their teasers), not an article with a related box in it.
    Speaker names are too short to count as headlines."""
    heads = sum(k == _HEAD and len(lines[i].strip()) >= 20 for i, k in enumerate(kinds[a:b], a))
    sents = [i for i in range(a, b) if kinds[i] in (_BODY, _PROSE)]
    under = sum(i > a and kinds[i - 1] == _HEAD and len(lines[i - 1].strip()) >= 20 for i in sents)
    return heads >= 4 and under >= 3 and under >= 0.6 * len(sents)


_BODYISH = frozenset((_BODY, _PROSE, _TAGK, _ITEMK))


def _best_segment(
    scores: Sequence[float], kinds: Sequence[str], a: int, b: int, split: float
) -> tuple[int, int, float]:
    """Split the run where furniture between two body lines adds up to ``-split`` or less (a
    comment thread, a footer and a print view between two copies) and return the best part."""
    parts: list[tuple[int, int, float]] = []
    start, gap_from, gap_sum, acc = a, None, 0.0, 0.0
    for i in range(a, b):
        if kinds[i] in _BODYISH:
            if gap_from is not None and gap_sum <= -split:
                parts.append((start, gap_from, acc - gap_sum))
                start, acc = i, 0.0
            gap_from, gap_sum = None, 0.0
        else:
            if gap_from is None:
                gap_from = i
            gap_sum += scores[i]
        acc += scores[i]
    parts.append(
        (
            start,
            gap_from if gap_from is not None else b,
            acc - (gap_sum if gap_from is not None else 0.0),
        )
    )
    return max(parts, key=lambda p: p[2])


def _copy_of(
    lines: Sequence[str], kinds: Sequence[str], run: tuple[int, int], of: tuple[int, int]
) -> bool:
    """Most of the run's sentences are printed in ``of`` too."""
    mine = {_fold(lines[i]) for i in range(*run) if kinds[i] == _BODY}
    theirs = {_fold(lines[i]) for i in range(*of) if kinds[i] == _BODY}
    return bool(mine) and len(mine & theirs) >= 0.5 * len(mine)


def _before_comments(lines: Sequence[str], kinds: Sequence[str], a: int, b: int) -> int:
    """Where the run should end: at a comment-thread label standing after two sentences of
    the body (long comments read like sentences and would join it)."""
    seen = 0
    for i in range(a, b):
        if kinds[i] == _BODY:
            seen += 1
        elif seen >= 2 and COMMENT_HEAD.match(lines[i].strip()):
            return i
    return b


_EDGE_FURNITURE = frozenset((_MENU, _SHORT, _NUM, _NOTICE, _HEAD, _HANDOFFK))


def _trim(lines: Sequence[str], kinds: Sequence[str], a: int, b: int) -> tuple[int, int]:
    """Cut furniture the run took along at its edges: before its first long sentence, all
    lines up to the last furniture line (a pop-up notice, a button); after its last long
    sentence, everything from the first furniture line on."""
    long = [i for i in range(a, b) if kinds[i] == _BODY and len(lines[i].strip()) >= 40]
    if not long:
        return a, b
    head = [i for i in range(a, long[0]) if kinds[i] in _EDGE_FURNITURE and kinds[i] != _HEAD]
    tail = [i for i in range(long[-1] + 1, b) if kinds[i] in _EDGE_FURNITURE and kinds[i] != _HEAD]
    return (head[-1] + 1 if head else a), (tail[0] if tail else b)


def select_body(
    lines: Sequence[str],
    hints: Sequence[LineHint] | None = None,
    config: BlockConfig | None = None,
) -> BlockVerdict:
    """Pick the article's lines out of a page's lines; see the module docstring."""
    cfg = config or BlockConfig()
    n = len(lines)
    if hints is not None and len(hints) != n:
        raise ValueError(f"{len(hints)} hints for {n} lines: give one LineHint a line")
    if (
        hints is None
        and n < cfg.min_lines
        and not (lines and _BROWSER_TITLE_BACK.match(lines[0].strip()))
    ):
        # Too few lines to be page-like, no markup and no browser title: the verdict below
        # without judging every line (most texts are articles, not saved pages).
        return BlockVerdict(
            tuple(range(n)), (), False, False, reason="not page-like: kept as it is"
        )
    counts = Counter(t.strip() for t in lines)
    kinds = [
        _kind(t, counts[t.strip()] > 1 and len(t.strip()) < 80, hints[i] if hints else None)
        for i, t in enumerate(lines)
    ]
    _mark_lists(lines, kinds)
    every = tuple(range(n))
    marked = sum(h.boilerplate or h.link_density > 0.5 for h in hints) if hints else 0
    # A page without one sentence in its visible text (its body, if any, is in a script): HTML,
    # or text that starts with a browser title ("headline - 조선일보").
    textless = not any(k in (_BODY, _PROSE) for k in kinds) and (
        hints is not None or bool(lines and BROWSER_TITLE.match(lines[0].strip()))
    )
    if not _page_like(kinds, cfg) and marked < cfg.min_marked and not textless:
        return BlockVerdict(every, (), False, False, reason="not page-like: kept as it is")
    scores = [
        _score(k, t, hints[i] if hints else None)
        for i, (k, t) in enumerate(zip(kinds, lines, strict=True))
    ]
    boxed = _list_boxes(lines, kinds)
    for i in boxed:  # a related box is dropped whole: it never splits the body it stands in
        scores[i] = 0.0
    lists = 0
    while True:
        a, b, best = _best_run(scores, 0, n)
        if b <= a or not _is_list(lines, kinds, a, b):
            break
        lists += 1  # headlines with teasers: the whole run is a list, look again without it
        for i in range(a, b):
            kinds[i] = _HEAD if kinds[i] in (_BODY, _PROSE) else kinds[i]
            scores[i] = -abs(scores[i]) or _SCORE[_HEAD]
    said = {_fold(lines[i]) for i in range(a, b) if kinds[i] == _BODY}
    body_chars = sum(len(t) for t in said)
    if b <= a or body_chars < cfg.min_body_chars or (len(said) < 2 and body_chars < 120):
        why = "only headline lists" if lists else "no run of sentences"
        dropped = _group(lines, kinds, every, n)
        return BlockVerdict((), tuple(dropped), True, True, reason=f"no article body: {why}")
    a, b, best = _best_segment(scores, kinds, a, b, cfg.split_gap)
    runs = [(a, b)]
    # Runs nearly as strong close by: a package's next article, a body split by a widget;
    # not a second copy of the body (a print view): the repeat pass would drop it anyway.
    for lo, hi in ((0, a), (b, n)):
        c, d, s = _best_run(scores, lo, hi)
        gap = a - d if hi == a else c - b
        if (
            d > c
            and s >= cfg.secondary_share * best
            and gap <= cfg.secondary_gap
            and not (_copy_of(lines, kinds, (c, d), (a, b)))
        ):
            runs.append((c, d))
    a, b = _trim(lines, kinds, min(r[0] for r in runs), max(r[1] for r in runs))
    b = _before_comments(lines, kinds, a, b)
    keep = set(range(a, b))
    # Context: a deck of short headline lines and segment tags right above the body.
    i, deck = a - 1, 0
    while (
        i >= 0
        and deck < cfg.max_deck
        and kinds[i] in (_HEAD, _TAGK, _TICKERK)
        and (not hints or not hints[i].boilerplate)
        and counts[lines[i].strip()] == 1
        and not DATE_IN_LINE.search(lines[i])
    ):
        keep.add(i)
        deck += kinds[i] == _HEAD
        i -= 1
    title = _title_at(lines, kinds, min(keep), hints)
    # Inside the block: anchors' hand-offs, tickers and (HTML) figure captions go, and so do
    # a list label with the headlines under it and (HTML) lines that are all links.
    keep -= {k for k in keep if kinds[k] in (_HANDOFFK, _TICKERK, _CAPTIONK)}
    keep -= boxed
    if hints is not None:
        keep -= {k for k in keep if hints[k].link_density >= 0.8 and kinds[k] != _BODY}
    if title is not None:
        keep.add(title)  # a linked headline, one the page also lists: still the headline
    kept = tuple(sorted(keep))
    dropped = _group(
        lines,
        kinds,
        [k for k in every if k not in keep],
        a,
        dict.fromkeys(boxed, "block.headline_list"),
    )
    log.debug("body block %d-%d of %d lines (score %.1f)", a, b, n, best)
    return BlockVerdict(
        kept, tuple(dropped), True, False, title, reason=f"body lines {a}-{b - 1} of {n}"
    )
