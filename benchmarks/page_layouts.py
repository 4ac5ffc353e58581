"""Whole saved news pages, generated: the article among site menus, players, share bars,
related and ranking lists, comments and footers, as page text (one block a line) and as HTML.

Layouts (outlets, names and furniture invented here; bodies are real ones read in place from
``../shared/corpus/bodies.jsonl``, or any list of (title, paragraphs) you pass in):

- ``tv_script``: a TV news site with 60 menu items, a live player, [앵커]/[기자] tags, one
  sentence a line, a sign-off and crew credits, a most-viewed list and a footer.
- ``tv_bookmark``: a TV site printing the same bookmark/share/player block above and below
  the body, hashtags, reaction buttons and a comment box.
- ``daily``: a newspaper with breadcrumbs, a byline, a photo caption, related articles, a
  comment thread and a ranking.
- ``portal``: a portal's article view: reactions, a summary-bot notice, the press's other
  headlines with teasers, two rankings.
- ``transcript``: an interview of ▷/▶ speaker turns, short answers among them.
- ``video``: a video item of 2-4 lines.
- ``package``: three short articles under ■ section heads on one page.
- ``numbered``: an article with a numbered list of short items.
- ``ticker``: a stock ticker line splitting a body sentence in two.
- ``doubled``: the body printed twice (the page, then its print view).
- ``section_index`` and ``title_only``: pages with no article (headlines with teasers; a
  title whose body sits in a script's JSON).

The truth of a page is its body paragraphs in order (``has_article`` False for the last two).

    python benchmarks/page_layouts.py [--n 280] [--seed 1]   # -> results/page_layouts.md
"""

from __future__ import annotations

import argparse
import html as htmlmod
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = Path(os.environ.get("DEDUPE_KO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = HERE / "results" / "page_layouts.md"

# Roles of a block: the ones in BODY are the article; the rest is furniture.
BODY = frozenset({"body", "head", "turn", "item"})


def _w(text: str) -> list[str]:
    return text.split()


SITE_MENU = _w(
    "홈 뉴스 정치 경제 사회 국제 문화 연예 스포츠 날씨 라이브 "
    "편성표 다시보기 뉴스9 뉴스광장 뉴스라인 시사기획 탐사보도 "
    "팩트체크 제보 시청자센터 구독 로그인 회원가입 검색 전체메뉴 "
    "앱설치 이벤트 공지사항 채용 광고안내 회사소개 인터넷광고 "
    "제휴문의 오디오 라디오 유튜브 인스타그램 페이스북 트위터 틱톡 "
    "뉴스레터 기자목록 특집 선거 올림픽 월드컵 기후위기 인구절벽 "
    "지역뉴스 수도권 강원 충청 호남 영남 제주 북한 과학"
)
PLAYER = [
    "재생",
    "일시정지",
    "음소거",
    "음소거 해제",
    "자막",
    "화질 선택",
    "자동",
    "1080p",
    "720p",
    "480p",
    "전체화면",
    "00:00",
    "/",
    "02:13",
    "LIVE",
    "다음 영상",
]
SHARE = ["공유하기", "페이스북", "트위터", "카카오톡", "밴드", "링크 복사", "닫기"]
FONT = ["글자 크기", "가", "가", "가", "가", "인쇄하기"]
REACT = ["좋아요", "0", "훌륭해요", "0", "슬퍼요", "0", "화나요", "0", "후속요청", "0"]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서지현준영수진하은도윤예성우재아태"
WORDS = _w(
    "정부 법원 검찰 국회 시장 주민 학교 병원 기업 노조 경찰 "
    "대학 시민 지역 선거 예산 물가 금리 부동산 수출 전기차 "
    "반도체 기후 폭염 태풍 관광 축제 공항 철도 교통"
)
TAILS = (
    "논란 확산",
    "대책 발표",
    "수사 착수",
    "첫 공개",
    "결국 철회",
    "역대 최대",
    "전면 재검토",
    "'비상'",
    "…왜?",
    "다시 오름세",
    "현장 가보니",
    "주민 반발",
)


@dataclass
class Page:
    id: str
    layout: str
    blocks: list[tuple[str, str]]
    title: str
    has_article: bool
    site: str
    script: str = ""

    @property
    def paragraphs(self) -> list[str]:
        if not self.has_article:
            return []
        return [
            t.split(" = ", 1)[1] if r == "dateline" else t
            for r, t in self.blocks
            if r in BODY or r == "dateline"
        ]

    @property
    def text(self) -> str:
        return "\n".join(t for r, t in self.blocks if r != "script")


@dataclass
class Ctx:
    rng: random.Random
    title: str
    paras: list[str]
    others: list[str] = field(default_factory=list)

    def name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + r.choice(GIVEN) + r.choice(GIVEN)

    def headline(self) -> str:
        r = self.rng
        if self.others and r.random() < 0.6:
            return r.choice(self.others)
        a, b = r.sample(WORDS, 2)
        return f"{a} {b} {r.choice(TAILS)}"

    def stamp(self) -> str:
        r = self.rng
        return (
            f"2024.{r.randint(1, 12):02d}.{r.randint(1, 28):02d} {r.randint(0, 23):02d}:"
            f"{r.randint(0, 59):02d}"
        )

    def sentences(self) -> list[str]:
        out = []
        for p in self.paras:
            out += [s for s in re.split(r"(?<=[다요까]\.)\s+", p) if s.strip()]
        return out


def _menu(c: Ctx, k: int) -> list[tuple[str, str]]:
    start = c.rng.randrange(0, len(SITE_MENU) - k) if k < len(SITE_MENU) else 0
    return [("nav", w) for w in SITE_MENU[start : start + k]]


def _list(
    c: Ctx, label: str, k: int, numbered: bool = False, teaser: bool = False, times: bool = False
) -> list[tuple[str, str]]:
    out = [("nav", label)]
    for i in range(k):
        if numbered:
            out.append(("nav", str(i + 1)))
        out.append(("links", c.headline()))
        if teaser:
            s = c.rng.choice(c.sentences() or [c.title])
            out.append(("links", s[: c.rng.randint(40, 70)].rstrip() + "…"))
        if times:
            out.append(("nav", f"{c.rng.randint(1, 23)}시간전"))
    return out


def _footer(c: Ctx, site: str) -> list[tuple[str, str]]:
    return [
        ("footer", w)
        for w in (
            "회사소개",
            "이용약관",
            "개인정보처리방침",
            "청소년보호정책",
            "고충처리인",
            f"(주){site} 서울특별시 마포구 상암산로 {c.rng.randint(10, 99)} 대표전화 "
            f"02-{c.rng.randint(100, 999)}-{c.rng.randint(1000, 9999)}",
            f"사업자등록번호 {c.rng.randint(100, 999)}-{c.rng.randint(10, 99)}-"
            f"{c.rng.randint(10000, 99999)}",
            f"Copyright © {site} All Rights Reserved. 무단 전재, 재배포 및 AI학습 이용 금지",
        )
    ]


def _head(c: Ctx, site: str, menu: int) -> list[tuple[str, str]]:
    return [
        ("browser_title", f"{c.title} | {site}"),
        ("nav", "본문 바로가기"),
        ("nav", "메뉴 바로가기"),
        *_menu(c, menu),
    ]


def tv_script(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛방송 뉴스"
    rep = c.name()
    b = (
        _head(c, site, 60)
        + [("tool", t) for t in PLAYER]
        + [
            ("title", c.title),
            ("meta", f"입력 {c.stamp()}"),
            ("meta", f"수정 {c.stamp()}"),
            *[("tool", t) for t in FONT + SHARE],
        ]
    )
    sents = c.sentences()
    b.append(("tag", "[앵커]"))
    b += [("body", s) for s in sents[:2]]
    b.append(("tag", "[리포트]"))
    b += [("body", s) for s in sents[2:]]
    b += [
        ("meta", f"한빛방송 뉴스 {rep}입니다."),
        ("meta", f"촬영기자:{c.name()}/영상편집:{c.name()}"),
        ("meta", "※ '당신의 제보가 뉴스가 됩니다'"),
        ("meta", "[전화] 02-781-1234"),
    ]
    b += _list(c, "많이 본 뉴스", 10, numbered=True) + _footer(c, site)
    return b, True, site


def tv_bookmark(c: Ctx) -> tuple[list, bool, str]:
    site = "누리TV 뉴스"
    mark = [
        ("tool", t)
        for t in [
            "가",
            "가",
            "가",
            "해당 기사를 북마크했습니다.",
            "확인",
            "내 북마크 보기",
            *SHARE[1:],
            "본문 복사",
            "레이어 닫기",
        ]
    ]
    b = _head(c, site, 8) + [
        ("meta", c.rng.choice(["사회", "경제", "국제"])),
        ("meta", c.name()),
        ("title", c.title),
        ("title", c.title),
        ("meta", f"입력 {c.stamp()}"),
        ("meta", "|"),
        ("meta", f"수정 {c.stamp()}"),
    ]
    b += mark + [
        ("tool", t)
        for t in ("Previous", "Next", "전체재생", "상세 기사보기", "재생목록", "연속재생", "닫기")
    ]
    b += [("body", p) for p in c.paras]
    b += [("nav", f"#{w}") for w in c.rng.sample(WORDS, 3)] + mark
    b += [
        ("tool", "이 기사 어땠나요?"),
        *[("tool", t) for t in REACT[::2]],
        ("tool", "당신의 의견을 남겨주세요"),
        ("tool", "0"),
        ("tool", "/300"),
        ("tool", "등록"),
        ("tool", "최신순"),
        ("tool", "공감순"),
        ("tool", "더보기"),
    ]
    b += _list(c, "이시각 주요뉴스", 6) + _list(c, "많이 본 뉴스", 5) + _footer(c, site)
    return b, True, site


def _comments(c: Ctx, k: int) -> list[tuple[str, str]]:
    out = [("nav", f"댓글 {k}"), ("nav", "최신순"), ("nav", "공감순")]
    said = [
        "이게 말이 되나요? 제대로 처리했으면 좋겠네요.",
        "기사 잘 읽었습니다.",
        "결국 피해는 서민들이 보는 거죠.",
        "정부는 도대체 뭘 하고 있는 겁니까?",
        "이런 일이 다시는 없어야 합니다.",
        "현장에 계신 분들 정말 고생 많으십니다.",
        "저희 동네도 비슷한 일이 있었는데 그때도 아무도 책임지지 않았습니다. 이번에는 "
        "끝까지 제대로 밝혀서 다시는 이런 일이 생기지 않도록 해 주셨으면 합니다.",
        "기사 내용과 달리 현장에서는 이미 몇 년 전부터 문제가 있다는 말이 계속 나왔다고 "
        "들었습니다. 관계 기관이 그동안 무엇을 했는지부터 따져 봐야 하지 않을까요?",
    ]
    for _ in range(k):
        out += [
            ("comment", f"{c.rng.choice('abcdefgh')}{c.rng.randint(10, 99)}****"),
            ("comment", c.stamp()),
            ("comment", c.rng.choice(said)),
            ("comment", f"답글 {c.rng.randint(0, 5)}"),
            ("comment", f"공감 {c.rng.randint(0, 90)}"),
            ("comment", f"비공감 {c.rng.randint(0, 30)}"),
        ]
    return out


def _daily_top(c: Ctx, site: str) -> list[tuple[str, str]]:
    rep = c.name()
    return _head(c, site, 45) + [
        ("nav", "홈 > 사회 > 사건사고"),
        ("title", c.title),
        ("meta", f"{rep} 기자"),
        ("meta", f"입력 {c.stamp()}"),
        *[("tool", t) for t in FONT + SHARE[:5]],
    ]


def _daily_tail(c: Ctx, site: str) -> list[tuple[str, str]]:
    return (
        [("meta", f"{c.name()} 기자 reporter{c.rng.randint(1, 99)}@hanbit.example")]
        + _list(c, "관련기사", 4)
        + _comments(c, 3)
        + _list(c, "많이 본 기사", 10, True)
        + _footer(c, site)
    )


def daily(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛일보"
    b = _daily_top(c, site)
    b += [("body", c.paras[0]), ("caption", "지난달 서울 시내 한 거리의 모습. 한빛일보 자료사진")]
    b += [("body", p) for p in c.paras[1:]]
    return b + _daily_tail(c, site), True, site


def portal(c: Ctx) -> tuple[list, bool, str]:
    site = "누리포털 뉴스"
    b = [
        ("browser_title", f"{c.title} : {site}"),
        ("nav", "본문 바로가기"),
        *[
            ("nav", w)
            for w in _w(
                "뉴스 엔터 스포츠 날씨 프리미엄 언론사별 정치 경제 "
                "사회 생활 세계 IT 랭킹 신문보기 오피니언 팩트체크"
            )
        ],
        ("meta", "한빛경제"),
        ("nav", "구독"),
        ("title", c.title),
        ("meta", f"입력{c.stamp()}"),
        ("meta", "기사원문"),
        ("meta", f"{c.name()} 기자"),
        *[
            ("tool", t)
            for t in (
                "추천",
                "쏠쏠정보",
                "0",
                "흥미진진",
                "0",
                "공감백배",
                "0",
                "댓글",
                "본문 요약봇",
            )
        ],
        (
            "tool",
            "자동 추출 기술로 요약된 내용입니다. 요약 기술의 특성상 본문의 주요 내용이 "
            "제외될 수 있습니다.",
        ),
        ("tool", "닫기"),
        ("tool", "텍스트 음성 변환 서비스 사용하기"),
        ("tool", "글자 크기 변경하기"),
        ("tool", "SNS 보내기"),
        ("tool", "인쇄하기"),
    ]
    b += [("body", p) for p in c.paras]
    b += [
        ("meta", "Copyright ⓒ 한빛경제. All rights reserved. 무단 전재 및 재배포 금지."),
        ("meta", "이 기사는 언론사에서 사회 섹션으로 분류했습니다."),
        ("tool", "구독"),
    ]
    b += _list(c, "한빛경제 주요뉴스", 5, teaser=True)
    b += _list(c, "언론사 랭킹 뉴스", 10, numbered=True, times=True)
    b += _list(c, "함께 볼만한 뉴스", 8, teaser=True)
    b += [
        (
            "footer",
            "본 콘텐츠의 저작권은 제공처 또는 포털에 있으며, 이를 무단 이용하는 경우 "
            "저작권법 등에 따라 법적책임을 질 수 있습니다.",
        )
    ]
    return b, True, site


def transcript(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛방송 뉴스"
    guest = c.name()
    b = _head(c, site, 55) + [
        ("title", c.title),
        ("meta", f"입력 {c.stamp()}"),
        *[("tool", t) for t in SHARE],
    ]
    answers = ["네, 그렇습니다.", "맞습니다.", "네.", "그렇게 봐야죠."]
    for k, s in enumerate(c.sentences()[:14]):
        who = "▷ 앵커 : " if k % 2 == 0 else f"▶ {guest} 교수 : "
        b.append(("turn", who + s))
        if k % 4 == 3:
            b.append(("turn", f"▶ {guest} 교수 : {c.rng.choice(answers)}"))
    b += [("meta", "※ 위 인터뷰 내용을 인용 보도할 때는 프로그램명을 밝혀주시기 바랍니다.")]
    b += _list(c, "많이 본 뉴스", 10, numbered=True) + _footer(c, site)
    return b, True, site


def video(c: Ctx) -> tuple[list, bool, str]:
    site = "누리TV 뉴스"
    sents = [s for s in c.sentences() if len(s) < 160][: c.rng.randint(2, 4)] or c.sentences()[:2]
    b = (
        _head(c, site, 50)
        + [("tool", t) for t in PLAYER]
        + [("title", c.title), ("meta", c.stamp()), *[("tool", t) for t in SHARE]]
    )
    b += [("body", s) for s in sents]
    b += [("meta", f"영상편집: {c.name()}")]
    b += _list(c, "관련 영상", 8) + _list(c, "인기 영상", 8, numbered=True) + _footer(c, site)
    return b, True, site


def package(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛일보"
    b = _daily_top(c, site)
    paras = c.paras
    third = max(1, len(paras) // 3)
    for k in range(3):
        part = paras[k * third : (k + 1) * third] if k < 2 else paras[2 * third :]
        if not part:
            continue
        a, w = c.rng.sample(WORDS, 2)
        b.append(("head", f"■ {a} {w} {c.rng.choice(TAILS)}"))
        b += [("body", p) for p in part]
    return b + _daily_tail(c, site), True, site


def numbered(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛일보"
    b = _daily_top(c, site)
    half = max(1, len(c.paras) // 2)
    b += [("body", p) for p in c.paras[:half]]
    items = [
        "신청 기간: 6월 3일부터 14일까지",
        "대상: 만 19세 이상 시민",
        "신청 방법: 주민센터 방문 또는 누리집",
        "지원 금액: 1인당 최대 50만원",
        "문의: 시청 민원실",
    ]
    b += [("item", f"{k}. {t}") for k, t in enumerate(items[: c.rng.randint(3, 5)], 1)]
    b += [("body", p) for p in c.paras[half:]]
    return b + _daily_tail(c, site), True, site


def ticker(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛경제"
    b = _daily_top(c, site)
    paras = list(c.paras)
    long = [k for k, p in enumerate(paras) if len(p) > 80 and " " in p[30:-20]]
    k = long[0] if long else 0
    p = paras[k]
    cut = p.index(" ", len(p) // 2) if " " in p[len(p) // 2 :] else len(p) // 2
    b += [("body", q) for q in paras[:k]]
    b += [
        ("body", p[:cut].strip()),
        (
            "ticker",
            f"한빛전자 {c.rng.randint(50, 90)},{c.rng.randint(100, 999)} ▲ "
            f"{c.rng.randint(100, 999)} +{c.rng.randint(1, 9)}.{c.rng.randint(10, 99)}%",
        ),
        ("body", p[cut:].strip()),
    ]
    b += [("body", q) for q in paras[k + 1 :]]
    return b + _daily_tail(c, site), True, site


def doubled(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛일보"
    b = _daily_top(c, site) + [("body", p) for p in c.paras] + _daily_tail(c, site)
    b += [("tool", "프린트"), ("tool", "닫기"), ("title", c.title)]
    b += [("copy", p) for p in c.paras]
    return b, True, site


def wire_site(c: Ctx) -> tuple[list, bool, str]:
    site = "누리통신"
    rep = c.name()
    b = _head(c, site, 48) + [
        ("nav", "사회"),
        ("nav", "사건·사고"),
        ("title", c.title),
        ("meta", f"송고시간{c.stamp()}"),
        *[("tool", t) for t in FONT + SHARE],
        ("tool", "AD"),
        ("tool", "사진 확대"),
    ]
    first = f"(서울=누리통신) {rep} 기자 = "
    b.append(("dateline", first + c.paras[0]))
    b += [("body", p) for p in c.paras[1:]]
    b += [
        ("meta", f"{rep.lower()}@nuri.example"),
        ("meta", "제보는 카카오톡 okjebo"),
        ("meta", "<저작권자(c) 누리통신, 무단 전재-재배포, AI 학습 및 활용 금지>"),
        ("meta", f"{c.stamp()} 송고"),
    ]
    b += _list(c, "관련 뉴스", 5) + _list(c, "많이 본 뉴스", 10, numbered=True) + _footer(c, site)
    return b, True, site


def mobile(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛일보"
    b = [
        ("browser_title", f"{c.title} - {site}"),
        ("nav", "메뉴"),
        ("nav", "검색"),
        ("nav", site),
        *_menu(c, 12),
        ("title", c.title),
        ("meta", f"{c.name()} 기자"),
        ("meta", c.stamp()),
        *[("tool", t) for t in SHARE[:4]],
    ]
    b += [("body", p) for p in c.paras]
    b += _list(c, "많이 본 뉴스", 5, numbered=True) + _footer(c, site)[-3:]
    return b, True, site


def section_index(c: Ctx) -> tuple[list, bool, str]:
    site = "한빛일보"
    b = [
        ("browser_title", f"사회 | {site}"),
        ("nav", "본문 바로가기"),
        *_menu(c, 45),
        ("nav", "사회"),
        ("nav", "전체기사"),
    ]
    for _ in range(20):
        b += _list(c, c.rng.choice(["", "·"]) or "최신", 1, teaser=True)[1:]
        b.append(("meta", c.stamp()))
    b += [("nav", w) for w in ["1", "2", "3", "4", "5", "다음"]] + _footer(c, site)
    return b, False, site


def title_only(c: Ctx) -> tuple[list, bool, str]:
    site = "누리TV 뉴스"
    b = _head(c, site, 50) + [
        ("title", c.title),
        ("meta", c.stamp()),
        *[("tool", t) for t in SHARE + PLAYER],
    ]
    b += _list(c, "관련 뉴스", 8) + _list(c, "많이 본 뉴스", 10, numbered=True) + _footer(c, site)
    script = json.dumps({"title": c.title, "body": c.paras}, ensure_ascii=False)
    b.append(("script", script))
    return b, False, site


LAYOUTS: dict[str, Callable[[Ctx], tuple[list, bool, str]]] = {
    f.__name__: f
    for f in (
        tv_script,
        tv_bookmark,
        daily,
        portal,
        transcript,
        video,
        package,
        numbered,
        ticker,
        doubled,
        wire_site,
        mobile,
        section_index,
        title_only,
    )
}


def make_page(
    i: int, layout: str, title: str, paras: Sequence[str], others: Sequence[str], seed: int = 1
) -> Page:
    """One page of ``layout`` around the body (title, paras)."""
    c = Ctx(random.Random(f"{seed}:{i}:{layout}"), title, list(paras), list(others))
    blocks, has, site = LAYOUTS[layout](c)
    return Page(f"P{i:04d}", layout, blocks, title, has, site)


def make_pages(stories: Sequence[tuple[str, Sequence[str]]], n: int, seed: int = 1) -> list[Page]:
    """``n`` pages, the layouts in turn, each around the next story."""
    rng = random.Random(seed)
    names = list(LAYOUTS)
    titles = [t for t, _ in stories]
    out = []
    for i in range(n):
        title, paras = stories[i % len(stories)]
        others = rng.sample(titles, min(12, len(titles)))
        out.append(make_page(i, names[i % len(names)], title, paras, others, seed))
    return out


_CONTAINER = {
    "nav": "nav",
    "links": "aside",
    "footer": "footer",
    "comment": "section",
    "tool": "div",
    "meta": "div",
    "ticker": "div",
}


def to_html(page: Page) -> str:
    """The page as HTML: menus in ``nav``, lists of links in ``aside``, the body in
    ``article`` paragraphs, the caption in ``figcaption``, comments, footer, a script."""
    e = htmlmod.escape
    out = ['<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">']
    body: list[str] = []
    prev = None
    for role, text in page.blocks:
        if role == "browser_title":
            out.append(f"<title>{e(text)}</title>")
            continue
        if role == "script":
            body.append(f"<script>window.__DATA__ = {text};</script>")
            continue
        if role != prev:
            if prev is not None:
                body.append(_close(prev))
            body.append(_open(role))
        prev = role
        body.append(_item(role, e(text)))
    if prev is not None:
        body.append(_close(prev))
    out.append("<style>.x{color:red}</style></head><body>")
    return "".join(out) + "\n".join(body) + "</body></html>"


def _open(role: str) -> str:
    if role in ("body", "head", "turn", "item", "tag", "caption", "copy", "dateline"):
        return '<article class="article-body">' if role != "copy" else '<div class="print">'
    if role == "title":
        return '<div class="headline">'
    if role == "comment":
        return '<section class="comment-list"><ul>'
    tag = _CONTAINER.get(role, "div")
    cls = {"tool": "share-tools", "meta": "info", "ticker": "stock"}.get(role, "")
    return f'<{tag} class="{cls}"><ul>' if role in ("nav", "links") else f'<{tag} class="{cls}">'


def _close(role: str) -> str:
    if role in ("body", "head", "turn", "item", "tag", "caption", "dateline"):
        return "</article>"
    if role == "copy":
        return "</div>"
    if role == "title":
        return "</div>"
    if role == "comment":
        return "</ul></section>"
    tag = _CONTAINER.get(role, "div")
    return f"</ul></{tag}>" if role in ("nav", "links") else f"</{tag}>"


def _item(role: str, text: str) -> str:
    if role in ("nav", "links"):
        return f'<li><a href="/n/{abs(hash(text)) % 9999}">{text}</a></li>'
    if role == "title":
        return f"<h1>{text}</h1>"
    if role == "head":
        return f"<h3>{text}</h3>"
    if role == "item":
        return f"<li>{text}</li>"
    if role == "caption":
        return f'<figure><img src="a.jpg"><figcaption>{text}</figcaption></figure>'
    if role == "tool":
        return f"<button>{text}</button>" if len(text) < 8 else f"<span>{text}</span><br>"
    if role == "comment":
        return f"<li>{text}</li>"
    return f"<p>{text}</p>"


# ---------------------------------------------------------------------------------------------
# Scoring


def load_stories(path: Path, limit: int = 2000) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of bodies with 3-20 paragraphs, read in place."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            paras = [p.strip() for p in r["paragraphs"] if p.strip()]
            title = " ".join(r["title"].split(" - ")[0].split()).strip(" -")
            if 3 <= len(paras) <= 20 and len(title) >= 8:
                out.append((title, paras))
            if len(out) >= limit:
                break
    return out


def _norm(p: str) -> str:
    import unicodedata

    fold = str.maketrans(
        {
            "\u201c": '"',
            "\u201d": '"',
            "\u2018": "'",
            "\u2019": "'",
            "\u318d": "\u00b7",
            "\u2027": "\u00b7",
            "\u30fb": "\u00b7",
        }
    )
    return "".join(unicodedata.normalize("NFC", p).translate(fold).split())


@dataclass
class Tally:
    tp: int = 0
    out: int = 0
    truth: int = 0
    exact: int = 0
    pages: int = 0
    flagged: int = 0  # no-article pages flagged
    no_article: int = 0
    false_flags: int = 0  # article pages flagged as having none

    def add(self, page: Page, text: str, warnings: Sequence[str]) -> None:
        want = Counter(_norm(p) for p in page.paragraphs if _norm(p))
        got = Counter(_norm(p) for p in text.split("\n") if _norm(p))
        self.pages += 1
        self.tp += sum((want & got).values())
        self.out += sum(got.values())
        self.truth += sum(want.values())
        self.exact += want == got
        flagged = "no article body" in warnings
        if not page.has_article:
            self.no_article += 1
            self.flagged += flagged and not text
        else:
            self.false_flags += flagged

    @property
    def p(self) -> float:
        return self.tp / self.out if self.out else 1.0

    @property
    def r(self) -> float:
        return self.tp / self.truth if self.truth else 1.0


def evaluate(pages: Sequence[Page], mode: str) -> dict[str, Tally]:
    """Clean every page (``mode`` "text" or "html") and tally per layout and overall."""
    from dedupe_ko import clean_and_explain
    from dedupe_ko.html import clean_html

    tallies: dict[str, Tally] = defaultdict(Tally)
    for page in pages:
        c = clean_html(to_html(page)) if mode == "html" else clean_and_explain(page.text)
        for key in (page.layout, "all"):
            tallies[key].add(page, c.text, c.warnings)
    return tallies


def render(
    results: dict[str, dict[str, Tally]], args: argparse.Namespace, secs: dict[str, float]
) -> str:
    lines = [
        "# Generated whole pages: body-block selection",
        "",
        f"Command: `python benchmarks/page_layouts.py --n {args.n} --seed {args.seed}`  ",
        f"Pages: {args.n} in {len(LAYOUTS)} layouts (generator: "
        "`benchmarks/page_layouts.py`; bodies from `../shared/corpus/bodies.jsonl`, "
        "furniture invented). Paragraphs compared after NFC, folded quotes, no whitespace.",
        "",
    ]
    for mode, t in results.items():
        a = t["all"]
        lines.append(
            f"**{mode}: precision {a.p:.4f}, recall {a.r:.4f}, exact "
            f"{a.exact}/{a.pages}, no-article pages flagged {a.flagged}/{a.no_article}, "
            f"article pages wrongly flagged {a.false_flags}; "
            f"{a.pages / secs[mode]:.0f} pages/s**  "
        )
    lines += [
        "",
        "| layout | text P | text R | text exact | html P | html R | html exact | "
        "flagged (text/html) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in [*LAYOUTS, "all"]:
        t, h = results["text"][name], results["html"][name]
        flag = (
            f"{t.flagged}/{t.no_article} · {h.flagged}/{h.no_article}"
            if t.no_article
            else (f"false {t.false_flags} · {h.false_flags}")
        )
        lines.append(
            f"| {name} | {t.p:.4f} | {t.r:.4f} | {t.exact}/{t.pages} | {h.p:.4f} | "
            f"{h.r:.4f} | {h.exact}/{h.pages} | {flag} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=280)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--page", help="show one page id: its text and what cleaning kept")
    args = ap.parse_args(argv)
    bodies = CORPUS / "bodies.jsonl"
    if not bodies.exists():
        print(f"no {bodies}: nothing to generate from", file=sys.stderr)
        return 0
    sys.path.insert(0, str(REPO))
    stories = load_stories(bodies)
    pages = make_pages(stories, args.n, args.seed)
    if args.page:
        from dedupe_ko import clean_and_explain

        page = next(p for p in pages if p.id == args.page)
        print(page.text, "\n----- kept:")
        print(clean_and_explain(page.text).text)
        return 0
    results, secs = {}, {}
    for mode in ("text", "html"):
        t0 = time.perf_counter()
        results[mode] = evaluate(pages, mode)
        secs[mode] = time.perf_counter() - t0
        a = results[mode]["all"]
        print(
            f"{mode}: precision={a.p:.4f} recall={a.r:.4f} exact={a.exact}/{a.pages} "
            f"flagged={a.flagged}/{a.no_article} false_flags={a.false_flags}"
        )
    args.out.write_text(render(results, args, secs), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
