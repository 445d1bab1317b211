"""Eval answers never carry Markdown rules, table pipes, heading residue, footnote digits or prompt
tags, on our prose and on terse notes (tables, bullets, an HTML export, a dotted-leader text file)."""

from __future__ import annotations

import re
import shutil

import pytest

from app.rag.chain import load_tutor
from app.rag.text import CITATION, split_sentences
from evals.datasets import load_items
from evals.metrics import artefacts
from ingest.index import ingest_paths
from tests.conftest import ROOT, make_settings_at

pytestmark = pytest.mark.slow
CORPUS_NOTES = ["d3-deployment-orchestration/inference-options.md", "d1-data-preparation/data-formats.md",
                "d4-monitoring-security/network-security.md", "core/class-imbalance.md",
                "d1-data-preparation/data-storage-options.md", "core/exam-strategy.md"]


@pytest.fixture(scope="module")
def tutor(tmp_path_factory):
    """Six notes of our corpus plus the terse tuning notes in one real store (bundled embeddings)."""
    root = tmp_path_factory.mktemp("artefacts")
    notes = root / "notes"
    shutil.copytree(ROOT / "training" / "terse_notes", notes / "terse")
    for name in CORPUS_NOTES:
        shutil.copy(ROOT / "corpus" / name, notes / name.replace("/", "-"))
    settings = make_settings_at(root)
    ingest_paths([notes], settings, show_bar=False)
    return load_tutor(settings)  # the bundled model: answers are cards, the LLM never runs


def questions() -> list[str]:
    """The terse tuning questions and the dev open questions about the six corpus notes."""
    terse = [i.question for i in load_items(ROOT / "evals/datasets/dev_terse.jsonl") if i.kind == "open"]
    dev = [i.question for i in load_items(ROOT / "evals/datasets/dev.jsonl") if i.kind == "open"
           and any(name in src for src in i.relevant_sources or [] for name in CORPUS_NOTES)]
    return terse + dev


def test_answers_are_clean_cited_cards(tutor):
    asked = questions()
    assert len(asked) >= 35
    for question in asked:
        result = tutor.ask(question)
        assert not artefacts(result.answer), (question, artefacts(result.answer), result.answer)
        if result.refused:
            continue
        # every line of the card is a quoted statement that ends in its citation (a statement may hold a
        # question of its own, "Why X? because ...", so lines are checked, not sentences)
        claims = [line.strip() for line in result.answer.splitlines() if line.strip() and not line.endswith(":")]
        assert claims and all(re.search(r"\[\d+\]\.?$", c) for c in claims), result.answer
        assert all(CITATION.search(s) for c in claims for s in split_sentences(c)[-1:]), result.answer
        used = {int(n) for n in CITATION.findall(result.answer)}
        assert used == set(range(1, len(result.citations) + 1)), (result.answer, result.citations)
