"""The cleaning stage: normalise, strip furniture, take the title, drop repeated paragraphs.

``clean_and_explain(text)`` returns a `Cleaned` that says what was removed and why;
``clean(text)`` returns just the body. Removal offsets index ``Cleaned.normalized`` (the input
after Unicode repair; identical to the input when ``Cleaned.fixes`` is empty), and
``replay(cleaned.normalized, cleaned.removals)`` reproduces ``cleaned.text`` exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import regex

from .blocks import LineHint, select_body
from .boilerplate import Rule, RuleSet, is_sentence, load_rules
from .normalize import normalize
from .paragraphs import find_repeats

__all__ = ["CleanConfig", "Cleaned", "Removal", "clean", "clean_and_explain", "replay"]

_TITLE_MAX = 300
# First/last lines longer than this are treated as collapsed page heads/tails: furniture is
# trimmed from their ends (edge rules).
COLLAPSED_CHARS = _TITLE_MAX
_TITLE_BAD_END = regex.compile(r"[.。][\"'”’」』)\]]*$")
_DATELINE_START = regex.compile(r"^[\[(【]\s*[가-힣A-Za-z]{1,12}\s*=")
_DATE_OR_TIME = regex.compile(r"\d{2,4}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}|\d{1,2}:\d{2}|\d{8}")
# Lines that anchor the body block: they end with a full stop (before any closing quotes).
# Headlines, section names and related-headline lists do not.
_ANCHOR = regex.compile(r"[.。][\"'”’」』)\]]{0,3}$")
_SENTENCE_MIN = 10
_HEADLINE_PUNCT = regex.compile(r"[,\"'…‘’“”:?!]")
_WORD_ENDINGS = frozenset("은는이가을를에의로서도만와과다요고며나")
_INNER_STOP = regex.compile(r"[가-힣]\.\s")  # "...나온다. 왜일까?": two sentences, not a headline


@dataclass(frozen=True)
class CleanConfig:
    """Everything that shapes cleaning. Pass one to `clean`, or keyword arguments over it.

    - ``rule_files``: extra TOML rule files laid over the built-in catalogue (add, override
      by id, ``disable = [...]``). Default: none.
    - ``disabled_rules``: rule ids to switch off. Default: none.
    - ``categories``: rule categories in force; None means all. Default: None.
    - ``fold_quotes``: curly and full-width quotes become ASCII quotes. Default: True.
    - ``extract_title``: a leading headline goes to ``title``, not the body. Default: True.
    - ``drop_repeats``: drop paragraphs that repeat an earlier one. Default: True.
    - ``near_repeat``: trigram Jaccard at which two paragraphs are the same. Default: 0.8.
    - ``contained_repeat``: share of a paragraph's trigrams found in an earlier paragraph at
      which it is a trimmed copy of it. Default: 0.9.
    - ``max_chars``: longer inputs raise `ValueError` (the CLI quarantines them).
      Default: 5,000,000.
    """

    rule_files: tuple[str, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    categories: frozenset[str] | None = None
    fold_quotes: bool = True
    extract_title: bool = True
    drop_repeats: bool = True
    near_repeat: float = 0.8
    contained_repeat: float = 0.9
    max_chars: int = 5_000_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_files", tuple(str(f) for f in self.rule_files))
        object.__setattr__(self, "disabled_rules", frozenset(self.disabled_rules))
        if self.categories is not None:
            object.__setattr__(self, "categories", frozenset(self.categories))
        for name in ("near_repeat", "contained_repeat"):
            v = getattr(self, name)
            if not 0.0 < v <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {v}")
        if self.max_chars <= 0:
            raise ValueError(f"max_chars must be positive, got {self.max_chars}")

    @property
    def rules(self) -> RuleSet:
        """The rule set this config puts in force (loaded once per distinct config)."""
        # A rule file edited since it was loaded is loaded again (its mtime is in the key).
        stamps = tuple(_mtime(f) for f in self.rule_files)
        return _rules_for(self.rule_files, stamps, self.disabled_rules, self.categories)


def _mtime(path: str) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return -1  # load_rules says what is wrong with it


@lru_cache(maxsize=32)
def _rules_for(
    files: tuple[str, ...],
    stamps: tuple[int, ...],
    disabled: frozenset[str],
    categories: frozenset[str] | None,
) -> RuleSet:
    return load_rules(files, disabled=disabled, categories=categories)


@dataclass(frozen=True)
class Removal:
    """One removed span of ``Cleaned.normalized``: which rule, which category, where, what.

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
        d = {"rule": self.rule, "category": self.category, "start": self.start,
             "end": self.end, "text": self.text}
        if self.repeats is not None:
            d["repeats"] = self.repeats
            d["similarity"] = self.similarity
        return d


@dataclass(frozen=True)
class Cleaned:
    """The result of cleaning one article, able to explain itself."""

    text: str
    title: str | None
    removals: tuple[Removal, ...]
    normalized: str
    fixes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n") if self.text else []

    def removed_chars_by_category(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.removals:
            out[r.category] = out.get(r.category, 0) + (r.end - r.start)
        return out


def replay(normalized: str, removals: Iterable[Removal]) -> str:
    """Apply removals to the normalised text: the result equals ``Cleaned.text``."""
    parts: list[str] = []
    pos = 0
    for r in sorted(removals, key=lambda r: r.start):
        if r.start < pos:
            raise ValueError(f"overlapping removals at offset {r.start}")
        parts.append(normalized[pos : r.start])
        pos = r.end
    parts.append(normalized[pos:])
    return "".join(parts)


def _headline_like(line: str) -> bool:
    return (
        0 < len(line) <= _TITLE_MAX
        and not _TITLE_BAD_END.search(line)
        and not _DATELINE_START.match(line)
    )


def _whole_line(src: str, a: int, b: int, cuts: Sequence[tuple] = ()) -> bool:
    """Nothing was trimmed from this kept line (but a browser-title suffix)."""
    ends = b == len(src) or src[b] == "\n" or any(
        c[0] == b and c[2] == "ui.page_title_suffix" for c in cuts
    )
    return (a == 0 or src[a - 1] == "\n") and ends


def _title_candidate(line: str) -> bool:
    """A headline, not a section name, a navigation bar or a date line."""
    tokens = line.split()
    return (
        _headline_like(line)
        and not _INNER_STOP.search(line)
        and len(line) >= 8
        and len(tokens) >= 2
        and not _nav_bar(tokens)
        and not _DATE_OR_TIME.search(line)
    )


def _is_anchor(line: str) -> bool:
    """A body sentence that can mark where the body block starts or ends."""
    return len(line) >= _SENTENCE_MIN and _ANCHOR.search(line) is not None


def _nav_bar(tokens: list[str]) -> bool:
    """Section names in a row ("정치 경제 사회 국제 문화"): short words, none ending in a
    particle or verb ending the way headline words do."""
    return (
        len(tokens) >= 5
        and all(len(t) <= 4 and t[-1] not in _WORD_ENDINGS for t in tokens)
        and not _HEADLINE_PUNCT.search(" ".join(tokens))
    )


def _outside_body(
    src: str,
    kept: list[tuple[int, int]],
    cuts: list[tuple[int, int, str, str, str | None, float | None]],
    rules: RuleSet,
    want_title: bool,
    body_from: int | None = None,
) -> tuple[set[int], int | None]:
    """Find the headline, and the short non-sentence lines standing before the first or after
    the last body sentence (navigation, section names, related headlines, counters).

    Returns the indices of ``kept`` to drop (the title among them) and the title's index.
    The title is the first headline-like line before the body; it is taken only when the
    page shows furniture, so a clean body keeps its first line and cleaning is idempotent.
    Adds a cut for every line it drops. ``body_from``: the offset where the body block
    starts (issue 13), taken as the first body line.
    """
    texts = [src[a:b] for a, b in kept]
    # A line that a dateline or wire credit was trimmed from is where the body starts.
    ledes = {c[1] for c in cuts if c[3] == "wire"}
    if body_from is not None:
        ledes.add(body_from)
    sentences = [k for k, t in enumerate(texts) if _is_anchor(t) or kept[k][0] in ledes]
    first, last = (sentences[0], sentences[-1]) if sentences else (len(kept), len(kept))
    candidate = None
    if want_title:
        for k in range(first if sentences else min(1, len(kept))):
            if _whole_line(src, *kept[k], cuts) and _title_candidate(texts[k]):
                candidate = k
                break
    drop: dict[int, str] = {}
    if sentences:
        for k in range(first):
            rule = rules.layout_rule(texts[k], "head") if k != candidate else None
            if rule is not None:
                drop[k] = rule.id
        for k in range(last + 1, len(kept)):
            rule = rules.layout_rule(texts[k], "tail")
            if rule is not None:
                drop[k] = rule.id
    title_at = None
    if candidate is not None and (cuts or drop) and len(kept) - len(drop) > 1:
        title_at = candidate
        drop[candidate] = "title.headline"
    for k, rule_id in drop.items():
        a, b = kept[k]
        category = "title" if rule_id == "title.headline" else "layout"
        cuts.append((a, b, rule_id, category, None, None))
    return set(drop), title_at


def _glued_headline(line: str, rules: RuleSet) -> int | None:
    """Where page furniture starts in a first line that also carries the headline and the
    body (a page collapsed onto one line); None for an ordinary first line."""
    if len(line) <= _TITLE_MAX:
        return None  # an ordinary headline line: its words are never split off
    at = rules.head_furniture_at(line[: _TITLE_MAX + 40])
    if at is None or rules.head_furniture_at(" " + line[:at]) is not None:
        return None  # the page starts with furniture, not a headline
    if not _headline_like(line[:at].rstrip()):
        return None
    return at


_HTML_TAGS = regex.compile(r"<(?:html|head|body|div|p|br|span|a\s|script|meta)\b", regex.I)


def _looks_like_html(text: str) -> bool:
    """Raw markup given as text (a dozen tags or more)."""
    return len(_HTML_TAGS.findall(text[:20_000])) >= 12


def clean_and_explain(
    text: str,
    config: CleanConfig | None = None,
    hints: Sequence[LineHint] | None = None,
    **overrides: object,
) -> Cleaned:
    """Clean one scraped article and say what was removed, by which rule, and where.

    ``hints``: one `LineHint` per line of the normalised text, from the HTML path
    (`dedupe_ko.clean_html`); leave None for text.
    """
    cfg = config or CleanConfig()
    if overrides:
        cfg = replace(cfg, **overrides)  # type: ignore[arg-type]
    if not isinstance(text, str):
        raise TypeError(
            f"clean() takes str, not {type(text).__name__}; decode bytes first "
            "(e.g. data.decode('utf-8', errors='replace'))"
        )
    if len(text) > cfg.max_chars:
        raise ValueError(
            f"article has {len(text):,} characters, over max_chars={cfg.max_chars:,}; "
            "raise CleanConfig.max_chars to clean it"
        )
    norm = normalize(text, fold_quotes=cfg.fold_quotes)
    src = norm.text
    rules = cfg.rules

    # Lines with their offsets in src (normalisation left no blank lines or edge spaces).
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in src.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    # --- body block (issue 13): on a whole page, lines outside the article's block go first.
    body_from: int | None = None  # where the block's article starts (its deck, if any)
    block_title: str | None = None  # the headline the block found above the article
    block = select_body(
        [ln for _, ln in lines], hints if hints and len(hints) == len(lines) else None
    )
    cuts: list[tuple[int, int, str, str, str | None, float | None]] = []
    warnings = list(norm.warnings)
    if block.page_like:
        for d in block.dropped:
            a, b = lines[d.start][0], lines[d.end - 1][0] + len(lines[d.end - 1][1])
            cuts.append((a, b, d.rule, d.category, None, None))
        if block.title is not None and cfg.extract_title:
            off, block_title = lines[block.title]
            cuts.append((off, off + len(block_title), "title.headline", "title", None, None))
        lines = [lines[i] for i in block.kept if block_title is None or i != block.title]
        body_from = lines[0][0] if lines else None
    if block.no_article:
        warnings.append("no article body")
    elif _looks_like_html(src):
        warnings.append("looks like HTML: use dedupe_ko.clean_html (or --format html) for pages")
    # --- end body block
    n = len(lines)
    body_like = [i for i, (_, ln) in enumerate(lines) if is_sentence(ln)]
    first_body = body_like[0] if body_like else n
    last_body = body_like[-1] if body_like else -1

    # Character spans to remove: (start, end, rule id, category, repeats, similarity).
    kept: list[tuple[int, int]] = []  # kept [start, end) of each line in src
    title: str | None = block_title
    glued = _glued_headline(lines[0][1], rules) if cfg.extract_title and lines else None
    prev_rule: str | None = None
    removed_by: list[list[Rule] | None] = []  # per line: the rules that removed it whole
    for i, (off, line) in enumerate(lines):
        if i == 0 and glued is not None:
            # A collapsed page: "headline menu... body...". The headline goes to the title and
            # the rest of the line is cleaned as the page's first line.
            title = line[:glued].rstrip()
            cuts.append((0, glued, "title.headline", "title", None, None))
            off, line = off + glued, line[glued:]
        zones = {"any"}
        if i < first_body:
            zones.add("head")
        if i > last_body:
            zones.add("tail")
        if len(line) > COLLAPSED_CHARS:  # a page (or its head or tail) collapsed onto one line
            if i == 0:
                zones.add("first")
            if i == n - 1:
                zones.add("last")
        line_cuts, a, b = rules.strip_line(line, frozenset(zones), prev_rule)
        for c in line_cuts:
            cuts.append((off + c.start, off + c.end, c.rule.id, c.rule.category, None, None))
        if b > a:
            removed_by.append(None)
            kept.append((off + a, off + b))
            prev_rule = None
        else:
            removed_by.append([c.rule for c in line_cuts])
            prev_rule = line_cuts[-1].rule.id if line_cuts else None
    beside = _beside_furniture(src, kept, removed_by, rules)
    for k in sorted(beside):
        rule = beside[k]
        cuts.append((*kept[k], rule.id, rule.category, None, None))
    kept = [span for k, span in enumerate(kept) if k not in beside]

    paras = [src[a:b] for a, b in kept]
    repeats: dict[int, tuple[int, float]] = {}
    if cfg.drop_repeats and kept:
        repeats = find_repeats(
            paras, near_threshold=cfg.near_repeat, containment_threshold=cfg.contained_repeat
        )
    # Furniture around the body and the headline are judged on what is not a repeat, so a
    # second pass over the output finds nothing more to do.
    live = [k for k in range(len(kept)) if k not in repeats]
    dropped, title_at = _outside_body(
        src, [kept[k] for k in live], cuts, rules, title is None and cfg.extract_title, body_from
    )
    title_k = live[title_at] if title_at is not None else None
    dropped_k = {live[d] for d in dropped}
    if title_k is not None:
        title = paras[title_k]
        # The headline again is furniture before the body or at the head of a doubled body;
        # further down it is the article's own words (a subhead that repeats it).
        anchors = [k for k in live if k > title_k and k not in dropped_k and _is_anchor(paras[k])]
        for i, (j, _) in sorted(repeats.items()):
            inside = bool(anchors) and anchors[0] < i < anchors[-1]
            if j == title_k and inside and i + 1 not in repeats:
                del repeats[i]
                break  # the first such copy stays; later ones repeat it
    for k, (j, sim) in sorted(repeats.items()):
        a, b = kept[k]
        cuts.append((a, b, "repeat.paragraph", "repeat", paras[j], sim))
    gone = set(repeats) | dropped_k
    kept = [span for k, span in enumerate(kept) if k not in gone]

    removals = _removals(src, kept, cuts)
    body = "\n".join(src[a:b] for a, b in kept)
    if title is not None and not body:
        warnings.append("title only: no body text after the headline")
    return Cleaned(
        text=body,
        title=title,
        removals=removals,
        normalized=src,
        fixes=norm.fixes,
        warnings=tuple(warnings),
    )


def _beside_furniture(
    src: str,
    kept: Sequence[tuple[int, int]],
    removed_by: Sequence[list[Rule] | None],
    rules: RuleSet,
) -> dict[int, Rule]:
    """Kept lines that a "beside" rule removes (index in ``kept`` -> rule): a photo
    description on the line before its credit. ``removed_by`` has one item per line: None
    for a kept line (the kept lines in order are ``kept``), else the rules that removed it.
    Only inside the body: a line with no body sentence after it is the article's last
    paragraph, followed by a byline or footer."""
    if not rules.has_beside:
        return {}
    lines = [i for i, r in enumerate(removed_by) if r is None]  # line of each kept span
    sentences = [k for k, (a, b) in enumerate(kept) if is_sentence(src[a:b])]
    out: dict[int, Rule] = {}
    for k, i in enumerate(lines[: sentences[-1]] if sentences else ()):
        near = removed_by[i + 1] if i + 1 < len(removed_by) else None
        rule = rules.beside_rule(src[slice(*kept[k])], near) if near else None
        if rule is not None:
            out[k] = rule
    return out


def _removals(
    src: str,
    kept: Sequence[tuple[int, int]],
    cuts: Sequence[tuple[int, int, str, str, str | None, float | None]],
) -> tuple[Removal, ...]:
    """Turn cuts into removals that tile everything outside ``kept`` except one "\\n" between
    kept lines, so that replaying them yields exactly the joined body. Spaces and newlines no
    rule claimed go to the neighbouring removal."""
    gaps: list[tuple[int, int]] = []
    prev = 0
    for k, (a, b) in enumerate(kept):
        if k == 0:
            if a > 0:
                gaps.append((0, a))
        else:
            nl = src.find("\n", prev, a)
            if prev < nl:
                gaps.append((prev, nl))
            if nl + 1 < a:
                gaps.append((nl + 1, a))
        prev = b
    if not kept:
        gaps = [(0, len(src))] if src else []
    elif prev < len(src):
        gaps.append((prev, len(src)))
    ordered = sorted(cuts, key=lambda c: (c[0], c[1]))
    out: list[Removal] = []
    ci = 0
    for g0, g1 in gaps:
        while ci < len(ordered) and ordered[ci][1] <= g0:
            ci += 1
        pieces: list[list] = []  # [start, end, cut]
        j = ci
        while j < len(ordered) and ordered[j][0] < g1:
            c = ordered[j]
            a, b = max(c[0], g0), min(c[1], g1)
            if pieces and a < pieces[-1][1]:
                a = pieces[-1][1]
            if a < b:
                if pieces:
                    pieces[-1][1] = a  # unclaimed chars between two cuts join the first
                pieces.append([a, b, c])
            j += 1
        if not pieces:  # only whitespace: give it to the nearest cut
            near = min(ordered, key=lambda c: min(abs(c[0] - g1), abs(c[1] - g0)))
            pieces = [[g0, g1, near]]
        pieces[0][0] = g0
        pieces[-1][1] = g1
        out.extend(_mk(src, a, b, c) for a, b, c in pieces)
    return tuple(out)


def _mk(src: str, a: int, b: int, cut: tuple) -> Removal:
    _, _, rule, category, repeats, sim = cut
    return Removal(rule, category, a, b, src[a:b], repeats, sim)


def clean(text: str, config: CleanConfig | None = None, **overrides: object) -> str:
    """Clean one scraped article and return its body: paragraphs joined by "\\n"."""
    return clean_and_explain(text, config, **overrides).text
