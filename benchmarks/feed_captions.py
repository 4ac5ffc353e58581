"""Feed items with figure captions: RSS ``content:encoded`` bodies as text, one block per line.

Each item is a real body from ``../shared/corpus/bodies.jsonl`` (read in place, never copied
into the repository) with figures put between its paragraphs the way feeds print them: a
description with a credit (``《사진=…》``, ``/매체``, ``ⓒ 매체``, ``사진=…``, ``(그래픽: …)``,
``[매체 제공]``), a name-only caption beside a credit, view captions without a credit
(``… 전경.``, ``… 로고.``), scene captions (``…하고 있다.``), the description and its credit
on one line or on two. Names, places and outlets are invented here. The truth of an item is
its body paragraphs.

    python benchmarks/feed_captions.py [--n 400] [--seed 7]

Scored like ``score.py clean`` (its ``norm`` is imported from ``../shared/corpus``): paragraph
precision and recall over all items, and the caption lines that survived, by shape.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = Path(os.environ.get("DEDUPE_KO_CORPUS", REPO.parent / "shared" / "corpus"))

NAMES = [
    "한지우",
    "서민재",
    "윤하린",
    "백도현",
    "노은채",
    "임태오",
    "권소율",
    "차윤호",
    "문세아",
    "남궁현",
    "황보미",
    "강이준",
]
ROLES = [
    "대법원장",
    "헌법재판소장",
    "법무부 장관",
    "검찰총장",
    "서울중앙지검장",
    "대한변협 회장",
    "국회 법사위원장",
    "공정거래위원장",
    "법원행정처장",
    "경찰청장",
]
OUTLETS = ["누리일보", "한솔뉴스", "새빛통신", "온누리신문", "미래타임스", "다온경제", "바른미디어"]
PLACES = [
    "서울 서초구 대법원",
    "서울중앙지법",
    "헌법재판소",
    "정부과천청사",
    "서울고법",
    "대검찰청",
    "국회 본관",
    "서울 종로구 정부서울청사",
    "부산고법",
    "의정부지법",
]
VIEWS = ["전경", "청사 전경", "정문", "현판", "로고", "외관", "입구 모습", "모습"]
PEOPLE = ["참석자들이", "시민들이", "관계자들이", "회원들이", "변호인단이", "유족들이"]
ACTIONS = [
    "기념 촬영을 하고 있다",
    "구호를 외치고 있다",
    "피켓을 들고 있다",
    "취재진 질문에 답하고 있다",
    "자리에 앉아 있다",
    "발언하고 있다",
    "입장하고 있다",
]


def _credit(rng: random.Random) -> str:
    o = rng.choice(OUTLETS)
    return rng.choice(
        [
            f"《사진={o}》",
            f"/{o}",
            f"ⓒ {o}",
            f"사진={o}",
            f"(사진={o} 제공)",
            f"[{o} 제공]",
            f"(그래픽: {rng.choice(NAMES)} 기자)",
            f"/사진={o} DB",
            f"[사진={o}]",
        ]
    )


def _figure(rng: random.Random) -> tuple[str, list[str]]:
    """A figure's caption lines and its shape."""
    place = rng.choice(PLACES)
    day = f"{rng.randint(1, 28)}일"
    scene = f"{day} {place}에서 {rng.choice(PEOPLE)} {rng.choice(ACTIONS)}."
    view = f"{place} {rng.choice(VIEWS)}."
    name = f"{rng.choice(NAMES)} {rng.choice(ROLES)}"
    shape = rng.choice(
        [
            "scene+credit",
            "scene+credit/2",
            "view",
            "view+credit",
            "name+credit",
            "name+credit/2",
            "scene",
            "credit",
        ]
    )
    credit = _credit(rng)
    lines = {
        "scene+credit": [f"{scene} {credit}"],
        "scene+credit/2": [scene, credit],
        "view": [view],
        "view+credit": [f"{view} {credit}"],
        "name+credit": [f"{name} {credit}"],
        "name+credit/2": [name, credit],
        "scene": [scene],
        "credit": [credit],
    }[shape]
    return shape, lines


def build(bodies: list[dict], n: int, seed: int) -> list[tuple[str, list[str], list[str]]]:
    """(text, truth paragraphs, shapes of the figures) for ``n`` items."""
    rng = random.Random(seed)
    items = []
    for body in rng.sample(bodies, n):
        paras = [p for p in body["paragraphs"] if p.strip()]
        if len(paras) < 2:
            continue
        out: list[str] = []
        shapes: list[str] = []
        for i, p in enumerate(paras):
            if i < len(paras) - 1 and rng.random() < 0.35:  # figures stand between paragraphs
                shape, lines = _figure(rng)
                shapes.append(shape)
                if i == 0 and rng.random() < 0.5:
                    out.extend(lines)  # a lead image before the first paragraph
                    out.append(p)
                    continue
                out.append(p)
                out.extend(lines)
            else:
                out.append(p)
        items.append(("\n".join(out), paras, shapes))
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not (CORPUS / "bodies.jsonl").exists():
        print(f"skipped: {CORPUS}/bodies.jsonl not found; set DEDUPE_KO_CORPUS")
        return
    spec = importlib.util.spec_from_file_location("score", CORPUS / "score.py")
    score = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(score)  # type: ignore[union-attr]
    sys.path.insert(0, str(REPO))
    from dedupe_ko import clean

    with open(CORPUS / "bodies.jsonl", "rb") as f:
        bodies = [orjson.loads(line) for line in f]
    items = build(bodies, args.n, args.seed)
    tp = n_out = n_truth = 0
    survived: Counter[str] = Counter()
    t0 = time.perf_counter()
    for text, truth, _ in items:
        want = Counter(score.norm(p) for p in truth if score.norm(p))
        out = clean(text)
        got = Counter(score.norm(p) for p in out.split("\n") if score.norm(p))
        tp += sum((want & got).values())
        n_out += sum(got.values())
        n_truth += sum(want.values())
        for extra in got - want:
            survived[_shape_of(extra)] += 1
    secs = time.perf_counter() - t0
    figures = Counter(s for _, _, shapes in items for s in shapes)
    print(f"items {len(items)}, figures {sum(figures.values())} ({dict(figures)}), {secs:.1f} s")
    print(f"paragraph precision={tp / n_out:.4f} recall={tp / n_truth:.4f}")
    print(f"surviving lines by look: {dict(survived)}")


def _shape_of(norm_text: str) -> str:
    if any(v in norm_text for v in ("전경", "현판", "로고", "외관", "정문", "모습")):
        return "view"
    if norm_text.endswith("있다."):
        return "scene"
    if any(o in norm_text for o in OUTLETS):
        return "credit"
    if any(r.replace(" ", "") in norm_text for r in ROLES):
        return "name"
    return "body or other"


if __name__ == "__main__":
    main()
