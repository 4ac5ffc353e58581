"""Korean page fixtures for the body-block tests: invented bodies and page furniture."""

from __future__ import annotations

STORIES: list[tuple[str, list[str]]] = [
    (
        "서해안 갯벌 복원 사업 10년…철새 돌아왔다",
        [
            "충남 서산 가로림만 일대에서 진행된 갯벌 복원 사업이 10년째를 맞으면서 자취를 감췄던 "
            "철새들이 다시 찾아오고 있다.",
            "해양수산부는 지난해 겨울 가로림만에서 관찰된 도요새와 물떼새가 모두 2만3천여 마리로, "
            "복원 사업을 시작하기 전보다 세 배 가까이 늘었다고 12일 밝혔다.",
            "정부는 2014년부터 양식장으로 쓰이던 제방 일부를 허물고 바닷물이 자유롭게 드나들도록 "
            "물길을 다시 냈다.",
            "지역 어민들은 처음에는 생계를 걱정하며 반대했지만, 바지락과 낙지 어획량이 함께 늘면서 "
            "사업에 힘을 보태고 있다.",
            '가로림만 어촌계 관계자는 "갯벌이 살아나니 마을에 젊은 사람들이 다시 들어오고 있다"고 '
            "말했다.",
            "해수부는 올해 하반기 전남 신안과 전북 고창 갯벌에도 같은 방식의 복원 사업을 넓힐 "
            "계획이다.",
        ],
    ),
    (
        "시내버스 요금 300원 인상…다음 달부터 적용",
        [
            "다음 달 1일부터 시내버스 기본요금이 카드 기준으로 1,500원에서 1,800원으로 오른다.",
            "시는 연료비와 인건비가 크게 오르면서 버스 회사들의 적자가 한계에 이르렀다며 요금 조정이 "
            "불가피했다고 설명했다.",
            "청소년과 어린이 요금은 동결하고, 65세 이상 어르신의 무료 환승 제도도 그대로 유지하기로 "
            "했다.",
            "시민단체들은 물가가 오르는 시기에 공공요금까지 올리면 서민들의 부담이 커진다며 반발하고 "
            "있다.",
            "시는 요금 인상으로 늘어나는 수입을 심야버스 증편과 저상버스 도입에 쓰겠다고 밝혔다.",
        ],
    ),
    (
        "국립도서관, 100년 전 신문 3만 면 디지털로 공개",
        [
            "국립도서관이 1920년대에 발행된 신문 3만여 면을 고화질로 촬영해 누리집에서 누구나 볼 수 "
            "있도록 공개했다.",
            "이번에 공개된 자료에는 당시의 광고와 연재소설, 독자 투고란까지 그대로 담겨 있어 생활사 "
            "연구에 큰 도움이 될 것으로 보인다.",
            "도서관은 종이가 삭아 열람이 어려웠던 원본을 보존하기 위해 5년 동안 복원 작업을 거쳤다고 "
            "설명했다.",
            "검색 기능도 새로 만들어 기사 제목과 본문에 나오는 낱말로 원하는 지면을 찾을 수 있다.",
            "도서관 측은 내년까지 1930년대 신문 5만 면을 추가로 공개할 예정이다.",
        ],
    ),
]

SITE_MENU = str.split(
    "홈 뉴스 정치 경제 사회 국제 문화 연예 스포츠 날씨 라이브 편성표 다시보기 뉴스9 "
    "뉴스광장 시사기획 팩트체크 제보 시청자센터 구독 로그인 회원가입 검색 전체메뉴 "
    "앱설치 이벤트 공지사항 채용 광고안내 회사소개 라디오 유튜브 인스타그램 뉴스레터 "
    "기자목록 특집 선거 지역뉴스 수도권 강원 충청 호남 영남 제주 과학 기후 인구 교육 "
    "의료 노동 환경 여성 청년"
)
RELATED = [
    '폭염 속 전력 수요 최고치…정부 "수급 문제없어"',
    "[단독] 지방 공항 국제선 절반 '개점휴업'",
    "주말 전국 곳곳 소나기…낮 최고 33도",
    "수출 석 달 연속 증가…반도체가 이끌었다",
    "어린이집 통학 차량 안전 점검 실효성 논란",
    "전세 사기 피해자 지원 특별법 국회 통과",
    "올해 추석 기차표 예매 다음 주부터",
    "대학 기숙사 신축 주민 반발에 또 미뤄져",
]
FOOTER = [
    "회사소개",
    "이용약관",
    "개인정보처리방침",
    "청소년보호정책",
    "(주)한빛방송 서울특별시 마포구 상암산로 48 대표전화 02-123-4567",
    "Copyright © 한빛방송 All Rights Reserved. 무단 전재, 재배포 및 AI학습 이용 금지",
]
SHARE = ["공유하기", "페이스북", "트위터", "카카오톡", "링크 복사", "닫기"]


def page_lines(title: str, body: list[str], *, comments: bool = False) -> list[str]:
    """A saved TV-news page: browser title, menus, headline, tools, body, lists, footer."""
    lines = [
        f"{title} | 한빛방송 뉴스",
        "본문 바로가기",
        *SITE_MENU,
        title,
        "입력 2024.06.12 14:31",
        *SHARE,
        "글자 크기",
        "가",
        "가",
        "가",
        *body,
        "홍길동 기자 gildong@hanbit.example",
        "많이 본 뉴스",
    ]
    for k, h in enumerate(RELATED, 1):
        lines += [str(k), h]
    if comments:
        lines += [
            "댓글 2",
            "최신순",
            "ab12****",
            "2024.06.12 15:02",
            "결국 피해는 시민들이 보는 거죠.",
            "답글 0",
            "공감 12",
            "비공감 3",
            "cd34****",
            "2024.06.12 15:40",
            "기사 잘 읽었습니다.",
            "답글 1",
            "공감 4",
            "비공감 0",
        ]
    return lines + FOOTER


def section_index_lines() -> list[str]:
    """A section front: headlines with cut-off teasers and times, no article."""
    lines = ["사회 | 한빛방송 뉴스", "본문 바로가기", *SITE_MENU, "사회", "전체기사"]
    for title, body in STORIES * 3:
        lines += [title, body[0][:45] + "…", "2024.06.12 14:31"]
    return lines + ["1", "2", "3", "다음", *FOOTER]


def page_html(
    title: str, body: list[str], *, charset: str = "utf-8", body_in_script: bool = False
) -> str:
    """The same page as HTML: nav, header tools, article paragraphs, aside lists, footer."""
    nav = "".join(f'<li><a href="/s/{i}">{w}</a></li>' for i, w in enumerate(SITE_MENU))
    related = "".join(f'<li><a href="/n/{i}">{h}</a></li>' for i, h in enumerate(RELATED))
    paras = "" if body_in_script else "".join(f"<p>{p}</p>" for p in body)
    script = (
        f'<script>window.__ARTICLE__ = {{"body": "{" ".join(body)}"}};</script>'
        if body_in_script
        else "<script>var ad = 1;</script>"
    )
    return (
        f'<!DOCTYPE html><html lang="ko"><head><meta charset="{charset}">'
        f"<title>{title} | 한빛방송 뉴스</title><style>p {{ margin: 0 }}</style></head><body>"
        f'<header><a href="/">한빛방송 뉴스</a><nav><ul>{nav}</ul></nav></header>'
        f'<div class="article-head"><h1>{title}</h1><span>입력 2024.06.12 14:31</span>'
        f'<div class="share-tools"><button>공유하기</button><button>페이스북</button>'
        f"<button>카카오톡</button></div></div>"
        f'<article class="article-body">{paras}'
        f'<figure><img src="a.jpg"><figcaption>갯벌 위를 나는 철새 떼. 해양수산부 제공'
        f"</figcaption></figure></article>{script}"
        f'<aside class="ranking"><h3>많이 본 뉴스</h3><ul>{related}</ul></aside>'
        f"<footer>{''.join(f'<p>{f}</p>' for f in FOOTER)}</footer></body></html>"
    ).replace("©", "&copy;")  # as an EUC-KR page writes it
