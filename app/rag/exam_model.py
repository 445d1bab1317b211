"""The learned exam-option scorer and its calibrated confidence, run with numpy alone.

training/train.py fits a small network over the option features (app/rag/exam_features.py) on the
training banks, chooses it and calibrates its confidence on the calibration bank's tune half, and writes
its weights to app/rag/data/exam_scorer.json. Answering needs no torch and no scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).parent / "data" / "exam_scorer.json"


class ModelMissing(RuntimeError):
    """The scorer's weights file is absent or unreadable; str() is one line for the user."""


@dataclass
class ExamModel:
    """Feature standardization, network layers, and the confidence calibration fitted on tune."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    members: list[list[tuple[np.ndarray, np.ndarray]]]  # networks of (weights, bias) layers, averaged
    calibration: dict[str, float]               # Platt scaling of the decision margin
    confident_at: float                          # confidence from which an answer is "confident"
    prior_weight: float = 0.0                    # weight of the hand-set score, chosen on tune

    def logits(self, features: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """One score per option (higher is better); comparable within a question only.

        With a `prior` (the hand-set score) and a prior weight, both are put on one scale across the
        options and added: the hand-set weights carry what the training bank teaches too weakly."""
        x = (features - self.mean) / self.scale
        net = np.mean([run_layers(layers, x) for layers in self.members], axis=0)
        if prior is None or not self.prior_weight:
            return net
        return spread(net) + self.prior_weight * spread(np.asarray(prior, dtype=float))

    def confidence(self, logits: np.ndarray, picks: int, net: np.ndarray | None = None) -> float:
        """Calibrated chance that the chosen set is right: from the gap to the best option left out
        and, when the hand-set score is added, the network's own gap for the same choice (`net`)."""
        return calibrated(np.asarray(margins_of(logits, picks, net)), self.calibration)


def chosen_margin(logits: np.ndarray, chosen: np.ndarray) -> float:
    """How far the lowest chosen option scores above the best option left out (negative: below)."""
    rest = np.delete(logits, chosen)
    return float(logits[chosen].min() - rest.max()) if len(rest) else 10.0


def margins_of(logits: np.ndarray, picks: int, net: np.ndarray | None = None) -> list[float]:
    """What the confidence reads: the margin of the chosen set, and the network's margin for it."""
    chosen = np.argsort(logits, kind="stable")[::-1][:picks]
    own = [chosen_margin(logits, chosen)]
    return own if net is None else own + [chosen_margin(np.asarray(net), chosen)]


def calibrated(margins: np.ndarray, calibration: dict[str, float]) -> np.ndarray | float:
    """Platt scaling: a logistic function of the margin(s) (one row, or a matrix of rows)."""
    weights = np.array([calibration["a"], calibration.get("c", 0.0)])[:np.shape(margins)[-1]]
    value = 1.0 / (1.0 + np.exp(-(np.asarray(margins) @ weights + calibration["b"])))
    return float(value) if np.ndim(value) == 0 else value


def spread(values: np.ndarray) -> np.ndarray:
    """Scores of one question's options with zero mean and unit spread."""
    return (values - values.mean()) / (values.std() or 1.0)


def run_layers(layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> np.ndarray:
    """One network's output for standardized option rows: affine layers with tanh between them."""
    for i, (weights, bias) in enumerate(layers):
        x = x @ weights + bias
        if i < len(layers) - 1:
            x = np.tanh(x)
    return x.ravel()


def to_json(model: ExamModel, meta: dict) -> str:
    """The model as JSON (lists of floats), with what training measured in `meta`."""
    return json.dumps({"features": model.features, "mean": model.mean.tolist(), "scale": model.scale.tolist(),
                       "members": [[[w.tolist(), b.tolist()] for w, b in layers] for layers in model.members],
                       "calibration": model.calibration, "confident_at": model.confident_at,
                       "prior_weight": model.prior_weight,
                       "meta": meta}, indent=0)


def from_dict(data: dict) -> ExamModel:
    """An ExamModel from its JSON form."""
    return ExamModel(data["features"], np.asarray(data["mean"]), np.asarray(data["scale"]),
                     [[(np.asarray(w), np.asarray(b)) for w, b in layers] for layers in data["members"]],
                     data["calibration"], float(data["confident_at"]), float(data.get("prior_weight", 0.0)))


@cache
def load_model(path: Path = MODEL_FILE) -> ExamModel:
    """The shipped scorer (read once per process)."""
    try:
        return from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelMissing(f"{path}: exam scorer weights missing or unreadable ({exc.__class__.__name__}); "
                           "run `make train`") from exc
