"""Held-out page layouts: scraped Korean news pages in 18 layouts the rules were not tuned on.

Each page is a real body from ``../shared/corpus/bodies.jsonl`` (read in place, never copied
into the repository) dressed in the furniture of one kind of Korean news page, as a crawler
dumps its text: wire services, national and economic dailies, progressive dailies, broadcast
scripts, a citizen-journalism site, local papers on a common CMS, portal news views, opinion
columns. Outlets, reporters, e-mails and the furniture strings are invented here. The truth
of every page is its body paragraphs in order (headline excluded) and its title.

Variants, assigned by a fixed seed: 30% of pages print the body twice (a print view, sometimes
without its first paragraph, sometimes under the headline again), 10% are collapsed onto one
line (truth: the whole body as one line; scored apart: lost sentences and furniture left at
the ends), 10% have a caption or signature glued to the end of a body sentence, 15% carry
encoding damage on some body paragraphs (UTF-8 read as cp1252, CP949 read as Latin-1, HTML
entities, zero-width characters, NFD, odd spaces).

Every page goes through ``dedupe_ko.clean_and_explain``; paragraphs are compared after the
normalisation of ``score.py clean`` (its ``norm`` is imported from ``../shared/corpus``). The
report lists, per layout and variant, paragraph precision / recall, exact articles and title
accuracy, then the furniture that survived most often and the rules that cost body text.

    python benchmarks/layouts.py [--n 600] [--seed 1] [--show 30]
    python benchmarks/layouts.py --page L0007        # one page, its truth and the cleaned text

Body text never goes into the report file: lost paragraphs are reported by page id, length
and the rule that removed them (``--page`` shows the text on the terminal).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import orjson

if TYPE_CHECKING:
    from dedupe_ko import Cleaned

T = TypeVar("T")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = Path(os.environ.get("DEDUPE_KO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = HERE / "results" / "layouts.md"

SHARE = {"doubled": 0.30, "collapsed": 0.10, "glued": 0.10, "damaged": 0.15}

# ---------------------------------------------------------------------------------------------
# Invented people, outlets and furniture vocabulary


def _pairs(text: str) -> list[tuple[str, str]]:
    """ "김 kim, 이 lee" -> [("김", "kim"), ("이", "lee")]."""
    return [tuple(x.split()) for x in text.split(",")]  # type: ignore[misc]


SURNAMES = _pairs(
    "김 kim, 이 lee, 박 park, 최 choi, 정 jung, 강 kang, 조 cho, 윤 yoon, 장 jang, "
    "임 lim, 한 han, 오 oh, 서 seo, 신 shin, 권 kwon, 황 hwang, 안 ahn, 송 song, "
    "류 ryu, 전 jeon, 홍 hong, 고 ko, 문 moon, 양 yang, 손 son, 배 bae, 백 baek, "
    "허 heo, 남 nam, 심 sim, 노 noh, 하 ha, 곽 kwak, 성 sung, 차 cha, 주 joo, 우 woo, "
    "민 min, 진 jin, 나 na, 엄 eom, 채 chae, 원 won, 방 bang, 공 kong, 현 hyun, "
    "변 byun, 염 yeom, 추 choo, 도 do, 석 seok, 설 seol, 마 ma, 표 pyo, 제갈 jegal, "
    "남궁 namgung, 황보 hwangbo, 선우 sunwoo"
)
GIVEN = _pairs(
    "민 min, 서 seo, 지 ji, 현 hyun, 준 jun, 우 woo, 도 do, 윤 yun, 하 ha, 수 su, "
    "예 ye, 은 eun, 성 sung, 영 young, 혜 hye, 진 jin, 재 jae, 원 won, 태 tae, "
    "상 sang, 동 dong, 승 seung, 희 hee, 경 kyung, 호 ho, 석 seok, 연 yeon, 주 ju, "
    "아 a, 빈 bin, 건 geon, 훈 hoon, 찬 chan, 규 gyu, 형 hyung, 미 mi, 선 sun, 보 bo, "
    "소 so, 다 da, 율 yul, 결 gyeol, 솔 sol, 별 byeol, 람 ram, 온 on, 린 rin, 범 beom"
)

SECTIONS = [
    "사회",
    "정치",
    "경제",
    "법원·검찰",
    "사건·사고",
    "법조",
    "전국",
    "국제",
    "IT·과학",
    "문화",
    "노동",
    "교육",
    "산업",
    "금융",
    "부동산",
    "지역",
    "사회일반",
    "행정",
]
CITIES = [
    "서울",
    "세종",
    "부산",
    "대전",
    "광주",
    "대구",
    "인천",
    "수원",
    "창원",
    "전주",
    "춘천",
    "청주",
    "제주",
    "울산",
    "의정부",
    "과천",
]
ABROAD = ["워싱턴", "뉴욕", "도쿄", "베이징", "파리", "런던", "브뤼셀", "하노이"]
PLACES = [
    "서울 서초구 대법원",
    "서울중앙지법",
    "서울 종로구 정부서울청사",
    "국회 소통관",
    "정부세종청사",
    "서울 서초구 서울고검",
    "헌법재판소 대심판정",
    "서울 여의도 국회",
    "부산지법",
    "대전 유성구 특허법원",
    "서울 용산구 대통령실",
    "정부과천청사",
    "서울 중구 프레스센터",
    "인천국제공항 제1터미널",
    "서울 마포구 한 카페",
    "수원지법",
    "광주고법",
    "대구 수성구 범어동",
    "서울 영등포구 여의도공원",
    "서울 송파구 동부구치소",
]
SCENES = ["전경", "모습", "현판", "청사 모습", "정문", "내부", "입구 모습", "앞 풍경"]
SUBJECTS = [
    "관계자가",
    "참석자들이",
    "한 시민이",
    "위원장이",
    "변호인단이",
    "피고인이",
    "시민단체 회원들이",
    "의원들이",
    "법원 직원들이",
    "수험생들이",
    "유족들이",
    "대표가",
]
ACTIONS = [
    "취재진 질문에 답하고 있다",
    "기자회견을 하고 있다",
    "법정으로 향하고 있다",
    "입장하고 있다",
    "발언하고 있다",
    "회의를 주재하고 있다",
    "피켓을 들고 있다",
    "선서하고 있다",
    "자리에 앉아 있다",
    "브리핑을 하고 있다",
    "구호를 외치고 있다",
    "차량에 오르고 있다",
    "고개를 숙이고 있다",
    "기념 촬영을 하고 있다",
]
EVENTS = [
    "기자회견",
    "전원회의",
    "국정감사",
    "토론회",
    "간담회",
    "공청회",
    "출범식",
    "정책 설명회",
    "결심 공판",
    "임명식",
    "현안 점검회의",
    "학술대회",
]
AGENCIES = [
    "법무부",
    "대검찰청",
    "법원행정처",
    "서울시",
    "국토교통부",
    "공정거래위원회",
    "대한변협",
    "경찰청",
    "고용노동부",
    "헌법재판소",
    "독자",
    "해당 업체",
    "행사 주최 측",
]
STOCK = [
    "게티이미지뱅크",
    "클립아트코리아",
    "픽사베이",
    "게티이미지코리아",
    "셔터스톡",
    "아이클릭아트",
    "이미지투데이",
]
COMMENT_IDS = [
    "kim***",
    "법알못**",
    "pa****",
    "hsw7***",
    "정의**",
    "소시민",
    "ㅇㅇ**",
    "jj12**",
    "서초동***",
    "아무개",
    "lee9****",
    "하늘**",
]
COMMENTS = [
    "재판이 왜 이렇게 오래 걸리나요",
    "결과 지켜봅시다",
    "이게 말이 됩니까?",
    "기자님 좋은 기사 감사합니다.",
    "법은 만인에게 평등해야 합니다.",
    "끝까지 책임을 물어야 한다",
    "현명한 판단 부탁드립니다",
    "언제까지 이럴 건지...",
    "제대로 좀 합시다",
    "이런 일이 다시는 없었으면 좋겠네요.",
    "ㅋㅋ 그럼 그렇지",
    "누구를 위한 법인가요",
    "응원합니다!!",
]
NEWSLETTER = ["법조 브리핑", "아침 뉴스 한 잔", "오늘의 판결", "주간 경제 읽기", "이슈 정리"]
MENU_ITEMS = [
    "기사 스크랩",
    "공유",
    "댓글",
    "클린뷰",
    "프린트",
    "글자 크기",
    "가",
    "가가",
    "글씨크기 조절",
    "인쇄",
    "URL 복사",
    "페이스북",
    "트위터",
    "카카오톡",
    "닫기",
    "기사저장",
    "북마크",
    "본문듣기",
    "번역",
    "SNS 공유하기",
    "글자크기 설정",
    "기사 공유하기",
    "링크 복사",
    "메일 보내기",
    "폰트 변경",
    "음성재생",
]
NAV_ITEMS = [
    "정치 경제 사회 국제 문화 스포츠 연예 오피니언",
    "로그인 회원가입",
    "전체메뉴",
    "검색",
    "검색어를 입력하세요",
    "구독신청",
    "지면보기",
    "뉴스레터",
    "PDF",
    "전체기사",
    "본문 바로가기",
    "메뉴 바로가기",
    "주요뉴스",
    "기획·연재",
    "포토",
    "영상",
    "로그인",
    "마이페이지",
    "전체서비스",
]
TAGS = [
    "대법원",
    "판결",
    "헌법재판소",
    "검찰",
    "재판",
    "소송",
    "법원",
    "변호사",
    "국회",
    "입법",
    "손해배상",
    "형사",
    "노동",
    "개인정보",
    "부동산",
]


@dataclass(frozen=True)
class Outlet:
    name: str  # Korean name as printed
    domain: str
    latin: str = ""  # a Latin-letter name, used in some footers
    short: str = ""  # a short tag (broadcasters: call letters)


def _o(*args: str) -> Outlet:
    return Outlet(*args)


WIRES = [
    _o("한빛통신", "hanbitnews.co.kr", "Hanbit News"),
    _o("누리뉴스통신", "nurinews.kr", "NURI"),
    _o("새날통신", "saenal.co.kr", "Saenal"),
]
WIRES2 = [
    _o("동행통신", "donghaeng.com", "Donghaeng"),
    _o("바른뉴스통신", "bareunnews.com", "Bareun"),
]
WIRES3 = [_o("뉴스하나", "newshana.kr", "NewsHana"), _o("뉴스셋", "news3.kr", "News3")]
DAILIES = [
    _o("대한일보", "daehanilbo.com", "DAEHAN ILBO"),
    _o("한결일보", "hangyeol.co.kr", "Hangyeol"),
    _o("누리일보", "nuriilbo.com", "NURI ILBO"),
    _o("세종신보", "sejongsinbo.kr", "Sejong"),
    _o("새벽일보", "saebyeok.co.kr", "Saebyeok"),
    _o("한마음신문", "hanmaeum.com", "Hanmaeum"),
]
PROGRESSIVE = [
    _o("한울신문", "hanul.co.kr", "Hanul"),
    _o("들꽃신문", "deulkkot.com", "Deulkkot"),
    _o("동녘일보", "dongnyeok.co.kr", "Dongnyeok"),
]
ECON = [
    _o("머니온", "moneyon.co.kr", "MoneyOn"),
    _o("이데이뉴스", "edaynews.co.kr", "eDay"),
    _o("아시아마켓", "asiamarket.co.kr", "Asia Market"),
    _o("한길경제", "hangileco.com", "Hangil"),
    _o("데일리금융", "dailyfin.kr", "Daily Fin"),
    _o("헤럴드비즈", "heraldbiz.kr", "Herald Biz"),
]
BROADCAST = [
    _o("한빛방송", "hbs.co.kr", "HBS", "HBS"),
    _o("누리방송", "nbs.co.kr", "NBS", "NBS"),
    _o("코리아투데이네트워크", "ktn.co.kr", "KTN", "KTN"),
    _o("채널온", "channelon.tv", "CHON", "CHON"),
]
NOCUT = [_o("바로뉴스", "baronews.co.kr", "BaroNews", "CBN")]
CITIZEN = [_o("우리뉴스", "woorinews.com", "WooriNews"), _o("시민의소리", "simin.kr", "Simin")]
LOCAL = [
    _o("경남한빛일보", "gnhanbit.kr", "GNHanbit"),
    _o("충청누리신문", "ccnuri.com", "CCNuri"),
    _o("호남새날일보", "hnsaenal.co.kr", "HNSaenal"),
    _o("강원들녘신문", "gwdeul.kr", "GWDeul"),
    _o("제주바람신문", "jejubaram.com", "JejuBaram"),
    _o("경기한내일보", "gghannae.kr", "GGHannae"),
]
PORTALS = [
    _o("누리포털 뉴스", "news.nuriportal.com", "NURIPORTAL"),
    _o("다온 뉴스", "news.daon.net", "DAON"),
]
BUREAUS = ["법조팀", "사회부", "경제부", "정치부", "전국부", "디지털뉴스부"]


@dataclass
class Person:
    name: str
    roman: str  # surname in Latin letters
    given: tuple[str, ...]  # given-name syllables in Latin letters


# ---------------------------------------------------------------------------------------------
# Source bodies


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]
    deck: str  # the subtitle printed under some headlines ("" when none)
    date: datetime


def _tidy(s: str) -> str:
    return " ".join(s.replace("<br>", " ").split())


def load_stories(path: Path) -> list[Story]:
    """Bodies usable as articles: 3-40 non-empty paragraphs and a headline.

    Opinion titles in the source carry a deck after " - " (with <br> breaks): the headline is
    the part before it, and the deck becomes a subtitle line of the page (furniture)."""
    out = []
    with open(path, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            paras = tuple(p.strip() for p in r["paragraphs"] if p.strip())
            if not 3 <= len(paras) <= 40:
                continue
            raw = r["title"]
            head, _, deck = raw.partition(" - ")
            title, deck = (
                (_tidy(head), _tidy(deck))
                if " - " in raw or raw.endswith(" -")
                else (_tidy(raw), "")
            )
            title = title.rstrip(" -")
            if len(title) < 4:
                continue
            try:
                date = datetime.fromisoformat(r.get("date") or "2024-05-12T14:31:00")
            except ValueError:
                date = datetime(2024, 5, 12, 14, 31)
            out.append(Story(title, paras, deck, date))
    return out


# ---------------------------------------------------------------------------------------------
# A page under construction


@dataclass
class Ctx:
    """Everything one page is made of, with the random helpers its furniture uses."""

    rng: random.Random
    story: Story
    paras: list[str]  # the body as printed (possibly damaged)
    others: list[Story]  # stories whose titles appear in related-article lists
    outlet: Outlet = field(default_factory=lambda: WIRES[0])
    reporters: list[Person] = field(default_factory=list)
    masks: list[tuple[str, str]] = field(default_factory=list)
    lede_prefix: str = ""
    print_prefix: bool = False  # the print view repeats the lede prefix

    # -- randomness
    def pick(self, seq: Sequence[T]) -> T:
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- people and outlets
    def use(self, outlet: Outlet) -> Outlet:
        self.outlet = outlet
        self.masks += [(outlet.name, "{매체}"), (outlet.domain, "{도메인}")]
        if outlet.latin:
            self.masks.append((outlet.latin, "{매체}"))
        return outlet

    def person(self) -> Person:
        s, sr = self.pick(SURNAMES)
        g = [self.pick(GIVEN) for _ in range(2)]
        p = Person(s + "".join(x for x, _ in g), sr, tuple(r for _, r in g))
        self.masks.append((p.name, "{이름}"))
        return p

    def staff(self, n: int = 1) -> list[Person]:
        self.reporters = [self.person() for _ in range(n)]
        return self.reporters

    @property
    def rep(self) -> Person:
        return self.reporters[0] if self.reporters else self.staff()[0]

    def email(self, p: Person | None = None, domain: str | None = None) -> str:
        p = p or self.rep
        g1, g2 = p.given
        local = self.pick(
            [
                f"{g1[0]}{g2[0]}{p.roman}",
                f"{p.roman}{g1}{g2}",
                f"{p.roman}.{g1}{g2}",
                f"{g1}{g2}{self.rng.randint(1, 99)}",
                f"{p.roman}{g1[0]}{g2[0]}",
                f"{g1}{g2}.{p.roman}",
                f"{p.roman}_{g1}",
            ]
        )
        return f"{local}@{domain or self.outlet.domain}"

    def names(self) -> str:
        rs = self.reporters or self.staff()
        return self.pick(["·", ", ", " ", "ㆍ"]).join(r.name for r in rs)

    # -- dates
    def stamp(self, fmt: str, delta_min: int = 0) -> str:
        d = self.story.date + timedelta(minutes=delta_min)
        ampm = "오전" if d.hour < 12 else "오후"
        h12 = d.hour % 12 or 12
        wd = "월화수목금토일"[d.weekday()]
        return fmt.format(
            d=d,
            y=d.year,
            m=d.month,
            dd=d.day,
            H=d.hour,
            M=d.minute,
            S=d.second,
            ap=ampm,
            h=h12,
            wd=wd,
        )

    def when(self) -> tuple[str, str]:
        """(posted, updated) in one of the page's stamp formats."""
        fmt = self.pick(
            [
                "{d:%Y.%m.%d %H:%M}",
                "{d:%Y.%m.%d. %H:%M}",
                "{d:%Y-%m-%d %H:%M}",
                "{d:%Y-%m-%d %H:%M:%S}",
                "{d:%Y/%m/%d %H:%M}",
                "{y}. {m}. {dd}. {d:%H:%M}",
                "{d:%Y.%m.%d}. {ap} {h}:{d:%M}",
                "{y}년 {m:02d}월 {dd:02d}일 {d:%H:%M}",
                "{d:%Y.%m.%d} ({d:%H:%M})",
                "{y}년 {m}월 {dd}일 ({wd}) {d:%H:%M}",
                "{d:%Y%m%d} {d:%H:%M}",
                "{d:%y.%m.%d %H:%M}",
            ]
        )
        return self.stamp(fmt), self.stamp(fmt, self.rng.randint(5, 600))

    # -- furniture pieces
    def caption_text(self) -> str:
        d = self.story.date
        when = self.pick(
            [
                f"지난 {d.day}일",
                f"{d.day}일 오후",
                f"{d.day}일 오전",
                f"{d.month}월 {d.day}일",
                f"{d.day}일",
            ]
        )
        return self.pick(
            [
                f"{self.pick(PLACES)} {self.pick(SCENES)}.",
                f"{self.pick(PLACES)} {self.pick(SCENES)}",
                f"{when} {self.pick(PLACES)}에서 {self.pick(SUBJECTS)} {self.pick(ACTIONS)}.",
                f"{when} {self.pick(PLACES)}에서 열린 {self.pick(EVENTS)}에서 {self.pick(SUBJECTS)} "
                f"{self.pick(ACTIONS)}.",
                f"사진은 {self.pick(PLACES)} {self.pick(SCENES)}.",
                f"{self.pick(EVENTS)} 참석자들이 {self.pick(ACTIONS)}.",
                "기사 내용과 직접적인 관련 없는 자료사진.",
                f"{self.pick(AGENCIES)} 제공",
            ]
        )

    def credit(self, wire: Outlet | None = None) -> str:
        w = wire or self.pick(WIRES + WIRES2 + WIRES3)
        me = self.outlet.name
        d = self.story.date
        return self.pick(
            [
                f"사진={w.name}",
                f"[사진={w.name}]",
                f"(사진={me} DB)",
                f"/{w.name}",
                f"ⓒ {w.name} DB",
                f"{w.name} 자료사진",
                f"[{w.name} 자료사진]",
                f"{self.pick(STOCK)}",
                f"[이미지={self.pick(STOCK)}]",
                f"[사진 제공={self.pick(AGENCIES)}]",
                f"사진 제공={self.pick(AGENCIES)}",
                f"(사진 제공 = {self.pick(AGENCIES)})",
                f"/{me}DB",
                f"{me} 자료사진",
                f"ⓒ{w.name}",
                f"© {w.name} {self.person().name} 기자",
                f"{d.year}.{d.month}.{d.day}/{w.name}",
                f"[{d:%Y.%m.%d}] {self.email(domain=w.domain)}",
                f"그래픽={self.person().name} 기자",
                f"/그래픽={self.person().name}",
                f"{self.person().name} 기자",
                f"[{w.name}]",
                "(자료사진)",
                f"일러스트={self.person().name}",
                f"사진|{self.person().name} 기자",
            ]
        )

    def caption(self) -> list[str]:
        """A photo caption: a credit alone, a description and a credit, marked or dated."""
        t, cr = self.caption_text(), self.credit()
        w = self.pick(WIRES)
        d = self.story.date
        shape = self.rng.randrange(11)
        if shape == 0:
            return [cr]
        if shape == 1:
            return [f"{t} {cr}"]
        if shape == 2:
            return [f"▲ {t} {cr}" if self.chance(0.5) else f"▲{t}"]
        if shape == 3:
            return [f"△ {t}", f"ⓒ {self.pick([self.outlet.name, self.person().name])}"]
        if shape == 4:
            return [
                f"({self.pick(CITIES)}={w.name}) {self.person().name} 기자 = {t} "
                f"{d.year}.{d.month}.{d.day} {self.email(domain=w.domain)}"
            ]
        if shape == 5:
            return [
                f"[{self.pick(CITIES)}={w.name}] {self.person().name} 기자 = {t} "
                f"{d:%Y.%m.%d}. photo@{w.domain}"
            ]
        if shape == 6:
            return [
                self.pick(
                    ["이미지 크게보기", "사진 확대", "확대보기", "원본보기", "사진 원본보기"]
                ),
                f"{t} {cr}",
            ]
        if shape == 7:
            return [f"{t} {d.year}.{d.month}.{d.day}/{w.name}"]
        if shape == 8:
            return [f"{cr} {t}"] if cr.startswith("[") else [t, cr]
        if shape == 9:
            return [f"사진 설명: {t}" if self.chance(0.5) else f"<사진> {t}", cr]
        return [f"{t} ⓒ {self.outlet.name}"]

    def related(self, k: int) -> list[str]:
        titles = [s.title for s in self.rng.sample(self.others, k)]
        self.masks += [(t, "{관련제목}") for t in titles]
        return titles

    def related_block(self) -> list[str]:
        head = self.pick(
            [
                "관련기사",
                "관련 기사",
                "[관련기사]",
                "관련뉴스",
                "함께 보면 좋은 기사",
                "이 기사와 함께 많이 본 뉴스",
                "■ 관련기사",
                "연관기사",
            ]
        )
        titles = self.related(self.rng.randint(2, 5))
        mark = self.pick(["", "▶ ", "- ", "· ", "☞ ", "[단독] ", "number"])
        lines = [
            f"{i + 1}. {t}" if mark == "number" else f"{mark}{t}" for i, t in enumerate(titles)
        ]
        return [head, *lines]

    def most_read(self) -> list[str]:
        head = self.pick(
            [
                "많이 본 뉴스",
                "가장 많이 본 기사",
                "실시간 인기기사",
                "이 시각 주요뉴스",
                "많이 본 기사",
                "인기 뉴스",
                "랭킹 뉴스",
                "지금 뜨는 뉴스",
            ]
        )
        titles = self.related(self.rng.randint(3, 6))
        style = self.rng.randrange(3)
        lines = []
        for i, t in enumerate(titles):
            if style == 0:
                lines += [str(i + 1), t]
            elif style == 1:
                lines.append(f"{i + 1} {t}")
            else:
                lines.append(f"{i + 1:02d} {t}")
        return [head, *lines]

    def promo(self) -> str:
        o = self.outlet
        return self.pick(
            [
                f"▶ {o.name} 네이버 채널 구독하기",
                f"▶ 네이버에서 {o.name}를 구독하세요!",
                f"☞ {o.name} 유튜브 바로가기",
                f"▷ 카카오톡 채널 '{o.name}' 친구 추가하고 속보 받기",
                f"▶ 제보하기: 카카오톡 @{o.name}제보, 이메일 jebo@{o.domain}",
                "▶ [단독] 더 많은 기사 보기",
                f"☞ 뉴스레터 '{self.pick(NEWSLETTER)}' 무료 구독",
                f"[{o.name} 앱 다운로드] 지금 설치하고 맞춤 뉴스 받아보세요",
                f"▶ 기사 제보 및 보도자료 press@{o.domain}",
                f"◆ 독자 제보: 02-{self.rng.randint(200, 999)}-{self.rng.randint(1000, 9999)}",
                "▷ 지금 가장 많이 본 기사는?",
                f"{o.name} 유튜브 구독하기",
                f"▶ {o.name} 뉴스레터 신청",
                "▶ 오늘의 운세 확인하기",
                f"[ⓒ {o.name} 구독하기]",
                f"☞ {o.name} 홈페이지 바로가기 ☜",
            ]
        )

    def reactions(self) -> list[str]:
        n = self.rng.randint
        style = self.rng.randrange(7)
        if style == 0:
            return [f"좋아요 {n(0, 99)} 화나요 {n(0, 40)} 추천해요 {n(0, 30)}"]
        if style == 1:
            out = []
            for w in self.pick(
                [
                    ["좋아요", "슬퍼요", "화나요", "추천해요"],
                    ["좋아요", "훈훈해요", "슬퍼요", "화나요", "후속기사 원해요"],
                ]
            ):
                out += [w, str(n(0, 50))]
            return out
        if style == 2:
            return [
                f"{w}{n(0, 30)}"
                for w in ["쏠쏠정보", "흥미진진", "공감백배", "분석탁월", "후속강추"]
            ]
        if style == 3:
            return [
                "이 기사 어떠셨나요?",
                f"유익해요 {n(0, 20)}",
                f"흥미로워요 {n(0, 20)}",
                f"놀라워요 {n(0, 9)}",
                f"아쉬워요 {n(0, 9)}",
            ]
        if style == 4:
            return [f"추천 {n(0, 99)} 반대 {n(0, 20)}"]
        if style == 5:
            return [f"좋아요 {n(0, 30)} 개", f"슬퍼요 {n(0, 9)} 개", f"화나요 {n(0, 9)} 개"]
        return ["이 기사를 추천합니다", str(n(0, 99))]

    def copyright(self) -> str:
        o = self.outlet
        y = self.story.date.year
        return self.pick(
            [
                f"<저작권자(c) {o.name}, 무단 전재-재배포, AI 학습 및 활용 금지>",
                f"<저작권자ⓒ {o.name}. 무단전재-재배포, AI학습 및 활용 금지>",
                f"Copyright ⓒ {o.name}. All rights reserved. 무단 전재 및 재배포, AI 학습 이용 금지.",
                f"ⓒ {o.name} & {o.domain}, 무단 전재, 재배포 및 AI학습 이용 금지",
                f"저작권자 © {o.name} 무단전재 및 재배포 금지",
                f"[ⓒ {o.name}, 무단전재 및 재배포 금지]",
                f"Copyright © {o.latin}. All rights reserved.",
                "무단 전재 및 재배포 금지",
                f"COPYRIGHT © {y} {o.latin.upper()}. ALL RIGHTS RESERVED.",
                "본 기사는 저작권법의 보호를 받으며, 무단 전재·복사·배포 등을 금합니다.",
                f"이 기사의 저작권은 {o.name}에 있으며, 이를 무단 이용하는 경우 법적 책임을 질 수 "
                "있습니다.",
                f"저작권자 ⓒ {o.name} 무단복제-재배포 금지",
                f"(c) {y} {o.name}. 무단 전재 재배포 금지",
                f"ⓒ {o.name}({o.domain}), 무단전재 및 재배포, AI 학습 이용 금지",
                f"<Copyright ⓒ {o.name} All rights reserved>",
            ]
        )

    def comments(self) -> list[str]:
        n = self.rng.randint
        out = [
            self.pick(
                [f"댓글 {n(0, 40)}", "댓글", "독자의견", f"전체 댓글 {n(0, 40)}개", "100자평"]
            )
        ]
        out += self.rng.sample(
            [
                "댓글쓰기",
                "로그인 후 댓글을 작성할 수 있습니다.",
                "0 / 400",
                "등록",
                "최신순 추천순 반대순",
                "첫 번째 댓글을 작성해 보세요.",
                "댓글 정렬",
                "댓글운영정책",
                "내 댓글 모음",
                "댓글 더보기",
                "닫기",
            ],
            n(2, 4),
        )
        for _ in range(n(0, 3)):
            out += [
                f"{self.pick(COMMENT_IDS)} {self.stamp('{d:%Y.%m.%d %H:%M}', n(10, 900))}",
                self.pick(COMMENTS),
                f"답글 {n(0, 5)} 좋아요 {n(0, 40)} 싫어요 {n(0, 9)}",
            ]
        return out

    def ad(self) -> str:
        return self.pick(
            [
                "AD",
                "광고",
                "[광고]",
                "ADVERTISEMENT",
                "Advertisement",
                "- 광고 -",
                "(광고)",
                "광고 영역",
                "AD 광고",
            ]
        )

    def menu(self) -> str:
        sep = self.pick([" ", " | ", "  ", " · ", "/"])
        return sep.join(self.rng.sample(MENU_ITEMS, self.rng.randint(2, 6)))

    def breadcrumb(self) -> str:
        s = self.pick(SECTIONS)
        return self.pick(
            [
                f"홈 > {self.pick(SECTIONS)} > {s}",
                f"HOME > 뉴스 > {s}",
                f"{s}",
                f"뉴스 | {s}",
                f"전체기사 > {s}",
                f"{self.pick(SECTIONS)} ＞ {s}",
                f"{s} 일반",
                f"{s} > 기사보기",
            ]
        )

    def nav(self) -> list[str]:
        pool = [*NAV_ITEMS, f"{self.outlet.name} 홈"]
        return self.rng.sample(pool, self.rng.randint(1, 5))

    def deck_lines(self) -> list[str]:
        """Subtitle lines under the headline: the source's deck, or a summary of the lede."""
        deck = self.story.deck
        if not deck:
            words = self.story.paragraphs[0].split()
            cut = self.rng.randint(4, 9)
            deck = " ".join(words[:cut]).rstrip(".,") + self.pick(["", "…", " …"])
        self.masks.append((deck, "{부제}"))
        return [self.pick(["", "- ", "ㅣ", "ㆍ"]) + deck]

    # -- the body with furniture between paragraphs
    def weave(
        self,
        prefix: str = "",
        between: Callable[[], list[str]] | None = None,
        rate: float = 0.25,
        top: list[str] | None = None,
    ) -> list[tuple[int | None, str]]:
        """Body lines: (paragraph index, line) pairs, furniture lines with index None."""
        self.lede_prefix = prefix
        out: list[tuple[int | None, str]] = [(None, t) for t in (top or [])]
        for k, p in enumerate(self.paras):
            out.append((k, prefix + p if k == 0 else p))
            if between and k < len(self.paras) - 1 and self.chance(rate):
                out += [(None, t) for t in between()]
        return out


Render = tuple[list[str], list[tuple[int | None, str]], list[str]]

# ---------------------------------------------------------------------------------------------
# The layouts. Each returns (head lines, body lines, tail lines).


def wire_dateline(c: Ctx) -> Render:
    """Wire service, dateline prefix "(서울=…) … 기자 = ", 송고 stamps, 제보/AI-ban footer."""
    o = c.use(c.pick(WIRES))
    c.staff(c.pick([1, 1, 1, 2]))
    city = c.pick(CITIES) if c.chance(0.85) else c.pick(ABROAD)
    title_role = "특파원" if city in ABROAD else "기자"
    post, upd = c.when()
    head = [*c.nav()] if c.chance(0.5) else []
    head += [c.story.title]
    head += c.pick([[f"송고시간{post}"], [f"{post} 송고"], [f"입력 {post}", f"수정 {upd}"], []])
    if c.chance(0.6):
        head.append(c.menu())
    prefix = c.pick(
        [
            f"({city}={o.name}) {c.names()} {title_role} = ",
            f"({city}={o.name}) {c.names()} {title_role} =",
            f"【{city}={o.name}】 {c.names()} {title_role} = ",
            f"({city}={o.name}) ",
            f"({city}={o.name}) {c.names()}{title_role}=",
        ]
    )
    body = c.weave(
        prefix,
        lambda: c.pick([c.caption(), [c.ad()], [c.promo()]]),
        0.2,
        top=c.caption() if c.chance(0.5) else None,
    )
    tail = []
    if c.chance(0.8):
        tail.append(" ".join(c.email(r) for r in c.reporters))
    tail += c.rng.sample(
        [
            f"제보는 카카오톡 {o.name}제보",
            c.copyright(),
            f"{post} 송고",
            "(끝)",
            *c.related_block(),
        ],
        c.rng.randint(2, 4),
    )
    if c.chance(0.4):
        tail += c.most_read()
    return head, body, tail


def wire_bracket(c: Ctx) -> Render:
    """Wire service in brackets "[서울=…]홍길동 기자 = ", ◎ tagline signature, 등록/수정."""
    o = c.use(c.pick(WIRES2))
    c.staff()
    post, upd = c.when()
    head = [c.breadcrumb(), c.story.title] if c.chance(0.6) else [c.story.title]
    head += [c.pick([f"등록 {post}수정 {upd}", f"등록 {post} 수정 {upd}", f"기사등록 {post}"])]
    head += [c.menu()] if c.chance(0.5) else []
    city = c.pick(CITIES)
    prefix = c.pick(
        [
            f"[{city}={o.name}]{c.rep.name} 기자 = ",
            f"[{city}={o.name}] {c.rep.name} 기자 = ",
            f"[{city}={o.name}]",
            f"[{city}={o.name}] {c.rep.name} 인턴기자 = ",
        ]
    )
    body = c.weave(prefix, c.caption, 0.3, top=c.caption())
    tail = [
        c.pick(
            [f"◎함께하는 언론 {o.name} {c.email()}", "*재판매 및 DB 금지", f"◎{o.name} {c.email()}"]
        )
    ]
    tail += [c.copyright()] + (c.related_block() if c.chance(0.5) else [])
    if c.chance(0.3):
        tail += ["이 시간 핫뉴스", *c.related(3)]
    return head, body, tail


def wire_photo(c: Ctx) -> Render:
    """Wire service with heavy photo furniture: "ⓒ … DB", "© … 기자", dated credits."""
    o = c.use(c.pick(WIRES3))
    c.staff()
    post, upd = c.when()
    head = [
        c.story.title,
        c.pick([f"{c.rep.name} 기자", f"{c.rep.name} 기자 {c.email()}"]),
        c.pick([f"업데이트 {upd}", f"{post}", f"입력 {post} 최종수정 {upd}"]),
    ]
    if c.chance(0.5):
        head.insert(1, c.breadcrumb())
    d = c.story.date

    def photo() -> list[str]:
        t = c.caption_text()
        day = f"{d.year}.{d.month}.{d.day}"
        return c.pick(
            [
                [f"ⓒ {o.latin} DB"],
                [f"ⓒ {o.name} DB"],
                [t, f"© {o.latin} {c.person().name} 기자"],
                [f"({c.pick(CITIES)}={o.name}) {c.person().name} 기자 = {t} {day}/{o.name}"],
                [f"{t} ⓒ {o.latin} DB"],
                [f"{t} (공동취재) {d.year}.{d.month}.{d.day}/{o.name}"],
            ]
        )

    prefix = f"({c.pick(CITIES)}={o.name}) {c.rep.name} 기자 = "
    body = c.weave(prefix, photo, 0.35, top=photo())
    tail = [
        c.email(),
        c.pick(
            [
                f"Copyright ⓒ {o.name}. All rights reserved. 무단 전재 및 재배포, AI학습 이용 금지.",
                c.copyright(),
            ]
        ),
    ]
    if c.chance(0.5):
        tail += c.reactions()
    if c.chance(0.5):
        tail += c.most_read()
    return head, body, tail


def daily_slash(c: Ctx) -> Render:
    """National daily with "/…" photo credits, "입력 …업데이트 …" glued stamps, 100자평."""
    o = c.use(c.pick(DAILIES))
    c.staff(c.pick([1, 1, 2]))
    post, upd = c.when()
    head = c.nav() + [c.breadcrumb(), c.story.title]
    if c.chance(0.4):
        head += c.deck_lines()
    head += [
        c.names() + " 기자",
        c.pick([f"입력 {post}업데이트 {upd}", f"입력 {post} 업데이트 {upd}", f"업데이트 {upd}"]),
    ]
    head += c.rng.sample(
        ["기사 공유하기", "글자크기 설정", "기사 북마크", f"댓글 {c.rng.randint(0, 99)}", "0"], 3
    )

    def photo() -> list[str]:
        t = c.caption_text().rstrip(".")
        w = c.pick(WIRES + WIRES3)
        return c.pick(
            [
                [f"{t}. /{w.name}"],
                [f"{t}. /{o.name}DB"],
                [f"{t}. /{c.pick(STOCK)}"],
                [f"{t}. /{c.person().name} 기자"],
                [f"/{w.name}"],
                [f"{t} /{w.name}"],
            ]
        )

    body = c.weave("", photo, 0.3, top=photo() if c.chance(0.6) else None)
    tail = [
        c.pick(
            [
                f"/{c.rep.name} 기자",
                f"{c.names()} 기자",
                f"{c.rep.name} 기자 {c.email()}",
                f"{c.rep.name} 기자 ({c.email()})",
            ]
        )
    ]
    if c.chance(0.5):
        tail += ["100자평", f"{c.rng.randint(0, 9)}", "도움말 삭제 기준"]
    tail += c.most_read() if c.chance(0.5) else [c.copyright()]
    return head, body, tail


def daily_deck(c: Ctx) -> Render:
    """National daily with a subtitle deck, reaction buttons and a "[출처: …]" tail."""
    o = c.use(c.pick(DAILIES))
    c.staff()
    post, upd = c.when()
    head = [c.story.title, *c.deck_lines()]
    head += c.pick(
        [
            [f"입력 {post}", f"업데이트 {upd}"],
            [f"입력 {post} 업데이트 {upd}"],
            [f"{c.rep.name} 기자", f"입력 {post}"],
        ]
    )
    if c.chance(0.5):
        head.append(c.pick(["구독", "기자 구독", f"{c.rep.name} 기자 구독"]))
    head.append(c.menu())

    def photo() -> list[str]:
        t = c.caption_text()
        return c.pick(
            [
                [f"{t} {c.pick(WIRES).name}"],
                [f"{t} {o.name[:2]}포토"],
                [f"{t} [{c.pick(WIRES2).name}]"],
                [f"{t} 사진 {c.pick(AGENCIES)}"],
                [f"{t} {c.pick(STOCK)}"],
            ]
        )

    body = c.weave("", lambda: c.pick([photo(), [c.ad()], c.related_block()]), 0.3)
    tail = [
        c.pick(
            [
                f"{c.rep.name} 기자 {c.email()}",
                f"{c.rep.name} 기자",
                f"{c.rep.name} 기자 {c.rep.roman}.{c.rep.given[0]}{c.rep.given[1]}@{o.domain}",
            ]
        )
    ]
    tail += c.reactions()
    if c.chance(0.4):
        tail.append(f"[출처: {o.name}] {c.story.title}")
        c.masks.append((c.story.title, "{제목}"))
    tail.append(f"Copyright ⓒ {o.name}. All rights reserved." if c.chance(0.5) else c.copyright())
    if c.chance(0.5):
        tail += c.related_block()
    return head, body, tail


def daily_tagprefix(c: Ctx) -> Render:
    """Daily whose lede starts "[매체]", byline and e-mail at the end, newsletter promos."""
    o = c.use(c.pick(DAILIES))
    c.staff(c.pick([1, 2]))
    post, upd = c.when()
    head = [c.story.title] + (c.deck_lines() if c.chance(0.5) else [])
    head += [c.pick([f"입력 {post}", f"업데이트 {upd}", f"입력 {post} | 업데이트 {upd}"])]
    head += [c.menu()] if c.chance(0.5) else []
    prefix = c.pick([f"[{o.name}]", f"[{o.name}] ", f"[{o.name}]", ""])
    body = c.weave(prefix, lambda: c.pick([c.caption(), [c.promo()]]), 0.25)
    tail = [f"{r.name} 기자 {c.email(r)}" for r in c.reporters]
    tail += c.rng.sample(
        [
            f"[{o.name} 오늘의 뉴스레터] {c.pick(NEWSLETTER)} 구독하기",
            c.promo(),
            c.copyright(),
            f"ⓒ {o.latin}.com All rights reserved. 무단 전재, 재배포 및 AI학습 이용 금지",
        ],
        3,
    )
    tail += c.reactions() if c.chance(0.7) else []
    if c.chance(0.5):
        tail += c.most_read()
    return head, body, tail


def progressive(c: Ctx) -> Render:
    """Progressive daily: 등록/수정 stamps, obfuscated e-mails, inline 관련기사, 후원 promos."""
    o = c.use(c.pick(PROGRESSIVE))
    c.staff()
    post, upd = c.when()
    head = [c.breadcrumb(), c.story.title] if c.chance(0.5) else [c.story.title]
    head += [c.pick([f"등록 {post}", f"등록 {post} 수정 {upd}", f"입력 : {post} 수정 : {upd}"])]
    head += [
        c.pick(
            [
                f"{c.rep.name} 기자",
                f"{c.rep.name} 기자 구독",
                f"{c.rep.name} 기자 [email protected]",
            ]
        )
    ]
    if c.chance(0.6):
        head.append(c.menu())

    def inline() -> list[str]:
        t = c.related(1)[0]
        return c.pick(
            [
                [f"관련기사 : {t}"],
                [f"[관련기사] {t}"],
                [f"▶ 관련 기사: {t}"],
                [
                    f"{c.caption_text()} "
                    + c.pick([o.name + " 자료사진", c.pick(WIRES).name, c.pick(STOCK)])
                ],
                [f"{c.caption_text()}", f"{c.person().name} 기자 [email protected]"],
            ]
        )

    body = c.weave("", inline, 0.3)
    tail = [
        c.pick(
            [
                f"{c.rep.name} 기자 {c.email()}",
                f"{c.rep.name} 기자 [email protected]",
                "[email protected]",
                f"{c.rep.name} {c.pick(BUREAUS)} 기자 {c.email()}",
            ]
        )
    ]
    tail += c.rng.sample(
        [
            f"▶▶ {o.name}을 후원해주세요",
            f"▶▶ {o.name} 서포터즈 벗",
            f"▶▶ 뉴스레터 '{c.pick(NEWSLETTER)}' 신청하기",
            c.copyright(),
            f"ⓒ {o.name}사 : 무단 전재 및 재배포, AI 학습 이용 금지",
        ],
        3,
    )
    if c.chance(0.5):
        tail += c.most_read()
    return head, body, tail


def daily_profile(c: Ctx) -> Render:
    """Daily with a reporter card at the end, hashtags, 연재 and share prompts."""
    c.use(c.pick(DAILIES))
    c.staff()
    post, upd = c.when()
    head = [c.breadcrumb(), c.story.title]
    head += c.deck_lines() if c.chance(0.5) else []
    head += [
        f"{c.rep.name} 기자",
        f"입력 {post}",
        f"수정 {upd}",
        f"{c.rng.randint(0, 40)} {c.rng.randint(0, 40)}",
    ]
    head += ["글자크기 설정", "파란색 글자만 보기"] if c.chance(0.3) else []
    body = c.weave("", lambda: c.pick([c.caption(), [c.ad()]]), 0.3)
    tags = c.rng.sample(TAGS, c.rng.randint(2, 5))
    tail = [f"{c.rep.name} 기자 {c.email()}"]
    tail += c.rng.sample(
        [
            "관련 이슈태그",
            " ".join("#" + t for t in tags),
            "기자 프로필",
            "구독",
            "이 기사를 공유합니다",
            "이 기사가 속한 연재",
            *c.reactions(),
        ],
        c.rng.randint(3, 6),
    )
    tail += c.related_block() if c.chance(0.5) else []
    return head, body, tail


def econ_bracket(c: Ctx) -> Render:
    """Economic daily, lede "[매체 기자]", tagline copyright, 많이 본 기사 and promos."""
    o = c.use(c.pick(ECON))
    c.staff(c.pick([1, 1, 2]))
    post, upd = c.when()
    head = [c.story.title] + (c.deck_lines() if c.chance(0.4) else [])
    head += [
        c.pick([f"입력 {post}", f"최종수정 {upd}", f"{post}", f"기사입력 {post} | 최종수정 {upd}"])
    ]
    head += [c.menu()] if c.chance(0.5) else []
    prefix = c.pick(
        [
            f"[{o.name} {c.names()} 기자] ",
            f"[{o.name} {c.names()} 기자]",
            f"[{o.name} {c.rep.name} 기자 = {c.pick(CITIES)}] ",
            f"[{o.name}={c.rep.name} 기자] ",
        ]
    )
    body = c.weave(
        prefix,
        lambda: c.pick([[c.credit()], c.caption(), [c.ad()]]),
        0.3,
        top=[f"[이미지={c.pick(STOCK)}]"] if c.chance(0.4) else None,
    )
    tail = [c.pick([f"{c.rep.name} 기자 {c.email()}", c.email(), f"{c.rep.name} 기자"])]
    tail += [
        c.pick(
            [
                f"<ⓒ종합 경제정보 미디어 {o.name} - 무단전재 & 재배포 금지>",
                f"<저작권자 ⓒ '돈이 보이는 리얼타임 뉴스' {o.name}, 무단전재 및 재배포 금지>",
                f"{o.name}({o.domain}) 무단전재 배포금지",
                c.copyright(),
            ]
        )
    ]
    tail += c.rng.sample(
        [
            "[이 시각 많이 본 기사]",
            *c.related(2),
            c.promo(),
            c.promo(),
            "▶ 이 기사 어땠나요? 의견 남기기",
        ],
        3,
    )
    return head, body, tail


def econ_daily(c: Ctx) -> Render:
    """Economic daily, "[매체=기자]" or end byline "매체닷컴 기자", "[사진 = …]" captions."""
    o = c.use(c.pick(ECON))
    c.staff()
    post, upd = c.when()
    head = c.nav() + [c.story.title]
    head += [
        c.pick([f"입력 : {post} 수정 : {upd}", f"입력 {post}", f"{c.rep.name} 기자 입력 {post}"])
    ]
    if c.chance(0.5):
        head.append(c.menu())
    prefix = c.pick([f"[{o.name}={c.rep.name} 기자] ", "", "", f"[{o.name}={c.rep.name} 기자]"])

    def photo() -> list[str]:
        return c.pick(
            [
                [f"[사진 = {c.pick(WIRES).name}]"],
                [f"[이미지 출처 = {c.pick(STOCK)}]"],
                [f"[사진 출처 = {c.pick(AGENCIES)}]"],
                [f"{c.caption_text()} [사진 = {o.name} DB]"],
                [f"{c.caption_text()} [사진 제공 = {c.pick(AGENCIES)}]"],
            ]
        )

    body = c.weave(prefix, photo, 0.35, top=photo() if c.chance(0.5) else None)
    tail = [
        c.pick(
            [
                f"{c.rep.name} {o.name}닷컴 기자 {c.email()}",
                f"{c.rep.name} 기자 {c.email()}",
                f"{o.name}닷컴 {c.rep.name} 기자 {c.email()}",
            ]
        )
    ]
    tail += [
        c.pick(
            [
                f"ⓒ {o.name} & {o.domain}, 무단전재 및 AI학습 이용 금지",
                c.copyright(),
                f"ⓒ {o.latin}({o.domain}), 무단전재 및 재배포 금지",
            ]
        )
    ]
    tail += c.rng.sample(
        [
            f"[{o.name}닷컴 바로가기]",
            "[모바일 구독신청]",
            "좋아요 싫어요 후속기사원해요",
            c.promo(),
            *c.related_block(),
        ],
        3,
    )
    return head, body, tail


def broadcast_bracket(c: Ctx) -> Render:
    """TV news script: [앵커]/[리포트]/[기자] tags, sign-off, crew credits, 제보 block."""
    o = c.use(c.pick(BROADCAST))
    c.staff()
    post, upd = c.when()
    prog = c.pick(
        [f"{o.short} 뉴스 9", f"{o.short} 뉴스광장", f"{o.short} 뉴스특보", "뉴스 투데이"]
    )
    head = [c.story.title]
    head += c.pick(
        [
            [f"입력 {post} ({c.story.date:%H:%M}) 수정 {upd}"],
            [f"{prog}", f"방송일 {post}"],
            [f"입력 {post}"],
            [f"[{prog}] {c.story.date:%Y.%m.%d}"],
        ]
    )
    head += [c.menu()] if c.chance(0.5) else []
    same = c.chance(0.3)
    out: list[tuple[int | None, str]] = []
    n = len(c.paras)
    c.lede_prefix = "[앵커] " if same else ""
    for k, p in enumerate(c.paras):
        tag = (
            "[앵커]"
            if k == 0 or (k == n - 1 and c.chance(0.3))
            else (c.pick(["[리포트]", "[기자]"]) if k == 1 else None)
        )
        if tag and same:
            out.append((k, f"{tag} {p}"))
            continue
        if tag:
            out.append((None, tag))
        elif k > 1 and c.chance(0.2):
            job = c.pick(["변호사", "시민", "교수"])
            out.append(
                (
                    None,
                    c.pick(
                        [
                            f"[인터뷰] {c.person().name} / {job}",
                            f"[녹취] {c.person().name[0]}모 씨 / {c.pick(CITIES)} 시민",
                            f"[{c.person().name} / {c.pick(BUREAUS)} 기자]",
                        ]
                    ),
                )
            )
        out.append((k, p))
    em = c.email(domain=o.domain)
    tail = [
        c.pick(
            [
                f"{o.short} 뉴스 {c.rep.name}입니다.",
                f"{o.name} {c.rep.name}[{em}]입니다.",
                f"지금까지 {o.name} {c.rep.name} 기자였습니다.",
                f"{o.short} {c.rep.name}입니다.",
            ]
        )
    ]
    crew = [c.person().name for _ in range(3)]
    tail += c.pick(
        [
            [f"촬영기자:{crew[0]}/영상편집:{crew[1]}/그래픽:{crew[2]}"],
            [f"촬영기자 : {c.person().name}", f"영상편집 : {c.person().name}"],
            [f"(영상취재 : {c.person().name} / 영상편집 : {c.person().name})"],
        ]
    )
    tail += c.pick(
        [
            [
                "※ '당신의 제보가 뉴스가 됩니다'",
                f"[카카오톡] {o.short} 검색해 채널 추가",
                f"[전화] 02-398-{c.rng.randint(1000, 9999)}",
                f"[메일] social@{o.domain}",
            ],
            [
                f"▣ {o.short} 기사 원문보기 : http://news.{o.domain}/news/view.do?ncd="
                f"{c.rng.randint(7000000, 7999999)}",
                f"◇ 카카오톡 : '{o.short}제보' 검색 ◇ 전화 : 02-781-{c.rng.randint(1000, 9999)}",
            ],
        ]
    )
    tail.append(
        c.pick(
            [
                f"[저작권자(c) {o.short} 무단전재, 재배포 및 AI 데이터 활용 금지]",
                f"Copyright by {o.short}(https://{o.domain}) All Rights Reserved. "
                "무단 전재, 재배포 및 AI학습 이용 금지",
                c.copyright(),
            ]
        )
    )
    return head, out, tail


def broadcast_arrow(c: Ctx) -> Render:
    """TV news script: ◀ 앵커 ▶ / <앵커> tags, INT/SYNC speaker lines, 'Since 19xx' footer."""
    o = c.use(c.pick(BROADCAST))
    c.staff()
    post, _ = c.when()
    arrow = c.chance(0.5)
    head = (
        [c.pick(["뉴스데스크", "8뉴스", "뉴스투데이", "이브닝뉴스"]), c.story.title]
        if c.chance(0.5)
        else [c.story.title]
    )
    head += [c.pick([f"{c.rep.name} 기자", f"{c.rep.name}"]), c.pick([f"입력 {post}", post])]
    out: list[tuple[int | None, str]] = []
    for k, p in enumerate(c.paras):
        if k == 0:
            out.append((None, "◀ 앵커 ▶" if arrow else "<앵커>"))
        elif k == 1:
            out.append((None, "◀ 리포트 ▶" if arrow else "<기자>"))
        elif c.chance(0.25):
            job = c.pick(["변호사", "시민", "교수", "국회의원", "공인노무사"])
            who = f"{c.person().name}/{job}"
            out.append(
                (
                    None,
                    c.pick(
                        [f"◀ INT ▶ {who}", f"◀ SYNC ▶ {who}", f"<인터뷰> {who}", who, f"{who} : "]
                    ),
                )
            )
        out.append((k, p))
    tail = [
        c.pick(
            [
                f"{o.short}뉴스 {c.rep.name}입니다.",
                f"({o.short} {c.rep.name} 기자)",
                f"{o.name} {c.rep.name}입니다.",
            ]
        )
    ]
    tail.append(
        c.pick(
            [
                f"영상취재: {c.person().name} / 영상편집: {c.person().name}",
                f"(영상취재 : {c.person().name}, 영상편집 : {c.person().name}, 디자인 : "
                f"{c.person().name})",
            ]
        )
    )
    tail += c.rng.sample(
        [
            f"{o.short} 뉴스는 24시간 여러분의 제보를 기다립니다.",
            f"▷ 전화 02-784-{c.rng.randint(1000, 9999)} ▷ 이메일 jebo@{o.domain} ▷ "
            f"카카오톡 @{o.short}제보",
            f"▶ {o.short} 뉴스 원문 기사 보기",
            f"▶ 가장 확실한 {o.short} 제보 [클릭!]",
        ],
        2,
    )
    tail.append(
        c.pick(
            [
                f"Copyright(c) Since 1969, {o.short}&i{o.short} All rights reserved.",
                f"※ ⓒ {o.short} & {o.short} Digital News : 무단복제 및 재배포 금지",
                c.copyright(),
            ]
        )
    )
    return head, out, tail


def nocut(c: Ctx) -> Render:
    """Broadcaster's web desk: byline on top, long 제보 appeal, '[지역 매체 기자]' lede."""
    o = c.use(c.pick(NOCUT))
    c.staff()
    post, _ = c.when()
    head = [
        c.story.title,
        f"{o.short}{o.name} {c.rep.name} 기자",
        c.pick(["메일보내기", "구독"]),
        post,
    ]
    head += [c.menu()] if c.chance(0.5) else []
    city = c.pick(CITIES)
    prefix = c.pick(
        ["", "", f"[{city}{o.short} {c.rep.name} 기자] ", f"[{city}{o.short} {c.rep.name} 기자]"]
    )

    def photo() -> list[str]:
        t = c.caption_text()
        return c.pick(
            [
                [t, f"{c.person().name} 기자"],
                [f"{t} {c.pick(WIRES).name}"],
                [f"{c.pick(WIRES).name}"],
                [f"{c.person().name} 기자"],
            ]
        )

    body = c.weave(prefix, photo, 0.3, top=photo() if c.chance(0.5) else None)
    tail = [
        f"※{o.short}{o.name}는 여러분의 제보로 함께 세상을 바꿉니다. 각종 비리와 부패, "
        "사회적 약자에 대한 갑질, 기업과 기관의 부당행위 등 모든 얘기를 알려주세요.",
        f"이메일 : jebo@{o.domain} 카카오톡 : @{o.short}{o.name} 사이트 : https://url.kr/"
        f"{c.rng.randint(10000, 99999)}",
    ]
    c.rng.shuffle(tail)
    tail += [f"저작권자 © {o.short} {o.name} 무단전재 및 재배포 금지"]
    tail += c.related_block() if c.chance(0.5) else []
    return head, body, tail


def citizen(c: Ctx) -> Render:
    """Citizen-journalism site: "이름(id)" byline, "l"-separated stamps, ▲/ⓒ captions,
    an appended note (덧붙이는 글)."""
    o = c.use(c.pick(CITIZEN))
    c.staff()
    r = c.rep
    post, upd = c.when()
    d = c.story.date
    head = [c.story.title] + (c.deck_lines() if c.chance(0.6) else [])
    head += [
        f"{r.name}({r.roman}{r.given[0]})",
        f"{d:%y.%m.%d %H:%M}l최종 업데이트 {d + timedelta(hours=2):%y.%m.%d %H:%M}l",
    ]
    head += [c.menu()] if c.chance(0.5) else []

    def photo() -> list[str]:
        t = c.caption_text()
        return c.pick(
            [
                [f"▲ {t}", f"ⓒ {c.pick([r.name, o.name, c.pick(STOCK)])}"],
                [f"▲ {t} ⓒ {r.name}"],
                [f"▲ {t}"],
                [f"▲ {t}", f"ⓒ {o.name} {r.name}"],
            ]
        )

    body = c.weave("", photo, 0.35, top=photo() if c.chance(0.5) else None)
    tail = []
    if c.chance(0.6):
        tail.append(f"덧붙이는 글 | 이 기사는 {r.name}의 개인 블로그에도 실립니다.")
    tail += c.rng.sample(
        [
            f"{o.name}를 응원해주세요",
            "후원하기",
            f"추천 {c.rng.randint(0, 90)} 댓글 {c.rng.randint(0, 30)} 스크랩 페이스북 트위터 공유",
            f"시민기자 {r.name}",
            "이 기자의 다른 기사",
            "독자의견",
            f"<저작권자 © {o.name} 무단 전재 및 재배포 금지>",
        ],
        4,
    )
    tail += c.comments() if c.chance(0.4) else []
    return head, body, tail


def local_cms(c: Ctx) -> Render:
    """Local paper on a common CMS: 기자명/승인 lines, SNS 기사보내기 row, comment box."""
    o = c.use(c.pick(LOCAL))
    c.staff()
    post, upd = c.when()
    sec = c.pick(SECTIONS)
    head = []
    if c.chance(0.4):  # the browser title line the crawler kept
        head.append(f"{c.story.title} < {sec} < 기사본문 - {o.name}")
        c.masks.append((c.story.title, "{제목}"))
    head += c.nav() + [c.pick([f"{sec}", f"HOME > {sec}"]), c.story.title]
    head += c.deck_lines() if c.chance(0.3) else []
    head += c.rng.sample(
        [
            f"기자명 {c.rep.name} 기자",
            f"입력 {post}",
            f"승인 {post}",
            f"기사입력 {post}",
            f"최종수정 {upd}",
            f"댓글 {c.rng.randint(0, 9)}",
        ],
        3,
    )
    head += [
        c.pick(
            [
                "SNS 기사보내기 페이스북(으)로 기사보내기 트위터(으)로 기사보내기 "
                "카카오톡(으)로 기사보내기 URL복사(으)로 기사보내기 이메일(으)로 기사보내기 "
                "다른 공유 찾기 기사스크랩하기",
                "바로가기 복사하기 본문 글씨 키우기 본문 글씨 줄이기",
                "SNS 기사보내기",
            ]
        )
    ]
    prefix = c.pick(
        [
            "",
            f"[{o.name}={c.rep.name} 기자] ",
            f"[{o.name}] {c.rep.name} 기자 = ",
            f"({c.pick(CITIES)}={o.name}) {c.rep.name} 기자 = ",
        ]
    )
    body = c.weave(
        prefix,
        lambda: c.pick([c.caption(), [c.ad()]]),
        0.3,
        top=c.caption() if c.chance(0.4) else None,
    )
    tail = [
        c.pick(
            [
                f"{c.rep.name} 기자 {c.email()}",
                f"{c.rep.name} 기자",
                c.email(),
                f"{c.rep.name} 기자 <{c.email()}>",
            ]
        )
    ]
    tail += [c.pick([f"저작권자 © {o.name} 무단전재 및 재배포 금지", c.copyright()])]
    tail += c.rng.sample(
        [
            f"{c.rep.name} 기자 다른기사 보기",
            "개의 댓글",
            "내 댓글 모음",
            "0 / 400",
            "댓글 정렬 BEST 최신순 추천순",
            "닫기",
            "로그인",
            "이전 기사",
            "다음 기사",
            f"기사제보 및 보도자료 news@{o.domain}",
        ],
        c.rng.randint(3, 6),
    )
    if c.chance(0.4):
        tail += c.most_read()
    return head, body, tail


def portal_view(c: Ctx) -> Render:
    """Portal news view (source outlet inside a portal frame): 기사원문, 요약봇, section notes."""
    portal = c.pick(PORTALS)
    c.masks.append((portal.name, "{포털}"))
    o = c.use(c.pick(DAILIES + ECON + WIRES + BROADCAST))
    c.staff()
    post, upd = c.when()
    fmt = "{d:%Y.%m.%d}. {ap} {h}:{d:%M}"
    head = c.rng.sample(["본문 바로가기", portal.name, "뉴스홈", "언론사별", "랭킹"], 2)
    head += [o.name, c.story.title, f"입력{c.stamp(fmt)} 기사원문", f"수정{c.stamp(fmt, 45)}"]
    head += c.rng.sample(
        [
            f"{c.rep.name} 기자",
            "추천",
            str(c.rng.randint(0, 99)),
            "댓글",
            str(c.rng.randint(0, 99)),
            "본문 요약봇",
            "텍스트 음성 변환 서비스 사용하기",
            "글자 크기 변경하기",
            "SNS 보내기",
            "인쇄하기",
        ],
        c.rng.randint(4, 8),
    )
    body = c.weave(c.pick(["", "", f"[{o.name}] "]), lambda: c.pick([c.caption(), [c.ad()]]), 0.2)
    tail = [c.pick([f"{c.rep.name} 기자({c.email()})", f"{c.rep.name} 기자", c.email()])]
    tail += c.rng.sample(
        [
            "기자 프로필",
            "구독 구독중",
            f"구독자 {c.rng.randint(0, 9000)}",
            f"응원수 {c.rng.randint(0, 900)}",
            f"Copyright ⓒ {o.name}. All rights reserved. 무단 전재 및 재배포, AI 학습 이용 금지.",
            f"이 기사는 언론사에서 {c.pick(SECTIONS)} 섹션으로 분류했습니다.",
            "기사 섹션 분류 안내",
            "기사의 섹션 정보는 해당 언론사의 분류를 따르고 있습니다. 언론사는 개별 기사를 "
            "2개 이상 섹션으로 중복 분류할 수 있습니다.",
            "닫기",
            f"{o.name} 헤드라인",
            "언론사 주요뉴스",
            "기사 추천은 24시간 내 50회까지 참여할 수 있습니다.",
            "모두에게 보여주고 싶은 기사라면?",
            *c.reactions(),
        ],
        c.rng.randint(5, 9),
    )
    tail += c.related(3) if c.chance(0.5) else []
    tail += c.comments() if c.chance(0.4) else []
    return head, body, tail


def portal_daum(c: Ctx) -> Render:
    """Portal news view, second portal: byline+stamp line, 음성/번역 tools, emotion buttons."""
    portal = c.pick(PORTALS)
    c.masks.append((portal.name, "{포털}"))
    o = c.use(c.pick(DAILIES + LOCAL + PROGRESSIVE))
    c.staff()
    post, upd = c.when()
    head = [
        portal.name,
        o.name,
        c.story.title,
        c.pick(
            [
                f"{c.rep.name} 기자 입력 {c.stamp('{y}. {m}. {dd}. {d:%H:%M}')}",
                f"{c.rep.name} 입력 {post} 수정 {upd}",
            ]
        ),
    ]
    head += c.rng.sample(
        [
            f"댓글{c.rng.randint(0, 9)}",
            "번역 설정",
            "글씨크기 조절하기",
            "인쇄하기",
            "요약보기",
            "음성으로 듣기",
            "공유하기",
            "자동요약",
        ],
        c.rng.randint(3, 6),
    )
    body = c.weave("", c.caption, 0.25, top=c.caption() if c.chance(0.5) else None)
    tail = [
        c.copyright(),
        *c.rng.sample(
            [
                f"추천해요{c.rng.randint(0, 9)}",
                f"좋아요{c.rng.randint(0, 9)}",
                f"감동이에요{c.rng.randint(0, 9)}",
                f"화나요{c.rng.randint(0, 9)}",
                f"슬퍼요{c.rng.randint(0, 9)}",
                "이 기사에 대해 의견을 남겨주세요.",
                f"{o.name}에서 제공하는 기사입니다.",
                "관련 뉴스",
                "주요 뉴스",
            ],
            5,
        ),
    ]
    if c.chance(0.5):
        tail += c.related(3)
    return head, body, tail


def column(c: Ctx) -> Render:
    """Opinion column: section crumbs, writer box with affiliation, disclaimer, bio lines."""
    o = c.use(c.pick(DAILIES + PROGRESSIVE + ECON))
    writer = c.person()
    c.reporters = [writer]
    post, _ = c.when()
    aff = c.pick(
        [
            "변호사",
            "법학전문대학원 교수",
            "전 대법관",
            "논설위원",
            "객원논설위원",
            "칼럼니스트",
            "공인회계사",
            "법무법인 누리 대표변호사",
        ]
    )
    head = [c.pick(["오피니언 > 칼럼", "오피니언", "사설·칼럼", "기고", "시론", "法창", "시평"])]
    head += [c.story.title] + (c.deck_lines() if c.chance(0.5) else [])
    head += [
        c.pick(
            [
                f"{writer.name} {aff}",
                f"[기고] {writer.name} {aff}",
                f"글 {writer.name}",
                f"{writer.name} ({aff})",
            ]
        ),
        c.pick([f"입력 {post}", post, f"게재 일자 : {post}"]),
    ]
    body = c.weave("", lambda: [c.ad()], 0.1)
    tail = []
    if c.chance(0.6):
        tail.append(
            c.pick(
                [
                    "※ 외부 필자의 원고는 본지의 편집방향과 다를 수 있습니다.",
                    "* 이 글은 필자 개인의 의견이며 본지의 편집 방향과 다를 수 있습니다.",
                    f"<외부 칼럼은 {o.name}의 편집방향과 다를 수 있습니다>",
                ]
            )
        )
    tail.append(
        c.pick(
            [
                f"{writer.name} {aff}",
                f"{writer.name} {aff} {c.email(writer)}",
                f"■ 필자 {writer.name}는",
                f"/{writer.name} {aff}",
            ]
        )
    )
    tail += c.rng.sample(
        [c.copyright(), f"{writer.name}의 다른 칼럼 보기", *c.reactions(), "오피니언 많이 본 기사"],
        3,
    )
    return head, body, tail


LAYOUTS: dict[str, tuple[Callable[[Ctx], Render], str]] = {
    "wire_dateline": (wire_dateline, "Yonhap-like wire"),
    "wire_bracket": (wire_bracket, "Newsis-like wire"),
    "wire_photo": (wire_photo, "News1-like wire"),
    "daily_slash": (daily_slash, "Chosun-like daily"),
    "daily_deck": (daily_deck, "JoongAng-like daily"),
    "daily_tagprefix": (daily_tagprefix, "Donga-like daily"),
    "progressive": (progressive, "Hankyoreh/Kyunghyang-like"),
    "daily_profile": (daily_profile, "Hankook-like daily"),
    "econ_bracket": (econ_bracket, "Edaily/Asia/MT-like"),
    "econ_daily": (econ_daily, "Maeil/Hankyung/Herald-like"),
    "broadcast_bracket": (broadcast_bracket, "KBS/YTN/JTBC-like script"),
    "broadcast_arrow": (broadcast_arrow, "MBC/SBS-like script"),
    "nocut": (nocut, "Nocut-like web desk"),
    "citizen": (citizen, "OhmyNews-like"),
    "local_cms": (local_cms, "local paper CMS"),
    "portal_view": (portal_view, "Naver-like portal view"),
    "portal_daum": (portal_daum, "Daum-like portal view"),
    "column": (column, "opinion column"),
}

# ---------------------------------------------------------------------------------------------
# Variants: encoding damage, glued captions, print view, collapsed pages

_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]
_ENTITIES = {
    '"': ["&quot;", "&#34;"],
    "'": ["&#39;", "&apos;"],
    "&": ["&amp;"],
    "<": ["&lt;"],
    ">": ["&gt;"],
    "·": ["&middot;", "&#183;"],
    "“": ["&ldquo;", "&#8220;"],
    "”": ["&rdquo;", "&#8221;"],
    "‘": ["&lsquo;"],
    "’": ["&rsquo;", "&#8217;"],
    "…": ["&hellip;"],
    " ": ["&nbsp;"],
}
DAMAGE = ("utf8_as_cp1252", "cp949_as_latin1", "html_entities", "zero_width", "nfd", "odd_spaces")


def damage(p: str, kind: str, rng: random.Random) -> str:
    """One paragraph with one kind of encoding damage (the same text when it cannot apply)."""
    if kind == "utf8_as_cp1252":
        return "".join(_CP1252[b] for b in p.encode("utf-8"))
    if kind == "cp949_as_latin1":
        try:
            return p.encode("cp949").decode("latin-1")
        except UnicodeEncodeError:
            return damage(p, "html_entities", rng)
    if kind == "html_entities":
        out = [
            rng.choice(_ENTITIES[ch])
            if ch in _ENTITIES and (ch != " " or rng.random() < 0.2)
            else ch
            for ch in p
        ]
        return "".join(out)
    if kind == "zero_width":
        marks = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"]
        chars = list(p)
        for _ in range(max(1, len(p) // 40)):
            i = rng.randrange(1, len(chars))
            chars.insert(i, rng.choice(marks))
        return "".join(chars)
    if kind == "nfd":
        return unicodedata.normalize("NFD", p)
    spaces = ["\u00a0", "\u3000", "\u2002", "\u2009", "  ", "\u00a0\u00a0"]
    return "".join(rng.choice(spaces) if ch == " " and rng.random() < 0.4 else ch for ch in p)


def glue(c: Ctx) -> tuple[str, str]:
    """(where, text): a signature for the last paragraph or a caption for a middle one."""
    r, o = c.rep, c.outlet
    if c.chance(0.5):
        return "last", c.pick(
            [
                f"{r.name} 기자 {c.email()}",
                f" /{r.name} 기자",
                f"/{r.name} 기자",
                f" {c.email()}",
                c.email(),
                f" [{o.name} {r.name} 기자 {c.email()}]",
                f"{r.name} 기자",
                f" {r.name} 기자({c.email()})",
                f" ◎{o.name} {c.email()}",
                f" {o.short or o.name} 뉴스 {r.name}입니다.",
            ]
        )
    t = c.caption_text().rstrip(".")
    w = c.pick(WIRES + WIRES3)
    return "mid", c.pick(
        [
            f" [사진={w.name}]",
            f"(사진={o.name} DB)",
            f" ⓒ {w.name} DB",
            f" /{w.name}",
            f"▲ {t}. ⓒ{w.name}",
            f"{t}. /{w.name}",
            f" [{w.name} 자료사진]",
            f" {c.pick(STOCK)}",
            f"(사진 제공={c.pick(AGENCIES)})",
            f"{t}. {w.name}",
        ]
    )


@dataclass(frozen=True)
class Page:
    id: str
    layout: str
    text: str
    title: str
    paragraphs: tuple[str, ...]
    variants: tuple[str, ...]
    damage: str = ""
    damaged: tuple[int, ...] = ()  # indices of damaged paragraphs
    printed: tuple[str, ...] = ()  # the body paragraphs as printed (damaged ones included)
    masks: tuple[tuple[str, str], ...] = ()
    furniture: tuple[str, ...] = ()  # every non-body line of the page (headline excluded)


def _print_view(c: Ctx, with_title: bool, drop_first: bool) -> tuple[list[str], list[str]]:
    """The print view appended to the page, and its furniture lines."""
    o = c.outlet
    out = c.pick(
        [
            ["인쇄하기"],
            ["프린트", "닫기"],
            [f"{o.name}", "인쇄"],
            ["기사 인쇄"],
            [],
            [f"{o.domain} 인쇄하기 닫기"],
        ]
    )
    if with_title:
        out.append(c.story.title)
    paras = list(c.paras[1:] if drop_first else c.paras)
    if not drop_first and c.print_prefix:
        paras[0] = c.lede_prefix + paras[0]
    furn = list(out)
    out += paras
    if c.chance(0.5):
        out.append(c.pick([f"{c.rep.name} 기자 {c.email()}", c.email(), c.copyright()]))
        furn.append(out[-1])
    return out, furn


def make_page(
    i: int, layout: str, story: Story, others: list[Story], variants: set[str], seed: int
) -> Page:
    rng = random.Random(f"{seed}:{i}:{layout}")
    paras = list(story.paragraphs)
    kind, hurt = "", []
    if "damaged" in variants:
        kind = rng.choice(DAMAGE)
        share = rng.uniform(0.2, 0.6)
        hurt = sorted(rng.sample(range(len(paras)), max(1, round(len(paras) * share))))
        for k in hurt:
            paras[k] = damage(paras[k], kind, rng)
    c = Ctx(rng, story, paras, others)
    c.masks.append((story.title, "{제목}"))
    fn, _ = LAYOUTS[layout]
    head, body, tail = fn(c)
    c.print_prefix = c.chance(0.5)
    lines = list(head)
    blines = [t for _, t in body]
    furn = [t for t in head if t != story.title] + [t for k, t in body if k is None] + tail
    if head.count(story.title) > 1:
        furn.append(story.title)
    if "glued" in variants:
        where, g = glue(c)
        idx = [j for j, (k, _) in enumerate(body) if k is not None]
        if where == "mid" and len(idx) > 2:
            ends = [j for j in idx[:-1] if body[j][1].rstrip().endswith((".", "다"))] or idx[:-1]
            j = rng.choice(ends)
        else:
            j = idx[-1]
        blines[j] = blines[j] + g
    if "doubled" in variants:
        pv, pv_furn = _print_view(c, with_title=rng.random() < 0.4, drop_first=rng.random() < 0.35)
        furn += pv_furn
        if rng.random() < 0.3:
            lines += blines + pv + tail
        else:
            lines += blines + tail + pv
    else:
        lines += blines + tail
    if "collapsed" in variants:
        text = (rng.choice([" ", " ", "  ", " \t"])).join(t.strip() for t in lines)
    else:
        r = rng.random()
        sep = "\n" if r < 0.55 else "\n\n" if r < 0.85 else "\n \n"
        if rng.random() < 0.1:
            lines = [t + rng.choice([" ", "\t", "  "]) for t in lines]
        text = sep.join(lines)
        if rng.random() < 0.05:
            text = text.replace("\n", "\r\n")
    return Page(
        f"L{i:04d}",
        layout,
        text,
        story.title,
        story.paragraphs,
        tuple(sorted(variants)),
        kind,
        tuple(hurt),
        tuple(paras),
        tuple(c.masks),
        tuple(furn),
    )


def make_pages(stories: list[Story], n: int, seed: int) -> list[Page]:
    """``n`` pages, layouts in turn, variants drawn to their exact shares; deterministic."""
    rng = random.Random(seed)
    picks = rng.sample(range(len(stories)), min(n, len(stories)))
    names = list(LAYOUTS)
    order = [names[i % len(names)] for i in range(n)]
    rng.shuffle(order)
    ids = list(range(n))
    collapsed = set(rng.sample(ids, round(n * SHARE["collapsed"])))
    rest = [i for i in ids if i not in collapsed]
    doubled = set(rng.sample(rest, round(n * SHARE["doubled"])))
    glued = set(rng.sample(rest, round(n * SHARE["glued"])))
    damaged = set(rng.sample(ids, round(n * SHARE["damaged"])))
    pages = []
    for i in range(n):
        v = {
            name
            for name, s in (
                ("collapsed", collapsed),
                ("doubled", doubled),
                ("glued", glued),
                ("damaged", damaged),
            )
            if i in s
        }
        story = stories[picks[i % len(picks)]]
        others = [stories[j] for j in rng.sample(range(len(stories)), 8)]
        pages.append(make_page(i, order[i], story, others, v, seed))
    return pages


# ---------------------------------------------------------------------------------------------
# Scoring


def load_norm() -> Callable[[str], str] | None:
    """``norm`` from ../shared/corpus/score.py (clean mode), or None when it is absent."""
    path = CORPUS / "score.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("_corpus_score", path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod.norm


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[email protected\]")
_URL = re.compile(r"https?://\S+")
_DIGITS = re.compile(r"\d+")
_CITY = "|".join(CITIES + ABROAD)
_PLACE = re.compile(f"(?:{_CITY})(?=\\s*=|{NOCUT[0].short})|(?<== )(?:{_CITY})(?=\\])")
_OUTLET = re.compile(
    "|".join(
        sorted(
            (
                o.name
                for o in WIRES
                + WIRES2
                + WIRES3
                + DAILIES
                + PROGRESSIVE
                + ECON
                + BROADCAST
                + NOCUT
                + CITIZEN
                + LOCAL
            ),
            key=len,
            reverse=True,
        )
    )
)


_FOLD = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u300c": '"',
        "\u300d": '"',
        "\u300e": '"',
        "\u300f": '"',
        "\u318d": "·",
        "\u2027": "·",
        "\u30fb": "·",
        "\uff65": "·",
    }
)


def _fold(text: str) -> str:
    """NFC, one quote and middle-dot style, single spaces: how the cleaner may have left it."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_FOLD).split())


def _replace_masks(text: str, page: Page, with_placeholder: bool = True) -> str:
    text = _fold(text)
    for s, ph in sorted(page.masks, key=lambda m: -len(m[0])):
        if s:
            text = text.replace(_fold(s), ph if with_placeholder else " ")
    return text


def mask(text: str, page: Page) -> str:
    """Furniture with its variable parts replaced, so that one kind of line counts once."""
    text = _replace_masks(_URL.sub("{url}", _EMAIL.sub("{email}", text)), page)
    return _DIGITS.sub("0", _OUTLET.sub("{매체}", _PLACE.sub("{지역}", text)))


# Kinds of furniture, for the survival table: the first pattern that matches a masked line.
_UI = re.compile(
    "|".join(
        sorted(
            map(
                re.escape,
                MENU_ITEMS
                + NAV_ITEMS
                + [
                    "본문 요약봇",
                    "텍스트 음성 변환 서비스 사용하기",
                    "글자 크기 변경하기",
                    "SNS 보내기",
                    "인쇄하기",
                    "번역 설정",
                    "글씨크기 조절하기",
                    "요약보기",
                    "음성으로 듣기",
                    "공유하기",
                    "자동요약",
                    "뉴스홈",
                    "언론사별",
                    "랭킹",
                    "기사원문",
                    "{포털}",
                    "{매체} 홈",
                    "{도메인}",
                    "파란색 글자만 보기",
                    "메일보내기",
                    "구독",
                    "기사 인쇄",
                    "인쇄 닫기",
                    "이전 기사",
                    "다음 기사",
                    "로그인",
                    "닫기",
                    "기사 북마크",
                    "SNS 기사보내기",
                    "오피니언 > 칼럼",
                    "오피니언",
                    "사설·칼럼",
                    "기고",
                    "시론",
                    "法창",
                    "시평",
                ],
            ),
            key=len,
            reverse=True,
        )
    )
)
KINDS = [
    ("related / most-read headline", r"\{관련제목\}"),
    ("headline copy", r"\{제목\}"),
    ("subtitle (deck)", r"\{부제\}"),
    (
        "ad marker",
        r"^(AD|광고|\[광고\]|ADVERTISEMENT|Advertisement|- 광고 -|\(광고\)|"
        r"광고 영역|AD 광고)$",
    ),
    (
        "broadcast tag / speaker",
        r"^\[(앵커|리포트|기자|인터뷰|녹취)\]|◀|^<(앵커|기자|인터뷰)>|"
        r"^\{이름\}/|^\[\{이름\} / |뉴스데스크|뉴스 ?투데이|뉴스광장|"
        r"뉴스특보|^0뉴스|이브닝뉴스|뉴스 0",
    ),
    ("copyright", r"ⓒ|©|\(c\)|Copyright|COPYRIGHT|무단|저작권|재판매"),
    (
        "reaction widget",
        r"좋아요|화나요|슬퍼요|추천|훈훈해요|유익해요|쏠쏠정보|흥미|공감|"
        r"감동이에요|반대|응원수|구독자|어떠셨나요|워요|강추|탁월|원해요",
    ),
    (
        "comment section",
        r"댓글|답글|0 / 0|독자의견|자평|로그인 후|최신순|\*\*|^소시민|^아무개|"
        r"도움말|의견을|^등록$",
    ),
    (
        "photo caption / credit",
        r"사진|DB|이미지|▲|△|게티|클립아트|픽사베이|셔터스톡|"
        r"제공\s*=|제공[\]).]*$|그래픽|일러스트|photo@|원본보기|확대|^/|^ⓒ|전경|있다|모습|"
        r"[./ ]\{매체\}$|현판|정문|풍경|입구|내부",
    ),
    (
        "timestamp",
        r"입력|수정|등록|송고|승인|업데이트|최종|방송일|게재|^0[.\-/ ]|^0년|"
        r"0\.0\.0",
    ),
    (
        "byline / signature / crew",
        r"기자|특파원|\{이름\}|\{email\}|영상|촬영|필자|"
        r"^\(끝\)$",
    ),
    (
        "promo / tip line / section note",
        r"▶|☞|▷|◆|◇|▣|※|구독|제보|뉴스레터|앱|후원|바로가기|"
        r"유튜브|카카오톡|많이 본|인기|주요뉴스|헤드라인|관련|"
        r"더보기|핫뉴스|섹션|외부|기사입니다|다른|#|응원|"
        r"함께 보면|주요 ?뉴스|연관기사|공유합니다|연재|"
        r"지금 뜨는|랭킹|보여주고 싶은|\[전화\]",
    ),
]
_KINDS = [(k, re.compile(p)) for k, p in KINDS]


def furniture_kind(masked: str) -> str:
    """The kind of a masked furniture line (for reporting only; the cleaner never sees this)."""
    if masked == "headline text (unmasked)":
        return KINDS[0][0]
    for kind, pat in _KINDS[:3]:
        if pat.search(masked):
            return kind
    if masked in COMMENTS:
        return "comment section"
    if masked in ("{매체}", "{포털}", "{매체} 인쇄", "[{매체}]"):
        return "outlet / portal name"
    if re.fullmatch(r"[\d\s]+", masked):
        return "bare counter"
    ui_free = _UI.sub("", masked)
    if ui_free != masked and not re.sub(r"[\s|·/>＞0]+", "", ui_free):
        return "menu / navigation / breadcrumb"
    for kind, pat in _KINDS[3:]:
        if pat.search(masked):
            return kind
    if masked in SECTIONS or any(x in masked for x in (">", "＞", " | ", "일반", "칼럼")):
        return "menu / navigation / breadcrumb"
    return "other"


def _grams(s: str, k: int = 4) -> set[str]:
    return {s[i : i + k] for i in range(max(1, len(s) - k + 1))}


def _index_map(raw: str) -> tuple[str, list[int]]:
    """``norm``-like key of ``raw`` (NFC, no whitespace, folded quotes) with raw offsets."""
    key, idx = [], []
    fold = {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u318d": "·",
        "\u2027": "·",
        "\u30fb": "·",
    }
    for j, ch in enumerate(unicodedata.normalize("NFC", raw)):
        if not ch.isspace():
            key.append(fold.get(ch, ch))
            idx.append(j)
    return "".join(key), idx


@dataclass
class Tally:
    pages: int = 0
    tp: int = 0
    n_out: int = 0
    n_truth: int = 0
    exact: int = 0
    title_ok: int = 0

    def add(self, other: Tally) -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def row(self) -> tuple[str, str, str, str]:
        p = self.tp / self.n_out if self.n_out else 0.0
        r = self.tp / self.n_truth if self.n_truth else 0.0
        return (
            f"{p:.4f}",
            f"{r:.4f}",
            f"{self.exact}/{self.pages} ({self.exact / max(1, self.pages):.0%})",
            f"{self.title_ok / max(1, self.pages):.0%}",
        )


@dataclass
class Report:
    by_layout: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_variant: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    furniture: Counter = field(default_factory=Counter)
    furniture_where: dict = field(default_factory=lambda: defaultdict(Counter))
    by_layout_furniture: dict = field(default_factory=lambda: defaultdict(Counter))
    kind_made: Counter = field(default_factory=Counter)
    kind_kept: Counter = field(default_factory=Counter)
    kind_example: dict = field(default_factory=lambda: defaultdict(Counter))
    lost: Counter = field(default_factory=Counter)
    lost_where: dict = field(default_factory=lambda: defaultdict(list))
    titles: Counter = field(default_factory=Counter)
    titles_where: dict = field(default_factory=lambda: defaultdict(list))
    collapsed: list[dict] = field(default_factory=list)
    collapsed_left: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # terminal only: may quote body text
    crashes: list[str] = field(default_factory=list)


def _removed_by(cleaned: Cleaned, key: str, norm: Callable[[str], str]) -> str:
    """The rule whose removal covers (or cuts into) a body paragraph with this key."""
    best = None
    for r in cleaned.removals:
        rk = norm(r.text)
        if not rk:
            continue
        if key in rk:
            return f"{r.rule} ({r.category})"
        if len(rk) >= 6 and rk in key:
            best = best or f"{r.rule} ({r.category}), part"
    return best or "no removal found"


def score_page(page: Page, cleaned: Cleaned, norm: Callable[[str], str], rep: Report) -> None:
    t = Tally(pages=1)
    tkey = norm(page.title)
    title_ok = norm(cleaned.title or "") == tkey
    t.title_ok = int(title_ok)
    if not title_ok:
        got = cleaned.title
        if got is None and "collapsed" in page.variants:
            kind = "no title (collapsed page)"
        elif got is None:
            in_body = any(norm(ln) == tkey for ln in cleaned.text.split("\n"))
            kind = "no title; headline " + (
                "left in the body" if in_body else "removed by " + _removed_by(cleaned, tkey, norm)
            )
        elif tkey and tkey in norm(got):
            kind = "headline with extra: " + _safe(got, page, norm)
        else:
            kind = "taken as title: " + _safe(got, page, norm)
        if "collapsed" in page.variants and not kind.startswith("no title (collapsed"):
            kind = "(collapsed page) " + kind
        rep.titles[kind] += 1
        rep.titles_where[kind].append(page.id)
    if "collapsed" in page.variants:
        _score_collapsed(page, cleaned, norm, rep)
        return
    want = Counter(norm(p) for p in page.paragraphs if norm(p))
    out_lines = [ln for ln in cleaned.text.split("\n") if norm(ln)]
    got = Counter(norm(ln) for ln in out_lines)
    t.n_truth, t.n_out = sum(want.values()), sum(got.values())
    t.tp = sum((want & got).values())
    t.exact = int(want == got)
    rep.by_layout[page.layout].add(t)
    rep.total.add(t)
    for v in page.variants or ("plain",):
        rep.by_variant[v].add(t)
    # surviving furniture
    for line in page.furniture:
        if line.strip():
            rep.kind_made[furniture_kind(mask(line, page))] += 1
    extra = got - want
    seen: Counter = Counter()
    for ln in out_lines:
        k = norm(ln)
        if seen[k] >= extra[k]:
            continue
        seen[k] += 1
        if k in want:
            label = "repeated body paragraph kept" + (
                " (print view)" if "doubled" in page.variants else ""
            )
        else:
            label = _furniture_label(ln, k, page, norm)
        rep.furniture[label] += 1
        if k not in want and not label.startswith(_BODY_LABELS):
            kind = furniture_kind(label)
            rep.kind_kept[kind] += 1
            rep.kind_example[kind][label] += 1
        rep.furniture_where[label][page.layout] += 1
        rep.by_layout_furniture[page.layout][label] += 1
        if len(rep.examples) < 400:
            rep.examples.append(f"{page.id} {page.layout} KEPT  {ln[:160]}")
    # lost body paragraphs
    for k, cnt in (want - got).items():
        inside = next((ln for ln in out_lines if k in norm(ln)), None)
        part = next((ln for ln in out_lines if len(norm(ln)) > 8 and norm(ln) in k), None)
        pi = next(j for j, p in enumerate(page.paragraphs) if norm(p) == k)
        if inside is not None:
            why = "kept with furniture " + _furniture_label(inside, norm(inside), page, norm)
        elif pi in page.damaged:
            why = f"damage not repaired ({page.damage})"
        elif part is not None:
            why = "cut short: " + _removed_by(cleaned, k, norm)
        else:
            why = "removed: " + _removed_by(cleaned, k, norm)
        rep.lost[why] += cnt
        rep.lost_where[why].append(f"{page.id}#{pi} ({len(page.paragraphs[pi])} chars)")
        if len(rep.examples) < 400:
            rep.examples.append(
                f"{page.id} {page.layout} LOST  [{why}] {page.paragraphs[pi][:160]}"
            )


def _overlap(key: str, page: Page, norm: Callable[[str], str], printed_only: bool = False) -> float:
    """Share of a text's 6-grams found in the page's body (as written and as printed)."""
    if len(key) < 6:
        return 0.0
    body: set[str] = set()
    src = (
        [page.printed[k] for k in page.damaged]
        if printed_only
        else [*page.paragraphs, *page.printed]
    )
    for p in src:
        body |= _grams(norm(p), 6)
    g = _grams(key, 6)
    return len(g & body) / len(g)


def _furniture_label(line: str, key: str, page: Page, norm: Callable[[str], str]) -> str:
    """What an unmatched output line is; body text itself is never quoted."""
    for p in page.paragraphs:
        pk = norm(p)
        if pk and pk in key:  # body paragraph + furniture: quote the furniture only
            raw_key, idx = _index_map(line)
            a = raw_key.find(pk)
            if a >= 0:
                s, e = idx[a], idx[a + len(pk) - 1] + 1
                return f"attached to body: {mask(line[:s], page)}⟨body⟩{mask(line[e:], page)}"
            return "attached to body (unlocated)"
    if key == norm(page.title):
        return "this page's headline left in the body"
    return _safe(line, page, norm)


def _safe(text: str, page: Page, norm: Callable[[str], str]) -> str:
    """``text`` masked, or a name for it when it is made of body text (never quoted)."""
    masked = mask(text, page)
    rest = norm(_PLACEHOLDER.sub("", _strip_masks(text, page)))
    ov = _overlap(rest, page, norm)
    heads = [norm(s) for s, ph in page.masks if ph in ("{제목}", "{관련제목}", "{부제}")]
    if len(rest) >= 6 and any(rest[i : i + 6] in h for h in heads for i in range(len(rest) - 5)):
        return "headline text (unmasked)"  # never quote corpus headlines
    if ov > 0.5:
        if page.damaged and _overlap(rest, page, norm, printed_only=True) > 0.5:
            return f"damaged body text not repaired ({page.damage})"
        return "fragment of a body paragraph"
    if ov > 0.2 and len(rest) >= 15:
        return "body text mixed with furniture"
    return masked


_BODY_LABELS = (
    "attached to body",
    "this page's headline",
    "fragment of a body",
    "damaged body",
    "body text mixed",
)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _strip_masks(text: str, page: Page) -> str:
    return _replace_masks(text, page, with_placeholder=False)


def _sentences(p: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", p) if s.strip()]


def _score_collapsed(page: Page, cleaned: Cleaned, norm: Callable[[str], str], rep: Report) -> None:
    body = " ".join(page.paragraphs)
    out = " ".join(cleaned.text.split("\n"))
    okey, idx = _index_map(out)
    sents = [norm(s) for p in page.paragraphs for s in _sentences(p)]
    sents = [s for s in sents if s]
    found = [okey.find(s) for s in sents]
    lost = sum(f < 0 for f in found)
    first = next((f for f in found if f >= 0), -1)
    last = max((f + len(s) for f, s in zip(found, sents, strict=True) if f >= 0), default=-1)
    head = first if first >= 0 else len(okey)
    tail = len(okey) - last if last >= 0 else 0
    rec = {
        "id": page.id,
        "layout": page.layout,
        "sentences": len(sents),
        "lost": lost,
        "head": head,
        "tail": tail,
        "exact": int(norm(out) == norm(body)),
        "title": int(norm(cleaned.title or "") == norm(page.title)),
        "variants": page.variants,
    }
    rep.collapsed.append(rec)
    if head and first >= 0:
        left = _safe(out[: idx[first]], page, norm) if found[0] >= 0 else "(lede sentence lost)"
        rep.collapsed_left["head: " + _tidy_left(left)] += 1
    if tail and last > 0:
        left = _safe(out[idx[last - 1] + 1 :], page, norm) if found[-1] >= 0 else "(last lost)"
        rep.collapsed_left["tail: " + _tidy_left(left)] += 1
    if lost and len(rep.examples) < 400:
        miss = [s for s, f in zip(sents, found, strict=True) if f < 0]
        rep.examples.append(f"{page.id} {page.layout} COLLAPSED lost {lost}: {miss[0][:120]}")


def _tidy_left(s: str, width: int = 110) -> str:
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width // 2] + " … " + s[-width // 2 :]


# ---------------------------------------------------------------------------------------------
# Running and reporting


def run(pages: list[Page], norm: Callable[[str], str]) -> tuple[Report, float]:
    from dedupe_ko import clean_and_explain

    rep = Report()
    t0 = time.perf_counter()
    for page in pages:
        try:
            cleaned = clean_and_explain(page.text)
        except Exception as e:  # a crash is a finding, not the end of the run
            rep.crashes.append(f"{page.id} {page.layout}: {type(e).__name__}: {e}")
            continue
        score_page(page, cleaned, norm, rep)
    return rep, time.perf_counter() - t0


def _table(rows: list[list[str]], header: list[str], align: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def _where(counter: Counter, k: int = 3) -> str:
    return ", ".join(f"{name} {n}" for name, n in counter.most_common(k))


def _git_state() -> str:
    """The checkout the cleaner came from (commit, and whether the tree had local changes)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return f"git {out.stdout.strip()}" if out.returncode == 0 else "git unknown"
    except (OSError, subprocess.SubprocessError):
        return "git unknown"


def render(rep: Report, pages: list[Page], args: argparse.Namespace, secs: float) -> str:
    n_coll = len(rep.collapsed)
    lines = [
        "# Held-out page layouts: cleaning on layouts the rules were not tuned on",
        "",
        f"Command: `python benchmarks/layouts.py --n {args.n} --seed {args.seed} "
        f"--show {args.show}`  ",
        f"Date: {datetime.now():%Y-%m-%d %H:%M}; Python {platform.python_version()}; "
        f"code: {_git_state()}; cleaning {len(pages)} pages took {secs:.1f} s  ",
        f"Pages: {len(pages)} in {len(LAYOUTS)} layouts (generator: `benchmarks/layouts.py`; "
        "bodies from `../shared/corpus/bodies.jsonl`, furniture, outlets and names invented). "
        "Paragraphs compared as `score.py clean` does (NFC, folded quotes and middle dots, no "
        "whitespace). Collapsed one-line pages are scored apart (below), not in the paragraph "
        "figures.",
        "",
    ]
    tp = rep.total
    p, r, ex, ta = tp.row()
    lines += [
        f"**Overall (multi-line pages, n={tp.pages}): precision {p}, recall {r}, exact "
        f"articles {ex}, title accuracy {ta}.**",
        "",
    ]
    if rep.crashes:
        lines += [
            f"**{len(rep.crashes)} pages raised an exception:**",
            "",
            *[f"- {c}" for c in rep.crashes[:20]],
            "",
        ]
    rows = []
    for name, (_, model) in LAYOUTS.items():
        t = rep.by_layout.get(name, Tally())
        coll = [c for c in rep.collapsed if c["layout"] == name]
        cl = (
            f"{sum(c['lost'] > 0 for c in coll)} / "
            f"{sum(c['head'] == 0 and c['tail'] == 0 for c in coll)} of {len(coll)}"
            if coll
            else "-"
        )
        top = rep.by_layout_furniture[name].most_common(1)
        top_s = f"`{_tidy_left(top[0][0], 50)}` ×{top[0][1]}" if top else ""
        rows.append([name, model, str(t.pages), *t.row(), cl, top_s])
    rows.append(
        [
            "**all**",
            "",
            str(tp.pages),
            *[f"**{x}**" for x in tp.row()],
            f"{sum(c['lost'] > 0 for c in rep.collapsed)} / "
            f"{sum(c['head'] == 0 and c['tail'] == 0 for c in rep.collapsed)} of {n_coll}",
            "",
        ]
    )
    lines += ["## Per layout", ""]
    lines += _table(
        rows,
        [
            "layout",
            "modelled on",
            "pages",
            "precision",
            "recall",
            "exact",
            "title",
            "collapsed: losing a sentence / clean ends",
            "most frequent surviving line",
        ],
        ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---"],
    )
    lines += ["", "## Per variant (a page can carry several)", ""]
    vrows = []
    for v in ("plain", "doubled", "glued", "damaged"):
        t = rep.by_variant.get(v, Tally())
        vrows.append([v, str(t.pages), *t.row()])
    lines += _table(
        vrows,
        ["variant", "pages", "precision", "recall", "exact", "title"],
        ["---", "---:", "---:", "---:", "---:", "---:"],
    )
    dam = Counter(pg.damage for pg in pages if pg.damage and "collapsed" not in pg.variants)
    lines += [
        "",
        "Damage kinds on multi-line pages: "
        + ", ".join(f"{k} {v}" for k, v in sorted(dam.items())),
        "",
    ]
    if rep.collapsed:
        c = rep.collapsed
        sent = sum(x["sentences"] for x in c)
        lost = sum(x["lost"] for x in c)
        clean_ends = sum(x["head"] == 0 and x["tail"] == 0 for x in c)
        lines += [
            "## Collapsed one-line pages",
            "",
            "Truth: the whole body as one line. A sentence is lost when its normalised text "
            "is not in the output; furniture left = normalised characters before the first "
            "and after the last body sentence found.",
            "",
            *_table(
                [
                    [
                        str(n_coll),
                        f"{lost}/{sent} ({lost / max(1, sent):.1%})",
                        f"{sum(x['lost'] > 0 for x in c)}/{n_coll}",
                        f"{sum(x['head'] for x in c) / n_coll:.0f}",
                        f"{sum(x['tail'] for x in c) / n_coll:.0f}",
                        f"{clean_ends}/{n_coll}",
                        f"{sum(x['exact'] for x in c)}/{n_coll}",
                        f"{sum(x['title'] for x in c) / n_coll:.0%}",
                    ]
                ],
                [
                    "pages",
                    "sentences lost",
                    "pages losing any",
                    "mean chars left at head",
                    "mean chars left at tail",
                    "both ends clean",
                    "exact",
                    "title",
                ],
                ["---:"] * 8,
            ),
            "",
            f"Furniture left at the ends (top {args.show}):",
            "",
        ]
        lines += _table(
            [[str(n), f"`{s}`"] for s, n in rep.collapsed_left.most_common(args.show)],
            ["pages", "left over (masked)"],
            ["---:", "---"],
        )
        lines.append("")
    lines += [
        "## Furniture survival by kind",
        "",
        "Every non-body line generated on the multi-line pages (the headline excepted) and "
        "every output line that is furniture, sorted into kinds by the report's own patterns "
        "(`KINDS` in the script; never shown to the cleaner). A line the cleaner trimmed but "
        'did not remove counts as surviving. "headline left in the body" counts pages.',
        "",
    ]
    krows = []
    for kind, _ in [
        *KINDS,
        ("menu / navigation / breadcrumb", ""),
        ("outlet / portal name", ""),
        ("bare counter", ""),
        ("other", ""),
    ]:
        made, kept = rep.kind_made[kind], rep.kind_kept[kind]
        if made or kept:
            ex = rep.kind_example[kind].most_common(1)
            rate = f"{kept / made:.0%}" if made and kind != "other" else "-"
            krows.append(
                [kind, str(made), str(kept), rate, f"`{_tidy_left(ex[0][0], 70)}`" if ex else ""]
            )
    head_left = rep.furniture.get("this page's headline left in the body", 0)
    krows.append(
        [
            "headline left in the body",
            str(tp.pages),
            str(head_left),
            f"{head_left / max(1, tp.pages):.0%}",
            "",
        ]
    )
    lines += _table(
        krows,
        ["kind", "generated", "survived", "rate", "most frequent survivor"],
        ["---", "---:", "---:", "---:", "---"],
    )
    lines += [
        "",
        f"## Surviving furniture (top {args.show})",
        "",
        "Output lines that are not body paragraphs, masked: `{이름}` person, "
        "`{매체}` outlet, `{email}`, `{관련제목}` a related headline, `{제목}` this "
        "page's headline, `{부제}` its subtitle, `{지역}` a city, digits as 0. "
        "Lines made of body text are named, never quoted.",
        "",
    ]
    lines += _table(
        [
            [str(n), f"`{s}`", _where(rep.furniture_where[s])]
            for s, n in rep.furniture.most_common(args.show)
        ],
        ["lines", "what survived", "layouts (most)"],
        ["---:", "---", "---"],
    )
    lines += [
        "",
        f"## Lost body paragraphs (top {args.show} causes)",
        "",
        "Grouped by cause: the rule whose removal covered the paragraph (or cut into it). "
        "Examples are `page#paragraph (length)`; `--page ID` prints the page.",
        "",
    ]
    lines += _table(
        [
            [str(n), why, ", ".join(rep.lost_where[why][:4])]
            for why, n in rep.lost.most_common(args.show)
        ],
        ["paragraphs", "cause", "examples"],
        ["---:", "---", "---"],
    )
    lines += ["", "## Title failures", ""]
    lines += _table(
        [
            [str(n), f"`{k}`", ", ".join(rep.titles_where[k][:4])]
            for k, n in rep.titles.most_common(min(args.show, 20))
        ],
        ["pages", "what came out", "examples"],
        ["---:", "---", "---"],
    )
    return "\n".join(lines) + "\n"


def show_page(page: Page, norm: Callable[[str], str] | None) -> None:
    from dedupe_ko import clean_and_explain

    c = clean_and_explain(page.text)
    print(f"== {page.id} layout={page.layout} variants={page.variants} damage={page.damage}")
    print("== page\n" + page.text)
    print(f"== truth title: {page.title}\n== truth body:")
    print("\n".join(page.paragraphs))
    print(f"== cleaned title: {c.title}\n== cleaned body:\n{c.text}\n== removals:")
    for r in c.removals:
        print(f"  {r.rule:32} {r.category:10} {r.text[:90]!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=600, help="pages to generate (default 600)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--show", type=int, default=30, help="rows in each top-failure list")
    ap.add_argument("--out", type=Path, default=RESULTS, help="report file (markdown)")
    ap.add_argument("--page", help="print one page, its truth and what cleaning made of it")
    ap.add_argument(
        "--examples",
        type=int,
        default=0,
        help="print this many raw failure examples to the terminal (may quote body)",
    )
    args = ap.parse_args(argv)
    bodies = CORPUS / "bodies.jsonl"
    norm = load_norm()
    if norm is None or not bodies.exists():
        print(
            f"skipped: {CORPUS} (bodies.jsonl and score.py) not found; set DEDUPE_KO_CORPUS",
            file=sys.stderr,
        )
        return 0
    sys.path.insert(0, str(REPO))
    t0 = time.perf_counter()
    stories = load_stories(bodies)
    pages = make_pages(stories, args.n, args.seed)
    gen = time.perf_counter() - t0
    if args.page:
        page = next((p for p in pages if p.id == args.page), None)
        if page is None:
            print(f"no page {args.page} (ids L0000..L{args.n - 1:04d})", file=sys.stderr)
            return 1
        show_page(page, norm)
        return 0
    rep, secs = run(pages, norm)
    report = render(rep, pages, args, secs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    p, r, ex, ta = rep.total.row()
    print(f"generated {len(pages)} pages in {gen:.1f} s, cleaned in {secs:.1f} s")
    print(f"overall (multi-line): precision={p} recall={r} exact={ex} title={ta}")
    if rep.collapsed:
        c = rep.collapsed
        print(
            f"collapsed: {sum(x['lost'] > 0 for x in c)}/{len(c)} pages lose a sentence, "
            f"{sum(x['head'] == 0 and x['tail'] == 0 for x in c)}/{len(c)} have clean ends"
        )
    for line in rep.examples[: args.examples]:
        print(line)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
