"""The Deduplicator: exact path, verified near path, representatives, order, chains, stats,
the store wiring, and the bars on the development corpus."""

from __future__ import annotations

import itertools
import logging
import random
from collections import defaultdict

import numpy as np
import orjson
import pytest
from _shared import need_corpus, scorer
from test_minhash import STORIES

from dedupe_ko.dedup import (
    Decision,
    DedupConfig,
    Deduplicator,
    Match,
    _share_equal,
    accept,
    dedup,
)
from dedupe_ko.minhash import MinHasher, exact_key

PARAS = {k: v[1:] for k, v in STORIES.items()}  # body paragraphs, title dropped
ADDED = {  # a closing paragraph an outlet might append to any story
    "bus": "한편 시는 개편안에 대한 시민 의견을 이달 말까지 누리집 게시판에서 받는다.",
    "dorm": "대학 측은 착공식에 지역 주민과 학부모 200여 명을 초청해 공사 일정을 설명했다.",
    "market": "한편 소방당국은 겨울철 전통시장 화재 예방을 위해 야간 순찰을 강화하기로 했다.",
    "noise": "한편 B씨 측은 판결문을 검토한 뒤 항소 여부를 결정하겠다는 입장이다.",
    "beach": "모임에 참여하고 싶은 주민은 태안군 환경과로 신청하면 된다.",
    "startup": "들녘은 올해 매출이 지난해보다 두 배 이상 늘어날 것으로 내다봤다.",
}


def body(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


# -- edits an outlet makes when it republishes a story --------------------------------------


def respace(ps: list[str], rng: random.Random) -> list[str]:
    """Spacing changes: spaces removed in one paragraph, doubled in another."""
    out = list(ps)
    i, j = rng.sample(range(len(out)), 2)
    out[i] = out[i].replace(" ", "", 3)
    out[j] = out[j].replace(" ", "  ")
    return out


def typo(ps: list[str], rng: random.Random) -> list[str]:
    """Two typos: a syllable replaced in two paragraphs."""
    out = list(ps)
    for i in rng.sample(range(len(out)), 2):
        p = out[i]
        k = rng.randrange(5, len(p) - 5)
        out[i] = p[:k] + "햏" + p[k + 1 :]
    return out


def drop_paragraph(ps: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(1, len(ps))
    return ps[:i] + ps[i + 1 :]


def add_paragraph(ps: list[str], story: str) -> list[str]:
    return ps + [ADDED[story]]


def trim_tail(ps: list[str]) -> list[str]:
    """The last paragraph cut, and the one before it cut in the middle."""
    last = ps[-2]
    return ps[:-2] + [last[: len(last) // 2]]


def quote_style(ps: list[str]) -> list[str]:
    return [p.replace('"', "\u201c", 1).replace('"', "\u201d", 1) for p in ps]


def tag_lede(ps: list[str]) -> list[str]:
    return ["[속보] " + ps[0]] + ps[1:]


def dateline(ps: list[str]) -> list[str]:
    return ["(청주=한빛뉴스) 오세린 기자 = " + ps[0]] + ps[1:]


def variant(story: str, rng: random.Random) -> str:
    """A republication: 1-3 random edits."""
    ps = list(PARAS[story])
    edits = ["respace", "typo", "drop", "add", "trim", "quote", "tag", "dateline"]
    for e in rng.sample(edits, rng.randint(1, 3)):
        if e == "respace":
            ps = respace(ps, rng)
        elif e == "typo":
            ps = typo(ps, rng)
        elif e == "drop":
            ps = drop_paragraph(ps, rng)
        elif e == "add":
            ps = add_paragraph(ps, story)
        elif e == "trim":
            ps = trim_tail(ps)
        elif e == "quote":
            ps = quote_style(ps)
        elif e == "tag":
            ps = tag_lede(ps)
        else:
            ps = dateline(ps)
    return body(ps)


HASHER = MinHasher()


def shingles(text: str) -> set[int]:
    return set(HASHER.shingle_hashes(text).tolist())


def clusters_of(decisions: list[Decision]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for d in decisions:
        out[d.cluster].append(d.id)
    return dict(out)


def mixed_corpus(seed: int, copies: int = 4) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Every story plus ``copies`` republications of each, shuffled; and the truth."""
    rng = random.Random(seed)
    records, truth = [], {}
    for story in PARAS:
        records.append((f"{story}-0", body(PARAS[story])))
        truth[f"{story}-0"] = story
        for n in range(1, copies + 1):
            records.append((f"{story}-{n}", variant(story, rng)))
            truth[f"{story}-{n}"] = story
    rng.shuffle(records)
    return records, truth


# -- exact path ------------------------------------------------------------------------------


def test_exact_duplicates_take_the_fast_path_before_any_minhash():
    dd = Deduplicator()
    hashed_rows: list[int] = []
    real = dd.hasher.signatures_of_keys

    def counting(keys):
        hashed_rows.append(len(keys))
        return real(keys)

    dd.hasher.signatures_of_keys = counting  # type: ignore[method-assign]
    original = body(PARAS["bus"])
    spaced = body(respace(PARAS["bus"], random.Random(1)))  # spacing only: same folded body
    quoted = body(quote_style(PARAS["noise"]))
    out = dd.add_batch(
        [
            ("a", original),
            ("b", original),
            ("c", spaced),
            ("n1", body(PARAS["noise"])),
            ("n2", quoted),
        ]
    )
    assert hashed_rows == [2]  # one MinHasher call, for the two distinct bodies only
    assert [(d.kept, d.cluster, d.match, d.similarity) for d in out] == [
        (True, "a", "none", 1.0),
        (False, "a", "exact", 1.0),
        (False, "a", "exact", 1.0),
        (True, "n1", "none", 1.0),
        (False, "n1", "exact", 1.0),
    ]
    # in a later batch too, and without a MinHash
    assert dd.add("d", original) == Decision("d", False, "a", "exact", 1.0)
    assert hashed_rows == [2, 0]


def test_exact_copy_of_a_near_member_keeps_that_members_relation():
    dd = Deduplicator()
    member = body(typo(PARAS["dorm"], random.Random(3)))
    a, b, c = dd.add_batch([("a", body(PARAS["dorm"])), ("b", member), ("c", member)])
    assert b.match == "near" and c.cluster == "a"
    assert (c.match, c.similarity) == (b.match, b.similarity)  # relation to the representative


# -- near path -------------------------------------------------------------------------------

NEAR_EDITS = {
    "spacing+typo": lambda ps, s, rng: typo(respace(ps, rng), rng),
    "typo": lambda ps, s, rng: typo(ps, rng),
    "dropped paragraph": lambda ps, s, rng: drop_paragraph(ps, rng),
    "trimmed tail": lambda ps, s, rng: trim_tail(ps),
    "added paragraph": lambda ps, s, rng: add_paragraph(ps, s),
    "tag on the lede": lambda ps, s, rng: tag_lede(ps),
    "dateline": lambda ps, s, rng: dateline(ps),
    "quotes+dropped": lambda ps, s, rng: drop_paragraph(quote_style(ps), rng),
}


@pytest.mark.parametrize("edit", sorted(NEAR_EDITS))
@pytest.mark.parametrize("story", sorted(PARAS))
def test_each_kind_of_republication_joins_the_original(story, edit):
    rng = random.Random(f"{story}/{edit}")
    copy = body(NEAR_EDITS[edit](list(PARAS[story]), story, rng))
    original = body(PARAS[story])
    assert exact_key(copy) != exact_key(original)
    others = [(f"other-{k}", body(v)) for k, v in PARAS.items() if k != story]
    out = Deduplicator().add_batch([("orig", original), *others, ("copy", copy)])
    d = out[-1]
    assert (d.id, d.kept, d.cluster, d.match) == ("copy", False, "orig", "near")
    assert 0.5 <= d.similarity <= 1.0
    assert all(o.kept for o in out[:-1])  # different stories stay apart


def test_tag_or_dateline_alone_gives_a_near_match_of_full_similarity():
    dd = Deduplicator()
    dd.add("orig", body(PARAS["market"]))
    for n, ps in enumerate([tag_lede(PARAS["market"]), dateline(PARAS["market"])]):
        d = dd.add(f"copy{n}", body(ps))
        assert (d.cluster, d.match, d.similarity) == ("orig", "near", 1.0)


def test_a_different_story_is_kept():
    dd = Deduplicator()
    first = dd.add_batch([(k, body(v)) for k, v in PARAS.items()])
    assert all(d.kept and d.match == "none" and d.cluster == d.id for d in first)
    assert dd.stats.kept == len(PARAS)


def test_the_first_half_of_a_story_is_a_partial_copy():
    """The first paragraphs of a story (a brief an outlet made of it) share less than half
    of the union of shingles, far below the LSH threshold, yet every sentence of the brief
    is in the story: a partial match, found through sentence pieces, either way round."""
    ps = PARAS["market"]
    half = body(ps[: len(ps) // 2 - 1])
    a = shingles(body(ps))
    b = shingles(half)
    assert len(a & b) / len(a | b) < 0.45 and len(a & b) / len(b) > 0.95  # the premise
    out = Deduplicator().add_batch([("full", body(ps)), ("half", half)])
    assert not out[1].kept and out[1].cluster == "full" and out[1].match == "partial"
    assert out[1].containment == 1.0
    brief_first = Deduplicator().add_batch([("half", half), ("full", body(ps))])
    assert brief_first[1].kept and brief_first[1].supersedes == "half"
    assert brief_first[1].cluster == "half" and brief_first[1].match == "partial"


# -- representative: first or longest ----------------------------------------------------------


def test_representative_is_the_first_seen_by_default_and_the_longest_on_request():
    ps = PARAS["startup"]
    records = [
        ("trimmed", body(trim_tail(ps))),
        ("full+added", body(add_paragraph(ps, "startup"))),
        ("full", body(ps)),
        ("dropped", body(drop_paragraph(ps, random.Random(2)))),
        ("other", body(PARAS["beach"])),
    ]
    first = list(dedup(records))
    assert [d.cluster for d in first] == ["trimmed"] * 4 + ["other"]
    assert [d.kept for d in first] == [True, False, False, False, True]

    longest = list(dedup(records, keep="longest"))
    assert [d.id for d in longest] == [r[0] for r in records]
    assert [d.cluster for d in longest] == ["full+added"] * 4 + ["other"]
    assert [d.kept for d in longest] == [False, True, False, False, True]
    assert all(d.final for d in longest)
    by_id = {d.id: d for d in longest}
    assert by_id["full+added"].match == "none" and by_id["trimmed"].match == "near"
    assert all(0.5 <= by_id[i].similarity <= 1.0 for i in ("trimmed", "full", "dropped"))


def test_longest_mode_add_batch_is_provisional_and_finish_is_final():
    ps = PARAS["noise"]
    dd = Deduplicator(keep="longest")
    early = dd.add_batch([("short", body(trim_tail(ps))), ("dup", body(trim_tail(ps)))])
    assert [(d.cluster, d.final) for d in early] == [("short", False), ("short", False)]
    later = dd.add("long", body(add_paragraph(ps, "noise")))
    assert (later.kept, later.cluster, later.final) == (True, "long", False)
    final = list(dd.finish())
    assert [(d.id, d.cluster, d.match, d.kept) for d in final] == [
        ("short", "long", "near", False),
        ("dup", "long", "near", False),  # an exact copy of "short", so near to "long"
        ("long", "long", "none", True),
    ]
    assert final[0].similarity == final[1].similarity
    assert dd.stats.as_dict() == {
        "records": 3,
        "kept": 1,
        "exact": 0,
        "near": 2,
        "partial": 0,
        "superseding": 0,
        "largest_cluster": 3,
        "archived": 0,
    }
    with pytest.raises(RuntimeError, match="finished"):
        dd.add("more", "본문")


def test_first_mode_finish_yields_nothing_more():
    dd = Deduplicator()
    dd.add("a", body(PARAS["bus"]))
    assert list(dd.finish()) == []


# -- order, batching ----------------------------------------------------------------------------


@pytest.mark.parametrize("keep", ["first", "longest"])
def test_decisions_keep_input_order_and_do_not_depend_on_batch_size(keep):
    records, _ = mixed_corpus(seed=11)
    runs = [list(dedup(records, batch_size=n, keep=keep)) for n in (1, 7, 10_000)]
    assert [d.id for d in runs[0]] == [r[0] for r in records]
    assert runs[0] == runs[1] == runs[2]


def test_dedup_streams_first_mode_batch_by_batch():
    records, _ = mixed_corpus(seed=5)
    consumed = []

    def source():
        for r in records:
            consumed.append(r[0])
            yield r

    stream = dedup(source(), batch_size=4)
    first = next(stream)
    assert first.id == records[0][0]
    assert len(consumed) == 4  # only the first batch was read


# -- verified clusters: no chains ------------------------------------------------------------


def chain_documents(step: int = 5) -> dict[str, str]:
    """A~B, B~C, C~D (each shares 16 - step of its 16 paragraphs with the next: 11), A and C
    share 16 - 2 * step (6), A and D 16 - 3 * step (1): a chain of candidates that
    transitive joining would merge."""
    pool = [p for k in sorted(PARAS) for p in PARAS[k]]
    assert len(pool) >= 3 * step + 16
    return {name: body(pool[step * i : step * i + 16]) for i, name in enumerate("ABCD")}


def exact_accept(a: str, b: str) -> bool:
    sa, sb = shingles(a), shingles(b)
    j = len(sa & sb) / len(sa | sb)
    return accept(DedupConfig(), j, len(sa), len(sb))[0]


def test_planted_chain_premises():
    doc = chain_documents()
    assert exact_accept(doc["A"], doc["B"])
    assert exact_accept(doc["B"], doc["C"])
    assert exact_accept(doc["C"], doc["D"])
    for x, y in [("A", "C"), ("B", "D"), ("A", "D")]:
        sx, sy = shingles(doc[x]), shingles(doc[y])
        shared = len(sx & sy)
        # below min_jaccard, and under half of each other (`cluster.CHAIN_MIN_SHARE`)
        assert shared / len(sx | sy) < 0.5 and shared / min(len(sx), len(sy)) < 0.45, (x, y)
    sa, sd = shingles(doc["A"]), shingles(doc["D"])
    assert len(sa & sd) / len(sa | sd) < 0.3


@pytest.mark.parametrize("batch_size", [1, 4])
def test_planted_chain_does_not_pull_d_into_as_cluster(batch_size):
    doc = chain_documents()
    out = {d.id: d for d in dedup(list(doc.items()), batch_size=batch_size)}
    assert [out[x].cluster for x in "ABCD"] == ["A", "A", "C", "C"]  # C is like B, not like A
    assert [out[x].match for x in "ABCD"] == ["none", "near", "none", "near"]


@pytest.mark.parametrize("batch_size", [1, 4])
def test_a_copy_of_a_member_joins_through_it_when_it_holds_half_of_the_representative(
    batch_size,
):
    """Links of 12 of 16 paragraphs: C is not a copy of A (8 of 16 shared, under
    containment 0.6) but of B, which joined A on its sentences, and it holds half of A
    (`cluster.CHAIN_MIN_SHARE`): C joins A's cluster through B. D holds a quarter of A and
    starts its own cluster."""
    doc = chain_documents(step=4)
    out = {d.id: d for d in dedup(list(doc.items()), batch_size=batch_size)}
    assert [out[x].cluster for x in "ABCD"] == ["A", "A", "A", "D"]
    assert [out[x].match for x in "ABCD"] == ["none", "near", "near", "none"]
    # without B, C is no copy of A
    alone = {d.id: d for d in dedup([("A", doc["A"]), ("C", doc["C"])], batch_size=batch_size)}
    assert alone["C"].kept


def test_a_join_through_a_member_says_which_and_a_refusal_says_why(caplog):
    doc = chain_documents(step=4)
    with caplog.at_level(logging.DEBUG, logger="dedupe_ko.dedup"):
        list(dedup(list(doc.items())))
    said = [r.getMessage() for r in caplog.records]
    joined = [m for m in said if m.startswith("C: joins A:")]
    assert len(joined) == 1 and "through B, shares 0.5" in joined[0], said
    # D verifies against C, a member now, but holds a quarter of A
    assert any(m.startswith("D: not a duplicate of A through C: edited under 0.5") for m in said), (
        said
    )


@pytest.mark.parametrize("batch_size", [1, 4])
def test_planted_chain_with_keep_longest(batch_size):
    """The representative may move to a longer member, but only to one every member
    accepts: D still never joins A."""
    doc = chain_documents(step=4)
    out = {d.id: d for d in dedup(list(doc.items()), batch_size=batch_size, keep="longest")}
    assert out["D"].cluster != out["A"].cluster
    for x in "ABCD":
        rep = out[x].cluster
        assert rep == x or exact_accept(doc[x], doc[rep]), (x, rep)
        assert len(doc[rep]) >= len(doc[x]) or rep == x


def test_only_representatives_are_candidates():
    """B joined A's cluster, so B's signature is not in the buckets: a copy of B that
    holds under half of A starts a cluster of its own instead of joining through B."""
    doc = chain_documents()
    dd = Deduplicator()
    dd.add_batch([("A", doc["A"]), ("B", doc["B"])])
    c = dd.add("C", doc["C"])
    assert c.kept


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_cluster_holds_two_members_sharing_less_than_half_their_shingles(seed):
    records, truth = mixed_corpus(seed, copies=6)
    text = dict(records)
    for keep in ("first", "longest"):
        groups = clusters_of(list(dedup(records, keep=keep)))
        assert len(groups) == len(PARAS)
        for members in groups.values():
            for a, b in itertools.combinations(members, 2):
                sa, sb = shingles(text[a]), shingles(text[b])
                shared = len(sa & sb)
                assert shared >= 0.5 * max(len(sa), len(sb)), (keep, a, b)
        # and every story's copies end up together
        for members in groups.values():
            assert len({truth.get(m, m) for m in members}) == 1


# -- stats, bad input, configuration ---------------------------------------------------------


def test_stats_add_up():
    records, truth = mixed_corpus(seed=4)
    records.append(("again", records[0][1]))  # an exact copy of the first representative
    dd = Deduplicator()
    out = []
    for i in range(0, len(records), 5):
        out += dd.add_batch(records[i : i + 5])
        s = dd.stats
        assert s.records == s.kept + s.exact + s.near == len(out)
    s = dd.stats
    assert s.kept == sum(d.kept for d in out) == len(PARAS)
    assert s.exact == sum(d.match == "exact" for d in out) >= 1
    assert s.near == sum(d.match == "near" for d in out)
    assert s.largest_cluster == max(len(m) for m in clusters_of(out).values()) == 6
    assert out[-1].match == "exact"


def test_repeated_ids_raise_and_change_nothing():
    dd = Deduplicator()
    dd.add_batch([("a", body(PARAS["bus"]))])
    with pytest.raises(ValueError, match=r"repeated id\(s\) 'x'"):
        dd.add_batch([("x", body(PARAS["dorm"])), ("x", body(PARAS["beach"]))])
    with pytest.raises(ValueError, match="'a'"):
        dd.add_batch([("b", body(PARAS["dorm"])), ("a", body(PARAS["beach"]))])
    assert dd.stats.records == 1
    assert dd.add("b", body(PARAS["dorm"])).kept  # "b" was not taken by the failed batch
    with pytest.raises(ValueError, match="repeated"):
        list(dedup([("z", "가나다라마바"), ("z", "가나다라마바")]))


@pytest.mark.parametrize(
    "record, message",
    [
        (("a", b"\xea\xb0\x80"), "text must be a str"),
        ((7, "본문"), "id must be a str"),
        (("only-id",), r"not an \(id, text\) pair"),
    ],
)
def test_bad_records_raise_type_errors_that_say_what_to_do(record, message):
    with pytest.raises(TypeError, match=message):
        Deduplicator().add_batch([record])


def test_empty_and_tiny_bodies_are_decided():
    out = Deduplicator().add_batch([("e1", ""), ("e2", " "), ("t1", "가"), ("t2", "나")])
    assert [(d.kept, d.cluster) for d in out] == [
        (True, "e1"),
        (False, "e1"),
        (True, "t1"),
        (True, "t2"),
    ]


def test_config_and_overrides():
    dd = Deduplicator(DedupConfig(threshold=0.8), containment=0.9)
    assert (dd.config.threshold, dd.config.containment) == (0.8, 0.9)
    assert (dd.bands, dd.rows) == dd.config.minhash.bands_rows == (dd.hasher.bands, dd.hasher.rows)
    with pytest.raises(ValueError, match="keep"):
        DedupConfig(keep="last")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold"):
        DedupConfig(threshold=0)
    with pytest.raises(ValueError, match="batch_size"):
        list(dedup([], batch_size=0))


def test_accept_paths():
    cfg = DedupConfig()
    assert accept(cfg, 0.75, 500, 520) == (True, 0.75)
    ok, sim = accept(cfg, 0.6, 300, 500)  # 300 shingles, nearly all inside the other 500
    assert ok and sim == pytest.approx(1.0)
    assert accept(cfg, 0.45, 100, 500) == (False, 0.45)  # contained, but below min_jaccard
    # same size: one paragraph of four swapped for another shares 75%: a copy ...
    assert accept(cfg, 0.6, 400, 400) == (True, pytest.approx(0.75))
    # ... and two thirds shared (containment 0.67 >= 0.6), but not at containment 0.7
    assert accept(cfg, 0.5, 400, 400) == (True, pytest.approx(2 / 3))
    assert accept(DedupConfig(containment=0.7), 0.5, 400, 400) == (False, 0.5)


def _sieve_bytes(dd: Deduplicator) -> int:
    """The stores' query sieves (kernels only: a bit array made at the first compiled query,
    8 KiB at the least, sized by the keys stored, not the records, and each run's own)."""
    stores = (dd._buckets, dd._piece_store)
    return sum(
        s._sieve.nbytes + sum(b.nbytes for b, _ in s._run_sieves)
        for s in stores
        if isinstance(s._sieve, np.ndarray)
    )


def test_index_arrays_grow_with_clusters_not_records():
    dd = Deduplicator()
    dd.add("s", body(PARAS["bus"]))
    one = dd.nbytes - _sieve_bytes(dd)
    dd.add_batch([(f"d{i}", body(typo(PARAS["bus"], random.Random(i)))) for i in range(50)])
    assert dd.stats.kept == 1
    assert len(dd._buckets) == dd.bands  # 50 near duplicates added no band keys
    # ... and at most as many sentence pieces again as the representative has (a near copy
    # that brings a new paragraph lends it to the cluster, up to that cap)
    top = int(dd._c_top_pieces.a[0])
    assert top <= len(dd._c_pieces[0]) <= 2 * top
    assert _sieve_bytes(dd) <= 2 * (8192 + 2 * 256)
    assert dd.nbytes - _sieve_bytes(dd) - one <= (12 + 8) * top


# -- the store (persistent index) wiring -------------------------------------------------------


class MemoryStore:
    """An in-memory stand-in for dedupe_ko.index.Index, just enough to test the wiring:
    exact keys in a dict, near matches by checking every stored signature with `accept`."""

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.exact: dict[bytes, str] = {}
        self.rows: list[tuple[str, np.ndarray, int]] = []
        self.lookups: list[bytes] = []
        self.inserts: list[list[str]] = []

    def lookup(self, exact_key: bytes, sig: np.ndarray, size: int) -> Match | None:
        self.lookups.append(exact_key)
        if exact_key in self.exact:
            return Match(self.exact[exact_key], 1.0, "exact")
        best = None
        for id_, s, n in self.rows:
            ok, sim = accept(self.config, float((s == sig).mean()), size, n)
            if ok and (best is None or sim > best.similarity):
                best = Match(id_, sim, "near")
        return best

    def insert_many(self, items):
        self.inserts.append([it[0] for it in items])
        for id_, key, sig, size in items:
            assert isinstance(key, bytes) and sig.dtype == np.uint32 and isinstance(size, int)
            self.exact[key] = id_
            self.rows.append((id_, sig, size))


def test_store_is_asked_about_new_bodies_and_given_the_kept_ones():
    store = MemoryStore()
    yesterday = Deduplicator(store=store)
    day1 = [
        ("y-bus", body(PARAS["bus"])),
        ("y-dorm", body(PARAS["dorm"])),
        ("y-bus2", body(typo(PARAS["bus"], random.Random(1)))),
    ]
    out1 = yesterday.add_batch(day1)
    assert [d.kept for d in out1] == [True, True, False]
    assert store.inserts == [["y-bus", "y-dorm"]]
    assert len(store.lookups) == 2  # the in-run duplicate was not looked up

    store.lookups.clear()
    today = Deduplicator(store=store)
    day2 = [
        ("t-bus", body(PARAS["bus"])),  # exact copy of an archived article
        ("t-dorm", body(drop_paragraph(PARAS["dorm"], random.Random(2)))),  # near copy
        ("t-beach", body(PARAS["beach"])),  # new
        ("t-beach2", body(add_paragraph(PARAS["beach"], "beach"))),  # near copy of a new one
        ("t-bus-again", body(PARAS["bus"])),  # exact copy of t-bus: no second lookup
    ]
    out2 = today.add_batch(day2)
    got = [(d.id, d.kept, d.cluster, d.match) for d in out2]
    assert got == [
        ("t-bus", False, "y-bus", "exact"),
        ("t-dorm", False, "y-dorm", "near"),
        ("t-beach", True, "t-beach", "none"),
        ("t-beach2", False, "t-beach", "near"),
        ("t-bus-again", False, "y-bus", "exact"),
    ]
    assert len(store.lookups) == 3
    assert store.inserts[-1] == ["t-beach"]
    s = today.stats
    assert (s.records, s.kept, s.exact, s.near, s.archived) == (5, 1, 2, 2, 3)


def test_store_with_keep_longest_gets_the_final_representatives():
    store = MemoryStore()
    dd = Deduplicator(store=store, keep="longest")
    ps = PARAS["market"]
    dd.add_batch([("short", body(trim_tail(ps))), ("long", body(add_paragraph(ps, "market")))])
    assert store.inserts == []  # not before the representatives are final
    final = list(dd.finish())
    assert store.inserts == [["long"]]
    assert [d.cluster for d in final] == ["long", "long"]
    later = Deduplicator(store=store).add("again", body(ps))
    assert (later.cluster, later.match) == ("long", "near")


def test_real_sqlite_index_as_the_store(tmp_path):
    """The same wiring with dedupe_ko.index.Index on a real SQLite file, across two runs
    (two processes' worth: the index is closed and reopened in between)."""
    from dedupe_ko.index import Index

    path = tmp_path / "seen.db"
    with Index.open(path) as store:
        out1 = Deduplicator(store=store).add_batch(
            [("y-noise", body(PARAS["noise"])), ("y-start", body(PARAS["startup"]))]
        )
        assert all(d.kept for d in out1) and len(store) == 2
    with Index.open(path) as store:
        out2 = Deduplicator(store=store).add_batch(
            [
                ("t-noise", body(trim_tail(PARAS["noise"]))),
                ("t-start", body(quote_style(PARAS["startup"]))),
                ("t-bus", body(PARAS["bus"])),
            ]
        )
        assert [(d.kept, d.cluster, d.match) for d in out2] == [
            (False, "y-noise", "near"),
            (False, "y-start", "exact"),
            (True, "t-bus", "none"),
        ]
        assert len(store) == 3


# -- the development corpus --------------------------------------------------------------------


def test_corpus_bars(tmp_path):
    """corpus.jsonl, cleaned then deduplicated, scored with the corpus scorer: pair
    precision >= 0.99, recall >= 0.97, ARI >= 0.98, every id present."""
    corpus = need_corpus()
    from dedupe_ko import clean

    with open(corpus / "corpus.jsonl", "rb") as f:
        records = [(r["id"], clean(r["text"])) for r in map(orjson.loads, f)]
    decisions = list(dedup(records))
    out = tmp_path / "clusters.jsonl"
    out.write_bytes(b"".join(orjson.dumps(d.as_dict()) + b"\n" for d in decisions))
    p, r, f, ari, missing = scorer().score_dedup(str(corpus / "corpus.truth.jsonl"), str(out))
    assert missing == 0
    assert p >= 0.99 and r >= 0.97 and ari >= 0.98, (p, r, ari)
    # and no cluster holds two bodies of which neither contains half of the other (an
    # abridged copy shares most of its own shingles, a minority of the full story's)
    text = dict(records)
    sets = {}
    for members in clusters_of(decisions).values():
        for a, b in itertools.combinations(members, 2):
            for x in (a, b):
                if x not in sets:
                    sets[x] = shingles(text[x])
            shared = len(sets[a] & sets[b])
            assert shared >= 0.5 * min(len(sets[a]), len(sets[b])), (a, b)


@pytest.mark.parametrize("width", [128, 100, 7])
def test_jaccard_estimates_are_the_same_floats_as_numpy_mean(width):
    """The hot loops count equal hash values instead of taking numpy's mean: the floats (and
    so every similarity reported) must not change by a bit."""
    rng = np.random.default_rng(width)
    rows = rng.integers(0, 4, size=(500, width), dtype=np.uint32)
    sig = rng.integers(0, 4, size=width, dtype=np.uint32)
    got = _share_equal(rows, sig)
    assert got.tolist() == (rows == sig).mean(axis=1).tolist()
    assert len(set(got.tolist())) >= 5  # many different shares compared
