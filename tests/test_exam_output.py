"""How an exam answer reaches the learner: confidence in --json, the CLI line, the UI badge, no refusal,
and only the notes the answer uses as citations."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.rag.chain import load_tutor
from app.rag.result import UNSURE, TutorAnswer, verdict
from app.ui.common import badge
from ingest.index import ingest_paths

runner = CliRunner()
QUESTION = ("Which SageMaker option accepts payloads of up to 1 GB and queues the requests?\n"
            "A) Serverless Inference\nB) Asynchronous Inference\nC) Kinesis Data Streams shards")
OFF_TOPIC = ("A team trains models in Azure Machine Learning studio with a Kusto cluster. Which Azure "
             "feature should it use?\nA) Azure Purview\nB) Azure Synapse\nC) Azure Arc\nD) Azure Bastion")


def answer(confident: bool | None, confidence: float | None = None, **flags) -> TutorAnswer:
    return TutorAnswer(answer="x", citations=[], model="m", query="q", confidence=confidence,
                       confident=confident, **flags)


def test_verdict_and_badge_say_confident_or_unsure_for_exam_picks():
    assert verdict(answer(True, 0.97, grounded=True)) == "confident"
    assert verdict(answer(False, 0.41, grounded=True)) == UNSURE == "unsure \u2014 check the cited notes"
    assert verdict(answer(None, grounded=True)) == "grounded in your notes"  # open answers unchanged
    assert "green-badge[confident]" in badge(answer(True, 0.97)) and "97%" in badge(answer(True, 0.97))
    assert f"orange-badge[{UNSURE}]" in badge(answer(False, 0.41)) and "41%" in badge(answer(False, 0.41))


@pytest.mark.slow
def test_cli_json_and_text_carry_the_confidence(in_tmp, notes_dir):
    env = {"TUTOR_STORE_PATH": str(in_tmp / "store"), "TUTOR_LLM": "fake/unused",
           "TUTOR_NOTES_PATH": str(in_tmp / "none")}
    assert runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env).exit_code == 0
    asked = runner.invoke(app, ["ask", QUESTION, "--json"], env=env)
    data = json.loads(asked.output)
    assert len(data["choice"]) == 1 and 0 <= data["confidence"] <= 1 and isinstance(data["confident"], bool)
    text = runner.invoke(app, ["ask", QUESTION], env=env).output
    assert f"confidence {data['confidence']:.2f}]" in text and ("[confident" in text or f"[{UNSURE}" in text)
    streamed = runner.invoke(app, ["ask", QUESTION, "--stream"], env=env).output
    assert "[grounding check" not in streamed and f"confidence {data['confidence']:.2f}]" in streamed


@pytest.mark.slow
def test_exam_question_is_never_refused_and_cites_only_used_notes(in_tmp, notes_dir, make_settings):
    settings = make_settings(llm="fake/unused")
    ingest_paths([notes_dir], settings, show_bar=False)
    tutor = load_tutor(settings)
    weak = tutor.ask(OFF_TOPIC)
    assert not weak.refused and weak.choice and weak.confident is False
    assert "your notes say nothing about" in weak.answer
    result = tutor.ask(QUESTION)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)}
    assert cited and cited == {c.n for c in result.citations}  # every chip is cited, every citation has a chip


TABLE_NOTE = """# File formats

| Format | Layout | Good for |
|---|---|---|
| Parquet | columnar, compressed | fast, cheap analytic scans of a few columns |
| CSV | row text | simple exchange, human reading |
| RecordIO-protobuf | binary records | Pipe mode streaming into SageMaker built-in algorithms |
"""
FORMAT_QUESTION = ("Analysts scan three columns of a 2 TB dataset every day. Which format keeps the scans "
                   "fast and cheap?\nA) Parquet\nB) CSV\nC) RecordIO-protobuf")


@pytest.mark.slow
def test_exam_reasons_quoted_from_a_table_carry_no_pipes(in_tmp, make_settings):
    from evals.metrics import artefacts

    notes = in_tmp / "table-notes"
    notes.mkdir()
    (notes / "formats.md").write_text(TABLE_NOTE)
    settings = make_settings(corpus_path=notes, llm="fake/unused")
    ingest_paths([notes], settings, show_bar=False)
    result = load_tutor(settings).ask(FORMAT_QUESTION)
    assert result.choice and "Why not" in result.answer
    assert not artefacts(result.answer) and ".." not in result.answer, result.answer
