"""dedupe_ko: clean and deduplicate scraped Korean news articles.

The cleaning API is imported at once; the dedup and index API (numpy, SQLite, Redis) on first
use, so ``dedupe-ko clean`` does not pay for them.

``dedupe_ko.dedup`` is the function `dedup`, always. Python's import system sets a package's
attribute to a submodule when it first loads it, which would make ``dedupe_ko.dedup`` the
module ``dedupe_ko/dedup.py`` after anything imported it. The package's `_Package` class
turns that one assignment into the module's function. The module stays reachable as
``from dedupe_ko.dedup import Deduplicator`` or ``importlib.import_module("dedupe_ko.dedup")``;
``import dedupe_ko.dedup as m`` gives the function, like ``from dedupe_ko import dedup``.
"""

import sys
import types
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


class _Package(types.ModuleType):
    """The package's module type: keeps ``dedupe_ko.dedup`` the function (module docstring)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "dedup" and isinstance(value, types.ModuleType):
            value = value.dedup  # the import system binding the submodule: keep the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
