"""Fuzz-style: thousands of broken records mixed with good ones. Zero crashes, zero lost records,
every bad one quarantined with the reason it deserves."""

from __future__ import annotations

import io

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe_ko.clean import CleanConfig
from dedupe_ko.io import FORMATS, Quarantined, ReadOptions, Record, read
from dedupe_ko.pipeline import Sinks, run

MAX_CHARS = 400
WORDS = [
    "서울시는",
    "내년부터",
    "버스",
    "노선을",
    "개편한다고",
    "밝혔다.",
    "시민",
    "의견을",
    "듣고",
    "배차",
    "간격을",
    "줄이기로",
    "했다.",
    "공유",
    "댓글",
    "기자",
    "사진",
    "ⓒ",
    "2025년",
    "3.5%",
    '"출퇴근',
    '시간"',
    "·",
    "…",
]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(" ".join)
article = st.lists(sentence, min_size=1, max_size=4).map("\n".join)
junk = st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" "))

# Each kind: (strategy building the line from an id, the reasons it may be quarantined with;
# empty = it must be written).
KINDS = {
    "good": (lambda i: article.map(lambda t: orjson.dumps({"id": i, "text": t})), set()),
    "good_extra_fields": (
        lambda i: article.map(
            lambda t: orjson.dumps({"id": i, "text": t, "outlet": "한빛", "n": [1, 2]})
        ),
        set(),
    ),
    "truncated": (
        lambda i: st.tuples(article, st.floats(0, 0.97)).map(
            lambda a: (lambda b: b[: max(1, int(len(b) * a[1]))])(
                orjson.dumps({"id": i, "text": a[0]})
            )
        ),
        {"malformed_json", "invalid_utf8"},
    ),
    "bad_byte": (
        lambda i: st.tuples(article, st.sampled_from([b"\xff", b"\xc0\xaf", b"\xed\xa0"])).map(
            lambda a: orjson.dumps({"id": i, "text": a[0]})[:-2] + a[1] + b'"}'
        ),
        {"invalid_utf8"},
    ),
    "text_type": (
        lambda i: st.sampled_from([7, 1.5, True, ["가"], {"a": "나"}]).map(
            lambda v: orjson.dumps({"id": i, "text": v})
        ),
        {"text_not_string"},
    ),
    "text_null": (lambda i: st.just(orjson.dumps({"id": i, "text": None})), {"missing_text"}),
    "no_text": (
        lambda i: article.map(lambda t: orjson.dumps({"id": i, "body": t})),
        {"missing_text"},
    ),
    "blank": (
        lambda i: st.sampled_from(["", " ", "\n\t", "\u3000 ", "\u00a0"]).map(
            lambda t: orjson.dumps({"id": i, "text": t})
        ),
        {"empty_text"},
    ),
    "too_long": (
        lambda i: st.integers(MAX_CHARS + 1, MAX_CHARS * 2).map(
            lambda n: orjson.dumps({"id": i, "text": "가" * n})
        ),
        {"too_long"},
    ),
    "not_object": (
        lambda i: st.sampled_from([b"[1, 2]", b'"text"', b"42", b"null", b"true"]),
        {"not_an_object"},
    ),
    "bad_id": (lambda i: article.map(lambda t: orjson.dumps({"id": [i], "text": t})), {"bad_id"}),
    "duplicate": (None, {"duplicate_id"}),
}


@st.composite
def dump(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, str | None, set[str]]]]:
    """A JSONL dump and, per non-blank line, (kind, id, acceptable quarantine reasons)."""
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=20, max_size=80))
    lines: list[bytes] = []
    expect: list[tuple[str, str | None, set[str]]] = []
    good_ids: list[str] = []
    for n, kind in enumerate(kinds):
        rid = f"r{n}"
        make, reasons = KINDS[kind]
        if kind == "duplicate":
            if not good_ids:
                continue
            dup = draw(st.sampled_from(good_ids))
            line = orjson.dumps({"id": dup, "text": draw(article)})
            expect.append((kind, dup, reasons))
        else:
            line = draw(make(rid))
            expect.append((kind, rid, reasons))
            if kind.startswith("good"):
                good_ids.append(rid)
        lines.append(line)
        if draw(st.integers(0, 9)) == 0:
            lines.append(b"   ")  # blank lines are not records
    return b"".join(line + b"\n" for line in lines), expect


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dump())
def test_broken_lines_are_quarantined_and_nothing_is_lost(case):
    data, expect = case
    out: list[dict] = []
    quarantined: list[dict] = []
    clusters: list[dict] = []

    class Sink(list):
        def write(self, r: dict) -> None:
            self.append(r)

    o, q, c = Sink(), Sink(), Sink()
    s = run(
        read("-", ReadOptions(max_chars=MAX_CHARS), stdin=io.BytesIO(data)),
        Sinks(out=o, quarantine=q, clusters=c),
        command="clean",
        clean_config=CleanConfig(max_chars=MAX_CHARS),
    )
    out, quarantined, clusters = list(o), list(q), list(c)
    assert s.holds()
    assert s.records_in == len(expect) == len(out) + len(quarantined)
    # Good records are written, in order, with their ids; every bad one has its reason.
    want_written = [rid for kind, rid, _ in expect if kind.startswith("good")]
    assert [r["id"] for r in out] == want_written
    bad = [(kind, reasons) for kind, _, reasons in expect if not kind.startswith("good")]
    assert len(bad) == len(quarantined)
    for (kind, reasons), qr in zip(bad, quarantined, strict=True):
        assert qr["reason"] in reasons, (kind, qr)
        assert qr["detail"] and "line" in qr["where"]
        assert ("record" in qr) or ("raw" in qr)
    assert clusters == []  # no clusters sink for clean: nothing written there


@settings(max_examples=200, deadline=None)
@given(st.lists(junk, min_size=1, max_size=40), st.sampled_from(FORMATS))
def test_random_bytes_never_crash_a_reader(lines, fmt):
    """Any bytes in any stream format: readers yield items, never raise, and (JSONL) yield
    exactly one item per non-blank line."""
    data = b"\n".join(lines) + b"\n"
    if fmt == "parquet":
        return  # not a stream; broken Parquet files are a usage error, tested in test_cli
    if fmt == "csv":
        data = b"id,text\n" + data
    items = list(read("-", ReadOptions(format=fmt, max_chars=MAX_CHARS), stdin=io.BytesIO(data)))
    assert all(isinstance(i, Record | Quarantined) for i in items)
    assert all(i.reason and i.detail for i in items if isinstance(i, Quarantined))
    if fmt == "jsonl":
        physical = data.split(b"\n")[:-1]
        # A BOM at the start of a line (a file, or files concatenated) is not text.
        assert len(items) == sum(1 for ln in physical if ln.removeprefix(b"\xef\xbb\xbf").strip())
    if fmt in ("jsonl.gz", "jsonl.zst") and items:
        assert isinstance(items[-1], Quarantined)  # not a compressed stream: said so
