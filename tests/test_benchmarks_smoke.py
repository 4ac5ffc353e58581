"""The benchmark corpora: deterministic, truthful, and perturbed the way they claim.

No timing here: speed lives in benchmarks/run_all.py only.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpora  # noqa: E402

BODIES = ROOT.parent / "shared" / "corpus" / "bodies.jsonl"
needs_corpus = pytest.mark.skipif(not BODIES.exists(), reason="../shared/corpus is absent")

PARAS = [
    "서울중앙지법 형사합의부는 24일 업무상 배임 혐의로 기소된 전직 대표에게 징역 2년을 선고했다.",
    "재판부는 “회사에 끼친 손해가 크고 피해 회복도 이뤄지지 않았다”고 판단했다.",
    "검찰은 지난해 8월 회사 자금을 개인 채무 변제에 쓴 혐의로 그를 재판에 넘겼다.",
    "피고인 측은 ‘경영 판단’이었다고 주장했지만 받아들여지지 않았다.",
    "변호인은 판결문을 검토한 뒤 항소 여부를 결정하겠다고 밝혔다.",
    "이번 판결은 비슷한 사건의 양형에도 영향을 줄 것으로 보인다.",
]


def _nospace(paras: list[str]) -> str:
    return "".join("".join(paras).split())


def test_spacing_moves_spaces_only() -> None:
    rng = random.Random(7)
    out = corpora.PERTURBATIONS["spacing"](PARAS * 3, rng)
    assert _nospace(out) == _nospace(PARAS * 3)
    assert out != PARAS * 3


def test_paragraph_edits() -> None:
    rng = random.Random(1)
    dropped = corpora.PERTURBATIONS["drop_paragraph"](PARAS, rng)
    assert len(dropped) == len(PARAS) - 1 and dropped[0] == PARAS[0]
    added = corpora.PERTURBATIONS["add_paragraph"](PARAS, rng)
    assert len(added) == len(PARAS) + 1 and added[0] == PARAS[0]
    trimmed = corpora.PERTURBATIONS["trim_tail"](PARAS, rng)
    assert trimmed[:-1] == PARAS[: len(trimmed) - 1]
    assert len("".join(trimmed)) < len("".join(PARAS))
    # short bodies are never cut further
    assert corpora.PERTURBATIONS["drop_paragraph"](PARAS[:3], rng) == PARAS[:3]


def test_quotes_tag_and_typos() -> None:
    rng = random.Random(3)
    straight = corpora.PERTURBATIONS["quotes"](PARAS, rng)
    assert '"회사에' in straight[1] and "'경영 판단'" in straight[3]
    back = corpora.PERTURBATIONS["quotes"](straight, rng)
    assert back[1] == PARAS[1] and back[3] == PARAS[3]
    tagged = corpora.PERTURBATIONS["tag"](PARAS, rng)
    assert tagged[0].endswith(PARAS[0]) and tagged[0].lstrip().startswith(("[", "<"))
    typo = corpora.PERTURBATIONS["typos"](PARAS, rng)
    changed = sum(
        a != b for p, q in zip(PARAS, typo, strict=True) for a, b in zip(p, q, strict=True)
    )
    assert 1 <= changed <= 3
    assert [len(p) for p in typo] == [len(p) for p in PARAS]


def test_near_duplicate_bodies_are_one_group(tmp_path: Path) -> None:
    other = [
        "국회 법제사법위원회는 25일 전체회의를 열고 형사소송법 개정안을 상정했다.",
        "개정안은 수사기관의 압수수색 절차를 보다 엄격하게 규정하는 내용을 담았다.",
        "여야는 다음 달 임시국회에서 개정안 처리를 두고 다시 논의하기로 했다.",
        "시민단체들은 개정안이 인권 보호를 강화할 것이라며 환영의 뜻을 밝혔다.",
    ]
    bodies = [
        {"title": "전직 대표 배임 징역 2년", "paragraphs": PARAS},
        {"title": "법사위, 형소법 개정안 상정", "paragraphs": other},
        {"title": "전직 대표에 징역 2년 선고", "paragraphs": PARAS[:-1]},  # the first, abridged
    ]
    path = tmp_path / "bodies.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(b) for b in bodies) + b"\n")
    assert corpora._group_bodies(corpora.load_bodies(path)) == [0, 1, 0]


@needs_corpus
def test_corpus_is_deterministic_and_truthful() -> None:
    recs, truth = corpora.make_corpus(400, seed=5)
    again, truth2 = corpora.make_corpus(400, seed=5)
    assert recs == again and truth == truth2
    other, _ = corpora.make_corpus(400, seed=6)
    assert other != recs
    assert len(recs) == 400 == len(truth)
    assert len({r["id"] for r in recs}) == 400
    sizes = Counter(Counter(truth.values()).values())
    assert max(sizes) <= 5  # an original and at most 4 republications
    assert sum(k * v for k, v in sizes.items() if k > 1) > 100  # duplicates are there
    # pages of one story share most of their body; pages of different stories do not
    by_cluster: dict[str, list[str]] = {}
    for r in recs:
        by_cluster.setdefault(truth[r["id"]], []).append(r["text"])

    def grams(t: str) -> set[str]:
        t = "".join(t.split())
        return {t[i : i + 5] for i in range(len(t) - 4)}

    pairs = [v[:2] for v in by_cluster.values() if len(v) > 1][:40]
    same = [len(grams(a) & grams(b)) / len(grams(a) | grams(b)) for a, b in pairs]
    assert sum(same) / len(same) > 0.6
    singles = [v[0] for v in by_cluster.values()][:40]
    cross = [
        len(grams(a) & grams(b)) / len(grams(a) | grams(b))
        for a, b in zip(singles, singles[1:], strict=False)
    ]
    assert max(cross) < 0.3


@needs_corpus
def test_clean_set_truth_is_inside_the_page() -> None:
    pages, truth = corpora.make_clean_set(50, seed=2)
    assert [p["id"] for p in pages] == [t["id"] for t in truth]
    for page, t in zip(pages, truth, strict=True):
        assert t["paragraphs"]
        for para in t["paragraphs"]:
            assert para in page["text"]
        assert page["text"].split("\n")[0] not in t["paragraphs"]  # the headline is not body
    assert corpora.make_clean_set(50, seed=2) == (pages, truth)


def test_feed_caption_items_keep_their_body_as_truth() -> None:
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import feed_captions

    bodies = [
        {"paragraphs": [f"본문 {i}번째 문단은 사건의 경과를 설명했다." for i in range(4)]}
    ] * 3
    items = feed_captions.build(bodies, 3, seed=1)
    assert items
    for text, truth, _shapes in items:
        lines = text.split("\n")
        assert [ln for ln in lines if ln in truth] == truth  # the body, in order, untouched
    shape, lines = feed_captions._figure(random.Random(3))
    assert lines and shape


def test_hard_copies_are_what_they_claim() -> None:
    """Abridged copies are the first paragraphs (3+ sentences, at most 60%), reordered copies
    keep the lede and every paragraph, re-led copies replace only the lede."""
    rng = random.Random(1)
    paras = PARAS + ["법원은 또 추징금 1억 원을 함께 명령했다. 피고인은 법정에서 고개를 숙였다."]
    brief = corpora._hard_copy("abridged", paras, rng)
    assert brief is not None and brief == paras[: len(brief)]
    assert corpora._sentences_in(brief) >= 3 and len(brief) <= 0.6 * len(paras)
    re = corpora._hard_copy("reordered", paras, rng)
    assert re[0] == paras[0] and sorted(re) == sorted(paras)
    led = corpora._hard_copy("reled", paras, rng)
    assert led[1:] == paras[1:] and led[0] != paras[0]
    assert corpora._hard_copy("abridged", paras[:3], rng) is None  # too short to abridge


@needs_corpus
def test_hard_set_is_deterministic_and_traps_are_their_own_stories() -> None:
    a = list(corpora.iter_hard(600, seed=2))
    assert a == list(corpora.iter_hard(600, seed=2))
    kinds = Counter(r["kind"] for r in a)
    assert set(kinds) <= set(corpora.HARD_KINDS) and kinds["abridged"] and kinds["quoting_trap"]
    by_cluster = Counter(r["cluster"] for r in a)
    for r in a:
        if r["kind"] in ("quoting_trap", "tiny_trap"):
            assert by_cluster[r["cluster"]] == 1
