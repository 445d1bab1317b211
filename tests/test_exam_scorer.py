"""The learned exam scorer's parts: option features, own-evidence reasons, the numpy model, calibration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from app.rag.evidence import SentenceIndex
from app.rag.exam import OptionScore, explain, parse_exam
from app.rag.exam_features import FEATURES, OptionView
from app.rag.exam_memory import MEMORY_FILE, NEUTRAL, ExamMemory, load_memory
from app.rag.exam_model import ExamModel, ModelMissing, from_dict, load_model, to_json
from app.rag.exam_scorer import OptionScorer, merge_hits, own_evidence, softmax
from app.rag.retrieval import Hit
from tests.test_exam import BagOfWords
from training.calibrate import confident_threshold, decision_margin, fit_platt, platt
from training.reuse import stored_vectors
from evals.datasets import Item
from training.split import BANK, BLIND, BLIND2, MEMORY_BANK, calibration_halves, load_bank, split_bank

NOTES = ("Inference options\n\nBatch Transform scores a whole dataset in Amazon S3 offline, with no "
         "persistent endpoint. A real-time endpoint keeps instances running for low-latency requests. "
         "Serverless Inference scales to zero between requests.")
QUESTION = ("A retailer must score 30 million records in Amazon S3 every night and needs no persistent "
            "endpoint. Which option fits?\nA) A real-time endpoint called once per record\n"
            "B) A Batch Transform job over the S3 dataset\nC) Amazon Route 53 weighted records only\n"
            "D) Disable the endpoint and score records by hand")


def scored(model_file=None) -> tuple[list[OptionScore], dict]:
    """The four options of QUESTION scored over one note (hash embedding), with their own hits."""
    hit = Hit("c1", NOTES, {"heading": "Inference options", "source": "inference.md"}, score=0.7)
    exam = parse_exam(QUESTION)
    option_hits = {letter: [hit] for letter in exam.options}
    vocabulary = frozenset("batch transform score dataset s3 offline endpoint real-time serverless "
                           "inference amazon instance request".split())
    scorer = OptionScorer(SentenceIndex(BagOfWords()), model_file)
    return scorer.score(exam, merge_hits([hit], option_hits), option_hits, vocabulary), exam


def feature(scores: list[OptionScore], letter: str, name: str) -> float:
    """One named feature of one option."""
    row = next(s for s in scores if s.letter == letter).features
    return float(row[FEATURES.index(name)])


def test_features_read_cues_names_and_own_evidence():
    scores, _ = scored()
    assert all(s.features.shape == (len(FEATURES),) for s in scores)
    assert feature(scores, "C", "cue_absolute") == 1.0 and feature(scores, "B", "cue_absolute") == 0.0
    assert feature(scores, "D", "cue_disable") == 1.0 and feature(scores, "D", "cue_manual") == 1.0
    assert feature(scores, "C", "unknown_name") == 1.0  # Route 53 is in no note
    assert feature(scores, "B", "unknown_name") == 0.0 and feature(scores, "B", "own_terms") > 0
    assert sum(feature(scores, letter, "about_z") for letter in "ABCD") == pytest.approx(0.0, abs=1e-9)


def test_each_reason_is_about_its_own_option():
    scores, exam = scored()
    by_letter = {s.letter: s for s in scores}
    assert "Batch Transform" in by_letter["B"].best.sentence
    assert "real-time endpoint" in by_letter["A"].best.sentence
    assert by_letter["C"].best is None  # the notes never talk about Route 53
    text = explain(exam, scores, ["B"])
    assert 'Why not C (Amazon Route 53 weighted records only): your notes say nothing about' in text
    assert "Why not A (A real-time endpoint called once per record): A real-time endpoint keeps" in text


def test_own_evidence_skips_a_sentence_about_another_option():
    scores, _ = scored()
    view_scores = {s.letter: s for s in scores}
    # D shares "endpoint" with A, but its distinctive words (disable, hand) are in no sentence
    assert view_scores["D"].best is None or "Batch" not in view_scores["D"].best.sentence
    assert own_evidence(None, {}) is None


def test_a_reason_must_name_the_option_beyond_aws():
    # "AWS DMS": the only sentence shares just "AWS" with it (half its distinctive words)
    hit = Hit("c1", "Step Functions: general AWS workflow with retries", {}, 1.0)
    view = OptionView(["Step Functions: general AWS workflow with retries"], ["Orchestration"], [hit],
                      np.array([0.5]), np.array([0.3]), np.array([0.5]), np.array([0.5]), np.array([0.0]))
    assert own_evidence(view, {"c1": 1}, {"aws", "dms"}) is None
    assert own_evidence(view, {"c1": 1}, {"aws", "workflow"}).sentence.startswith("Step Functions")


def tiny_model(members, calibration=None) -> ExamModel:
    d = len(FEATURES)
    return ExamModel(list(FEATURES), np.zeros(d), np.ones(d), members,
                     calibration or {"a": 2.0, "b": -1.0}, 0.8)


def test_model_round_trips_through_json_and_averages_its_members(tmp_path):
    d = len(FEATURES)
    rng = np.random.default_rng(0)
    linear = [(rng.normal(size=(d, 1)), np.zeros(1))]
    hidden = [(rng.normal(size=(d, 4)), np.zeros(4)), (rng.normal(size=(4, 1)), np.zeros(1))]
    model = tiny_model([linear, hidden])
    path = tmp_path / "m.json"
    path.write_text(to_json(model, {"note": "test"}))
    again = load_model(path)
    x = rng.normal(size=(4, d))
    expected = (x @ linear[0][0]).ravel() / 2 + (np.tanh(x @ hidden[0][0]) @ hidden[1][0]).ravel() / 2
    assert np.allclose(again.logits(x), expected) and again.confident_at == 0.8
    assert json.loads(path.read_text())["meta"] == {"note": "test"}
    assert from_dict(json.loads(path.read_text())).features == list(FEATURES)


def test_the_hand_score_is_added_at_its_prior_weight(tmp_path):
    d = len(FEATURES)
    weights = np.zeros((d, 1))
    weights[0, 0] = 1.0  # the network reads the first feature alone
    model = tiny_model([[(weights, np.zeros(1))]])
    x = np.zeros((3, d))
    x[:, 0] = [2.0, 1.0, 0.0]
    hand = np.array([0.0, 0.0, 9.0])
    assert np.argmax(model.logits(x, hand)) == 0  # weight 0: the hand score is ignored
    model.prior_weight = 2.0
    spread = lambda v: (v - v.mean()) / v.std()
    assert np.allclose(model.logits(x, hand), spread(x[:, 0]) + 2.0 * spread(hand))
    assert np.argmax(model.logits(x, hand)) == 2
    path = tmp_path / "m.json"
    path.write_text(to_json(model, {}))
    assert from_dict(json.loads(path.read_text())).prior_weight == 2.0


def test_confidence_grows_with_the_margin_and_is_a_probability():
    model = tiny_model([[(np.zeros((len(FEATURES), 1)), np.zeros(1))]])
    small = model.confidence(np.array([1.0, 0.9, 0.0, -1.0]), 1)
    large = model.confidence(np.array([3.0, 0.0, 0.0, -1.0]), 1)
    two = model.confidence(np.array([3.5, 3.0, 0.0, -1.0]), 2)
    assert 0 < small < large < 1 and two == pytest.approx(large)
    assert decision_margin(np.array([3.0, 2.9, 0.0]), 2) == pytest.approx(2.9)


def test_platt_fit_recovers_a_known_slope_and_threshold_reaches_precision():
    rng = np.random.default_rng(1)
    margins = rng.uniform(0, 4, 4000)
    correct = (rng.uniform(size=4000) < 1 / (1 + np.exp(-(1.5 * margins - 1.0)))).astype(float)
    fitted = fit_platt(margins, correct)
    assert fitted["a"] == pytest.approx(1.5, abs=0.2) and fitted["b"] == pytest.approx(-1.0, abs=0.2)
    conf = platt(margins, fitted)
    cut = confident_threshold(conf, correct)
    assert correct[conf >= cut].mean() >= 0.95 and (conf >= cut).mean() > 0.2


def test_confident_threshold_is_set_for_the_group_with_a_point_to_spare():
    # calibrated confidences, each answer right exactly as often as its confidence says
    conf = np.repeat([0.99, 0.9, 0.8, 0.5], [600, 200, 100, 100])
    correct = np.concatenate([np.arange(n) < round(c * n) for c, n in ((0.99, 600), (0.9, 200),
                                                                       (0.8, 100), (0.5, 100))]).astype(float)
    cut = confident_threshold(conf, correct)
    assert cut == 0.9  # the group from 0.9 up is right 96.8 % of the time; from 0.8 up 94.6 %
    assert correct[conf >= cut].mean() >= 0.96
    # asked for 0.97, the group from 0.9 up (0.968) is short: only the top group qualifies
    assert confident_threshold(conf, correct, precision=0.97) == 0.99
    # asked for 0.94, the group from 0.8 up (0.946) is enough
    assert confident_threshold(conf, correct, precision=0.94) == 0.8
    # nothing qualifies: the per-answer cut
    assert confident_threshold(np.full(10, 0.6), np.zeros(10)) == 0.95


def synthetic_questions(n: int, seed: int) -> list:
    """Four-option questions whose first feature points at the right option through noise."""
    from training.fit import Question
    rng, d, out = np.random.default_rng(seed), len(FEATURES), []
    for _ in range(n):
        right = np.zeros(4)
        right[rng.integers(4)] = 1.0
        features = np.zeros((4, d))
        features[:, 0] = right * 1.5 + rng.normal(size=4)
        out.append(Question(features, right, 1))
    return out


def test_calibration_reports_tune_check_and_pooled_and_the_pooled_group_reaches_the_target():
    from training.train import calibrate, judge
    weights = np.zeros((len(FEATURES), 1))
    weights[0, 0] = 3.0
    model = tiny_model([[(weights, np.zeros(1))]], calibration={"a": 1.0, "b": 0.0})
    model.confident_at = 0.0
    tune, check = synthetic_questions(300, 1), synthetic_questions(300, 2)
    figures = calibrate(model, tune, check)
    assert {"tune_accuracy", "check_accuracy", "pooled_accuracy", "pooled_confident_accuracy"} <= set(figures)
    assert figures["pooled_confident_accuracy"] >= 0.96 and 0 < figures["pooled_confident_coverage"] < 1
    assert figures["pooled_accuracy"] == pytest.approx((figures["tune_accuracy"] + figures["check_accuracy"]) / 2)
    assert judge(model, check)["tune_accuracy"] == figures["check_accuracy"]
    assert calibrate(model, tune, []).keys() == judge(model, tune).keys()


def test_two_margin_calibration_reads_the_network_margin_too():
    rng = np.random.default_rng(2)
    combined, network = rng.uniform(0, 3, 4000), rng.uniform(-1, 3, 4000)
    chance = 1 / (1 + np.exp(-(0.5 * combined + 1.5 * network - 1.0)))
    correct = (rng.uniform(size=4000) < chance).astype(float)
    fitted = fit_platt(np.column_stack([combined, network]), correct)
    assert fitted["c"] == pytest.approx(1.5, abs=0.25) and fitted["a"] == pytest.approx(0.5, abs=0.25)
    model = tiny_model([[(np.zeros((len(FEATURES), 1)), np.zeros(1))]], fitted)
    logits, net = np.array([2.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.5])  # the network prefers B
    assert model.confidence(logits, 1, net) < model.confidence(logits, 1, -net)
    assert platt(np.array([[1.0, -1.0]]), fitted)[0] == pytest.approx(model.confidence(logits, 1, net))


def test_softmax_and_scorer_without_a_model_use_the_hand_scores():
    assert softmax(np.array([0.0, 0.0])).tolist() == [0.5, 0.5]
    scores, _ = scored(model_file=None)
    assert abs(sum(s.prob for s in scores) - 1.0) < 1e-9


def test_weights_trained_on_other_features_are_refused_with_one_line(tmp_path):
    model = tiny_model([[(np.zeros((len(FEATURES) - 1, 1)), np.zeros(1))]])
    model.features = list(FEATURES)[:-1]  # weights from before a feature was added
    path = tmp_path / "old.json"
    path.write_text(to_json(model, {}))
    with pytest.raises(ModelMissing, match="trained on other features; run `make train`"):
        scored(model_file=path)


def test_banks_split_apart_and_the_blind_bank_never_moves_our_bank_s_items():
    ours, blind = load_bank((BANK,)), load_bank((BLIND,))
    assert len(blind) >= 600 and all(i["id"].startswith("ob-") for i in blind)
    assert not {i["id"] for i in ours} & {i["id"] for i in blind}
    train, tune = split_bank(ours)
    both_train, both_tune = split_bank(ours + blind)
    assert {i["id"] for i in tune} == {i["id"] for i in both_tune if i["id"].startswith("tr-")}
    blind_tune = [i for i in both_tune if i["id"].startswith("ob-")]
    assert abs(len(blind_tune) / len(blind) - 0.25) < 0.01 and len(tune) / len(ours) < 0.16
    for item in blind:  # every blind item reads as an exam question with its answer among the options
        assert set(item["answer"]) <= set(item["choices"]) and item["style"] in ("long", "short", "terse")


def test_the_calibration_bank_is_halved_per_domain_and_shares_no_item_with_the_fit_banks():
    tune, check = calibration_halves()
    fit_ids = {i["id"] for i in load_bank((BANK, BLIND))}
    assert len(tune) == len(check) >= 300 and not {i["id"] for i in tune} & {i["id"] for i in check}
    assert all(i["id"].startswith("oc-") and i["id"] not in fit_ids for i in tune + check)
    for domain in ("D1", "D2", "D3", "D4"):  # each domain is split in half, not just the whole bank
        assert sum(i["domain"] == domain for i in tune) == sum(i["domain"] == domain for i in check)
    for item in tune + check:
        assert set(item["answer"]) <= set(item["choices"]) and item["style"] in ("long", "short", "terse")


def test_the_memory_bank_is_its_own_set_and_every_item_reads_as_an_exam_question():
    memory = load_bank((MEMORY_BANK,))
    others = {i["id"] for i in load_bank((BANK, BLIND, BLIND2))}
    assert len(memory) >= 5950 and len({i["id"] for i in memory}) == len(memory)
    writers = ("od-", "oe-", "of-", "og-", "oh-", "oi-", "oj-", "ok-", "ol-", "om-")
    assert all(i["id"][:3] in writers and i["id"] not in others for i in memory)
    for item in memory:  # a label the memory stores must be one of the item's own options
        assert set(item["answer"]) <= set(item["choices"]) and item["style"] in ("long", "short", "terse")
        exam = parse_exam(Item.model_validate(item).prompt())
        assert exam.picks == len(item["answer"]) and set(exam.options) == set(item["choices"]), item["id"]


def test_no_memory_bank_question_resembles_a_test_question():
    """The memory bank left out stems that share most words with a test stem (helpers converge on
    classic questions); this keeps a later addition from bringing one back."""
    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z0-9]+", text.lower()))
    folder = Path(__file__).resolve().parents[1] / "evals" / "datasets"
    tests = [words(json.loads(line)["question"]) for name in ("exam_test.jsonl", "exam_test2.jsonl", "test.jsonl")
             for line in (folder / name).read_text(encoding="utf-8").splitlines() if '"choices"' in line]
    for item in load_bank((MEMORY_BANK,)):
        stem = words(item["question"])
        assert max(len(stem & t) / len(stem | t) for t in tests) < 0.6, item["id"]


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=float)
    return vector / np.linalg.norm(vector)


def test_bank_memory_votes_by_the_nearest_bank_answers_and_skips_the_same_question(tmp_path):
    stems = np.vstack([unit(1, 0, 0), unit(0, 1, 0)])
    statements = np.vstack([unit(1, 1, 0), unit(1, -1, 0), unit(0, 1, 1)])
    memory = ExamMemory(stems, statements, np.array([0, 0, 1]), np.array([1.0, 0.0, 1.0]))
    memory.save(tmp_path / "m.npz")
    loaded = load_memory(tmp_path / "m.npz")
    asked = {"stem": unit(0, 0, 1), "sA": unit(1, 1, 0.1), "sB": unit(1, -1, 0.1)}
    votes = loaded.features(asked, ["A", "B"])
    assert votes["A"]["mem_top"] > 0.9 and votes["B"]["mem_top"] < -0.9  # nearest: right vs distractor
    assert votes["A"]["mem_right"] > votes["B"]["mem_right"]
    # asking bank question 0 itself: its own statements are left out, so it cannot read its label
    own = loaded.features({"stem": unit(1, 0, 0), "sA": unit(1, 1, 0), "sB": unit(1, -1, 0)}, ["A", "B"])
    assert own["A"]["mem_top"] > 0 and own["A"]["mem_top"] < 0.9 and own["B"]["mem_top"] < 0.9
    # a question embedded by another model (another size) gets the neutral vote, not a crash
    other = {"stem": np.ones(4) / 2, "sA": np.ones(4) / 2}
    assert loaded.features(other, ["A"]) == {"A": NEUTRAL}


def test_the_residual_vote_matches_what_an_option_adds_to_its_own_question(tmp_path):
    # bank question 0: option A (right) and B (wrong) differ along the third axis only
    stems = np.vstack([unit(1, 0, 0, 0), unit(0, 0, 0, 1)])
    statements = np.vstack([unit(1, 0, 1, 0), unit(1, 0, -1, 0), unit(0, 1, 0, 1), unit(0, -1, 0, 1)])
    memory = ExamMemory(stems, statements, np.array([0, 0, 1, 1]), np.array([1.0, 0.0, 0.0, 1.0]))
    memory.save(tmp_path / "m.npz")
    loaded = load_memory(tmp_path / "m.npz")
    # another question, worded alike in its stem: its option A adds what bank question 0's right answer adds
    asked = {"stem": unit(1, 0.6, 0, 0), "sA": unit(1, 0.6, 0.3, 0), "sB": unit(1, 0.6, -0.3, 0)}
    votes = loaded.features(asked, ["A", "B"])
    assert votes["A"]["mem_res_top"] > 0.9 and votes["B"]["mem_res_top"] < -0.9
    assert votes["A"]["mem_res_right"] > 0.5 > votes["B"]["mem_res_right"]
    # swapping the options' wording swaps the vote: it reads the option, not its letter
    swapped = loaded.features({**asked, "sA": asked["sB"], "sB": asked["sA"]}, ["A", "B"])
    assert swapped["A"]["mem_res_right"] < 0.5 < swapped["B"]["mem_res_right"]


def test_a_missing_bank_memory_is_one_line(tmp_path):
    with pytest.raises(ModelMissing, match="exam memory missing or unreadable .* run `make train`"):
        load_memory(tmp_path / "none.npz")


def test_a_truncated_bank_memory_is_one_line_and_is_not_reused(tmp_path):
    cut = tmp_path / "cut.npz"
    cut.write_bytes(MEMORY_FILE.read_bytes()[:100_000])
    with pytest.raises(ModelMissing, match="cut.npz: exam memory missing or unreadable .* run `make train`"):
        load_memory(cut)
    assert stored_vectors(cut, "bundled:all-MiniLM-L6-v2") == {}
