"""Body-block selection on whole pages: what is kept, what goes and under which rule."""

from __future__ import annotations

import pytest
from _pages import RELATED, SITE_MENU, STORIES, page_lines, section_index_lines

from dedupe_ko import BlockConfig, LineHint, clean, clean_and_explain, replay, select_body

TITLE, BODY = STORIES[0]


def _covered(v, n: int) -> None:
    """Every line is kept or dropped, never both."""
    dropped = [i for d in v.dropped for i in range(d.start, d.end)]
    assert sorted([*v.kept, *dropped]) == list(range(n))


def test_page_keeps_the_body_and_says_why_the_rest_goes() -> None:
    lines = page_lines(TITLE, BODY, comments=True)
    v = select_body(lines)
    assert v.page_like and not v.no_article
    assert [lines[i] for i in v.kept] == [TITLE, *BODY]
    assert lines[v.title] == TITLE
    _covered(v, len(lines))
    rules = {lines[i]: d.rule for d in v.dropped for i in range(d.start, d.end)}
    assert rules["정치"] == "block.nav"
    assert rules[RELATED[0]] == "block.headline_list"
    assert rules["결국 피해는 시민들이 보는 거죠."] == "block.comments"
    assert (
        rules["Copyright © 한빛방송 All Rights Reserved. 무단 전재, 재배포 및 AI학습 이용 금지"]
        == "block.footer"
    )


def test_an_article_is_not_a_page_and_keeps_every_line() -> None:
    lines = [TITLE, "입력 2024.06.12 14:31", "공유하기", *BODY, "홍길동 기자"]
    v = select_body(lines)
    assert not v.page_like and v.kept == tuple(range(len(lines))) and v.dropped == ()


def test_section_index_has_no_article() -> None:
    lines = section_index_lines()
    v = select_body(lines)
    assert v.page_like and v.no_article and v.kept == ()
    _covered(v, len(lines))


def test_clean_page_removals_replay_and_idempotent() -> None:
    text = "\n".join(page_lines(TITLE, BODY, comments=True))
    c = clean_and_explain(text)
    assert c.paragraphs == BODY
    assert c.title == TITLE
    assert replay(c.normalized, c.removals) == c.text
    assert {"block.nav", "block.headline_list", "block.footer"} <= {r.rule for r in c.removals}
    assert clean(c.text) == c.text


def test_clean_no_article_page_warns_and_is_empty() -> None:
    c = clean_and_explain("\n".join(section_index_lines()))
    assert c.text == "" and "no article body" in c.warnings
    assert replay(c.normalized, c.removals) == ""


def test_transcript_turns_and_short_answers_stay() -> None:
    turns = [
        "▷ 앵커 : 갯벌 복원 사업이 벌써 10년째를 맞았는데요, 현장 분위기는 어떻습니까?",
        "▶ 김하늘 연구원 : 네, 철새가 눈에 띄게 늘었습니다.",
        "▷ 앵커 : 어민들의 반응은 어떤가요?",
        "▶ 김하늘 연구원 : 처음에는 반대가 많았지만 지금은 어획량이 늘어 반기는 분위기입니다.",
        "▷ 앵커 : 다른 지역으로도 넓어질까요?",
        "▶ 김하늘 연구원 : 그렇습니다.",
        "▶ 김하늘 연구원 : 하반기에 신안과 고창에서 같은 사업이 시작될 예정입니다.",
    ]
    c = clean_and_explain("\n".join(page_lines(TITLE, turns)))
    assert c.paragraphs == turns


def test_video_item_of_two_lines_is_an_article() -> None:
    body = BODY[:2]
    c = clean_and_explain("\n".join(page_lines(TITLE, body)))
    assert c.paragraphs == body and "no article body" not in c.warnings


def test_package_heads_and_numbered_items_stay() -> None:
    body = [
        "■ 갯벌에 돌아온 철새",
        *BODY[:3],
        "■ 요금 인상 세부 내용",
        *STORIES[1][1][:2],
        "1. 기본요금: 1,800원",
        "2. 청소년 요금: 동결",
        "3. 적용일: 다음 달 1일",
        STORIES[1][1][4],
    ]
    c = clean_and_explain("\n".join(page_lines(TITLE, body)))
    assert c.paragraphs == body


def test_ticker_line_goes_and_the_sentence_halves_stay() -> None:
    cut = BODY[1].index("관찰된") + 3
    first, second = BODY[1][:cut], BODY[1][cut:].strip()
    body = [BODY[0], first, "한빛전자 72,300 ▲ 1,200 +1.69%", second, *BODY[2:]]
    c = clean_and_explain("\n".join(page_lines(TITLE, body)))
    assert c.paragraphs == [BODY[0], first, second, *BODY[2:]]
    assert any(r.rule == "block.ticker" for r in c.removals)


def test_body_printed_twice_keeps_one_copy() -> None:
    lines = page_lines(TITLE, BODY, comments=True) + ["프린트", "닫기", TITLE, *BODY]
    assert clean("\n".join(lines)).split("\n") == BODY


def test_hints_mark_navigation_even_with_a_sentence() -> None:
    lines = page_lines(TITLE, BODY)
    notice = "이 기사는 언론사에서 사회 섹션으로 분류했습니다."
    at = lines.index(BODY[-1]) + 1
    lines.insert(at, notice)
    hints = [
        LineHint(boilerplate=(i == at), link_density=1.0 if i == at else 0.0)
        for i in range(len(lines))
    ]
    v = select_body(lines, hints)
    assert at not in v.kept and [lines[i] for i in v.kept] == [TITLE, *BODY]


def test_menu_words_never_make_a_title() -> None:
    lines = page_lines(TITLE, BODY)
    lines.insert(lines.index(TITLE), "글자크기 조정하기")
    lines.insert(0, "글자크기 조정하기")
    assert lines[select_body(lines).title] == TITLE


def test_raw_html_given_to_clean_gets_a_pointer() -> None:
    html = (
        "<html><head><meta charset='utf-8'></head><body>"
        + "".join(f"<div><p>{p}</p><br><span>x</span><a href='#'>y</a></div>" for p in BODY)
        + "</body></html>"
    )
    c = clean_and_explain(html)
    assert any("clean_html" in w for w in c.warnings)


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="furniture_share"):
        BlockConfig(furniture_share=0.0)
    with pytest.raises(ValueError, match="one LineHint a line"):
        select_body(["a", "b"], [LineHint()])


def test_short_menu_page_below_the_threshold_is_left_to_the_rules() -> None:
    lines = [TITLE, *SITE_MENU[:10], *BODY]
    assert not select_body(lines).page_like


def test_body_sentences_with_furniture_words_survive() -> None:
    """Negative set: sentences about copyright, log-ins, comments and sharing are body."""
    body = [
        "문화체육관광부는 저작권 침해 신고가 지난해보다 30% 늘었다고 14일 밝혔다.",
        "해킹 조직은 이용자들의 로그인 정보를 빼내 다른 사이트에서 몰래 쓴 것으로 드러났다.",
        "온라인 기사에 달린 댓글을 분석한 결과 혐오 표현이 절반 가까이 줄었다.",
        "시는 공유 자전거 이용 요금을 다음 달부터 500원 내리기로 했다.",
        "유튜브 구독자가 100만 명을 넘은 채널도 규제 대상에 포함된다.",
    ]
    c = clean_and_explain("\n".join(page_lines(TITLE, body)))
    assert c.paragraphs == body


def test_title_only_page_text_is_no_article_but_a_bare_headline_is_kept() -> None:
    c = clean_and_explain(f"{TITLE} - 한빛일보\n공유하기\n닫기")
    assert c.text == "" and "no article body" in c.warnings
    assert clean_and_explain(TITLE).text == TITLE


def test_related_box_inside_the_body_goes_with_its_label() -> None:
    body = [*BODY[:3], "관련기사", RELATED[0], RELATED[1], RELATED[2], *BODY[3:]]
    c = clean_and_explain("\n".join(page_lines(TITLE, body)))
    assert c.paragraphs == BODY
    assert any(r.rule == "block.headline_list" and RELATED[1] in r.text for r in c.removals)


def test_long_comments_right_after_the_body_stay_out() -> None:
    title, body = STORIES[1]
    said = [
        "저희 동네도 비슷한 일이 있었는데 그때도 아무도 책임지지 않았습니다. 이번에는 끝까지 "
        "제대로 밝혀서 다시는 이런 일이 생기지 않도록 해 주셨으면 합니다.",
        "기사 내용과 달리 현장에서는 이미 몇 년 전부터 문제가 있다는 말이 계속 나왔다고 "
        "들었습니다. 관계 기관이 그동안 무엇을 했는지부터 따져 봐야 하지 않을까요?",
    ]
    lines = page_lines(title, body)
    at = lines.index(body[-1]) + 1
    lines[at:at] = [
        "댓글 2",
        "ab12****",
        "2024.06.12 15:02",
        said[0],
        "답글 0",
        "cd34****",
        "2024.06.12 15:40",
        said[1],
        "답글 1",
    ]
    c = clean_and_explain("\n".join(lines))
    assert c.paragraphs == body
    assert any(r.rule == "block.comments" and said[0] in r.text for r in c.removals)


def test_caption_line_with_its_credit_goes_and_the_paragraph_above_stays() -> None:
    body = [BODY[0], "지난달 서울 시내 한 거리의 모습. 한빛일보 자료사진", *BODY[1:]]
    c = clean_and_explain("\n".join(page_lines(TITLE, body)))
    assert c.paragraphs == BODY
    assert any(r.rule == "block.caption" for r in c.removals)


def test_body_sentence_with_a_glued_credit_is_not_a_caption() -> None:
    glued = BODY[2] + " 사진=한빛일보 DB"
    body = [*BODY[:2], glued, *BODY[3:]]
    v = select_body(page_lines(TITLE, body))
    lines = page_lines(TITLE, body)
    assert glued in [lines[i] for i in v.kept]
