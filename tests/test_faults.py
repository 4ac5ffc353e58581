"""Fault injection on real processes: `dedupe-ko run --index` killed with -9 at random points,
Redis killed mid-run, several runs on one index at once, a full disk, SIGTERM, hostile lines.

The promise checked every time: a rerun after any failure writes exactly what one
uninterrupted run writes, no record is a duplicate of itself, no temporary file is left, and
a failed run commits no output.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from _shared import ROOT, need_corpus
from conftest import _ping, _redis_binary

sys.path.insert(0, str(ROOT / "benchmarks"))

N_PAGES = 300


def _cli(*args: object, **kw: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dedupe_ko", "run", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


def _finish(p: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    _, err = p.communicate(timeout=timeout)
    return p.returncode, err.decode("utf-8", "replace")


def _ids(path: Path) -> list[str]:
    return [orjson.loads(line)["id"] for line in path.read_bytes().splitlines() if line]


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A generated corpus of real article bodies in page furniture, about half republished."""
    need_corpus()
    import corpora

    records, truth = corpora.make_corpus(N_PAGES, seed=11)
    path = tmp_path_factory.mktemp("faults") / "pages.jsonl"
    corpora.write_jsonl(path, records)
    return path, truth


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Pages whose copies are all duplicates of each other (an exact copy, the page with
    its last paragraph dropped, or with doubled blank lines), so any order of reading keeps
    exactly one page per story: what concurrent runs keep can be compared exactly."""
    need_corpus()
    import corpora

    pages, _ = corpora.make_clean_set(120, seed=11)
    rng = random.Random(11)
    records, truth = [], {}
    for k, page in enumerate(pages):
        text = page["text"]
        paras = text.split("\n")
        variants = [
            text,
            text,
            "\n".join(paras[:-1]) if len(paras) > 8 else text,
            text.replace("\n", "\n\n"),
        ]
        for v, body in enumerate([text, *rng.sample(variants, rng.choice([0, 0, 1, 2, 3]))]):
            rid = f"s{k:03d}-{v}"
            records.append({"id": rid, "text": body})
            truth[rid] = f"s{k}"
    rng.shuffle(records)
    path = tmp_path_factory.mktemp("stories") / "stories.jsonl"
    corpora.write_jsonl(path, records)
    return path, truth


class Job:
    """One `run` command line with its outputs in a folder."""

    def __init__(self, folder: Path, inp: Path, index: str, jobs: int = 1) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.inp, self.index, self.jobs = folder, inp, index, jobs
        self.out, self.rej = folder / "out.jsonl", folder / "rej.jsonl"
        self.clu = folder / "clusters.jsonl"

    def start(self) -> subprocess.Popen:
        return _cli(
            self.inp,
            "-o",
            self.out,
            "--rejected",
            self.rej,
            "--clusters",
            self.clu,
            "--index",
            self.index,
            "--jobs",
            self.jobs,
            "-q",
            start_new_session=True,
        )

    def run(self) -> tuple[int, str]:
        return _finish(self.start())

    def temps(self) -> list[str]:
        return [n for n in os.listdir(self.folder) if ".dkotmp-" in n]

    def outputs(self) -> dict[str, object]:
        rej = _lines(self.rej)
        return {
            "out": _ids(self.out),
            "rej": [(r["id"], r["duplicate_of"]) for r in rej],
            "clusters": _lines(self.clu),
        }


def _index_len(target: str) -> int:
    from dedupe_ko.index import Index

    with Index.open(target) as idx:
        assert idx.verify() == []
        return len(idx)


def _assert_promise(job: Job, ref: dict[str, object]) -> None:
    got = job.outputs()
    assert got == ref
    assert not [i for i, d in got["rej"] if i == d], "a record is a duplicate of itself"
    assert job.temps() == []


def _no_process_mentions(text: str, wait_s: float = 5.0) -> None:
    """No live process has ``text`` on its command line (orphaned workers)."""
    deadline = time.monotonic() + wait_s
    while True:
        alive = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            with contextlib.suppress(OSError):
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
                if text.encode() in cmd and state != b"Z":
                    alive.append(pid)
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert alive == [], f"processes still running: {alive}"


@pytest.fixture(params=["sqlite", "redis"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "seen.db")
    return request.getfixturevalue("redis_target")


def test_kill_9_at_random_points_then_rerun_writes_what_one_run_writes(
    corpus: tuple[Path, dict[str, str]], target: str, tmp_path: Path
) -> None:
    inp, _ = corpus
    fresh = (
        (lambda k: str(tmp_path / f"seen{k}.db"))
        if "://" not in target
        else (lambda k: f"{target}{k}")
    )
    ref_job = Job(tmp_path / "ref", inp, fresh("ref"))
    t0 = time.monotonic()
    assert ref_job.run()[0] == 0
    took = time.monotonic() - t0
    ref = ref_job.outputs()
    kept = len(ref["out"])
    assert 0 < kept < N_PAGES
    rng = random.Random(11)
    for k in range(2):
        job = Job(tmp_path / f"k{k}", inp, fresh(k), jobs=2)
        p = job.start()
        time.sleep(rng.uniform(0.3, 0.95) * took)  # somewhere in the run, however busy the CPU
        p.kill()  # -9: no cleanup of any kind
        p.wait()
        _no_process_mentions(str(job.folder))  # the --jobs workers died with it
        code, err = job.run()
        assert code == 0, err
        _assert_promise(job, ref)
        assert _index_len(fresh(k)) == kept
        if k:
            continue
        # A rerun of a completed run writes the same records again (nobody is a duplicate of
        # itself); a duplicate may now name another kept copy of its story, one that came
        # later in the first run (the index holds the whole first run).
        assert job.run()[0] == 0
        again = job.outputs()
        assert again["out"] == ref["out"]
        assert [i for i, _ in again["rej"]] == [i for i, _ in ref["rej"]]
        assert {d for _, d in again["rej"]} <= set(ref["out"])
        assert not [i for i, d in again["rej"] if i == d] and job.temps() == []
        assert _index_len(fresh(k)) == kept


def _persistent_redis(folder: Path, port: int | None = None) -> tuple[subprocess.Popen, int]:
    binary = _redis_binary()
    if binary is None:
        pytest.skip("redis-server is not installed")
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    folder.mkdir(exist_ok=True)
    p = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not _ping(f"redis://127.0.0.1:{port}/0", 10):
        p.kill()
        pytest.skip("redis-server did not start")
    return p, port


def test_redis_killed_mid_run_then_rerun_writes_what_one_run_writes(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    src, _ = corpus
    inp = tmp_path / "four.jsonl"  # four copies under new ids: several batches to fail in
    with inp.open("wb") as fh:
        for k in range(4):
            for r in _lines(src):
                fh.write(orjson.dumps({**r, "id": f"{r['id']}-{k}"}) + b"\n")
    server, port = _persistent_redis(tmp_path / "redis")
    url = f"redis://127.0.0.1:{port}/0?prefix=faults"
    try:
        ref_job = Job(tmp_path / "ref", inp, url.replace("faults", "ref"))
        assert ref_job.run()[0] == 0
        ref = ref_job.outputs()
        job = Job(tmp_path / "run", inp, url)
        import redis

        client = redis.Redis(port=port)
        p = job.start()
        deadline = time.monotonic() + 120
        # Wait until the run has staged its first batch, then the server dies mid-run; what
        # it had stored survives (AOF).
        while (
            not list(client.scan_iter(match="faults:pend:*"))
            and p.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        client.close()
        assert p.poll() is None, "the run ended before it staged anything"
        server.kill()
        server.wait()
        code, err = _finish(p)
        assert code == 1, err
        assert "Redis is not answering" in err
        assert not job.out.exists() and not job.rej.exists() and job.temps() == []
        server, _ = _persistent_redis(tmp_path / "redis", port)
        code, err = job.run()
        assert code == 0, err
        _assert_promise(job, ref)
        assert _index_len(url) == len(ref["out"])
    finally:
        server.kill()
        server.wait()


def _parts(inp: Path, n: int, folder: Path) -> list[Path]:
    lines = inp.read_bytes().splitlines(keepends=True)
    parts = []
    for i in range(n):
        part = folder / f"part{n}-{i}.jsonl"
        part.write_bytes(b"".join(lines[i::n]))  # interleaved: every part shares stories
        parts.append(part)
    return parts


@pytest.fixture(scope="module")
def sequential(
    stories: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[int, list[str]]:
    """Ids kept when the corpus, cut in n parts, is run one part after another on one index."""
    inp, _ = stories
    kept = {}
    for n in (2, 4):
        folder = tmp_path_factory.mktemp(f"seq{n}")
        jobs = [
            Job(folder / f"seq{i}", part, str(folder / "seen.db"))
            for i, part in enumerate(_parts(inp, n, folder))
        ]
        for job in jobs:
            assert job.run()[0] == 0
        kept[n] = sorted(i for job in jobs for i in _ids(job.out))
    return kept


@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_runs_keep_what_sequential_runs_keep(
    stories: tuple[Path, dict[str, str]],
    sequential: dict[int, list[str]],
    target: str,
    tmp_path: Path,
    n: int,
) -> None:
    inp, truth = stories
    index = str(tmp_path / "conc.db") if "://" not in target else target
    conc = [
        Job(tmp_path / f"conc{i}", part, index) for i, part in enumerate(_parts(inp, n, tmp_path))
    ]
    procs = [job.start() for job in conc]
    for p in procs:
        code, err = _finish(p)
        assert code == 0, err

    def kept(jobs: list[Job]) -> list[str]:
        return sorted(i for job in jobs for i in _ids(job.out))

    seq_kept, conc_kept = sequential[n], kept(conc)
    assert len(seq_kept) == len(set(truth.values()))  # one page per story
    assert len(conc_kept) == len(seq_kept)
    # The same stories are kept (which copy depends on who came first).
    assert sorted(truth[i] for i in conc_kept) == sorted(truth[i] for i in seq_kept)
    assert _index_len(index) == len(conc_kept)


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a full disk)")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A folder on a tmpfs of ``request.param`` (default 400k): a disk that fills up."""
    where = tmp_path / "small"
    _mount_tmpfs(where, getattr(request, "param", "400k"))
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_full_disk_for_outputs_commits_nothing_and_names_the_output(
    corpus: tuple[Path, dict[str, str]], small_disk: Path, tmp_path: Path
) -> None:
    inp, _ = corpus
    index = str(tmp_path / "seen.db")
    job = Job(small_disk, inp, index)
    code, err = job.run()
    assert code == 1
    assert "No space left on device" in err and str(small_disk) in err
    assert ".dkotmp-" not in err  # the output asked for is named, not its temporary file
    assert os.listdir(small_disk) == []  # nothing committed, no temporary file left
    assert _index_len(index) == 0  # the failed run's index entries were rolled back


@pytest.mark.parametrize("small_disk", ["48k", "200k"], indirect=True)  # creating, filling
def test_full_disk_for_the_index_names_the_index(
    corpus: tuple[Path, dict[str, str]], small_disk: Path, tmp_path: Path
) -> None:
    inp, _ = corpus
    index = small_disk / "seen.db"
    job = Job(tmp_path / "out", inp, str(index))
    code, err = job.run()
    assert code == 1
    assert f"index {index}: the disk is full" in err
    assert not job.out.exists() and not job.rej.exists() and job.temps() == []


def test_sigterm_exits_143_and_writes_nothing(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    inp, _ = corpus
    job = Job(tmp_path / "t", inp, str(tmp_path / "seen.db"), jobs=2)
    # The input comes down a pipe held open: the run is surely under way (it has read half
    # the records and waits for more) when SIGTERM arrives, however fast the machine.
    p = _cli(
        "-",
        "-o",
        job.out,
        "--rejected",
        job.rej,
        "--clusters",
        job.clu,
        "--index",
        job.index,
        "--jobs",
        2,
        "-q",
        stdin=subprocess.PIPE,
        start_new_session=True,
    )
    assert p.stdin is not None
    lines = inp.read_bytes().splitlines(keepends=True)
    p.stdin.write(b"".join(lines[: len(lines) // 2]))
    p.stdin.flush()
    deadline = time.monotonic() + 60
    while not job.temps() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the outputs are open: the run is under way
    time.sleep(0.5)
    assert p.poll() is None
    p.send_signal(signal.SIGTERM)
    _, err_b = p.communicate(timeout=120)
    code, err = p.returncode, err_b.decode("utf-8", "replace")
    assert code == 143
    assert "terminated (SIGTERM); no output was written" in err
    assert not job.out.exists() and job.temps() == []
    _no_process_mentions(str(job.folder))
    assert _index_len(str(tmp_path / "seen.db")) == 0


def test_hostile_lines_are_quarantined_with_line_and_reason(tmp_path: Path) -> None:
    body = (
        "서울시는 내년부터 시내버스 요금을 150원 올린다고 밝혔다. 시는 연료비와 인건비가 "
        "크게 올라 적자가 쌓였다고 설명했다. 시민단체는 인상 폭이 크다며 반발했다."
    )
    other = (
        "기상청은 주말 동안 남부 지방에 많은 비가 내리겠다고 예보했다. 산사태와 하천 "
        "범람에 대비해 달라고 당부했다."
    )
    lines = [
        orjson.dumps({"id": "ok1", "text": body}),
        b"\xef\xbb\xbf" + orjson.dumps({"id": "bom", "text": other}),  # a file appended
        b'{"id": "deep", "text": "x", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"id": "nan", "text": "x", "v": NaN, "x": ' + b"[" * 400 + b"]" * 400 + b"}",
        b'{"id": "sur", "text": "\\ud800 ' + body[:10].encode() + b'"}',
        orjson.dumps({"id": "huge", "text": "가" * 1_000_001}),
        b'{"id": "big", "text": "' + other[:20].encode() + b'", "n": 123456789012345678901234}',
    ]
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(b"\n".join(lines) + b"\n")
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    p = _cli(inp, "-o", out, "--rejected", rej, "--index", tmp_path / "seen.db", "--jobs", 1)
    code, err = _finish(p)
    assert code == 0, err
    assert sorted(_ids(out)) == ["big", "bom", "ok1"]
    reasons = {r["where"]["line"]: (r["reason"], r["detail"]) for r in _lines(rej)}
    assert reasons[3][0] == "too_deep" and "line 3" in reasons[3][1]
    assert reasons[4][0] == "too_deep"
    assert reasons[5][0] == "invalid_unicode"
    assert reasons[6][0] == "too_long"
    assert len(reasons) == 4


def test_staged_entries_of_a_dead_process_roll_back_or_forward(tmp_path: Path) -> None:
    """The staging API on its own, in processes that end without closing anything: a run
    that died before its outputs were renamed is rolled back on the next open, one that died
    after is rolled forward, a committed one stays."""
    from dedupe_ko.index import Index

    target = str(tmp_path / "seen.db")
    out, tmp = tmp_path / "out.jsonl", tmp_path / ".out.jsonl.tmp"
    code = (
        "import os, sys; from dedupe_ko.index import Index\n"
        "idx = Index.open(sys.argv[1]); idx.begin_run()\n"
        "idx.add_many([(sys.argv[3], '첫 번째 기사 본문입니다. ' + sys.argv[3] * 30)])\n"
        "open(sys.argv[5], 'w').write('x')\n"
        "if sys.argv[2] != 'die': idx.expect_outputs([(sys.argv[4], sys.argv[5])])\n"
        "if sys.argv[2] in ('renamed', 'commit'): os.replace(sys.argv[5], sys.argv[4])\n"
        "if sys.argv[2] == 'commit': idx.commit_run()\n"
        "os._exit(0)\n"
    )

    def child(mode: str, id_: str) -> None:
        subprocess.run(
            [sys.executable, "-c", code, target, mode, id_, str(out), str(tmp)],
            cwd=ROOT,
            check=True,
        )

    expected = [
        ("die", "rolled back", 0),
        ("expected", "rolled back", 0),
        ("renamed", "rolled forward", 1),
        ("commit", None, 2),
    ]
    for k, (mode, what, count) in enumerate(expected):
        child(mode, "가나다라"[k])
        with Index.open(target) as idx:
            assert [w for _, w in idx.recovered] == ([what] if what else [])
            assert len(idx) == count
            assert idx.verify() == []


def test_a_failed_rename_puts_back_the_outputs_already_replaced(tmp_path: Path) -> None:
    from dedupe_ko import io as dio

    first, second = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    first.write_text('{"id": "어제", "text": "어제 기사"}\n')
    writers = [dio.open_writer(str(first)), dio.open_writer(str(second))]
    for w in writers:
        w.write({"id": "오늘", "text": "오늘 기사 본문이다."})
    second.mkdir()  # a folder holding a file: the second rename fails
    (second / "keep.txt").write_text("x")
    with pytest.raises(dio.OutputError) as e:
        dio.commit_all(writers)
    assert str(second) in str(e.value) and ".dkotmp-" not in str(e.value)
    assert first.read_text() == '{"id": "어제", "text": "어제 기사"}\n'  # put back
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl", "rej.jsonl"]  # no temp, no backup


def test_a_paused_redis_errors_after_the_socket_timeout_once(tmp_path: Path) -> None:
    from dedupe_ko.index import Index, IndexUnavailableError

    server, port = _persistent_redis(tmp_path / "redis")
    try:
        idx = Index.open(f"redis://127.0.0.1:{port}/0?prefix=paused&socket_timeout=1")
        idx.add("기사1", "서울 시내버스 요금이 내년부터 오른다. " * 5)
        server.send_signal(signal.SIGSTOP)
        t0 = time.monotonic()
        with pytest.raises(IndexUnavailableError, match="not answering"):
            idx.check("서울 시내버스 요금이 내년부터 오른다. " * 5)
        took = time.monotonic() - t0
        assert 0.9 < took < 1.95  # one timeout, not a retry after it
    finally:
        server.send_signal(signal.SIGCONT)
        server.kill()
        server.wait()


def test_a_record_the_encoder_refuses_is_quarantined_not_fatal(tmp_path: Path) -> None:
    """Records handed to `pipeline.run` by a caller (not read from JSON) may hold what no
    JSON encoder writes: that record is quarantined ``unencodable``, the run goes on."""
    from dedupe_ko import io as dio
    from dedupe_ko.pipeline import Sinks, run

    loop: dict = {}
    loop["self"] = loop  # a cycle: orjson and json both refuse it
    body = "정부는 내년 예산안을 국회에 제출했다. 복지 지출이 크게 늘었다고 설명했다."
    items = [
        dio.Record("a", body, {"id": "a", "text": body}, {"source": "api", "line": 1}),
        dio.Record(
            "b",
            body + " 추가",
            {"id": "b", "text": body + " 추가", "x": loop},
            {"source": "api", "line": 2},
        ),
    ]
    out = dio.open_writer(str(tmp_path / "out.jsonl"))
    q = dio.open_writer(str(tmp_path / "q.jsonl"))
    summary = run(items, Sinks(out=out, quarantine=q))
    dio.commit_all([out, q])
    assert summary.written == 1 and summary.quarantined_by_reason == {"unencodable": 1}
    [bad] = _lines(tmp_path / "q.jsonl")
    assert bad["id"] == "b" and "line 2" in bad["detail"]
    assert _ids(tmp_path / "out.jsonl") == ["a"]
