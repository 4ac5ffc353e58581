"""Corpus-level checks of the rules on real collapsed bodies (skipped without ../shared)."""

from __future__ import annotations

import json

import pytest
from _shared import need_corpus

from dedupe_ko import clean


def test_every_naver_raw_record_is_idempotent() -> None:
    """clean(clean(x)) == clean(x) on all 2,007 real bodies of naver_raw.jsonl."""
    path = need_corpus() / "naver_raw.jsonl"
    if not path.exists():
        pytest.skip("naver_raw.jsonl not present")
    unstable = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            once = clean(record["text"])
            if clean(once) != once:
                unstable.append(record["id"])
    assert unstable == []
