"""Shingles and MinHash signatures for Korean article bodies, built a batch at a time.

Shingles are character n-grams of the folded body (`shingle_key`): spaces, punctuation,
quote and middle-dot variants and leading tags such as "[속보]" are gone, so 띄어쓰기
differences between outlets do not change them. Signatures use datasketch's "affine32"
permutation scheme (the datasketch 2.0 default) with its own permutation parameters; a
`MinHasher` applies them to a whole batch with numpy, and gives exactly the hash values
``datasketch.MinHash(scheme="affine32", hashfunc=<our shingle hash>)`` would.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import regex
import xxhash
from datasketch import LeanMinHash, MinHash
from datasketch.lsh import _optimal_param

from .normalize import NORMALIZER_VERSION, fold_key

__all__ = [
    "MinHashConfig",
    "MinHasher",
    "shingle_key",
    "exact_key",
    "SCHEME",
]

SCHEME = "affine32"
SHINGLE_VERSION = 1
_EMPTY = np.uint32(0xFFFFFFFF)
# Tags that some outlets put before the lede or headline: "[속보]", "[단독]", "<종합>", "(2보)".
_TAGS = regex.compile(
    r"[\[<(【]\s*(?:속보|단독|종합|긴급|1보|2보|3보|\d+보|포토|영상|인터뷰|사설|칼럼|기고|"
    r"르포|해설|분석|기획|이슈|초점|팩트체크|Q&A|업데이트)[^\]>)】]{0,8}[\]>)】]"
)
_CHUNK = 1 << 16  # shingles per numpy block (128 x 65536 x 4 bytes = 32 MiB)


def shingle_key(text: str) -> str:
    """The text that shingles are cut from: tags dropped, then `fold_key`."""
    return fold_key(_TAGS.sub("", text))


def exact_key(text: str) -> bytes:
    """A 128-bit hash of the folded body: equal for bodies that differ only in spacing,
    punctuation or quote style (the exact-duplicate fast path)."""
    return xxhash.xxh3_128_digest(fold_key(text).encode("utf-8"))


@dataclass(frozen=True)
class MinHashConfig:
    """What makes two signatures comparable.

    - ``num_perm``: permutations per signature. Default 128.
    - ``shingle_size``: characters per shingle, counted after spaces and punctuation are
      removed (Hangul syllables carry more than Latin letters, so 4-5 is enough). Default 5.
    - ``seed``: datasketch permutation seed. Default 1.
    - ``threshold``: Jaccard similarity the LSH bands are tuned for. Default 0.5.
    - ``false_positive_weight`` / ``false_negative_weight``: datasketch's optimiser weights.
    """

    num_perm: int = 128
    shingle_size: int = 5
    seed: int = 1
    threshold: float = 0.5
    false_positive_weight: float = 0.5
    false_negative_weight: float = 0.5

    def __post_init__(self) -> None:
        if self.num_perm < 8:
            raise ValueError(f"num_perm must be at least 8, got {self.num_perm}")
        if not 1 <= self.shingle_size <= 32:
            raise ValueError(f"shingle_size must be in 1..32, got {self.shingle_size}")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold}")

    @cached_property
    def bands_rows(self) -> tuple[int, int]:
        """(bands, rows) chosen by datasketch's optimiser for ``threshold`` and ``num_perm``."""
        b, r = _optimal_param(
            self.threshold, self.num_perm, self.false_positive_weight, self.false_negative_weight
        )
        return int(b), int(r)

    def fingerprint(self) -> dict[str, object]:
        """Everything a stored signature depends on; an index refuses to mix fingerprints."""
        b, r = self.bands_rows
        perms = MinHash(num_perm=4, seed=self.seed, scheme=SCHEME).permutations
        return {
            "scheme": SCHEME,
            "datasketch_major": importlib.metadata.version("datasketch").split(".")[0],
            "permutation_check": [int(x) for x in perms.ravel()],
            "seed": self.seed,
            "num_perm": self.num_perm,
            "bands": b,
            "rows": r,
            "shingle_size": self.shingle_size,
            "shingle_version": SHINGLE_VERSION,
            "normalizer_version": NORMALIZER_VERSION,
        }


class MinHasher:
    """Turns texts into MinHash signatures and LSH band keys, many at a time."""

    def __init__(self, config: MinHashConfig | None = None, **overrides: object) -> None:
        if overrides:
            from dataclasses import replace

            config = replace(config or MinHashConfig(), **overrides)  # type: ignore[arg-type]
        self.config = config or MinHashConfig()
        a, b = MinHash(num_perm=self.config.num_perm, seed=self.config.seed, scheme=SCHEME).permutations
        self._a = a.astype(np.uint32)[:, None]
        self._b = b.astype(np.uint32)[:, None]
        self.bands, self.rows = self.config.bands_rows

    # -- shingles ------------------------------------------------------------------------
    def shingle_hashes(self, text: str) -> np.ndarray:
        """Distinct 32-bit hashes of the text's character n-grams (uint32, sorted)."""
        return self._hashes_of_key(shingle_key(text))

    def _hashes_of_key(self, key: str) -> np.ndarray:
        k = self.config.shingle_size
        if not key:
            return np.empty(0, dtype=np.uint32)
        cps = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        if len(cps) < k:
            k = len(cps)
        n = len(cps) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        mult = np.uint64(0x100000001B3)
        for j in range(k):
            h = h * mult + cps[j : j + n] + np.uint64(j + 1)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
        return np.unique(h.astype(np.uint32))

    # -- signatures ----------------------------------------------------------------------
    def signatures(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures (n x num_perm, uint32) and shingle counts (n,) for a batch of texts."""
        return self.signatures_of_hashes([self.shingle_hashes(t) for t in texts])

    def signatures_of_hashes(self, hashes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        n = len(hashes)
        sizes = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=n)
        sigs = np.full((n, self.config.num_perm), _EMPTY, dtype=np.uint32)
        if n == 0 or sizes.sum() == 0:
            return sigs, sizes
        # Process documents in blocks of about _CHUNK shingles; each block is one numpy pass.
        start = 0
        while start < n:
            stop, total = start, 0
            while stop < n and (total == 0 or total + sizes[stop] <= _CHUNK):
                total += sizes[stop]
                stop += 1
            block = [h for h in hashes[start:stop] if len(h)]
            if block:
                hv = _fmix32(np.concatenate(block))
                phv = hv[None, :] * self._a + self._b  # (num_perm, total), wraps mod 2^32
                nonempty = np.flatnonzero(sizes[start:stop]) + start
                offsets = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
                sigs[nonempty] = np.minimum.reduceat(phv, offsets, axis=1).T
            start = stop
        return sigs, sizes

    def signature(self, text: str) -> np.ndarray:
        """One text's signature (num_perm,), uint32."""
        return self.signatures([text])[0][0]

    def lean_minhash(self, signature: np.ndarray) -> LeanMinHash:
        """The signature as a datasketch LeanMinHash (for datasketch's own LSH and tools)."""
        m = MinHash(
            num_perm=self.config.num_perm,
            seed=self.config.seed,
            hashvalues=signature,
            scheme=SCHEME,
            permutations=(self._a.ravel(), self._b.ravel()),
        )
        return LeanMinHash(m)

    # -- LSH band keys ---------------------------------------------------------------------
    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """(n x bands) uint64 keys: one per band of ``rows`` hash values, band index mixed in."""
        sigs = np.atleast_2d(sigs)
        n = sigs.shape[0]
        used = sigs[:, : self.bands * self.rows].reshape(n, self.bands, self.rows).astype(np.uint64)
        h = np.broadcast_to(
            np.arange(1, self.bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15),
            (n, self.bands),
        ).copy()
        mult = np.uint64(0x100000001B3)
        for j in range(self.rows):
            h = (h ^ used[:, :, j]) * mult
            h ^= h >> np.uint64(31)
        return h

    @staticmethod
    def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
        """Estimated Jaccard similarity: the share of equal hash values (rows of b vs a)."""
        eq = np.asarray(sig_b) == np.asarray(sig_a)
        return eq.mean(axis=-1)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before the permutations."""
    hv = hv.astype(np.uint32, copy=True)
    hv ^= hv >> np.uint32(16)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    return hv


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of A's shingles found in B, from their Jaccard estimate and set sizes."""
    if size_a <= 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / size_a)
