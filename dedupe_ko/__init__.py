"""dedupe_ko: clean and deduplicate scraped Korean news articles.

The cleaning and dedup API are imported at once; the index API (SQLite, Redis) and the
MinHash classes on first use.

``dedupe_ko.dedup`` is the function `dedup`, always. The module of the same name
(``dedupe_ko/dedup.py``) is imported here, before the function is bound, so Python's import
system (which sets a package attribute to a submodule only when it first loads it) never
rebinds the name to the module afterwards. The module stays reachable as
``from dedupe_ko.dedup import Deduplicator`` or ``importlib.import_module("dedupe_ko.dedup")``;
``import dedupe_ko.dedup as m`` gives the function, like ``from dedupe_ko import dedup``.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .boilerplate import Rule, RuleError, RuleSet, load_rules
from .clean import CleanConfig, Cleaned, Removal, clean, clean_and_explain, replay

# Must stay an explicit import (not lazy): see the module docstring.
from .dedup import Decision, DedupConfig, Deduplicator, Match, dedup
from .normalize import Normalized, normalize

try:
    __version__ = version("dedupe-ko")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

_LAZY = {
    "Index": "index",
    "IndexFormatError": "index",
    "IndexMismatchError": "index",
    "IndexUnavailableError": "index",
    "MinHashConfig": "minhash",
    "MinHasher": "minhash",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dedupe_ko' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "CleanConfig",
    "Cleaned",
    "DedupConfig",
    "Decision",
    "Deduplicator",
    "Index",
    "IndexFormatError",
    "IndexMismatchError",
    "IndexUnavailableError",
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
    "dedup",
    "load_rules",
    "normalize",
    "replay",
]
