"""Furniture glued inside real-shaped collapsed bodies (one line, sentences glued "다.X"):
credits glued to the next sentence, the caption before a credit, and what must stay."""

from __future__ import annotations

from dedupe_ko import clean_and_explain

LEDE = (
    "한빛화재는 18일 무해지환급형 건강보험 '백세 플러스'를 새로 출시했다고 밝혔다."
    "이 상품은 질병 보장 범위를 넓히고 보험료를 기존 상품보다 20% 가량 낮춘 것이 특징이다. "
    "회사는 연말까지 가입자 10만 명을 모으는 것을 목표로 삼았다."
)
TAIL = (
    "업계에서는 저금리 기조 속에 보장성 보험 경쟁이 더 치열해질 것으로 보고 있다."
    '한빛화재 관계자는 "고객의 부담을 덜 수 있는 상품을 계속 내놓겠다"고 말했다.'
    "회사는 다음 달 온라인 전용 상품도 선보일 계획이다."
)


def _clean(middle: str) -> tuple[str, list[tuple[str, str]]]:
    page = LEDE + middle + TAIL
    cleaned = clean_and_explain(page)
    return cleaned.text.replace("\n", ""), [(r.rule, r.text.strip()) for r in cleaned.removals]


def test_copyright_credit_glued_to_a_sentence_that_repeats_its_name() -> None:
    text, removed = _clean(
        "한빛화재 모델이 신상품 출시 소식을 전하고 있다.ⓒ한빛화재한빛화재는 이번 상품으로 "
        "중장년층 고객을 늘릴 계획이다."
    )
    assert "ⓒ" not in text and "모델이" not in text
    assert "한빛화재는 이번 상품으로 중장년층 고객을 늘릴 계획이다." in text
    assert ("copyright.credit", "ⓒ한빛화재") in removed
    assert ("caption.description", "한빛화재 모델이 신상품 출시 소식을 전하고 있다.") in removed


def test_data_credit_glued_to_a_sentence_opener() -> None:
    text, removed = _clean(
        "중국을 중심으로 수요도 점차 늘어나는 추세다. 자료=한빛무역협회반면 플라스틱 제품은 "
        "수출 여건이 나빠질 것으로 보인다."
    )
    assert "자료=" not in text and "한빛무역협회" not in text
    assert "반면 플라스틱 제품은 수출 여건이 나빠질 것으로 보인다." in text
    assert "중국을 중심으로 수요도 점차 늘어나는 추세다." in text
    assert [r for r, t in removed if "한빛무역협회" in t] == ["caption.credit"]


def test_photo_credit_after_a_caption_with_an_auxiliary_verb() -> None:
    """ "들여다 보이는" is one verb phrase, not two sentences: the caption before the credit goes."""
    text, removed = _clean(
        "내부가 훤히 들여다 보이는 드론 안에 연료전지팩이 탑재돼 있다. /사진=홍길동 기자"
        "한편 전시회는 사흘 동안 열린다."
    )
    assert "드론 안에" not in text and "/사진" not in text
    assert "한편 전시회는 사흘 동안 열린다." in text


def test_no_credit_split_inside_a_word() -> None:
    """A word that happens to end like a sentence opener ("카카오는") is never cut."""
    text, _ = _clean("두 회사의 실적 비교표ⓒ누리신문카카오는 올해 2분기 수익 개선에 성공했다.")
    assert "카카오는 올해 2분기 수익 개선에 성공했다." in text


def test_subhead_above_a_photo_credit_stays() -> None:
    text, _ = _clean(
        "◇ 보장 범위 넓히고 보험료는 낮춰© 한빛뉴스가입자는 만기 환급금이 없는 대신 "
        "보험료를 덜 낸다."
    )
    assert "◇ 보장 범위 넓히고 보험료는 낮춰" in text
    assert "가입자는 만기 환급금이 없는 대신 보험료를 덜 낸다." in text


def test_sentence_ending_in_itda_before_a_paragraph_credit_stays() -> None:
    """A credit at the end of a paragraph follows that paragraph's last sentence, which stays
    even when it ends in "있다." (only the credit goes)."""
    body = (
        "검찰은 전세사기 조직에 범죄집단조직죄를 적용해 기소했다. 주범들은 1심에서 징역 "
        "10년을 선고받았다. 검찰은 대출사기 범행에 대해서도 전담 검사의 법리 검토를 거쳐 "
        "적극 기소해 유죄를 이끌어내고 있다. ⓒ 한빛통신 DB"
    )
    page = "\n".join(
        [
            body,
            "경찰청은 2022년 7월부터 전국 시·도경찰청에 전세사기 전담 수사팀을 두고 있다.",
            "경찰은 올해 안에 피해 신고를 모두 처리하겠다고 밝혔다.",
        ]
    )
    cleaned = clean_and_explain(page)
    assert "적극 기소해 유죄를 이끌어내고 있다." in cleaned.text
    assert "ⓒ" not in cleaned.text


def test_name_caption_before_a_sentence_that_names_the_same_person() -> None:
    text, removed = _clean(
        "회사는 외부 인사를 고문으로 영입했다고 밝혔다.| 허민 누리홀딩스 대표허민 대표는 앞으로 "
        "게임 개발 전반에 참여한다.필 배티 편집장 필 배티 THE 편집장은 평가 결과를 설명했다."
    )
    assert "| 허민 누리홀딩스 대표" not in text and "필 배티 편집장 필" not in text
    assert "허민 대표는 앞으로 게임 개발 전반에 참여한다." in text
    assert "필 배티 THE 편집장은 평가 결과를 설명했다." in text
    assert [r for r, t in removed if r == "caption.name_again"] == ["caption.name_again"] * 2


def test_a_sentence_that_names_two_people_keeps_both() -> None:
    text, _ = _clean("홍길동 대표와 홍길동 대표의 동생이 함께 참석했다.")
    assert "홍길동 대표와 홍길동 대표의 동생이 함께 참석했다." in text


def test_signoff_glued_to_a_sentence_without_its_stop_keeps_the_sentence() -> None:
    """Crawls that drop the stops glue the sign-off to the last sentence: only the name and
    the address go, never the words before them (a verb is not an outlet or a name)."""
    long = "2016년 10월 발행한 전환사채 잔액 10억원을 두고 소유권 분쟁이 이어지면서 "
    for tail, kept in [
        (long + "상환 대상자를 특정하지 못한 영향이다이광수 (kslee@hanbit.co.kr)", "영향이다"),
        (long + "회사는 대국민성명을 발표할 예정이다 hong@nuri.com", "발표할 예정이다"),
        (long + "상환이 늦어지고 있다고 관계자는 전했다 honey@nuri.co.kr", "관계자는 전했다"),
        (
            long + "올해 안에는 갚지 못할 것이라고 못 박았다 김미나 기자 mina@nuri.co.kr",
            "못 박았다",
        ),
    ]:
        cleaned = clean_and_explain(LEDE + TAIL + tail)
        assert cleaned.text.replace("\n", "").endswith(kept), (tail, cleaned.text[-60:])
        assert "@" not in cleaned.text


def test_what_the_photo_shows_is_a_caption_and_a_sentence_about_a_photo_stays() -> None:
    page = "\n".join(
        [
            "서울시는 6일 시내버스 노선 47개를 다음 달부터 조정한다고 밝혔다.",
            "사진은 노선 조정 설명회에 참석한 시민들.",
            "사진은 증거로 채택되지 않았다.",
            "시는 석 달 동안 이용 실태를 점검해 보완책을 내놓을 계획이다.",
        ]
    )
    cleaned = clean_and_explain(page)
    assert "사진은 노선 조정 설명회에 참석한 시민들." not in cleaned.text
    assert "사진은 증거로 채택되지 않았다." in cleaned.paragraphs


def test_illustrator_name_glued_to_the_next_word() -> None:
    text, removed = _clean("일러스트= 안병현며칠 전 대구의 한 향교에 강연하러 갔다.")
    assert "며칠 전 대구의 한 향교에 강연하러 갔다." in text and "안병현" not in text
    assert ("caption.credit", "일러스트= 안병현") in removed


def test_credit_behind_a_dropped_deck_goes_in_one_pass() -> None:
    """When a later pass drops what stood before it, the new first unit is trimmed as the
    start of the page: cleaning the output again changes nothing."""
    from dedupe_ko import clean

    page = (
        "[한빛 탐구생활]일러스트= 안병현며칠 전 대구의 한 향교에 강연하러 갔다. "
        "대구로 내려가는 길에 강연 장소가 향교 대강당이라는 말을 들었다. " + LEDE + TAIL
    ) * 2
    once = clean(page)
    assert clean(once) == once
    assert once.startswith("며칠 전 대구의 한 향교에 강연하러 갔다.")


def test_dispatch_tag_and_image_file_name_glued_to_sentences() -> None:
    text, removed = _clean(
        "투자금은 신규 서비스 개발에 쓰인다.Image_Hanbit한빛팩토리는 2016년 설립된 회사다."
    )
    assert "Image_Hanbit" not in text and "한빛팩토리는 2016년 설립된 회사다." in text
    page = "▶마켓인사이트 6월24일 오후 6시10분" + LEDE + TAIL
    cleaned = clean_and_explain(page)
    assert cleaned.text.startswith("한빛화재는 18일")
    assert [r.rule for r in cleaned.removals if "마켓인사이트" in r.text] == ["promo.dispatch_tag"]


def test_photo_title_before_an_in_body_wire_photo_caption() -> None:
    text, removed = _clean(
        '"성과를 낼 수 있도록 하겠다"고 말했다. 한빛당 지도부와 충남도 기념촬영(홍성=연합뉴스) '
        "20일 충남 홍성 충남도청에서 한빛당 대표와 최고위원들이 기념촬영을 하고 있다. "
        "2019.3.20 [충남도 제공] 한빛당 지도부는 오후 충남도청으로 이동했다."
    )
    assert "기념촬영" not in text
    assert "한빛당 지도부는 오후 충남도청으로 이동했다." in text
    assert '"성과를 낼 수 있도록 하겠다"고 말했다.' in text
    assert ("caption.description", "한빛당 지도부와 충남도 기념촬영") in removed
