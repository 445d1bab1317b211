"""Option parsing for exam mode and the rule-based follow-up rewrite (pure functions)."""

from __future__ import annotations

import pytest

from app.exam import parse_exam
from app.followup import needs_context, rewrite_query

STEM = "A team needs predictions for 500 MB payloads. Which option fits?"


@pytest.mark.parametrize("style", ["{l}) {t}", "{l}. {t}", "({l}) {t}", "{l}: {t}"])
def test_parse_exam_accepts_common_option_styles(style):
    options = ["Real-time endpoint", "Asynchronous Inference", "Serverless Inference", "Batch"]
    text = STEM + "\n" + "\n".join(style.format(l="ABCD"[i], t=t) for i, t in enumerate(options))
    exam = parse_exam(text)
    assert exam.stem == STEM and exam.picks == 1
    assert exam.options == dict(zip("ABCD", options))


def test_parse_exam_reads_select_two():
    exam = parse_exam("Which steps reduce cost? (Select TWO.)\nA) a\nB) b\nC) c\nD) d\nE) e")
    assert exam.picks == 2 and list(exam.options) == list("ABCDE")
    assert "Select" not in exam.stem


@pytest.mark.parametrize("text", ["What is SageMaker?", "A) only\nB) two options",
                                  "Pick one:\nA) x\nC) y\nD) z"])
def test_parse_exam_ignores_questions_without_ordered_options(text):
    assert parse_exam(text) is None


def test_follow_up_is_rewritten_with_the_last_user_turn():
    history = [{"role": "user", "content": "What is SageMaker Serverless Inference?"},
               {"role": "assistant", "content": "It scales to zero."}]
    assert needs_context("And what does it cost?")
    query = rewrite_query("And what does it cost?", history)
    assert query.startswith("What is SageMaker Serverless Inference?") and query.endswith("cost?")


def test_standalone_question_is_left_alone():
    history = [{"role": "user", "content": "What is Amazon Kinesis?"}]
    question = "How does SageMaker Model Monitor detect data quality drift in production?"
    assert rewrite_query(question, history) == question
    assert rewrite_query("And its cost?", None) == "And its cost?"
