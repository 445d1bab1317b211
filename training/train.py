"""`make train`: fit the exam option scorer on the training banks and write app/rag/data/exam_scorer.json.

1. Ingest corpus/ into a training store (.tutor/train-store; incremental, so cheap when unchanged).
   Embed both training banks (training/exam_bank, training/exam_bank_blind) and the memory bank
   (training/exam_bank_blind3) as the bank memory (app/rag/data/exam_memory.npz), whose vote on each
   option is one of its features (app/rag/exam_memory.py); an item never reads its own label.
   Memory-bank texts the present memory file already holds keep their vectors unless --fresh
   (training/reuse.py): they are most of what is embedded.
2. Read every question of both banks, and both halves of the calibration bank (training/exam_bank_blind2,
   see training/split.py), through the answering pipeline itself (Tutor.prepare, Tutor.score_exam with
   the hand-set scorer only; training/reading.py, one worker process per core): each option's feature row.
3. Fit every candidate network on both banks (fixed seeds); keep the one with the lowest log-loss on
   the calibration tune half, which was written the way other people write exam questions.
4. Choose on that half how much of the hand-set score (app/rag/exam.py) to add to it.
5. Calibrate its confidence on that half (Platt scaling of the decision margin, and of the network's
   own margin for that choice when the hand-set score is added) and set the "confident" threshold
   where the tune and check halves pooled, at or above it, are right 96 % of the time as a group
   (training/calibrate.py). Since session 12 the check half is calibration data, not a check.
The test sets (evals/datasets/*test*.jsonl) are never read.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from app.providers import embedding_model_name
from app.rag.exam import HandScorer
from app.rag.exam_features import FEATURES
from app.rag.exam_memory import MEMORY_FILE, ExamMemory
from app.rag.exam_model import MODEL_FILE, ExamModel, margins_of, to_json
from training.calibrate import confident_threshold, fit_platt, platt
from training.fit import Question, fit_net, standardizer
from training.reading import embed_banks, memory_texts, parse_item, read_all, training_tutor
from training.reuse import memory_keys, stored_vectors
from training.split import BANK, BLIND, MEMORY_BANK, calibration_halves, load_bank

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [  # (hidden units, weight decay); 0 hidden units is a linear scorer
    (0, 1e-3), (0, 1e-2), (8, 1e-3), (8, 1e-2), (16, 1e-3), (16, 1e-2)]
EPOCHS = 400
SEEDS = (0, 1, 2)  # an ensemble of three networks per candidate, each from its own fixed seed
PRIOR_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)  # hand-set score added to the network's, tried on tune
HAND = (FEATURES.index("hand_evidence"), FEATURES.index("hand_hypothesis"))


def build_memory(items: list[dict], vectors: list[dict[str, np.ndarray]]) -> ExamMemory:
    """The bank memory: every item's stem and "stem option" statements, embedded, with their labels."""
    stems, statements, question, right = [], [], [], []
    for n, (item, vector) in enumerate(zip(items, vectors)):
        letters = sorted(item["choices"])
        stems.append(vector["stem"])
        statements += [vector[f"s{letter}"] for letter in letters]
        question += [n] * len(letters)
        right += [float(letter in item["answer"]) for letter in letters]
    return ExamMemory(np.vstack(stems), np.vstack(statements), np.array(question), np.array(right))


def row_keys(model: str, items: list[dict]) -> dict[str, np.ndarray]:
    """The reuse keys of the memory's rows (training/reuse.py), in `build_memory`'s order."""
    return memory_keys(model, [memory_texts(parse_item(item)) for item in items],
                       [sorted(item["choices"]) for item in items])


def hand_prior(question: Question) -> np.ndarray:
    """The hand-set score of each option, from its two readings kept among the features."""
    return HandScorer.combine(question.features[:, HAND[0]], question.features[:, HAND[1]])


def option_logits(model: ExamModel, questions: list[Question]) -> list[np.ndarray]:
    """The model's option scores for every question (with the hand-set score at its prior weight)."""
    return [model.logits(q.features, hand_prior(q)) for q in questions]


def choose_prior_weight(model: ExamModel, tune: list[Question]) -> list[dict]:
    """Set the weight of the hand-set score that answers most tune questions right (ties: the smaller)."""
    rows = []
    for weight in PRIOR_WEIGHTS:
        model.prior_weight = weight
        rows.append({"prior_weight": weight, "tune_accuracy": float(accuracy(option_logits(model, tune), tune).mean())})
        print(f"  prior {rows[-1]}", flush=True)
    model.prior_weight = max(rows, key=lambda r: (r["tune_accuracy"], -r["prior_weight"]))["prior_weight"]
    return rows


def accuracy(logits: list[np.ndarray], questions: list[Question]) -> np.ndarray:
    """1.0 per question whose `picks` best options are exactly its right ones."""
    return np.array([float(set(np.argsort(l)[::-1][:q.picks]) == set(np.flatnonzero(q.right)))
                     for l, q in zip(logits, questions)])


def log_loss(logits: list[np.ndarray], questions: list[Question]) -> float:
    """Mean cross-entropy of each question's softmax against its right option(s)."""
    losses = []
    for l, q in zip(logits, questions):
        log_p = l - l.max() - np.log(np.exp(l - l.max()).sum())
        losses.append(-(q.right / q.right.sum() * log_p).sum())
    return float(np.mean(losses))


def fit_candidate(train: list[Question], hidden: int, decay: float) -> ExamModel:
    """An ensemble of SEEDS networks of one shape, fitted on the train split (not yet calibrated)."""
    mean, scale = standardizer(train)
    members = [fit_net(train, mean, scale, hidden, decay, EPOCHS, seed) for seed in SEEDS]
    return ExamModel(list(FEATURES), mean, scale, members, {"a": 1.0, "b": 0.0}, 0.95)


def select_model(train: list[Question], tune: list[Question]) -> tuple[ExamModel, list[dict]]:
    """Fit every candidate; the one with the lowest tune log-loss wins. Also returns the comparison."""
    table, best = [], None
    for hidden, decay in CANDIDATES:
        model = fit_candidate(train, hidden, decay)
        logits = option_logits(model, tune)
        row = {"hidden": hidden, "decay": decay, "tune_accuracy": float(accuracy(logits, tune).mean()),
               "tune_log_loss": log_loss(logits, tune)}
        print(f"  candidate {row}", flush=True)
        table.append(row)
        if best is None or row["tune_log_loss"] < best[0]:
            best = (row["tune_log_loss"], model)
    return best[1], table


def confidences(model: ExamModel, questions: list[Question]) -> tuple[np.ndarray, np.ndarray]:
    """(right or not, margins the confidence reads) for every question."""
    logits = option_logits(model, questions)
    nets = [model.logits(q.features) if model.prior_weight else None for q in questions]  # the network alone
    margins = np.array([margins_of(l, q.picks, n) for l, q, n in zip(logits, questions, nets)])
    return accuracy(logits, questions), margins


def calibrate(model: ExamModel, tune: list[Question], check: list[Question]) -> dict:
    """Fit the confidence on the tune half and set the "confident" threshold on both halves pooled
    (a 95 % group measured on 300 answers moves by over a point); returns the figures of each half and
    of both pooled."""
    correct, margins = confidences(model, tune)
    model.calibration = fit_platt(margins, correct)
    pooled_correct, pooled_margins = confidences(model, tune + check)
    model.confident_at = confident_threshold(platt(pooled_margins, model.calibration), pooled_correct)
    figures = judge(model, tune)
    for name, questions in (("check", check), ("pooled", tune + check)):
        figures |= {name + k.removeprefix("tune"): v for k, v in judge(model, questions).items()} if check else {}
    return figures


def judge(model: ExamModel, questions: list[Question]) -> dict:
    """Accuracy, confident share and its accuracy, and the confidence's log-loss on some questions."""
    correct, margins = confidences(model, questions)
    confidence = np.clip(platt(margins, model.calibration), 1e-6, 1 - 1e-6)
    confident = confidence >= model.confident_at
    loss = -np.mean(correct * np.log(confidence) + (1 - correct) * np.log(1 - confidence))
    return {"tune_accuracy": float(correct.mean()), "tune_confident_coverage": float(confident.mean()),
            "tune_confident_accuracy": float(correct[confident].mean()) if confident.any() else None,
            "tune_confidence_log_loss": float(loss)}


def compare_crossencoder(model: ExamModel, train: list[Question], tune: list[Question]) -> list[dict]:
    """Option (a): the cross-encoder alone and added to the feature scorer, on the tune split."""
    from training.crossencoder import fit_crossencoder, predict  # lazy: imports torch and transformers

    tokenizer, encoder = fit_crossencoder(train)
    encoded, features = predict(tokenizer, encoder, tune), option_logits(model, tune)
    rows = []
    for weight in (None, 0.25, 0.5, 1.0, 2.0):
        logits = encoded if weight is None else [f + weight * e for f, e in zip(features, encoded)]
        rows.append({"crossencoder_weight": "alone" if weight is None else weight,
                     "tune_accuracy": float(accuracy(logits, tune).mean()), "tune_log_loss": log_loss(logits, tune)})
        print(f"  cross-encoder {rows[-1]}", flush=True)
    return rows


def main(store: Path = ROOT / ".tutor" / "train-store", out: Path = MODEL_FILE,
         crossencoder: bool = False, reuse: bool = True) -> None:
    """Build the bank memory (both training banks and the memory bank), fit on both training banks,
    choose and calibrate on the calibration bank's tune half, set the "confident" threshold on both
    its halves; write both. With `reuse`, memory-bank texts the present memory already holds keep
    their vectors (training/reuse.py)."""
    start = time.perf_counter()
    fit_items, (tune_items, check_items) = load_bank((BANK, BLIND)), calibration_halves()
    bank_items = load_bank((MEMORY_BANK,))  # the memory bank is embedded, never read
    print(f"fit on {len(fit_items)}, memory {len(fit_items) + len(bank_items)}, tune {len(tune_items)}, "
          f"check {len(check_items)}", flush=True)
    tutor = training_tutor(store)
    read_items = fit_items + tune_items + check_items
    memory_file, model = out.with_name(MEMORY_FILE.name), embedding_model_name(tutor.settings)
    stored = stored_vectors(memory_file, model) if reuse else {}
    vectors = embed_banks(tutor, read_items, bank_items, stored, model)
    print(f"  embedded every question ({time.perf_counter() - start:.0f} s)", flush=True)
    remembered = vectors[:len(fit_items)] + vectors[len(read_items):]
    build_memory(fit_items + bank_items, remembered).save(memory_file, **row_keys(model, fit_items + bank_items))
    questions = read_all(store, memory_file, read_items, vectors[:len(read_items)])
    train, tune = questions[:len(fit_items)], questions[len(fit_items):len(fit_items) + len(tune_items)]
    checked = questions[len(fit_items) + len(tune_items):]
    model, table = select_model(train, tune)
    priors = choose_prior_weight(model, tune)
    figures = calibrate(model, tune, checked)
    meta = {"fit_items": len(train), "tune_items": len(tune), "check_items": len(check_items), "candidates": table,
            "prior_weights": priors, "prior_weight": model.prior_weight, **figures}
    if crossencoder:
        meta["crossencoder"] = compare_crossencoder(model, train, tune)
    meta["seconds"] = round(time.perf_counter() - start)
    out.write_text(to_json(model, meta), encoding="utf-8")
    print(json.dumps(meta, indent=1))
    print(f"wrote {out} ({out.stat().st_size // 1024} KB) and {memory_file.name} in {meta['seconds']} s")


if __name__ == "__main__":
    main(crossencoder="--crossencoder" in sys.argv[1:], reuse="--fresh" not in sys.argv[1:])
