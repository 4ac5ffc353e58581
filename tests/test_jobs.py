"""``--jobs N`` workers: started without forking the (possibly multi-threaded) CLI process, fed
their config once, byte-identical to ``--jobs 1``, and gone when their parent is killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from dedupe_ko.pipeline import _context

ROOT = Path(__file__).resolve().parent.parent

BODY = [
    "서울시는 {n}일 시청에서 기자회견을 열고 내년도 대중교통 요금 조정안을 발표했다.",
    "시는 지하철 기본요금을 150원 올리되 청소년과 어르신 할인 폭은 그대로 유지하기로 했다.",
    '시민단체는 "물가 부담이 큰 시기에 요금을 올리는 것은 신중해야 한다"고 밝혔다.',
    "한빛몰 특가 행사를 두고 공정위가 조사에 나섰다는 소식도 이날 전해졌다.",
    "댓글 기능은 이번 개편에서 바뀌지 않는다고 시 관계자는 설명했다.",
]
FURNITURE = [
    "김민수 기자 minsu{n}@example.co.kr",
    "ⓒ 한빛일보, 무단전재 및 재배포 금지",
    "▶ 한빛일보 네이버 채널 구독하기",
    "한빛몰 특가 오늘만 {n}% 할인",
]
RULES = """
[[rule]]
id = "promo.hanbit_tv"
category = "promo"
kind = "line"
pattern = '한빛TV 주간 영상 모아보기'
examples = ["한빛TV 주간 영상 모아보기"]
counter_examples = ["한빛TV 주간 영상 모아보기를 두고 시청자 의견이 엇갈렸다."]
"""
PLUG, PLUG_IN_BODY = (
    "한빛TV 주간 영상 모아보기",
    "한빛TV 주간 영상 모아보기를 두고 시청자 의견이 엇갈렸다.",
)


def _articles(path: Path, n: int, plug: bool = False) -> Path:
    with open(path, "wb") as fh:
        for i in range(n):
            lines = [s.format(n=i % 28 + 1) for s in BODY[: 2 + i % 4]]
            if plug:  # a house plug the built-in rules keep, mid-article, and a body line
                lines[1:1] = [PLUG, PLUG_IN_BODY]
            lines += [s.format(n=i % 90 + 5) for s in FURNITURE[i % 3 :]]
            fh.write(
                orjson.dumps(
                    {"id": f"a{i}", "text": "\n".join(lines)}, option=orjson.OPT_APPEND_NEWLINE
                )
            )
    return path


def _clean(inp: Path, out: Path, jobs: int, *extra: object) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-W",
        "error::DeprecationWarning",
        "-m",
        "dedupe_ko",
        "clean",
        str(inp),
        "-o",
        str(out),
        "-q",
        "--jobs",
        str(jobs),
        *map(str, extra),
    ]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_workers_do_not_fork_the_calling_process() -> None:
    assert _context(None).get_start_method() in ("forkserver", "spawn")


def test_jobs_2_warns_nothing_and_writes_what_jobs_1_writes(tmp_path: Path) -> None:
    inp = _articles(tmp_path / "in.jsonl", 600)
    one, two = _clean(inp, tmp_path / "1.jsonl", 1), _clean(inp, tmp_path / "2.jsonl", 2)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert "fork" not in two.stderr and "Warning" not in two.stderr
    out = (tmp_path / "2.jsonl").read_bytes()
    assert out == (tmp_path / "1.jsonl").read_bytes()
    first = orjson.loads(out.splitlines()[0])["text"]
    assert "기자회견" in first and "무단전재" not in first  # cleaned, body kept


def test_workers_load_the_user_rule_files(tmp_path: Path) -> None:
    inp = _articles(tmp_path / "in.jsonl", 300, plug=True)
    rules = tmp_path / "house.toml"
    rules.write_text(RULES, encoding="utf-8")
    for jobs in (1, 2):
        p = _clean(inp, tmp_path / f"{jobs}.jsonl", jobs, "--rules", rules)
        assert p.returncode == 0, p.stderr
    out = (tmp_path / "2.jsonl").read_bytes()
    assert out == (tmp_path / "1.jsonl").read_bytes()
    texts = [orjson.loads(line)["text"] for line in out.splitlines()]
    assert len(texts) == 300
    assert all(PLUG + "\n" not in t for t in texts)  # the user's rule ran in the workers
    assert all(PLUG_IN_BODY in t for t in texts)  # and kept the body line
    assert _clean(inp, tmp_path / "builtin.jsonl", 2).returncode == 0
    builtin = (tmp_path / "builtin.jsonl").read_bytes().splitlines()
    assert all(PLUG + "\n" in orjson.loads(line)["text"] for line in builtin)  # kept without


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{d}/stat").read_bytes()
                parents[int(d)] = int(stat.rsplit(b")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p} - found
        found |= kids
        todo.extend(kids)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


def test_kill_9_of_the_parent_ends_the_forkserver_and_the_workers(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        import pytest

        pytest.skip("reads /proc")
    inp = _articles(tmp_path / "in.jsonl", 30000)
    cmd = [
        sys.executable,
        "-m",
        "dedupe_ko",
        "clean",
        str(inp),
        "-o",
        str(tmp_path / "o.jsonl"),
        "-q",
        "--jobs",
        "2",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        kids: set[int] = set()
        while time.monotonic() < deadline and len(kids) < 3:  # the server and two workers
            time.sleep(0.1)
            kids = {k for k in _descendants(proc.pid) if _alive(k)}
        assert len(kids) >= 3, f"workers did not start: {kids}"
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(k) for k in kids):
            time.sleep(0.1)
        assert [k for k in kids if _alive(k)] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
