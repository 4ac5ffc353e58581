"""Issue 15, a newcomer's first hour: packaging, start-up, CLI user errors.

User errors are checked the way a user meets them: a real ``python -m dedupe_ko`` process,
exit status 1, exactly one line on stderr, no traceback.
"""

from __future__ import annotations

import ast
import json
import os
import re
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from dedupe_ko._sketch import affine32_permutations, optimal_bands_rows

# -- item 8: datasketch's permutations and optimiser without importing datasketch ---------------


@pytest.mark.parametrize("num_perm", [8, 64, 128, 256])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_affine32_permutations_equal_datasketch(num_perm: int, seed: int) -> None:
    from datasketch import MinHash

    theirs = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = affine32_permutations(num_perm, seed)
    assert ours.dtype == theirs.dtype
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("num_perm", [16, 128, 256])
def test_optimal_bands_rows_equal_datasketch(num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    for threshold in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95):
        for weights in ((0.5, 0.5), (0.2, 0.8)):
            assert optimal_bands_rows(threshold, num_perm, *weights) == _optimal_param(
                threshold, num_perm, *weights
            ), (threshold, num_perm, weights)


# -- helpers ------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles.jsonl"

ARTICLES = [
    {
        "id": "seoul-bus-01",
        "text": "서울시 버스 노선 47개 조정\n기사 스크랩\n공유\n"
        "서울시는 6일 시내버스 노선 47개를 다음 달부터 조정한다고 밝혔다.\n"
        "시는 지난 3월부터 시민 2만여 명의 의견을 받아 계획을 다듬었다.\n"
        "저작권자 ⓒ 한빛통신 무단전재 및 재배포 금지",
    },
    {
        "id": "busan-sea-02",
        "text": "부산시는 다음 달 해양 축제를 연다고 밝혔다.\n"
        "시는 관광객 30만 명이 찾을 것으로 내다봤다.\n축제는 광안리 해변에서 닷새 동안 열린다.",
    },
    {
        "id": "daegu-heat-03",
        "text": "대구시는 폭염 대책으로 무더위 쉼터 200곳을 연장 운영한다.\n"
        "쉼터는 오후 9시까지 문을 연다.\n시는 취약계층 안부 확인도 늘리기로 했다.",
    },
]


def dk(
    *args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m dedupe_ko ARGS`` in a real process (this checkout's code)."""
    return subprocess.run(
        [sys.executable, "-m", "dedupe_ko", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def assert_user_error(p: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, exactly one line on stderr, no traceback, the line holding each needle."""
    assert p.returncode == 1, p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "in.jsonl", ARTICLES)


# -- item 1: declared dependencies ------------------------------------------------------------


def _declared() -> tuple[dict[str, str], dict[str, set[str]]]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    core = {}
    for dep in meta["dependencies"]:
        name, _, low = dep.partition(">=")
        core[name.strip()] = low.strip()
    extras = {
        k: {d.partition(">=")[0].strip() for d in v}
        for k, v in meta["optional-dependencies"].items()
    }
    return core, extras


def test_every_dependency_has_a_tested_lower_bound() -> None:
    core, _ = _declared()
    assert all(core.values()), (
        core
    )  # .ci/run installs exactly these with --resolution lowest-direct
    assert tuple(int(x) for x in core["datasketch"].split(".")[:2]) >= (2, 0)  # `scheme=` is 2.0
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "--resolution lowest-direct" in ci and "twine check" in ci


def test_third_party_imports_are_declared() -> None:
    """A module-level import must be a core dependency; one inside a function (optional
    feature) a core dependency or an extra."""
    core, extras = _declared()
    optional = set().union(*(v for k, v in extras.items() if k not in ("test", "bench", "all")))
    stdlib = set(sys.stdlib_module_names)
    for path in sorted((ROOT / "dedupe_ko").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in (n.split(".")[0] for n in names):
                if name in stdlib or name == "dedupe_ko":
                    continue
                allowed = core.keys() if id(node) in top else core.keys() | optional
                if name == "zstandard" and id(node) not in top:
                    allowed = core.keys() | optional
                assert name in allowed or (name == "zstandard" and "zstandard" in optional), (
                    f"{path.name} imports {name}, not declared"
                )


# -- item 2: dedupe_ko.dedup is the function --------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        "import dedupe_ko.dedup as m",
        "from dedupe_ko.dedup import Deduplicator",
        "import importlib; importlib.import_module('dedupe_ko.dedup')",
        "import dedupe_ko.index",
        "from dedupe_ko import Index",
    ],
)
def test_dedup_is_the_function_whatever_was_imported_first(first: str) -> None:
    code = (
        f"{first}\n"
        "import importlib, types, dedupe_ko\n"
        "from dedupe_ko import dedup\n"
        "assert isinstance(dedup, types.FunctionType), dedup\n"
        "assert dedupe_ko.dedup is dedup\n"
        "mod = importlib.import_module('dedupe_ko.dedup')\n"
        "assert isinstance(mod, types.ModuleType) and mod.dedup is dedup\n"
        "ds = list(dedup([('a', '서울시는 6일 새 교통 정책을 발표했다. 시민들은 환영했다.'),\n"
        "                 ('b', '서울시는 6일 새 교통 정책을 발표했다. 시민들은 환영했다.')]))\n"
        "assert [d.kept for d in ds] == [True, False], ds\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr


# -- item 3: index errors -----------------------------------------------------------------------


def test_index_in_a_missing_folder_is_a_user_error(articles: Path, tmp_path: Path) -> None:
    p = dk("run", articles, "-o", tmp_path / "out.jsonl", "--index", tmp_path / "nodir" / "seen.db")
    assert_user_error(p, "--index", "does not exist")
    assert not (tmp_path / "out.jsonl").exists()


def test_misspelt_redis_url_option_is_a_user_error(
    articles: Path, tmp_path: Path, redis_url: str
) -> None:
    p = dk("run", articles, "-o", tmp_path / "out.jsonl", "--index", f"{redis_url}?prefx=news")
    assert_user_error(p, "--index", "prefx", "prefix=")
    assert not (tmp_path / "out.jsonl").exists()


# -- item 4: a .json file holding a JSON array --------------------------------------------------


def test_json_array_file_is_read_as_an_array(tmp_path: Path) -> None:
    arr = [*ARTICLES, {"text": "광주시는 새 도서관을 연다고 밝혔다. 개관은 5월이다."}, 17]
    src = tmp_path / "articles.json"
    src.write_text(json.dumps(arr, ensure_ascii=False, indent=2), "utf-8")
    p = dk("clean", src, "-o", tmp_path / "out.jsonl", "--rejected", tmp_path / "rej.jsonl")
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in out] == ["seoul-bus-01", "busan-sea-02", "daegu-heat-03", "item:4"]
    rej = [json.loads(x) for x in (tmp_path / "rej.jsonl").read_text("utf-8").splitlines()]
    assert [(r["id"], r["reason"]) for r in rej] == [("item:5", "not_an_object")]


def test_json_lines_starting_with_a_bracket_stay_json_lines(tmp_path: Path) -> None:
    src = tmp_path / "odd.json"
    src.write_text(
        '["not", "a record"]\n' + json.dumps(ARTICLES[1], ensure_ascii=False) + "\n", "utf-8"
    )
    p = dk("clean", src, "-o", tmp_path / "out.jsonl", "--rejected", tmp_path / "rej.jsonl")
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text("utf-8"))["id"] == "busan-sea-02"
    assert "not_an_object" in (tmp_path / "rej.jsonl").read_text("utf-8")


# -- item 5: --rules / --disable-rule take one value ------------------------------------------

PROMO_RULES = """
[[rule]]
id = "promo.hanbit_mall"
category = "promo"
kind = "line"
pattern = '한빛몰 특가.{0,30}'
examples = ["한빛몰 특가 오늘만 50%"]
"""


def test_rules_and_disable_rule_do_not_swallow_the_input(tmp_path: Path) -> None:
    rules = tmp_path / "my.toml"
    rules.write_text(PROMO_RULES, "utf-8")
    page = dict(
        ARTICLES[1], text=ARTICLES[1]["text"].replace("\n", "\n한빛몰 특가 오늘만 50%\n", 1)
    )
    src = write_jsonl(tmp_path / "in.jsonl", [ARTICLES[0], page])
    out = tmp_path / "out.jsonl"

    def rules_used(*flags: str | Path) -> list[set[str]]:
        p = dk("clean", *flags, src, "-o", out, "--explain")
        assert p.returncode == 0, p.stderr
        return [
            {r["rule"] for r in json.loads(line)["removals"]}
            for line in out.read_text("utf-8").splitlines()
        ]

    plain = rules_used()
    assert "ui.menu" in plain[0] and "promo.hanbit_mall" not in plain[1]
    used = rules_used(
        "--rules",
        rules,
        "--disable-rule",
        "ui.menu",
        "--disable-rule",
        "copyright.owner,copyright.credit",
    )
    assert len(used) == 2
    assert "promo.hanbit_mall" in used[1]
    assert not used[0] & {"ui.menu", "copyright.owner", "copyright.credit"}


# -- item 6: output names -----------------------------------------------------------------------


def test_o_txt_is_refused_not_turned_into_a_folder(articles: Path, tmp_path: Path) -> None:
    p = dk("clean", articles, "-o", tmp_path / "out.txt")
    assert_user_error(p, "-o", ".jsonl", "folder")
    assert not (tmp_path / "out.txt").exists()


def test_unknown_output_suffix_points_at_out_format(articles: Path, tmp_path: Path) -> None:
    line = assert_user_error(dk("clean", articles, "-o", tmp_path / "out.xml"), "--out-format")
    assert " --format" not in line


# -- item 7: a stored-settings mismatch says what to do on the command line -------------------


def test_threshold_is_not_a_stored_setting(articles: Path, tmp_path: Path) -> None:
    """Verification thresholds are not stored: another --threshold reads the same index."""
    db = tmp_path / "seen.db"
    assert dk("run", articles, "-o", tmp_path / "a.jsonl", "--index", db, "-q").returncode == 0
    p = dk("run", articles, "-o", tmp_path / "b.jsonl", "--index", db, "--threshold", "0.5")
    assert p.returncode == 0, p.stderr


def test_signature_mismatch_names_the_flag_not_the_api(articles: Path, tmp_path: Path) -> None:
    from dedupe_ko import DedupConfig, Index
    from dedupe_ko.minhash import MinHashConfig

    db = tmp_path / "seen.db"
    Index.open(db, DedupConfig(minhash=MinHashConfig(num_perm=64))).close()
    p = dk("run", articles, "-o", tmp_path / "b.jsonl", "--index", db)
    line = assert_user_error(p, "--index")
    assert "Index.open" not in line and "num_perm" in line


# -- item 8: start-up ---------------------------------------------------------------------------


def test_run_does_not_import_scipy(articles: Path, tmp_path: Path) -> None:
    code = (
        "import sys\nfrom dedupe_ko.cli import main\n"
        f"rc = main(['run', {str(articles)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}, '-q'])\n"
        "assert rc == 0\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('scipy', 'datasketch', 'pyarrow', 'redis')))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


# -- item 9: rules list / check and the "removed most of everything" warning -------------------


def test_rules_list_prints_the_catalogue_and_user_rules(tmp_path: Path) -> None:
    rules = tmp_path / "my.toml"
    rules.write_text(PROMO_RULES, "utf-8")
    p = dk("rules", "list", "--rules", rules)
    assert p.returncode == 0, p.stderr
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    ids = [r[0] for r in rows]
    assert "promo.hanbit_mall" in ids and "ui.menu" in ids and len(ids) == len(set(ids))
    assert ["promo.hanbit_mall", "promo", "line", "한빛몰 특가 오늘만 50%"] in rows


def test_rules_check_passes_a_good_file(tmp_path: Path) -> None:
    rules = tmp_path / "my.toml"
    rules.write_text(PROMO_RULES, "utf-8")
    p = dk("rules", "check", rules)
    assert p.returncode == 0, p.stderr
    assert "0 problem(s)" in p.stderr


def test_rules_check_finds_a_dead_example(tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text(PROMO_RULES.replace('"한빛몰 특가 오늘만 50%"', '"한빛 특가 오늘만"'), "utf-8")
    p = dk("rules", "check", rules)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert "promo.hanbit_mall" in p.stderr and "'한빛 특가 오늘만'" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_rules_check_finds_a_greedy_rule(tmp_path: Path) -> None:
    rules = tmp_path / "greedy.toml"
    rules.write_text(
        PROMO_RULES
        + """
[[rule]]
id = "ui.everything"
category = "ui"
kind = "line"
pattern = '.*'
examples = ["기사 스크랩"]
""",
        "utf-8",
    )
    p = dk("rules", "check", rules)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert "ui.everything: removes body text" in p.stderr
    assert "1 problem(s)" in p.stderr


def test_rules_check_on_a_broken_file_is_a_user_error(tmp_path: Path) -> None:
    rules = tmp_path / "broken.toml"
    rules.write_text("[[rule]]\nid = 'x.y'\npattern = '('\n", "utf-8")
    assert_user_error(dk("rules", "check", rules), "broken.toml")


def test_a_run_that_empties_most_records_warns(articles: Path, tmp_path: Path) -> None:
    rules = tmp_path / "greedy.toml"
    rules.write_text(
        "[[rule]]\nid = 'ui.greedy'\ncategory = 'ui'\nkind = 'line'\n"
        "pattern = '.{10,}'\nexamples = ['아주 긴 메뉴 줄 하나입니다']\n",
        "utf-8",
    )
    p = dk("clean", articles, "-o", tmp_path / "out.jsonl", "--rules", rules)
    assert p.returncode == 0, p.stderr
    assert "warning: cleaning removed more than half of the text" in p.stderr
    p = dk("clean", articles, "-o", tmp_path / "out2.jsonl")
    assert "warning:" not in p.stderr


# -- item 10: progress bar and summary wording -------------------------------------------------


def _run_on_a_pty(args: list[str], cols: int) -> str:
    """Run the CLI with stderr on a pseudo-terminal ``cols`` wide; what the terminal showed."""
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedupe_ko", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("cols", [0, 120])
def test_progress_bar_shows_bytes_of_total(articles: Path, tmp_path: Path, cols: int) -> None:
    shown = _run_on_a_pty(
        ["clean", str(articles), "-o", str(tmp_path / "o.jsonl"), "-j", "1"], cols
    )
    size = articles.stat().st_size
    assert "100%" in shown, shown
    assert f"/{size}" in shown.replace("B/", "/") or f"{size / 1024:.2f}k" in shown, shown
    assert "records in" in shown


def test_summary_wording(articles: Path, tmp_path: Path) -> None:
    p = dk("clean", articles, "-o", tmp_path / "o.jsonl")
    first = p.stderr.splitlines()[0]
    assert (
        first == f"dedupe-ko clean: {len(ARTICLES)} records in, {len(ARTICLES)} written, "
        "0 quarantined"
    ), first
    p = dk("run", articles, "-o", tmp_path / "r.jsonl")
    assert "cleaned only" not in p.stderr
    assert f"{len(ARTICLES)} written had no duplicate" in p.stderr


# -- items 11 and 12: packaging, light core -----------------------------------------------------


def test_package_ships_typing_marker_license_and_absolute_doc_links() -> None:
    assert (ROOT / "dedupe_ko" / "py.typed").exists()
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["dedupe_ko"]
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(meta["project"]["urls"])
    assert "Typing :: Typed" in meta["project"]["classifiers"]
    readme = (ROOT / "README.md").read_text("utf-8")
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert links and all(link.startswith("https://") for link in links), links


_BLOCK = """
import importlib.abc, sys
class _Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyarrow", "zstandard", "redis"):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, _Missing())
from dedupe_ko.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _light(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The CLI as it runs after a bare ``pip install dedupe-ko`` (no extras)."""
    return subprocess.run(
        [sys.executable, "-c", _BLOCK, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_light_core_runs_the_main_job(tmp_path: Path) -> None:
    p = _light(
        "run",
        EXAMPLES,
        "-o",
        tmp_path / "kept.jsonl",
        "--clusters",
        tmp_path / "clusters.jsonl",
        "--index",
        tmp_path / "seen.db",
    )
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "kept.jsonl").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["-o", "out.parquet"], "dedupe-ko[parquet]"),
        (["-o", "out.jsonl.zst"], "dedupe-ko[zstd]"),
    ],
)
def test_a_feature_without_its_extra_names_the_extra(
    articles: Path, tmp_path: Path, args: list[str], extra: str
) -> None:
    p = _light("clean", articles, *[tmp_path / a if a.startswith("out") else a for a in args])
    assert_user_error(p, extra, "pip install")
    assert not list(tmp_path.glob("out*"))


def test_redis_index_without_the_extra_names_it(articles: Path, tmp_path: Path) -> None:
    p = _light("run", articles, "-o", tmp_path / "o.jsonl", "--index", "redis://127.0.0.1:1/0")
    assert_user_error(p, "dedupe-ko[redis]")


def test_verbose_flag_turns_on_diagnostics(articles: Path, tmp_path: Path) -> None:
    quiet = dk("clean", articles, "-o", tmp_path / "a.jsonl", "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = dk("clean", articles, "-o", tmp_path / "b.jsonl", "-q", "-v")
    assert loud.returncode == 0
    assert "INFO" in loud.stderr and str(articles) in loud.stderr


def test_startup_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "startup.md"
    p = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_startup.py"),
            "--repeat",
            "1",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    rows = [r for r in out.read_text("utf-8").splitlines() if r.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows[1:]] == [
        '| baseline: python -c "import ftfy, regex"',
        "| now: dedupe-ko clean, 1 record",
        "| now: dedupe-ko run, 1 record",
    ]
    assert rows[1].endswith("| 1.00x |") and "| 1.00x |" in rows[1]


def test_clean_does_not_import_the_dedup_stack(articles: Path, tmp_path: Path) -> None:
    code = (
        "import sys\nfrom dedupe_ko.cli import main\n"
        f"rc = main(['clean', {str(articles)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}, '-q',"
        " '-j', '1'])\n"
        "assert rc == 0\nprint(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numpy', 'scipy', 'datasketch', 'pyarrow', 'redis'}))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "check"],
        ["clean", "--jobs", "0"],
        ["clean", "--no-such-flag"],
        ["frobnicate"],
    ],
)
def test_command_line_mistakes_are_one_line(args: list[str]) -> None:
    assert_user_error(dk(*args), "--help")
