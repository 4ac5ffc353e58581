"""Paths to the development corpus beside the checkout; tests that need it skip without it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def need_corpus() -> Path:
    """The corpus folder, or skip the calling test when this checkout has none beside it."""
    if not (CORPUS / "score.py").exists():
        pytest.skip("development corpus ../shared/corpus not present beside this checkout")
    return CORPUS


def scorer():
    """The corpus scorer module (../shared/corpus/score.py)."""
    path = need_corpus() / "score.py"
    spec = importlib.util.spec_from_file_location("dedupe_ko_corpus_score", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module
