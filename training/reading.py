"""Embedding the bank questions once and reading them through the answering pipeline, two at a time.

Reading a question (retrieval per option, evidence, features) is one Python thread, so `make train`
reads in one worker process per core; each opens the training store (and only reads it) and serves
the pre-embedded vectors, so every feature row is the one a single process computes.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from unittest.mock import patch

import numpy as np

from app.config import get_settings
from app.rag.chain import Tutor, load_tutor
from app.rag.exam import ExamQuestion, parse_exam, question_texts
from app.rag.exam_memory import load_memory
from app.rag.exam_scorer import OptionScorer
from evals.datasets import Item
from ingest.index import ingest_paths
from training.fit import Question
from training.reuse import reusable

ROOT = Path(__file__).resolve().parents[1]
WORKERS = min(os.cpu_count() or 1, 8)  # one per core (two on the machines we measure on)
# one BLAS thread per worker: two workers with two threads each fight over two cores (measured on 200
# questions: one process 46 s, two workers 54 s, two single-threaded workers 32 s)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
CHUNK = 50     # questions per task: small enough to keep both workers busy to the end
_reader: Tutor | None = None  # a worker's tutor (set once per worker process)


def training_settings(store: Path):
    """Settings of the training store over corpus/ (offline: the bundled models only)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return get_settings(store_path=store, corpus_path=ROOT / "corpus", llm="fake/unused")


def open_tutor(store: Path) -> Tutor:
    """A tutor over the training store, scoring with the hand-set scorer only (no model, no memory)."""
    tutor = load_tutor(training_settings(store))
    tutor.scorer = OptionScorer(tutor.scorer.index, model_file=None, memory_file=None)
    return tutor


def training_tutor(store: Path) -> Tutor:
    """`open_tutor` over a fresh (or up-to-date) ingest of corpus/."""
    ingest_paths([ROOT / "corpus"], training_settings(store), show_bar=False)
    return open_tutor(store)


def embed_banks(tutor: Tutor, items: list[dict], remembered: list[dict],
                stored: dict[int, np.ndarray] | None = None, model: str = "") -> list[dict[str, np.ndarray]]:
    """Every question text embedded in one pass (length-sorted batches, many times faster than a
    small batch per question). `items` are read through the pipeline later; `remembered` only go
    into the memory (their stem and statements), and take the vectors `stored` under `model` holds
    for their texts (training/reuse.py)."""
    layouts = [item_texts(exam) for exam in map(parse_item, items)]
    layouts += [memory_texts(parse_item(item)) for item in remembered]
    embed = tutor.scorer.hand.index.embeddings.embed_documents
    reused = reusable(layouts[len(items):], stored or {}, model, embed)
    todo = [text for n, (_, texts) in enumerate(layouts) for text in texts if n < len(items) or text not in reused]
    flat = iter(np.asarray(embed(todo)) if todo else [])
    print(f"  embedded {len(todo)} texts, reused {sum(len(t) for _, t in layouts) - len(todo)} from the stored memory",
          flush=True)
    return [{key: next(flat) if n < len(items) or text not in reused else reused[text]
             for key, text in zip(keys, texts)} for n, (keys, texts) in enumerate(layouts)]


def parse_item(item: dict) -> ExamQuestion:
    """A bank item as the exam question a user would paste."""
    return parse_exam(Item.model_validate(item).prompt())


def item_texts(exam: ExamQuestion) -> tuple[list[str], list[str]]:
    """What answering a bank question embeds: its question texts and the search text of `prepare`."""
    keys, texts = question_texts(exam)
    return keys + ["search"], texts + [f"{exam.stem} {' '.join(exam.options.values())}"]


def memory_texts(exam: ExamQuestion) -> tuple[list[str], list[str]]:
    """What the memory keeps of a bank question: its stem and "stem option" statements."""
    keys, texts = question_texts(exam)
    kept = [n for n, key in enumerate(keys) if key == "stem" or key.startswith("s")]
    return [keys[n] for n in kept], [texts[n] for n in kept]


def serve_from(tutor: Tutor, items: list[dict], vectors: list[dict]) -> None:
    """Make the scorer and the store read the pre-embedded vectors of `items` (others embed as usual)."""
    exams = [parse_item(item) for item in items]
    hand = tutor.scorer.hand
    known = {exam_key(exam): vector for exam, vector in zip(exams, vectors)}
    embed = hand.embed_question
    hand.embed_question = lambda exam: known.get(exam_key(exam)) or embed(exam)
    # the per-option searches and `prepare` ask for these texts by themselves
    texts = {t: vector[k] for exam, vector in zip(exams, vectors) for k, t in zip(*item_texts(exam))}
    embeddings = hand.index.embeddings
    query = embeddings.embed_query
    embeddings.embed_query = lambda text: texts[text].tolist() if text in texts else query(text)


def exam_key(exam: ExamQuestion) -> tuple:
    """A question's identity for the embedding cache."""
    return exam.stem, tuple(exam.options.items())


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


def start_reader(store: Path, memory_file: Path, items: list[dict], vectors: list[dict]) -> None:
    """A worker's tutor: the training store, the bank memory as written, the bank's vectors."""
    global _reader
    _reader = open_tutor(store)
    _reader.scorer.memory = load_memory(memory_file)  # the shipped (float16) values, as at answer time
    serve_from(_reader, items, vectors)


def read_chunk(items: list[dict]) -> list[Question]:
    """Some bank items through the worker's pipeline."""
    return [read_question(_reader, item) for item in items]


def read_all(store: Path, memory_file: Path, items: list[dict], vectors: list[dict]) -> list[Question]:
    """Every item through the pipeline in WORKERS processes, in order, with a progress line per 500."""
    chunks = [items[n:n + CHUNK] for n in range(0, len(items), CHUNK)]
    questions, start = [], time.perf_counter()
    with patch.dict(os.environ, ONE_THREAD), ProcessPoolExecutor(  # the workers' BLAS reads it at start
            WORKERS, mp_context=get_context("spawn"), initializer=start_reader,
            initargs=(store, memory_file, items, vectors)) as pool:
        for part in pool.map(read_chunk, chunks):
            questions += part
            if len(questions) % 500 == 0 or len(questions) == len(items):
                print(f"  {len(questions)}/{len(items)} questions read ({time.perf_counter() - start:.0f} s)",
                      flush=True)
    return questions
