"""The cleaning stage end to end: title, furniture, repeats, replay, idempotence, config."""

from __future__ import annotations

import dataclasses

import pytest
from _shared import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe_ko import CleanConfig, clean, clean_and_explain, replay

BODY = [
    "서울시가 여름철 한강 수변공원의 야간 개방 시간을 오후 11시까지 늘리기로 했다.",
    "시는 7월부터 9월까지 뚝섬·반포·여의도 등 5개 공원의 조명과 안전요원을 보강하고 야간 매점 운영 시간도 함께 연장한다고 12일 밝혔다.",
    "이번 조치는 열대야가 길어지면서 늦은 시간까지 공원을 찾는 시민이 늘어난 데 따른 것이다. 지난해 같은 기간 야간 방문객은 하루 평균 3만 명을 넘었다.",
    '시 관계자는 "시민들이 더위를 피해 안전하게 쉴 수 있도록 순찰 인력을 두 배로 늘렸다"며 "쓰레기 되가져가기 캠페인에도 동참해 달라"고 당부했다.',
    "시는 공원별 혼잡도를 스마트폰 앱으로 실시간 공유하는 서비스도 시범 운영한다.",
]
TITLE = "한강 수변공원 야간 개방 확대…시민 휴식공간 늘린다"


def test_yonhap_style_page() -> None:
    cleaned = clean_and_explain((FIXTURES / "page_yonhap_style.txt").read_text("utf-8"))
    assert cleaned.title == TITLE
    assert cleaned.paragraphs == BODY
    categories = {r.category for r in cleaned.removals}
    assert {"ui", "wire", "caption", "copyright", "repeat", "title"} <= categories


def test_doubled_body_missing_its_first_sentence_is_dropped_and_named() -> None:
    cleaned = clean_and_explain((FIXTURES / "page_yonhap_style.txt").read_text("utf-8"))
    repeats = [r for r in cleaned.removals if r.category == "repeat"]
    assert len(repeats) == 4
    for r in repeats:
        assert r.repeats in BODY
        assert r.text.strip() == r.repeats


def test_broadcast_style_page() -> None:
    cleaned = clean_and_explain((FIXTURES / "page_broadcast_style.txt").read_text("utf-8"))
    assert cleaned.title == "폭우에 지하차도 통제…퇴근길 교통 혼잡"
    assert cleaned.paragraphs[0].startswith("오늘 오후 수도권에")
    assert cleaned.paragraphs[-1] == "당국은 저지대 주민들에게 외출을 자제해 달라고 당부했습니다."
    assert len(cleaned.paragraphs) == 5
    assert not any("사진" in p or "한빛방송" in p for p in cleaned.paragraphs)


def _page(title: str, body: list[str], *, doubled: bool = False) -> str:
    lines = [
        title,
        "기사 스크랩",
        "공유",
        "댓글",
        "(대전=한빛뉴스) 박서윤 기자 = " + body[0],
        *body[1:],
    ]
    lines += ["/한빛뉴스", "저작권자 ⓒ 한빛뉴스, 무단 전재 및 재배포 금지"]
    if doubled:
        lines += body[1:]
    return "\n".join(lines)


def test_replay_reproduces_output_on_fixtures() -> None:
    for path in FIXTURES.glob("page_*.txt"):
        cleaned = clean_and_explain(path.read_text("utf-8"))
        assert replay(cleaned.normalized, cleaned.removals) == cleaned.text
        spans = sorted((r.start, r.end) for r in cleaned.removals)
        assert all(a < b for a, b in spans)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
        for r in cleaned.removals:
            assert cleaned.normalized[r.start : r.end] == r.text


def test_near_repeats_spacing_punctuation_and_dateline_on_one_copy() -> None:
    second = [
        "(서울=한빛뉴스) " + BODY[1].replace(" ", "", 3),
        BODY[2].replace(".", "", 1),
        BODY[3].replace('"', "“", 1),
    ]
    cleaned = clean_and_explain("\n".join([TITLE, "공유", *BODY, *second]))
    assert cleaned.paragraphs == BODY
    assert all(r.repeats in BODY for r in cleaned.removals if r.category == "repeat")


def test_an_article_that_restates_itself_is_not_cut() -> None:
    restated = BODY[1].replace("12일 밝혔다", "이날 거듭 강조했다").replace("함께 ", "")
    body = [*BODY, restated]
    cleaned = clean_and_explain("\n".join([TITLE, "공유", *body]))
    assert cleaned.paragraphs == body


def test_title_needs_page_furniture_so_clean_bodies_keep_their_first_line() -> None:
    assert clean_and_explain("\n".join([TITLE, *BODY])).title is None
    assert clean("\n".join(BODY)) == "\n".join(BODY)
    cleaned = clean_and_explain(_page(TITLE, BODY))
    assert cleaned.title == TITLE and cleaned.paragraphs == BODY


def test_collapsed_page_keeps_the_whole_body() -> None:
    page = " ".join(_page(TITLE, BODY).split("\n")) + " ▶ 관련뉴스 보기"
    cleaned = clean_and_explain(page)
    assert cleaned.title == TITLE
    assert cleaned.text == " ".join(BODY)


def test_glued_caption_and_signature_are_trimmed_body_stays() -> None:
    body = [
        BODY[0] + " 홍길동 기자 hong@hanbit.kr",
        "시민들이 야간 개장한 공원을 둘러보고 있다. (사진=한빛뉴스 제공)",
        BODY[1] + " 저작권자 ⓒ 한빛뉴스 무단전재 및 재배포 금지",
    ]
    cleaned = clean_and_explain("\n".join([TITLE, "공유", *body]))
    assert cleaned.paragraphs == [BODY[0], BODY[1]]


def test_a_credit_after_a_body_sentence_takes_only_the_caption_with_it() -> None:
    ruling = "대법원 형사2부는 17일 벌금 200만 원을 선고한 원심 판결을 확정했다(2023도17882)."
    page = "\n".join(
        [
            TITLE,
            "공유",
            BODY[0],
            ruling + " ⓒ 한빛통신 DB",  # a news sentence: only the credit goes
            BODY[1] + "서울 서초구 대법원 전경. /한빛통신",  # a glued caption and credit go
            BODY[2] + " 사진은 여의도 한강공원 입구.",  # a glued view caption, no credit
            BODY[3],
        ]
    )
    assert clean_and_explain(page).paragraphs == [BODY[0], ruling, BODY[1], BODY[2], BODY[3]]


def test_photo_description_above_its_credit_goes_only_inside_the_body() -> None:
    scene = "12일 서울 여의도 한강공원에서 시민들이 산책을 하고 있다."
    trend = "야간에 공원을 찾는 시민이 꾸준히 늘고 있다."
    page = "\n".join(
        [
            TITLE,
            "기사 스크랩",
            BODY[0],
            BODY[1],
            scene,
            "ⓒ 한빛일보 DB",  # a scene, then its credit: both go
            trend,
            "(사진=서해통신)",  # a trend above a credit-only photo: body text, stays
            BODY[2],
            BODY[3],
            scene,
            "홍길동 기자",  # the same words as the last paragraph, above a byline: stay
        ]
    )
    cleaned = clean_and_explain(page)
    assert cleaned.paragraphs == [BODY[0], BODY[1], trend, BODY[2], BODY[3], scene]
    gone = [r for r in cleaned.removals if r.rule in ("caption.description", "caption.scene")]
    assert [r.text.strip() for r in gone] == [scene]
    assert replay(cleaned.normalized, cleaned.removals) == cleaned.text


def test_unrepairable_mojibake_is_flagged() -> None:
    damaged = BODY[0].encode("utf-8").decode("cp949", errors="replace")
    cleaned = clean_and_explain("\n".join([TITLE, "공유", damaged, BODY[1]]))
    assert cleaned.warnings and "U+FFFD" in cleaned.warnings[0]


def test_cp949_mojibake_in_one_paragraph_is_repaired() -> None:
    broken = BODY[2].encode("cp949").decode("latin-1")
    cleaned = clean_and_explain("\n".join([TITLE, "공유", BODY[0], broken, BODY[3]]))
    assert cleaned.paragraphs == [BODY[0], BODY[2], BODY[3]]
    assert "cp949_mojibake" in cleaned.fixes


def test_config_is_frozen_and_overrides_apply() -> None:
    cfg = CleanConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.fold_quotes = False  # type: ignore[misc]
    page = _page(TITLE, BODY, doubled=True)
    assert clean_and_explain(page, cfg, drop_repeats=False).paragraphs == BODY + BODY[1:]
    assert clean_and_explain(page, extract_title=False).paragraphs[0] == TITLE
    with pytest.raises(ValueError, match="near_repeat"):
        CleanConfig(near_repeat=1.5)


def test_bad_input_types_and_sizes() -> None:
    with pytest.raises(TypeError, match="decode"):
        clean(TITLE.encode("utf-8"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_chars"):
        clean("가" * 101, max_chars=100)
    assert clean("") == ""
    assert clean(" \n\t \n") == ""


def test_removal_counts_by_category() -> None:
    cleaned = clean_and_explain(_page(TITLE, BODY, doubled=True))
    counts = cleaned.removed_chars_by_category()
    assert counts["repeat"] == sum(len(r.text) for r in cleaned.removals if r.category == "repeat")
    assert sum(counts.values()) == len(cleaned.normalized) - len(cleaned.text)


FURNITURE = [
    "기사 스크랩",
    "공유",
    "댓글",
    "클린뷰",
    "프린트",
    "-",
    "|",
    "0",
    "추천",
    "입력 2024.05.10 14:32 | 수정 2024.05.10 15:01",
    "/연합뉴스",
    "[뉴시스]",
    "저작권자 ⓒ 한빛뉴스, 무단 전재 및 재배포 금지",
    "홍길동 기자 hong@hanbit.kr",
    "▶ 관련뉴스 보기",
    "[사진 출처=한빛뉴스 DB]",
    "△ 관계자들이 현장을 둘러보고 있다.",
    "뉴스 제보: 카카오톡에서 한빛뉴스 검색",
    "많이 본 기사",
    "(서울=연합뉴스) 홍길동 기자 = ",
]
lines = st.one_of(
    st.sampled_from(FURNITURE),
    st.sampled_from(BODY + [TITLE]),
    st.text(alphabet=st.sampled_from(list("가나다라마바사 .,\"'·다했")), min_size=1, max_size=40),
    st.text(max_size=30),
)
pages = st.lists(lines, max_size=14).map("\n".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(pages)
def test_replay_and_idempotence_on_generated_pages(page: str) -> None:
    cleaned = clean_and_explain(page)
    assert replay(cleaned.normalized, cleaned.removals) == cleaned.text
    assert clean(cleaned.text) == cleaned.text


def test_a_huge_page_of_look_alike_paragraphs_stays_fast_enough_to_finish() -> None:
    # 5,000 templated paragraphs (every one shares text with every other): the repeat search
    # must look candidates up, not compare all pairs. This checks that it finishes and is right,
    # not how fast it is.
    body = [
        f"{i}번째 안건은 위원회에서 서로 다른 결론으로 의결됐다고 밝혔다 {i * 7919 % 10007}."
        for i in range(5000)
    ]
    cleaned = clean_and_explain("\n".join(["안건 처리 결과 발표", "공유", *body, *body[:10]]))
    assert len(cleaned.paragraphs) <= 5000
    assert cleaned.paragraphs[:3] == body[:3]


def test_clean_is_the_text_of_clean_and_explain() -> None:
    """`clean` skips building the removals; its body is the same."""
    from pathlib import Path

    from dedupe_ko import clean, clean_and_explain

    fixtures = Path(__file__).parent / "fixtures"
    texts = [
        (fixtures / n).read_text("utf-8")
        for n in ("page_yonhap_style.txt", "page_broadcast_style.txt")
    ]
    texts += [
        "(서울=한빛뉴스) 홍길동 기자 = 정부가 내년 예산안을 발표했다.재정 건전성을 강조했다. "
        "[사진=한빛뉴스]기획재정부는 지출을 줄이기로 했다. hong@hanbit.co.kr ▶제보는 카톡 okjebo",
        "서울시가 야간 개방 시간을 늘린다.\n\n\n시민들은 환영했다.\n시민들은 환영했다.\n© 한빛일보",
        "",
    ]
    for text in texts:
        assert clean(text) == clean_and_explain(text).text
