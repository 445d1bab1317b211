"""What the training bank teaches about an option: does it read like an answer marked right, or like
a distractor, in bank questions about the same thing?

The memory holds the embedded stems, options and "stem option" statements of the bank's train split
with their labels (app/rag/data/exam_memory.npz, written by training/train.py). A bank question whose
stem is all but identical to the asked one is left out, so a bank item never looks itself up (in
training, that is the leave-one-out rule; in use, it changes nothing for a new question).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MEMORY_FILE = Path(__file__).parent / "data" / "exam_memory.npz"
SAME_STEM = 0.98      # a bank stem this close to the asked one is the same question: left out
NEAR_STEM = 0.5       # bank questions at least this close to the stem count for option matches
NEIGHBOURS = 10       # statements voting on an option
VOTE_SHARPNESS = 20.0  # softmax sharpness over the neighbours' similarities
MEMORY_FEATURES = ("mem_right", "mem_wrong", "mem_vote", "mem_opt_right", "mem_opt_wrong")


@dataclass
class ExamMemory:
    """Bank questions' stems; their options and statements with labels (rows of one matrix each)."""

    stems: np.ndarray       # questions x d
    options: np.ndarray     # options x d
    statements: np.ndarray  # options x d
    question: np.ndarray    # options: row of `stems` each option belongs to
    right: np.ndarray       # options: 1.0 for an answer marked right

    def option_features(self, vectors: dict[str, np.ndarray], letters: list[str]) -> list[dict[str, float]]:
        """Per option: closeness to bank answers marked right and wrong, and the neighbours' vote."""
        stem_sim = self.stems @ vectors["stem"]
        keep = stem_sim[self.question] < SAME_STEM
        near = keep & (stem_sim[self.question] >= NEAR_STEM)
        return [self.one_option(vectors[f"s{l}"], vectors[l], keep, near) for l in letters]

    def one_option(self, statement: np.ndarray, option: np.ndarray, keep: np.ndarray,
                   near: np.ndarray) -> dict[str, float]:
        """The memory features of one option."""
        sims = np.where(keep, self.statements @ statement, -1.0)
        top = np.argsort(sims)[::-1][:NEIGHBOURS]
        weights = np.exp(VOTE_SHARPNESS * (sims[top] - sims[top[0]]))
        option_sims = np.where(near, self.options @ option, -1.0)
        return {"mem_right": best(sims, self.right == 1), "mem_wrong": best(sims, self.right == 0),
                "mem_vote": float(weights @ self.right[top] / weights.sum()),
                "mem_opt_right": best(option_sims, self.right == 1),
                "mem_opt_wrong": best(option_sims, self.right == 0)}

    def save(self, path: Path) -> None:
        """Write the memory as float16 vectors (half the size; similarities change by < 0.001)."""
        np.savez_compressed(path, stems=self.stems.astype(np.float16), options=self.options.astype(np.float16),
                            statements=self.statements.astype(np.float16), question=self.question,
                            right=self.right.astype(np.float16))


def best(sims: np.ndarray, mask: np.ndarray) -> float:
    """The highest similarity among the masked rows (0 when there is none above -1)."""
    chosen = sims[mask]
    return float(max(chosen.max(), 0.0)) if chosen.size else 0.0


@cache
def load_memory(path: Path = MEMORY_FILE) -> ExamMemory:
    """The shipped memory (read once per process), as float32 for fast products."""
    with np.load(path) as data:
        return ExamMemory(*(data[k].astype(np.float32) for k in ("stems", "options", "statements")),
                          data["question"], data["right"].astype(np.float32))
