"""Exam mode (option parsing and scoring) and the rule-based follow-up rewrite."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from app.rag.evidence import SentenceIndex
from app.rag.exam import HandScorer, choose, distinctive_words, parse_exam, standardize
from app.rag.retrieval import Hit
from app.rag.text import content_words
from app.rag.followup import needs_context, rewrite_query

STEM = "A team needs predictions for 500 MB payloads. Which option fits?"


@pytest.mark.parametrize("style", ["{l}) {t}", "{l}. {t}", "({l}) {t}", "{l}: {t}", "{low}) {t}", "({low}) {t}"])
def test_parse_exam_accepts_common_option_styles(style):
    options = ["Real-time endpoint", "Asynchronous Inference", "Serverless Inference", "Batch"]
    text = STEM + "\n" + "\n".join(style.format(l="ABCD"[i], low="abcd"[i], t=t) for i, t in enumerate(options))
    exam = parse_exam(text)
    assert exam.stem == STEM and exam.picks == 1
    assert exam.options == dict(zip("ABCD", options))


def test_parse_exam_reads_select_two():
    exam = parse_exam("Which steps reduce cost? (Select TWO.)\nA) a\nB) b\nC) c\nD) d\nE) e")
    assert exam.picks == 2 and list(exam.options) == list("ABCDE")
    assert "Select" not in exam.stem
    # "which two" alone is not a select-two: "Which two rates are on an ROC curve's axes?" has one answer
    for stem, picks in (("Which two rates are on its axes?", 1), ("What three settings apply? (Choose 3)", 3),
                        ("Which steps reduce cost? Select any two.", 2), ("Which steps? (choose the two)", 2)):
        assert parse_exam(f"{stem}\nA) a\nB) b\nC) c\nD) d\nE) e").picks == picks, stem


def test_parse_exam_reads_options_pasted_on_one_line():
    exam = parse_exam(STEM + " A) Real-time endpoint B) Asynchronous Inference (C) Serverless D) Batch (Select TWO)")
    assert exam.stem == STEM and exam.picks == 2
    assert exam.options == {"A": "Real-time endpoint", "B": "Asynchronous Inference", "C": "Serverless", "D": "Batch"}


@pytest.mark.parametrize("text", ["What is SageMaker?", "A) only\nB) two options",
                                  "Pick one:\nA) x\nC) y\nD) z",
                                  "Is plan A) cheaper than B) or not?", "Compare A) x, C) y and D) z"])
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


class BagOfWords(Embeddings):
    """Deterministic embedding: hashed content-word counts, normalised (cosine = shared words)."""

    def embed_documents(self, texts):
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text):
        vec = np.zeros(512)
        for word in content_words(text):
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % 512] += 1.0
        return list(vec / (np.linalg.norm(vec) or 1.0))


SCALING = ("Auto scaling\n\nAn asynchronous endpoint can scale its instance count down to zero when "
           "the queue is empty. A real-time endpoint keeps at least one instance running all night.")
NIGHT = ("An asynchronous inference endpoint is idle every night. How can the team stop paying for "
         "instances while the queue is empty?\nA) Switch to a smaller instance type at night\n"
         "B) Set the minimum instance count to zero\nC) Use a longer scale-out cooldown")


def test_distinctive_words_leave_out_shared_and_stem_words():
    exam = parse_exam(NIGHT)
    distinct = distinctive_words(exam)
    assert distinct["B"] == {"set", "minimum", "count", "zero"}
    assert "instance" not in distinct["A"] and "night" not in distinct["A"]  # in B, in the stem
    assert list(standardize([1.0, 2.0, 3.0])) == pytest.approx([-1.2247, 0.0, 1.2247], abs=1e-4)
    assert list(standardize([2.0, 2.0])) == [0.0, 0.0]  # no spread: no division by zero


def test_option_named_by_the_evidence_wins_and_cites_it():
    hit = Hit("c1", SCALING, {"heading": "Auto scaling", "source": "scaling.md"}, score=0.8, rrf=1.0)
    scores = HandScorer(SentenceIndex(BagOfWords())).score(parse_exam(NIGHT), [hit])
    assert choose(scores, 1) == ["B"]
    best = {s.letter: s for s in scores}["B"].best
    assert best.n == 1 and "down to zero" in best.sentence


def test_score_options_without_evidence_scores_zero():
    scores = HandScorer(SentenceIndex(BagOfWords())).score(parse_exam(NIGHT), [])
    assert [s.score for s in scores] == [0.0, 0.0, 0.0]
