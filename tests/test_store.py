"""Band stores (memory, SQLite runs, Redis) answer alike, and the persistent index keeps
sentence pieces as it keeps bands: staged with their run, rolled back with it, crowded when
boilerplate, and found by the Deduplicator's containment search across runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from dedupe_ko.dedup import DedupConfig, Deduplicator, Match
from dedupe_ko.index import Index
from dedupe_ko.store import MemoryBandStore, RedisBandStore, SQLiteBandStore

# A wire story of six paragraphs, and what outlets make of it.
FERRY = [
    "전남 목포와 제주를 잇는 대형 여객선이 다음 달부터 하루 두 차례 운항한다. 해양수산부는 "
    "3일 이 같은 내용의 연안 여객 항로 개편안을 발표했다.",
    "새 여객선은 길이 170m, 승객 1,200명과 차량 300대를 실을 수 있다. 운항 시간은 기존보다 "
    "40분가량 줄어든 4시간 20분이다.",
    "해수부는 안전 점검을 두 차례 마쳤으며 구명 장비도 정원의 1.5배를 갖췄다고 설명했다. "
    "선원 교육은 이달 말까지 이어진다.",
    "운임은 성인 편도 기준 5만 2천 원으로 정해졌다. 섬 주민과 65세 이상 노인은 절반만 낸다.",
    "목포시는 여객선 터미널 주차장을 400면 늘리고 시내버스 노선 두 개를 터미널까지 연장하기로 "
    "했다. 공사는 다음 주에 시작된다.",
    "지역 상인들은 관광객이 늘어날 것이라며 반겼지만, 일부 주민은 터미널 주변 교통 혼잡을 "
    "걱정했다. 시는 교통 대책을 따로 내놓겠다고 밝혔다.",
]
FULL = "\n".join(FERRY)
BRIEF = "\n".join(FERRY[:2])  # the first two paragraphs: an abridged republication
# A near copy with a new lede (it lends that lede to the story's cluster).
RELED = "\n".join(
    [
        "제주 뱃길이 크게 달라진다. 섬을 오가는 주민과 관광객의 부담이 줄어들 전망이다. "
        "업계도 새 항로에 큰 기대를 걸고 있다.",
        *FERRY[1:],
    ]
)
# Another story that quotes one paragraph of the ferry story: not the same story.
QUOTING = "\n".join(
    [
        "제주 관광업계가 올여름 성수기를 앞두고 숙박 요금 안정 대책을 내놓았다. 도내 호텔과 "
        "펜션 300여 곳이 참여한다.",
        FERRY[1],
        "관광협회는 바가지요금 신고 센터를 운영하고, 적발된 업소는 공공 홍보에서 빼기로 했다. "
        '협회장은 "관광객 신뢰를 되찾겠다"고 말했다.',
        "도는 협회와 함께 다음 달 말까지 요금 실태를 점검한다. 점검 결과는 누리집에 공개된다.",
    ]
)


@pytest.fixture(params=["sqlite", "redis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "seen.db")
    return request.getfixturevalue("redis_target")


# -- the band-store protocol -------------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite", "redis"])
def band_store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "memory":
        yield MemoryBandStore()
        return
    if request.param == "sqlite":
        conn = sqlite3.connect(tmp_path / "bands.db", isolation_level=None)
        store = SQLiteBandStore(lambda: conn, "t_")
        conn.executescript(store.schema())
        yield store
        conn.close()
        return
    import redis

    url = request.getfixturevalue("redis_target")
    base, _, prefix = url.partition("?prefix=")
    client = redis.Redis.from_url(base)
    yield RedisBandStore(client, f"{prefix}:k:".encode())
    for k in client.scan_iter(match=f"{prefix}:*"):
        client.delete(k)
    client.close()


def test_band_stores_answer_alike(band_store) -> None:
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**63, size=300, dtype=np.uint64)
    # key i holds values i % 7 .. : keys 0..9 also get six more values (crowded at cap 4)
    k1, v1 = keys, np.arange(300) % 7
    k2, v2 = np.repeat(keys[:10], 6), np.tile(np.arange(100, 106), 10)
    band_store.add(k1[:150], v1[:150])
    band_store.add(np.concatenate([k1[150:], k2]), np.concatenate([v1[150:], v2]))
    absent = rng.integers(0, 2**63, size=20, dtype=np.uint64)
    query = np.concatenate([keys[:40], absent]).reshape(30, 2)
    hits = band_store.query(query, cap=4)
    assert hits.crowded.tolist() == [True] * 10 + [False] * 50
    got = sorted(zip(hits.rows.tolist(), hits.values.tolist(), strict=True))
    assert got == sorted((i // 2, i % 7) for i in range(10, 40))
    every = band_store.query(keys[:10])  # no cap: everything under the key
    assert not every.crowded.any() and len(every.values) == 70
    assert len(band_store) == 360


def test_crowded_keys_are_told_apart_from_keys_with_repeated_values(band_store) -> None:
    """A key under 200 clusters is crowded; a key stored 60 times under only three clusters
    (the same piece added again and again) is not, and gives those three."""
    rng = np.random.default_rng(11)
    crowded_key, repeated_key, plain_key = rng.integers(0, 2**63, size=3, dtype=np.uint64)
    for start in range(0, 200, 50):  # several adds: values spread over several runs
        band_store.add(np.full(50, crowded_key), np.arange(start, start + 50))
        band_store.add(np.full(15, repeated_key), np.arange(15) % 3 + 500)
    band_store.add(np.array([plain_key]), np.array([7]))
    hits = band_store.query(np.array([[crowded_key, repeated_key, plain_key]]), cap=4)
    assert hits.crowded.tolist() == [True, False, False]
    assert sorted(hits.values.tolist()) == [7, 500, 501, 502]
    assert hits.rows.tolist() == [0, 0, 0, 0]


def test_redis_band_store_keeps_every_value_in_insertion_order(redis_target: str) -> None:
    """Batches with keys repeated inside them (a republication shares band keys with its
    source), more keys in one hash than one HSET takes, and keys already stored: each key's
    stored value is every value added under it, in the order added."""
    import redis

    base, _, prefix = redis_target.partition("?prefix=")
    client = redis.Redis.from_url(base)
    store = RedisBandStore(client, f"{prefix}:k:".encode())
    rng = np.random.default_rng(8)
    # 2,600 keys in one hash (top byte 0x42) and 400 spread over the others
    same = (rng.integers(0, 2**56, 2600, dtype=np.uint64)) | np.uint64(0x42 << 56)
    keys = np.concatenate([same, rng.integers(0, 2**63, 400, dtype=np.uint64)])
    expected: dict[int, list[int]] = {}
    value = 0
    for _ in range(3):
        batch = np.concatenate([keys[rng.permutation(3000)[:2000]], np.repeat(keys[:5], 40)])
        batch = batch[rng.permutation(len(batch))]
        values = np.arange(value, value + len(batch))
        value += len(batch)
        store.add(batch, values)
        for k, v in zip(batch.tolist(), values.tolist(), strict=True):
            expected.setdefault(k, []).append(v)
    fields = [np.array([k], dtype="<u8").tobytes() for k in expected]
    stored = [client.hget(f"{prefix}:k:".encode() + f[7:8], f) for f in fields]
    got = {k: np.frombuffer(b, dtype="<u4").tolist() for k, b in zip(expected, stored, strict=True)}
    assert got == expected
    assert len(store) == value
    client.close()


# -- pieces in the index ---------------------------------------------------------------------


def test_index_finds_a_brief_inside_a_stored_story(target: str) -> None:
    with Index.open(target) as index:
        assert index.check_and_add("full", FULL) is None
        got = index.check(BRIEF)
        assert got is not None and got.id == "full" and got.kind == "partial"
        assert got.similarity >= index.config.containment
        # the story that quotes one paragraph is not a copy of it
        assert index.check(QUOTING) is None
        # and a fuller version of a stored brief is new (it supersedes the brief)
    with Index.open(target + ("x" if "://" in target else ".2")) as other:
        other.add("brief", BRIEF)
        assert other.check(FULL) is None
        assert other.check_and_add("full", FULL) is None
        assert len(other) == 2


def test_rolled_back_run_takes_its_pieces_with_it(target: str) -> None:
    with Index.open(target) as index:
        index.begin_run()
        index.add("full", FULL)
        assert index.check(BRIEF) == Match("full", 1.0, "partial")
        index.abort_run()
        assert len(index) == 0
        assert index.check(BRIEF) is None
        assert len(index.query_pieces(np.arange(1, 5, dtype=np.uint64)).values) == 0
        index.begin_run()
        index.add("full", FULL)
        index.commit_run()
        assert index.check(BRIEF).id == "full"
        assert index.verify() == []


def test_pieces_in_many_stored_stories_are_boilerplate(target: str) -> None:
    closing = (
        "이 기사는 언론사 간 기사 제휴에 따라 전재한 것으로 저작권은 원 출처에 있습니다. "
        "허락 없는 무단 전재와 재배포, 인공지능 학습 이용을 모두 금합니다. 기사에 관한 "
        "문의와 제보는 편집국 독자센터로 해 주시기 바랍니다."
    )
    places = ["강릉", "군산", "여수", "청주", "포항", "원주"]
    stories = [
        f"{p} 시청은 {n + 3}일 새 도서관 건립 계획을 발표했다. 사업비 {120 + n}억 원 가운데 "
        f"절반은 국비로 충당한다. {p} 시민 {n + 2}천 명이 설문에 참여했고 대부분 찬성했다. "
        f"착공은 내년 {n + 1}월, 개관은 2년 뒤로 잡혔다. 시는 {p} 북부 지역 주민의 "
        f"이용이 가장 많을 것으로 내다봤다.\n새 도서관에는 어린이 열람실과 디지털 창작 "
        f"공간, 지역 향토 자료실이 {n + 2}층에 들어선다. 야간에도 문을 열어 직장인과 "
        f"학생이 늦게까지 이용할 수 있게 한다. 주차장은 {80 + 10 * n}면 규모로 짓고, "
        f"시내버스 노선도 도서관 앞을 지나도록 바꾼다. 일부 시의원은 운영비 부담이 "
        f"크다며 민간 위탁을 검토하자고 주장했다."
        for n, p in enumerate(places)
    ]
    with Index.open(target) as index:
        index.add_many([(f"s{n}", f"{s}\n{closing}") for n, s in enumerate(stories)])
        # the closing alone would be inside every one of them; stored in six, it is
        # boilerplate: no candidates, so a brief made of it joins nothing
        assert index.check(closing) is None
        assert (
            index.check(
                f"새 기사의 본문은 전혀 다른 이야기를 합니다. 여러 문장으로 "
                f"이루어져 있습니다.\n{closing}"
            )
            is None
        )


def test_deduplicator_runs_day_by_day_through_the_index(target: str) -> None:
    config = DedupConfig()
    with Index.open(target) as index:
        day1 = Deduplicator(config, store=index).add_batch([("full", FULL), ("q", QUOTING)])
        assert [d.kept for d in day1] == [True, True]
        day2 = Deduplicator(config, store=index).add_batch([("brief", BRIEF), ("reled", RELED)])
        assert [(d.id, d.kept, d.cluster, d.match) for d in day2] == [
            ("brief", False, "full", "partial"),
            ("reled", False, "full", "near"),
        ]
        assert len(index) == 2
    # a fuller version arriving after its brief is kept and supersedes it
    with Index.open(target + ("y" if "://" in target else ".3")) as index:
        Deduplicator(config, store=index).add_batch([("brief", BRIEF)])
        (d,) = Deduplicator(config, store=index).add_batch([("full", FULL)])
        assert (d.kept, d.cluster, d.match, d.supersedes) == (True, "brief", "partial", "brief")
        assert len(index) == 2
        # the next day's brief finds the fuller version
        (b,) = Deduplicator(config, store=index).add_batch([("brief2", BRIEF + "\n")])
        assert not b.kept
