"""Whole pages: dedupe_ko on page text and on HTML against trafilatura on the same HTML.

    python benchmarks/bench_pages.py [--repeat 3] [--generated 280]

Sets:
- ``../shared/corpus/pages_real.jsonl`` with its hand-made truth: 16 real saved pages of three
  broadcasters (their visible text and their HTML).
- generated pages (``benchmarks/page_layouts.py``, ``--generated`` of them, 1 in 6 without an
  article): the layouts of the issue, their HTML made by the generator.

Methods: ``dedupe_ko`` on the page text (`clean_and_explain`) and on the HTML (`clean_html`);
``trafilatura.extract`` on the HTML with its default, ``favor_recall=True`` and
``favor_precision=True``; trafilatura's default output cleaned by dedupe_ko. Paragraphs are
compared as ``score.py clean`` does (its ``norm``); pages/s is the best of ``--repeat`` timed
passes over the set in this process (single core). Writes ``benchmarks/results/pages.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = HERE / "results" / "pages.md"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _load(path: Path, name: str):  # noqa: ANN202 - a module
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def methods() -> dict[str, Callable[[dict], tuple[str, bool]]]:
    """name -> f(page) -> (text, flagged as having no article)."""
    import trafilatura

    from dedupe_ko import clean_and_explain
    from dedupe_ko.html import clean_html

    def ours_text(p: dict) -> tuple[str, bool]:
        c = clean_and_explain(p["text"])
        return c.text, "no article body" in c.warnings

    def ours_html(p: dict) -> tuple[str, bool]:
        c = clean_html(p["html"])
        return c.text, "no article body" in c.warnings

    def traf(**kw: bool) -> Callable[[dict], tuple[str, bool]]:
        def f(p: dict) -> tuple[str, bool]:
            out = trafilatura.extract(p["html"], **kw) or ""
            return out, not out.strip()

        return f

    def traf_then_ours(p: dict) -> tuple[str, bool]:
        out = trafilatura.extract(p["html"]) or ""
        if not out.strip():
            return "", True
        return clean_and_explain(out).text, False

    return {
        "dedupe_ko page text": ours_text,
        "dedupe_ko HTML": ours_html,
        "trafilatura extract (default)": traf(),
        "trafilatura favor_recall": traf(favor_recall=True),
        "trafilatura favor_precision": traf(favor_precision=True),
        "trafilatura default → dedupe_ko": traf_then_ours,
    }


def score(pages: list[dict], outs: list[tuple[str, bool]], norm: Callable[[str], str]) -> dict:
    tp = n_out = n_truth = exact = flagged = no_art = wrong = 0
    for p, (text, flag) in zip(pages, outs, strict=True):
        want = Counter(norm(x) for x in p["paragraphs"] if norm(x))
        got = Counter(norm(x) for x in text.split("\n") if norm(x))
        tp += sum((want & got).values())
        n_out += sum(got.values())
        n_truth += sum(want.values())
        exact += want == got
        if not p["has_article"]:
            no_art += 1
            flagged += flag and not text.strip()
        else:
            wrong += flag
    return {
        "p": tp / n_out if n_out else 0.0,
        "r": tp / n_truth if n_truth else 0.0,
        "exact": exact,
        "n": len(pages),
        "flagged": flagged,
        "no_article": no_art,
        "false_flags": wrong,
    }


def run_set(pages: list[dict], norm: Callable[[str], str], repeat: int) -> dict[str, dict]:
    out = {}
    for name, f in methods().items():
        f(pages[0])  # warm-up: rule catalogue, parsers
        best, results = float("inf"), []
        for _ in range(repeat):
            t0 = time.perf_counter()
            results = [f(p) for p in pages]
            best = min(best, time.perf_counter() - t0)
        out[name] = {**score(pages, results, norm), "pps": len(pages) / best}
        print(
            f"  {name}: P={out[name]['p']:.3f} R={out[name]['r']:.3f} "
            f"{out[name]['pps']:.1f} pages/s",
            file=sys.stderr,
        )
    return out


def table(res: dict[str, dict], with_flags: bool) -> list[str]:
    head = "| method | precision | recall | exact pages | pages/s |"
    sep = "|---|---:|---:|---:|---:|"
    if with_flags:
        head += " no-article pages flagged | article pages flagged |"
        sep += "---:|---:|"
    rows = [head, sep]
    for name, r in res.items():
        row = f"| {name} | {r['p']:.3f} | {r['r']:.3f} | {r['exact']}/{r['n']} | {r['pps']:.1f} |"
        if with_flags:
            row += f" {r['flagged']}/{r['no_article']} | {r['false_flags']} |"
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--generated", type=int, default=280)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if not (CORPUS / "pages_real.jsonl").exists():
        print(f"no {CORPUS / 'pages_real.jsonl'}: nothing to measure", file=sys.stderr)
        return 0
    norm = _load(CORPUS / "score.py", "corpus_score").norm
    truth = {
        r["id"]: r
        for r in map(
            json.loads, (CORPUS / "pages_real.truth.jsonl").read_text(encoding="utf-8").splitlines()
        )
    }
    real = []
    for line in (CORPUS / "pages_real.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        t = truth[r["id"]]
        real.append({**r, "paragraphs": t["paragraphs"], "has_article": t["has_article"]})
    pl = _load(HERE / "page_layouts.py", "page_layouts")
    gen = [
        {
            "id": p.id,
            "text": p.text,
            "html": pl.to_html(p),
            "paragraphs": p.paragraphs,
            "has_article": p.has_article,
        }
        for p in pl.make_pages(pl.load_stories(CORPUS / "bodies.jsonl"), args.generated)
    ]
    print("pages_real:", file=sys.stderr)
    res_real = run_set(real, norm, args.repeat)
    print("generated:", file=sys.stderr)
    res_gen = run_set(gen, norm, args.repeat)
    import trafilatura

    lines = [
        "# Whole pages: dedupe_ko (page text, HTML) against trafilatura",
        "",
        f"Command: `python benchmarks/bench_pages.py --repeat {args.repeat} --generated "
        f"{args.generated}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; Python {platform.python_version()}; "
        f"trafilatura {trafilatura.__version__}; single process, best of {args.repeat} passes "
        "(the machine is shared: read the ratios).  ",
        "Paragraphs compared as `score.py clean` does (NFC, folded quotes and middle dots, no "
        "whitespace). A page is flagged when the method returns no text (trafilatura) or the "
        "warning `no article body` (dedupe_ko).",
        "",
        f"## Real saved pages (`pages_real.jsonl`, {len(real)} pages: iMBC, YTN, KBS)",
        "",
        *table(res_real, False),
        "",
        f"## Generated pages (`benchmarks/page_layouts.py`, {len(gen)} pages in "
        f"{len(pl.LAYOUTS)} layouts, bodies from `bodies.jsonl`)",
        "",
        *table(res_gen, True),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
