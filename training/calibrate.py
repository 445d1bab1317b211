"""Confidence calibration: Platt scaling of the decision margin (fitted on the calibration bank's tune
half), and the threshold from which an answer is called "confident": a group of answers right at
least 96 % of the time on the tune and check halves pooled (95 % and a point to spare)."""

from __future__ import annotations

import numpy as np

from app.rag.exam_model import calibrated, margins_of

TARGET_PRECISION = 0.95  # confident answers, as a group, should be right this often
# Precision to spare, set in session 10 before the pooled rule: a 95 % group measured on a few hundred
# answers moves by over a point from sample to sample (evals/README.md, session 12)
SAFETY = 0.01


def decision_margin(logits: np.ndarray, picks: int) -> float:
    """Gap between the last chosen option and the best one left out (what the confidence reads)."""
    return margins_of(logits, picks)[0]


def fit_platt(margins: np.ndarray, correct: np.ndarray, prior: float = 1.0, steps: int = 100) -> dict[str, float]:
    """Logistic fit of correct ~ a * margin (+ c * second margin) + b by Newton steps, with a weak
    Gaussian prior on the weights. `margins` is one column or two (app/rag/exam_model.margins_of)."""
    columns = np.asarray(margins, dtype=float).reshape(len(margins), -1)
    x = np.column_stack([columns, np.ones(len(columns))])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - correct) + w / prior**2
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.eye(len(w)) / prior**2
        w -= np.linalg.solve(hess, grad)
    fitted = {"a": float(w[0]), "b": float(w[-1])}
    return fitted | ({"c": float(w[1])} if columns.shape[1] == 2 else {})


def platt(margins: np.ndarray, calibration: dict[str, float]) -> np.ndarray:
    """Calibrated confidences for margins (one column or two)."""
    columns = np.asarray(margins, dtype=float)
    return calibrated(columns.reshape(len(columns), -1), calibration)


def confident_threshold(confidences: np.ndarray, correct: np.ndarray,
                        precision: float = TARGET_PRECISION + SAFETY) -> float:
    """The lowest confidence from which the answers at or above it, as a group, are right `precision`
    of the time (the calibration bank's tune and check halves pooled); 0.95 when no cut qualifies."""
    for cut in np.sort(np.unique(confidences)):
        if correct[confidences >= cut].mean() >= precision:
            return float(cut)
    return TARGET_PRECISION
