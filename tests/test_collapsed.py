"""Collapsed bodies: furniture kinds a crawler glues between sentences with no boundary
(our own Korean fixtures; each test names the kind it covers)."""

from __future__ import annotations

from dedupe_ko import clean, clean_and_explain, replay

B1 = "정부는 이날 국무회의에서 중소기업 수출 지원 예산을 2천억원 늘리는 안을 의결했다."
B2 = "산업통상자원부는 물류비 부담이 큰 기업부터 바우처를 나눠주기로 했다고 14일 밝혔다."
B3 = "업계는 이번 조치가 하반기 수출 회복에 보탬이 될 것으로 기대하고 있다고 전했다."
B4 = '한 중소기업 대표는 "운임이 두 배로 뛰어 선적을 미룬 물량이 많았다"고 말했다.'
B5 = "정부는 다음 달부터 지원 대상 기업을 공모해 연말까지 집행을 마칠 계획이다."
BODY = [B1, B2, B3, B4, B5]
# A body over 300 characters: one line this long is a page collapsed onto one line.
LONG = "".join(
    BODY
    + [
        "지원 대상은 연 매출 1천억원 이하의 수출 중소기업으로, 기업당 최대 3천만원까지 받을 수 있다.",
        "정부는 신청 기업이 많으면 물류비 비중이 큰 기업을 먼저 선정할 방침이다.",
    ]
)


def _explain(text: str):
    out = clean_and_explain(text)
    assert replay(out.normalized, out.removals) == out.text
    assert clean(out.text) == out.text
    return out


def _only_body_left(furniture: str, body: str):
    """Clean ``furniture + body``: the body is all that is left (the result, for more checks)."""
    out = _explain(furniture + body)
    assert out.text == body, out.text
    return out


def _squash(text: str) -> str:
    return "".join(text.split())


def test_photo_block_before_the_dateline_is_captions() -> None:
    # kind: a wire photo's caption (any shape, even a news-like sentence) + date stamp +
    # photographer's e-mail, then the dateline that opens the article
    lead = "정부가 중소기업 수출 지원 예산을 늘리기로 최종 확정했다."
    scene = "14일 오후 부산항 신선대부두에 컨테이너가 쌓여 있다."
    text = (
        " "
        + lead
        + " "
        + scene
        + " 2024.05.14. photo@hanbit.co.kr【서울=한빛통신】박서윤 기자 = "
        + "".join(BODY)
        + " psy@hanbit.co.kr"
    )
    out = _explain(text)
    assert _squash(out.text) == _squash("".join(BODY))
    assert any(r.rule == "caption.stamped" and lead in r.text for r in out.removals)


def test_stamped_caption_after_the_body_goes_but_a_photo_story_stays() -> None:
    scene = "14일 부산항 신선대부두에서 하역 작업이 한창 진행 중에 있다."
    tail = (
        "【부산=한빛통신】 박서윤 기자 = "
        + scene
        + " 2024.05.14. (사진=부산항만공사 제공)photo@hanbit.co.kr"
    )
    out = _explain("【서울=한빛통신】 박서윤 기자 = " + "".join(BODY) + "  " + tail)
    assert scene not in out.text and B5 in out.text
    # a photo story: the caption is the whole article and stays
    story = (
        "【부산=한빛통신】 박서윤 기자 = " + scene + " " + B3 + " 2024.05.14    photo@hanbit.co.kr"
    )
    out = _explain(story + "▶한빛통신 채널 구독하기 " + "▶" + "한빛통신 앱 받기 " * 40)
    assert scene in out.text and B3 in out.text


def test_a_photo_item_with_only_its_caption_keeps_the_description() -> None:
    # kind: a wire photo item whose whole text is one posed caption and its stamp (date,
    # photographer), alone or with the agency's contact line glued on; a caption rule or the
    # contact rule takes description and stamp together, and with no other text left the
    # description is the body (a warning says so); the dateline and the stamp stay cut
    scene = (
        "박서윤 한빛협회 회장(오른쪽)이 14일 오후 세종시 정부청사 앞에서 중소기업 수출 지원을 "
        "요청하는 중소기업 대표단의 건의서를 산업통상자원부 관계자에게 전달하고 있다"
    )
    stamp = "  2024.5.14    photo@hanbit.co.kr"
    for tail in ("", "▶기사제보 및 문의"):
        out = _explain("    【서울=한빛통신】 홍길동 기자 = " + scene + stamp + tail)
        assert out.text == scene
        assert any("photo story" in w for w in out.warnings)
        cut = "".join(r.text for r in out.removals)
        assert "홍길동 기자" in cut and "photo@hanbit.co.kr" in cut and scene not in cut
    # beside a body, the same caption and stamp still go, with no warning
    body = "".join(BODY)
    out = _explain("【서울=한빛통신】 홍길동 기자 = " + body + " " + scene + stamp)
    assert scene not in out.text and B5 in out.text
    assert not any("photo story" in w for w in out.warnings)
    # ... and beside a body that lost its stops (a crawl that strips them), too
    stopless = " ".join(b.rstrip(".") for b in BODY[:2])
    out = _explain(
        "(서울=한빛통신) 홍길동 기자 = "
        + scene
        + stamp
        + "(서울=한빛통신) 박서윤 기자 = "
        + stopless
    )
    assert scene not in out.text and stopless in out.text
    assert not any("photo story" in w for w in out.warnings)
    # a page of menus and a stamp only has no description to give back
    out = _explain("기사 스크랩 공유 댓글 프린트 2024.5.14 photo@hanbit.co.kr")
    assert not any("photo story" in w for w in out.warnings)


def test_wire_credit_after_a_spaced_caption_stop() -> None:
    # kind: a caption, a space, then the agency's name glued to the next sentence
    scene = "김 장관이 14일 세종시 정부청사에서 브리핑을 하고 있다."
    more = "".join(BODY[:2]).replace("정부", "당국") * 6  # a page-long collapsed line
    out = _explain("".join(BODY[:3]) + scene + " 연합뉴스" + "".join(BODY[3:]) + " " + more)
    assert "연합뉴스" not in out.text and scene not in out.text
    assert B4 in out.text and B5 in out.text


def test_photo_credit_glued_to_the_next_word() -> None:
    # kind: "/사진=X 제공" or "/X DB" glued to the lede; the caption before it goes too, even
    # when it reads like news at the head of the page
    name = "김하늘 한빛에너지 대표/사진=한빛에너지 제공"
    out = _explain(name + "한빛에너지는 " + B2 + " " + " ".join(BODY[2:]))
    assert out.text.startswith("한빛에너지는 ") and "사진=" not in out.text
    head = "중소 수출기업 1200곳이 물류비 바우처를 받는다."
    out = _explain(head + "/한빛뉴스 DB" + "".join(BODY) + " " + B5.replace("정부는", "당국은") * 8)
    assert head not in out.text and "DB" not in out.text and B1 in out.text
    quoted = "수출 바우처 신청 화면. /한빛부 제공'수출 바우처'는 " + B5
    out = _explain("".join(BODY[:3]) + quoted + " " + B4 * 6)
    assert "제공" not in out.text and "'수출 바우처'는 " + B5 in out.text


def test_bracketed_and_stock_credits_glued_on_both_sides() -> None:
    # kind: "[… 캡처]" / "[사진 …]" glued to the caption before and the sentence after;
    # "X 자료사진" glued to the next sentence; "/지역=이름 기자" before a number
    cap = "한빛폰 X2 울트라[한빛TV 유튜브 캡처]"
    out = _explain("".join(BODY[:2]) + cap + "27일 " + B3 + " " + " ".join(BODY[3:]) * 5)
    assert "캡처" not in out.text and "울트라" not in out.text and "27일 " + B3 in out.text
    view = "서울 종로구에 있는 한빛대 본관 전경[사진 한빛대 홈페이지]"
    out = _explain(view + "   " + "".join(BODY) + " " + B4 * 6)
    assert "전경" not in out.text and out.text.startswith(B1[:10])
    out = _explain(
        "".join(BODY[:2]) + "중소기업 수출 현장 한빛일보 자료사진" + "".join(BODY[2:]) * 4
    )
    assert "자료사진" not in out.text and B3 in out.text
    signed = "수상자들이 기념촬영을 하고 있다. /판교=박서윤 기자" + "4회째 맞은 " + B2
    out = _explain("".join(BODY[:3]) + signed + " " + B5 * 6)
    assert "박서윤" not in out.text and "4회째 맞은 " + B2 in out.text


def test_posed_captions_go_wherever_they_stand() -> None:
    # kind: a description that says where people stand in the photo, with no credit
    posed = "김하늘 한빛에너지 대표(왼쪽)가 14일 서울 중구 본사에서 업무협약을 맺은 뒤 기념촬영을 하고 있다."
    names = "(왼쪽부터) 박서윤 한빛에너지 부사장, 이도윤 한빛대 총장."
    out = _explain(posed + "".join(BODY[:3]) + names + " " + "".join(BODY[3:]) + " " + B2 * 5)
    assert "(왼쪽)" not in out.text and "(왼쪽부터)" not in out.text
    assert all(b in out.text for b in BODY)
    # a photo story keeps its caption: it is the article
    story = "【서울=한빛통신】 박서윤 기자 = " + posed + " " + B3
    assert "(왼쪽)" in clean(story)


def test_a_sentence_that_mentions_a_side_stays() -> None:
    side = "재판부는 피고인(왼쪽 차로 운전자)의 과실이 더 크다고 판단하고 있다."
    out = _explain("".join(BODY[:2]) + side + "".join(BODY[2:]) + " " + B1 * 5)
    assert side in out.text
    glued = (
        "한빛앱 첫 화면(왼쪽)과 설정 화면(오른쪽) [한빛앱 ]그러나 이용자 불만은 끊이지 않고 있다."
    )
    out = _explain("".join(BODY[:2]) + glued + "".join(BODY[2:]) + " " + B1 * 5)
    assert "그러나 이용자 불만은 끊이지 않고 있다." in out.text


def test_notices_after_the_last_sentence() -> None:
    # kind: a robot-news notice glued to the last sentence of a line; a disclaimer in
    # parentheses in the polite style, split at its stops
    robot = "'한빛봇'은 한빛경제와 한빛AI의 협업으로 로봇기자가 실시간으로 생산하는 기사입니다."
    out = _explain(" ".join(BODY) + " " + robot + "\n" + B1.replace("정부는", "당국은"))
    assert "로봇기자" not in out.text and B5 in out.text
    notice = (
        "(위의 인공지능 점수는 재무 자료로 계산한 점수로 높은 수익률을 보장하지 않습니다."
        "위의 자료는 당사의 추천 종목이 아니며 투자 시 참고용입니다.)"
    )
    out = _explain("".join(BODY) * 3 + notice)
    assert "보장하지" not in out.text and out.text.rstrip().endswith(B5)
    # a sentence of the body in parentheses stays
    aside = "(이 제도는 2021년 처음 도입됐으며 올해로 세 번째 시행된다고 정부는 설명했다.)"
    out = _explain("".join(BODY) * 3 + aside)
    assert aside in out.text


def test_in_body_wire_photo_after_the_last_sentence() -> None:
    # kind: a short photo title, the wire dateline, then the posed caption, on a short line
    # at the end of a body whose breaks were restored from runs of spaces
    photo = (
        "발언하는 김하늘 장관(한빛=연합뉴스) 김하늘 산업부 장관(맨 오른쪽)이 14일 세종시 "
        "정부청사에서 열린 수출지원회의에서 발언하고 있다."
    )
    out = _explain("     ".join(BODY * 2) + "     " + B3.replace("업계는", "시장은") + " " + photo)
    assert "맨 오른쪽" not in out.text and "연합뉴스" not in out.text
    assert B3.replace("업계는", "시장은") in out.text


def test_chart_titles_name_captions_and_spaced_promo_arrows() -> None:
    # kind: "[그림 N] title" glued to a sentence that starts with a Latin name; the subhead
    # before the placeholder stays
    chart = "[종목 진단][그림 2] 종목 성향 진단HB1의 투자 스타일은 가치주에 가깝다."
    out = _explain("".join(BODY) + chart + "".join(BODY[:3]).replace("정부", "당국") * 3)
    assert "[그림 2]" not in out.text and "성향 진단HB1" not in out.text
    assert "[종목 진단]" in out.text and "HB1의 투자 스타일은 가치주에 가깝다." in out.text
    # kind: a name-only caption glued after the last sentence of a line, before its credit
    line = B1 + " " + B2 + " 한빛폰 X2 울트라[한빛TV 유튜브 캡처]"
    out = _explain(line + "\n" + "\n".join(BODY[2:]))
    assert "울트라" not in out.text and B2 in out.text
    # kind: a robot byline before "▶ " promo links (arrow and a space)
    out = _explain(
        "".join(BODY) * 3 + " hbbot@hanbit.co.kr hbbot ▶ 헉! 소리나는 뉴스 ▶ 채널 구독하기"
    )
    assert out.text.rstrip().endswith(B5) and "hbbot" not in out.text


def test_a_photo_credit_glued_to_its_own_name_splits_cleanly() -> None:
    # kind: the credit's name (or its stem) starts the next sentence; a second pass must not
    # take the sentence's first words with the credit
    for credit, lede in (
        ("/사진제공=한빛시스템 ", "한빛시스템은 "),
        ("/사진=한빛은행", "한빛이 "),
        ("/사진=뉴스1", "김하늘 장관이 "),
    ):
        posed = "김하늘 대표(왼쪽)가 14일 협약식에서 기념촬영을 하고 있다."
        out = _explain(posed + credit + lede + B2 + " " + " ".join(BODY[2:]) * 3)
        assert out.text.startswith(lede + B2[:5]), (credit, out.text[:40])


def test_photo_block_on_its_own_line_and_a_designer_credit_are_stable() -> None:
    # kind: two caption pieces and a stamp, the dateline on the next (restored) line
    block = (
        " 14일 부산항 신선대부두에서 열린 토론회에 앞서 후보 2명이 사진촬영을 하고 있다. "
        "왼쪽부터 한빛당 박서윤·누리당 이도윤 후보. 2024.5.14 photo@hanbit.co.kr    "
        "(부산=연합뉴스) 김하늘 기자 = "
    )
    out = _explain(block + "    ".join(BODY) + "    " + B1.replace("정부는", "당국은"))
    assert out.text.startswith(B1) and "후보" not in out.text
    # kind: "/ 사진=이름 디자인기자" glued to the lede
    head = "[수출 바우처 확대…중소기업 물류비 던다]박서윤 디자인기자 / 사진=박서윤 디자인기자"
    out = _explain(head + "국내 " + B2 + " " + " ".join(BODY[2:]) * 3)
    assert "국내 " + B2 in out.text and "디자인기자" not in out.text


def test_a_latin_credit_glued_to_itself_keeps_the_lede() -> None:
    posed = "김하늘 HB1 회장(오른쪽)이 14일 여수기지에서 기념 휘장을 달고 있다. "
    out = _explain(
        posed + "/ 사진=HB1HB1이 민간 업계 최장 무재해 기록을 세웠다." + "".join(BODY) * 2
    )
    assert out.text.startswith("HB1이 민간 업계 최장 무재해 기록을 세웠다.")


def test_a_dateline_naming_several_reporters_goes_whole() -> None:
    # kind: a wire dateline with two reporters, or a pool credit and two reporters; the cut
    # never stops after the first name (",홍길동 기자 = " would be left in the body)
    for head in (
        "(서울=한빛1) 박서윤 기자,홍길동 기자 = ",
        "(판문점·서울=한빛1) 공동취재단,박서윤 기자,홍길동 기자 = ",
    ):
        out = _explain(head + "".join(BODY))
        assert out.text.startswith(B1) and "기자" not in out.text
        assert any(
            r.rule == "wire.dateline" and r.text.strip() == head.strip() for r in out.removals
        )


def test_a_notice_of_where_the_article_ran_first_goes() -> None:
    # kind: a magazine's or a paid service's notice glued after the last sentence of a
    # collapsed body
    body = "".join(BODY) + (
        "수출입은행도 중소기업 전용 무역금융 한도를 5천억원 늘리기로 했다."
        "업계에서는 운임이 안정될 때까지 지원이 이어져야 한다는 목소리가 나온다."
    )
    for notice in (
        "[본 기사는 한빛비즈 제 1212호(2019.02.18 ~ 2019.02.24) 기사입니다.]",
        " [본 기사는 한빛이코노미 제2031호 (2019.10.30~2019.11.05일자) 기사입니다]",
    ):
        out = _explain(body + notice)
        assert _squash(out.text) == _squash(body)
        assert any(r.rule == "promo.edition_notice" for r in out.removals)
    # a sentence about an article stays
    said = "본 기사는 지난달 보도된 내용과 달리 사실관계가 확인됐다고 회사는 밝혔다."
    out = _explain(body + said)
    assert said in out.text


def test_a_wire_photo_credit_with_a_resale_notice_and_the_links_after_it() -> None:
    # kind: a wire photo item: caption, date, "[… 제공. 재판매 및 DB 금지]", the photographer's
    # e-mail, then the agency's links behind arrows, on one short line
    scene = "한빛자동차가 이달 출시 예정인 신형 세단의 사전계약을 전국 영업점에서 시작한다고 4일 밝혔다."
    text = (
        "(서울=한빛통신) "
        + scene
        + " 2024.11.4     [한빛자동차 제공. 재판매 및 DB 금지]    photo@hanbit.co.kr"
        + "▶이 시각 한빛통신 '핫뉴스'[클릭]▶네이버 [한빛통신] 채널 구독   ▶뭐 하고 놀까? #흥"
    )
    out = _explain(text)
    assert out.text == scene
    rules = {r.rule for r in out.removals}
    assert {"caption.dated", "promo.after_email"} <= rules


def test_a_photo_block_credited_before_its_date_goes_before_the_dateline() -> None:
    # kind: a wire photo block at the head: its own dateline, the caption (two pieces),
    # "(사진=… 제공) date", then the article's dateline
    caption = "한빛에너지는 23일부터 멤버십 10주년 기념 행사인 '한빛 10주년의 특권!' 행사를 진행한다고 밝혔다."
    text = (
        "【서울=한빛통신】"
        + caption
        + " (사진=한빛에너지 제공) 2024.04.23 【서울=한빛통신】박서윤 기자 = "
        + "".join(BODY)
    )
    out = _explain(text)
    assert _squash(out.text) == _squash("".join(BODY))
    assert any(r.rule == "caption.credit_dated" for r in out.removals)
    assert any(r.rule == "caption.stamped" for r in out.removals)


def test_a_list_signed_with_a_slash_byline_and_a_domain_after_the_signoff() -> None:
    # kind: a disclosure list signed "/홍길동기자" before the e-mail (no stop before the
    # slash), and a sign-off in brackets with the outlet's bare domain glued after it
    items = (
        "<유가증권>▲한빛전자(012345)=200억원 규모 전환사채 발행 결정 ▲누리화학(054321)=자회사 "
        "흡수합병 결정 ▲가람건설(067890)=1,200억원 규모 아파트 신축공사 수주 ▲새빛에너지"
        "(011223)=최대주주 변경 수반 주식 담보계약 ▲도담제약(033445)=신약 임상 2상 승인 "
        "▲한결식품(022334)=자사주 30만주 장내매수 결정 ▲미래통신(099887)=5G 장비 공급계약 "
        "체결 ▲다온물산(044556)=유상증자 결정"
    )
    out = _explain(items + "/홍길동기자 hong@hanbit.co.kr▶ 네이버 메인에서 한빛경제 구독하기")
    assert out.text.endswith("▲다온물산(044556)=유상증자 결정") and "홍길동" not in out.text
    assert any(r.rule == "byline.slash_end" for r in out.removals)
    short = (
        "한빛에너지(012345)는 태국에서 1655억원 규모의 액화석유가스 공급계약을 체결했다고 "
        "14일 공시했다.이는 최근 매출액의 3.58%에 해당한다. 계약기간은 내년 1월 1일부터 "
        "12월 31일까지다."
    )
    out = _explain(short + "[홍길동 기자 hong@hanbitbiz.com]hanbitbiz.com")
    assert _squash(out.text) == _squash(short)


def test_a_tip_line_before_the_promo_links_goes() -> None:
    # kind: a broadcaster's tip line (phone, "기사문의·제보", messenger id) at the end
    body = "".join(BODY)
    out = _explain(
        body + " 한빛뉴스TV : 02-123-4567(기사문의·제보) 카톡/라인 jebo23  ▶ 한빛뉴스TV 채널 구독"
    )
    assert _squash(out.text) == _squash(body)
    assert any(r.rule == "promo.tip_line" for r in out.removals)


def test_a_bracketed_deck_at_the_head_of_a_collapsed_body_goes() -> None:
    # kind: the deck in brackets glued to the lede; a bracketed dateline, a short tag and a
    # deck followed by an unbracketed photo credit are left to their own rules
    deck = "[국내 업체 중 처음으로 수출 바우처 예산 두 배 확보]"
    lede = (
        " 한빛자동차가 북미시장에서 소형 세단 약 2만대 리콜에 나선다. 엔진 결함이 발견돼서다. "
        "30일 현지 언론에 따르면 한빛자동차는 지난 29일 미국 도로교통안전국에 리콜 계획을 "
        "제출했다. 대상은 2013년 생산된 1.6리터 가솔린 엔진 모델이다. 회사는 다음 달부터 "
        "무상 수리를 시작한다. 리콜 대상 차량 소유주에게는 다음 주부터 우편으로 안내문이 "
        "발송된다. 업계에서는 이번 리콜이 현지 판매에 미칠 영향은 크지 않을 것으로 보고 있다. "
        "한빛자동차는 올해 들어 북미에서만 세 차례 리콜을 실시했다"
    )
    out = _explain(deck + lede)
    assert out.text == lede.strip()
    assert any(r.rule == "layout.bracket_deck" and r.text.strip() == deck for r in out.removals)
    out = _explain(deck + "사진=한빛부 제공" + lede)
    assert "한빛자동차가 북미시장에서" in out.text


def test_a_digest_items_link_to_the_full_story_goes() -> None:
    # kind: a news digest: each item ends with "전문보기: URL", glued to the next headline
    first = "■ 돼지열병 의심신고 2건 접수…확진 여부 오늘 밤 나온다" + B1 + B2
    second = "■ 수출 바우처 예산 두 배로…중소기업 물류비 숨통" + B3 + B4
    text = (
        first
        + "     전문보기: http://hanbit.kr/AbC12x"
        + second
        + "     전문보기: http://hanbit.kr/Zz9"
    )
    out = _explain(text)
    assert "전문보기" not in out.text and "http" not in out.text
    assert B2 in out.text and B3 in out.text and "수출 바우처 예산 두 배로" in out.text


def test_a_photo_credit_opening_a_paragraph_goes_and_a_stamped_one_keeps_its_caption() -> None:
    # kind: "[사진 = …]" or "(그래픽=…)" opening a paragraph, the text glued after it
    body = "".join(BODY)
    for credit in ("[사진 = 한빛뉴스] ", "(그래픽=한빛뉴스)", "(출처=한빛전자)"):
        out = _explain(credit + body)
        assert out.text == body
        assert any(r.text.strip() == credit.strip() for r in out.removals)
    out = _explain("(그래픽=한빛뉴스)" + body)
    assert any(r.rule == "caption.credit_lead" for r in out.removals)  # glued: no space
    # a wire photo item: its description, then "(사진=… 제공). date e-mail" and the agency's
    # appeal for tips; the credit before the stamp is no lead credit, the description stays
    scene = (
        "한빛자동차는 지난 1일 베이징의 브랜드 체험공간에서 폐기되는 가죽시트를 업사이클링해 "
        "새로 디자인한 의상 7벌을 선보였다."
    )
    out = _explain(
        "【서울=한빛통신】박서윤 기자 = "
        + scene
        + " (사진= 한빛자동차 제공). 2019.11.03. photo@hanbit.co.kr[사진 영상 제보받습니다] "
        + "한빛통신이 독자 여러분의 소중한 제보를 기다립니다."
    )
    assert scene in out.text
    assert not any(r.rule == "caption.credit_lead" for r in out.removals)


def test_an_agency_appeal_for_tips_after_the_last_sentence_goes_whole() -> None:
    # kind: the outlet speaking to its readers after the article, two sentences, the second
    # with an e-mail and a phone number inside it ("… 보내주시면 적극 반영하겠습니다.")
    appeal = (
        "한빛통신이 독자 여러분의 소중한 제보를 기다립니다. 뉴스 가치나 화제성이 있다고 "
        "판단되는 사진 또는 영상을 한빛통신 사진영상부(n-photo@hanbit.co.kr, 02-123-4567)로 "
        "보내주시면 적극 반영하겠습니다."
    )
    body = "".join(BODY)
    out = _explain(
        "【서울=한빛통신】박서윤 기자 = "
        + body
        + " psy@hanbit.co.kr[사진 영상 제보받습니다] "
        + appeal
        + "<저작권자ⓒ 한빛통신. 무단전재-재배포 금지.>"
    )
    assert out.text == body
    assert {r.rule for r in out.removals} >= {"promo.reader_appeal"}
    assert "보내주시면" in "".join(r.text for r in out.removals if r.category == "promo")
    # the same words inside the article (a city asking for applications) are body text
    ask = "시는 신청서를 이메일(apply@hanbit.go.kr)로 보내주시면 검토하겠다고 밝혔다."
    out = _explain("【서울=한빛통신】박서윤 기자 = " + B1 + ask + B2)
    assert ask in out.text and B2 in out.text


def test_links_behind_arrows_after_the_last_sentence_go_even_when_cut_at_their_question() -> None:
    # kind: a run of links after the byline ("▶ … 날엔? …!"), which the sentence cut splits at
    # its "?" or "!"; no keyword of the arrow rule in the first one
    body = "".join(BODY)
    tail = (
        " 박서윤 기자 psy@hanbit.co.kr▶ 미세먼지 심한 날엔? 먼지알지!▶ 경제 감각을 키우고 싶다면?"
    )
    out = _explain(body + tail)
    assert out.text == body
    assert "먼지알지" in "".join(r.text for r in out.removals if r.category == "promo")
    # a link whose bracketed title the sentence cut splits in three pieces
    tail = (
        " 박서윤 기자(psy@hanbit.co.kr)☞ [다시 뜨겁게! 한빛 특집 사이트] 올림픽을 더 재미있게!"
        "☞ [특집] 속마음을 읽는다? AI포토 바로 가기! ※ ⓒ 한빛방송 : 무단복제 및 재배포 금지"
    )
    out = _explain(body + tail)
    assert out.text == body, out.text
    # a link ending in a request ("…에서 즐기세요."); the photo caption it followed is then
    # the last thing on the page, after the last sentence, and goes too (as a second pass
    # would take it)
    tail = (
        "홍길동(가운데) 한빛도지사가 지난 17일 저녁 강릉의 한 호텔에서 열린 환영만찬에서 건배를 "
        "제의하고 있다 한빛도 제공▶한빛올림픽의 뜨거운 열기! '한빛 2018'에서 즐기세요."
        "▶네이버 홈에서 '한빛일보' 뉴스를 구독하세요."
    )
    out = _explain(body + tail)
    assert out.text == body, out.text
    # a list of points that ends the article, each a statement, stays
    points = "▶ 피고인 A씨는 2022년 4월 절도 혐의로 기소됐다.▶ 원고는 이 계약이 무효라고 주장했다."
    out = _explain(body + points)
    assert "피고인 A씨는" in out.text and "무효라고 주장했다" in out.text


def test_a_photo_credit_opening_a_collapsed_page_goes() -> None:
    # kind: "ⓒ 이름" opening a page collapsed onto one line (over 300 characters), before the
    # lede
    body = LONG
    for credit in ("ⓒ 한빛조선지회 ", "ⓒ 홍길동 "):
        out = _only_body_left(credit, body)
        # one removal takes the whole credit (a name alone is also cut as a unit of its own)
        assert [r.text.strip() for r in out.removals] == [credit.strip()], out.removals
    # a sentence about the sign itself is body text
    about = "ⓒ 표시가 없는 사진도 저작물로 보호받는다고 재판부는 판단했다."
    assert _explain(about + body).text.startswith(about)


def test_a_long_copyright_credit_closing_the_page_goes() -> None:
    # kind: an English copyright holder after the last sentence, its own unit
    body = "".join(BODY)
    credit = "ⓒ한빛스포츠(https://sports.hanbit.co.kr) and Hanbit Content Hub Co., Ltd."
    out = _explain(body + "▶한빛스포츠 [페이스북] [트위터]" + credit + " 무단 전재 및 재배포 금지")
    assert out.text == body, out.text


def test_a_bracketed_byline_of_several_reporters_inside_the_first_line_ends_the_deck() -> None:
    # kind: headline and deck glued before "[ 김보형/고재연 기자 ]", then the lede; and a
    # digital outlet's "- deck - deck [한빛데일리 홍길동기자]"
    body = "".join(BODY)
    for head in (
        "수출 바우처 예산 두 배로물류비 부담 큰 기업부터[ 박서윤/홍길동 기자 ]",
        "- 다음 달부터 기업 공모 - 연말까지 집행 마칠 계획 [한빛데일리 홍길동기자] ",
    ):
        out = _only_body_left(head, body)
        assert any(r.category in ("wire", "byline") and "기자" in r.text for r in out.removals)


def test_a_wire_credit_glued_to_the_next_sentence_goes_alone() -> None:
    # kind: a photo caption, "/연합뉴스" glued to the lede: the credit goes, never the
    # lede's first words with it
    caption = "홍길동 장관이 25일 서울 여의도에서 개편안을 발표하고 있다. "
    out = _explain("[ 박서윤 기자 ]" + caption + "/연합뉴스" + "".join(BODY))
    assert out.text.startswith(B1), out.text
    assert "/연합뉴스" in [r.text.strip() for r in out.removals]


def test_a_portal_label_naming_the_provider_goes_even_glued_to_the_headline() -> None:
    # kind: "기사제공 한빛뉴스" opening a collapsed page, the headline glued after it
    body = "".join(BODY)
    for label in ("기사제공 한빛뉴스", "기사제공 KBC 뉴스", "-기사제공 한빛데일리동영상 뉴스"):
        out = _explain(label + "정부, 수출 바우처 예산 두 배로 늘린다 " + body)
        assert "기사제공" not in out.text and body in out.text, out.text
        assert any(r.rule == "wire.provided_by" for r in out.removals)
    # the words inside an article are text
    said = "기사제공 업체와의 계약은 다음 달 끝난다고 회사 측은 밝혔다."
    assert said in _explain(body + said).text


def test_a_copyright_notice_opening_the_page_goes_and_the_lede_stays() -> None:
    # kind: "Copyright(c) … All rights reserved" glued before the headline or the lede
    body = "".join(BODY)
    for notice in (
        "Copyright(c) Since 1996, 한빛방송&iHB All rights reserved.",
        "Copyright(c) Since 1996, 한빛방송&iHB All rights reserved ",
    ):
        out = _only_body_left(notice, body)
        assert any(r.category == "copyright" for r in out.removals)


def test_a_credit_before_the_lede_never_takes_the_ledes_first_word() -> None:
    # kind: a photo credit between a caption and the lede, one space before the lede: the
    # credit is a name (or words ending in 제공/기자/DB/캡처), never the lede's subject
    caption = "26일 오전 울산시 동구 한빛회관에서 한빛중공업의 정기 주주총회가 열리고 있다. "
    for credit in ("/사진=한빛통신 ", "/한빛통신 ", "/한빛중공업 제공 "):
        out = _explain(caption + credit + "한빛중공업이 " + "".join(BODY))
        assert out.text.startswith("한빛중공업이 " + B1), (credit, out.text)
    # a credit of a few words ending in "캡처", glued to the lede, goes whole
    out = _explain("/사진=한빛전자 뉴스룸 영상 캡처" + "".join(BODY))
    assert out.text.startswith(B1), out.text


def test_a_robot_articles_disclaimer_and_the_chart_label_before_it_go() -> None:
    # kind: "[그래프]… 매매동향한빛로보뉴스이 기사는 … 알고리즘에 의해 실시간으로 작성된 것입니다."
    body = "".join(BODY)
    tail = (
        "[그래프]한빛화학 외국인/기관 매매동향한빛로보뉴스이 기사는 한빛경제신문과 금융 AI "
        "전문기업 누리AI가 공동 개발한 기사 자동생성 알고리즘에 의해 실시간으로 작성된 것입니다."
    )
    out = _explain(body + tail)
    assert out.text == body, out.text
    # a sentence about an algorithm in the article is text
    said = "회사는 이 보고서가 자체 알고리즘으로 작성된 것이라고 설명했다."
    assert said in _explain(body + said).text


def test_a_video_label_and_a_tagged_bracket_deck_opening_the_page_go() -> None:
    # kinds: a portal's "동영상 뉴스" label over a video item; a deck in brackets that opens
    # with its section's tag ("[[the300]…]"), glued to the lede
    body = LONG
    assert len(body) > 300
    _only_body_left("동영상 뉴스 [앵커]", body)
    _only_body_left("[[the300]수출 바우처 예산 두 배로…물류비 부담 큰 기업부터]", body)
    # the words inside an article are text
    said = "방송사들은 동영상 뉴스 서비스를 강화하고 있다고 밝혔다."
    assert said in _explain(body + said).text


def test_a_series_label_between_spaced_diamonds_goes_with_the_decks_before_it() -> None:
    # kind: decks glued to a series label "◆ … ◆", glued to the lede
    # ("…제품화 추진◆ 레이더 M ◆필러와 …"); the label marks where the decks end
    body = LONG
    out = _only_body_left("수출 바우처 예산 두 배로물류비 부담 큰 기업부터◆ 중기 수출 현장 ◆", body)
    assert [r.rule for r in out.removals] == ["layout.before_body"] * 2, out.removals
    _only_body_left("◆ 2024 중기가 뛴다 ② ◆ ", body)
    # a subhead inside the article ("◆분석 요약◆", "◆ 전망 ◆") stays where it stands
    for subhead in ("◆분석 요약◆", "◆ 업계 전망 ◆ "):
        text = "".join(BODY[:3]) + subhead + "".join(BODY[3:])
        assert _squash(subhead) in _squash(_explain(text).text)
    # a deck that ends like a quoted sentence is kept: the label alone goes
    deck = '"물류비 부담 더는 못 버텨요"'
    out = _explain(deck + "◆ 중기 수출 현장 ◆" + body)
    assert out.text.startswith(deck) and "◆" not in out.text, out.text


def test_a_photo_credit_ended_by_a_role_or_by_latin_letters_is_cut_from_the_next_sentence() -> None:
    # kind: an in-body photo's credit glued to the next sentence, where the role ("기자",
    # "디자이너") or the change from Latin letters to Hangul shows where the credit ends
    head, rest = B1 + B2, LONG[len(B1 + B2) :]
    for credit in (
        "© News1 홍길동 기자",
        "ⓒ한빛일보 김서연 기자",
        "© News1 최하늘 디자이너",
        "© News1",
    ):
        out = _explain(head + " " + credit + rest)
        assert _squash(out.text) == _squash(LONG), (credit, out.text)
    # capitals glued to Hangul start a Korean name ("ⓒDB손보"): that credit's end is unknown,
    # so the text stays whole, never half a word
    out = _explain(head + "ⓒKB손보 KB손해보험은 새 상품을 내놓았다고 밝혔다." + rest)
    assert "KB손보 KB손해보험은" in out.text, out.text
    # "기자" after a © mark inside a sentence is not a credit's end
    said = "그는 © 표시가 붙은 사진을 두고 홍길동 기자와 다퉜다고 말했다."
    assert said in _explain(head + said + rest).text


def test_a_marked_photo_block_and_its_photographer_go_and_the_subhead_above_stays() -> None:
    # kind: an in-body photo block "▲ caption ⓒ photographer", spaced, between a subhead and
    # the next paragraph ("…하라\" ▲ 서울 강남구 … 재단 ⓒ 홍길동 박근혜와 …")
    head, rest = B1 + B2, LONG[len(B1 + B2) :]
    subhead = '"수출 바우처 두 배로"'
    block = " " * 12 + "▲ \xa0부산항 신선대부두 전경." + " " * 12 + "ⓒ 홍길동  \xa0"
    out = _explain(head + subhead + block + rest)
    assert _squash(out.text) == _squash(head + subhead + rest), out.text
    assert {r.rule for r in out.removals} == {"caption.marked", "copyright.credit"}, out.removals
    # a credit word after the name goes with it: "ⓒ 한빛튜브 캡처"
    out = _explain(head + " 신제품 시연 영상 캡처. ⓒ 유튜브 캡처 " + rest)
    assert _squash(out.text) == _squash(LONG), out.text
    # a sentence that opens with "ⓒ 표시가" is text
    said = " ⓒ 표시가 없는 사진도 보호받는다고 재판부는 판단했다."
    assert _squash(said) in _squash(_explain(head + said + rest).text)


def test_a_first_line_of_sentences_glued_together_is_never_the_headline() -> None:
    # kind: the crawler lost the paragraph break after the first paragraph ("…밝혔다.\"소제목\""
    # then many spaces): that short first line is sentences glued together, not a headline
    first = B1 + B2 + '"수출 바우처 두 배로"'
    out = _explain(
        first + " " * 12 + LONG[len(B1 + B2) :] + " [ⓒ 한빛일보, 무단전재 및 재배포 금지]"
    )
    assert out.text.startswith(B1 + B2), out.text
    assert out.title is None, out.title
    # a headline line above a body still is one
    out = _explain(
        "수출 바우처 예산 두 배로 늘린다\n" + LONG + "\n[ⓒ 한빛일보, 무단전재 및 재배포 금지]"
    )
    assert out.title == "수출 바우처 예산 두 배로 늘린다" and out.text.startswith(B1), out


def test_a_bare_credit_after_a_caption_is_cut_from_the_lede_glued_to_it() -> None:
    # kind: "<caption>. 한빛차 제공<lede>": an outlet or company and "제공" after a caption's
    # stop, glued to the next sentence with no space
    caption = "14일 부산항 신선대부두에서 수출용 컨테이너가 선적되고 있다."
    out = _explain(caption + " 한빛해운 제공" + LONG)
    assert out.text == LONG, out.text
    assert any(r.text.strip() == "한빛해운 제공" for r in out.removals), out.removals
    # "제공" reading on as a verb or inside a word is text: "…제공한다", "국제공항"
    for said in (
        "정부는 물류비를 지원한다. 한빛해운 제공한 자료에 따르면 운임이 올랐다.",
        "정부는 물류비를 지원한다. 인천 국제공항에서 수출 화물이 늘었다.",
    ):
        assert _squash(said) in _squash(_explain(LONG + said).text), said


def test_a_short_line_of_deck_bracketed_byline_and_lede_is_split() -> None:
    # kind: on a page with line breaks, one line under 200 characters holds a deck, a bracketed
    # byline and the lede: "…함께 변론[한빛일보 홍길동 기자] 국민의힘 …"
    line = "물류비 부담 큰 기업부터 지원[한빛일보 홍길동 기자] " + B1 + B2
    assert len(line) < 200
    page = "\n".join([line, B3, B4, B5, "[ⓒ 한빛일보, 무단전재 및 재배포 금지]"])
    out = _explain(page)
    assert out.text == "\n".join([B1 + B2, B3, B4, B5]), out.text
    assert "title.deck" in {r.rule for r in out.removals}, out.removals
    # a byline closing a sentence's line stays a suffix cut; the sentence is whole
    out = _explain(
        "\n".join([B1 + " [한빛일보 홍길동 기자]", B2, B3, "[ⓒ 한빛일보, 무단전재 및 재배포 금지]"])
    )
    assert out.text == "\n".join([B1, B2, B3]), out.text


def test_the_last_paragraph_ending_like_a_scene_stays_before_the_sign_off() -> None:
    # body loss this guards: the article's last sentence "…실천하고 있다." before the sign-off
    # "[한빛일보 홍길동 기자]" and promo links read as a photo's scene caption
    last = "한빛에너지는 임직원 봉사단도 운영하며 나눔과 상생의 가치를 실천하고 있다."
    tail = (
        " [홍길동 기자]▶네이버 메인에서 '한빛일보'를 받아보세요▶뉴스레터 구독 "
        "▶프리미엄 읽을거리[ⓒ 한빛일보 & hanbit.co.kr, 무단전재 및 재배포 금지]"
    )
    out = _explain(LONG + "  " + last + tail)
    assert _squash(out.text) == _squash(LONG + last), out.text
    # a scene caption before a wire dateline that opens the article still goes
    out = _explain("14일 부산항에서 컨테이너가 선적되고 있다.(부산=한빛통신) 홍길동 기자 = " + LONG)
    assert out.text == LONG, out.text


def test_a_sentence_restating_the_start_of_an_earlier_one_is_no_repeat() -> None:
    # body loss this guards: a lede summary "한빛전자는 … 내걸고 있지만 정작 …" and, further
    # down, the body's own sentence "한빛전자는 … 내걸고 있다." (its trigrams all in the summary)
    from dedupe_ko.paragraphs import find_repeats

    summary = (
        "한빛전자는 정체된 TV 시장을 견인할 돌파구로 75인치 이상 초고해상도 8K TV를 내걸고 "
        "있지만 정작 8K 대표 시장인 일본에서는 힘을 쓰지 못하고 있는 상태다."
    )
    own = "한빛전자는 정체된 TV 시장을 견인할 돌파구로 75인치 이상 초고해상도 8K TV를 내걸고 있다."
    assert find_repeats([summary, B1, B2, own, B3]) == {}
    out = _explain(summary + LONG + own + B3 + B4)
    assert _squash(own) in _squash(out.text), out.text
    # a copy trimmed at one end, found whole in the earlier paragraph, still repeats it
    trimmed = summary[: summary.index("일본에서는")].rstrip()
    assert list(find_repeats([summary, B1, trimmed])) == [2]


def test_a_deck_ending_in_a_noun_with_da_goes_before_a_bracketed_byline() -> None:
    # kind: decks glued to a bracketed byline whose last word is a noun in 다 ("2년 연속 최다",
    # "…상승세다"): a headline's words, not a sentence's ending
    for deck in (
        "한빛대, 산학협력 고용인원 2년 연속 최다",
        "수출 바우처 예산 두 배로물류비 부담 상승세다",
    ):
        out = _only_body_left(deck + "[ 홍길동 기자 ] ", LONG)
        assert {r.rule for r in out.removals} == {"title.deck", "ui.script_tag"}, out.removals
    # a sentence without its stop ("…의결했다", "…선정한다") before the byline stays
    for said in ("정부는 이날 수출 지원 예산을 의결했다", "정부는 지원 대상을 다음 달 선정한다"):
        out = _explain(said + "[ 홍길동 기자 ] " + LONG)
        assert out.text.startswith(said), out.text


def test_an_outlet_tag_after_a_quoted_deck_goes_with_the_deck() -> None:
    # kind: a deck that ends in a quotation, glued to an outlet tag and the lede:
    # '…업계 "운임 부담 여전"[한빛경제] 정부는 …'
    out = _only_body_left('물류비 지원 두 배로업계 "운임 부담 여전"[한빛경제] ', LONG)
    assert {r.rule for r in out.removals} == {"title.deck", "wire.outlet_tag"}, out.removals
    # a quotation inside a sentence before the lede's outlet tag stays text
    said = '그는 "운임 부담이 여전하다"고 말했다.'
    assert _explain(LONG + said + "[한빛경제] " + B1).text.count("운임 부담이 여전하다") == 1


def test_a_caption_and_its_bracketed_credit_between_two_sentences_go() -> None:
    # kind: "…예정이다.한빛 판교 오피스 [한빛 ]그동안 …": a caption glued after a sentence's
    # stop, its credit in brackets (the photographer's name dropped), the next sentence glued on
    head, rest = B1 + B2, LONG[len(B1 + B2) :]
    out = _explain(head + "한빛해운 부산 신항 터미널 [한빛해운 ]" + rest)
    assert _squash(out.text) == _squash(LONG), out.text
    # at a paragraph's end the bracketed outlet credits that paragraph: its sentence stays
    out = _explain(LONG + "\n" + B1 + " [한빛뉴스]")
    assert out.text.endswith(B1), out.text
