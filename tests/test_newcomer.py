"""Issue 15, a newcomer's first hour: packaging, start-up, CLI user errors.

User errors are checked the way a user meets them: a real ``python -m dedupe_ko`` process,
exit status 1, exactly one line on stderr, no traceback.
"""

from __future__ import annotations

import numpy as np
import pytest

from dedupe_ko._sketch import affine32_permutations, optimal_bands_rows

# -- item 8: datasketch's permutations and optimiser without importing datasketch ---------------

@pytest.mark.parametrize("num_perm", [8, 64, 128, 256])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_affine32_permutations_equal_datasketch(num_perm: int, seed: int) -> None:
    from datasketch import MinHash

    theirs = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = affine32_permutations(num_perm, seed)
    assert ours.dtype == theirs.dtype
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("num_perm", [16, 128, 256])
def test_optimal_bands_rows_equal_datasketch(num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    for threshold in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95):
        for weights in ((0.5, 0.5), (0.2, 0.8)):
            assert optimal_bands_rows(threshold, num_perm, *weights) == \
                _optimal_param(threshold, num_perm, *weights), (threshold, num_perm, weights)
