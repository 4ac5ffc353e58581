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

from .blocks import LineHint
from .boilerplate import RuleSet, load_rules
from .normalize import normalize
from .passes import COLLAPSED_CHARS, PASSES, Page, Removal, run_passes
from .segment import restore_breaks

__all__ = [
    "COLLAPSED_CHARS",
    "CleanConfig",
    "Cleaned",
    "Removal",
    "clean",
    "clean_and_explain",
    "replay",
]


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


def clean_and_explain(
    text: str,
    config: CleanConfig | None = None,
    *,
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
    return _clean(text, cfg, hints, explain=True)


def _clean(
    text: str, cfg: CleanConfig, hints: Sequence[LineHint] | None, *, explain: bool
) -> Cleaned:
    """`clean_and_explain`; with ``explain`` False the result has no removals (`clean`)."""
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
    restored = restore_breaks(text)
    norm = normalize(restored, fold_quotes=cfg.fold_quotes)
    page = Page(norm.text, cfg, cfg.rules, hints=hints, explain=explain)
    if restored is not text:
        page.fixes.append("restore_breaks")
    run_passes(page, PASSES)
    if "no article body" not in page.warnings and _looks_like_html(text):
        page.warnings.append(
            "looks like HTML: use dedupe_ko.clean_html (or --format html) for pages"
        )
    return Cleaned(
        text=page.body,
        title=page.title,
        removals=page.removals,
        normalized=page.text,
        fixes=tuple(norm.fixes) + tuple(page.fixes),
        warnings=tuple(norm.warnings) + tuple(page.warnings),
    )


_HTML_TAGS = regex.compile(r"<(?:html|head|body|div|p|br|span|a\s|script|meta)\b", regex.I)


def _looks_like_html(text: str) -> bool:
    """Raw markup given as text (a dozen tags or more)."""
    return len(_HTML_TAGS.findall(text[:20_000])) >= 12


def clean(text: str, config: CleanConfig | None = None, **overrides: object) -> str:
    """Clean one scraped article and return its body: paragraphs joined by "\\n"."""
    cfg = config or CleanConfig()
    if overrides:
        cfg = replace(cfg, **overrides)  # type: ignore[arg-type]
    return _clean(text, cfg, None, explain=False).text  # the body without its removals
