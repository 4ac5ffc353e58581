"""Readers, writers and the run's accounting, on real files in every format."""

from __future__ import annotations

import gzip
import io
import json
import os

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dedupe_ko.clean import CleanConfig
from dedupe_ko.io import (
    FormatError,
    Quarantined,
    ReadOptions,
    Record,
    detect_format,
    open_writer,
    read,
)
from dedupe_ko.pipeline import Sinks, clean_stage, run

# Scraped pages written for these tests: headline, menu, dateline, caption, byline, footer.
PAGES = [
    (
        "b01.txt",
        "광주 세계김치축제",
        "\n".join(
            [
                "광주 세계김치축제 다음 달 개막…올해는 해외 관람객 겨냥",
                "기사 스크랩",
                "공유",
                "댓글",
                "프린트",
                "(광주=한빛통신) 오지훈 기자 = 광주 세계김치축제가 다음 달 17일 김치타운에서 개막한다.",
                "올해 축제는 외국인 관람객을 위한 영어·일본어 해설 프로그램을 처음 운영한다.",
                "김치 담그기 체험에 참여한 외국인 관광객들 [광주시 제공]",
                "축제 조직위원회는 해외 관람객 2만 명을 목표로 잡았다고 밝혔다.",
                "저작권자 ⓒ 한빛통신 무단전재 및 재배포 금지",
            ]
        ),
    ),
    (
        "b02.txt",
        "울산 수소버스",
        "\n".join(
            [
                "울산 시내버스 절반 수소버스로 바꾼다",
                "홈 > 사회 > 지역",
                "입력 2025.05.02 10:15",
                "울산시는 2030년까지 시내버스의 절반을 수소버스로 바꾸겠다고 2일 밝혔다.",
                "시는 올해 수소충전소 두 곳을 새로 짓고 버스 회사에 차량 구입비를 지원한다.",
                '시 관계자는 "충전 대기 시간을 줄이는 것이 가장 시급하다"고 말했다.',
                "한지민 기자 jimin@ulsan-daily.example",
                "Copyright ⓒ 울산데일리 All rights reserved.",
            ]
        ),
    ),
    (
        "b03.txt",
        "전주 한옥마을",
        "\n".join(
            [
                "전주 한옥마을 주차난 해소 위해 셔틀버스 운행",
                "기사 스크랩",
                "공유",
                "댓글",
                "전주시는 주말마다 한옥마을 일대에 몰리는 차량을 줄이기 위해 무료 셔틀버스를 운행한다.",
                "셔틀버스는 전주역과 종합경기장 임시 주차장을 20분 간격으로 오간다.",
                "시는 셔틀버스 이용객에게 한옥마을 상점 할인 쿠폰도 나눠줄 계획이다.",
                "무단전재 및 재배포 금지",
            ]
        ),
    ),
    (
        "b04.txt",
        "춘천 닭갈비",
        "\n".join(
            [
                "춘천 닭갈비 골목 간판 새로 단장",
                "공유",
                "댓글",
                "춘천시는 명동 닭갈비 골목 상점 40곳의 낡은 간판을 새로 바꿨다고 밝혔다.",
                "간판 교체 비용의 80%는 시가 부담했고, 나머지는 상인들이 나눠 냈다.",
                '골목 상인회장은 "거리가 밝아져 저녁 손님이 늘었다"고 말했다.',
                "최유나 기자 yuna@gangwon.example",
            ]
        ),
    ),
]
RECORDS = [
    {"id": pid, "text": text, "outlet": outlet, "rank": i}
    for i, (pid, outlet, text) in enumerate(PAGES)
]


def _jsonl(records: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def write_all_formats(tmp_path, records):
    """The same records as .jsonl, .jsonl.gz, .jsonl.zst, .csv, .parquet and a .txt folder."""
    paths = {}
    p = tmp_path / "in.jsonl"
    p.write_bytes(_jsonl(records))
    paths["jsonl"] = p
    p = tmp_path / "in.jsonl.gz"
    p.write_bytes(gzip.compress(_jsonl(records)))
    paths["jsonl.gz"] = p
    p = tmp_path / "in.jsonl.zst"
    p.write_bytes(zstandard.ZstdCompressor().compress(_jsonl(records)))
    paths["jsonl.zst"] = p
    import csv

    p = tmp_path / "in.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(records[0]))
        w.writeheader()
        w.writerows(records)
    paths["csv"] = p
    p = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(records), p, row_group_size=2)
    paths["parquet"] = p
    d = tmp_path / "in_txt"
    for r in records:
        f = d / r["id"]
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(r["text"], encoding="utf-8")
    paths["txt"] = d
    return paths


def records_of(path, **kw) -> list[Record]:
    items = list(read(path, ReadOptions(**kw)))
    bad = [i for i in items if not isinstance(i, Record)]
    assert not bad, bad
    return items  # type: ignore[return-value]


def test_every_format_reads_the_same_records(tmp_path):
    paths = write_all_formats(tmp_path, RECORDS)
    want = [(r["id"], r["text"]) for r in RECORDS]
    for fmt, path in paths.items():
        got = records_of(path)
        assert [(r.id, r.text) for r in got] == want, fmt
    # Columns other than id and text come through (as strings from CSV).
    assert records_of(paths["parquet"])[2].fields["rank"] == 2
    assert records_of(paths["csv"])[2].fields["outlet"] == "전주 한옥마을"


@pytest.mark.parametrize("out_ext", ["jsonl", "jsonl.gz", "jsonl.zst", "csv", "parquet", "txt"])
def test_clean_outputs_agree_across_formats(tmp_path, out_ext):
    """Every input format cleaned to one output format gives the same ids, bodies and titles."""
    paths = write_all_formats(tmp_path, RECORDS)
    results = {}
    for fmt, path in paths.items():
        out = tmp_path / (f"out_{fmt}" + ("" if out_ext == "txt" else f".{out_ext}"))
        schema = (
            pq.ParquetFile(path).schema_arrow if fmt == "parquet" and out_ext == "parquet" else None
        )
        with open_writer(
            str(out), out_ext, schema=schema, extra_columns=["title", "warnings"]
        ) as w:
            summary = run(read(path), Sinks(out=w), command="clean")
        assert summary.written == len(RECORDS) and summary.holds()
        if out_ext == "txt":
            got = []
            for r in RECORDS:
                title, body = (
                    (out / r["id"]).read_text(encoding="utf-8").rstrip("\n").split("\n", 1)
                )
                got.append((r["id"], title, body))
        else:
            got = [(r.id, r.fields.get("title"), r.text) for r in records_of(out)]
        results[fmt] = got
    first = results["jsonl"]
    assert first[0][1] == "광주 세계김치축제 다음 달 개막…올해는 해외 관람객 겨냥"
    assert first[1][2].startswith("울산시는 2030년까지")
    assert "저작권자" not in first[0][2] and "기사 스크랩" not in first[0][2]
    for fmt, got in results.items():
        assert got == first, fmt


def test_parquet_output_keeps_input_columns_and_types(tmp_path):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(RECORDS), src)
    out = tmp_path / "out.parquet"
    schema = pq.ParquetFile(src).schema_arrow
    with open_writer(str(out), schema=schema, extra_columns=["title", "removals", "warnings"]) as w:
        run(read(src), Sinks(out=w), command="clean", explain=True)
    table = pq.read_table(out)
    assert table.schema.field("rank").type == pa.int64()
    rows = table.to_pylist()
    assert [r["rank"] for r in rows] == [0, 1, 2, 3]
    assert [r["outlet"] for r in rows] == [p[1] for p in PAGES]
    assert rows[0]["removals"][0]["rule"] == "title.headline"
    assert any(r["category"] == "copyright" for r in rows[0]["removals"])


def test_parquet_is_streamed_by_batch(tmp_path):
    src = tmp_path / "big.parquet"
    recs = [{"id": f"n{i}", "text": f"{i}번째 기사 본문입니다."} for i in range(50)]
    pq.write_table(pa.Table.from_pylist(recs), src, row_group_size=10)
    got = records_of(src, batch_size=7)
    assert [r.id for r in got] == [f"n{i}" for i in range(50)]


def test_missing_ids_are_stable_and_documented(tmp_path):
    body = "부산항 물동량이 석 달 연속 늘었다."
    p = tmp_path / "noid.jsonl"
    p.write_bytes(
        b"\n"
        + _jsonl([{"text": body}, {"id": None, "text": body + " 둘"}, {"id": "", "text": body}])
    )
    assert [r.id for r in records_of(p)] == ["line:2", "line:3", "line:4"]
    assert [r.id for r in records_of(p)] == ["line:2", "line:3", "line:4"]  # same again
    assert records_of(p)[0].fields["id"] == "line:2"
    c = tmp_path / "noid.csv"
    c.write_text("id,text\n,첫 기사\nx7,둘째 기사\n,셋째 기사\n", encoding="utf-8")
    assert [r.id for r in records_of(c)] == ["row:1", "x7", "row:3"]
    pqf = tmp_path / "noid.parquet"
    pq.write_table(pa.Table.from_pylist([{"text": "가"}, {"text": "나"}]), pqf)
    assert [r.id for r in records_of(pqf)] == ["row:1", "row:2"]
    one = tmp_path / "기사.txt"
    one.write_text("단독 기사 본문", encoding="utf-8")
    assert [r.id for r in records_of(one)] == ["기사.txt"]


def test_integer_ids_stay_integers_in_records(tmp_path):
    p = tmp_path / "int.jsonl"
    p.write_bytes(_jsonl([{"id": 7, "text": "가나다"}, {"id": 8, "text": "라마바"}]))
    got = records_of(p)
    assert [r.id for r in got] == ["7", "8"] and got[0].fields["id"] == 7


# --- broken input ---------------------------------------------------------------------------

BODY = "인천시는 올해 안에 섬 지역 여객선 요금을 시내버스 요금 수준으로 낮추기로 했다."
CP949_LINE = '{"id": "cp", "text": "대전·세종시는 교류를 강화한다."}\n'.encode("cp949")


def broken_jsonl() -> tuple[bytes, dict[str, str]]:
    """A JSONL dump with one record of every broken kind; returns (bytes, id -> reason)."""
    lines = [
        (orjson.dumps({"id": "ok1", "text": BODY}), None),
        (b'{"id": "bad-json", "text": "\xec\x97\xac\xea\xb0\x9d\xec\x84\xa0', "malformed_json"),
        (b'{"id": "bad-utf8", "text": "\xec\x97\xac\xea\xb0 \xff\xfe"}', "invalid_utf8"),
        (orjson.dumps({"id": "no-text", "body": BODY}), "missing_text"),
        (orjson.dumps({"id": "num-text", "text": 42}), "text_not_string"),
        (orjson.dumps({"id": "blank", "text": " \n\t\u3000 "}), "empty_text"),
        (orjson.dumps({"id": "huge", "text": "가" * 1200}), "too_long"),
        (orjson.dumps({"id": "ok1", "text": BODY + " 다시"}), "duplicate_id"),
        (orjson.dumps(["not", "a", "record"]), "not_an_object"),
        (b'{"id": "lone", "text": "\\udc00 \xea\xb0\x80"}', "invalid_unicode"),
        (orjson.dumps({"id": {"k": 1}, "text": BODY}), "bad_id"),
        (orjson.dumps({"id": "ok2", "text": BODY + " 둘째"}), None),
        (CP949_LINE.rstrip(b"\n"), None),
    ]
    data = b"".join(line + b"\n" for line, _ in lines)
    want = {}
    for n, (_, reason) in enumerate(lines, 1):
        if reason:
            want[n] = reason
    return data, want


def test_every_broken_kind_is_quarantined_with_reason_and_location(tmp_path):
    data, want = broken_jsonl()
    p = tmp_path / "broken.jsonl"
    p.write_bytes(data)
    items = list(read(p, ReadOptions(max_chars=1000)))
    q = {i.where["line"]: i for i in items if isinstance(i, Quarantined)}
    assert {n: i.reason for n, i in q.items()} == want
    good = [i for i in items if isinstance(i, Record)]
    assert [r.id for r in good] == ["ok1", "ok2", "cp"]
    # malformed JSON keeps its raw text and line number
    assert q[2].raw.startswith('{"id": "bad-json", "text": "여객선') and q[2].id == "line:2"
    # invalid UTF-8: the exact byte offset of the first bad byte in the file
    bad = q[3]
    assert data[bad.where["offset"] : bad.where["offset"] + 2] == b"\xea\xb0"
    assert data[bad.where["offset"] - 3 : bad.where["offset"]] == b"\xec\x97\xac"
    assert "\\xff" in bad.raw
    # a record that parsed is kept whole in the quarantine entry
    assert q[4].record == {"id": "no-text", "body": BODY}
    assert q[8].reason == "duplicate_id" and q[8].record["text"].endswith("다시")
    # CP949 was repaired, and says so
    assert good[2].text == "대전·세종시는 교류를 강화한다." and good[2].notes
    # each line's offset points at its own start
    for n, item in q.items():
        line = data.split(b"\n")[n - 1]
        if item.reason != "invalid_utf8":
            assert data[item.where["offset"] :].startswith(line)


def test_broken_run_accounts_for_every_record(tmp_path):
    data, want = broken_jsonl()
    p = tmp_path / "broken.jsonl"
    p.write_bytes(data)
    out, rejected = _ListSink(), _ListSink()
    s = run(
        read(p, ReadOptions(max_chars=1000)),
        Sinks(out=out, quarantine=rejected),
        command="clean",
        clean_config=CleanConfig(max_chars=1000),
    )
    assert s.records_in == 13 and s.written == 3 and s.quarantined == len(want)
    assert s.holds() and s.records_in == len(out.rows) + len(rejected.rows)
    assert sorted(s.quarantined_by_reason.elements()) == sorted(want.values())
    assert {r["reason"] for r in rejected.rows} == set(want.values())
    assert all(r["detail"] and r["where"]["source"] == str(p) for r in rejected.rows)
    assert out.rows[2]["warnings"] == ["input: decoded as CP949: the input was not UTF-8"]


class _ListSink:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def write(self, record: dict) -> None:
        self.rows.append(record)


def test_utf8_with_a_cut_character_is_not_guessed_as_cp949(tmp_path):
    # A UTF-8 line whose last Hangul syllable lost a byte: quarantined, never "repaired".
    p = tmp_path / "cut.jsonl"
    line = '{"id": "x", "text": "여객선 요금 인하'.encode() + "다".encode()[:2] + b'"}\n'
    p.write_bytes(line)
    (item,) = list(read(p))
    assert isinstance(item, Quarantined) and item.reason == "invalid_utf8"
    assert item.where["offset"] == line.index("다".encode()[:2])


def test_csv_broken_rows(tmp_path):
    p = tmp_path / "broken.csv"
    p.write_bytes(
        "\ufeffid,text,outlet\n".encode()
        + 'a1,"첫째 기사, 쉼표 포함",한빛\n'.encode()
        + "a2,필드가 모자란 행\n".encode()
        + b"a3,"
        + "대전·세종 교류 강화".encode("cp949")
        + b",cp949\n"
        + b"a4,\xea\xb0\x80\xea\xb0,utf8-cut\n"
        + 'a5,"여러 줄\n본문",한빛\n'.encode()
        + "a6,,빈 본문\n".encode()
    )
    items = list(read(p))
    got = [(i.id, i.reason if isinstance(i, Quarantined) else "ok") for i in items]
    assert got == [
        ("a1", "ok"),
        ("row:2", "malformed_csv"),
        ("a3", "ok"),
        ("row:4", "invalid_utf8"),
        ("a5", "ok"),
        ("a6", "empty_text"),
    ]
    assert items[0].text == "첫째 기사, 쉼표 포함"
    assert items[2].text == "대전·세종 교류 강화" and items[2].notes
    assert items[4].text == "여러 줄\n본문" and items[4].where["line"] == 6
    assert items[1].raw == "a2,필드가 모자란 행\n"
    assert p.read_bytes()[items[3].where["offset"] :].startswith(b"\xea\xb0,utf8")


def test_csv_without_text_column_is_a_usage_error(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,body\n1,본문\n", encoding="utf-8")
    with pytest.raises(FormatError, match="--text-field"):
        list(read(p))
    assert [r.text for r in records_of(p, text_field="body")] == ["본문"]


def test_text_folder_with_bad_files(tmp_path):
    d = tmp_path / "pages"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("서울 기사 본문", encoding="utf-8")
    (d / "sub" / "b.txt").write_bytes("부산 기사 본문".encode("cp949"))
    (d / "sub" / "c.txt").write_bytes(b"\x00\xff\xfe\xfa binary")
    (d / "empty.txt").write_text("  \n", encoding="utf-8")
    (d / "notes.md").write_text("not an article", encoding="utf-8")
    items = list(read(d))
    got = [(i.id, i.reason if isinstance(i, Quarantined) else i.text) for i in items]
    assert got == [
        ("a.txt", "서울 기사 본문"),
        ("empty.txt", "empty_text"),
        ("sub/b.txt", "부산 기사 본문"),
        ("sub/c.txt", "invalid_utf8"),
    ]
    assert items[3].where == {"source": str(d), "path": "sub/c.txt", "offset": 1}


def test_truncated_gzip_keeps_what_was_read_and_says_where_it_stopped(tmp_path):
    recs = [{"id": f"g{i}", "text": f"{i}번 기사 " + "본문 " * 40} for i in range(200)]
    data = gzip.compress(_jsonl(recs))
    p = tmp_path / "cut.jsonl.gz"
    p.write_bytes(data[: len(data) * 2 // 3])
    items = list(read(p))
    good = [i for i in items if isinstance(i, Record)]
    bad = [i for i in items if isinstance(i, Quarantined)]
    assert 0 < len(good) < 200
    assert [r.id for r in good] == [f"g{i}" for i in range(len(good))]
    assert bad[-1].reason == "unreadable" and "truncated" in bad[-1].detail


def test_stdin_reads_jsonl_and_csv():
    data = _jsonl(RECORDS[:2])
    assert [r.id for r in read("-", stdin=io.BytesIO(data))] == ["b01.txt", "b02.txt"]
    got = list(
        read(
            "-", ReadOptions(format="csv"), stdin=io.BytesIO("id,text\nz1,표준입력 기사\n".encode())
        )
    )
    assert [(r.id, r.text) for r in got] == [("z1", "표준입력 기사")]
    with pytest.raises(FormatError, match="stdin"):
        read("-", ReadOptions(format="parquet"))


def test_format_detection():
    assert detect_format("a/b.JSONL") == "jsonl"
    assert detect_format("x.json.gz") == "jsonl.gz"
    assert detect_format("x.jsonl.zst") == "jsonl.zst"
    assert detect_format("x.parquet") == "parquet"
    assert detect_format("x.dat", "csv") == "csv"
    assert detect_format("-") == "jsonl"
    with pytest.raises(FormatError, match="--format"):
        detect_format("dump.dat")
    with pytest.raises(FormatError, match="unknown format"):
        detect_format("x.jsonl", "xml")


# --- writers --------------------------------------------------------------------------------


def test_writer_is_atomic(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    w = open_writer(str(out))
    w.write({"id": "n1", "text": "새 기사"})
    assert out.read_text(encoding="utf-8") == "old\n"  # untouched until commit
    w.abort()
    assert out.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]  # no temporary file left behind
    with open_writer(str(out)) as w:
        w.write({"id": "n1", "text": "새 기사"})
    assert json.loads(out.read_text(encoding="utf-8")) == {"id": "n1", "text": "새 기사"}
    with pytest.raises(RuntimeError), open_writer(str(out)) as w:
        w.write({"id": "n2", "text": "또 다른 기사"})
        raise RuntimeError("the run failed")
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "n1"
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_writer_round_trips_lone_surrogates_as_escapes(tmp_path):
    out = tmp_path / "s.jsonl"
    with open_writer(str(out)) as w:
        w.write({"id": "s", "text": "가\ud800나"})
    assert json.loads(out.read_text(encoding="ascii"))["text"] == "가\ud800나"


def test_txt_output_refuses_a_folder_with_files(tmp_path):
    d = tmp_path / "outdir"
    d.mkdir()
    (d / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FormatError, match="not an empty folder"):
        open_writer(str(d), "txt")


def test_jobs_2_gives_the_same_stream_as_jobs_1(tmp_path):
    data, _ = broken_jsonl()
    many = data * 1  # broken lines included
    p = tmp_path / "mix.jsonl"
    recs = [{"id": f"m{i}", "text": PAGES[i % 4][2]} for i in range(150)]
    p.write_bytes(many + _jsonl(recs))
    one = list(
        clean_stage(
            read(p, ReadOptions(max_chars=1000)), CleanConfig(max_chars=1000), explain=True, jobs=1
        )
    )
    two = list(
        clean_stage(
            read(p, ReadOptions(max_chars=1000)),
            CleanConfig(max_chars=1000),
            explain=True,
            jobs=2,
            chunk_size=7,
        )
    )
    assert one == two
    assert len(one) == 13 + 150


def test_jsonl_to_parquet_gives_added_columns_their_types(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(RECORDS))
    out = tmp_path / "out.parquet"
    with open_writer(str(out), extra_columns=["title", "removals", "warnings"]) as w:
        run(read(src), Sinks(out=w), command="clean", explain=True)
    table = pq.read_table(out)
    assert pa.types.is_list(table.schema.field("removals").type)
    assert table.schema.field("rank").type == pa.int64()
    rows = table.to_pylist()
    assert rows[1]["title"] == "울산 시내버스 절반 수소버스로 바꾼다"
    assert {r["category"] for r in rows[1]["removals"]} >= {"timestamp", "copyright"}
    assert rows[0]["warnings"] is None


def test_cp949_whose_bytes_happen_to_hold_a_utf8_syllable_is_still_cp949(tmp_path):
    text = "\n".join(p[2] for p in PAGES)
    data = text.encode("cp949")
    accidental = [ch for ch in data.decode("utf-8", "replace") if "\uac00" <= ch <= "\ud7a3"]
    assert accidental  # the bytes contain valid UTF-8 Hangul by chance: the case under test
    p = tmp_path / "cp.txt"
    p.write_bytes(data)
    (rec,) = records_of(p)
    assert rec.text == text and rec.notes == ("decoded as CP949: the input was not UTF-8",)


def test_outputs_get_the_usual_file_mode(tmp_path):
    old = os.umask(0o022)
    try:
        with open_writer(str(tmp_path / "o.jsonl")) as w:
            w.write({"id": "a", "text": "가"})
        with open_writer(str(tmp_path / "txt"), "txt") as w:
            w.write({"id": "a", "text": "가"})
    finally:
        os.umask(old)
    assert (tmp_path / "o.jsonl").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "txt").stat().st_mode & 0o777 == 0o755
