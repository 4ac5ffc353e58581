"""HTML pages in: decode, turn the visible text into lines with markup hints, clean.

``html_to_lines(html)`` parses with selectolax (lexbor), drops ``script``/``style``/
``noscript``/``template``/``svg``, breaks lines at block elements (``p``, ``div``, ``br``,
``li``, headings, ``figure``/``figcaption``, ``tr``, ...) and returns one `LineHint` a line:
link density, inside ``nav``/``header``/``footer``/``aside`` (or a class/id naming a menu,
share bar, comment box or footer), inside ``figcaption``, inside ``article``/``main`` (or a
class/id naming the article body), a heading. The page's ``<title>`` comes first, as a saved
page's text does. ``clean_html(html_or_bytes)`` decodes bytes by their BOM, declared charset
or by trying UTF-8 then CP949, then cleans the lines with the body-block pass.

Needs the ``html`` extra (``pip install dedupe-ko[html]``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from .blocks import LineHint
from .clean import CleanConfig, Cleaned, clean_and_explain

__all__ = ["clean_html", "decode_html", "html_to_lines"]

log = logging.getLogger(__name__)


def _tags(text: str) -> frozenset[str]:
    return frozenset(text.split())


SKIP_TAGS = _tags(
    "script style noscript template svg iframe object embed canvas head select option "
    "button input textarea"
)
BLOCK_TAGS = _tags(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 figure figcaption tr table thead tbody "
    "section article main header footer nav aside blockquote pre hr address caption form "
    "fieldset details summary center"
)
CELL_TAGS = _tags("td th")
BOILERPLATE_TAGS = _tags("nav header footer aside form menu")
ARTICLE_TAGS = _tags("article main")
HEADINGS = _tags("h1 h2 h3 h4 h5 h6")
# class/id words of page furniture and of the article body (whole words of the name).
_FURNITURE_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|navi|navbar|gnb|lnb|snb|menu|footer|foot|header|share|sns|social|"
    r"sidebar|aside|side|related|relation|popular|ranking|rank|comment|comments|reply|cmt|"
    r"banner|ad|ads|advert|breadcrumb|util|login|search|recommend|more|tag|tags|copyright)"
    r"(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_ARTICLE_NAME = re.compile(
    r"(?:^|[-_\s])(?:article|articlebody|article_body|news_?body|news_?view|newsct|"
    r"content_?body|view_?cont|story|body_?text|art_?txt|news_?text|dic_area|cont_?body)"
    r"(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_CAPTION_NAME = re.compile(
    r"(?:^|[-_\s])(?:caption|img_?desc|photo_?desc|image_?desc|img_?cap|photo_?cap|pic_?desc)"
    r"(?:$|[-_\s\d])",
    re.IGNORECASE,
)
# "article-list", "related-articles": lists of other articles, not the article.
_LIST_NAME = re.compile(r"list|related|recommend|popular|rank|other|more", re.IGNORECASE)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_KOREAN_ALIASES = {
    "euc-kr": "cp949",
    "euckr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ksc5601": "cp949",
    "x-windows-949": "cp949",
    "windows-949": "cp949",
}


def decode_html(data: bytes) -> tuple[str, str]:
    """Bytes of a page -> (text, encoding used): the BOM, else the declared charset (EUC-KR
    read as its superset CP949), else UTF-8 if it decodes, else CP949, else UTF-8 with
    replacement characters."""
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc
    m = _META_CHARSET.search(data[:8192])
    if m:
        declared = m.group(1).decode("ascii", "replace").lower()
        enc = _KOREAN_ALIASES.get(declared, declared)
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            log.debug("declared charset %s does not decode the page; sniffing", declared)
    for enc in ("utf-8", "cp949"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "utf-8"


def _parser(html: str):  # noqa: ANN202 - selectolax's parser type
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("reading HTML needs selectolax: pip install 'dedupe-ko[html]'") from e
    return LexborHTMLParser(html)


class _Line:
    __slots__ = ("parts", "link", "captioned", "boiler", "article", "heading")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.link = 0
        self.captioned = 0
        self.boiler = self.article = self.heading = False


def _names(attrs: dict) -> str:
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def html_to_lines(html: str | bytes) -> tuple[list[str], list[LineHint]]:
    """The page's visible text, one block a line, and a `LineHint` for each line."""
    if isinstance(html, bytes):
        html = decode_html(html)[0]
    tree = _parser(html)
    lines: list[str] = []
    hints: list[LineHint] = []
    cur = _Line()

    def flush() -> None:
        nonlocal cur
        text = _SPACES.sub(" ", "".join(cur.parts)).strip()
        if text:
            chars = max(1, len(text))
            lines.append(text)
            # a caption line: (nearly) all of it inside figcaption or a caption-named element
            hints.append(
                LineHint(
                    min(1.0, cur.link / chars),
                    cur.boiler,
                    cur.captioned >= 0.8 * chars,
                    cur.article,
                    cur.heading,
                )
            )
        cur = _Line()

    title = tree.css_first("title")
    if title is not None and title.text().strip():
        lines.append(_SPACES.sub(" ", title.text()).strip())
        hints.append(LineHint(boilerplate=True))
    root = tree.body or tree.root
    # (node, link, boiler, article, caption, heading) on an explicit stack: deep pages do not
    # hit the recursion limit. None marks the end of a block element.
    stack: list = [(root, False, False, False, False, False)]
    while stack:
        item = stack.pop()
        if item is None:
            flush()
            continue
        node, link, boiler, article, caption, heading = item
        tag = node.tag
        if tag == "-text":
            text = node.text(deep=False)
            if text:
                cur.parts.append(text)
                stripped = len(_SPACES.sub(" ", text).strip())
                cur.link += stripped if link else 0
                cur.captioned += stripped if caption else 0
                cur.boiler |= boiler and bool(text.strip())
                cur.article |= article and bool(text.strip())
                cur.heading |= heading
            continue
        if tag in SKIP_TAGS or tag.startswith("-"):
            continue
        attrs = node.attributes
        if _HIDDEN.search(attrs.get("style") or "") or "hidden" in attrs:
            continue
        names = _names(attrs)
        link = link or tag == "a"
        boiler = boiler or tag in BOILERPLATE_TAGS or bool(_FURNITURE_NAME.search(names))
        article = (
            article
            or tag in ARTICLE_TAGS
            or bool(_ARTICLE_NAME.search(names) and not _LIST_NAME.search(names))
        )
        caption = caption or tag == "figcaption" or bool(_CAPTION_NAME.search(names))
        heading = heading or tag in HEADINGS
        block = tag in BLOCK_TAGS
        if block:
            flush()
            stack.append(None)
        elif tag in CELL_TAGS:
            cur.parts.append(" ")  # cells of a row stay one line, words apart
        children = []
        child = node.child
        while child is not None:
            children.append((child, link, boiler, article, caption, heading))
            child = child.next
        stack.extend(reversed(children))
    flush()
    return lines, hints


def clean_html(
    html: str | bytes, config: CleanConfig | None = None, **overrides: object
) -> Cleaned:
    """Clean one HTML page: its visible text through the body-block pass and the rules.

    Bytes are decoded as `decode_html` says. A page with no article body comes back with an
    empty text and the warning ``no article body``.
    """
    cfg = config or CleanConfig()
    if overrides:
        cfg = replace(cfg, **overrides)  # type: ignore[arg-type]
    lines, hints = html_to_lines(html)
    if not lines:  # nothing visible at all: still a page, with no article in it
        lines, hints = [""], [LineHint()]
    return clean_and_explain("\n".join(lines), cfg, hints=hints)
