"""Generated whole pages (benchmarks/page_layouts.py) around our own bodies, and the real
saved pages of the development corpus (skipped without it)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter

import pytest
from _pages import STORIES
from _shared import ROOT, need_corpus, scorer

from dedupe_ko import clean_and_explain

pytest.importorskip("selectolax")
from dedupe_ko.html import clean_html  # noqa: E402


def _generator():
    spec = importlib.util.spec_from_file_location(
        "page_layouts", ROOT / "benchmarks" / "page_layouts.py"
    )
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["page_layouts"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


PL = _generator()
PAGES = PL.make_pages(STORIES, 3 * len(PL.LAYOUTS), seed=7)


@pytest.mark.parametrize("mode", ["text", "html"])
@pytest.mark.parametrize("layout", list(PL.LAYOUTS))
def test_every_layout_comes_out_as_its_body(layout: str, mode: str) -> None:
    t = PL.evaluate([p for p in PAGES if p.layout == layout], mode)["all"]
    assert (t.p, t.r) == (1.0, 1.0)
    assert t.flagged == t.no_article and t.false_flags == 0


@pytest.mark.parametrize("mode", ["text", "html"])
def test_all_layouts_together(mode: str) -> None:
    t = PL.evaluate(PAGES, mode)["all"]
    assert t.p == 1.0 and t.r >= 0.99
    assert t.flagged == t.no_article == 6 and t.false_flags == 0


def test_page_text_and_html_agree() -> None:
    for page in PAGES:
        a = clean_and_explain(page.text)
        b = clean_html(PL.to_html(page))
        assert a.text == b.text, page.id


def test_no_article_pages_never_come_out_as_articles() -> None:
    for page in PAGES:
        if not page.has_article:
            c = clean_and_explain(page.text)
            assert c.text == "" and "no article body" in c.warnings, page.id


@pytest.mark.parametrize("mode", ["text", "html"])
def test_real_saved_pages(mode: str) -> None:
    """The 16 real broadcaster pages of the corpus: the issue's bars (P >= 0.95, R >= 0.97)."""
    corpus = need_corpus()
    norm = scorer().norm
    lines = (corpus / "pages_real.truth.jsonl").read_text(encoding="utf-8").splitlines()
    truth = {r["id"]: r for r in map(json.loads, lines)}
    tp = n_out = n_truth = 0
    for line in (corpus / "pages_real.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        c = clean_html(r["html"]) if mode == "html" else clean_and_explain(r["text"])
        want = Counter(norm(p) for p in truth[r["id"]]["paragraphs"])
        got = Counter(norm(p) for p in c.paragraphs if norm(p))
        tp += sum((want & got).values())
        n_out += sum(got.values())
        n_truth += sum(want.values())
    assert tp / n_out >= 0.95 and tp / n_truth >= 0.97, (tp / n_out, tp / n_truth)
