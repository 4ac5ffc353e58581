"""Shortcuts taken for speed give the answers of the slow paths they skip (our own Korean
fixtures): end-of-text patterns run backwards, the body-block check of short texts."""

from __future__ import annotations

import pytest

from dedupe_ko import select_body
from dedupe_ko.blocks import BROWSER_TITLE
from dedupe_ko.lexicon import (
    CAPTION_END,
    NEWS_END,
    SENTENCE_END,
    STOP_END,
    VIEW_END,
    backwards,
    is_sentence,
)

ENDINGS = [
    "서울중앙지법 형사합의21부는 12일 피고인에게 징역 3년을 선고했다.",
    '재판부는 "범행이 계획적이었다"고 판시했다."',
    "시 관계자는 순찰 인력을 두 배로 늘렸다고 말했다)",
    "야간 방문객은 올해도 꾸준히 늘고 있어요",
    "정말 그런가요?",
    "그게 전부죠…",
    "대법원은 원심을 확정했다(2023도1234).",
    "12일 서울 여의도 한강공원에서 시민들이 산책을 하고 있다.",
    "서울 서초구 서울중앙지법 전경.",
    "한빛시청 청사 모습",
    "한빛일보 자료 사진 ",
    "참석자들이 기념 촬영을 하고 있다 ",
    "기념촬영하는 수상자들(사진)",
    "[속보] 한빛시, 한강공원 야간 개방 연장",
    "뚝섬·반포·여의도 등 5개 공원",
    "문의 02-123-4567",
    "다",
    ".",
    "",
    "끝.」』",
    '"요"',
]


@pytest.mark.parametrize(
    "pattern",
    [SENTENCE_END, STOP_END, CAPTION_END, VIEW_END, NEWS_END, BROWSER_TITLE],
    ids=lambda p: p.pattern[:20],
)
def test_a_pattern_run_backwards_finds_the_same_endings(pattern) -> None:
    back = backwards(pattern)
    for text in ENDINGS:
        for piece in (text, text + " 그리고", text[:-1], text.rstrip()):
            assert (back.match(piece) is not None) == (pattern.search(piece) is not None), piece


def test_is_sentence_also_before_a_final_line_break() -> None:
    sentence = "서울중앙지법 형사합의21부는 12일 피고인에게 징역 3년을 선고했다."
    assert is_sentence(sentence)
    assert is_sentence(sentence + "\n")  # "$" matches before a final "\n", as before
    assert not is_sentence("서울중앙지법 형사합의21부는 12일 선고 공판을")
    assert not is_sentence("짧은 문장이다.")


def _page(n_menu: int, browser_title: bool) -> list[str]:
    head = ["한빛시 한강공원 야간 개방 연장 - 한빛일보"] if browser_title else ["한빛일보"]
    menu = ["정치", "경제", "사회", "국제", "문화", "스포츠", "로그인", "회원가입"] * (
        n_menu // 8 + 1
    )
    body = [
        "서울시가 여름철 한강 수변공원의 야간 개방 시간을 오후 11시까지 늘리기로 했다.",
        "시는 7월부터 9월까지 5개 공원의 조명과 안전요원을 보강한다고 12일 밝혔다.",
        "이번 조치는 열대야가 길어지면서 공원을 찾는 시민이 늘어난 데 따른 것이다.",
    ]
    return head + menu[:n_menu] + body + menu[:n_menu]


def test_short_texts_are_not_pages_and_long_menus_still_are() -> None:
    short = _page(10, browser_title=False)
    assert len(short) < 40
    v = select_body(short)
    assert not v.page_like and v.kept == tuple(range(len(short))) and not v.dropped
    long = _page(30, browser_title=False)
    assert len(long) >= 40 and select_body(long).page_like
    # A short text whose first line is a browser title is still judged line by line: with
    # no sentence in it, it is a page whose body is elsewhere.
    titled = ["한빛시 한강공원 야간 개방 연장 - 한빛일보", "정치", "경제", "사회", "로그인"]
    assert select_body(titled).no_article


def test_a_near_copy_is_found_among_many_paragraphs() -> None:
    from dedupe_ko.paragraphs import find_repeats

    towns = ["뚝섬", "반포", "여의도", "망원", "난지", "잠실", "이촌", "양화", "광나루", "강서"]
    paras = [
        f"{town} 한강공원은 {k + 7}월부터 야간 개방 시간을 오후 {k % 3 + 10}시까지 늘리고 "
        f"안전요원 {k * 3 + 4}명을 새로 배치한다고 {k + 1}일 밝혔다."
        for k, town in enumerate(towns)
    ]
    copy = paras[6].replace("야간 개방", "야간개방").replace("밝혔다", "밝혔다 ")  # spacing only
    trimmed = paras[3][3:]  # the copy lost its first word: found by its middle and end
    got = find_repeats(
        [*paras, copy, "전혀 다른 내용의 문단으로 시민 의견을 듣는 설명회가 열린다.", trimmed]
    )
    assert got[10] == (6, 1.0)  # the same folded key
    assert got[12][0] == 3 and got[12][1] >= 0.95
    assert set(got) == {10, 12}


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


def test_ftfy_runs_only_where_it_changes_something() -> None:
    import random

    import ftfy

    from dedupe_ko.normalize import _FTFY, _fix_text

    good = [
        "서울시가 여름철 한강 수변공원의 야간 개방 시간을 오후 11시까지 늘리기로 했다.",
        '시 관계자는 "시민들이 더위를 피해 안전하게 쉴 수 있도록"이라고 말했다…',
        "뚝섬·반포·여의도 등 5개 공원 「안전 수칙」 안내 ‘야간 개방’",
        "Seoul extends Han River park hours",
        "",
        "▶ 관련 기사 보기",
    ]
    bad = [
        _mojibake("앞서 재판부는 피고인의 항소를 기각했다.", "cp1252"),
        _mojibake("한강 공원", "latin-1") + " 야간 개방",
        "한빛시 &amp; 한빛구 &frac12; 예산 &#8220;확정&#8221;",
        "공원\u2028안내",
        "한강\u0085공원",
        "안전\x1b[31m요원\x1b[0m 배치",
        "한강 공원\ufeff 개방",
        "\u1112\u1161\u11ab\u1100\u1161\u11bc 공원",  # NFD Hangul
        "café 야간 개방 Ã© 공원",
        "요원\x00\x07 배치\r\n",
    ]
    rng = random.Random(12)
    for _ in range(300):
        lines = [rng.choice(good + bad) for _ in range(rng.randint(1, 8))]
        text = "\n".join(lines) + rng.choice(["", "\n"])
        assert _fix_text(text) == ftfy.fix_text(text, config=_FTFY), text


def test_sentence_breaks_tried_after_stops_only_are_all_the_breaks() -> None:
    import random

    from dedupe_ko.lexicon import UNIT_BREAKS
    from dedupe_ko.segment import _breaks

    cues, pattern = next((c, p) for c, p in UNIT_BREAKS if "." in c)
    bits = ["했다", "밝혔다", "있어요", "그런가요", "A씨", "3%", "다", "요", "까", "죠", "Seoul"]
    bits += [".", "!", "?", "…", '"', "'", "”", "’", "」", "』", ")", "]", " ", "  ", "\t"]
    bits += ["▲", "[사진]", "(서울=한빛뉴스)", "【", "《", "<", "7"]
    rng = random.Random(3)
    for _ in range(3000):
        line = "".join(rng.choice(bits) for _ in range(rng.randint(1, 25)))
        assert _breaks(line, cues, pattern) == [m.span() for m in pattern.finditer(line)], line


def test_furniture_breaks_tried_at_their_anchors_only_are_all_the_breaks() -> None:
    import random

    from dedupe_ko.lexicon import UNIT_BREAKS
    from dedupe_ko.segment import _ANCHORS, _breaks

    bits = ["했다.", "밝혔다", "홍길동", " 기자", "기자", "한빛뉴스", "연합뉴스", "저작권자"]
    bits += ["ⓒ", "©"]
    bits += ["[", "]", "［", "］", "(", ")", "<", ">", "【", "】", "=", "사진", "제공", "캡처"]
    bits += ["▶", "▷", "☞", "※", "바로가기", "구독", "그래프", "표", "서울", "13일", "Seoul"]
    bits += [" ", "  ", "\t", "\u3000", "\xa0", "\x1c", " 무단전재 및 재배포 금지", "[한빛일보]"]
    bits += ["(서울=한빛뉴스)", "[사진=한빛뉴스]", "(▶ 관련기사 보기)", "[유튜브 캡처]", "[그래프]"]
    rng = random.Random(5)
    anchored = [(c, p) for c, p in UNIT_BREAKS if c in _ANCHORS]
    assert len(anchored) == len(_ANCHORS)  # every anchor names a break of the lexicon
    for _ in range(3000):
        line = "".join(rng.choice(bits) for _ in range(rng.randint(1, 30)))
        for cues, pattern in anchored:
            want = [m.span() for m in pattern.finditer(line)]
            assert _breaks(line, cues, pattern) == want, (cues, line)
