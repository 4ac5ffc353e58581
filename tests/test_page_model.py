"""The page model: segmentation of collapsed lines, the pass registry and its body-block slot,
and cleaning of bodies a crawler glued onto one line (our own Korean fixtures)."""

from __future__ import annotations

import json

import pytest
from _shared import need_corpus, scorer

from dedupe_ko import CleanConfig, clean, clean_and_explain, replay
from dedupe_ko.lexicon import VOCAB
from dedupe_ko.passes import PASSES, Page, run_passes
from dedupe_ko.segment import lines, restore_breaks, units

S1 = "서울시가 여름철 한강 수변공원의 야간 개방 시간을 오후 11시까지 늘리기로 했다."
S2 = "시는 7월부터 9월까지 뚝섬·반포·여의도 등 5개 공원의 조명과 안전요원을 보강한다고 12일 밝혔다."
S3 = "이번 조치는 열대야가 길어지면서 늦은 시간까지 공원을 찾는 시민이 늘어난 데 따른 것이다."
S4 = '시 관계자는 "시민들이 더위를 피해 안전하게 쉴 수 있도록 순찰 인력을 두 배로 늘렸다"고 말했다.'
S5 = "야간 방문객은 지난해 같은 기간 하루 평균 3만 명을 넘었고 올해도 꾸준히 늘고 있다."
S6 = "시는 공원별 혼잡도를 스마트폰 앱으로 실시간 공유하는 서비스도 시범 운영한다."
CAPTION = "12일 서울 여의도 한강공원에서 시민들이 산책을 하고 있다."


def _collapsed() -> str:
    """A body glued onto one line the way portal crawls arrive (no spaces after stops)."""
    return (
        "(서울=한빛뉴스) 박서윤 기자 = "
        + S1
        + S2
        + CAPTION
        + "/한빛뉴스 제공"
        + S3
        + " "
        + S4
        + " [사진=서울시 제공]"
        + S5
        + S6
        + " 박서윤 기자 psy@hanbit.co.kr▶한빛뉴스 채널 구독하기 ▶네이버에서 한빛뉴스 보기"
        + " <저작권자 ⓒ 한빛뉴스, 무단전재 및 재배포 금지>"
    )


def _norm(text: str) -> str:
    return "".join(text.split())


def test_glued_sentences_and_furniture_become_units() -> None:
    text = S1 + S2 + S3 + S4 + " 박서윤 기자 psy@hanbit.co.kr▶한빛뉴스 채널 구독하기"
    got = [text[u.start : u.end] for u in units(text, lines(text))]
    assert got[:4] == [S1, S2, S3, S4]
    assert "박서윤 기자 psy@hanbit.co.kr" in got
    assert "▶한빛뉴스 채널 구독하기" in got
    assert all(not u.whole for u in units(text, lines(text)))


def test_a_short_line_or_a_plain_paragraph_stays_one_unit() -> None:
    plain = " ".join([S1, S2, S3, S5])  # spaced stops, no furniture cue: judged whole
    assert [(u.start, u.end, u.whole) for u in units(plain, lines(plain))] == [
        (0, len(plain), True)
    ]


def test_runs_of_spaces_without_a_stop_before_them_stay_spaces() -> None:
    stopless = [s.rstrip(".") for s in (S1, S2, S3, S4, S6)]
    text = "     ".join(stopless)
    assert restore_breaks(text) is text
    assert _norm(clean(text)) == _norm("".join(stopless))


def test_runs_of_spaces_that_stood_for_line_breaks_become_paragraphs() -> None:
    text = S1 + " " + S2 + "      " + S3 + " " + S5 + "   " + S6
    assert restore_breaks(text).split("\n") == [S1 + " " + S2, S3 + " " + S5, S6]
    cleaned = clean_and_explain(text)
    assert cleaned.paragraphs == [S1 + " " + S2, S3 + " " + S5, S6]
    assert "restore_breaks" in cleaned.fixes
    assert replay(cleaned.normalized, cleaned.removals) == cleaned.text


def test_collapsed_body_loses_every_piece_of_furniture_and_no_body_text() -> None:
    cleaned = clean_and_explain(_collapsed())
    body = _norm(cleaned.text)
    assert body == _norm(S1 + S2 + S3 + S4 + S5 + S6)
    gone = {r.category for r in cleaned.removals}
    assert {"wire", "caption", "byline", "promo", "copyright"} <= gone
    assert cleaned.title is None  # a collapsed body's first sentence is never a title
    assert replay(cleaned.normalized, cleaned.removals) == cleaned.text
    assert clean(cleaned.text) == cleaned.text


def test_a_body_sentence_ending_in_itda_stays_beside_a_byline() -> None:
    # S5 ends in "늘고 있다." right before the sign-off: the article's last words, not a caption
    text = S1 + S2 + S3 + S4 + S5 + " 박서윤 기자 psy@hanbit.co.kr"
    assert _norm(clean(text)) == _norm(S1 + S2 + S3 + S4 + S5)


def test_a_scene_caption_beside_its_credit_goes_inside_a_collapsed_body() -> None:
    text = S1 + S2 + CAPTION + "/한빛뉴스 제공" + S3 + S4 + S6
    cleaned = clean_and_explain(text)
    assert _norm(cleaned.text) == _norm(S1 + S2 + S3 + S4 + S6)
    assert [r.text.strip() for r in cleaned.removals if r.rule == "caption.description"] == [
        CAPTION
    ]


def test_deck_before_a_wire_dateline_goes_but_is_never_the_title() -> None:
    deck = "한강공원 야간 개방 확대 열대야 대책 본격화"
    text = deck + "【서울=한빛뉴스】박서윤 기자 = " + S1 + S2 + S3 + S4 + S6
    cleaned = clean_and_explain(text)
    assert _norm(cleaned.text) == _norm(S1 + S2 + S3 + S4 + S6)
    assert any(r.rule == "title.deck" and r.text.strip() == deck for r in cleaned.removals)
    assert cleaned.title is None


def test_transcript_turns_that_repeat_stay() -> None:
    turns = ["▷김태현 : 네.", "▷이하은 : 그렇습니다.", "▷김태현 : 네.", "▷이하은 : 맞습니다."]
    text = "\n".join([S1, *turns, S2])
    assert clean(text).split("\n") == [S1, *turns, S2]


def test_pass_registry_order_and_the_body_block_slot() -> None:
    assert [name for name, _ in PASSES] == [
        "segment",
        "body_block",
        "furniture",
        "captions",
        "photo_stamps",
        "posed_captions",
        "photo_story",
        "repeats",
        "title",
        "render",
    ]
    menu = "정치 경제 사회 국제 문화 스포츠 연예"

    def drop_menu(page: Page) -> None:  # what blocks.select_body will do in this slot
        assert page.lines[0] == (0, menu)
        page.drop_line(0, "block.menu", "ui")
        page.warnings.append("block: menu dropped")

    passes = tuple((n, drop_menu if n == "body_block" else fn) for n, fn in PASSES)
    cfg = CleanConfig()
    text = "\n".join([menu, S1, S2])
    page = run_passes(Page(text, cfg, cfg.rules), passes)
    assert page.body == "\n".join([S1, S2])
    assert [(r.rule, r.category) for r in page.removals] == [("block.menu", "ui")]
    assert page.warnings == ["block: menu dropped"]
    assert replay(page.text, page.removals) == page.body


def test_rule_vocabulary_comes_from_the_lexicon() -> None:
    from dedupe_ko.boilerplate import load_rules

    rules = load_rules()
    assert "email_re" in VOCAB and rules.by_id("byline.email").compiled.search("hong@hanbit.co.kr")


# ------------------------------------------------------------------ real collapsed bodies


def _naver(name: str) -> list[dict]:
    path = need_corpus() / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_naver_dev_floors(tmp_path) -> None:
    """Character precision / recall on 100 real collapsed bodies (floors this code reaches;
    the issue's bar is precision 0.99, recall 0.995, at most 5% of furniture left)."""
    out = tmp_path / "out.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for r in _naver("naver_dev.jsonl"):
            f.write(json.dumps({"id": r["id"], "text": clean(r["text"])}, ensure_ascii=False))
            f.write("\n")
    p, r, left, lost = scorer().score_chars(str(need_corpus() / "naver_dev.truth.jsonl"), str(out))
    assert p >= 0.99 and r >= 0.995 and lost == 0 and left <= 13, (p, r, left, lost)


def test_naver_raw_never_crashes_replays_and_is_mostly_idempotent() -> None:
    records = _naver("naver_raw.jsonl")
    stable = 0
    for r in records:
        cleaned = clean_and_explain(r["text"])
        assert replay(cleaned.normalized, cleaned.removals) == cleaned.text, r["id"]
        assert cleaned.text or not r["text"].strip() or cleaned.warnings is not None
        stable += clean(cleaned.text) == cleaned.text
    assert stable / len(records) >= 0.985, stable / len(records)


def test_feed_captions_in_their_usual_shapes_go_and_the_body_stays() -> None:
    page = "\n".join(
        [
            S1,
            "서민재 헌법재판소장",  # a name-only caption above its credit
            "《사진=한빛뉴스》",
            S2,
            "노은채 대법원장 《사진=한빛뉴스》",  # name and credit on one line
            S3,
            "서울중앙지법 청사 전경.",  # a view without a credit, between paragraphs
            S4,
            "3일 서울 서초구 대법원에서 참석자들이 구호를 외치고 있다.",  # a scene, no credit
            S5,
            S6,
        ]
    )
    assert clean(page).split("\n") == [S1, S2, S3, S4, S5, S6]


def test_a_body_printed_twice_on_one_line_keeps_one_copy() -> None:
    body = S1 + " " + S2 + " " + S3 + " " + S4 + " " + S6
    text = body + " " + body + " " + S1  # a collapsed page (1,000+ characters) doubled
    text = (text + " ") * 2
    cleaned = clean_and_explain(text.strip())
    assert _norm(cleaned.text) == _norm(body)
    assert all(r.repeats for r in cleaned.removals if r.category == "repeat")


def test_one_menu_word_inside_a_collapsed_lede_never_cuts_a_title() -> None:
    # "추천" and "반대" are menu words, but here they are the article's own words
    lede = "시민단체가 25일 오후 서울 광화문광장에서 예·적금 추천 서비스 규제 반대 집회를 열고 있다"
    text = lede + " " + " ".join(s.rstrip(".") for s in (S1, S2, S3, S4, S5, S6))
    cleaned = clean_and_explain(text)
    assert cleaned.title is None
    assert cleaned.text == text
