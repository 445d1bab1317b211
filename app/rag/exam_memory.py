"""What the training bank says about an option: do bank statements close to "stem + option" belong
to answers marked right or to distractors? And do bank options that add to their question what this
option adds to its own (the residual vote), in questions about the same need?

The memory holds the embedded stems and "stem option" statements of the training banks and the
memory bank, with their labels (app/rag/data/exam_memory.npz, written by `make train`; never a
calibration or test item). A bank question whose stem is all but identical to the asked one is left
out, so in training an item never looks itself up, and a pasted bank question is not answered from
its own label.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zipfile import BadZipFile

import numpy as np

from app.rag.exam_model import ModelMissing

MEMORY_FILE = Path(__file__).parent / "data" / "exam_memory.npz"
SAME_STEM = 0.95  # a bank stem this close to the asked one is the same question: left out
NEIGHBOURS = 5    # bank statements that vote on an option
# The residual vote (chosen on the calibration bank's tune half, evals/README.md, session 12): the
# RESIDUAL_NEIGHBOURS bank options closest in what they add to their own question, counting the bank
# question's stem similarity at STEM_WEIGHT, weighted by exp(similarity / TEMPERATURE)
RESIDUAL_NEIGHBOURS = 20
STEM_WEIGHT = 1.0
TEMPERATURE = 0.1
NEUTRAL = {"mem_right": 0.5, "mem_top": 0.0, "mem_res_right": 0.5, "mem_res_top": 0.0}  # no memory to ask
UNREADABLE = (OSError, KeyError, ValueError, EOFError, BadZipFile, zlib.error)  # np.load on a missing or bad file


@dataclass
class ExamMemory:
    """Bank stems (questions x d) and "stem option" statements (options x d) with their labels."""

    stems: np.ndarray
    statements: np.ndarray
    question: np.ndarray  # per statement: its row in `stems`
    right: np.ndarray     # per statement: 1.0 for an answer marked right
    residuals: np.ndarray = field(init=False, repr=False)  # per statement: what it adds to its question

    def __post_init__(self) -> None:
        self.residuals = residuals_of(self.statements, self.question, len(self.stems))

    def features(self, vectors: dict[str, np.ndarray], letters: list[str]) -> dict[str, dict[str, float]]:
        """Per option: the similarity-weighted share of right answers among its nearest bank
        statements, and the nearest one's similarity, negative when it is a distractor. Neutral when
        the question was embedded by another model than the bank (vectors of another size)."""
        if vectors["stem"].shape[-1] != self.stems.shape[-1]:
            return {letter: dict(NEUTRAL) for letter in letters}
        stem_sims = (self.stems @ vectors["stem"])[self.question]
        keep = stem_sims < SAME_STEM
        asked = residuals_of(np.vstack([vectors[f"s{l}"] for l in letters]), np.zeros(len(letters), int), 1)
        return {letter: self.vote(vectors[f"s{letter}"], keep) | self.residual_vote(own, stem_sims, keep)
                for letter, own in zip(letters, asked)}

    def vote(self, statement: np.ndarray, keep: np.ndarray) -> dict[str, float]:
        """The nearest-statement vote on one option."""
        sims = np.where(keep, self.statements @ statement, -1.0)
        count = min(NEIGHBOURS, len(sims))
        near = np.argpartition(sims, -count)[-count:]  # a full sort of the memory costs more than the rest
        top = near[np.argsort(sims[near])[::-1]]
        weights = np.maximum(sims[top], 0.0)
        share = float(weights @ self.right[top] / weights.sum()) if weights.sum() > 0 else 0.5
        return {"mem_right": share, "mem_top": float(sims[top[0]] * (1.0 if self.right[top[0]] else -1.0))}

    def residual_vote(self, residual: np.ndarray, stem_sims: np.ndarray, keep: np.ndarray) -> dict[str, float]:
        """Do bank options that add to their question what this one adds to its own, in questions
        about the same need, belong to right answers? A long scenario makes every option's statement
        alike; the residual keeps what tells the options apart."""
        sims = np.where(keep, self.residuals @ residual + STEM_WEIGHT * stem_sims, -np.inf)
        count = min(RESIDUAL_NEIGHBOURS, int(keep.sum()))
        if count == 0:
            return {"mem_res_right": 0.5, "mem_res_top": 0.0}
        near = np.argpartition(sims, -count)[-count:]
        top = near[np.argsort(sims[near])[::-1]]
        weights = np.exp((sims[top] - sims[top[0]]) / TEMPERATURE)
        nearest = float(self.residuals[top[0]] @ residual) * (1.0 if self.right[top[0]] else -1.0)
        return {"mem_res_right": float(weights @ self.right[top] / weights.sum()), "mem_res_top": nearest}

    def save(self, path: Path, **extra: np.ndarray) -> None:
        """Write the memory with float16 vectors (a third of the size; similarities move < 0.001),
        and any `extra` arrays the answering side does not read (`make train`'s reuse keys)."""
        np.savez_compressed(path, stems=self.stems.astype(np.float16),
                            statements=self.statements.astype(np.float16),
                            question=self.question.astype(np.int32), right=self.right.astype(np.int8), **extra)


def residuals_of(statements: np.ndarray, question: np.ndarray, questions: int) -> np.ndarray:
    """Each statement less the mean of its own question's statements, at unit length."""
    means = np.zeros((questions, statements.shape[1]), dtype=statements.dtype)
    np.add.at(means, question, statements)
    means /= np.maximum(np.bincount(question, minlength=questions), 1)[:, None]
    rest = statements - means[question]
    return rest / (np.linalg.norm(rest, axis=1, keepdims=True) + 1e-9)


@cache
def load_memory(path: Path = MEMORY_FILE) -> ExamMemory:
    """The shipped memory, read once per process; missing or unreadable ends in one line."""
    try:
        with np.load(path) as data:
            return ExamMemory(data["stems"].astype(np.float32), data["statements"].astype(np.float32),
                              data["question"], data["right"].astype(np.float32))
    except UNREADABLE as exc:
        raise ModelMissing(f"{path}: exam memory missing or unreadable ({exc.__class__.__name__}); "
                           "run `make train`") from None
