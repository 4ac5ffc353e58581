"""The persistent index: same behaviour on SQLite and Redis, settings guard, real processes
adding at once, SIGKILL mid-batch, Redis going away, foreign files, retention, and agreement
with the Deduplicator on the development corpus."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from dedupe_ko.dedup import DedupConfig, Match, accept
from dedupe_ko.index import (
    Index,
    IndexFormatError,
    IndexMismatchError,
    IndexUnavailableError,
)
from dedupe_ko.minhash import MinHashConfig, MinHasher, exact_key

DAY = 86400.0
FORK = multiprocessing.get_context("fork")
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "corpus.jsonl"

# -- articles -------------------------------------------------------------------------------

BUS_PARAGRAPHS = [
    "서울시는 내년 1월부터 시내버스 기본요금을 현행 1,500원에서 1,700원으로 올린다고 15일 "
    "밝혔다. 요금 인상은 2015년 이후 9년 만이다.",
    "시는 연료비와 인건비가 크게 늘어 버스 회사들의 적자가 한계에 이르렀다고 설명했다. 지난해 "
    "시내버스 업계의 누적 적자는 8,000억 원을 넘었다.",
    "청소년과 어린이 요금은 동결하고, 교통카드 환승 할인도 지금처럼 유지한다. 심야버스 요금은 "
    "2,150원에서 2,500원으로 조정된다.",
    "시는 요금 인상과 함께 배차 간격이 긴 외곽 노선 12곳에 차량 40대를 더 넣고, 정류장 안내 "
    "단말기를 모두 교체하겠다고 밝혔다.",
    '시민단체들은 "물가 부담이 큰 시기에 공공요금부터 올리는 것은 잘못"이라며 인상 폭을 '
    "줄이라고 요구했다. 시의회는 다음 달 공청회를 연다.",
]
BUS = "\n".join(BUS_PARAGRAPHS)
# Another outlet: other spacing and quote marks only (the exact path).
BUS_SPACED = (
    BUS.replace("내년 1월부터", "내년1월부터")
    .replace('"', "“", 1)
    .replace('"', "”", 1)
    .replace("공청회를 연다", "공청회를  연다")
)
# A tag on the lede and two changed figures (the near path, by Jaccard).
BUS_TAGGED = "[속보] " + BUS.replace("40대", "45대").replace("12곳", "13곳")
# The last two paragraphs dropped (the near path, by containment: Jaccard is under 0.7).
BUS_ABRIDGED = "\n".join(BUS_PARAGRAPHS[:3])

COURT = "\n".join(
    [
        "대법원 전원합의체는 18일 퇴근길 회식 뒤 귀가하다 다친 직원에게도 업무상 재해를 인정해야 "
        "한다고 판단했다.",
        "재판부는 회식이 회사의 지시로 열렸고 참석이 사실상 강제됐다면 귀갓길도 업무의 연장으로 "
        "봐야 한다고 밝혔다.",
        "원고는 2019년 부서 회식을 마치고 지하철역 계단에서 넘어져 허리를 다쳤으나 근로복지공단은 "
        "요양급여를 주지 않았다.",
        "이번 판결로 하급심에 계류된 비슷한 사건 30여 건의 결론도 바뀔 것으로 보인다.",
    ]
)
COURT_SPACED = COURT.replace("전원합의체는", "전원 합의체는").replace("18일", "18 일")


def _particle(word: str, with_final: str, without: str) -> str:
    code = ord(word[-1]) - 0xAC00
    return word + (with_final if 0 <= code < 11172 and code % 28 else without)


PLACES = [
    "강릉",
    "군산",
    "여수",
    "청주",
    "포항",
    "원주",
    "순천",
    "경주",
    "안동",
    "목포",
    "춘천",
    "김해",
    "제천",
    "공주",
    "남원",
    "통영",
    "익산",
    "구미",
    "거제",
    "당진",
    "서산",
    "영주",
]
ORGS = [
    "시청",
    "교육청",
    "소방본부",
    "경찰서",
    "보건소",
    "상공회의소",
    "농업기술센터",
    "항만공사",
    "문화재단",
    "환경청",
    "지방법원",
    "세무서",
    "우체국",
    "시의회",
]
TOPICS = [
    "전통시장 주차장",
    "공공도서관 분관",
    "하수처리장 증설",
    "청년 임대주택",
    "야간 응급진료",
    "해안 산책로",
    "폐교 캠핑장",
    "버스 노선 개편",
    "스마트 가로등",
    "어린이 보호구역",
    "직거래 장터",
    "상수도관 교체",
    "반려동물 놀이터",
    "수소 충전소",
    "지역 화폐",
    "산불 감시",
]


def story(seed: int) -> str:
    """A short local-news article; different seeds give different stories (checked in
    test_generated_stories_are_distinct)."""
    r = random.Random(seed)
    place, org, topic = r.choice(PLACES), r.choice(ORGS), r.choice(TOPICS)
    name = r.choice("김이박최정강조윤장임한오서신권황") + "".join(
        r.choices("민서준우지현수연도윤하은", k=2)
    )
    n = [r.randint(12, 9800) for _ in range(6)]
    sentences = [
        f"{_particle(place + ' ' + org, '은', '는')} {topic} 사업에 {n[0]}억 원을 쓴다고 "
        f"{n[1] % 28 + 1}일 밝혔다.",
        f'{name} 과장은 "{n[2] % 12 + 1}월 안에 세부안을 내겠다"고 했다.',
        f"주민 {n[3]}명에게 물은 결과 {n[4] % 90 + 5}%가 찬성했다.",
        f"{place} 북부 {n[5] % 40 + 2}개 마을이 먼저 혜택을 본다.",
        f"국비 {n[1] % 300 + 7}억 원이 확보됐고 나머지는 {org} 예산으로 채운다.",
        f"{_particle(topic, '을', '를')} 두고 인근 상인 {n[0] % 70 + 3}명이 반대 서명을 냈다.",
        f"착공은 {n[2] % 5 + 2025}년 봄, 준공 목표는 {n[2] % 5 + 2027}년이다.",
        f"{name} 씨는 {place}에서 {n[3] % 30 + 1}년째 일했다.",
        f"{org} 누리집에서 {n[4] % 20 + 1}일까지 의견을 받는다.",
        f"지난해 비슷한 사업이 {r.choice(PLACES)}에서 {n[5] % 9 + 1}건 무산됐다.",
    ]
    return "\n".join(r.sample(sentences, 6))


def jaccard(a: str, b: str, config: DedupConfig | None = None) -> tuple[float, int, int]:
    hasher = MinHasher((config or DedupConfig()).minhash)
    sigs, sizes = hasher.signatures([a, b])
    return float((sigs[0] == sigs[1]).mean()), int(sizes[0]), int(sizes[1])


@pytest.fixture(params=["sqlite", "redis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An index location that does not exist yet, on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "seen.db")
    return request.getfixturevalue("redis_target")


def test_generated_stories_are_distinct() -> None:
    # The tests below rely on no two generated stories being duplicates of each other.
    seeds = [*range(60), *range(1000, 1040), *range(2000, 2150)]
    texts = [story(i) for i in seeds]
    sigs, _ = MinHasher().signatures(texts)
    sim = (sigs[:, None, :] == sigs[None, :, :]).mean(axis=-1)
    np.fill_diagonal(sim, 0.0)
    assert sim.max() < DedupConfig().min_jaccard  # below any path's floor
    assert len({exact_key(t) for t in texts}) == len(seeds)


# -- behaviour, both backends -----------------------------------------------------------------


def test_check_takes_exact_then_verified_near_path(target: str) -> None:
    config = DedupConfig()
    with Index.open(target) as index:
        assert index.check(BUS) is None
        assert index.add("bus-1", BUS) is True
        assert len(index) == 1

        assert index.check(BUS_SPACED) == Match("bus-1", 1.0, "exact")

        j, _, _ = jaccard(BUS, BUS_TAGGED)
        assert index.check(BUS_TAGGED) == Match("bus-1", j, "near")

        j, size_short, size_full = jaccard(BUS_ABRIDGED, BUS)
        assert j < config.threshold  # so only the containment path can accept it
        ok, similarity = accept(config, j, size_short, size_full)
        assert ok and similarity >= config.containment
        assert index.check(BUS_ABRIDGED) == Match("bus-1", similarity, "near")

        assert index.check(COURT) is None
        assert index.check(story(7)) is None


def test_best_verified_candidate_wins(target: str) -> None:
    four = "\n".join(BUS_PARAGRAPHS[:4])
    four_tagged = "[단독] " + four.replace("12곳", "14곳")
    with Index.open(target) as index:
        index.add_many([("full", BUS), ("four", four)])
        assert index.check(four) == Match("four", 1.0, "exact")
        got = index.check(four_tagged)
        j_four, _, _ = jaccard(four_tagged, four)
        j_full, _, _ = jaccard(four_tagged, BUS)
        assert j_four > j_full
        assert got == Match("four", j_four, "near")
        # The full article's tagged copy is closer to the full one.
        assert index.check(BUS_TAGGED).id == "full"


def test_check_and_add_stores_only_new_stories(target: str) -> None:
    with Index.open(target) as index:
        assert index.check_and_add("bus-1", BUS) is None
        assert index.check_and_add("bus-2", BUS_TAGGED).id == "bus-1"
        assert index.check_and_add("bus-3", BUS_SPACED) == Match("bus-1", 1.0, "exact")
        assert index.check_and_add("court-1", COURT) is None
        assert len(index) == 2
        # bus-2 was not stored: its own text now finds bus-1, not itself.
        assert index.check(BUS_TAGGED).id == "bus-1"


def test_batches_match_sequential_calls(target: str) -> None:
    with Index.open(target) as index:
        got = index.check_and_add_many(
            [
                ("a", BUS),
                ("b", BUS_TAGGED),
                ("c", COURT),
                ("d", COURT_SPACED),
                ("e", story(1)),
            ]
        )
        j, _, _ = jaccard(BUS_TAGGED, BUS)
        assert got == [None, Match("a", j, "near"), None, Match("c", 1.0, "exact"), None]
        assert len(index) == 3

        # check_many compares each text with the index only, not with each other.
        assert index.check_many([story(2), story(2), BUS_SPACED]) == [
            None,
            None,
            Match("a", 1.0, "exact"),
        ]

        assert index.add_many([("f", story(3)), ("g", story(4)), ("f", story(5))]) == 2
        assert index.add_many([("f", story(3)), ("g", story(4))]) == 0  # already there
        assert index.add("f", story(6)) is False  # an id keeps its first text
        assert index.check(story(3)) == Match("f", 1.0, "exact")
        assert index.check(story(6)) is None
        assert len(index) == 5
        assert index.verify() == []


def test_shared_keys_keep_every_entry_within_and_across_batches(target: str) -> None:
    # BUS and BUS_SPACED share their exact hash and band keys: the second may not replace the
    # first in a key they share, in one batch or in the next.
    with Index.open(target) as index:
        assert index.add_many([("a", BUS), ("b", BUS_SPACED), ("x", COURT)]) == 3
        assert index.add_many([("c", BUS)]) == 1
        assert index.check(BUS) == Match("a", 1.0, "exact")  # the oldest of three
        near = index.check(BUS_TAGGED)
        assert near is not None and near.id == "a" and near.kind == "near"
        assert index.verify() == []


def test_reopening_keeps_entries_and_settings(target: str) -> None:
    config = DedupConfig(threshold=0.8, minhash=MinHashConfig(num_perm=64, seed=7))
    with Index.open(target, config) as index:
        index.add_many([("bus", BUS), ("court", COURT)])
    with Index.open(target) as index:  # no config: the stored settings
        assert index.config == config
        assert len(index) == 2
        assert index.check(COURT_SPACED) == Match("court", 1.0, "exact")
        assert index.check(BUS_TAGGED).id == "bus"


def test_store_protocol_is_the_same_path(target: str) -> None:
    hasher = MinHasher()
    texts = [BUS, COURT, story(11)]
    sigs, sizes = hasher.signatures(texts)
    with Index.open(target) as index:
        n = index.insert_many(
            [(f"id{i}", exact_key(t), sigs[i], int(sizes[i])) for i, t in enumerate(texts)]
        )
        assert n == 3
        tagged_sig, tagged_size = hasher.signatures([BUS_TAGGED])
        via_lookup = index.lookup(exact_key(BUS_TAGGED), tagged_sig[0], int(tagged_size[0]))
        assert via_lookup == index.check(BUS_TAGGED)
        assert via_lookup.id == "id0"
        assert index.lookup(exact_key(COURT_SPACED), sigs[1], int(sizes[1])) == Match(
            "id1", 1.0, "exact"
        )
        other_sig, other_size = hasher.signatures([story(12)])
        assert index.lookup(exact_key(story(12)), other_sig[0], int(other_size[0])) is None
        with pytest.raises(ValueError, match="num_perm"):
            index.insert_many([("short", exact_key(BUS), sigs[0][:64], int(sizes[0]))])


def test_bad_arguments_are_refused(target: str) -> None:
    with Index.open(target) as index:
        with pytest.raises(TypeError, match="str"):
            index.check(BUS.encode())
        with pytest.raises(TypeError, match="ids must be str"):
            index.add(17, BUS)
        with pytest.raises(ValueError, match="items are"):
            index.add_many([("only-an-id",)])
        assert len(index) == 0
    with pytest.raises(ValueError, match="retention_days"):
        Index.open(target, retention_days=0)


def test_missing_index_with_create_false(tmp_path: Path, redis_target: str) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(FileNotFoundError, match="create=True"):
        Index.open(path, create=False)
    assert not path.exists()
    with pytest.raises(FileNotFoundError, match="create=True"):
        Index.open(redis_target, create=False)


# -- settings guard -----------------------------------------------------------------------------


def test_other_thresholds_open_the_same_stored_data(target: str) -> None:
    # Thresholds only decide how stored data is verified: an index opens with any of them.
    with Index.open(target) as index:
        index.add_many([("bus", BUS), ("court", COURT)])
    j, _, _ = jaccard(BUS_TAGGED, BUS)
    # the tagged copy with its own ending: a copy at the default settings, not when every
    # sentence must be found (containment 1.0) and the Jaccard must be over j
    own_end = "\n".join(
        [
            *BUS_TAGGED.split("\n")[:-1],
            "버스 노조는 인상분이 임금 협상에 반영돼야 한다는 입장을 냈다.",
        ]
    )
    strict = DedupConfig(threshold=min(0.99, j + 0.05), containment=1.0)
    with Index.open(target, strict) as index:
        assert index.config == strict
        assert index.check(own_end) is None  # under the stricter settings
    with Index.open(target) as index:
        assert index.check(own_end) is not None
        assert index.check(COURT_SPACED) == Match("court", 1.0, "exact")
    with Index.open(target, DedupConfig(threshold=0.6)) as index:
        assert index.check(BUS_TAGGED) == Match("bus", j, "near")


def _set_stored_fingerprint(target: str, **changes: object) -> None:
    if target.startswith("redis://"):
        import redis

        url, _, prefix = target.partition("?prefix=")
        client = redis.Redis.from_url(url)
        fp = json.loads(client.hget(f"{prefix}:meta", "fingerprint"))
        fp.update(changes)
        client.hset(f"{prefix}:meta", "fingerprint", json.dumps(fp))
        client.close()
    else:
        with sqlite3.connect(target) as db:
            fp = json.loads(
                db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()[0]
            )
            fp.update(changes)
            db.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (json.dumps(fp),))
        sqlite3.connect(target).close()


def test_other_piece_scheme_is_refused(target: str) -> None:
    # Stored sentence-piece hashes compare only with pieces cut the same way.
    Index.open(target).close()
    _set_stored_fingerprint(target, piece_scheme="pieces-0:8:12")
    with pytest.raises(IndexMismatchError) as err:
        Index.open(target)
    assert list(err.value.differences) == ["piece_scheme"]
    assert "installed software" in str(err.value)


def test_other_signature_shape_is_refused(target: str) -> None:
    Index.open(target).close()
    small = MinHashConfig(num_perm=64)
    with pytest.raises(IndexMismatchError) as err:
        Index.open(target, DedupConfig(minhash=small))
    diffs = err.value.differences
    assert diffs["num_perm"] == (128, 64)
    b, r = small.bands_rows
    assert diffs["bands"] == (MinHashConfig().bands_rows[0], b)
    assert "scheme" not in diffs


def _fake_datasketch_1_index(target: str) -> None:
    """Rewrite the stored fingerprint as an index built under datasketch 1.x would have it."""
    Index.open(target).close()
    if target.startswith("redis://"):
        import redis

        url, _, prefix = target.partition("?prefix=")
        client = redis.Redis.from_url(url)
        fp = json.loads(client.hget(f"{prefix}:meta", "fingerprint"))
        fp.update(scheme="legacy", datasketch_major="1", permutation_check=[1, 2, 3, 4])
        client.hset(f"{prefix}:meta", "fingerprint", json.dumps(fp))
        client.close()
    else:
        with sqlite3.connect(target) as db:
            fp = json.loads(
                db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()[0]
            )
            fp.update(scheme="legacy", datasketch_major="1", permutation_check=[1, 2, 3, 4])
            db.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (json.dumps(fp),))
        sqlite3.connect(target).close()


def test_datasketch_scheme_change_is_refused(target: str) -> None:
    _fake_datasketch_1_index(target)
    with pytest.raises(IndexMismatchError) as err:
        Index.open(target)
    diffs = err.value.differences
    assert diffs["scheme"] == ("legacy", "affine32")
    assert diffs["datasketch_major"] == ("1", "2")
    assert "permutation_check" in diffs
    message = str(err.value)
    assert "scheme: stored 'legacy', requested 'affine32'" in message
    assert "installed software" in message and "build a new index" in message


# -- concurrency ---------------------------------------------------------------------------------


def _check_and_add_worker(target: str, worker: int, barrier, results) -> None:
    order = list(range(40))
    random.Random(worker).shuffle(order)
    got = []
    with Index.open(target) as index:
        barrier.wait()
        i = 0
        while i < len(order):
            size = 1 + (i + worker) % 3  # singles and small batches, interleaved
            chunk = order[i : i + size]
            items = [(f"p{worker}-{s}", story(1000 + s)) for s in chunk]
            if size == 1:
                matches = [index.check_and_add(*items[0])]
            else:
                matches = index.check_and_add_many(items)
            got += [(s, m.id if m else None) for s, m in zip(chunk, matches, strict=True)]
            i += size
    results.put((worker, got))


def _run_workers(fn, target: str, n: int = 4) -> dict[int, object]:
    barrier = FORK.Barrier(n)
    results = FORK.Queue()
    procs = [FORK.Process(target=fn, args=(target, k, barrier, results)) for k in range(n)]
    for p in procs:
        p.start()
    out = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return out


def test_processes_check_and_add_the_same_stories_once(target: str) -> None:
    # Four processes race to create the index and to store the same 40 stories.
    results = _run_workers(_check_and_add_worker, target)
    winners: dict[int, list[str]] = {s: [] for s in range(40)}
    matched: dict[int, set[str]] = {s: set() for s in range(40)}
    for worker, got in results.items():
        for s, match in got:
            if match is None:
                winners[s].append(f"p{worker}-{s}")
            else:
                matched[s].add(match)
    for s in range(40):
        assert len(winners[s]) == 1, (s, winners[s])  # stored by exactly one process
        assert matched[s] == set(winners[s])  # the other three saw that one
    with Index.open(target) as index:
        assert len(index) == 40
        assert index.verify() == []
        assert index.check(story(1000 + 5)) == Match(winners[5][0], 1.0, "exact")


def _add_worker(target: str, worker: int, barrier, results) -> None:
    ids = list(range(worker * 30, worker * 30 + 60))  # each overlaps its neighbours
    with Index.open(target) as index:
        barrier.wait()
        added = 0
        for i in range(0, len(ids), 5):
            added += index.add_many([(f"a{s}", story(2000 + s)) for s in ids[i : i + 5]])
    results.put((worker, added))


def test_processes_adding_overlapping_ids_lose_nothing(target: str) -> None:
    results = _run_workers(_add_worker, target)
    assert sum(results.values()) == 150  # ids 0..149, each stored by one process
    with Index.open(target) as index:
        assert len(index) == 150
        assert index.verify() == []
        found = index.check_many([story(2000 + s) for s in range(150)])
        assert [m.id for m in found] == [f"a{s}" for s in range(150)]


# -- SIGKILL mid-batch ---------------------------------------------------------------------------


def _killed_writer(path: str, conn_out, first: int, batch: int) -> None:
    index = Index.open(path)
    index.add_many([(f"first-{i}", story(3000 + i)) for i in range(first)])
    db = index._backend.conn
    db.execute("PRAGMA cache_size=20")  # spill the open transaction's pages into the WAL
    conn_out.send(os.path.getsize(path + "-wal"))
    inserts = 0

    def stop_midway(statement: str) -> None:
        nonlocal inserts
        if statement.startswith("INSERT OR IGNORE INTO entries"):
            inserts += 1
            if inserts == batch // 2:
                conn_out.send(os.path.getsize(path + "-wal"))
                time.sleep(60)  # the parent kills us here, inside the transaction

    db.set_trace_callback(stop_midway)
    index.add_many([(f"second-{i}", story(4000 + i)) for i in range(batch)])


def test_sigkill_mid_batch_leaves_a_consistent_sqlite_index(tmp_path: Path) -> None:
    path = str(tmp_path / "seen.db")
    here, there = FORK.Pipe()
    child = FORK.Process(target=_killed_writer, args=(path, there, 50, 1200))
    child.start()
    assert here.poll(60)
    wal_after_first = here.recv()
    assert here.poll(60)
    wal_mid_batch = here.recv()
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    assert wal_mid_batch > wal_after_first  # part of the batch had reached the disk

    with Index.open(path) as index:
        assert index.verify() == []
        assert len(index) == 50  # the first batch whole, none of the second
        assert index.check(story(3000 + 7)) == Match("first-7", 1.0, "exact")
        assert index.check_many([story(4000 + i) for i in range(0, 1200, 100)]) == [None] * 12
        index.add("after", story(4000))  # and it takes writes again
        assert index.verify() == []


def _redis_writer(target: str, conn_out, batch: int) -> None:
    index = Index.open(target)
    index.add_many([(f"first-{i}", story(3000 + i)) for i in range(20)])
    items = [(f"second-{i}", story(4000 + i)) for i in range(batch)]
    conn_out.send("go")
    index.add_many(items)
    conn_out.send("done")
    time.sleep(60)


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3])
def test_sigkill_mid_batch_redis_all_or_none(redis_target: str, delay: float) -> None:
    here, there = FORK.Pipe()
    child = FORK.Process(target=_redis_writer, args=(redis_target, there, 800))
    child.start()
    assert here.poll(60) and here.recv() == "go"
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    with Index.open(redis_target) as index:
        assert index.verify() == []
        assert len(index) in (20, 820)


# -- Redis going away --------------------------------------------------------------------------


def test_redis_down_mid_run_is_a_quick_clear_error(redis_server) -> None:
    index = Index.open(redis_server.url + "?prefix=down")
    index.add("bus", BUS)
    assert index.check(BUS_SPACED).id == "bus"
    redis_server.stop()
    for call in (
        lambda: index.check(BUS),
        lambda: index.check_and_add("x", COURT),
        lambda: index.add("y", COURT),
        lambda: len(index),
    ):
        start = time.monotonic()
        with pytest.raises(IndexUnavailableError, match="not answering"):
            call()
        assert time.monotonic() - start < 5
    index.close()
    start = time.monotonic()
    with pytest.raises(IndexUnavailableError, match="redis-server running"):
        Index.open(redis_server.url + "?prefix=down")
    assert time.monotonic() - start < 5


# -- corrupt and foreign targets --------------------------------------------------------------


def _damaged_index(path: Path) -> None:
    with Index.open(path) as index:
        index.add_many([(f"s{i}", story(i)) for i in range(300)])
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    rng = random.Random(5)
    for offset in range(2 * page, len(data), page):  # keep page 1 (header, schema root)
        data[offset : offset + page] = rng.randbytes(page)
    path.write_bytes(bytes(data))


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, body TEXT)")
        db.execute("INSERT INTO articles VALUES ('1', ?)", (COURT,))
    sqlite3.connect(path).close()


FOREIGN = {
    "random bytes": lambda p: p.write_bytes(random.Random(1).randbytes(8192)),
    "text file": lambda p: p.write_text(BUS + "\n", encoding="utf-8"),
    "empty file": lambda p: p.write_bytes(b""),
    "another program's SQLite database": _foreign_sqlite,
    "damaged index": _damaged_index,
}


@pytest.mark.parametrize("kind", FOREIGN)
def test_foreign_or_damaged_file_is_refused_and_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "given.db"
    FOREIGN[kind](path)
    before = path.read_bytes()
    with pytest.raises(IndexFormatError) as err:
        index = Index.open(path)
        try:  # a damaged index may open and fail on its first read
            index.check_many([story(i) for i in range(300)])
            len(index)
        finally:
            index.close()
    assert str(path) in str(err.value)
    assert path.read_bytes() == before


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match="not a regular file"):
        Index.open(tmp_path)


def test_foreign_redis_keys_are_refused_and_untouched(redis_target: str) -> None:
    import redis

    url, _, prefix = redis_target.partition("?prefix=")
    client = redis.Redis.from_url(url)
    try:
        client.set(f"{prefix}:meta", "someone else's value")
        with pytest.raises(IndexFormatError, match="holds a string"):
            Index.open(redis_target)
        assert client.get(f"{prefix}:meta") == b"someone else's value"

        client.delete(f"{prefix}:meta")
        client.hset(f"{prefix}:meta", mapping={"owner": "crawler", "version": "3"})
        with pytest.raises(IndexFormatError, match="not a dedupe_ko index"):
            Index.open(redis_target)
        assert client.hgetall(f"{prefix}:meta") == {b"owner": b"crawler", b"version": b"3"}
    finally:
        client.close()


# -- retention ----------------------------------------------------------------------------------


def test_retention_drops_old_entries(target: str) -> None:
    now = time.time()
    with Index.open(target) as index:
        index.add("old", BUS, timestamp=now - 10 * DAY)
        index.add("mid", story(1), timestamp=datetime.now() - timedelta(days=4))
        index.add_many([("new", COURT, now - 1 * DAY), ("fresh", story(2))])
        assert len(index) == 4
        assert index.check(BUS).id == "old"  # no retention: everything counts

    with Index.open(target, retention_days=5) as index:  # purges entries over 5 days old
        assert len(index) == 3
        assert index.check(BUS) is None
        assert index.check(COURT_SPACED) == Match("new", 1.0, "exact")

        index.add("stale", story(3), timestamp=now - 7 * DAY)
        assert len(index) == 4
        assert index.check(story(3)) is None  # ignored by checks before any purge
        assert index.check_and_add("stale-again", story(3)) is None
        assert index.purge() == 1  # "stale"
        assert index.purge(older_than_days=2) == 1  # "mid"
        assert len(index) == 3
        assert index.check(story(1)) is None
        assert index.check(story(3)) == Match("stale-again", 1.0, "exact")
        assert index.verify() == []


def test_purge_needs_an_age(target: str) -> None:
    with Index.open(target) as index, pytest.raises(ValueError, match="older_than_days"):
        index.purge()


# -- the development corpus -----------------------------------------------------------------------


def test_corpus_second_half_flags_what_the_deduplicator_would(tmp_path: Path) -> None:
    if not CORPUS.exists():
        pytest.skip(f"development corpus absent ({CORPUS})")
    import orjson

    from dedupe_ko import clean
    from dedupe_ko.dedup import Deduplicator

    records = [orjson.loads(line) for line in CORPUS.read_bytes().splitlines() if line.strip()]
    pairs = [(r["id"], clean(r["text"])) for r in records]
    pairs = [(i, b) for i, b in pairs if b.strip()]  # the pipeline quarantines empty bodies
    half = len(pairs) // 2
    first, second = pairs[:half], pairs[half:]
    first_ids = {i for i, _ in first}

    with Index.open(tmp_path / "corpus.db") as index:
        index.check_and_add_many(first)  # what a first run keeps is what the index holds
        matches = index.check_many([b for _, b in second])
    flagged = {i for (i, _), m in zip(second, matches, strict=True) if m is not None}

    dedup = Deduplicator(DedupConfig())
    decisions = dedup.add_batch(first) + dedup.add_batch(second)
    # The index has no containment search yet, and keeps no fuller version: partial matches
    # (briefs, and fuller versions kept beside them) are the batch run's alone.
    partial = {d.id for d in decisions[half:] if d.match == "partial"}
    flagged -= partial
    expected = {
        d.id
        for d in decisions[half:]
        if not d.kept and d.cluster in first_ids and d.id not in partial
    }
    assert len(expected) > 100  # the corpus has many republications across the halves
    # The batch run verifies later copies against a cluster's fullest version, the index
    # against what it stores: the two may differ on a copy or two of a superseded brief.
    assert len(flagged ^ expected) <= 0.01 * len(expected), flagged ^ expected

    # The same through the Deduplicator's store: yesterday's run fills it, today's asks it.
    with Index.open(tmp_path / "store.db") as store:
        Deduplicator(DedupConfig(), store=store).add_batch(first)
        assert len(store) == sum(d.kept for d in decisions[:half])
        today = Deduplicator(DedupConfig(), store=store).add_batch(second)
        assert len(store) == sum(d.kept for d in decisions)
    assert {d.id for d in today if not d.kept and d.cluster in first_ids} == expected
    # ... and decides every record of today as the one run did: kept set, clusters (a fuller
    # version stays in its brief's cluster), match kinds
    assert [(d.id, d.kept, d.cluster, d.match) for d in today] == [
        (d.id, d.kept, d.cluster, d.match) for d in decisions[half:]
    ]


# -- run --index day by day keeps what one batch run keeps (containment included) --------------


def _kept_by_runs(files: list[Path], out_dir: Path, index: str | None) -> list[str]:
    import subprocess
    import sys

    import orjson

    kept: list[str] = []
    for k, day in enumerate(files):
        out = out_dir / f"kept{k}.jsonl"
        args = [sys.executable, "-m", "dedupe_ko", "run", str(day), "-o", str(out), "-q"]
        if index is not None:
            args += ["--index", index]
        p = subprocess.run(args, cwd=Path(__file__).resolve().parents[1], capture_output=True)
        assert p.returncode == 0, p.stderr.decode()
        kept += [orjson.loads(line)["id"] for line in out.read_bytes().splitlines() if line]
    return kept


def test_run_day_by_day_with_index_keeps_what_a_batch_run_keeps(
    target: str, tmp_path: Path
) -> None:
    import sys

    from _shared import ROOT, need_corpus

    need_corpus()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpora

    records = list(corpora.iter_hard(600, seed=3))
    kinds: dict[str, str] = {r["id"]: r["kind"] for r in records}
    whole = tmp_path / "all.jsonl"
    corpora.write_jsonl(whole, ({"id": r["id"], "text": r["text"]} for r in records))
    days = []
    for d in range(5):  # the same stream, one file per "day", run one after the other
        day = tmp_path / f"day{d}.jsonl"
        corpora.write_jsonl(
            day, ({"id": r["id"], "text": r["text"]} for r in records[d * 120 : (d + 1) * 120])
        )
        days.append(day)
    batch = _kept_by_runs([whole], tmp_path, None)
    by_day = _kept_by_runs(days, tmp_path, target)
    assert by_day == batch
    # containment is what decides much of it: abridged copies are dropped across days
    dropped = {r["id"] for r in records} - set(batch)
    assert sum(kinds[i].startswith("abridged") for i in dropped) >= 30
    with Index.open(target) as index:
        assert len(index) == len(batch)
        assert index.verify() == []


# -- a fuller version kept beside its brief stays in the brief's cluster across days ----------


def test_pieces_keep_the_cluster_of_a_fuller_version_and_read_the_old_layout() -> None:
    from dedupe_ko.index import Pieces

    hashes = np.array([3, 17, 2**63 + 5], dtype=np.uint64)
    plain = Pieces(hashes, 240, 5)
    assert plain.pack()[:8] == (240).to_bytes(8, "little")  # the layout files already hold
    fuller = Pieces(hashes, 240, 5, 2, of="연합-0412")
    for p in (plain, fuller):
        q = Pieces.unpack(p.pack())
        assert np.array_equal(q.hashes, hashes) and (q.chars, q.sentences, q.of) == (
            p.chars,
            p.sentences,
            p.of,
        )
    lent = fuller.lent(Pieces(np.arange(100, 106, dtype=np.uint64), 300, 6), check=False)
    assert lent is not None and lent[0].of == "연합-0412" and len(lent[0].hashes) == 9


def test_days_with_a_store_decide_a_superseded_brief_as_one_run_does(target: str) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_minhash import STORIES

    from dedupe_ko.dedup import Deduplicator

    full = {k: "\n".join(v[1:]) for k, v in STORIES.items()}
    bus = STORIES["bus"][1:]
    days = [
        [("b-brief", "\n".join(bus[:3])), ("m-1", full["market"]), ("d-1", full["dorm"])],
        # the full story arrives after its brief: kept, and it supersedes the brief
        [("b-full", full["bus"]), ("s-1", full["startup"])],
        # an exact copy of the full story, a copy of it with its lede moved to the end, and
        # a brief of its second half: all in the brief's cluster, verified against the full
        [
            ("b-copy", full["bus"]),
            ("b-moved", "\n".join(bus[1:] + bus[:1])),
            ("b-tail", "\n".join(bus[4:])),
            ("n-1", full["noise"]),
        ],
    ]
    one = Deduplicator(DedupConfig())
    expected = [(d.id, d.kept, d.cluster, d.match) for day in days for d in one.add_batch(day)]
    assert ("b-full", True, "b-brief", "partial") in expected
    assert ("b-copy", False, "b-brief", "exact") in expected
    with Index.open(target) as store:
        got = [
            (d.id, d.kept, d.cluster, d.match)
            for day in days
            for d in Deduplicator(DedupConfig(), store=store).add_batch(day)
        ]
        assert len(store) == sum(k for _, k, _, _ in expected)
    assert got == expected
