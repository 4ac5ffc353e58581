"""Shortcuts the Deduplicator takes for speed give the answers of the calls they replace
(our own Korean fixtures, tests/fixtures/dedup_stories.txt): `same_text_many` equals
`same_text` pair by pair, early outs included."""

from __future__ import annotations

import numpy as np
from test_minhash import STORIES

from dedupe_ko.minhash import pieces_batch, strip_marks
from dedupe_ko.sentences import EARLY_OUT, fingerprint_batch, same_text, same_text_many

NAMES = sorted(STORIES)


def _texts() -> list[str]:
    """Whole stories, briefs (first paragraphs), a story with another's paragraph quoted,
    a spaced copy, a one-line text and an empty one."""
    out = []
    for k in NAMES:
        paras = STORIES[k][1:]
        out += ["\n".join(paras), "\n".join(paras[:2])]
    a, b = STORIES[NAMES[0]][1:], STORIES[NAMES[1]][1:]
    out.append("\n".join(a + b[:1]))
    out.append("\n".join(a).replace("다. ", "다.  ").replace("의 ", "의"))
    out += ["짧은 한 문장의 단신이다.", ""]
    return [strip_marks(t) for t in out]


def test_same_text_many_equals_same_text_pair_by_pair() -> None:
    texts = _texts()
    prints = fingerprint_batch(texts)
    fps = [prints.of(j) for j in range(len(texts))]
    compact = [f.compact() for f in fps]
    h, _, off, _ = pieces_batch(texts[:1])
    boiler = np.sort(h[off[0] : off[0] + 2])  # two of the first story's pieces left out
    early = 0
    for a in fps:
        for leave_out in (None, boiler):
            for share in (True, False):
                many = same_text_many(a, compact, leave_out, share)
                one = [same_text(a, b, leave_out, share) for b in compact]
                assert many == one
                early += sum(
                    t.compared and t.share < EARLY_OUT and t.numbers == 0 and t.sentences > 0
                    for t in many
                )
    assert early > 50  # unrelated stories stop at the 5-gram early out: that path is tested
