"""Issue 17: real republications. Labelled pairs of real articles, and the standard corpus.

    python benchmarks/bench_real_pairs.py              # development pairs (odd lines)
    python benchmarks/bench_real_pairs.py --held-out   # the held-back pairs (even lines), once
    python benchmarks/bench_real_pairs.py --misses     # + the ids of every wrong pair
    python benchmarks/bench_real_pairs.py --trees      # + both clusters of each, as trees
    python benchmarks/bench_real_pairs.py --shares     # + each pair near the share bar
    python benchmarks/bench_real_pairs.py --orders 5   # + the file in 5 shuffled orders

What it runs: ``dedupe-ko run`` itself (``python -m dedupe_ko run IN --clusters F``, this
checkout's code, default settings), so the figures are those of the engine a user gets:
cleaning first, then the Deduplicator.

1. ``../shared/corpus/naver_raw.jsonl`` (2,007 real bodies): for each labelled pair of
   ``benchmarks/data/naver_pairs.jsonl`` (ids and labels only; see data/README.md), are both
   ids in one cluster? Reported by label: copy pairs in one cluster (%), non-copy pairs
   merged (%).
2. ``../shared/corpus/corpus.jsonl``: ``score.py dedup`` against its truth (P, R, ARI).
3. Template families (`corpora.template_corpus`: one skeleton, many fills, plus copies of
   some fills): pair P/R/F1 by kind.

Nothing is written to the repository; the runs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))  # this checkout's dedupe_ko (for --shares)

import corpora  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
PAIRS = HERE / "data" / "naver_pairs.jsonl"
LABELS = ("copy", "rewrite", "template", "same_event", "unrelated")


def run_clusters(
    path: Path, work: Path, *extra: str, rows: dict[str, dict] | None = None
) -> dict[str, str]:
    """``dedupe-ko run`` on ``path``: {id: cluster} from its --clusters file (``rows``, when
    given, gets each id's whole --clusters line)."""
    clusters = work / f"{path.stem}.clusters.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "dedupe_ko",
        "run",
        str(path),
        "-o",
        str(work / "out.jsonl"),
        "--clusters",
        str(clusters),
        "-q",
        *extra,
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)
    out = {}
    with clusters.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out[r["id"]] = r["cluster"]
            if rows is not None:
                rows[r["id"]] = r
    return out


def load_pairs(held_out: bool) -> list[dict]:
    """Odd lines (1, 3, ...) for development, even lines held out."""
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]
    return rows[1::2] if held_out else rows[0::2]


def same_of(p: dict, clusters: dict[str, str]) -> bool:
    """Are both ids of pair p in one cluster?"""
    return clusters.get(p["a"], p["a"]) == clusters.get(p["b"], p["b"])


def pair_report(pairs: list[dict], clusters: dict[str, str], misses: bool) -> list[str]:
    together: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong = []
    for p in pairs:
        same = same_of(p, clusters)
        total[p["label"]] += 1
        together[p["label"]] += same
        if same != (p["label"] == "copy"):
            wrong.append((p["label"], p["a"], p["b"], same))
    lines = ["| label | pairs | in one cluster | % |", "|---|---:|---:|---:|"]
    for lab in LABELS:
        if total[lab]:
            lines.append(
                f"| {lab} | {total[lab]} | {together[lab]} | "
                f"{100 * together[lab] / total[lab]:.1f} |"
            )
    n_copy = total["copy"]
    n_other = sum(total.values()) - n_copy
    merged_other = sum(together.values()) - together["copy"]
    lines.append("")
    lines.append(
        f"- copy pairs in one cluster: {together['copy']}/{n_copy} = "
        f"{100 * together['copy'] / max(1, n_copy):.1f}% (bar >= 90%)"
    )
    lines.append(
        f"- non-copy pairs merged: {merged_other}/{n_other} = "
        f"{100 * merged_other / max(1, n_other):.1f}% (bar <= 2%)"
    )
    if any("first_label" in p for p in pairs):
        # the same pairs as the first reading labelled them (see data/README.md)
        first = [(p["first_label"] == "copy", same_of(p, clusters)) for p in pairs]
        fc = [s for c, s in first if c]
        fo = [s for c, s in first if not c]
        lines.append(
            f"- by the first reading: copies {sum(fc)}/{len(fc)} = "
            f"{100 * sum(fc) / max(1, len(fc)):.1f}%, non-copies merged {sum(fo)}/{len(fo)} = "
            f"{100 * sum(fo) / max(1, len(fo)):.1f}%"
        )
    if misses:
        lines.append("")
        for lab, a, b, same in sorted(wrong):
            lines.append(f"  {'merged' if same else 'apart '} {lab:10s} {a} {b}")
    return lines


def trees(pairs: list[dict], rows: dict[str, dict]) -> list[str]:
    """For each wrong pair, both clusters as trees: every member under its representative
    with its match, similarity and containment (ids and numbers only, never text)."""
    members: dict[str, list[dict]] = {}
    for r in rows.values():
        members.setdefault(r["cluster"], []).append(r)
    out = []
    for p in pairs:
        a, b = rows.get(p["a"]), rows.get(p["b"])
        same = a is not None and b is not None and a["cluster"] == b["cluster"]
        if same == (p["label"] == "copy"):
            continue
        out.append(f"{p['label']} {p['a']} {p['b']}: {'merged' if same else 'apart'}")
        for side, r in (("a", a), ("b", b)):
            if r is None:
                out.append(f"  {side}: not in the clusters file (quarantined)")
                continue
            out.append(f"  {side}: cluster {r['cluster']}")
            if same and side == "b":
                break
            for m in sorted(members[r["cluster"]], key=lambda m: m["id"]):
                extra = f" containment {m['containment']:.2f}" if "containment" in m else ""
                sup = f" supersedes {m['supersedes']}" if m.get("supersedes") else ""
                mark = " <" if m["id"] in (p["a"], p["b"]) else ""
                out.append(f"    {m['id']} {m['match']} {m['similarity']:.2f}{extra}{sup}{mark}")
    return out


def shares(pairs: list[dict], low: float = 0.45, high: float = 0.95) -> list[str]:
    """Each labelled pair whose share of shared sentences (`sentences.same_text` of the two
    cleaned bodies, no boilerplate left out) lies in [low, high): its share, the share of it
    that keeps its order (`sentences.in_order`) and its numbers found (ids and figures only,
    never text), by share."""
    from dedupe_ko import clean
    from dedupe_ko.sentences import fingerprint_batch, in_order, same_text

    want = {p["a"] for p in pairs} | {p["b"] for p in pairs}
    text = {}
    with (SHARED / "naver_raw.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["id"] in want:
                text[r["id"]] = clean(r["text"])
    rows = []
    for p in pairs:
        if p["a"] not in text or p["b"] not in text:
            continue
        prints = fingerprint_batch([text[p["a"]], text[p["b"]]])
        a, b = prints.of(0), prints.of(1)
        t = same_text(a, b)
        if t.template or not low <= t.share < high:
            continue
        e = in_order(a, b, t)
        rows.append(
            (
                t.share,
                f"| {p['label']} | {p['a']} | {p['b']} | {t.share:.2f} | {e.ordered:.2f} | "
                f"{t.sentences} | {round(t.numbers_found * t.numbers)}/{t.numbers} |",
            )
        )
    head = [
        "| label | a | b | share | in order | sentences | numbers |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    return head + [r for _, r in sorted(rows)]


def score_corpus(work: Path) -> str:
    clusters = run_clusters(SHARED / "corpus.jsonl", work)
    out = work / "corpus.scored.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for id_, c in clusters.items():
            f.write(json.dumps({"id": id_, "cluster": c}) + "\n")
    r = subprocess.run(
        [
            sys.executable,
            str(SHARED / "score.py"),
            "dedup",
            str(SHARED / "corpus.truth.jsonl"),
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return r.stdout.strip()


def pair_prf(truth: dict[str, str], clusters: dict[str, str]) -> tuple[float, float, float]:
    """Pair precision, recall and F1 of ``clusters`` against ``truth`` (both {id: group})."""

    def pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
        by: dict[str, list[str]] = {}
        for id_, g in groups.items():
            by.setdefault(g, []).append(id_)
        return {tuple(sorted(p)) for ids in by.values() for p in combinations(ids, 2)}

    t, c = pairs(truth), pairs(clusters)
    tp = len(t & c)
    p = tp / len(c) if c else 1.0
    r = tp / len(t) if t else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def template_report(work: Path, seed: int) -> list[str]:
    records, truth, kinds = corpora.template_corpus(seed=seed)
    path = work / "templates.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    clusters = run_clusters(path, work)
    lines = ["| kind | articles | pair P | pair R | F1 |", "|---|---:|---:|---:|---:|"]
    for kind in sorted(set(kinds.values())):
        ids = [i for i, k in kinds.items() if k == kind]
        p, r, f = pair_prf({i: truth[i] for i in ids}, {i: clusters[i] for i in ids})
        lines.append(f"| {kind} | {len(ids)} | {p:.3f} | {r:.3f} | {f:.3f} |")
    p, r, f = pair_prf(truth, clusters)
    lines.append(f"| all | {len(truth)} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return lines


def order_report(pairs: list[dict], work: Path, n: int, extra: tuple[str, ...]) -> list[str]:
    """``naver_raw.jsonl`` shuffled with seeds 1..n (a cluster's first version is whichever
    came first): copy pairs in one cluster and non-copy pairs merged, per order and summed
    with the file's own order (which ``clusters`` of the first run gives)."""
    lines = (SHARED / "naver_raw.jsonl").read_text(encoding="utf-8").splitlines()
    copies = [p for p in pairs if p["label"] == "copy"]
    others = [p for p in pairs if p["label"] != "copy"]
    out = ["| order | copies in one cluster | non-copies merged |", "|---|---:|---:|"]
    total = [0, 0]
    for seed in range(n + 1):
        shuffled = lines[:]
        if seed:
            random.Random(seed).shuffle(shuffled)
        path = work / f"order{seed}" / "naver_raw.jsonl"
        path.parent.mkdir()
        path.write_text("\n".join(shuffled) + "\n", encoding="utf-8")
        clusters = run_clusters(path, path.parent, *extra)
        c = sum(same_of(p, clusters) for p in copies)
        m = sum(same_of(p, clusters) for p in others)
        total[0] += c
        total[1] += m
        name = f"shuffled, seed {seed}" if seed else "file order"
        out.append(f"| {name} | {c}/{len(copies)} | {m}/{len(others)} |")
    k = n + 1
    out.append(f"| all {k} | {total[0]}/{k * len(copies)} | {total[1]}/{k * len(others)} |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--held-out", action="store_true", help="the even lines (look once)")
    ap.add_argument("--misses", action="store_true", help="list the wrong pairs (ids only)")
    ap.add_argument(
        "--trees", action="store_true", help="both clusters of every wrong pair (ids only)"
    )
    ap.add_argument(
        "--shares", action="store_true", help="pairs near the share bar, with their order"
    )
    ap.add_argument("--skip-corpus", action="store_true", help="no corpus.jsonl run")
    ap.add_argument(
        "--containment", type=float, default=None, help="passed to run (default: run's own)"
    )
    ap.add_argument("--seed", type=int, default=0, help="template corpus seed")
    ap.add_argument("--orders", type=int, default=0, help="also run the file in N shuffled orders")
    args = ap.parse_args(argv)
    if not (SHARED / "naver_raw.jsonl").exists():
        print(f"{SHARED} is absent: nothing to measure", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        work = Path(tmp)
        rows: dict[str, dict] = {}
        knob = () if args.containment is None else ("--containment", str(args.containment))
        clusters = run_clusters(SHARED / "naver_raw.jsonl", work, *knob, rows=rows)
        pairs = load_pairs(args.held_out)
        which = "held-out (even lines)" if args.held_out else "development (odd lines)"
        print(f"## naver_raw.jsonl: {len(pairs)} labelled pairs, {which}\n")
        print("\n".join(pair_report(pairs, clusters, args.misses)))
        if args.trees:
            print("\n## clusters of the wrong pairs\n")
            print("\n".join(trees(pairs, rows)))
        if args.shares:
            print("\n## pairs near the share bar (shorter body's sentences in the other)\n")
            print("\n".join(shares(pairs)))
        if args.orders:
            print(f"\n## the same pairs, naver_raw.jsonl in {args.orders} shuffled orders\n")
            print("\n".join(order_report(pairs, work, args.orders, knob)))
        if not args.skip_corpus:
            print("\n## corpus.jsonl (score.py dedup)\n")
            print(score_corpus(work))
        print(f"\n## template families (corpora.template_corpus, seed {args.seed})\n")
        print("\n".join(template_report(work, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
