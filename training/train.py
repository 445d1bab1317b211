"""`make train`: fit the exam option scorer on the training banks and write app/rag/data/exam_scorer.json.

1. Ingest corpus/ into a training store (.tutor/train-store; incremental, so cheap when unchanged).
   Embed both training banks (training/exam_bank, training/exam_bank_blind) and the memory bank
   (training/exam_bank_blind3) as the bank memory (app/rag/data/exam_memory.npz), whose vote on each
   option is one of its features (app/rag/exam_memory.py); an item never reads its own label.
2. Read every question of both banks, and the calibration bank's tune half
   (training/exam_bank_blind2, see training/split.py), through the answering pipeline itself
   (Tutor.prepare, Tutor.score_exam with the hand-set scorer only): each option's feature row.
3. Fit every candidate network on both banks (fixed seeds); keep the one with the lowest log-loss on
   the calibration tune half, which was written the way other people write exam questions.
4. Choose on that half how much of the hand-set score (app/rag/exam.py) to add to it.
5. Calibrate its confidence on that half (Platt scaling of the decision margin, and of the network's
   own margin for that choice when the hand-set score is added) and set the "confident" threshold.
6. With --check (`make train-check`), score the calibration bank's check half (no decision is taken
   from it; the shipped exam_scorer.json was written this way).
The test sets (evals/datasets/*test*.jsonl) are never read.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from app.config import get_settings
from app.rag.chain import Tutor, load_tutor
from app.rag.exam import ExamQuestion, HandScorer, parse_exam, question_texts
from app.rag.exam_features import FEATURES
from app.rag.exam_memory import MEMORY_FILE, ExamMemory, load_memory
from app.rag.exam_model import MODEL_FILE, ExamModel, margins_of, to_json
from app.rag.exam_scorer import OptionScorer
from evals.datasets import Item
from ingest.index import ingest_paths
from training.calibrate import confident_threshold, fit_platt, platt
from training.fit import Question, fit_net, standardizer
from training.split import BANK, BLIND, MEMORY_BANK, calibration_halves, load_bank

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [  # (hidden units, weight decay); 0 hidden units is a linear scorer
    (0, 1e-3), (0, 1e-2), (8, 1e-3), (8, 1e-2), (16, 1e-3), (16, 1e-2)]
EPOCHS = 400
SEEDS = (0, 1, 2)  # an ensemble of three networks per candidate, each from its own fixed seed
PRIOR_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)  # hand-set score added to the network's, tried on tune
HAND = (FEATURES.index("hand_evidence"), FEATURES.index("hand_hypothesis"))


def training_tutor(store: Path) -> Tutor:
    """A tutor over a fresh (or up-to-date) ingest of corpus/, scoring with the hand-set scorer only."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = get_settings(store_path=store, corpus_path=ROOT / "corpus", llm="fake/unused")
    ingest_paths([ROOT / "corpus"], settings, show_bar=False)
    tutor = load_tutor(settings)
    tutor.scorer = OptionScorer(tutor.scorer.index, model_file=None, memory_file=None)
    return tutor


def embed_banks(tutor: Tutor, items: list[dict], remembered: list[dict]) -> list[dict[str, np.ndarray]]:
    """Every question text embedded in one pass (length-sorted batches, many times faster than a
    small batch per question); from then on the scorer reads them instead of embedding. `items` are
    read through the pipeline; `remembered` only go into the memory (their stem and statements)."""
    exams = [parse_exam(Item.model_validate(item).prompt()) for item in items]
    layouts = [item_texts(exam) for exam in exams]
    layouts += [memory_texts(parse_exam(Item.model_validate(item).prompt())) for item in remembered]
    embeddings = tutor.scorer.hand.index.embeddings
    flat = np.asarray(embeddings.embed_documents([t for _, texts in layouts for t in texts]))
    vectors, start = [], 0
    for keys, texts in layouts:
        vectors.append(dict(zip(keys, flat[start:start + len(texts)])))
        start += len(texts)
    serve_from(tutor, exams, layouts, vectors)
    return vectors


def item_texts(exam: ExamQuestion) -> tuple[list[str], list[str]]:
    """What answering a bank question embeds: its question texts and the search text of `prepare`."""
    keys, texts = question_texts(exam)
    return keys + ["search"], texts + [f"{exam.stem} {' '.join(exam.options.values())}"]


def memory_texts(exam: ExamQuestion) -> tuple[list[str], list[str]]:
    """What the memory keeps of a bank question: its stem and "stem option" statements."""
    keys, texts = question_texts(exam)
    kept = [n for n, key in enumerate(keys) if key == "stem" or key.startswith("s")]
    return [keys[n] for n in kept], [texts[n] for n in kept]


def serve_from(tutor: Tutor, exams: list[ExamQuestion], layouts: list, vectors: list[dict]) -> None:
    """Make the scorer and the store read the pre-embedded vectors of `exams` (others embed as usual)."""
    hand = tutor.scorer.hand
    known = {exam_key(exam): vector for exam, vector in zip(exams, vectors)}
    embed = hand.embed_question
    hand.embed_question = lambda exam: known.get(exam_key(exam)) or embed(exam)
    # the per-option searches and `prepare` ask for these texts by themselves
    texts = {t: v for (keys, layout), vector in zip(layouts[:len(exams)], vectors)
             for t, v in zip(layout, (vector[k] for k in keys))}
    embeddings = hand.index.embeddings
    query = embeddings.embed_query
    embeddings.embed_query = lambda text: texts[text].tolist() if text in texts else query(text)


def exam_key(exam: ExamQuestion) -> tuple:
    """A question's identity for the embedding cache."""
    return exam.stem, tuple(exam.options.items())


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


def read_question(tutor: Tutor, item: dict) -> Question:
    """One bank item through the answering pipeline: its options' feature rows and the right ones."""
    parsed = Item.model_validate(item)
    prepared = tutor.prepare(parsed.prompt())
    scores = tutor.score_exam(prepared)
    right = np.array([float(s.letter in parsed.answer) for s in scores])
    pairs = [(f"{prepared.exam.stem} {prepared.exam.options[s.letter]}",
              f"{s.best.heading}: {s.best.sentence}" if s.best else "The notes say nothing about this.")
             for s in scores]
    return Question(np.vstack([s.features for s in scores]), right, prepared.exam.picks, pairs)


def read_split(tutor: Tutor, items: list[dict], name: str) -> list[Question]:
    """Every item of one split, with a progress line every 100 items."""
    questions, start = [], time.perf_counter()
    for n, item in enumerate(items, start=1):
        questions.append(read_question(tutor, item))
        if n % 100 == 0 or n == len(items):
            print(f"  {name}: {n}/{len(items)} questions read ({time.perf_counter() - start:.0f} s)", flush=True)
    return questions


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


def calibrate(model: ExamModel, tune: list[Question]) -> dict:
    """Fit the confidence on the tune split and set the "confident" threshold; returns tune figures."""
    correct, margins = confidences(model, tune)
    model.calibration = fit_platt(margins, correct)
    model.confident_at = confident_threshold(platt(margins, model.calibration), correct)
    return judge(model, tune)


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
         crossencoder: bool = False, check: bool = False) -> None:
    """Build the bank memory (both training banks and the memory bank), fit on both training banks,
    choose and calibrate on the calibration bank's tune half (with `check`, also score its check
    half: about two minutes more, no decision taken); write both."""
    start = time.perf_counter()
    fit_items, (tune_items, check_items) = load_bank((BANK, BLIND)), calibration_halves()
    check_items = check_items if check else []
    bank_items = load_bank((MEMORY_BANK,))  # the memory bank is embedded, never read
    print(f"fit on {len(fit_items)}, memory {len(fit_items) + len(bank_items)}, tune {len(tune_items)}, "
          f"check {len(check_items)}", flush=True)
    tutor = training_tutor(store)
    read_items = fit_items + tune_items + check_items
    vectors = embed_banks(tutor, read_items, bank_items)
    print(f"  embedded every question ({time.perf_counter() - start:.0f} s)", flush=True)
    memory_file = out.with_name(MEMORY_FILE.name)
    remembered = vectors[:len(fit_items)] + vectors[len(read_items):]
    build_memory(fit_items + bank_items, remembered).save(memory_file)
    tutor.scorer.memory = load_memory(memory_file)  # the shipped (float16) values, as at answer time
    train, tune = read_split(tutor, fit_items, "fit"), read_split(tutor, tune_items, "tune")
    model, table = select_model(train, tune)
    priors = choose_prior_weight(model, tune)
    figures = calibrate(model, tune)
    if check_items:
        checked = read_split(tutor, check_items, "check")
        figures |= {"check_" + k.removeprefix("tune_"): v for k, v in judge(model, checked).items()}
    meta = {"fit_items": len(train), "tune_items": len(tune), "check_items": len(check_items), "candidates": table,
            "prior_weights": priors, "prior_weight": model.prior_weight, **figures}
    if crossencoder:
        meta["crossencoder"] = compare_crossencoder(model, train, tune)
    meta["seconds"] = round(time.perf_counter() - start)
    out.write_text(to_json(model, meta), encoding="utf-8")
    print(json.dumps(meta, indent=1))
    print(f"wrote {out} ({out.stat().st_size // 1024} KB) and {memory_file.name} in {meta['seconds']} s")


if __name__ == "__main__":
    main(crossencoder="--crossencoder" in sys.argv[1:], check="--check" in sys.argv[1:])
