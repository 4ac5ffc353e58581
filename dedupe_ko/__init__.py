"""dedupe_ko: clean and deduplicate scraped Korean news articles.

The cleaning API is imported at once; the dedup and index API (which need datasketch, numpy
and redis) are imported on first use, so `dedupe-ko clean` starts fast.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .blocks import BlockConfig, BlockVerdict, LineHint, select_body
from .boilerplate import Rule, RuleError, RuleSet, load_rules
from .clean import CleanConfig, Cleaned, Removal, clean, clean_and_explain, replay
from .normalize import Normalized, normalize

try:
    __version__ = version("dedupe-ko")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

_LAZY = {
    "DedupConfig": "dedup",
    "Decision": "dedup",
    "Deduplicator": "dedup",
    "Match": "dedup",
    "dedup": "dedup",
    "Index": "index",
    "IndexFormatError": "index",
    "IndexMismatchError": "index",
    "IndexUnavailableError": "index",
    "MinHashConfig": "minhash",
    "MinHasher": "minhash",
    "clean_html": "html",
    "html_to_lines": "html",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dedupe_ko' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "BlockConfig",
    "BlockVerdict",
    "CleanConfig",
    "Cleaned",
    "DedupConfig",
    "Decision",
    "Deduplicator",
    "Index",
    "IndexFormatError",
    "IndexMismatchError",
    "IndexUnavailableError",
    "LineHint",
    "Match",
    "MinHashConfig",
    "MinHasher",
    "Normalized",
    "Removal",
    "Rule",
    "RuleError",
    "RuleSet",
    "clean",
    "clean_and_explain",
    "clean_html",
    "dedup",
    "html_to_lines",
    "load_rules",
    "normalize",
    "replay",
    "select_body",
]
