"""datasketch's affine32 permutations and LSH band/row optimiser, without importing datasketch.

``import datasketch`` (any part of it) imports ``datasketch.lsh``, which imports scipy: about
a second on every start of ``dedupe-ko dedup`` / ``run``. The two things we take from it are
small and deterministic, so they are computed here; ``tests/test_newcomer.py`` checks both
against datasketch itself, and the index fingerprint's ``permutation_check`` would catch a
difference in the permutations.

- `affine32_permutations` is ``datasketch.MinHash(num_perm, seed, scheme="affine32")
  .permutations`` (datasketch 2.0): odd ``a`` and any ``b``, 32-bit, from
  ``numpy.random.RandomState(seed)``.
- `optimal_bands_rows` is ``datasketch.lsh._optimal_param``: the (bands, rows) with
  ``bands * rows <= num_perm`` minimising the weighted false positive and false negative
  areas. datasketch integrates with ``scipy.integrate.quad``; the integrands are polynomials
  of degree ``bands * rows``, so Gauss-Legendre with ``num_perm // 2 + 1`` nodes is exact.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = ["affine32_permutations", "optimal_bands_rows"]


def affine32_permutations(num_perm: int, seed: int) -> np.ndarray:
    """The (2, num_perm) uint32 array ``[a, b]`` of datasketch's affine32 scheme (a copy of
    its own: every `Index.check` builds a MinHasher, and drawing them costs 0.2 ms)."""
    return _affine32(num_perm, seed).copy()


@cache
def _affine32(num_perm: int, seed: int) -> np.ndarray:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    out = np.array([a, b])
    out.flags.writeable = False
    return out


@cache
def optimal_bands_rows(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) as datasketch's optimiser picks them (first minimum, bands outer)."""
    pairs = np.array(
        [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)],
        dtype=np.float64,
    )
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    bands, rows = pairs[:, :1], pairs[:, 1:]

    def area(lo: float, hi: float, false_negative: bool) -> np.ndarray:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2  # nodes mapped from [-1, 1] to [lo, hi]
        p = 1.0 - (1.0 - s[None, :] ** rows) ** bands  # chance the pair shares a band
        return ((1.0 - p) if false_negative else p) @ weights * (hi - lo) / 2

    error = (
        area(0.0, threshold, False) * false_positive_weight
        + area(threshold, 1.0, True) * false_negative_weight
    )
    b, r = pairs[int(np.argmin(error))]
    return int(b), int(r)
