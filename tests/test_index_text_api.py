"""The Index's text API decides as the batch Deduplicator does: a stream fed day by day
through `Index.decide_many` / `check_and_add_many` keeps what one batch run keeps (exact,
near, partial, superseding), on SQLite and on a real Redis server; and a stored near match
that fails its re-check gives way to the next verified one, as a run's own candidates do."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from _shared import CORPUS
from test_store import BRIEF, FERRY, FULL, QUOTING, RELED

from dedupe_ko.dedup import Decision, DedupConfig, Deduplicator, Match
from dedupe_ko.index import Index
from dedupe_ko.minhash import MinHasher
from dedupe_ko.sentences import Fingerprint, fingerprint_batch, same_text

# Another story, unrelated to the ferry.
MARKET = "\n".join(
    [
        "서울 시내 전통시장 20곳이 다음 달부터 온라인 장보기 서비스를 시작한다. 서울시는 "
        "5일 상인회와 협약을 맺고 배송비 일부를 지원하기로 했다.",
        "주문은 오후 2시까지 받으며 당일 저녁에 배달된다. 배송 가능 지역은 시장 반경 3km 안이다.",
        "상인회는 채소와 수산물 등 신선 식품을 중심으로 300여 개 품목을 먼저 올린다고 밝혔다. "
        "결제는 지역 화폐로도 할 수 있다.",
        "시는 반응을 본 뒤 내년에는 참여 시장을 50곳으로 늘릴 계획이다.",
    ]
)
BRIEF_SPACED = BRIEF.replace("대형 여객선이", "대형여객선이")  # the same folded body
ABRIDGED3 = "\n".join(FERRY[:3])


@pytest.fixture(params=["sqlite", "redis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "seen.db")
    return request.getfixturevalue("redis_target")


def _said(d: Decision) -> tuple[object, ...]:
    return (d.id, d.kept, d.cluster, d.match, round(d.similarity, 6), d.supersedes)


def _daily(target: str, days: list[list[tuple[str, str]]], config: DedupConfig | None = None):
    with Index.open(target, config) as index:
        return [d for day in days for d in index.decide_many(day)]


def test_day_by_day_decisions_match_one_batch_run(target: str) -> None:
    days = [
        [("brief", BRIEF), ("quoting", QUOTING), ("market", MARKET)],
        [("full", FULL), ("brief-spaced", BRIEF_SPACED)],
        [("reled", RELED), ("abridged", ABRIDGED3), ("full-tagged", "[종합] " + FULL)],
    ]
    batch = Deduplicator().add_batch([r for day in days for r in day])
    daily = _daily(target, days)
    assert [_said(d) for d in daily] == [_said(d) for d in batch]
    got = {d.id: d for d in daily}
    # the fuller version arriving a day after its brief is kept and supersedes it
    assert got["full"].kept and got["full"].supersedes == "brief"
    assert got["full"].cluster == "brief" and got["full"].match == "partial"
    # a story quoting one paragraph, and an unrelated one, keep clusters of their own
    assert got["quoting"].kept and got["quoting"].cluster == "quoting"
    assert got["market"].kept
    # copies of either version are dropped into the brief's cluster
    for id_ in ("brief-spaced", "reled", "abridged", "full-tagged"):
        assert not got[id_].kept and got[id_].cluster == "brief", got[id_]
    assert got["abridged"].match in ("near", "partial")  # near by containment, or partial
    assert {d.id for d in daily if d.kept} == {"brief", "quoting", "market", "full"}


def test_check_and_add_answers_by_the_same_rules(target: str) -> None:
    with Index.open(target) as index:
        assert index.check_and_add("brief", BRIEF) is None
        # check stores nothing; the fuller version is new (it will supersede the brief)
        assert index.check(FULL) is None
        assert len(index) == 1
        assert index.check_and_add("full", FULL) is None
        assert len(index) == 2
        # an abridged copy now is a duplicate of the story's cluster (near by containment)
        got = index.check_and_add("abridged", ABRIDGED3)
        assert got is not None and got.kind in ("near", "partial") and got.id == "brief"
        assert index.check(QUOTING) is None
        assert len(index) == 2
        # a rerun of a stored id is kept again and leaves the index as it is
        assert index.check_and_add_many([("full", FULL), ("m", MARKET), ("m", MARKET)]) == [
            None,
            None,
            None,
        ]
        assert len(index) == 3


# -- the best stored near match fails its re-check: the next one is taken ------------------------

# Two long sentences (below min_sentences=3: they join nothing on containment alone).
SHORT = (
    "국립중앙박물관은 올가을 고려 청자와 조선 백자 가운데 해외에 흩어져 있던 명품 180여 점을 "
    "한자리에 모은 특별전을 열고, 관람객이 유물의 제작 과정을 직접 살펴볼 수 있는 체험 공간도 "
    "함께 마련한다고 12일 밝혔다.\n"
    "전시는 10월 1일부터 석 달 동안 이어지며, 박물관은 일본과 미국, 영국의 박물관 여섯 곳에서 "
    "빌려 온 유물 가운데 상당수가 국내에 처음 공개되는 것이라고 설명했다."
)
# The same two sentences with one word changed: a near copy (Jaccard above the threshold).
SHORT_EDITED = SHORT.replace("체험 공간도", "교육 공간도")
# The two sentences with other figures, and more: the short text's shingles lie mostly inside
# it (the index ranks it first by containment), but it is not the same text (its numbers
# differ: `sentences.same_text` refuses it).
LONGER = (
    SHORT.replace("180여 점", "210여 점").replace("12일", "13일")
    + "\n관람료는 성인 5천 원이며, 청소년과 65세 이상은 무료로 입장할 수 있다. 박물관은 "
    "주말마다 큐레이터의 전시 해설을 네 차례 열고, 온라인 예약자에게는 도록 할인권을 준다. "
    "전시가 끝나면 유물 일부는 부산과 광주의 국립박물관으로 옮겨 순회 전시를 이어 간다."
)


def test_a_failed_best_stored_match_gives_way_to_the_next(target: str) -> None:
    config = DedupConfig()
    hasher = MinHasher(config.minhash)
    sigs, _ = hasher.signatures([SHORT, SHORT_EDITED, LONGER])
    j_edited = float((sigs[0] == sigs[1]).mean())
    j_longer = float((sigs[0] == sigs[2]).mean())
    assert j_edited >= config.threshold
    assert config.min_jaccard <= j_longer < config.threshold  # containment route only
    days = [[("longer", LONGER), ("edited", SHORT_EDITED)], [("short", SHORT)]]
    batch = Deduplicator(config).add_batch([r for day in days for r in day])
    assert [d.kept for d in batch] == [True, True, False]
    assert batch[2].cluster == "edited" and batch[2].match == "near"
    with Index.open(target, config) as index:
        index.decide_many(days[0])
        # the index ranks the containing story first (containment ~1.0 > Jaccard)...
        key, sig, size = exact_args(hasher, SHORT)
        ranked = index.lookup_all(key, sig, size)
        assert [m.id for m in ranked] == ["longer", "edited"]
        # ...which fails its re-check (other figures); the near copy is taken
        assert index.check(SHORT) == Match("edited", batch[2].similarity, "near")
        assert [_said(d) for d in index.decide_many(days[1])] == [_said(batch[2])]


def exact_args(hasher: MinHasher, text: str) -> tuple[bytes, object, int]:
    from dedupe_ko.minhash import exact_key

    sigs, sizes = hasher.signatures([text])
    return exact_key(text), sigs[0], int(sizes[0])


# -- a realistic stream from the shared corpus, day by day -------------------------------------


def _stream(n_bodies: int, seed: int) -> list[tuple[str, str]]:
    """Corpus bodies with republications: exact and respaced copies, tagged re-leads,
    the first paragraphs alone (abridged), and a fuller version after its brief."""
    path = CORPUS / "bodies.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus is not on this machine)")
    rng = random.Random(seed)
    bodies: list[list[str]] = []
    prints: list[Fingerprint] = []
    bar = DedupConfig().containment
    with path.open(encoding="utf-8") as f:
        for line in f:
            paras = [p for p in json.loads(line)["paragraphs"] if p.strip()]
            if len(paras) < 5:
                continue
            # distinct stories: the corpus holds a few wire stories twice (one outlet's
            # version inside another's), which are one story here
            fp = fingerprint_batch(["\n".join(paras)]).of(0)
            if any(same_text(fp, q).edited >= bar for q in prints):
                continue
            bodies.append(paras)
            prints.append(fp)
            if len(bodies) == n_bodies:
                break
    out: list[tuple[str, str]] = []
    for i, paras in enumerate(bodies):
        full = "\n".join(paras)
        kind = i % 5
        if kind == 0:  # brief first, the full story later
            out.append((f"b{i}", "\n".join(paras[:3])))
            out.append((f"f{i}", full))
        else:
            out.append((f"f{i}", full))
        if kind == 1:
            out.append((f"x{i}", full.replace(" ", "  ", 3)))
        if kind == 2:
            out.append((f"a{i}", "\n".join(paras[: rng.randint(3, 4)])))
        if kind == 3:
            lede = paras[0] + " 관계자는 이렇게 말했다."
            out.append((f"t{i}", "[단독] " + "\n".join([lede, *paras[1:]])))
    rng.shuffle(out)
    at = {id_: i for i, (id_, _) in enumerate(out)}
    for id_, i in list(at.items()):  # a fuller version comes after its brief, as in the wild
        j = at.get("f" + id_[1:]) if id_.startswith("b") else None
        if j is not None and j < i:
            out[i], out[j] = out[j], out[i]
    return out


def test_corpus_stream_day_by_day_keeps_the_batch_kept_set(target: str) -> None:
    stream = _stream(60, seed=3)
    step = len(stream) // 3 + 1
    days = [stream[i : i + step] for i in range(0, len(stream), step)]
    batch = Deduplicator().add_batch(stream)
    daily = _daily(target, days)
    assert [_said(d) for d in daily] == [_said(d) for d in batch]
    kept = {d.id for d in daily if d.kept}
    assert any(d.supersedes for d in daily)  # superseding happened across days
    # one kept record per story, and one more for each fuller version kept after its brief
    assert len(kept) == 60 + sum(bool(d.supersedes) for d in daily)


def test_a_redis_index_of_the_previous_layout_is_refused(redis_target: str) -> None:
    import redis

    from dedupe_ko.index import IndexFormatError

    with Index.open(redis_target) as index:
        index.add("brief", BRIEF)
    base, _, prefix = redis_target.partition("?prefix=")
    client = redis.Redis.from_url(base)
    client.hset(f"{prefix}:meta", "format_version", "1")  # one key per band key
    before = sorted(client.scan_iter(match=f"{prefix}:*"))
    with pytest.raises(IndexFormatError, match="index format 1.*new prefix"):
        Index.open(redis_target)
    assert sorted(client.scan_iter(match=f"{prefix}:*")) == before
    client.close()
