"""HTML pages: real selectolax parsing of our own pages, charsets, and the CLI's HTML input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _pages import STORIES, page_html

pytest.importorskip("selectolax")

from dedupe_ko import clean_html, html_to_lines, replay  # noqa: E402
from dedupe_ko.html import decode_html  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TITLE, BODY = STORIES[0]


def test_lines_follow_block_boundaries_and_skip_scripts() -> None:
    html = (
        "<html><head><title>제목</title><script>var x = '스크립트';</script>"
        "<style>.a{}</style></head><body><div>첫 줄<br>둘째 줄</div><p>셋째 <b>줄</b></p>"
        "<ul><li>하나</li><li>둘</li></ul><noscript>자바스크립트를 켜 주세요</noscript>"
        "<h2>소제목</h2><table><tr><td>가</td><td>나</td></tr></table></body></html>"
    )
    lines, hints = html_to_lines(html)
    assert lines == ["제목", "첫 줄", "둘째 줄", "셋째 줄", "하나", "둘", "소제목", "가 나"]
    assert hints[6].heading and not hints[1].heading


def test_hints_carry_the_markup() -> None:
    lines, hints = html_to_lines(page_html(TITLE, BODY))
    h = dict(zip(lines, hints, strict=True))
    assert h["정치"].boilerplate and h["정치"].link_density == 1.0
    assert h[BODY[0]].in_article and not h[BODY[0]].boilerplate
    assert h["갯벌 위를 나는 철새 떼. 해양수산부 제공"].caption
    assert h[TITLE].heading
    assert "var ad = 1;" not in lines


def test_clean_html_keeps_the_body_and_drops_the_caption() -> None:
    c = clean_html(page_html(TITLE, BODY))
    assert c.paragraphs == BODY
    assert replay(c.normalized, c.removals) == c.text
    assert c.title == TITLE
    assert any(r.rule == "block.caption" for r in c.removals)


@pytest.mark.parametrize("declared", ["euc-kr", "EUC-KR", None])
def test_euc_kr_bytes_are_decoded(declared: str | None) -> None:
    html = page_html(TITLE, BODY, charset=declared or "x-unknown")
    if declared is None:
        html = html.replace('<meta charset="x-unknown">', "")
    data = html.encode("euc-kr")
    text, enc = decode_html(data)
    assert enc == "cp949" and BODY[0] in text
    assert clean_html(data).paragraphs == BODY


def test_http_equiv_charset_and_article_lists() -> None:
    html = page_html(TITLE, BODY).replace(
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">',
    )
    data = html.encode("euc-kr")
    assert decode_html(data)[1] == "cp949"
    lines, hints = html_to_lines(
        '<ul class="article-list"><li>다른 기사 제목입니다</li></ul>'
        '<div class="article_body"><p>본문입니다.</p></div>'
    )
    assert [h.in_article for h in hints] == [False, True]


def test_utf8_bom_and_undeclared_utf8() -> None:
    html = page_html(TITLE, BODY).replace('<meta charset="utf-8">', "")
    assert decode_html(b"\xef\xbb\xbf" + html.encode())[1] == "utf-8"
    assert decode_html(html.encode())[1] == "utf-8"


def test_body_only_in_a_script_is_no_article() -> None:
    c = clean_html(page_html(TITLE, BODY, body_in_script=True))
    assert c.text == "" and "no article body" in c.warnings


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dedupe_ko", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_reads_a_folder_of_html_pages(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "a.html").write_bytes(page_html(*STORIES[0]).encode())
    (pages / "sub" / "b.htm").write_bytes(page_html(*STORIES[1], charset="euc-kr").encode("euc-kr"))
    (pages / "c.html").write_bytes(page_html(*STORIES[2], body_in_script=True).encode())
    out, rej, summ = tmp_path / "out.jsonl", tmp_path / "rej.jsonl", tmp_path / "s.json"
    r = _cli(
        "clean",
        str(pages),
        "-o",
        str(out),
        "--rejected",
        str(rej),
        "--summary-json",
        str(summ),
        "-q",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    got = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert got["a.html"]["text"].split("\n") == STORIES[0][1]
    assert got["sub/b.htm"]["text"].split("\n") == STORIES[1][1]
    assert got["a.html"]["title"] == STORIES[0][0]
    rejected = [json.loads(x) for x in rej.read_text().splitlines()]
    assert [(q["id"], q["reason"]) for q in rejected] == [("c.html", "no_article_body")]
    s = json.loads(summ.read_text())
    assert s["records_in"] == 3 and s["written"] == 2 and s["quarantined"] == 1


def test_cli_html_field_and_format_html(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "html": page_html(t, b)}, ensure_ascii=False) + "\n"
            for i, (t, b) in enumerate(STORIES)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    r = _cli("run", str(src), "--html-field", "html", "-o", str(out), "-q", "-j", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert [d["text"].split("\n") for d in got] == [b for _, b in STORIES]
    one = tmp_path / "page.dat"
    one.write_bytes(page_html(*STORIES[1]).encode())
    r = _cli("clean", str(one), "--format", "html", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["text"].split("\n") == STORIES[1][1]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<html><head><title>정부, 예산안 제출</title></head><body>"
        "<nav><a href='/'>홈</a></nav></body></html>",
    ],
)
def test_pages_with_nothing_to_read_have_no_article(html: str) -> None:
    c = clean_html(html)
    assert c.text == "" and "no article body" in c.warnings


def test_a_bare_article_fragment_is_kept() -> None:
    html = "".join(f"<p>{p}</p>" for p in BODY)
    assert clean_html(html).paragraphs == BODY


def test_caption_classes_mark_whole_caption_lines_only() -> None:
    html = (
        '<div class="article_body"><span class="end_photo"><img src="a.jpg">'
        '<em class="img_desc">지난 5일 가로림만 갯벌 위를 나는 철새 떼. 해양수산부 제공</em>'
        f'</span><br>{BODY[0]}<br>{BODY[1]} <span class="caption">(사진)</span></div>'
    )
    lines, hints = html_to_lines(html)
    caps = {line: h.caption for line, h in zip(lines, hints, strict=True)}
    assert caps["지난 5일 가로림만 갯벌 위를 나는 철새 떼. 해양수산부 제공"]
    assert not caps[BODY[0]] and not caps[f"{BODY[1]} (사진)"]
