"""Practice questions and flashcards generated from notes: each kind of source, the quality checks
that reject bad items (with their reasons), and citations to the sentence an answer comes from."""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document

from app.study.library import material_from_chunks
from app.study.quality import options_problem, question_problem, stem_problem
from app.study.terms import Vocabulary, unreadable
from ingest.chunk import chunk_file
from ingest.files import discover
from ingest.index import chunk_id, chunk_metadata
from ingest.load import LoadError, load_file

FICTIONAL_NOTE = """---
title: Fictional streaming services
domain: D1
tasks: [1.1]
---
# Fictional streaming services

## Amazon Quillfish
Amazon Quillfish is a managed buffer that batches sensor records into hourly Parquet files.
Choose Amazon Quillfish when sensor records must land in S3 as hourly files without any code.

## AWS Pelican Vault
AWS Pelican Vault is a sealed archive for audit logs that must stay unchanged for ten years.
Choose AWS Pelican Vault for tamper-proof audit archives that regulators inspect.

## Amazon Marmot Stream
Amazon Marmot Stream is an ordered event log that several consumers can replay from any point.

## AWS Heron Queue
AWS Heron Queue is a fan-out service that pushes alerts to phones and email.

## Comparison table

| Need | Choose |
|---|---|
| Hourly Parquet files from sensors without code | Amazon Quillfish |
| Tamper-proof audit archive for ten years | AWS Pelican Vault |
| Replay of click events by several consumers | Amazon Marmot Stream |
| Alerts pushed to phones and email | AWS Heron Queue |

## Exam traps

- Amazon Marmot Stream, not AWS Heron Queue, for replaying click events to several consumers.
- AWS Heron Queue cannot keep events for replay; Amazon Marmot Stream can.
- "Sealed logs for a decade" points to AWS Pelican Vault, not Amazon Quillfish.
"""
FICTIONAL_TERMS = {"Amazon Quillfish", "AWS Pelican Vault", "Amazon Marmot Stream", "AWS Heron Queue"}


def note_chunks(root: Path) -> list[Document]:
    """The chunks ingest would store for the files under root (same ids and metadata, no embedding)."""
    found, _, _ = discover([root])
    docs = []
    for path, source in found:
        try:
            loaded = load_file(path, source, 60_000_000, 10_000_000)
        except LoadError:
            continue
        chunks = chunk_file(loaded, 1200, 150)
        docs += [Document(page_content=c.text, id=chunk_id(source, c),
                          metadata=chunk_metadata(loaded, c, "-", len(chunks), "-")) for c in chunks]
    return docs


def fictional_material(tmp_path: Path):
    (tmp_path / "fictional.md").write_text(FICTIONAL_NOTE)
    return material_from_chunks(note_chunks(tmp_path))


def test_every_kind_of_source_becomes_a_cited_question(tmp_path):
    material = fictional_material(tmp_path)
    assert {q.origin for q in material.questions} == {"definition", "choose", "table", "trap"}
    for q in material.questions:
        right = q.choices[q.answer[0]]
        assert set(q.choices.values()) == FICTIONAL_TERMS  # distractors: the note's other services
        assert right.split()[-1] in q.evidence and q.evidence.rstrip(".").split("; ")[0].split(": ")[-1] in FICTIONAL_NOTE
        assert q.sources[0].endswith("fictional.md") and q.chunk_id and q.domain == "D1" and q.task == "1.1"
    trap = next(q for q in material.questions if q.question.startswith("AWS Heron Queue cannot keep events"))
    assert trap.question.endswith("Which service can?") and trap.choices[trap.answer[0]] == "Amazon Marmot Stream"


def test_flashcards_hold_definitions_and_rules_with_their_sources(tmp_path):
    cards = {c.term: c for c in fictional_material(tmp_path).flashcards}
    assert set(cards) == FICTIONAL_TERMS
    quill = cards["Amazon Quillfish"]
    assert quill.lines[0] == "Amazon Quillfish is a managed buffer that batches sensor records into hourly Parquet files."
    assert any(line.startswith("Choose Amazon Quillfish when") for line in quill.lines)
    assert all(s.endswith("fictional.md > Fictional streaming services > Amazon Quillfish") or "fictional.md >" in s
               for s in quill.sources)


def test_question_ids_survive_an_unchanged_reingest_and_change_with_the_text(tmp_path):
    first = {q.id for q in fictional_material(tmp_path).questions}
    assert first == {q.id for q in fictional_material(tmp_path).questions}
    (tmp_path / "fictional.md").write_text(FICTIONAL_NOTE.replace("ten years", "twelve years"))
    changed = {q.id for q in material_from_chunks(note_chunks(tmp_path)).questions}
    assert changed != first and first & changed  # edited sections get new items, others keep theirs


def test_a_table_of_abbreviations_gives_no_question(tmp_path):
    note = ("# Bias metrics\n\n## Comparison table\n\n| Question | Clarify output |\n|---|---|\n"
            "| Is one group rarer? | CI, DPL |\n| Is the model less accurate for one group? | AD, RD |\n"
            "| Are predictions rarer for one group? | DPPL, DI |\n| Which features matter? | SHAP |\n")
    (tmp_path / "bias.md").write_text(note)
    material = material_from_chunks(note_chunks(tmp_path))
    assert material.questions == []
    assert material.rejected["unreadable option (raw cell)"] + material.rejected["unreadable option (abbreviation)"] >= 4


def test_checks_name_the_reason():
    assert stem_problem("In the note X: which choice fits this need? Need | Choose") == "stem not a question"
    assert stem_problem("Which service should you choose for it?") == "stem refers to text it leaves out"
    assert stem_problem("Which service is a managed buffer for sensor records?") is None
    assert unreadable("AD, RD") == "raw cell" and unreadable("SMDDP") == "abbreviation"
    assert unreadable("Amazon EMR") is None and unreadable("A | B") == "raw cell"
    assert options_problem("Amazon Quillfish", ["Amazon Quillfish", "Quillfish", "AWS Heron Queue", "Marmot Stream"]) == "options not distinct"
    assert options_problem("Kiwi", ["Kiwi", "Amazon Kinesis Data Streams with enhanced fan-out", "Apple", "Pear"]) == "option lengths differ"
    ok = ["AWS Heron Queue", "AWS Pelican Vault", "Amazon Quillfish"]
    assert question_problem("Which service replays events?", "Amazon Marmot Stream", ok,
                            "AWS Heron Queue is a fan-out service.", []) == "answer not in its source sentence"
    assert question_problem("Which service replays events?", "Amazon Marmot Stream", ok,
                            "Amazon Marmot Stream and AWS Heron Queue both replay.", []) == "distractor also in its source sentence"
    assert question_problem("Which service is a marmot log?", "Amazon Marmot Stream", ok,
                            "Amazon Marmot Stream is a log.", []) == "answer given away by the stem"
    assert question_problem("Which service replays events?", "Amazon Marmot Stream", ok[:2],
                            "Amazon Marmot Stream replays events.", []) == "too few same-kind distractors"


def test_kinds_keep_distractors_comparable():
    vocab = Vocabulary(["Amazon SageMaker Canvas is a no-code tool.", "Use random search here."])
    assert vocab.kind_of("Canvas") == "service" and vocab.kind_of("Recall") == "metric"
    assert vocab.kind_of("XGBoost") == "algorithm" and vocab.kind_of("Apache Parquet") == "format"
    assert vocab.kind_of("Early stopping") == "concept" and vocab.kind_of("Random") == "concept"
    assert vocab.display("Canvas") == "Amazon SageMaker Canvas"
