"""The rule-based quality check over every practice question generated from the shipped corpus.

Independent of the generator's own checks: every shown question is re-read here. The printed
summary (candidates, rejections by reason, ten random questions) is what
`scripts/check_practice_items.py` prints too.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from app.rag.evidence import body_of
from app.study.items import WIDE_KINDS
from app.study.library import material_from_chunks, quality_summary
from app.study.terms import Vocabulary, base_name
from tests.conftest import ROOT
from tests.test_study_items import note_chunks


@pytest.fixture(scope="module")
def corpus():
    """The shipped corpus chunked as ingest does, and the material generated from it."""
    chunks = note_chunks(ROOT / "corpus")
    return chunks, material_from_chunks(chunks)


def flat(text: str) -> str:
    """Lower case, markup and runs of spaces removed (to find a cited sentence in its chunk)."""
    return re.sub(r"\s+", " ", re.sub(r"[*`]", "", text.replace("|", " "))).lower()


def test_every_shown_question_passes_the_rules(corpus, capsys):
    chunks, material = corpus
    by_id = {c.id: c for c in chunks}
    vocab = Vocabulary([body_of(c.page_content) for c in chunks])
    for q in material.questions:
        options = list(q.choices.values())
        right = q.choices[q.answer[0]]
        assert q.question.endswith("?") and re.search(r"\b(Which|What|which|what)\b", q.question), q
        assert list(q.choices) == list("ABCD") and len(q.answer) == 1, q
        assert len({base_name(o) for o in options}) == 4, q
        assert not any(re.search(r"[|*`,;]", o) for o in options), q
        lengths = sorted(len(o) for o in options)
        assert lengths[-1] <= 3 * lengths[0] or lengths[-1] - lengths[0] <= 15, q
        chunk = by_id[q.chunk_id]
        assert q.sources == [chunk.metadata["source"]] and q.heading == chunk.metadata["heading"]
        assert base_name(right) in flat(q.heading + " " + q.evidence), q
        cited = q.evidence.rstrip(".").split("; ")
        assert all(flat(part.split(": ", 1)[-1]) in flat(chunk.page_content) for part in cited), q
        if vocab.kind_of(right) in WIDE_KINDS:
            assert all(vocab.kind_of(o) == vocab.kind_of(right) or base_name(o) in flat(q.evidence)
                       for o in options), q
    with capsys.disabled():
        print("\n" + quality_summary(material, sample=10, seed=18))


def test_enough_questions_of_every_kind_and_domain(corpus):
    _, material = corpus
    origins = Counter(q.origin for q in material.questions)
    assert len(material.questions) >= 250 and all(origins[k] >= 10 for k in ("definition", "choose", "table", "trap"))
    assert {q.exam_domain for q in material.questions} >= {"D1", "D2", "D3", "D4"}
    assert len({(q.question, q.choices[q.answer[0]]) for q in material.questions}) == len(material.questions)
    assert sum(material.rejected.values()) + len(material.questions) == material.facts
    assert len(material.flashcards) >= 150 and all(c.lines and c.sources for c in material.flashcards)
