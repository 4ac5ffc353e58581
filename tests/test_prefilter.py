"""Quick checks before a rule's pattern runs (`dedupe_ko.prefilter`): never wrong, and useful.

A check may let through text the pattern then rejects, but it must find something in every
text the pattern matches; otherwise a rule would stop firing."""

from __future__ import annotations

import random

import pytest
import regex

from dedupe_ko.boilerplate import load_rules
from dedupe_ko.lexicon import VOCAB
from dedupe_ko.prefilter import necessary

NAMES = ["홍길동", "김하늘", "박서윤", "이도윤"]
PIECES = [
    *NAMES,
    " ",
    "기자",
    " 기자",
    "특파원",
    "=",
    "(서울=한빛뉴스)",
    "hong@hanbit.co.kr",
    "@",
    "2024.3.5",
    "12",
    "사진",
    "/",
    "제공",
    "▶",
    "ⓒ",
    "[",
    "]",
    "서울시가 야간 개방 시간을 늘리기로 했다.",
    "입력",
    "무단전재",
    "금지",
    "Seoul",
    "·",
]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8))) for _ in range(n)]


def test_the_check_finds_what_every_match_holds() -> None:
    p = regex.compile(r"[\[(]?(?:[가-힣]{2,4})\s*(?:기자|특파원)(?:\s*[\])])?")
    q = necessary(p)
    assert q is not None
    assert q.search("홍길동 기자") and q.search("[김하늘 특파원]")
    assert q.search("홍길동 앵커") is None  # the pattern cannot match here: it is skipped


@pytest.mark.parametrize(
    "source, flags",
    [
        (r"\p{Hangul}+\s*기자", 0),  # syntax only the regex module reads
        (r"(?i)reporter", 0),
        (r"reporter", regex.IGNORECASE),
        (r"(?:기자){e<=1}", 0),  # a fuzzy match need not hold the literal
        (r"[^\n]{2,40}", 0),  # any text may match
        (r"(?:기자)?\s*", 0),
        (r"\s+|\.", 0),  # spaces and stops are everywhere: no useful check
    ],
)
def test_patterns_it_cannot_read_or_use_always_run(source: str, flags: int) -> None:
    assert necessary(regex.compile(source, flags)) is None


def test_no_check_hides_a_match_of_its_rule() -> None:
    rules = load_rules()
    texts = _texts(4000, seed=5)
    checked = 0
    for rule in rules.rules:
        for pattern in (rule.compiled, rule.edge_prefix, rule.edge_suffix, rule.edge_inner):
            if pattern is None:
                continue
            q = necessary(pattern)
            if q is None:
                continue
            checked += 1
            for text in [*texts, *rule.examples]:
                if pattern.search(text) is not None:
                    assert q.search(text) is not None, (rule.id, pattern.pattern[:60], text)
    assert checked >= 40  # most of the catalogue gets a check


def test_vocabulary_shapes_get_checks() -> None:
    email = necessary(regex.compile(str(VOCAB["email_re"])))
    assert email is not None and email.search("hong@hanbit.co.kr")
    date = necessary(regex.compile(str(VOCAB["date_re"])))
    assert date is not None and date.search("2024.3.5") and date.search("오후 두 시") is None


def test_a_suffix_pattern_ends_only_with_its_last_characters() -> None:
    from dedupe_ko.prefilter import last_chars

    p = regex.compile(r"(?:\s*[가-힣]{2,4}\s*(?:기자|특파원))\s*$", regex.REVERSE)
    ends = last_chars(p)
    assert ends is not None and ends.match("자") and ends.match("원") and not ends.match(".")
    assert last_chars(regex.compile(r"(?:[^\n]{2,40})\s*$", regex.REVERSE)) is None
    assert last_chars(regex.compile(r"기자\s?", regex.REVERSE)) is None  # not anchored

    rules = load_rules()
    space = regex.compile(r"\s*$", regex.REVERSE)
    checked = 0
    for rule in rules.rules:
        ends = last_chars(rule.compiled) if rule.scope == "suffix" else None
        if ends is None:
            continue
        checked += 1
        for text in [*_texts(3000, seed=9), *rule.examples]:
            m = rule.compiled.match(text)
            if m is not None and m.end() > m.start():
                k = space.match(text).start()
                assert k and ends.match(text[k - 1]), (rule.id, text)
    assert checked >= 3


def test_a_prefix_pattern_starts_only_with_its_first_characters() -> None:
    from dedupe_ko.prefilter import first_chars

    p = regex.compile(r"^\s*(?:[\[(]\s*[가-힣]{2,4}\s*=\s*[가-힣]+\s*[\])])")
    starts = first_chars(p)
    assert starts is not None and starts.match("[") and starts.match("(") and not starts.match("가")
    assert first_chars(regex.compile(r"^\s*(?:[^\n]{2,40})")) is None
    assert first_chars(regex.compile(r"(?:기자)")) is None  # not anchored

    rules = load_rules()
    space = regex.compile(r"\s*")
    checked = 0
    for rule in rules.rules:
        starts = first_chars(rule.compiled) if rule.scope == "prefix" else None
        if starts is None:
            continue
        checked += 1
        for text in [*_texts(3000, seed=11), *rule.examples]:
            m = rule.compiled.match(text)
            if m is not None and m.end() > 0:
                k = space.match(text).end()
                assert k < len(text) and starts.match(text[k]), (rule.id, text)
    assert checked >= 4


def test_a_whole_line_match_starts_and_ends_with_its_characters() -> None:
    from dedupe_ko.prefilter import whole_chars

    first, last = whole_chars(regex.compile(r"[\[(]\s*[가-힣]{2,4}\s*기자\s*[\])]"))
    assert first is not None and first.match("[") and not first.match("홍")
    assert last is not None and last.match(")") and not last.match("자")
    assert whole_chars(regex.compile(r"(?:[^\n]*기자)?")) == (None, None)

    rules = load_rules()
    checked = 0
    for rule in rules.rules:
        if rule.scope != "line":
            continue
        first, last = whole_chars(rule.compiled)
        if first is None and last is None:
            continue
        checked += 1
        for text in [*_texts(2000, seed=13), *rule.examples]:
            if text and rule.compiled.fullmatch(text):
                assert first is None or first.match(text), (rule.id, text)
                assert last is None or last.match(text, len(text) - 1), (rule.id, text)
    assert checked >= 15


def test_case_insensitive_parts_get_no_check() -> None:
    from dedupe_ko.prefilter import first_chars, last_chars, whole_chars

    assert necessary(regex.compile(r"(?i:copyright)\s*한빛")) is not None  # 한빛 is still needed
    first, last = whole_chars(regex.compile(r"기자\s*(?i:news)"))
    assert first is not None and first.match("기") and last is None
    assert last_chars(regex.compile(r"(?:기자\s*(?i:news))\s*$", regex.REVERSE)) is None
    assert first_chars(regex.compile(r"^\s*(?:(?i:news)\s*기자)")) is None


SPACES = [" ", "\u3000", "\xa0", "\t", "\x1c", "\x1f", "\u200b", "\u2028"]  # \x1c-\x1f: re only


def test_a_re_twin_matches_exactly_what_its_regex_pattern_does() -> None:
    from dedupe_ko.prefilter import on_re

    rules = load_rules()
    rng = random.Random(11)
    texts = _texts(3000, seed=7)
    # Odd spaces where the modules' \s would differ if the twin read \s as `re` does.
    texts += [t.replace(" ", rng.choice(SPACES)) for t in texts[:1500]]
    twins = 0
    for rule in rules.rules:
        lines = [*texts, *rule.examples, *rule.counter_examples]
        for pattern in (rule.compiled, rule.edge_prefix, rule.edge_inner):
            twin = None if pattern is None else on_re(pattern)
            if twin is None:
                continue
            twins += 1
            for text in lines:
                for a, b in (
                    (pattern.match(text), twin.match(text)),
                    (pattern.fullmatch(text), twin.fullmatch(text)),
                    (pattern.search(text), twin.search(text)),
                ):
                    assert (a and a.span()) == (b and b.span()), (rule.id, text)
    assert twins >= 80  # every forward pattern of the catalogue has one


@pytest.mark.parametrize(
    "source, flags",
    [
        (r"\w+기자", 0),  # word characters: the modules' sets differ
        (r"\b기자", 0),
        (r"\p{Hangul}+", 0),
        (r"기자\s*$", regex.REVERSE),
        (r"(?<=기자\s*)=", 0),  # variable-width lookbehind
        (r"[^\S\n]+기자", 0),  # \S inside a set
        (r"reporter", regex.IGNORECASE),
        (r"(?:기자){e<=1}", 0),
    ],
)
def test_patterns_re_may_read_otherwise_get_no_twin(source: str, flags: int) -> None:
    from dedupe_ko.prefilter import on_re

    assert on_re(regex.compile(source, flags)) is None


def test_a_twin_spells_out_regex_spaces() -> None:
    from dedupe_ko.prefilter import on_re

    twin = on_re(regex.compile(r"홍길동\s*기자[\s=]+"))
    assert twin is not None
    assert twin.fullmatch("홍길동\u3000기자 =") and twin.fullmatch("홍길동\x1c기자=") is None
    assert regex.fullmatch(r"홍길동\s*기자[\s=]+", "홍길동\x1c기자=") is None


def test_an_edge_gate_admits_the_ends_of_every_match() -> None:
    from dedupe_ko.prefilter import edge_gate, edge_of

    p = regex.compile(r"(?:\s*[가-힣]{2,4}\s*(?:기자|특파원))\s*$", regex.REVERSE)
    gate = edge_gate(p, at_end=True)
    assert gate is not None
    assert gate.match("자기 동") and gate.match("원파특") and gate.match(" 자기")
    assert not gate.match(".다했") and not gate.match("다자기")
    assert edge_gate(regex.compile(r"(?:[^\n]{2,40})\s*$", regex.REVERSE), at_end=True) is None
    start = edge_gate(regex.compile(r"^\s*(?:\[[^\]]{1,20}\]|▶)"), at_end=False)
    assert (
        start is not None and start.match("[서울") and start.match(" ▶") and not start.match("서울")
    )

    # Every suffix and collapsed-page-end pattern of the catalogue: whatever it matches at the
    # end of a text, the gate admits that text's last characters.
    rules = load_rules()
    checked = 0
    for rule in rules.rules:
        pattern = rule.compiled if rule.scope == "suffix" else rule.edge_suffix
        gate = None if pattern is None else edge_gate(pattern, at_end=True)
        if gate is None:
            continue
        checked += 1
        texts = [
            *_texts(1500, seed=11),
            *rule.examples,
            *(f"그는 말했다. {e}" for e in rule.examples),
        ]
        for text in texts:
            m = pattern.match(text)
            if m is not None:
                assert gate.match(edge_of(text, at_end=True)), (rule.id, text)
    assert checked >= 15


def test_a_start_gate_admits_the_starts_of_every_prefix_match() -> None:
    from dedupe_ko.prefilter import EDGE_CHARS, edge_gate

    rules = load_rules()
    checked = 0
    for rule in rules.rules:
        if rule.scope != "prefix":
            continue
        gate = edge_gate(rule.compiled, at_end=False)
        if gate is None:
            continue
        checked += 1
        texts = [
            *_texts(1500, seed=12),
            *rule.examples,
            *(f"{e} 그는 말했다." for e in rule.examples),
        ]
        for text in texts:
            m = rule.compiled.match(text)
            if m is not None and m.end() > 0:
                assert gate.match(text[:EDGE_CHARS]), (rule.id, text)
    assert checked >= 5


def test_an_end_gate_admits_the_ends_of_every_whole_line_match() -> None:
    from dedupe_ko.prefilter import edge_gate, edge_of

    rules = load_rules()
    checked = 0
    for rule in rules.rules:
        if rule.scope != "line":
            continue
        gate = edge_gate(rule.compiled, at_end=True)
        if gate is None:
            continue
        checked += 1
        for text in [*_texts(800, seed=13), *rule.examples]:
            if rule.compiled.fullmatch(text):
                assert gate.match(edge_of(text, at_end=True)), (rule.id, text)
    assert checked >= 20


def test_the_checks_of_each_alternative_admit_every_match() -> None:
    import re

    from dedupe_ko.prefilter import admitted, edge_checks, edge_of

    p = regex.compile(
        r"(?:\s*(?:[\[(]\s*사진\s*=\s*[^\])]{1,20}[\])]|/\s*[가-힣]{2,8}))\s*$", regex.REVERSE
    )
    checks = edge_checks(p, at_end=True)
    assert checks is not None and len(checks[1]) == 2
    assert admitted(checks, edge_of("했다.", at_end=True)) == (False, None)  # neither ends so
    ok, literal = admitted(checks, edge_of("뉴스1)", at_end=True))
    assert ok and literal is not None and re.search(literal, "(사진=뉴스1)")
    assert not re.search(literal, "그는 말했다(웃음)")  # the bracket alternative needs 사진

    rules = load_rules()
    checked = 0
    for rule in rules.rules:
        if rule.scope == "prefix":
            pattern, at_end = rule.compiled, False
        elif rule.scope == "suffix":
            pattern, at_end = rule.compiled, True
        else:
            pattern, at_end = rule.edge_suffix, True
        texts = [*_texts(1000, seed=14), *rule.examples]
        texts += [f"그는 말했다. {e}" if at_end else f"{e} 그는 말했다." for e in rule.examples]
        matched = [t for t in texts if pattern is not None and pattern.match(t) is not None]
        for k in (2, 3):  # the matcher reads 2 characters at a start, 3 at an end
            checks = None if pattern is None else edge_checks(pattern, at_end, k)
            if checks is None:
                continue
            checked += 1
            for text in matched:
                ok, literal = admitted(checks, edge_of(text, at_end, k))
                assert ok, (rule.id, k, text)
                assert literal is None or re.search(literal, text), (rule.id, text)
    assert checked >= 50
