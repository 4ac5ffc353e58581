"""The ``dedupe-ko`` command, run as a real process on real files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles.jsonl"
# The planted republications in examples/articles.jsonl and the story they copy.
ORIGINAL = "hanbit-20250214-001"
COPIES = {"donghae-0214-77", "seorak-news-5521"}

PAGE = "\n".join(
    [
        "세종시 공공자전거 '어울링' 요금 내린다",
        "기사 스크랩",
        "공유",
        "댓글",
        "프린트",
        "(세종=한빛통신) 문가영 기자 = 세종시는 다음 달부터 공공자전거 어울링의 1시간 이용 요금을 "
        "1천원에서 500원으로 내린다고 밝혔다.",
        "시는 출퇴근 시간대 이용자가 늘어난 점을 고려해 정기권 할인 폭도 넓히기로 했다.",
        "어울링 대여소에 자전거가 세워져 있다. [세종시 제공]",
        '시 관계자는 "자전거를 생활 교통수단으로 자리 잡게 하겠다"고 말했다.',
        "저작권자 ⓒ 한빛통신 무단전재 및 재배포 금지",
    ]
)


def dk(
    *args: str | Path,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    exe: list[str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    cmd = (exe or [sys.executable, "-m", "dedupe_ko"]) + [str(a) for a in args]
    return subprocess.run(cmd, input=stdin, capture_output=True, cwd=cwd or ROOT, timeout=120)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict], extra: bytes = b"") -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records) + extra)
    return path


BROKEN = (
    b'{"id": "cut", "text": "\xec\x84\xb8\xec\xa2\x85\n'
    b'{"id": "badbytes", "text": "\xec\x84\xb8 \xff"}\n'
    b'{"id": "empty", "text": "  "}\n'
    b'{"id": "notext"}\n'
)


def test_run_on_the_bundled_examples_drops_the_planted_copies(tmp_path):
    exe = shutil.which("dedupe-ko")
    assert exe, "the dedupe-ko console script is not installed: run pip install -e ."
    out, cl, rej, summ = (tmp_path / n for n in ("out.jsonl", "c.jsonl", "r.jsonl", "s.json"))
    p = dk(
        "run",
        EXAMPLES,
        "-o",
        out,
        "--clusters",
        cl,
        "--rejected",
        rej,
        "--summary-json",
        summ,
        exe=[exe],
    )
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == b""
    inputs = jsonl(EXAMPLES)
    kept = jsonl(out)
    assert [r["id"] for r in kept] == [r["id"] for r in inputs if r["id"] not in COPIES]
    assert kept[0]["title"].startswith("강릉 겨울 바다 빛 축제")
    assert all("저작권자" not in r["text"] and "기사 스크랩" not in r["text"] for r in kept)
    clusters = {r["id"]: r for r in jsonl(cl)}
    assert set(clusters) == {r["id"] for r in inputs}
    for c in COPIES:
        assert clusters[c]["cluster"] == ORIGINAL and clusters[c]["match"] in ("exact", "near")
    assert sum(r["cluster"] == ORIGINAL for r in clusters.values()) == 3
    rejected = {r["id"]: r for r in jsonl(rej)}
    assert set(rejected) == COPIES
    for c in COPIES:  # the dropped record whole, as it came in
        original = next(r for r in inputs if r["id"] == c)
        assert rejected[c]["text"] == original["text"]
        assert rejected[c]["duplicate_of"] == ORIGINAL
        assert rejected[c]["reason"] in ("exact_duplicate", "near_duplicate")
    s = json.loads(summ.read_text(encoding="utf-8"))
    assert (s["records_in"], s["written"], s["duplicates"], s["quarantined"]) == (8, 6, 2, 0)
    assert s["largest_cluster"] == {"id": ORIGINAL, "size": 3} and s["invariant_holds"]
    assert "8 = 6 + 2 + 0 (holds)" in p.stderr.decode()


def test_clean_with_explain_rejected_and_summary(tmp_path):
    src = write_jsonl(
        tmp_path / "in.jsonl", [{"id": "p1", "text": PAGE, "section": "지역"}], BROKEN
    )
    out, rej, summ = tmp_path / "out.jsonl", tmp_path / "rej.jsonl", tmp_path / "s.json"
    p = dk("clean", src, "-o", out, "--explain", "--rejected", rej, "--summary-json", summ)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == b""
    (rec,) = jsonl(out)
    assert rec["id"] == "p1" and rec["section"] == "지역"
    assert rec["title"] == "세종시 공공자전거 '어울링' 요금 내린다"
    assert rec["text"].startswith("세종시는 다음 달부터") and "[세종시 제공]" not in rec["text"]
    cats = {r["category"] for r in rec["removals"]}
    assert {"ui", "wire", "caption", "copyright"} <= cats
    assert all({"rule", "start", "end", "text"} <= set(r) for r in rec["removals"])
    q = jsonl(rej)
    assert [(r["id"], r["reason"]) for r in q] == [
        ("line:2", "malformed_json"),
        ("line:3", "invalid_utf8"),
        ("empty", "empty_text"),
        ("notext", "missing_text"),
    ]
    assert q[0]["where"]["line"] == 2 and q[0]["raw"].startswith('{"id": "cut"')
    assert q[3]["record"] == {"id": "notext"}
    s = json.loads(summ.read_text(encoding="utf-8"))
    assert (s["records_in"], s["written"], s["quarantined"]) == (5, 1, 4)
    # bytes per category add up the removals' text (the footer and the newline before it)
    by_cat = s["removed_bytes_by_category"]
    assert by_cat["copyright"] == len("\n저작권자 ⓒ 한빛통신 무단전재 및 재배포 금지".encode())
    assert by_cat == {
        c: sum(len(r["text"].encode()) for r in rec["removals"] if r["category"] == c)
        for c in cats - {"title"}
    }
    assert s["invariant_holds"] and s["cleaned_only"] == 1


def test_stdin_to_stdout_has_nothing_but_data_on_stdout():
    data = b"".join(orjson.dumps({"id": f"s{i}", "text": PAGE}) + b"\n" for i in range(3))
    p = dk("clean", stdin=data + BROKEN)
    assert p.returncode == 0, p.stderr.decode()
    lines = p.stdout.decode().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["s0", "s1", "s2"]
    err = p.stderr.decode()
    assert "7 records in, 3 written" in err and "4 quarantined" in err
    assert "pass --rejected FILE" in err  # quarantined records were not kept: said so


def test_strict_exit_status_and_outputs_still_written(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "p1", "text": PAGE}], BROKEN)
    out = tmp_path / "o.jsonl"
    p = dk("clean", src, "-o", out, "--strict", "--quiet")
    assert p.returncode == 3 and len(jsonl(out)) == 1
    assert p.stderr.decode().count("\n") == 1  # --quiet: only the quarantine notice
    good = write_jsonl(tmp_path / "good.jsonl", [{"id": "p1", "text": PAGE}])
    assert dk("clean", good, "-o", out, "--strict").returncode == 0


def test_usage_and_io_errors_exit_1_and_write_nothing(tmp_path):
    out = tmp_path / "o.jsonl"
    cases = [
        (["clean", tmp_path / "missing.jsonl", "-o", out], "does not exist"),
        (["clean", EXAMPLES, "-o", out, "--jobs", "0"], "must be positive"),
        (["clean", EXAMPLES, "-o", tmp_path / "o.xml"], "--out-format"),
        (["clean", EXAMPLES, "-o", out, "--disable-rule", "no.such_rule"], "no.such_rule"),
        (["clean", EXAMPLES, "-o", out, "--rules", tmp_path / "none.toml"], "none.toml"),
        (["run", EXAMPLES, "-o", out, "--clusters", tmp_path / "c.csv"], "JSON lines"),
        (["run", EXAMPLES, "--clusters", "-"], "only one output"),
        (["frobnicate"], "invalid choice"),
    ]
    for args, message in cases:
        p = dk(*args)
        assert p.returncode == 1, (args, p.stderr.decode())
        assert message in p.stderr.decode(), (args, p.stderr.decode())
        assert p.stdout == b""
    assert os.listdir(tmp_path) == []
    c = tmp_path / "x.csv"
    c.write_text("key,body\n1,본문입니다\n", encoding="utf-8")
    p = dk("clean", c, "-o", out)
    assert p.returncode == 1 and "--text-field" in p.stderr.decode()
    assert not out.exists()


def test_a_failing_run_leaves_no_output_behind(tmp_path):
    # A field that changes type cannot go to one Parquet file: exit 1, nothing written.
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": "a", "text": PAGE, "n": 1}, {"id": "b", "text": PAGE + " 추가", "n": "둘"}],
    )
    p = dk("clean", src, "-o", tmp_path / "o.parquet", "--rejected", tmp_path / "r.jsonl")
    assert p.returncode == 1 and "write JSONL" in p.stderr.decode()
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl"]


def test_refuses_to_overwrite_its_input(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "p1", "text": PAGE}])
    before = src.read_bytes()
    for args in (
        ["clean", src, "-o", src],
        ["clean", src, "-o", tmp_path / "o.jsonl", "--rejected", src],
        ["run", src, "-o", tmp_path / "o.jsonl", "--clusters", tmp_path / "." / "in.jsonl"],
        ["run", src, "-o", tmp_path / "o.jsonl", "--clusters", tmp_path / "o.jsonl"],
    ):
        p = dk(*args)
        assert p.returncode == 1, args
        assert "refusing to overwrite" in p.stderr.decode() or "same file" in p.stderr.decode()
    assert src.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl"]


def _mixed_input(tmp_path: Path) -> Path:
    """~300 records: the examples republished under new ids (many duplicates) and broken
    lines, enough for several chunks per worker."""
    ex = jsonl(EXAMPLES)
    recs = [
        {"id": f"{r['id']}#{k}", "text": r["text"] + ("" if k % 3 else f"\n{k}번째 판")}
        for k in range(40)
        for r in ex
    ]
    return write_jsonl(tmp_path / "mixed.jsonl", recs, BROKEN)


def test_jobs_2_output_is_identical_to_jobs_1(tmp_path):
    src = _mixed_input(tmp_path)
    outs = {}
    for j in ("1", "2"):
        files = [tmp_path / f"{n}{j}.jsonl" for n in ("out", "cl", "rej", "q")]
        p = dk(
            "run",
            src,
            "-o",
            files[0],
            "--clusters",
            files[1],
            "--rejected",
            files[2],
            "--quarantine",
            files[3],
            "--jobs",
            j,
            "--explain",
        )
        assert p.returncode == 0, p.stderr.decode()
        outs[j] = [f.read_bytes() for f in files]
    assert outs["1"] == outs["2"]
    clusters = [json.loads(x) for x in outs["1"][1].splitlines()]
    assert len(clusters) == 8 * 40 + 4  # one line for every input record, broken ones too
    quarantined = [c for c in clusters if "quarantined" in c]
    assert len(quarantined) == 4 and all(
        c["match"] == "none" and c["cluster"] == c["id"] for c in quarantined
    )
    assert len(outs["1"][3].splitlines()) == 4  # --quarantine: its own file
    kept = len(outs["1"][0].splitlines())
    dropped = len(outs["1"][2].splitlines())
    assert kept + dropped == 8 * 40 and kept == 6  # six distinct stories in the examples


def test_dedup_writes_kept_records_as_they_came_in(tmp_path):
    out, cl = tmp_path / "kept.jsonl", tmp_path / "c.jsonl"
    p = dk("dedup", EXAMPLES, "-o", out, "--clusters", cl, "--keep", "longest")
    assert p.returncode == 0, p.stderr.decode()
    inputs = {r["id"]: r for r in jsonl(EXAMPLES)}
    kept = jsonl(out)
    assert len(kept) == 6 and all(r == inputs[r["id"]] for r in kept)
    clusters = {r["id"]: r["cluster"] for r in jsonl(cl)}
    reps = {clusters[c] for c in COPIES | {ORIGINAL}}
    assert len(reps) == 1 and reps <= {r["id"] for r in kept}  # one cluster, its rep kept


def test_other_formats_through_the_cli(tmp_path):
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["key", "body", "outlet"])
        w.writerow(["k1", PAGE, "한빛통신"])
        w.writerow(["k2", PAGE.replace("500원", "600원"), "세종일보"])
    out = tmp_path / "out.parquet"
    p = dk("clean", src, "-o", out, "--text-field", "body", "--id-field", "key")
    assert p.returncode == 0, p.stderr.decode()
    rows = pq.read_table(out).to_pylist()
    assert [(r["key"], r["outlet"]) for r in rows] == [("k1", "한빛통신"), ("k2", "세종일보")]
    assert rows[0]["body"].startswith("세종시는") and rows[0]["title"].startswith("세종시 공공")
    folder = tmp_path / "pages"
    (folder / "2025").mkdir(parents=True)
    (folder / "2025" / "a.txt").write_text(PAGE, encoding="utf-8")
    (folder / "b.txt").write_bytes(PAGE.encode("cp949"))
    p = dk("clean", folder, "-o", tmp_path / "t.jsonl.zst")
    assert p.returncode == 0, p.stderr.decode()
    import zstandard

    data = zstandard.ZstdDecompressor().stream_reader(open(tmp_path / "t.jsonl.zst", "rb")).read()  # noqa: SIM115
    recs = [json.loads(x) for x in data.splitlines()]
    assert [r["id"] for r in recs] == ["2025/a.txt", "b.txt"]
    assert recs[0]["text"] == recs[1]["text"] and recs[1]["warnings"]
    pq.write_table(pa.Table.from_pylist([{"id": 1, "text": PAGE}]), tmp_path / "one.parquet")
    p = dk(
        "run",
        tmp_path / "one.parquet",
        "-o",
        tmp_path / "o2.parquet",
        "--clusters",
        tmp_path / "c2.jsonl.gz",
    )
    assert p.returncode == 0, p.stderr.decode()
    assert pq.read_table(tmp_path / "o2.parquet").to_pylist()[0]["id"] == 1


def test_index_drops_yesterdays_stories_today(tmp_path):
    ex = jsonl(EXAMPLES)
    day1 = write_jsonl(tmp_path / "day1.jsonl", [r for r in ex if r["id"] == ORIGINAL])
    day2 = write_jsonl(tmp_path / "day2.jsonl", [r for r in ex if r["id"] != ORIGINAL])
    db = tmp_path / "seen.db"
    p = dk("run", day1, "-o", tmp_path / "o1.jsonl", "--index", db)
    assert p.returncode == 0, p.stderr.decode()
    p = dk(
        "run", day2, "-o", tmp_path / "o2.jsonl", "--clusters", tmp_path / "c2.jsonl", "--index", db
    )
    assert p.returncode == 0, p.stderr.decode()
    assert {r["id"] for r in jsonl(tmp_path / "o2.jsonl")} == {r["id"] for r in ex} - COPIES - {
        ORIGINAL
    }
    clusters = {r["id"]: r["cluster"] for r in jsonl(tmp_path / "c2.jsonl")}
    assert all(clusters[c] == ORIGINAL for c in COPIES)
    # A threshold only changes how stored data is verified: the index opens with another one.
    p = dk("run", day2, "-o", tmp_path / "o3.jsonl", "--index", db, "--threshold", "0.9")
    assert p.returncode == 0, p.stderr.decode()
