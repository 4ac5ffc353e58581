"""Benchmark corpora grown from the development corpus, with known truth and a fixed seed.

Two kinds of input, both made of real article bodies from ``../shared/corpus/bodies.jsonl``
(never copied into the repository; generated files go to ``benchmarks/data/``, git-ignored)
wrapped in page furniture written here (headline, menus, timestamps, wire datelines, captions,
bylines, copyright footers, promos, reaction widgets):

- `make_corpus(n, seed)`: a dedup corpus of ``n`` scraped pages and its truth
  ``{id: cluster}``. A share (``dup_fraction``) of stories is republished 1-4 more times,
  each copy with 1-3 edits: spacing changes, a dropped or an added paragraph, another quote
  style, a "[속보]"-style tag on the lede, typos, a trimmed tail. Pages come in random order.
- `make_clean_set(n, seed)`: ``n`` pages and the body paragraphs that must survive cleaning
  (truth ``{"id", "paragraphs"}``, the headline excluded, as in ``scraped.truth.jsonl``).

How truth is defined. Two pages share a cluster exactly when they were rendered from the same
story. Stories are distinct by construction:

1. The source bodies are first grouped: two bodies whose whitespace-free character 5-gram sets
   have Jaccard >= 0.3 or containment >= 0.5 (found by MinHash LSH, then checked exactly) are
   one group, and only the first body of each group is ever used. Distinct real stories
   therefore share less than 30% of their shingles (up to the recall of that LSH search:
   64 permutations in 32 bands of 2, which finds a 0.3-Jaccard pair 95% of the time and a
   0.5 one always).
2. Beyond the ~9,900 usable bodies (large corpora: 100k pages need ~44k stories), a story is
   a *mosaic*: as many paragraphs as a real body has, each drawn from a different random
   body (paragraphs of at least 40 characters). Two mosaics, or a mosaic and a real story,
   share at most an incidental paragraph, far below any duplicate threshold.

So a corpus of any size (1M included) keeps the same duplicate structure: about 2.2 pages per
story, as in ``corpus.jsonl``. Everything is drawn from ``random.Random`` seeded by
(seed, story, copy), so the same arguments give the same corpus on every machine.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

__all__ = [
    "BODIES",
    "DATA_DIR",
    "make_corpus",
    "iter_corpus",
    "make_clean_set",
    "corpus_files",
    "clean_set_files",
    "load_bodies",
    "read_jsonl",
    "write_jsonl",
    "PERTURBATIONS",
    "HARD_KINDS",
    "iter_hard",
    "hard_files",
    "TEMPLATE_FAMILIES",
    "template_corpus",
]

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
BODIES = Path(
    os.environ.get("DEDUPE_KO_BODIES", HERE.parent.parent / "shared" / "corpus" / "bodies.jsonl")
)
CORPUS_VERSION = 1  # bump when generation changes, so cached files are rebuilt

# --------------------------------------------------------------------------------------------
# JSONL helpers


def write_jsonl(path: str | Path, records: Iterable[dict]) -> int:
    """Write records as JSONL atomically (temporary file, then rename); returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    n = 0
    with open(tmp, "wb") as f:
        for r in records:
            f.write(orjson.dumps(r))
            f.write(b"\n")
            n += 1
    os.replace(tmp, path)
    return n


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Records of a JSONL file, one at a time."""
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield orjson.loads(line)


# --------------------------------------------------------------------------------------------
# Source bodies and their near-duplicate groups


@dataclass(frozen=True)
class Sources:
    """The usable source material: one body per near-duplicate group, and a paragraph pool."""

    bodies: list[dict]  # {"title", "paragraphs"}
    pool: list[str]  # paragraphs (>= 40 chars) for mosaic stories
    para_counts: list[int]  # paragraph counts of real bodies, to size mosaics like them


def load_bodies(path: str | Path = BODIES) -> list[dict]:
    """The clean source bodies ``{"title", "paragraphs", "outlet", "date"}``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the benchmarks grow their corpora from the development corpus "
            "(../shared/corpus/bodies.jsonl next to the repository); set DEDUPE_KO_BODIES to "
            "another bodies.jsonl to use your own."
        )
    return list(read_jsonl(path))


def _shingles(text: str, k: int = 5) -> np.ndarray:
    """Distinct 64-bit hashes of the whitespace-free character k-grams of ``text``."""
    key = "".join(text.split())
    if not key:
        return np.empty(0, dtype=np.uint64)
    cps = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    k = min(k, len(cps))
    n = len(cps) - k + 1
    h = np.full(n, 0xCBF29CE484222325, dtype=np.uint64)
    for j in range(k):
        h = (h ^ cps[j : j + n]) * np.uint64(0x100000001B3)
    return np.unique(h)


def _group_bodies(bodies: list[dict], jaccard: float = 0.3, contain: float = 0.5) -> list[int]:
    """For each body, the index of the first body of its near-duplicate group."""
    sets = [_shingles("\n".join([b["title"], *b["paragraphs"]])) for b in bodies]
    rng = np.random.default_rng(12345)
    perms = 64
    a = rng.integers(1, 2**63, size=perms, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=perms, dtype=np.uint64)
    sigs = np.stack([((s[None, :] * a[:, None]) + b[:, None]).min(axis=1) for s in sets])
    parent = list(range(len(bodies)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    bands, rows = 32, 2
    candidates: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = {}
        part = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        for i in range(len(bodies)):
            buckets.setdefault(part[i].tobytes(), []).append(i)
        for members in buckets.values():
            if 1 < len(members) <= 50:
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        candidates.add((members[x], members[y]))
    for i, j in sorted(candidates):
        inter = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
        union = len(sets[i]) + len(sets[j]) - inter
        small = min(len(sets[i]), len(sets[j])) or 1
        if inter / union >= jaccard or inter / small >= contain:
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(len(bodies))]


def _sources(bodies_path: str | Path) -> Sources:
    """Usable bodies and the paragraph pool, with the grouping cached under benchmarks/data/."""
    bodies_path = Path(bodies_path)
    bodies = load_bodies(bodies_path)
    st = bodies_path.stat()
    tag = hashlib.sha1(f"{bodies_path.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode())
    cache = DATA_DIR / f"body_groups-{tag.hexdigest()[:12]}.json"
    if cache.exists():
        groups = orjson.loads(cache.read_bytes())
    else:
        groups = _group_bodies(bodies)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(orjson.dumps(groups))
    usable = [
        {"title": b["title"], "paragraphs": [p for p in b["paragraphs"] if p.strip()]}
        for i, b in enumerate(bodies)
        if groups[i] == i
    ]
    usable = [b for b in usable if b["paragraphs"]]
    pool = [p for b in usable for p in b["paragraphs"] if len(p) >= 40]
    return Sources(usable, pool, [len(b["paragraphs"]) for b in usable])


# --------------------------------------------------------------------------------------------
# Perturbations: how an outlet's copy of a wire story differs from the original

_ADDED = [
    "이에 대해 해당 기관 관계자는 사실관계를 확인한 뒤 입장을 밝히겠다고 말했다.",
    "업계에서는 이번 결정이 유사한 분쟁에도 영향을 미칠 것으로 보고 있다.",
    "한편 관련 단체들은 다음 주 중 공동 성명을 발표할 계획이라고 전했다.",
    "전문가들은 후속 절차가 마무리되기까지 상당한 시간이 걸릴 것으로 내다봤다.",
    "이번 사안은 지역 사회에서도 적지 않은 관심을 끌고 있다.",
    "당사자 측 변호인은 판결문을 검토한 뒤 대응 방향을 정하겠다고 밝혔다.",
]
_TAGS = ["[속보] ", "[단독] ", "[종합] ", "[종합2보] ", "<속보> "]
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _spacing(paras: list[str], rng: random.Random) -> list[str]:
    """띄어쓰기 varies between outlets: drop some spaces, split some words."""
    out = []
    for p in paras:
        if rng.random() < 0.4:  # this paragraph left as it was
            out.append(p)
            continue
        words = p.split(" ")
        pieces = [words[0]]
        for w in words[1:]:
            if rng.random() < 0.08:
                pieces[-1] += w  # space removed
            else:
                pieces.append(w)
        for i, w in enumerate(pieces):
            if len(w) >= 4 and rng.random() < 0.03:
                cut = rng.randrange(2, len(w) - 1)
                pieces[i] = w[:cut] + " " + w[cut:]  # space added
        out.append(" ".join(pieces))
    return out


def _drop_paragraph(paras: list[str], rng: random.Random) -> list[str]:
    if len(paras) < 5:
        return paras
    i = rng.randrange(1, len(paras))
    return paras[:i] + paras[i + 1 :]


def _add_paragraph(paras: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(1, len(paras) + 1)
    return paras[:i] + [rng.choice(_ADDED)] + paras[i:]


def _quotes(paras: list[str], rng: random.Random) -> list[str]:
    if any(c in p for p in paras for c in "\u201c\u2018"):
        return [p.translate(_CURLY) for p in paras]
    out = []
    for p in paras:  # straight to curly, alternating open/close
        s, dq, sq = [], False, False
        for c in p:
            if c == '"':
                s.append("\u201d" if dq else "\u201c")
                dq = not dq
            elif c == "'":
                s.append("\u2019" if sq else "\u2018")
                sq = not sq
            else:
                s.append(c)
        out.append("".join(s))
    return out


def _tag(paras: list[str], rng: random.Random) -> list[str]:
    return [rng.choice(_TAGS) + paras[0], *paras[1:]]


def _typos(paras: list[str], rng: random.Random) -> list[str]:
    """1-3 Hangul syllables get another final consonant (받침), as a slip of the keyboard."""
    paras = list(paras)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(paras))
        p = paras[i]
        spots = [j for j, c in enumerate(p) if "\uac00" <= c <= "\ud7a3"]
        if not spots:
            continue
        j = rng.choice(spots)
        code = ord(p[j]) - 0xAC00
        jong = code % 28
        new = (jong + rng.randint(1, 27)) % 28
        paras[i] = p[:j] + chr(0xAC00 + code - jong + new) + p[j + 1 :]
    return paras


def _trim_tail(paras: list[str], rng: random.Random) -> list[str]:
    if len(paras) < 5:
        return paras
    if rng.random() < 0.5:
        return paras[:-1]
    last = paras[-1]
    cut = last.find(". ", len(last) // 2)
    return paras[:-1] + [last[: cut + 1]] if cut > 0 else paras[:-1]


PERTURBATIONS = {
    "spacing": _spacing,
    "drop_paragraph": _drop_paragraph,
    "add_paragraph": _add_paragraph,
    "quotes": _quotes,
    "tag": _tag,
    "typos": _typos,
    "trim_tail": _trim_tail,
}


def _perturb(paras: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """1-3 distinct edits (never both a dropped paragraph and a trimmed tail)."""
    names = list(PERTURBATIONS)
    chosen = rng.sample(names, rng.choice([1, 2, 2, 3]))
    if "drop_paragraph" in chosen and "trim_tail" in chosen:
        chosen.remove("trim_tail")
    for name in chosen:
        paras = PERTURBATIONS[name](paras, rng)
    return paras, chosen


# --------------------------------------------------------------------------------------------
# Page furniture (strings written for these benchmarks; fictional outlets and people)

_OUTLETS = [
    ("한결일보", "hangyeol.co.kr"),
    ("늘봄경제", "neulbom.kr"),
    ("동녘뉴스", "dongnyeok.com"),
    ("미리내신문", "mirinae.news"),
    ("가온타임즈", "gaontimes.co.kr"),
    ("바른법률뉴스", "bareunlaw.kr"),
    ("새벽일보", "saebyeok.co.kr"),
    ("온누리경제", "onnuri.biz"),
]
_WIRES = ["한결뉴스", "동녘통신", "누리통신"]
_CITIES = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "수원", "청주", "전주", "창원"]
_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ["민준", "서연", "지훈", "하은", "도윤", "수빈", "예준", "지우", "현우", "채원", "준서"]
_MENUS = [
    ["기사 공유하기", "글씨 크기 조절", "기사 인쇄", "스크랩"],
    ["페이스북", "카카오톡", "링크 복사", "|"],
    ["본문 듣기", "가", "가", "프린트", "댓글 0"],
    ["공유", "스크랩", "인쇄", "글자크기"],
]
_CAPTIONS = [
    "서울 서초구 법원종합청사 전경. {credit}",
    "기자회견에서 발언하는 관계자의 모습. {credit}",
    "{credit}",
]
_CREDITS = [
    "[사진={outlet} DB]",
    "/사진={wire} 제공",
    "(사진=게티이미지뱅크)",
    "ⓒ{outlet} 자료사진",
]
_PROMOS = [
    "▶ 오늘의 인기 기사 보러가기",
    "☞ {outlet} 뉴스레터 무료 구독하기",
    "▷ 제보는 카카오톡 채널 '{outlet}'로",
    "[관련기사] 더 보기",
    "▶ {outlet} 유튜브 채널 바로가기",
]
_REACTIONS = [["좋아요 0", "화나요 0", "슬퍼요 0"], ["이 기사를 추천합니다", "추천 0"]]


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _email(rng: random.Random, domain: str) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) + "@" + domain


def _stamp(rng: random.Random) -> str:
    y, mo, d = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)
    h, mi = rng.randint(6, 23), rng.randint(0, 59)
    return rng.choice(
        [
            f"입력 {y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}",
            f"승인 {y}.{mo:02d}.{d:02d} {h:02d}:{mi:02d}",
            f"기사입력 : {y}년 {mo:02d}월 {d:02d}일 {h:02d}시 {mi:02d}분",
            f"업데이트 {y}.{mo:02d}.{d:02d} {h:02d}:{mi:02d}",
        ]
    )


def _page(title: str, paras: list[str], rng: random.Random, *, doubled: float) -> str:
    """A scraped page: headline, furniture around the body, furniture inside it."""
    outlet, domain = rng.choice(_OUTLETS)
    wire = rng.choice(_WIRES + [outlet])
    reporter = _person(rng)
    lines = [title]
    if rng.random() < 0.8:
        lines += rng.choice(_MENUS)
    if rng.random() < 0.6:
        lines.append(_stamp(rng))
        if rng.random() < 0.4:
            lines.append(_stamp(rng))
    body = list(paras)
    r = rng.random()
    if r < 0.35:
        body[0] = f"({rng.choice(_CITIES)}={wire}) {reporter} 기자 = " + body[0]
    elif r < 0.5:
        body[0] = f"[{outlet}={reporter} 기자] " + body[0]
    if rng.random() < 0.3:
        credit = rng.choice(_CREDITS).format(outlet=outlet, wire=wire)
        cap = rng.choice(_CAPTIONS).format(credit=credit)
        body.insert(rng.randrange(1, len(body) + 1), cap)
    lines += body
    if rng.random() < doubled:
        lines += paras[1:] if rng.random() < 0.5 else paras
    r = rng.random()
    if r < 0.4:
        lines.append(f"{reporter} 기자 {_email(rng, domain)}")
    elif r < 0.6:
        lines.append(f"/{reporter} 기자")
    elif r < 0.75:
        lines.append(f"{outlet} {reporter} 기자 ({_email(rng, domain)})")
    lines.append(
        rng.choice(
            [
                f"저작권자 © {outlet} 무단전재 및 재배포 금지",
                f"<저작권자(c) {outlet}, 무단 전재-재배포, AI 학습 및 활용 금지>",
                f"ⓒ {outlet}. 무단 전재 및 재배포 금지.",
                f"Copyright © {domain} All rights reserved.",
            ]
        )
    )
    for promo in rng.sample(_PROMOS, rng.choice([0, 1, 1, 2])):
        lines.append(promo.format(outlet=outlet))
    if rng.random() < 0.3:
        lines += rng.choice(_REACTIONS)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Stories and corpora


def _story(src: Sources, perm: list[int], seed: int, s: int) -> tuple[str, list[str]]:
    """Story ``s``: a real body while they last (in the seeded order ``perm``), then a mosaic."""
    if s < len(perm):
        b = src.bodies[perm[s]]
        return b["title"], list(b["paragraphs"])
    rng = random.Random(f"mosaic:{seed}:{s}")
    m = min(max(3, rng.choice(src.para_counts)), 20)
    paras = [src.pool[rng.randrange(len(src.pool))] for _ in range(m)]
    title = src.bodies[rng.randrange(len(src.bodies))]["title"]
    return title, paras


def _permutation(seed: int, n: int) -> list[int]:
    perm = list(range(n))
    random.Random(f"perm:{seed}").shuffle(perm)
    return perm


def _plan(n_articles: int, seed: int, dup_fraction: float) -> list[tuple[int, int]]:
    """(story, copy) for every page, in page order. Copy 0 is the original."""
    if n_articles < 0:
        raise ValueError(f"n_articles must be >= 0, got {n_articles}")
    if not 0.0 <= dup_fraction <= 1.0:
        raise ValueError(f"dup_fraction must be in [0, 1], got {dup_fraction}")
    rng = random.Random(f"plan:{seed}:{dup_fraction}")
    plan: list[tuple[int, int]] = []
    s = 0
    while len(plan) < n_articles:
        copies = 1 + (rng.randint(1, 4) if rng.random() < dup_fraction else 0)
        plan.extend((s, c) for c in range(copies))
        s += 1
    del plan[n_articles:]
    rng.shuffle(plan)
    return plan


def iter_corpus(
    n_articles: int,
    seed: int = 0,
    *,
    dup_fraction: float = 0.5,
    bodies_path: str | Path = BODIES,
) -> Iterator[tuple[dict, str]]:
    """``(record, cluster)`` for each page of the corpus `make_corpus` returns, streamed."""
    src = _sources(bodies_path)
    perm = _permutation(seed, len(src.bodies))
    for i, (s, c) in enumerate(_plan(n_articles, seed, dup_fraction)):
        title, paras = _story(src, perm, seed, s)
        rng = random.Random(f"page:{seed}:{s}:{c}")
        if c:
            paras, _ = _perturb(paras, rng)
        text = _page(title, paras, rng, doubled=0.05)
        yield {"id": f"a{i:07d}", "text": text}, f"s{s}"


def make_corpus(
    n_articles: int,
    seed: int = 0,
    *,
    dup_fraction: float = 0.5,
    bodies_path: str | Path = BODIES,
) -> tuple[list[dict], dict[str, str]]:
    """A dedup corpus: ``n_articles`` pages ``{"id", "text"}`` and truth ``{id: cluster}``.

    ``dup_fraction`` of stories get 1-4 perturbed republications. Same arguments, same output.
    """
    records, truth = [], {}
    for rec, cluster in iter_corpus(
        n_articles, seed, dup_fraction=dup_fraction, bodies_path=bodies_path
    ):
        records.append(rec)
        truth[rec["id"]] = cluster
    return records, truth


def make_clean_set(
    n: int, seed: int = 0, *, bodies_path: str | Path = BODIES
) -> tuple[list[dict], list[dict]]:
    """``n`` scraped pages ``{"id", "text"}`` and their truth ``{"id", "paragraphs"}``.

    Each page is a different story; 40% print the body twice (the second copy sometimes
    without its first paragraph), as scraped pages do.
    """
    src = _sources(bodies_path)
    perm = _permutation(seed + 1000, len(src.bodies))
    pages, truth = [], []
    for i in range(n):
        title, paras = _story(src, perm, seed + 1000, i)
        rng = random.Random(f"clean:{seed}:{i}")
        pages.append({"id": f"p{i:06d}", "text": _page(title, paras, rng, doubled=0.4)})
        truth.append({"id": f"p{i:06d}", "paragraphs": paras})
    return pages, truth


def corpus_files(
    n_articles: int,
    seed: int = 0,
    *,
    dup_fraction: float = 0.5,
    bodies_path: str | Path = BODIES,
    data_dir: str | Path = DATA_DIR,
) -> tuple[Path, Path]:
    """Paths of the corpus and its truth as JSONL (``{"id","text"}``, ``{"id","cluster"}``),
    generated under ``data_dir`` the first time and reused after."""
    stem = f"corpus-v{CORPUS_VERSION}-n{n_articles}-s{seed}-d{dup_fraction:g}"
    data, truth = Path(data_dir) / f"{stem}.jsonl", Path(data_dir) / f"{stem}.truth.jsonl"
    if not (data.exists() and truth.exists()):
        clusters: list[tuple[str, str]] = []

        def records() -> Iterator[dict]:
            for rec, cluster in iter_corpus(
                n_articles, seed, dup_fraction=dup_fraction, bodies_path=bodies_path
            ):
                clusters.append((rec["id"], cluster))
                yield rec

        write_jsonl(data, records())
        write_jsonl(truth, ({"id": i, "cluster": c} for i, c in clusters))
    return data, truth


def clean_set_files(
    n: int, seed: int = 0, *, bodies_path: str | Path = BODIES, data_dir: str | Path = DATA_DIR
) -> tuple[Path, Path]:
    """Paths of a generated cleaning set and its truth, made once under ``data_dir``."""
    stem = f"clean-v{CORPUS_VERSION}-n{n}-s{seed}"
    data, truth = Path(data_dir) / f"{stem}.jsonl", Path(data_dir) / f"{stem}.truth.jsonl"
    if not (data.exists() and truth.exists()):
        pages, want = make_clean_set(n, seed, bodies_path=bodies_path)
        write_jsonl(data, pages)
        write_jsonl(truth, want)
    return data, truth


# --------------------------------------------------------------------------------------------
# The hard set: abridged and partial republications, and the traps that must not join

HARD_VERSION = 2
HARD_KINDS = (
    "original",
    "abridged",
    "abridged_noisy",
    "reordered",
    "reled",
    "noisy",
    "quoting_trap",
    "boilerplate_trap",
    "tiny_trap",
)
# Stock paragraphs (written here) that many unrelated stories carry: a series lede and
# standard closings. Stories that share one are still different stories.
_BOILERPLATE_LEDES = [
    "[법률 브리핑] 한 주 동안 법조계에서 있었던 주요 판결과 사건을 정리했습니다. "
    "독자 여러분의 이해를 돕기 위해 쟁점 위주로 소개합니다. 자세한 내용은 아래와 같습니다.",
    "오늘의 판결 돋보기입니다. 생활 속 분쟁과 관련된 법원의 판단을 쉽게 풀어 드립니다. "
    "판결의 의미와 남은 쟁점을 함께 짚어 봅니다.",
]
_BOILERPLATE_CLOSINGS = [
    "※ 이 기사는 언론사 간 기사 제휴에 따라 전재한 것입니다. 기사의 저작권은 원 출처에 "
    "있으며 무단 전재와 재배포를 금합니다. 문의는 편집국 독자센터로 해 주시기 바랍니다.",
    "이 기사에 대한 의견이나 제보는 언제든 환영합니다. 독자 여러분의 소중한 의견은 "
    "더 나은 기사를 만드는 데 쓰입니다. 보내 주신 내용은 철저히 비밀이 보장됩니다.",
    "본 기사는 일반적인 정보 제공을 목적으로 작성됐습니다. 구체적인 사안에 대해서는 "
    "반드시 전문가와 상담하시기 바랍니다. 기사 내용은 작성 시점의 법령을 기준으로 합니다.",
]
_RELEDES = [
    "법원이 오랫동안 논란이 돼 온 사안에 대해 마침내 판단을 내놓았다. 당사자들은 결과를 "
    "두고 엇갈린 반응을 보였다.",
    "관련 업계와 시민단체의 관심이 쏠렸던 사건의 결론이 나왔다. 이번 결정은 비슷한 "
    "분쟁에도 적지 않은 영향을 줄 전망이다.",
    "논란이 이어지던 문제가 새 국면을 맞았다. 관계 기관은 후속 조치를 검토하고 있다.",
    "지역 사회의 이목이 집중된 사안이 일단락됐다. 그러나 쟁점이 모두 해소된 것은 아니라는 "
    "지적도 나온다.",
]
_SENTENCE_END = re.compile(r"[.?!](?!\d)")


def _sentences_in(paras: list[str]) -> int:
    return sum(len(_SENTENCE_END.findall(p)) for p in paras)


def _abridge(paras: list[str], rng: random.Random) -> list[str] | None:
    """The first paragraphs of a story, as a brief: 1-3 paragraphs, at least 3 sentences and
    150 characters, at most 60% of the story (None when the story is too short for that)."""
    k = rng.choice([1, 2, 2, 3])
    while k < len(paras) and (_sentences_in(paras[:k]) < 3 or sum(map(len, paras[:k])) < 150):
        k += 1
    if k > 0.6 * len(paras) or len(paras) < 4:
        return None
    return paras[:k]


def _hard_copy(kind: str, paras: list[str], rng: random.Random) -> list[str] | None:
    if kind == "abridged":
        return _abridge(paras, rng)
    if kind == "abridged_noisy":
        brief = _abridge(paras, rng)
        if brief is None:
            return None
        brief = _spacing(brief, rng)
        return _quotes(brief, rng) if rng.random() < 0.5 else brief
    if kind == "reordered":
        if len(paras) < 4:
            return None
        rest = paras[1:]
        rng.shuffle(rest)
        return [paras[0], *rest]
    if kind == "reled":
        return [rng.choice(_RELEDES), *paras[1:]] if len(paras) >= 4 else None
    if kind == "noisy":
        out = _typos(_spacing(paras, rng), rng)
        return _tag(_quotes(out, rng), rng) if rng.random() < 0.5 else out
    raise ValueError(f"unknown copy kind {kind!r}")


def iter_hard(
    n_articles: int, seed: int = 0, *, bodies_path: str | Path = BODIES
) -> Iterator[dict]:
    """The hard set: ``{"id", "text", "cluster", "kind"}`` bodies (no page furniture).

    Stories are real bodies (distinct by construction, see the module docstring); 60% of
    them are republished 1-3 times as an abridged brief (the first paragraphs, at least 3
    sentences), an abridged brief with spacing/quote noise, a reordered copy (lede kept,
    other paragraphs shuffled), a re-led copy (a new first paragraph) or a noisy full copy
    (spacing, typos, quotes, a tag). Traps are their own stories: a story that quotes one
    paragraph of another (``quoting_trap``), stories that carry a stock series lede or
    closing paragraph shared with many others (``boilerplate_trap``: the original and its
    copies keep it), and a one-sentence item made of another story's first sentence
    (``tiny_trap``). Articles come in random order; the same arguments give the same set.
    """
    src = _sources(bodies_path)
    perm = _permutation(seed + 7, len(src.bodies))
    rng = random.Random(f"hard:{seed}")
    copy_kinds = [
        "abridged",
        "abridged",
        "abridged_noisy",
        "abridged_noisy",
        "reordered",
        "reled",
        "noisy",
    ]
    out: list[dict] = []
    used = 0

    def take() -> list[str]:
        nonlocal used
        paras = list(src.bodies[perm[used % len(perm)]]["paragraphs"])
        used += 1
        return paras

    s = 0
    while len(out) < n_articles:
        paras = take()
        lede = paras[0]
        story = f"h{s}"
        head: list[str] = []
        tail: list[str] = []
        if rng.random() < 0.2:  # a stock lede or closing, shared with many other stories
            if rng.random() < 0.5:
                head = [rng.choice(_BOILERPLATE_LEDES)]
            else:
                tail = [rng.choice(_BOILERPLATE_CLOSINGS)]
        out.append(
            {
                "text": "\n".join([*head, *paras, *tail]),
                "cluster": story,
                "kind": "boilerplate_trap" if head or tail else "original",
            }
        )
        if rng.random() < 0.6:
            for kind in rng.sample(copy_kinds, rng.randint(1, 3)):
                copy = _hard_copy(kind, paras, random.Random(f"hard:{seed}:{s}:{kind}"))
                if copy is not None:  # a brief keeps the stock lede, not the closing
                    brief = kind.startswith("abridged")
                    text = "\n".join([*head, *copy, *([] if brief else tail)])
                    out.append({"text": text, "cluster": story, "kind": kind})
        if rng.random() < 0.15 and len(paras) >= 3:  # another story quotes one paragraph
            host = take()
            quoted = rng.choice([p for p in paras if len(p) >= 60] or paras)
            at = rng.randrange(1, len(host) + 1)
            out.append(
                {
                    "text": "\n".join([*host[:at], quoted, *host[at:]]),
                    "cluster": f"q{s}",
                    "kind": "quoting_trap",
                }
            )
        if rng.random() < 0.05:
            first = _SENTENCE_END.search(lede)
            if first:
                out.append({"text": lede[: first.end()], "cluster": f"t{s}", "kind": "tiny_trap"})
        s += 1
    del out[n_articles:]
    rng.shuffle(out)
    for i, r in enumerate(out):
        yield {"id": f"h{i:07d}", **r}


def hard_files(
    n_articles: int,
    seed: int = 0,
    *,
    bodies_path: str | Path = BODIES,
    data_dir: str | Path = DATA_DIR,
) -> tuple[Path, Path]:
    """Paths of the hard set ``{"id","text"}`` and its truth ``{"id","cluster","kind"}``,
    generated under ``data_dir`` the first time and reused after."""
    stem = f"hard-v{HARD_VERSION}-n{n_articles}-s{seed}"
    data, truth = Path(data_dir) / f"{stem}.jsonl", Path(data_dir) / f"{stem}.truth.jsonl"
    if not (data.exists() and truth.exists()):
        recs = list(iter_hard(n_articles, seed, bodies_path=bodies_path))
        write_jsonl(data, ({"id": r["id"], "text": r["text"]} for r in recs))
        write_jsonl(
            truth, ({"id": r["id"], "cluster": r["cluster"], "kind": r["kind"]} for r in recs)
        )
    return data, truth


# ---------------------------------------------------------------------------------------------
# Template families (issue 17): one skeleton, many fills, and copies of some fills. Fictional
# companies, brokers, people and places, written for these benchmarks.

_FIRMS = [
    "대성전자",
    "한결바이오",
    "누리화학",
    "동녘건설",
    "새빛에너지",
    "푸른제약",
    "미래로봇",
    "가온식품",
    "한울중공업",
    "별빛게임즈",
    "다온통신",
    "청운물산",
    "하늘항공",
    "솔빛소재",
]
_BROKERS = [
    "한빛증권",
    "대양투자증권",
    "누리증권",
    "가람증권",
    "동해투자증권",
    "새봄증권",
    "온누리금융투자",
    "바른증권",
]
_VIEWS = [
    "실적 개선이 본격화된다",
    "신사업 성과가 가시화된다",
    "수주 잔고가 사상 최대다",
    "원가 부담이 정점을 지났다",
    "배당 확대 여력이 크다",
    "하반기 반등이 기대된다",
    "해외 매출 비중이 빠르게 늘고 있다",
    "재고 조정이 마무리 단계다",
]
_OPINIONS = ["매수", "매수(유지)", "비중확대", "중립"]
_PRODUCTS = [
    "2차전지 소재",
    "반도체 장비",
    "선박 엔진 부품",
    "의약품 원료",
    "산업용 로봇",
    "건설 자재",
    "통신 장비",
    "식품 포장재",
]
_PARTNERS = ["한울상사", "대한물류", "세진정밀", "광명산업", "새한테크", "동진케미칼"]
_FUELS = ["프로판", "부탄"]
_CENTER_FIELDS = [
    "청년 창업",
    "소상공인 금융",
    "노인 돌봄",
    "다문화 가족",
    "장애인 고용",
    "취약계층 법률",
]
_ORGS = ["한국생활지원공단", "국민복지재단", "지역상생진흥원"]


def _won(v: int) -> str:
    return f"{v:,}원"


def _broker_report(rng: random.Random) -> list[str]:
    firm, broker = rng.choice(_FIRMS), rng.choice(_BROKERS)
    ticker = f"{rng.randrange(100000, 400000):06d}"
    target = rng.randrange(20, 900) * 500
    price = int(target * rng.uniform(0.6, 0.95)) // 50 * 50
    analyst = _person(rng)
    day = rng.randrange(1, 29)
    return [
        f'{broker}는 {day}일 {firm}({ticker})에 대해 "{rng.choice(_VIEWS)}"며 투자의견 '
        f"'{rng.choice(_OPINIONS)}'와 목표주가 {_won(target)}을 제시했다.",
        f"{broker} {analyst} 연구원은 보고서에서 {firm}의 올해 영업이익을 "
        f"{rng.randrange(100, 9000):,}억원으로 내다봤다.",
        "이번 투자의견은 최근 석 달 사이 나온 다른 증권사 보고서들의 평균과 비교해 크게 "
        "다르지 않은 수준이다.",
        f"전 거래일 종가 {_won(price)} 기준으로 목표주가까지 "
        f"{(target - price) / price * 100:.1f}%의 상승 여력이 남아 있다는 계산이다.",
        "※ 이 기사는 증권사 보고서 요약 프로그램이 자동으로 작성했습니다.",
    ]


def _market_close(rng: random.Random) -> list[str]:
    firm = rng.choice(_FIRMS)
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    prev = rng.randrange(40, 4000) * 100
    change = rng.randrange(1, max(2, prev // 1000)) * 50 * rng.choice((1, -1))
    word = "오른" if change > 0 else "내린"
    return [
        f"{month}월 {day}일 {firm} 주가는 전 거래일({_won(prev)})보다 {abs(change):,}원"
        f"({change / prev * 100:+.2f}%) {word} {_won(prev + change)}에 장을 마쳤다.",
        f"거래량은 전날보다 {rng.randrange(1, 90)}% {rng.choice(['늘었다', '줄었다'])}.",
        f"외국인은 {rng.randrange(1, 500):,}억원어치를 {rng.choice(['순매수', '순매도'])}했다.",
        "※ 이 기사는 시세 정보를 바탕으로 자동 작성 프로그램이 실시간으로 쓴 기사입니다.",
    ]


def _disclosure(rng: random.Random) -> list[str]:
    firm, partner, product = rng.choice(_FIRMS), rng.choice(_PARTNERS), rng.choice(_PRODUCTS)
    amount = rng.randrange(30, 5000)
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    return [
        f"{firm}는 {month}월 {day}일 {partner}와 {amount:,}억원 규모의 {product} 공급 계약을 "
        "맺었다고 공시했다.",
        f"계약 금액은 최근 매출액의 {rng.uniform(1, 40):.2f}%에 해당한다.",
        f"계약 기간은 {rng.randrange(2019, 2025)}년 {rng.randrange(1, 13)}월까지이며 대금은 "
        "납품 때마다 나눠 받는다.",
        "회사 측은 이번 계약이 안정적인 매출 기반을 넓히는 데 보탬이 될 것이라고 설명했다.",
    ]


def _price_notice(rng: random.Random, used: set[tuple[str, str]] | None = None) -> list[str]:
    """A month's price notice; ``used`` keeps (firm, month) pairs distinct (one notice a
    month per firm)."""
    while True:
        firm = rng.choice(["한길가스", "새누리에너지", "동방가스"])
        month = rng.randrange(1, 13)
        if used is None or (firm, str(month)) not in used or len(used) >= 36:
            break
    if used is not None:
        used.add((firm, str(month)))
    delta = rng.randrange(1, 80)
    up = rng.random() < 0.5
    base = rng.randrange(700, 1300)
    return [
        f"{firm}는 {month}월 국내 액화석유가스 공급가격을 kg당 {delta}원 "
        f"{'올린다' if up else '내린다'}고 밝혔다.",
        f"이에 따라 가정·상업용 {_FUELS[0]}은 kg당 {base + 0.1 * rng.randrange(10):.1f}원, "
        f"수송용 {_FUELS[1]}은 kg당 {base + 380 + 0.1 * rng.randrange(10):.1f}원이 된다.",
        "국내 공급가격은 산유국이 통보한 국제 가격에 환율과 세금, 유통 비용을 더해 정해진다.",
        "운송에 걸리는 시간을 고려해 전달의 국제 가격이 이달 국내 가격에 반영되는 구조다.",
    ]


def _center_opening(rng: random.Random, used: set[tuple[str, str]] | None = None) -> list[str]:
    """A centre opened in a city for a field; ``used`` keeps (city, field) pairs distinct
    (one organisation does not open the same centre twice)."""
    org, head = rng.choice(_ORGS), _person(rng)
    while True:
        city, field = rng.choice(_CITIES), rng.choice(_CENTER_FIELDS)
        if used is None or (city, field) not in used or len(used) >= 66:
            break
    if used is not None:
        used.add((city, field))
    return [
        f"{org}(이사장 {head})이 {city} {field} 지원센터를 열었다.",
        f"{city} 센터는 {city}와 인근 지역에서 도움이 필요한 주민들이 가까운 곳에서 상담을 "
        "받을 수 있도록 마련됐다.",
        f"{city} 센터에서는 {field} 분야 전문 상담과 교육을 무료로 제공한다.",
        f'{head} 이사장은 "{city} 센터 개소로 {city} 주민들에게 더 가까이 다가갈 수 있게 됐다'
        '"며 "앞으로도 지역 곳곳에 지원 거점을 넓혀 가겠다"고 말했다.',
    ]


TEMPLATE_FAMILIES = {
    "broker_report": _broker_report,
    "market_close": _market_close,
    "disclosure": _disclosure,
    "price_notice": _price_notice,
    "center_opening": _center_opening,
}


def _republish(paras: list[str], rng: random.Random) -> list[str]:
    """A copy of a filled template as another outlet runs it: its own lede sentence, spacing
    changes, the other quote style, or the closing line dropped (one or two of these)."""
    out = list(paras)
    edits = rng.sample(["lede", "spacing", "quotes", "drop_last"], rng.choice((1, 2)))
    if "lede" in edits:
        out.insert(0, f"{rng.choice(_WIRES)}에 따르면 관련 내용이 이날 전해졌다.")
    if "spacing" in edits:
        out = _spacing(out, rng)
    if "quotes" in edits:
        out = _quotes(out, rng)
    if "drop_last" in edits and len(out) > 3:
        out = out[:-1]
    if out == paras:  # the edits drawn changed nothing (no quotes to swap): a lede then
        out.insert(0, f"{rng.choice(_WIRES)}에 따르면 관련 내용이 이날 전해졌다.")
    return out


def template_corpus(
    seed: int = 0, fills: int = 30, copy_fraction: float = 0.3
) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """Template families for the dedup benchmark: per family in `TEMPLATE_FAMILIES`,
    ``fills`` articles from one skeleton with other names, numbers and dates (each its own
    story), and 1-2 republished copies (`_republish`) of ``copy_fraction`` of them.

    Returns (records ``{"id", "text"}`` in a seeded random order, truth ``{id: story}``,
    kind ``{id: family}``).
    """
    rng = random.Random(f"templates:{seed}")
    records, truth, kinds = [], {}, {}
    for family, make in TEMPLATE_FAMILIES.items():
        used: set[tuple[str, str]] = set()
        for f in range(fills):
            story = f"{family}-{f}"
            paras = make(rng, used) if make in (_center_opening, _price_notice) else make(rng)
            versions = [paras]
            if rng.random() < copy_fraction:
                versions += [_republish(paras, rng) for _ in range(rng.choice((1, 2)))]
            for v, body in enumerate(versions):
                id_ = f"{story}-{v}"
                records.append({"id": id_, "text": "\n".join(body)})
                truth[id_], kinds[id_] = story, family
    rng.shuffle(records)
    return records, truth, kinds
