"""The kernel switch: numba compiles a kernel on first use; DEDUPE_KO_JIT=0 turns it off."""

from __future__ import annotations

import numpy as np
import pytest

from dedupe_ko import _jit


def _pairs_sum(a: np.ndarray, b: np.ndarray) -> int:
    """Count of equal values of two sorted arrays (a small merge loop, as kernels are)."""
    i = j = n = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            n += 1
            i += 1
            j += 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return n


def test_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEDUPE_KO_JIT", "0")
    assert not _jit.available()
    assert _jit.kernel(_pairs_sum) is None


def test_compiled_kernel_matches_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEDUPE_KO_JIT", raising=False)
    assert _jit.available(), "the test extra brings numba"
    k = _jit.kernel(_pairs_sum)
    assert k is not None
    rng = np.random.default_rng(7)
    for _ in range(20):
        a = np.unique(rng.integers(0, 300, 120, dtype=np.uint64))
        b = np.unique(rng.integers(0, 300, 90, dtype=np.uint64))
        want = len(np.intersect1d(a, b))
        assert k(a, b) == want == k.py_func(a, b)
