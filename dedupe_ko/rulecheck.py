"""Check a user rule file before a run uses it (``dedupe-ko rules check FILE``).

Loading (`load_rules`) already refuses a file that is malformed. This runs the file's rules
through the real cleaner, laid over the built-in catalogue, and reports, one line each:

- an example the rule does not remove (alone on a page, or before or after body text);
- a counter-example it removes;
- a rule that removes text from an ordinary news article (a ``.*`` that would empty every
  record), with the text it took.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .boilerplate import RuleSet, load_rules
from .clean import CleanConfig, clean_and_explain

__all__ = ["RuleProblem", "check_rule_file", "PROBE_ARTICLE"]

#: An ordinary article (our own text): no user rule should take anything from it.
PROBE_ARTICLE = (
    "서울시는 6일 시내버스 노선 47개를 다음 달부터 조정한다고 밝혔다.\n"
    "이번 조정은 출퇴근 시간대 혼잡을 줄이기 위한 것으로, 지하철역과 주거 단지를 잇는 노선이 "
    "늘어난다.\n"
    "시는 지난 3월부터 시민 2만여 명의 의견을 받아 계획을 다듬었다.\n"
    '한 시민은 "아침마다 버스를 두 번 갈아탔는데 이제 한 번이면 된다"며 반겼다.\n'
    "반면 일부 자치구는 노선이 줄어든 지역 주민의 불편이 커질 수 있다고 우려했다.\n"
    "시는 시행 뒤 석 달 동안 이용 실태를 점검해 보완책을 내놓을 계획이다."
)
_LEAD, _TAIL = PROBE_ARTICLE.split("\n")[0], PROBE_ARTICLE.split("\n")[-1]


@dataclass(frozen=True)
class RuleProblem:
    """One finding: the rule id and what is wrong, in a sentence that says what to change."""

    rule: str
    problem: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.problem}"


def _ids_in(path: Path) -> list[str]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [r["id"] for r in data.get("rule", []) if isinstance(r, dict) and "id" in r]


def _removed_by(page: str, config: CleanConfig, rule_id: str) -> list[str]:
    return [r.text for r in clean_and_explain(page, config).removals if r.rule == rule_id]


def check_rule_file(path: str | Path) -> tuple[RuleSet, list[RuleProblem]]:
    """Load ``path`` over the built-in catalogue and check each rule it defines.

    Raises `RuleError` (or `OSError`) when the file cannot be loaded at all.
    """
    path = Path(path)
    rules = load_rules([path])
    config = CleanConfig(rule_files=(str(path),))
    problems: list[RuleProblem] = []
    for rid in _ids_in(path):
        rule = next((r for r in rules.rules if r.id == rid), None)
        if rule is None:  # defined and disabled in the same file
            continue
        if not rule.examples and rule.kind != "context":
            problems.append(
                RuleProblem(
                    rid,
                    'has no examples; add examples = ["..."] with '
                    "lines of furniture it must remove",
                )
            )
        for ex in rule.examples:
            pages = (ex, f"{_LEAD}\n{ex}", f"{ex}\n{_LEAD}", f"{_LEAD}\n{ex}\n{_TAIL}")
            if not any(_removed_by(p, config, rid) for p in pages):
                problems.append(
                    RuleProblem(
                        rid, f"does not remove its example {ex!r}; fix the pattern or the example"
                    )
                )
        for ex in rule.counter_examples:
            if _removed_by(f"{_LEAD}\n{ex}\n{_TAIL}", config, rid):
                problems.append(RuleProblem(rid, f"removes its counter-example {ex!r}"))
        taken = _removed_by(PROBE_ARTICLE, config, rid)
        if taken:
            first = taken[0].strip()
            show = first if len(first) <= 60 else first[:57] + "..."
            problems.append(
                RuleProblem(
                    rid,
                    f"removes body text from an ordinary article ({len(taken)} cut(s), e.g. "
                    f"{show!r}); narrow the pattern, lower max_chars or pick a narrower kind",
                )
            )
    return rules, problems
