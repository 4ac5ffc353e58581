"""Optional dependencies: ``pip install 'dedupe-ko[EXTRA]'`` brings each one.

The core (JSON lines, CSV, text files, SQLite index) needs none of them; a feature that does
imports its package through `require`, which says which extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(ImportError):
    """A feature needs an optional package that is not installed; the message names the
    ``pip install`` line."""


def require(module: str, extra: str, feature: str) -> ModuleType:
    """``import module``, or `MissingExtraError` naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingExtraError(
            f"{feature} needs the optional package {module.split('.')[0]!r}, which is not "
            f"installed: pip install 'dedupe-ko[{extra}]'"
        ) from e
