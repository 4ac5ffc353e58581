"""The rule catalogue: every rule's own examples, the negative set, user rule files."""

from __future__ import annotations

from pathlib import Path

import pytest
from _shared import FIXTURES

from dedupe_ko import RuleError, clean_and_explain, load_rules
from dedupe_ko.boilerplate import KINDS, RuleSet
from dedupe_ko.clean import COLLAPSED_CHARS

RULES = load_rules()
ALL_ZONES = frozenset({"any", "head", "tail", "body", "first", "last"})


def _removed(rule_id: str, line: str, zones: frozenset[str] = ALL_ZONES) -> str:
    """What rule `rule_id` alone removes from `line`."""
    rule = RULES.by_id(rule_id)
    alone = RuleSet((rule,))
    if rule.kind in ("head", "tail"):  # applied to whole lines outside the body block
        return line if alone.layout_rule(line, rule.zone) else ""
    if rule.kind == "beside":  # applied to a line next to furniture removed by these rules
        credit = RuleSet((RULES.by_id("caption.credit"),))
        return line if alone.beside_rule(line, credit.rules) else ""
    cuts, _, _ = alone.strip_line(line, zones, after=_after_for(rule_id))
    return "".join(line[c.start : c.end] for c in cuts)


def _zones_in_use(line: str) -> frozenset[str]:
    """The zones the cleaner gives a line that is both first and last on its page."""
    edge = {"first", "last"} if len(line) > COLLAPSED_CHARS else set()
    return frozenset({"any", "head", "tail", *edge})


def _after_for(rule_id: str) -> str | None:
    rule = RULES.by_id(rule_id)
    return min(rule.near) if rule.kind == "context" else None


def test_catalogue_has_the_required_categories() -> None:
    categories = {r.category for r in RULES.rules}
    assert {
        "ui",
        "reaction",
        "wire",
        "byline",
        "copyright",
        "caption",
        "promo",
        "timestamp",
    } <= categories
    assert all(r.kind in KINDS for r in RULES.rules)
    assert len({r.id for r in RULES.rules}) == len(RULES.rules)


@pytest.mark.parametrize(
    ("rule_id", "example"),
    [(r.id, e) for r in RULES.rules for e in r.examples],
)
def test_rule_acts_on_its_examples(rule_id: str, example: str) -> None:
    assert _removed(rule_id, example).strip(), f"{rule_id} left {example!r} alone"


@pytest.mark.parametrize(
    ("rule_id", "counter"),
    [(r.id, e) for r in RULES.rules for e in r.counter_examples],
)
def test_rule_leaves_its_counter_examples_alone(rule_id: str, counter: str) -> None:
    assert _removed(rule_id, counter, _zones_in_use(counter)) == ""


def test_every_rule_documents_itself_with_examples() -> None:
    missing = [r.id for r in RULES.rules if not r.examples and r.kind != "context"]
    assert missing == []


NEGATIVE = [
    line
    for line in (FIXTURES / "negative.txt").read_text("utf-8").splitlines()
    if line and not line.startswith("#")
]


@pytest.mark.parametrize("sentence", NEGATIVE)
def test_negative_sentence_survives_on_a_page(sentence: str) -> None:
    page = "\n".join(
        [
            "법원, 공유 킥보드 사고 책임 첫 판단",
            "기사 스크랩",
            "공유",
            "(서울=한빛뉴스) 이도윤 기자 = 서울중앙지법은 10일 전동킥보드 사고의 책임 비율을 처음 판단했다.",
            sentence,
            "재판부는 운영사에도 관리 책임이 있다고 봤다.",
            "저작권자 ⓒ 한빛뉴스, 무단 전재 및 재배포 금지",
        ]
    )
    cleaned = clean_and_explain(page)
    assert sentence.replace("'", "'") in cleaned.paragraphs
    assert not any(sentence in r.text for r in cleaned.removals)


def test_negative_sentence_survives_as_first_and_last_line() -> None:
    for sentence in NEGATIVE:
        for page in (sentence + "\n댓글", "공유\n" + sentence):
            assert clean_and_explain(page).text == sentence, page


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, "utf-8")
    return path


def test_user_file_adds_a_rule(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[[rule]]
id = "promo.house_ad"
category = "promo"
kind = "line"
pattern = '한빛몰 특가.{0,30}'
examples = ["한빛몰 특가 오늘만 50%"]
""",
    )
    page = "공정위, 온라인 쇼핑몰 표시광고 점검\n공유\n본문 문장이 여기에 있다고 밝혔다.\n한빛몰 특가 오늘만 50%\n다음 문장도 본문이라고 밝혔다."
    assert "한빛몰" in clean_and_explain(page).text
    cleaned = clean_and_explain(page, rule_files=(str(path),))
    assert cleaned.text == "본문 문장이 여기에 있다고 밝혔다.\n다음 문장도 본문이라고 밝혔다."
    assert any(r.rule == "promo.house_ad" for r in cleaned.removals)


def test_user_file_overrides_and_disables(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
disable = ["reaction.count"]

[[rule]]
id = "ui.separator"
category = "ui"
kind = "line"
pattern = '[=]{3,}'
""",
    )
    rules = load_rules([path])
    assert "reaction.count" not in {r.id for r in rules.rules}
    assert rules.by_id("ui.separator").pattern == "[=]{3,}"
    page = "제목\n공유\n본문이 여기에 있다고 밝혔다.\n0\n===\n끝 문장이라고 밝혔다."
    assert clean_and_explain(page).text == "본문이 여기에 있다고 밝혔다.\n끝 문장이라고 밝혔다."
    assert clean_and_explain(page, rule_files=(str(path),)).text == (
        "본문이 여기에 있다고 밝혔다.\n0\n끝 문장이라고 밝혔다."
    )


def test_disabled_rules_and_categories_from_config() -> None:
    page = "공정위, 온라인 쇼핑몰 점검\n공유\n본문이 여기에 있다고 밝혔다.\n저작권자 ⓒ 한빛뉴스, 무단 전재 및 재배포 금지"
    kept = clean_and_explain(page, categories=frozenset({"ui"}))
    assert kept.text.endswith("무단 전재 및 재배포 금지")
    assert clean_and_explain(page).text == "본문이 여기에 있다고 밝혔다."
    no_menu = clean_and_explain(page, disabled_rules=frozenset({"ui.menu", "layout.before_body"}))
    assert no_menu.title == "공정위, 온라인 쇼핑몰 점검"
    assert no_menu.text == "공유\n본문이 여기에 있다고 밝혔다."


_OK = "[[rule]]\nid='x.y'\ncategory='ui'\nkind='line'\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_OK + "pattern='('\n", "does not compile"),
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='a'\nkind='middle'\n", "not one of the kinds"),
        (
            "[[rule]]\nid='x.y'\ncategory='ui'\npattern='a'\n",
            "rule 'x.y': needs a kind: one of line,",
        ),
        ("[[rule]]\nid='x.y'\ncategory='menu'\nkind='line'\npattern='a'\n", "category must be"),
        (_OK + "pattern='{nope}'\n", "unknown vocabulary"),
        (_OK + "pattern='a'\ncolour='red'\n", "unknown field"),
        ("disable = ['no.such_rule']\n", "cannot disable unknown"),
        ("[[rule]\n", "not valid TOML"),
        (_OK + "pattern='a'\nmax_chars='10'\n", "whole number"),
        (_OK + "pattern='a'\nmax_chars=0\n", "positive whole number"),
        (_OK + "pattern='a'\nexamples='a'\n", "list of non-empty strings"),
        (
            _OK + "pattern='a'\nnear=['promo.arrow']\n",
            "near .* is for the kinds context and beside",
        ),
        (
            "[[rule]]\nid='x.y'\ncategory='promo'\nkind='context'\npattern='a'\nnear=['no.such']\n",
            "rules.toml: rule 'x.y': near names \\['no.such'\\]",
        ),
        (
            _OK + "pattern='공유'\nexamples=['댓글']\n",
            "rule 'x.y': does not remove its example '댓글'",
        ),
        (
            _OK + "pattern='.{2,40}'\ncounter_examples=['공유 경제가 커졌다.']\n",
            "rule 'x.y': removes its counter-example '공유 경제가 커졌다.'",
        ),
    ],
)
def test_bad_rule_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_rules([_write(tmp_path, text)])


def test_missing_rule_file() -> None:
    with pytest.raises(RuleError, match="not found"):
        load_rules(["/nonexistent/rules.toml"])


@pytest.mark.parametrize("rule_id", [r.id for r in RULES.rules if r.requires is not None])
def test_quick_precheck_never_hides_a_match(rule_id: str) -> None:
    rule = RULES.by_id(rule_id)
    for line in rule.examples:
        found = (
            rule.compiled.fullmatch(line) if rule.scope == "line" else rule.compiled.search(line)
        )
        if found:
            assert rule.requires.search(line), (rule_id, line)


# -- the old schema: scope / zone / edge / after / beside / caption_max are refused with the
# kind that does the same ------------------------------------------------------------------

# old fields -> the kind to write, and the placement the old engine gave them
# (scope, zone, ends of a collapsed page)
OLD = [
    ("scope = 'line'", "line", ("line", "any", "")),
    ("scope = 'line'\nedge = true", "ends", ("line", "any", "both")),
    ("edge = 'prefix'", "opening", ("line", "any", "start")),
    ("scope = 'line'\nedge = 'suffix'", "closing", ("line", "any", "end")),
    ("scope = 'prefix'", "prefix", ("prefix", "any", "")),
    ("scope = 'prefix'\nzone = 'edge'", "page_start", ("prefix", "edge", "")),
    ("scope = 'suffix'", "suffix", ("suffix", "any", "")),
    ("scope = 'suffix'\ncaption_max = 120", "caption", ("suffix", "any", "")),
    ("after = ['promo.arrow']", "context", ("line", "any", "")),
    ("beside = ['caption']", "beside", ("line", "any", "")),
    ("zone = 'body'", "inside", ("line", "body", "")),
    ("zone = 'head'", "head", ("line", "head", "")),
    ("zone = 'tail'", "tail", ("line", "tail", "")),
]


@pytest.mark.parametrize(("fields", "kind", "placement"), OLD)
def test_old_schema_is_refused_with_its_kind(
    tmp_path: Path, fields: str, kind: str, placement: tuple[str, str, str]
) -> None:
    text = f"[[rule]]\nid = 'promo.old'\ncategory = 'promo'\n{fields}\npattern = '홍보'\n"
    with pytest.raises(RuleError) as e:
        load_rules([_write(tmp_path, text)])
    message = str(e.value)
    assert "rule 'promo.old'" in message and f'write kind = "{kind}"' in message, message
    for line in fields.splitlines():
        assert line.split(" =")[0] in message
    spec = KINDS[kind]
    assert (spec.scope, spec.zone, spec.ends) == placement
    if "after" in fields:
        assert "near = ['promo.arrow']" in message
    if "beside" in fields:
        assert "near = ['caption']" in message
    if "caption_max" in fields:
        assert spec.caption and "max_chars = 120" in message


def test_old_schema_combination_without_a_kind_says_so(tmp_path: Path) -> None:
    text = "[[rule]]\nid='promo.old'\ncategory='promo'\nscope='prefix'\nzone='tail'\npattern='a'\n"
    with pytest.raises(RuleError, match="no kind does what this combination did"):
        load_rules([_write(tmp_path, text)])


def test_migrated_rule_acts_as_its_kind(tmp_path: Path) -> None:
    """A sign-off rule written with kind = "closing" takes the sign-off glued to the end of a
    collapsed page and a sign-off line, and leaves the same words at the start of a page."""
    path = _write(
        tmp_path,
        """
[[rule]]
id = "byline.hanbit_desk"
category = "byline"
kind = "closing"
max_chars = 30
pattern = '한빛데스크\\s*드림'
examples = ["한빛데스크 드림"]
""",
    )
    body = " ".join(
        [
            "서울시는 6일 시내버스 노선 47개를 다음 달부터 조정한다고 밝혔다.",
            "이번 조정은 출퇴근 시간대 혼잡을 줄이기 위한 것으로 지하철역과 주거 단지를 잇는 노선이 늘어난다.",
            "시는 지난 3월부터 시민 2만여 명의 의견을 받아 계획을 다듬었다.",
            "반면 일부 자치구는 노선이 줄어든 지역 주민의 불편이 커질 수 있다고 우려했다.",
            "시는 시행 뒤 석 달 동안 이용 실태를 점검해 보완책을 내놓을 계획이다.",
            "한 시민은 아침마다 버스를 두 번 갈아탔는데 이제 한 번이면 된다며 반겼다.",
            "시는 노선 조정과 함께 정류장 안내 화면과 배차 간격 알림 서비스도 새로 바꾸기로 했다.",
        ]
    )
    assert len(body) > 300  # a page collapsed onto one line
    cleaned = clean_and_explain(body + " 한빛데스크 드림", rule_files=(str(path),))
    assert "한빛데스크" not in cleaned.text
    assert [r.rule for r in cleaned.removals if "한빛데스크" in r.text] == ["byline.hanbit_desk"]
    assert cleaned.text.replace("\n", " ").split() == body.split()
    lines = clean_and_explain("첫 문장이라고 밝혔다.\n한빛데스크 드림", rule_files=(str(path),))
    assert lines.text == "첫 문장이라고 밝혔다."
    assert "byline.hanbit_desk" not in {
        r.rule
        for r in clean_and_explain("한빛데스크 드림 " + body, rule_files=(str(path),)).removals
    }


def test_catalogue_dispatch_covers_every_kind_once() -> None:
    """Every rule is seen by exactly the matcher paths of its kind."""
    groups = {
        "_line": {"line", "ends", "opening", "closing", "context", "inside"},
        "_beside": {"beside"},
        "_layout": {"head", "tail"},
        "_prefix": {"prefix", "page_start"},
        "_suffix": {"suffix", "caption"},
    }
    assert set().union(*groups.values()) == set(KINDS)
    for name, kinds in groups.items():
        got = getattr(RULES, name)
        assert {r.kind for r in got} <= kinds
        assert [r.id for r in got] == [r.id for r in RULES.rules if r.kind in kinds]
    assert {r.kind for r in RULES.rules} == set(KINDS)  # the catalogue uses every kind


def test_the_documented_rule_file_loads_and_acts(tmp_path: Path) -> None:
    """The example in docs/cleaning.md is a rule file of the current schema that works."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "cleaning.md").read_text("utf-8")
    block = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert block is not None
    path = tmp_path / "doc.toml"
    path.write_text(block.group(1), "utf-8")
    rules = load_rules([path])
    assert rules.by_id("promo.house_ad").kind == "line"
    assert "reaction.count" not in {r.id for r in rules.rules}


def test_cli_refuses_an_old_schema_rule_file_with_the_migration(tmp_path: Path) -> None:
    import subprocess
    import sys

    rules = _write(
        tmp_path,
        "[[rule]]\nid = 'promo.house'\ncategory = 'promo'\nscope = 'line'\nedge = true\n"
        "pattern = '한빛몰 특가'\n",
    )
    page = tmp_path / "in.jsonl"
    page.write_text('{"id": "a", "text": "본문 문장이 여기에 있다고 밝혔다."}\n', "utf-8")
    out = tmp_path / "out.jsonl"
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "dedupe_ko",
            "clean",
            str(page),
            "-o",
            str(out),
            "--rules",
            str(rules),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert p.returncode == 1
    assert "rule 'promo.house'" in p.stderr and 'write kind = "ends"' in p.stderr
    assert not out.exists()
