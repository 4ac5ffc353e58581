"""dedupe_ko: clean and deduplicate scraped Korean news articles."""

from importlib.metadata import PackageNotFoundError, version

from .boilerplate import Rule, RuleError, RuleSet, load_rules
from .clean import CleanConfig, Cleaned, Removal, clean, clean_and_explain, replay
from .dedup import Decision, DedupConfig, Deduplicator, Match, dedup
from .index import Index, IndexFormatError, IndexMismatchError, IndexUnavailableError
from .minhash import MinHashConfig, MinHasher
from .normalize import Normalized, normalize

try:
    __version__ = version("dedupe-ko")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

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
    "dedup",
    "Normalized",
    "Removal",
    "Rule",
    "RuleError",
    "RuleSet",
    "clean",
    "clean_and_explain",
    "load_rules",
    "normalize",
    "replay",
]
