"""The tutor CLI through typer's runner."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from app.cli import app
from app.rag import exam_scorer
from app.rag.exam_model import ExamModel

runner = CliRunner()


def env_for(tmp_path) -> dict:
    return {"TUTOR_STORE_PATH": str(tmp_path / "store"),
            "TUTOR_LLM": "fake/SageMaker Serverless Inference scales to zero between requests [1].",
            "TUTOR_NOTES_PATH": str(tmp_path / "none")}


def test_ingest_then_ask_json(in_tmp, notes_dir):
    env = env_for(in_tmp)
    first = runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    assert first.exit_code == 0, first.output
    assert "2 added" in first.output
    again = runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    assert "2 unchanged" in again.output and "nothing to embed" in again.output
    asked = runner.invoke(app, ["ask", "Does Serverless Inference scale to zero?", "--json", "--k", "2"],
                          env=env)
    assert asked.exit_code == 0, asked.output
    data = json.loads(asked.output)
    assert data["answer"].startswith("SageMaker Serverless Inference scales to zero")
    assert data["citations"][0]["n"] == 1 and data["grounded"] and not data["fallback"]
    assert len(data["citations"]) + len(data["more_sources"]) == 2  # the cited chunk, then the rest
    assert {"evidence", "refused", "choice", "query", "model"} <= set(data)


def test_bad_setting_is_one_line(in_tmp):
    result = runner.invoke(app, ["ask", "q"], env={**env_for(in_tmp), "TUTOR_K": "zero"})
    assert result.exit_code == 1
    assert "invalid setting TUTOR_K" in result.output and "Traceback" not in result.output


def test_unknown_provider_is_one_line(in_tmp, notes_dir):
    env = {**env_for(in_tmp), "TUTOR_LLM": "nosuch/model"}
    runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    result = runner.invoke(app, ["ask", "q"], env=env)
    assert result.exit_code == 1 and "unknown LLM provider 'nosuch'" in result.output


def test_chat_understands_a_follow_up(in_tmp, notes_dir):
    env = env_for(in_tmp)
    assert runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env).exit_code == 0
    turns = "What is SageMaker Serverless Inference?\nAnd does it scale to zero?\n\n"
    result = runner.invoke(app, ["chat"], env=env, input=turns)
    assert result.exit_code == 0, result.output
    assert result.output.count("Sources:") == 2
    assert "Serverless Inference" in result.output.split("Sources:")[1]


def test_eval_rejects_a_bad_dataset_in_one_line(in_tmp):
    bad = in_tmp / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "expect": "maybe"}\n')
    result = runner.invoke(app, ["eval", "--dataset", str(bad)], env=env_for(in_tmp))
    assert result.exit_code == 1 and "bad.jsonl:1: expect" in result.output


def test_exam_weights_from_another_feature_list_are_one_line(in_tmp, notes_dir, monkeypatch):
    stale = ExamModel(["old_feature"], np.zeros(1), np.ones(1), [], {"a": 1.0, "b": 0.0}, 0.95)
    monkeypatch.setattr(exam_scorer, "load_model", lambda path: stale)  # weights from before a feature change
    env = env_for(in_tmp)
    runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    question = ("Which option scales to zero between requests?\nA) Serverless Inference\nB) A real-time endpoint\n"
                "C) Amazon Route 53\nD) A notebook instance")
    result = runner.invoke(app, ["ask", question], env=env)
    assert result.exit_code == 1 and "trained on other features; run `make train`" in result.output, result.output
    assert "Traceback" not in result.output
