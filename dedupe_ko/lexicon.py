"""The Korean lexicon: every shape of Korean news text the cleaner and the shingler know.

Sentence ends (glued ones too), wire datelines, credits, e-mails, copyright marks, caption
credits, names, outlets, promo tails, chart placeholders. Rules (``rules/*.toml``) use the
``VOCAB`` entries as ``{name}``; the passes and `dedupe_ko.minhash` import the compiled shapes.
Each shape is written here once.
"""

# ruff: noqa: E501  (the lexicon: long regular expressions and phrase lists, one per line)
from __future__ import annotations

import re

import regex

__all__ = [
    "CLOSE",
    "VOCAB",
    "DATELINE_PARAGRAPH",
    "SENTENCE_END",
    "INNER_SENTENCE",
    "SENTENCE_SPLIT",
    "VIEW_END",
    "CAPTION_END",
    "NEWS_END",
    "DATELINE_START",
    "PHOTO_CREDIT",
    "PHOTO_STAMP",
    "POLITE_NOTICE",
    "POSITION_MARK",
    "UNIT_BREAKS",
    "COLLAPSE_SHAPES",
    "FURNITURE_SHAPES",
    "MIDLINE_DATELINE",
    "BROWSER_TITLE",
    "BULLET_MARKS",
    "COMMENT_CUE",
    "COMMENT_HEAD",
    "CREDIT_AT_END",
    "DATE_IN_LINE",
    "FIGURES_ONLY",
    "FOOTER_CUE",
    "GOES_ON",
    "HANDOFF",
    "HANGUL",
    "HANGUL_STOP",
    "HANGUL_STOP_END",
    "INNER_HANGUL_STOP",
    "KOREAN_STOP_END",
    "LIST_HEAD",
    "LIST_ITEM",
    "PAGE_CONTROLS",
    "PAGE_CONTROL_TOKENS",
    "PAGE_NOTICE",
    "SCRIPT_TAG_LINE",
    "SHORT_PAGE_NOTICE",
    "STOP_AT_END",
    "TICKER",
    "TRUNCATED_END",
    "VERB_STOP",
    "LOST_BREAK",
    "STOPLESS_SENTENCE",
    "SUBHEAD_MARKS",
    "backwards",
    "is_sentence",
]

# ------------------------------------------------------------------ phrase lists (menus etc.)
MENU: tuple[str, ...] = (
    "기사 스크랩",
    "스크랩",
    "스크랩하기",
    "공유",
    "공유하기",
    "기사 공유",
    "SNS 공유",
    "댓글",
    "댓글 쓰기",
    "댓글 보기",
    "댓글 달기",
    "클린뷰",
    "프린트",
    "인쇄",
    "인쇄하기",
    "글자 크기",
    "글씨 크기",
    "글자 크기 조절",
    "글씨 크기 조절",
    "본문 글자 크기",
    "폰트 크기",
    "크게",
    "작게",
    "가+",
    "가-",
    "기사 듣기",
    "음성으로 듣기",
    "오디오 듣기",
    "듣기",
    "번역하기",
    "번역",
    "구독",
    "구독하기",
    "기사 저장",
    "저장",
    "닫기",
    "메뉴 바로가기",
    "본문 바로가기",
    "전체 메뉴",
    "전체메뉴 버튼",
    "기사 원문 보기",
    "원문 보기",
    "사진 확대",
    "확대",
    "축소",
    "URL 복사",
    "URL 복사하기",
    "링크 복사",
    "링크 복사하기",
    "주소 복사",
    "페이스북",
    "페이스북 공유",
    "페이스북으로 공유",
    "트위터",
    "트위터 공유",
    "트위터로 공유",
    "X 공유",
    "카카오톡",
    "카카오톡 공유",
    "카카오톡으로 공유",
    "카카오스토리",
    "네이버 블로그",
    "네이버 밴드",
    "밴드",
    "텔레그램",
    "이메일",
    "이메일 보내기",
    "메일 보내기",
    "북마크",
    "목록",
    "목록으로",
    "이전 기사",
    "다음 기사",
    "맨 위로",
    "TOP",
    "홈",
    "로그인",
    "회원가입",
    "기사 추천",
    "추천",
    "비추천",
    "좋아요",
    "오탈자 신고",
    "기사 오류 신고",
    "신고",
    "제보하기",
    "기사 제보",
    "글꼴",
    "기사 보내기",
    "바로가기",
    "기사 읽어주기",
    "동영상 뉴스",  # a portal's label over a video item
    "동영상뉴스",
    "이 기사를 공유합니다",
    "기사 인쇄",
    "인쇄하기 닫기",
    "번역 설정",
    "요약보기",
    "자동요약",
    "독자의견",
    "내 댓글 모음",
    "사진 원본보기",
    "원본보기",
    "이미지 크게보기",
    "크게보기",
    "댓글운영정책",
    "댓글 더보기",
    "댓글쓰기",
    "최신순",
    "추천순",
    "반대순",
    "공감순",
    "구독중",
    "기사 섹션 분류 안내",
    "검색어를 입력하세요",
    "검색창 열기",
    "본문 듣기",
    "기사 공유하기",
    "기사 북마크",
    "글자 크기 설정",
    "음성 재생",
    "읽어주기",
    "기사 요약",
    "요약",
    "공유 닫기",
    "댓글 정렬",
    "정렬",
    "등록",
    "확대보기",
    "사진 확대보기",
)

REACTION: tuple[str, ...] = (
    "이 기사를 추천합니다",
    "기사 추천",
    "좋아요",
    "싫어요",
    "슬퍼요",
    "화나요",
    "놀랐어요",
    "훈훈해요",
    "추천해요",
    "후속 기사 원해요",
    "후속기사 원해요",
    "최고예요",
    "최고에요",
    "감동이에요",
    "흥미로워요",
    "응원해요",
    "공감",
    "비공감",
    "추천",
    "비추천",
    "반대",
    "찬성",
    "기뻐요",
    "궁금해요",
)

LIST_HEADER: tuple[str, ...] = (
    "관련 기사",
    "관련 뉴스",
    "많이 본 기사",
    "많이 본 뉴스",
    "가장 많이 본 기사",
    "인기 기사",
    "인기 뉴스",
    "최신 기사",
    "최신 뉴스",
    "주요 뉴스",
    "주요 기사",
    "오늘의 주요 뉴스",
    "이 시각 추천 뉴스",
    "이 시각 주요 뉴스",
    "이 시각 많이 본 뉴스",
    "추천 뉴스",
    "추천 기사",
    "핫 이슈",
    "실시간 뉴스",
    "많이 본 포토",
    "포토 뉴스",
    "영상 뉴스",
    "에디터 추천",
    "함께 보면 좋은 기사",
    "이 기사와 함께 많이 본 뉴스",
    "기자의 다른 기사",
    "관련 기사 더보기",
    "관련 뉴스 보기",
    "관련뉴스 보기",
    "기사 더보기",
    "많이 본 기사 더보기",
)

# ------------------------------------------------------------------ regular expressions
CLOSE = r"""["'”’」』)\]]"""
"""Closing quotes and brackets that may follow a sentence's stop."""
# What a photo of a place shows: the words a view caption ends with ("서울중앙지법 전경.").
VIEW_WORDS_RE = r"(?:모습|전경|현판|풍경|입구|정문|청사|건물|내부|외관|표지석|장면|로고)"
# A person's name (2-4 Hangul syllables), possibly several joined by "·" or ",".
NAMES_RE = r"[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4}){0,3}"
# A name as a sign-off gives it: a surname (one or two syllables) and one or two more.
SURNAME_RE = r"(?:남궁|황보|선우|제갈|독고|사공|서문|동방|[김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길위표명기반왕금옥육인맹제모탁국어은편용예봉경사])"
PERSON_RE = rf"(?:{SURNAME_RE}[가-힣]{{1,2}})"
# A newsroom title after a name.
ROLE_RE = r"(?:[가-힣]{1,6}(?:부|팀|국|센터)\s+)?(?:기자|특파원|통신원|객원\s*기자|인턴\s*기자|수습\s*기자|선임\s*기자|전문\s*기자|편집\s*위원|논설\s*위원|앵커|기상\s*캐스터|리포터)"
# A person's title after a name in a caption: "홍길동 한빛전자 대표", "필 배티 편집장".
TITLE_RE = r"(?:대표이사|대표|부회장|회장|부사장|사장|의장|장관|차관|이사장|위원장|편집장|총장|원장|청장|총재|교수|본부장|센터장|실장|단장|소장|지사|시장|군수|구청장|의원|CEO|감독|작가|변호사)"
# An outlet name as it appears in credits: one short token, never a verb ("…박았다 홍길동 기자").
OUTLET_RE = r"[가-힣A-Za-z0-9][가-힣A-Za-z0-9&]{0,11}(?<![다요])"
# A name shaped like an outlet's: 한빛일보, 서해타임스, 누리신문, 한빛통신, 뉴스1
OUTLET_SHAPE_RE = r"[가-힣A-Za-z0-9]{1,10}(?:신문|일보|뉴스|경제|타임스|타임즈|방송|통신|데일리|투데이|미디어|저널|포스트|비즈|TV|닷컴|매일|프레스|신보|News|news|1)"
# An e-mail address, or what Cloudflare's obfuscation leaves of one: "[email protected]"
EMAIL_RE = r"(?:(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+|\[\s*email\s*(?:&#160;|\s)?protected\s*\])"
# A date, with an optional weekday and time: 2019.03.29. / 2024년 3월 5일(화) 오후 2시
DATE_RE = r"(?:\d{8}|(?:\d{4}|\d{2})\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}\s*(?:일|\.)?\s*(?:\(\s*[월화수목금토일]\s*\))?\s*(?:(?:오전|오후|AM|PM|am|pm)\s*)?(?:\d{1,2}\s*[:시]\s*\d{1,2}(?:\s*[:분]\s*\d{1,2})?\s*[분초]?)?)(?:\s*\d{1,2}\s*:\s*\d{2}(?::\d{2})?)?"
# What a photo or graphic credit starts with: 사진=, 그래픽:, 자료=
PHOTO_RE = (
    r"(?:사진|사진\s*출처|사진\s*제공|사진제공|자료\s*사진|그래픽|일러스트|이미지|영상|출처|자료)"
)
# The three wire agencies whose credit follows photo captions and opens datelines.
WIRE_AGENCY_RE = r"(?:연합뉴스|뉴스1|뉴시스)"
# The place in a wire dateline: "서울", "세종·대전", "워싱턴 DC" ("(서울=연합뉴스)").
DATELINE_PLACE_RE = r"[가-힣A-Za-z·]{1,12}(?:\s[가-힣A-Za-z]{1,10})?"
# Words that open a news sentence (never the end of a credit or a name): where a credit glued
# to the next sentence ends ("자료=한빛협회반면 …", "일러스트=홍길동이날 …").
OPENER_RE = (
    r"(?:이날|한편|반면|또한|특히|아울러|그러나|하지만|따라서|그러면서|이처럼|이밖에|이외에도|"
    r"올해|지난해|내년|앞서|이와\s*함께)(?=[\s,])"
)
# A section tag and the time of dispatch: "마켓인사이트 6월24일 오후 6시10분".
DISPATCH_TAG_RE = (
    r"[가-힣A-Za-z·]{2,12}\s+\d{1,2}월\s*\d{1,2}일\s*(?:오전|오후)?\s*\d{1,2}시(?:\s*\d{1,2}분)?"
)
# An image's file name: "Image_Macarong", "IMG_2034.jpg".
IMAGE_FILE_RE = (
    r"(?:Image|IMG|image|img|Photo|photo)_[A-Za-z0-9_\-]+(?:\.(?:jpe?g|png|gif|JPE?G|PNG))?"
)
# How a Korean sentence ends (with or without a stop), closing quotes after it.
SENTENCE_END_RE = rf"(?:[.!?…]|다|요|죠){CLOSE}{{0,2}}"
# Punctuation that closes a sentence (what a glued credit or signature follows).
SENTENCE_STOP_RE = rf"[.!?…]{CLOSE}{{0,2}}"

# A photo credit in brackets, then the date the photo was taken: "(사진=한빛전자 제공) 2019.04.23"
# (a photo stamp, `PHOTO_STAMP`, and the rule caption.credit_dated).
CREDIT_DATE_RE = rf"[\[(<]\s*{PHOTO_RE}\s*[=:][^\])>\n]{{1,30}}[\])>]\s*{DATE_RE}"
VOCAB: dict[str, str | tuple[str, ...]] = {
    "menu": MENU,
    "reaction": REACTION,
    "list_header": LIST_HEADER,
    "names_re": NAMES_RE,
    "person_re": PERSON_RE,
    "role_re": ROLE_RE,
    "title_re": TITLE_RE,
    "outlet_re": OUTLET_RE,
    "outlet_shape_re": OUTLET_SHAPE_RE,
    "email_re": EMAIL_RE,
    "date_re": DATE_RE,
    "photo_re": PHOTO_RE,
    "credit_date_re": CREDIT_DATE_RE,
    "sentence_end_re": SENTENCE_END_RE,
    "sentence_stop_re": SENTENCE_STOP_RE,
    "view_re": VIEW_WORDS_RE,
    "dateline_place_re": DATELINE_PLACE_RE,
    "dispatch_tag_re": DISPATCH_TAG_RE,
    "image_file_re": IMAGE_FILE_RE,
}
"""The vocabulary rule patterns insert as ``{name}``: phrase lists, and ``*_re`` expressions."""

# ------------------------------------------------------------------ sentences
# A line that ends like a Korean sentence (stop optional after 다/요/죠).
SENTENCE_END = regex.compile(rf"{SENTENCE_END_RE}$")
# A line that ends with a full stop (before closing quotes): a body sentence, not a headline.
STOP_END = regex.compile(rf"[.。]{CLOSE}{{0,3}}$")
# A finished Korean sentence followed by more text: never inside a piece of furniture.
INNER_SENTENCE = regex.compile(rf"[다요죠][.!?]{CLOSE}*\s+\S")
# "...나온다. 왜일까?": a stop inside a line (two sentences, not a headline), spaced or glued
# to the next sentence ("…의결했다.산업부는", "…밝혔다.\"수출").
INNER_STOP = regex.compile(
    rf"[가-힣]\.\s|[다요죠까][.!?]{CLOSE}{{0,2}}(?=[가-힣A-Za-z0-9\"'“‘\[(])"
)
# Between sentences: after a stop and a space, or nothing when a scraper glued them ("밝혔다.부산").
SENTENCE_SPLIT = regex.compile(r"(?<=[.!?])\s+|(?<=[다요]\.)(?=[가-힣▲△\[(\"'“‘])")
# A wire dateline inside a line, after other text: where an in-body photo's caption starts
# ("발언하는 이해찬 대표(홍성=연합뉴스) …").
_MIDLINE_DATELINE = rf"\S\s?[(【]\s*[가-힣·]{{1,12}}\s*=\s*{WIRE_AGENCY_RE}\s*[)】]"
MIDLINE_DATELINE = re.compile(_MIDLINE_DATELINE)
# A long line worth splitting: it shows a glued sentence end or a furniture cue. A paragraph
# of running text without one is judged whole (and costs one pass of the rules).
_COLLAPSE_SHAPES = (
    r"[다요죠]\.[\"'”’」』)\]]?[가-힣A-Za-z0-9\[(<【/]|[@▶▷☞ⓒ©【［]|저작권|/\s*사진\s*="
    r"|기자\s*[\]］]"  # a bracketed byline inside a line: "… 예정 [한빛데일리 홍길동기자] 한빛은 …"
    r"|기사\s*제공\s"  # a portal's label: "기사제공 한빛뉴스 (평창=한빛뉴스) …"
    r"|[Rr]eserved|RESERVED|^\s*동영상\s*뉴스"
)
COLLAPSE_CUE = re.compile(_COLLAPSE_SHAPES + "|" + _MIDLINE_DATELINE)
# Furniture glued together on a line of any length: e-mail, promo arrows, copyright marks.
_FURNITURE_SHAPES = r"[@▶▷☞ⓒ©※]"
FURNITURE_CUE = re.compile(_FURNITURE_SHAPES + "|" + _MIDLINE_DATELINE)
# The two cues without their dateline branch, which `re` tries at every character: a caller
# that tests ``"=" in line`` before `MIDLINE_DATELINE` finds the same lines 3x faster.
COLLAPSE_SHAPES = re.compile(_COLLAPSE_SHAPES)
FURNITURE_SHAPES = re.compile(_FURNITURE_SHAPES)
# Where a collapsed line breaks into units: after a sentence stop (spaced, or glued to the next
# sentence), and around furniture that a crawler glued on (promo arrows, copyright marks, wire
# datelines and bracketed credits, photo credits, an e-mail). Each shape is tried only on lines
# that contain one of its literal cues (the first item); a break is the span a match covers.
UNIT_BREAKS: tuple[tuple[tuple[str, ...], regex.Pattern[str]], ...] = tuple(
    (cues, regex.compile(pattern))
    for cues, pattern in (
        (
            (".", "!", "?"),
            rf"(?<=[가-힣A-Za-z%)\]\"'”’」』][.!?]{CLOSE}{{0,2}})\s+(?=\S)"
            rf"|(?<=[다요죠까][.!?]{CLOSE}{{0,2}})(?!{CLOSE})(?=[가-힣A-Za-z0-9▲△▶▷◆■●◇□☞<\[(【《\"'“‘|])",
        ),
        (
            ("@",),
            r"@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9\-]|\.[A-Za-z])[)>\]]?\K\s*(?=\S)"
            # a sign-off (name, e-mail) glued to a sentence that lost its stop: "…영향이다이광수 (x@y.kr)"
            rf"|(?<=[가-힣])다\K(?={PERSON_RE}\s*(?:{ROLE_RE}\s*)?[<(\[]?\s*[A-Za-z0-9._%+\-]+@)",
        ),
        (
            ("/",),
            r"(?<=[.!?])(?=/\s*[가-힣A-Za-z])"
            # the credit's name again, or its stem, starts the next sentence: "/사진=한빛은행한빛은",
            # "/사진제공=한빛 한빛은", "/사진=한빛은행한빛이"; an agency glued to a name
            rf"|/\s*(?:{PHOTO_RE}\s*[=:]\s*)?(?P<credit>(?P<stem>[가-힣]{{2,}}?)[가-힣A-Za-z0-9]{{0,8}}?)(?:\s*제공)?\K\s*(?=(?P=stem))"
            rf"|/\s*{PHOTO_RE}\s*=\s*{WIRE_AGENCY_RE}\K(?=[가-힣])"
            # a wire agency's credit glued to the next sentence: "…발표하고 있다. /연합뉴스정부가 …"
            rf"|(?<=[.!?]\s?)/\s*{WIRE_AGENCY_RE}(?!코리아)\K(?=[가-힣])"
            r"|/\s*(?:사진\s*=\s*)?(?P<again>[가-힣A-Za-z0-9]{2,10}?)(?:\s*제공)?\K(?=(?P=again))"
            r"|/\s*(?:사진\s*=\s*)?[가-힣A-Za-z0-9]{1,12}(?:\s+[가-힣A-Za-z0-9]{1,12}){0,3}\s*"
            r"(?:제공|DB|자료\s*사진|캡처|캡쳐)\K\s*(?=[가-힣A-Za-z'\"‘“])"
            r"|/\s*(?:사진\s*=\s*|[가-힣]{1,6}\s*=\s*)?[가-힣]{2,4}(?:\s*(?:디자인|사진|영상|그래픽))?\s*기자\K\s*(?=[가-힣A-Za-z0-9])"
            r"|/\s*(?:사진\s*제공|사진|자료|그래픽)\s*=\s*[가-힣A-Za-z0-9]{1,12}?\K\s*(?=[\[［(])",
        ),
        (
            ("사진",),
            r"(?<![가-힣/]\s*)사진\s*=\s*(?P<credit>[가-힣A-Za-z0-9]{2,10}?)(?:\s*제공)?\K(?=(?P=credit))"
            r"|[\[(]\s*사진\s*[=:]\s*[^\[\]()]{1,30}[\])]\K\s*(?=[가-힣A-Za-z])"
            r"|(?<![가-힣/]\s*)사진\s*=\s*[가-힣A-Za-z0-9]{1,12}\s*제공\K\s*(?=[가-힣A-Za-z'\"‘“])"
            # a credit glued to the next sentence: "…감소한겨레 자료사진네이버는"
            r"|(?<=[가-힣A-Za-z0-9]\s?)자료\s*사진\K\s*(?=[가-힣A-Za-z])",
        ),
        (
            ("[", "［"),
            # a bracketed photo credit glued on both sides: "…플러스[유튜브 캡처]27일 …"
            r"(?<=\S)(?=[\[［](?:\s*사진\s[^\[\]［］\n]{1,40}|[^\[\]［］\n]{1,40}(?:캡처|캡쳐|갈무리|제공|DB|자료\s*사진))[\]］])"
            r"|[\[［](?:\s*사진\s[^\[\]［］\n]{1,40}|[^\[\]［］\n]{1,40}(?:캡처|캡쳐|갈무리|제공|DB|자료\s*사진))[\]］]\K\s*(?=[가-힣A-Za-z0-9])"
            r"|(?<=\S)\s*(?=\[\s*(?:그림|그래프|표|도표|차트|인포그래픽)\s*\d{0,2}\s*\])|\[\s*(?:그림|그래프|표|도표|차트|인포그래픽)\s*\d{0,2}\s*\][^.!?\[\]\n]{2,40}?[가-힣]\K(?=[A-Z][A-Za-z0-9]*[가-힣])|(?:^|(?<=[\s.!?]))[\[［](?:\[[^\[\]\n]{1,12}\])?[^\[\]［］\n]{8,120}[\]］]\K\s*(?=[가-힣A-Za-z])"
            r"|(?<=[가-힣A-Za-z0-9\"'”’)])\s*(?=[\[［]\s*(?:[가-힣A-Za-z0-9]{2,10}(?:경제|일보|신문|뉴스|데일리|투데이|TV|미디어|타임스|비즈))\s*[\]］])"
            # a photo credit whose photographer's name the crawler dropped, glued to the next
            # sentence: "…카카오 판교 오피스 [카카오 ]그동안 …"
            r"|(?<=\S)\s*(?=[\[［][가-힣A-Za-z0-9·]{2,12}\s+[\]］])"
            r"|[\[［][가-힣A-Za-z0-9·]{2,12}\s+[\]］]\K\s*(?=[가-힣A-Za-z0-9\"'“‘])",
        ),
        (
            ("연합뉴스", "뉴스1", "뉴시스"),
            # the three wire agencies credited right after a caption's stop, glued to the next
            # sentence: "…하고 있다.뉴스1시간강사들의 …"
            rf"(?<=[.!?])[ \t]?{WIRE_AGENCY_RE}\K(?=[가-힣])"
            # after a view or scene caption a space may stand before the next sentence
            rf"|(?<=(?:{VIEW_WORDS_RE}|(?:[고아어]|돼|해|져|워)\s*있다)\.)[ \t]?{WIRE_AGENCY_RE}\K[ \t](?=[가-힣])",
        ),
        (
            ("기자",),
            r"(?<=\S)\s*(?=[\[［(<]\s*(?:[가-힣A-Za-z0-9]{1,12}\s*[|=]?\s*){0,2}"
            r"(?:[가-힣]{2,4}\s*/\s*){0,5}[가-힣]{2,4}\s*기자\s*[\]］)>])",
        ),
        (
            ("제공",),
            # a bare photo credit after a caption's stop, glued to the next sentence: "…선보이고
            # 있다. 한빛차 제공한빛자동차가 …" ("제공한다", "제공을", "국제공항" read on)
            r"(?:(?<=^|[.!?'\"’”)]\s?|\n|\s-\s|[|｜/]\s?)(?:사진\s*=\s*)?"
            r"[가-힣A-Za-z0-9·]{2,15}(?:\s[가-힣A-Za-z0-9·]{2,15})?\s제공)\K(?=[가-힣\"'“‘])"
            r"(?![하할해했함합된되돼될됨받을를이에과와의도은는으로만처키까]|한(?:[\s.,]|다|$))",
        ),
        (
            ("▲",),
            # a photo block's mark, spaced from its caption: "…하라\" ▲ 서울 강남구 … ⓒ 홍길동"
            r"(?<=\S)\s+(?=▲\s)",
        ),
        (
            ("◆",),
            # a series label between spaced diamonds, glued between the decks and the lede:
            # "…제품화 추진◆ 레이더 M ◆필러와 …" (a subhead "◆분석 요약◆" has no spaces inside)
            r"(?<=\S)\s*(?=◆\s[^◆\n]{1,40}\s◆)|◆\s[^◆\n]{1,40}\s◆\K\s*(?=\S)",
        ),
        (
            ("▶", "▷", "☞", "※"),
            r"\s*(?=※\s*\S)|\s*(?=\(?\s*[▶▷☞]\s?[^\s▶▷☞])|\(\s*[▶▷☞][^()\n]{1,100}\)\K\s*(?=\S)"
            # a section tag with its dispatch time glued to the lede: "▶마켓인사이트 6월24일 오후 6시10분카카오의"
            rf"|[▶▷]\s*{DISPATCH_TAG_RE}\K\s*(?=\S)",
        ),
        (
            ("Image_", "IMG_", "image_", "img_", "Photo_", "photo_"),
            # an image's file name left where the photo stood: "…밝혔다.Image_Macarong마카롱팩토리는"
            rf"(?<=\S)\s*(?={IMAGE_FILE_RE})|{IMAGE_FILE_RE}\K\s*(?=[가-힣])",
        ),
        (("바로", "구독"), r"\s*(?=\[[^\]\n]{0,20}(?:바로\s*가기|구독)[^\]\n]{0,10}\])"),
        (
            ("reserved", "Reserved", "RESERVED"),
            # a copyright notice glued to the headline: "… All rights reserved.\"2014년엔 …"
            r"(?:[Rr]eserved|RESERVED)\.?\K\s*(?=\S)",
        ),
        (
            ("동영상",),
            # a portal's label over a video item, glued to the headline: "동영상 뉴스 침체했던 …"
            r"^\s*동영상\s*뉴스\K\s*(?=\S)",
        ),
        (
            ("기사제공", "기사 제공"),
            # a portal's "article provided by" label glued to the headline: "기사제공 한빛뉴스정부, …"
            rf"(?<=\S)\s*(?=기사\s*제공\s)|기사\s*제공\s*(?:[A-Z]{{2,5}}\s*뉴스|{OUTLET_SHAPE_RE})"
            r"(?:\s*동영상\s*뉴스)?\K\s*(?=\S)",
        ),
        (
            ("저작권자", "ⓒ", "©"),
            r"(?<![<\[(]\s*)\s*(?=(?:<|\[|\()?\s*저작권자|(?<!저작권자\s*[(<\[]?\s*)[ⓒ©]\s*[가-힣A-Za-z])",
        ),
        (
            ("=",),
            rf"(?<=\S)\s*(?=[\[(【<]\s*{DATELINE_PLACE_RE}\s*=\s*[^\])】>=\s]"
            r"[^\])】>=]{0,19}[\])】>])",
        ),
        (
            ("=", "ⓒ", "©"),
            # a photo or data credit glued to the next sentence, which starts with a word that
            # opens news sentences or with the credit's own name again: "자료=한빛협회반면 …",
            # "/사진제공=한빛차이날 …", "ⓒ한빛화재한빛화재는 …"
            rf"(?:{PHOTO_RE}\s*=|[ⓒ©])\s*[가-힣A-Za-z0-9]{{2,12}}?(?:\s*제공)?\K(?={OPENER_RE})"
            rf"|[ⓒ©]\s*{WIRE_AGENCY_RE}(?!코리아)\K(?=[가-힣])"
            # a photographer's credit, ended by the role, glued to the next sentence:
            # "ⓒ 한빛 홍길동 기자반면 …", "© News1 홍길동 기자400인분의 …"
            rf"|[ⓒ©]\s*[가-힣A-Za-z0-9]{{2,12}}\s+{PERSON_RE}\s*(?:기자|특파원|디자이너)\K\s*(?=\S)"
            # a photographer's name alone, spaced on both sides: "…배웅하고 있다 ⓒ 홍길동 ▲ 북측 …"
            # (a word with a particle, "ⓒ 표시가", starts a sentence)
            rf"|(?:^|(?<=\s))[ⓒ©]\s+{PERSON_RE}(?<![은는이가을를의도에와과로])"
            r"(?:\s+(?:캡처|캡쳐|제공|DB))?\K\s+(?=\S)"
            # a credit in Latin letters glued to the next sentence: "© News1네이버는 …" (capitals
            # alone, "ⓒDB손보", start a Korean name)
            r"|[ⓒ©]\s*(?:[A-Za-z]+[0-9]+|[A-Z][a-z]{3,})\K(?!코리아)(?=[가-힣◇▲△■\[(<\"'“‘])"
            # an illustrator's name (surname and two syllables) glued to the next word:
            # "일러스트= 홍길동며칠 전 …"
            rf"|(?:일러스트|그래픽|삽화|캐리커처)\s*[=:]\s*{SURNAME_RE}[가-힣]{{2}}\K(?=[가-힣]{{2}})(?!기자|디자이너|제공|작가)"
            r"|[ⓒ©]\s*(?P<cstem>[가-힣]{2,}?)[가-힣A-Za-z0-9]{0,8}?\K\s*(?=(?P=cstem)[가-힣]*[은는이가])",
        ),
    )
)
# A view, not a scene: the description of a photo, never how a news sentence ends.
VIEW_END = regex.compile(rf"(?:{VIEW_WORDS_RE}|자료\s*사진)[.)\]]?\s*$")
# How a photo description ends: a scene ("…하고 있다."), a view, a pose.
CAPTION_END = regex.compile(
    rf"(?:(?:[고아어]|돼|해|져|워)\s*있다|{VIEW_WORDS_RE}|사진|기념\s*촬영|포즈)"
    r"[.)\]]?\s*$"
)
# A disclaimer in parentheses, in the polite style no news sentence uses, naming what it is about.
POLITE_NOTICE = regex.compile(
    r"\((?=[^()\n]{0,100}(?:투자|참고|보장|책임|당사|기사|점수))[^()\n]{20,500}니다\.?\s*\)"
)
# Where a person stands in a photo: "대표(왼쪽)가", "(맨 오른쪽)", "(왼쪽 네 번째)", "(왼쪽부터)".
POSITION_MARK = regex.compile(
    r"\(\s*(?:사진\s*)?(?:맨\s*)?(?:왼쪽|오른쪽|가운데|앞줄|뒷줄|윗줄|아랫줄|좌측|우측)"
    r"(?:\s*(?:부터|에서)?\s*(?:[첫두세네다섯여일곱덟아홉열]+|\d+)\s*(?:번째|째)?)?\s*(?:부터)?\s*\)"
)
# How a news sentence ends: "…했다.", "…확정했다(2023도1)."
NEWS_END = regex.compile(rf"다(?:\([^()]{{1,40}}\))?[.!?]?{CLOSE}*\s*$")

# ------------------------------------------------------------------ datelines and dates
# A credit that only a photo or graphic carries ("/사진=한빛시 제공", "/한빛뉴스 DB"): the
# text before it is its caption, whatever its shape.
PHOTO_CREDIT = regex.compile(rf"{PHOTO_RE}\s*[=:]|(?:제공|DB|자료\s*사진|캡처|캡쳐)\s*[\])]?\s*$")
# What a wire photo's caption ends with: the date it was taken, then the photographer's
# e-mail or a photo credit ("… 기념촬영하고 있다. 2019.3.20 hong@yna.co.kr").
PHOTO_STAMP = regex.compile(
    rf"^\s*(?:{DATE_RE}\.?\s*(?:[\[(<]?\s*{PHOTO_RE}\s*[=:]|[\[(<]?{EMAIL_RE})"
    rf"|{CREDIT_DATE_RE})"  # or the credit first
)
# A line that starts with a wire dateline: "(서울=연합뉴스)", "【세종=뉴시스】".
DATELINE_START = regex.compile(r"^[\[(【]\s*[가-힣A-Za-z]{1,12}\s*=")
# A date or a clock time anywhere in a line (a headline has neither).
DATE_OR_TIME = regex.compile(r"\d{2,4}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}|\d{1,2}:\d{2}|\d{8}")
# A wire dateline at the start of a paragraph: "(서울=연합뉴스) 김하늘 기자 =", "【세종=뉴시스】",
# "[부산=뉴스1] 이도윤 기자 =", or the byline part alone ("김하늘 기자 ="). Multiline pattern.
BYLINE_EQ = r"[가-힣]{2,4}[ \t]*(?:기자|특파원|통신원)[ \t]*=[ \t]*"
DATELINE_PARAGRAPH = (
    r"^[ \t]*(?:[\[(【<][^\[\]()【】<>=\n]{1,20}=[^\[\]()【】<>=\n]{1,20}[\])】>][ \t]*"
    rf"(?:{BYLINE_EQ})?|{BYLINE_EQ})"
)


def backwards(pattern: regex.Pattern[str]) -> regex.Pattern[str]:
    """``pattern``, which ends in ``$``, run backwards: ``backwards(P).match(text)`` tells
    whether a text without a trailing "\\n" ends with ``P`` in the time of one match, where
    ``P.search(text)`` tries every position from the start."""
    return regex.compile(pattern.pattern, pattern.flags | regex.REVERSE)


_SENTENCE_END_BACK = backwards(SENTENCE_END)


def is_sentence(line: str) -> bool:
    """Looks like running text: at least 20 characters and ends like a Korean sentence."""
    if len(line) < 20:
        return False
    if line[-1] == "\n":  # "$" also matches before a final line break
        return SENTENCE_END.search(line) is not None
    return _SENTENCE_END_BACK.match(line) is not None


# ------------------------------------------------------------------ tails of collapsed bodies
# What follows the last sentence of a collapsed body: promo links behind arrows, subscription
# calls, "[… 바로가기]" tags, robot-news and print-edition notices, a bare byline.
TAIL_FURNITURE = regex.compile(
    r"^\s*(?:[▶▷☞※►]|\[[^\]]{0,20}(?:바로\s*가기|구독|보기)\s*\])"
    r"|구독\s*(?:하기|해\s*주세요|신청|하세요)|채널\s*(?:추가|설정)|바로\s*가기"
    r"|(?:로봇\s*기자|알고리즘|자동\s*(?:생성|작성)|실시간으로\s*(?:생산|작성))[^.]{0,60}기사(?:입니다|이다)"
    r"|(?:알고리즘|로봇)[^.]{0,40}(?:작성|생성)(?:된|한)\s*것(?:입니다|이다)"
    r"|제\s*\d+\s*호[^.]{0,40}실린\s*기사"
    rf"|^\s*[\[(<]?\s*{NAMES_RE}\s*(?:{ROLE_RE})\s*[\])>]?\s*$"
)

# Three or more spaces inside a long line: where the crawler lost a paragraph break. Only after
# a stop, a closing bracket, an e-mail or a byline: in crawls that dropped the stops
# ("…떠났다     김 부위원장은 …") such runs separate sentences and are left alone.
LOST_BREAK = regex.compile(r"(?<=[.!?)\]>」』\"'”’]|@[\w.\-]+\.[A-Za-z]{2,}|기자) {3,}(?=\S)")
# What a subhead inside an article opens with ("◇ 수출 회복세", "■ 쟁점은"); a caption uses ▲.
SUBHEAD_MARKS = "◇◆■□"
# Two sentences in a crawl that dropped the stops: "…반대하며 농성했다 이어 …"; a verb in
# "-다" before an auxiliary one is not a sentence end ("들여다 보이는", "가져다 주는").
STOPLESS_SENTENCE = regex.compile(r"[가-힣]다\s+(?![보주놓드두][가-힣])[가-힣]")

# A transcript or interview turn: a speaker label, then a colon ("▷김태현 : 네.", "기자: 어떻습니까?").
SPEAKER_TURN = regex.compile(
    r"^[▷▶◇◆■□○●\-]?\s*[가-힣A-Za-z]{1,10}(?:\s[가-힣]{1,6})?\s*[:：]\s*\S"
)


# ------------------------------------------------------------------ whole web pages
# The vocabulary of `dedupe_ko.blocks` (body-block selection on a page's visible text).


def _words(text: str, sep: str | None = None) -> frozenset[str]:
    return frozenset(w.strip() for w in text.split(sep) if w.strip())


# Whole lines that are page controls and menus, whatever the site.
PAGE_CONTROLS: frozenset[str] = _words(
    """
    본문 바로가기, 메뉴 바로가기, 푸터 바로가기, 메뉴 닫기, 검색, 검색하기, 로그인, 회원가입,
    로그아웃, 홈, HOME, 전체메뉴, 전체 메뉴, 이전, 다음, Previous, Next, 더보기, 닫기, 확인, 취소,
    공유, 공유하기, 링크, 링크 복사, 복사하기, 본문 복사, 인쇄, 인쇄하기, 프린트, 스크랩, 북마크,
    구독, 구독하기, 좋아요, 싫어요, 추천, 댓글, 댓글쓰기, 답글, 신고, 페이스북, 트위터, 카카오톡,
    카카오스토리, 카카오 스토리, 밴드, 네이버, 유튜브, 인스타그램, 텔레그램, 라인, 글자크기,
    글자 크기, 가, 재생, 일시정지, 정지, 음소거, 전체재생, 연속재생, 재생목록, 다시보기, LIVE,
    라이브, 편성표, TOP, 맨위로, 위로, 메인, 등록, 최신순, 공감순, 반대순, 과거순, 레이어 닫기,
    기사 목록, 기사목록, 목록, 이전 기사, 다음 기사, 뉴스레터
    """,
    ",",
)
PAGE_CONTROL_TOKENS: frozenset[str] = _words(" ".join(PAGE_CONTROLS)) | _words(
    "바로가기 메뉴 닫기 검색 로그인 공유 복사 인쇄 스크랩 북마크 구독 재생 전체보기 보기 "
    "폰트 크기 조정하기 조정창 설정 알림 앱 APP 다운로드"
)
# Sentences that are page notices, not article text: copyright, browser, account, appeal.
PAGE_NOTICE = regex.compile(
    r"저작권자|저작권(?:은|법\s*등에\s*따라|법의\s*보호)|무단\s*(?:전재|복제|배포)|"
    r"재배포\s*(?:금지|및)|All\s+rights|Copyright|ⓒ|\(c\)|브라우저|Internet\s+Explorer|"
    r"익스플로러|이용약관|개인정보\s*처리방침|사업자(?:등록)?번호|대표전화|등록번호|발행인|"
    r"편집인|청소년보호|방송\s*내용과\s*차이|방송으로\s*확인|인용\s*보도|프로그램명을\s*밝|"
    r"출처를\s*밝혀",
    regex.IGNORECASE,
)
# ... and short page messages that name an account, bookmark, subscription or app.
SHORT_PAGE_NOTICE = regex.compile(
    r"로그인|회원가입|북마크|쿠키|구독(?:하|을|해|중)|알림(?:을|받)|댓글(?:을|은|이)\s|"
    r"제보(?:를|해|하)|앱(?:을|에서)|추천(?:했|을|하)"
)
# A browser title: the headline, then the site's name after " - ", " | " or " : ".
BROWSER_TITLE = regex.compile(r"^.{6,}\S\s+[-|:ㅣ]\s+[\p{Hangul}A-Za-z][^.?!]{0,20}$")
# A short line that opens a list of other articles.
LIST_HEAD = regex.compile(
    r"관련\s*(?:기사|뉴스|영상)|많이\s*(?:본|보는)|주요\s*뉴스|인기\s*(?:기사|뉴스|영상)|"
    r"추천\s*(?:기사|뉴스)|랭킹|이\s*시각|최신\s*(?:기사|뉴스)|함께\s*(?:볼|본|읽)|"
    r"다른\s*기사|포토\s*뉴스|핫\s*이슈"
)
# The label that opens a comment thread ("댓글 12", "전체 댓글", "댓글 쓰기").
COMMENT_HEAD = regex.compile(
    r"^(?:전체\s*)?(?:댓글|의견|comments?)(?:\s*\(?\d[\d,]*\)?\s*개?|\s*(?:쓰기|달기|보기|작성))?$",
    regex.IGNORECASE,
)
# A photo caption with its credit at the end ("… 모습. 한빛일보 자료사진", "… /연합뉴스").
CREDIT_AT_END = regex.compile(
    r"\s(?:\S+\s)?(?:자료\s*)?(?:사진|제공|캡처|DB|촬영|그래픽)\s*[)\]]?$|\s/\s*\S{2,8}$"
)
# Broadcast hand-offs and sign-offs around a report: the anchor's lines, not the article.
HANDOFF = regex.compile(
    r"(?:기자|특파원|리포터)(?:입니다)?\s*[!.]?\s*$|연결(?:합니다|해\s*보겠습니다)|"
    r"전해\s*드렸습니다|기자의\s*보도입니다|보도합니다\.?$|(?:기자|특파원)였습니다"
)
# Comment threads: counters and reply controls near short opinions.
COMMENT_CUE = regex.compile(r"댓글|답글|공감|비공감|신고하기|추천\s*\d|반대\s*\d|\d+\s*분\s*전")
# Footer lines: the company's address, registration and copyright.
FOOTER_CUE = regex.compile(
    r"Copyright|All\s+rights|ⓒ|주소|대표전화|사업자|등록번호|발행인|편집인|청소년보호|"
    r"개인정보|이용약관|\(주\)|㈜|서울특별시|[가-힣]+로\s*\d+",
    regex.IGNORECASE,
)
# Speaker and segment tags of broadcast scripts: they belong to the body's run.
SCRIPT_TAG_LINE = regex.compile(
    r"^\s*(?:\[[^\]]{1,12}\]|<[^>]{1,12}>|[◀◁]\s*[^▶▷]{1,12}\s*[▶▷])\s*$"
)

HANGUL = regex.compile(r"\p{Hangul}")
STOP_AT_END = regex.compile(rf"[.?!。…]{CLOSE}{{0,3}}\s*$")
KOREAN_STOP_END = regex.compile(rf"(?:다|요|죠|까|네|니다|세요|군요)[.?!。]{CLOSE}{{0,3}}\s*$")
TRUNCATED_END = regex.compile(r"(?:\.\.\.|…)\s*[\"'”’]?\s*$")
FIGURES_ONLY = regex.compile(r"^[\d\s.,:;/|()\[\]%+\-~·▲▼△▽=원억만천]*$")
# A ticker or price line: a name, then only figures with an arrow or a signed percentage.
TICKER = regex.compile(
    r"^\S+(?:\s\S+)?\s+[\d,.]+\s*(?:[▲▼△▽]|[+\-]\s*[\d.]+\s*%)[\d\s,.%+\-()▲▼△▽]*$"
)
HANGUL_STOP = regex.compile(r"\p{Hangul}[.?!]")
VERB_STOP = regex.compile(r"[다요죠][.?!]")  # a caption names a scene ("… 모습.")
BULLET_MARKS = frozenset("■□◆◇●○◎▣▶▷")
LIST_ITEM = regex.compile(r"^\s*(?:\d{1,2}[.)]|[①-⑳]|[가-하][.)])\s*\S")
INNER_HANGUL_STOP = regex.compile(r"\p{Hangul}[.?!]\s+\p{Hangul}")
# Particles and connective endings: a line ending in one goes on in the next.
GOES_ON = frozenset("을를에의와과며고서로")
HANGUL_STOP_END = regex.compile(rf"\p{{Hangul}}[.]{CLOSE}{{0,3}}\s*$")
DATE_IN_LINE = regex.compile(r"\d{2,4}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}|\d{1,2}:\d{2}")
