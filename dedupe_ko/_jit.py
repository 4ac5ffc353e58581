"""Compiled kernels for the dedup hot loops, with numba (``pip install 'dedupe-ko[fast]'``).

A kernel is a plain Python function over numpy arrays and scalars. `kernel` compiles it with
``numba.njit`` on its first call (numba is imported then, not at start-up). Without numba, or
with ``DEDUPE_KO_JIT=0`` in the environment, `kernel` returns None and the caller keeps its
numpy path, which gives the same results: tests compare the two, and CI runs the whole suite
both ways.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["available", "kernel"]

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
            return _without_scipy(self._first_call, args)
        return f(*args)

    def _first_call(self, *args: Any) -> Any:
        import numba

        log.debug("compiling %s with numba %s", self._fn.__qualname__, numba.__version__)
        f = self._compiled = numba.njit(cache=True, nogil=True)(self._fn)
        return f(*args)

    @property
    def py_func(self) -> Callable[..., Any]:
        """The kernel as plain Python (slow; for tests on tiny inputs)."""
        return self._fn


def _without_scipy(f: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """``f(*args)`` (a kernel's first call: numba imported, the kernel compiled or loaded)
    with scipy kept out of reach: numba checks scipy's version on import and looks for a
    BLAS in it as it loads its numpy support, a 0.2 s import that ``dedupe-ko run`` does
    not make (kernels use no BLAS). A scipy imported before is left alone; otherwise numba's
    np.cov / np.corrcoef do without BLAS in this process (np.dot still finds it later)."""
    if "scipy" in sys.modules:
        return f(*args)
    sys.modules["scipy"] = None  # type: ignore[assignment]  # "import scipy" fails at once
    try:
        return f(*args)
    finally:
        if "scipy" in sys.modules and sys.modules["scipy"] is None:
            del sys.modules["scipy"]


def kernel(fn: Callable[..., Any]) -> Callable[..., Any] | None:
    """``fn`` compiled on first use, or None when kernels are off (see `available`)."""
    return _Lazy(fn) if available() else None
