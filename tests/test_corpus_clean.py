"""Corpus-level bars for cleaning, on the development corpus beside the checkout (skipped when
it is absent). The corpus is read in place, never copied into the repository."""

from __future__ import annotations

import json
from collections import Counter

from _shared import SHARED, need_corpus, scorer

from dedupe_ko import clean, clean_and_explain


def _score(name: str, norm) -> tuple[float, float, float]:
    corpus = need_corpus()
    truth = {}
    with open(corpus / f"{name}.truth.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            truth[r["id"]] = r["paragraphs"]
    tp = n_out = n_truth = exact = 0
    with open(corpus / f"{name}.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            want = Counter(norm(p) for p in truth[r["id"]] if norm(p))
            got = Counter(norm(p) for p in clean(r["text"]).split("\n") if norm(p))
            tp += sum((want & got).values())
            n_out += sum(got.values())
            n_truth += sum(want.values())
            exact += want == got
    return tp / n_out, tp / n_truth, exact / len(truth)


def test_scraped_bars() -> None:
    precision, recall, exact = _score("scraped", scorer().norm)
    assert precision >= 0.995 and recall >= 0.995 and exact >= 0.97, (precision, recall, exact)


def test_dirty_bars_strict() -> None:
    precision, recall, _ = _score("dirty", scorer().strict)
    assert precision >= 0.99 and recall >= 0.99, (precision, recall)


def test_seed_article_is_title_plus_twelve_paragraphs() -> None:
    need_corpus()
    page = (SHARED / "seed" / "article.txt").read_text("utf-8")
    cleaned = clean_and_explain(page)
    assert cleaned.title == page.split("\n")[0]
    body = page.split("\n")[11:23]
    assert cleaned.paragraphs == body
    assert len(cleaned.paragraphs) == 12
