"""Growing numpy buffers in place (the Deduplicator's columns, the fingerprint table)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["grow"]


def grow(owner: Any, name: str | int, rows: int) -> None:
    """Give the array ``owner.<name>`` (``owner[name]`` for an int) ``rows`` rows, more than
    it has: the first ones unchanged, the new ones zero. In place when nothing else refers
    to it (``ndarray.resize``: a large buffer is remapped by the allocator, not copied, and
    the pages written are not touched again); otherwise (a view of it is alive) a new array
    takes its place, with a copy."""
    try:
        # (one reference besides the owner's, or ``resize`` refuses: none is held here)
        if isinstance(name, int):
            owner[name].resize((rows, *owner[name].shape[1:]), refcheck=True)
        else:
            getattr(owner, name).resize((rows, *getattr(owner, name).shape[1:]), refcheck=True)
        return
    except ValueError:  # another reference: it must stay where it is
        pass
    a = owner[name] if isinstance(name, int) else getattr(owner, name)
    new = np.zeros((rows, *a.shape[1:]), dtype=a.dtype)
    new[: len(a)] = a
    if isinstance(name, int):
        owner[name] = new
    else:
        setattr(owner, name, new)
