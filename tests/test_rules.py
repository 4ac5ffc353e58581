"""The rule catalogue: every rule's own examples, the negative set, user rule files."""

from __future__ import annotations

from pathlib import Path

import pytest
from _shared import FIXTURES

from dedupe_ko import RuleError, clean_and_explain, load_rules
from dedupe_ko.boilerplate import SCOPES, RuleSet
from dedupe_ko.clean import COLLAPSED_CHARS

RULES = load_rules()
ALL_ZONES = frozenset({"any", "head", "tail", "body", "first", "last"})


def _removed(rule_id: str, line: str, zones: frozenset[str] = ALL_ZONES) -> str:
    """What rule `rule_id` alone removes from `line`."""
    rule = RULES.by_id(rule_id)
    alone = RuleSet((rule,))
    if rule.category == "layout":  # applied to whole lines outside the body block
        return line if alone.layout_rule(line, rule.zone) else ""
    if rule.beside:  # applied to a line next to furniture removed by these rules
        credit = RuleSet((RULES.by_id("caption.credit"),))
        return line if alone.beside_rule(line, credit.rules) else ""
    cuts, _, _ = alone.strip_line(line, zones, after=_after_for(rule_id))
    return "".join(line[c.start : c.end] for c in cuts)


def _zones_in_use(line: str) -> frozenset[str]:
    """The zones the cleaner gives a line that is both first and last on its page."""
    edge = {"first", "last"} if len(line) > COLLAPSED_CHARS else set()
    return frozenset({"any", "head", "tail", *edge})


def _after_for(rule_id: str) -> str | None:
    after = RULES.by_id(rule_id).after
    return next(iter(sorted(after))) if after else None


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
    assert all(r.scope in SCOPES for r in RULES.rules)
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
    missing = [r.id for r in RULES.rules if not r.examples and not r.after]
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
scope = "line"
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
scope = "line"
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='('\n", "does not compile"),
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='a'\nscope='middle'\n", "scope must be"),
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='{nope}'\n", "unknown vocabulary"),
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='a'\ncolour='red'\n", "unknown field"),
        ("disable = ['no.such_rule']\n", "cannot disable unknown"),
        ("[[rule]\n", "not valid TOML"),
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='a'\nmax_chars='10'\n", "whole number"),
        ("[[rule]]\nid='x.y'\ncategory='ui'\npattern='a'\nexamples='a'\n", "list of strings"),
        (
            "[[rule]]\nid='x.y'\ncategory='ui'\npattern='공유'\nexamples=['댓글']\n",
            "rule 'x.y': its example '댓글' is not matched",
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
