"""Unicode repair and canonical form."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe_ko import normalize
from dedupe_ko.normalize import fold_key, repair_cp949

SENTENCE = "대전·세종시와 서울시가 교류를 강화하기로 했다."


def _as_cp1252(data: bytes) -> str:
    """Bytes shown as Windows-1252; its five undefined bytes stay C1 controls, as browsers do."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


@pytest.mark.parametrize("decode", [lambda b: b.decode("latin-1"), _as_cp1252])
def test_cp949_read_as_latin_is_repaired(decode) -> None:
    broken = decode(SENTENCE.encode("cp949"))
    assert broken != SENTENCE
    out = normalize(broken)
    assert out.text == SENTENCE
    assert "cp949_mojibake" in out.fixes


def test_cp949_repair_of_example_from_issue() -> None:
    assert repair_cp949("´ëÀü¡¤¼¼Á¾") == "대전·세종"


def test_cp949_repair_inside_a_mixed_line_keeps_the_rest() -> None:
    broken = (
        "원심은 " + "혐의를 무죄로 판단했다.".encode("cp949").decode("latin-1") + " (2023도1234)"
    )
    assert normalize(broken).text == "원심은 혐의를 무죄로 판단했다. (2023도1234)"


def test_utf8_read_as_cp1252_is_repaired_by_ftfy() -> None:
    broken = _as_cp1252("앞서 내란 특검팀은 오전 10시부터".encode())
    out = normalize(broken)
    assert out.text == "앞서 내란 특검팀은 오전 10시부터"
    assert {"ftfy", "utf8_mojibake"} & set(out.fixes)


def test_utf8_mojibake_inside_a_line_of_good_hangul() -> None:
    damaged = _as_cp1252("신임 이사장이 4월 11일".encode())
    assert "\xa0" in damaged  # the byte 0xA0 that trips whole-line repair
    out = normalize("법률구조재단(이하 재단) " + damaged + " 방문했다.")
    assert out.text == "법률구조재단(이하 재단) 신임 이사장이 4월 11일 방문했다."


@pytest.mark.parametrize(
    "text",
    [
        SENTENCE,
        "Café Größe naïve: Latin text with accents stays as it is.",
        "김 대표는 '혁신'과 \"상생\"을 강조했다… 3·1절 기념식은 「독립선언서」 낭독으로 시작됐다.",
        "A ¾ cup and 25°C are fine too.",
        "작년 9명 제명 ······ 변호사 징계 더 늘고 더 세졌다",
        "¿Qué? ¡Olé! «Ça va» — Ångström ×÷",
    ],
)
def test_correct_text_is_untouched(text: str) -> None:
    out = normalize(text)
    assert out.text == text
    assert out.fixes == ()
    assert out.warnings == ()


def test_utf8_mojibake_of_latin_text_goes_to_ftfy_not_cp949() -> None:
    assert normalize("Ã©tÃ© au cafÃ©").text == "été au café"


def test_utf8_decoded_as_cp949_is_flagged_not_passed_silently() -> None:
    damaged = SENTENCE.encode("utf-8").decode("cp949", errors="replace")
    out = normalize(damaged)
    assert out.warnings and "U+FFFD" in out.warnings[0]


def test_nfd_hangul_comes_out_composed() -> None:
    nfd = unicodedata.normalize("NFD", "한국어 기사")
    assert len(nfd) == 13
    out = normalize(nfd)
    assert out.text == "한국어 기사"
    assert len(out.text) == 6


def test_invisible_and_odd_characters() -> None:
    raw = "\ufeff특정경제범죄\u200b가중처벌\u200d등에관한법률\u00ad 위반\u00a0혐의\u3000로  기소됐다.\t끝\r\n\r\n다음 줄"
    assert (
        normalize(raw).text == "특정경제범죄가중처벌등에관한법률 위반 혐의 로 기소됐다. 끝\n다음 줄"
    )


def test_quote_and_middle_dot_variants_fold() -> None:
    raw = "“계엄” ‘불참’ ＂전원＂ 대전ㆍ세종‧충남・충북･강원"
    assert normalize(raw).text == '"계엄" \'불참\' "전원" 대전·세종·충남·충북·강원'
    assert normalize(raw, fold_quotes=False).text.startswith("“계엄”")


def test_html_entities_are_unescaped() -> None:
    assert normalize("내란&nbsp;전담재판부&middot;법왜곡죄 &quot;공방&quot;").text == (
        '내란 전담재판부·법왜곡죄 "공방"'
    )


def test_bytes_raise_with_advice() -> None:
    with pytest.raises(TypeError, match="decode"):
        normalize(SENTENCE.encode("utf-8"))  # type: ignore[arg-type]


def test_fold_key_ignores_spacing_punctuation_quotes() -> None:
    assert fold_key("김 대표는 “혁신”을 강조했다.") == fold_key("김대표는 '혁신'을강조했다")


@given(st.text(max_size=300))
def test_normalize_is_idempotent_and_nfc(text: str) -> None:
    once = normalize(text).text
    assert unicodedata.is_normalized("NFC", once)
    assert normalize(once).text == once


def test_latin_bytes_are_each_characters_latin1_or_cp1252_byte() -> None:
    import random

    from dedupe_ko.normalize import _latin_to_bytes

    def by_char(s: str) -> bytes | None:
        out = bytearray()
        for ch in s:
            if ord(ch) < 256:
                out.append(ord(ch))
            else:
                try:
                    out += ch.encode("cp1252")
                except UnicodeEncodeError:
                    return None
        return bytes(out)

    chars = [chr(i) for i in range(0x300)] + ["€", "™", "œ", "‘", "’", "가", "·"]
    rng = random.Random(2)
    for _ in range(5000):
        s = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        assert _latin_to_bytes(s) == by_char(s), repr(s)
    assert _latin_to_bytes("´ëÀü¡¤¼¼Á¾") == "대전·세종".encode("cp949")


def test_fold_keys_fold_each_text_as_fold_key_does() -> None:
    from dedupe_ko.normalize import fold_key, fold_keys

    texts = [
        "서울시가 야간 개방을 늘린다.",
        "",
        "ΟΔΟΣ",  # a final sigma is lowered by its context
        "\u0301한빛",  # a combining mark first: nothing before it to compose with
        "\u1100",  # a leading jamo, then a vowel jamo in the next text
        "\u1161뉴스",
        "“홍길동” 기자 · 😀 hong@hanbit.co.kr",
        "AI·IT  Ｆｕｌｌ",
    ]
    assert fold_keys(texts) == [fold_key(t) for t in texts]
    with_sep = ["가\ue000나", "다"]  # the separator itself in a text: folded one by one
    assert fold_keys(with_sep) == [fold_key(t) for t in with_sep]


def test_the_hint_scan_finds_what_the_hint_pattern_finds() -> None:
    import random

    from dedupe_ko.normalize import _MOJIBAKE_HINT, _has_hint

    rng = random.Random(3)
    pool = [*"가나 ·&;#é°×\u00c3\u00a9\u00b7\u0080\x1b\u00ec\u2022", "&amp;", "&#12;", "ë‹¤"]
    for _ in range(30_000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 8)))
        assert _has_hint(s) == (_MOJIBAKE_HINT.search(s) is not None), repr(s)
    assert _has_hint("ì•žì„œ 말했다") and not _has_hint("한·미 정상·외교 ‘회담’")


def test_spaces_at_line_edges_go_as_the_multiline_pattern_takes_them() -> None:
    import random
    import re

    from dedupe_ko.normalize import _map_characters

    rng = random.Random(5)
    bits = ["한강", " ", "  ", "\n", "\n\n", "공원.", "\u3000", "a"]
    for _ in range(5000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 10)))
        out = text
        for c, r in (("\u3000", " "),):
            out = out.replace(c, r)
        out = re.sub(r"[ ]{2,}", " ", out)
        out = re.sub(r"^ +| +$", "", out, flags=re.M)
        out = re.sub(r"\n{2,}", "\n", out).strip("\n")
        assert _map_characters(text) == out, repr(text)
