"""Issue 17: edited copies keep the source's sentence order (`sentences.in_order`).

The fixtures are written for these tests (a fictional company, city officials and plant).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from dedupe_ko.sentences import (
    EDITED_PRESENT,
    EditedText,
    SameText,
    fingerprint_batch,
    in_order,
    same_text,
)

# A press release of 8 sentences.
RELEASE = [
    "누리바이오가 경북 안동에 1천800억원을 들여 백신 원료 공장을 짓는다고 3일 밝혔다.",
    "안동시청에서 열린 협약식에는 최민규 누리바이오 대표와 권오석 안동시장, 김태연 경북도 "
    "경제부지사가 참석했다.",
    "새 공장은 연면적 4만2천㎡ 규모로 내년 5월 착공해 2028년부터 가동할 예정이다.",
    "회사는 공장이 가동되면 연간 백신 원료 생산량이 지금의 세 배로 늘어날 것으로 내다봤다.",
    "이번 투자로 지역에서 새로 채용하는 인원은 350명가량이 될 것으로 회사 측은 추산했다.",
    "경북도와 안동시는 공장 부지 진입로와 폐수 처리 시설을 우선 지원하기로 했다.",
    '최민규 대표는 "안동을 세계적인 백신 원료 생산 거점으로 키우겠다"고 말했다.',
    "누리바이오는 지난해 동남아 지역 수출이 늘면서 원료 공급 부족을 겪었다.",
]

# An outlet that reworded it line by line, in the release's order: under half of its
# sentences keep 60% of their 5-grams, so the share of present sentences is low.
EDITED = [
    "누리바이오는 경북 안동에 백신 원료 공장을 짓기 위해 1천800억원을 투자한다고 3일 발표했다.",
    "이날 안동시청에서 열린 투자 협약식에는 최민규 대표와 권오석 안동시장, 김태연 경북도 "
    "경제부지사 등이 함께했다.",
    "새 공장은 연면적 4만2천㎡ 규모로 내년 5월 착공해 2028년부터 본격 가동할 계획이다.",
    "공장이 가동되면 회사의 연간 백신 원료 생산량은 현재보다 세 배로 늘어날 전망이다.",
    "이번 투자로 지역에서 새로 채용하는 인원은 350명가량이 될 것으로 회사 측은 추산했다.",
    "경북도와 안동시는 공장 부지 진입로와 폐수 처리 시설을 우선 지원하기로 했다.",
    '최 대표는 "안동을 세계적인 백신 원료 생산 거점으로 키워 나가겠다"고 강조했다.',
    "누리바이오는 지난해 동남아 지역 수출이 늘면서 원료 공급 부족을 겪기도 했다.",
]

# The same sentences in another outlet's order: the quote first, the lede in the middle.
REORDERED = [EDITED[i] for i in (6, 3, 0, 7, 5, 2, 4, 1)]


def _pair(a: list[str], b: list[str]) -> tuple:
    prints = fingerprint_batch([" ".join(a), " ".join(b)])
    fa, fb = prints.of(0), prints.of(1)
    return fa, fb, same_text(fa, fb)


def test_an_edit_in_the_same_order_is_in_order():
    a, b, text = _pair(RELEASE, EDITED)
    assert 0.5 <= text.share < 0.7  # the share alone misses it
    e = in_order(a, b, text)
    assert isinstance(e, EditedText)
    assert e.ordered >= 0.85
    assert e.ordered >= text.share  # edited sentences count too
    assert "in order" in e.explain() and e.explain().startswith(text.explain())


def test_the_same_sentences_reordered_are_not():
    a, b, text = _pair(RELEASE, REORDERED)
    in_place = in_order(*_pair(RELEASE, EDITED))
    assert text.share == in_place.share  # the same sentences are present ...
    e = in_order(a, b, text)
    assert e.ordered < 0.5  # ... but they do not keep their order


def test_it_is_the_same_text_plus_its_order():
    a, b, text = _pair(RELEASE, EDITED)
    e = in_order(a, b, text)
    for f in fields(SameText):
        assert getattr(e, f.name) == getattr(text, f.name)
    assert in_order(b, a, same_text(b, a)).ordered == e.ordered  # either side first


def test_a_verbatim_copy_is_all_in_order_and_unrelated_text_none():
    a, b, text = _pair(RELEASE, RELEASE)
    assert in_order(a, b, text).ordered == 1.0
    other = [
        "서울 아침 기온이 영하 12도까지 떨어지며 올겨울 들어 가장 추운 날씨를 보였다.",
        "기상청은 이번 추위가 주말까지 이어질 것으로 내다봤다.",
        "시민들은 두꺼운 외투와 목도리로 무장한 채 출근길에 나섰다.",
    ]
    a, b, text = _pair(RELEASE, other)
    assert in_order(a, b, text).ordered == 0.0


def test_sentences_left_out_count_for_neither_side():
    a, b, _ = _pair(RELEASE, EDITED)
    # the two sentences left out as boilerplate: the first and the verbatim fifth
    out = np.array([a.hashes[0], a.hashes[4]], dtype=np.uint64)
    text = same_text(a, b, out)
    e = in_order(a, b, text, out)
    assert text.sentences == len(RELEASE) - 2
    assert 0.0 < e.ordered <= 1.0
    full = in_order(a, b, same_text(a, b))
    assert e.ordered != full.ordered


def test_an_edited_sentence_keeps_its_numbers():
    """The same skeleton filled with other figures: the reworded sentences whose numbers
    differ (three of eight) do not count as edited copies of the source's."""
    fill = [
        s.replace("1천800억", "2천500억")
        .replace("4만2천", "3만1천")
        .replace("2028", "2029")
        .replace("350", "410")
        .replace("3일", "7일")
        .replace("5월", "9월")
        for s in EDITED
    ]
    a, b, text = _pair(RELEASE, fill)
    assert text.numbers_found < 0.75
    e = in_order(a, b, text)
    assert e.ordered < in_order(*_pair(RELEASE, EDITED)).ordered - 0.2
    assert EDITED_PRESENT < 0.6  # an edited sentence needs fewer 5-grams than a present one
