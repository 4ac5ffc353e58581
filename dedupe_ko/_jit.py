"""Compiled kernels for the dedup hot loops, with numba (``pip install 'dedupe-ko[fast]'``).

A kernel is a plain Python function over numpy arrays and scalars. `kernel` compiles it with
``numba.njit`` on its first call (numba is imported then, not at start-up). Without numba, or
with ``DEDUPE_KO_JIT=0`` in the environment, `kernel` returns None and the caller keeps its
numpy path, which gives the same results: tests compare the two, and CI runs the whole suite
both ways.

Costs: the first use ever compiles every kernel (about 11 CPU s, cached next to the module by
numba); after that, each process pays about 1 CPU s to import numba and load the cached
kernels. So callers use kernels only once numba is `loaded`, and a Deduplicator `load`s it
after `LOAD_AFTER` records: a small run stays on numpy and starts as fast as without numba.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["available", "kernel", "load", "loaded"]

# Records a Deduplicator takes before it loads numba (`load`): numba's start-up (about 0.7 s
# of CPU in every process, with the kernels cached) costs more than the kernels save on a
# smaller run, so a small run stays on the numpy path (same decisions).
LOAD_AFTER = 4096

log = logging.getLogger(__name__)


def available() -> bool:
    """Whether kernels are compiled: numba is installed and ``DEDUPE_KO_JIT`` is not ``0``."""
    if os.environ.get("DEDUPE_KO_JIT", "1").strip() == "0":
        return False
    return importlib.util.find_spec("numba") is not None


class _Lazy:
    """``numba.njit(cache=True)(fn)``, built on the first call."""

    __slots__ = ("_compiled", "_fn")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self._compiled: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        f = self._compiled
        if f is None:
            import numba

            log.debug("compiling %s with numba %s", self._fn.__qualname__, numba.__version__)
            f = self._compiled = numba.njit(cache=True, nogil=True)(self._fn)
        return f(*args)

    @property
    def py_func(self) -> Callable[..., Any]:
        """The kernel as plain Python (slow; for tests on tiny inputs)."""
        return self._fn


def kernel(fn: Callable[..., Any]) -> Callable[..., Any] | None:
    """``fn`` compiled on first use, or None when kernels are off (see `available`)."""
    return _Lazy(fn) if available() else None


def loaded() -> bool:
    """Whether numba is imported in this process: callers use their kernels only then (a
    small run never pays numba's start-up; both paths give the same results)."""
    return "numba" in sys.modules


def load() -> bool:
    """Import numba now when kernels are on (see `available`), so that callers use their
    kernels from here on; returns `loaded`."""
    if available():
        import numba  # noqa: F401

        log.debug("numba loaded: kernels on")
    return loaded()
