"""The answer card's parts without models: note units, question shapes, used citations, artefacts."""

from __future__ import annotations

import pytest

from app.rag.card import Card, build_card, cite
from app.rag.evidence import Evidence, word_in
from app.rag.question import question_shape
from app.rag.rarity import Rarity
from app.rag.refusal import asking_sentence, is_weak, refusal_text, unknown_names
from app.rag.result import Citation, EvidenceSentence, TutorAnswer, keep_used_citations
from app.rag.retrieval import Hit
from app.rag.units import note_units
from evals.metrics import artefacts, first_sentence_term

TABLE = """Inference options > Comparison table

| Option | Payload limit | Time limit | Scales to zero |
|---|---|---|---|
| Real-time endpoint | 6 MB | 60 s | No |
| Asynchronous Inference | 1 GB | 1 hour | Yes |
"""

TERSE = """cheat sheet

File mode (default)
  - whole dataset copied from S3 before training starts
Pipe mode
  - streams from S3 into a FIFO pipe, no full download
spot training ........ up to 90% off, needs checkpoints
MLA-C01 study deck - training   3/15
Notes app > Notebooks > ML | Back to notebook | Share
tags: #training #s3
"""

PROSE = """Exam strategy > Scoring

The exam has 65 questions and lasts 130 minutes, and results are reported as a scaled
score.1 Unscored questions are not marked. See *Exam guide* for the list, e.g. Domain 1 and
Domain 2.

- A real-time endpoint for a nightly job: it works, but you pay for idle instances all day. Batch
  Transform is the cost-effective answer.
---
## Next steps
"""


def texts(chunk: str) -> list[str]:
    return [u.text for u in note_units(chunk)]


def test_table_rows_keep_their_column_names():
    assert texts(TABLE) == ["Real-time endpoint - payload limit: 6 MB; time limit: 60 s; scales to zero: No",
                            "Asynchronous Inference - payload limit: 1 GB; time limit: 1 hour; scales to zero: Yes"]


def test_terse_items_get_their_label_and_page_furniture_is_dropped():
    units = texts(TERSE)
    assert "File mode (default): whole dataset copied from S3 before training starts" in units
    assert "Pipe mode: streams from S3 into a FIFO pipe, no full download" in units
    assert "spot training: up to 90% off, needs checkpoints" in units
    assert not any("3/15" in u or "Back to notebook" in u or "#" in u for u in units)


def test_prose_is_joined_and_cleaned():
    units = texts(PROSE)
    assert units[0] == ("The exam has 65 questions and lasts 130 minutes, and results are reported as a "
                        "scaled score.")
    assert units[1] == "Unscored questions are not marked."  # the glued footnote digit is gone
    assert units[2] == "See Exam guide for the list, e.g. Domain 1 and Domain 2."  # no split after 'e.g.'
    assert units[3:] == ["A real-time endpoint for a nightly job: it works, but you pay for idle instances all "
                         "day.", "Batch Transform is the cost-effective answer."]  # the wrap is joined
    assert not any(set(u) & set("|#*") or "---" in u for u in units)


@pytest.mark.parametrize("question, kind, x, y", [
    ("When should I use Asynchronous Inference instead of a real-time endpoint?", "choose",
     "Asynchronous Inference", "real-time endpoint"),
    ("Why Parquet over CSV?", "choose", "Parquet", "CSV"),
    ("What is the difference between SageMaker File mode and Pipe mode for training input?", "contrast",
     "File mode", "Pipe mode"),
    ("How does a shadow test differ from an A/B test?", "contrast", "shadow test", "A/B test"),
    ("What does ModelLatency measure compared with OverheadLatency?", "contrast", "ModelLatency", "OverheadLatency"),
    ("Why is accuracy misleading for imbalanced classes?", "why", "", ""),
    ("When should a team choose SageMaker Savings Plans?", "when", "", ""),
    ("What does SageMaker Neo do?", "define", "", ""),
    ("How do you tell underfitting from overfitting using training scores?", "contrast", "underfitting",
     "overfitting"),
    ("What makes DeepAR a good fit for many products?", "why", "", ""),
    ("How long does Kinesis Data Streams keep records by default?", "amount", "", ""),
    ("What are the four types of monitoring in Model Monitor?", "list", "", ""),
    ("What is the first step of a pipeline and how is it cached?", "what", "", ""),
    ("How does automated data labeling cut labeling cost?", "how", "", ""),
    ("How does early stopping work in automatic model tuning?", "how", "early stopping", ""),
    ("How do I make sure each user works with one variant?", "how", "", ""),
    ("What is Kinesis Data Streams? And when would I choose it over Firehose?", "choose",
     "What is Kinesis Data Streams?", "Firehose"),
])
def test_question_shapes(question, kind, x, y):
    shape = question_shape(question)
    assert (shape.kind, shape.x, shape.y) == (kind, x, y)


def evidence(n: int, sentence: str, score: float, heading: str = "Notes > Section", **kw) -> Evidence:
    return Evidence(n, f"c{n}", sentence, score, heading, **kw)


def test_card_answers_the_asked_side_first_and_leaves_other_topics_out():
    scored = [
        evidence(1, "Real-time endpoints answer each request synchronously in milliseconds", 0.9, cosine=0.7),
        evidence(2, "Choose Asynchronous Inference for large payloads when the caller can wait", 0.8),
        evidence(3, "Asynchronous Inference - payload limit: 1 GB; time limit: 1 hour", 0.7, row=True),
        evidence(1, "Early stopping ends training jobs that will not beat the best one", 0.85, cosine=0.5),
        evidence(4, "Exam trap: near real time with payloads of hundreds of MB points to Asynchronous "
                    "Inference", 0.6, heading="Inference > Exam traps"),
    ]
    rarity = Rarity({"asynchronous": 2, "inference": 5, "real": 6, "time": 6, "endpoint": 8}, 40)
    card = build_card("When should I use Asynchronous Inference instead of a real-time endpoint?", scored, rarity)
    text = card.text()
    assert text.startswith("Choose Asynchronous Inference for large payloads")
    assert "Early stopping" not in text
    assert "Key facts:\n- Asynchronous Inference - payload limit: 1 GB; time limit: 1 hour [3]." in text
    assert text.endswith("Exam tip: Near real time with payloads of hundreds of MB points to Asynchronous "
                         "Inference [4].")
    assert artefacts(text) == []


def test_a_how_answer_explains_instead_of_naming_the_choice_and_goes_on_in_its_passage():
    scored = [
        evidence(1, "Reduce labeling cost on a large dataset - choose: Ground Truth automated data labeling",
                 0.9, row=True),
        evidence(2, "Ground Truth automated data labeling uses active learning", 0.85, position=0),
        evidence(2, "Humans label a sample; Ground Truth trains a model on those labels and sends only "
                    "uncertain items to humans", 0.6, position=1),
        evidence(3, "Ground Truth Plus is a turnkey labeling service run by an expert workforce", 0.7),
    ]
    rarity = Rarity({"ground": 3, "truth": 3, "automated": 4, "labeling": 5, "cost": 9}, 40)
    card = build_card("How does Ground Truth automated data labeling cut labeling cost?", scored, rarity)
    assert [e.sentence[:30] for e in card.answer] == [scored[1].sentence[:30], scored[2].sentence[:30]]
    # a row that names something new is still a fine first sentence
    scored[0].sentence = "Confidential data - choose: Ground Truth with a private workforce"
    card = build_card("How does Ground Truth keep confidential data private?", scored, rarity)
    assert card.answer[0] is scored[0]


def test_how_a_named_thing_works_opens_with_it_and_stays_on_it():
    # one section holds both settings; the question asks about one of them
    heading = "Tuning > Early stopping and warm start"
    scored = [
        evidence(1, "Warm start launches a new tuning job that reuses the results of earlier tuning jobs",
                 0.8, heading=heading, position=0),
        evidence(1, "Early stopping lets SageMaker stop training jobs that are unlikely to beat the best job",
                 0.7, heading=heading, position=1),
        evidence(1, "Warm start takes one or more parent tuning jobs", 0.6, heading=heading, position=2),
        evidence(2, "Automatic model tuning runs many training jobs and keeps the best", 0.65),
    ]
    rarity = Rarity({"early": 4, "stopping": 3, "warm": 3, "start": 6, "tuning": 5, "automatic": 6}, 40)
    card = build_card("How does early stopping work in automatic model tuning?", scored, rarity)
    assert [e.sentence[:14] for e in card.answer] == ["Early stopping"]
    assert all("Warm start" not in e.sentence for e in card.answer)


def test_a_signpost_to_another_note_is_not_an_answer():
    scored = [
        evidence(1, "The exam expects you to know where data bias comes from and how Clarify measures it", 0.9),
        evidence(1, "Bias in the data before training is covered in Pre-training bias", 0.85),
        evidence(2, "Class imbalance (CI) compares how many samples each facet group has", 0.6),
        evidence(2, "See *Model evaluation* for precision and recall", 0.8),
    ]
    rarity = Rarity({"bias": 3, "clarify": 3, "data": 8, "facet": 2}, 40)
    card = build_card("How does Clarify measure data bias?", scored, rarity)
    assert [e.n for e in card.evidence()] == [2]


def test_a_long_situation_gets_the_key_facts_of_its_answer_s_own_passage():
    scored = [
        evidence(1, "Asynchronous Inference puts incoming requests in a queue and processes them in the "
                    "background for uploaded recordings", 0.62, cosine=0.61, position=0),
        evidence(1, "The request points to an object in S3, so payloads can be as large as 1 GB, and "
                    "processing may take up to one hour", 0.50, cosine=0.37, position=1),
        evidence(2, "Early stopping ends training jobs that will not beat the best one", 0.49, cosine=0.2),
    ]
    rarity = Rarity({"recording": 2, "upload": 3, "customer": 4, "minute": 6, "notification": 3}, 40)
    question = ("Customers upload audio recordings of around 300 MB that our model processes in a few "
                "minutes. They only need a notification when results are ready; which option fits?")
    text = build_card(question, scored, rarity).text()
    assert "1 GB" in text and "Early stopping" not in text


def test_cite_keeps_the_case_of_names_and_places_the_marker():
    assert cite(evidence(2, "ml.inf2 -> AWS Inferentia2.", 1.0)) == "ml.inf2 -> AWS Inferentia2 [2]."
    assert cite(evidence(1, "pipe mode streams data;", 1.0)) == "Pipe mode streams data [1]."
    assert Card().text() == ""


def citations(count: int) -> list[Citation]:
    return [Citation(n=i, source=f"s{i}.md", heading="h", chunk_id=f"c{i}", score=0.5, rank=i)
            for i in range(1, count + 1)]


def test_keep_used_citations_renumbers_by_first_use():
    answer = TutorAnswer(answer="B fits [3]. It scales [1] [3]. Ghost [9].", citations=citations(4),
                         model="m", query="q",
                         evidence=[EvidenceSentence(n=4, chunk_id="c4", sentence="x", score=1.0)])
    used = keep_used_citations(answer)
    assert used.answer == "B fits [1]. It scales [2] [1]. Ghost."
    assert [(c.n, c.chunk_id) for c in used.citations] == [(1, "c3"), (2, "c1")]
    assert [(c.n, c.chunk_id) for c in used.more_sources] == [(3, "c2"), (4, "c4")]
    assert used.evidence[0].n == 4 and keep_used_citations(used) == used


def test_refusal_cites_the_closest_topics():
    hits = [Hit(f"c{i}", "x", {"title": title}) for i, title in enumerate(["A", "B", "A", "C", "D"])]
    text = refusal_text(hits)
    assert text.endswith("are: A [1]; B [2]; C [4].")
    assert [c.chunk_id for c in keep_used_citations(TutorAnswer(
        answer=text, citations=citations(5), model="m", query="q")).citations] == ["c1", "c2", "c4"]


def test_names_and_words_match_their_short_forms():
    vocabulary = frozenset({"does", "async", "inference", "monitoring", "vertexes"})
    assert unknown_names("Does Asynchronous Inference scale?", vocabulary) == []
    assert unknown_names("Does Azure ML scale?", vocabulary) == ["Azure"]
    assert word_in("monitor", {"monitoring"}) and not word_in("ever", {"everest"})
    assert word_in("fine-tune", {"fine-tuning"}) and word_in("fine-tuning", {"fine-tune"})
    assert not word_in("internal", {"international"}) and not word_in("bed", {"be"})


def test_a_situation_is_judged_by_its_asking_sentence_too():
    hits = [Hit("c1", "Retrieval-augmented generation (RAG) suits documents that change often; fine-tuning "
                      "a model does not keep up with weekly edits.", {}, 0.5)]
    story = ("Our support desk answers from 2,000 policy documents revised every week. "
             "Should we fine-tune a model or use RAG?")
    # the story's words are in no note; the asking sentence's are
    assert asking_sentence(story) == "Should we fine-tune a model or use RAG?"
    assert not is_weak(story, hits, frozenset(), statement_cosine=0.6)
    assert is_weak("Our support desk answers from 2,000 policy documents revised every week.", hits,
                   frozenset(), statement_cosine=0.6)


def test_refusal_thresholds_follow_the_store_scale():
    hits = [Hit("c1", "Pipe mode streams training data from S3", {}, score=0.2)]
    question = "How does Pipe mode stream training data?"
    assert not is_weak(question, hits, frozenset(), statement_cosine=0.25, scale=0.7)
    assert is_weak(question, hits, frozenset(), statement_cosine=0.25, scale=1.0)
    assert is_weak("How do I bake bread?", hits, frozenset(), statement_cosine=0.9, scale=0.7)


def test_artefact_scan_and_first_sentence():
    for bad in ("Use it --- [1].", "a | b", "## Heading\ntext", "a scaled score.1 Unscored", "<notes> [1] x"):
        assert artefacts(bad), bad
    assert artefacts("Up to 90% off -> use ml.p4d.24xlarge, 1.5 GB [1].\n\nKey facts:\n- x [2].") == []
    assert first_sentence_term("Pipe mode streams data [1]. File mode copies [1].", [["copies"], ["stream"]])
    assert not first_sentence_term("Key facts:\n- File mode copies [1].\nPipe streams.", [["stream"]])


def test_a_breadcrumb_with_one_pipe_is_navigation_not_a_statement():
    body = ("Driftwood Notes > Notebooks > MLA cert > Domain 2 | Back to notebook\n\n"
            "Guardrails for Bedrock filter harmful content in prompts and model responses.\n")
    units = [u.text for u in note_units(f"Title > Section\n\n{body}")]
    assert units == ["Guardrails for Bedrock filter harmful content in prompts and model responses."]
