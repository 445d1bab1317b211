"""make train's calibration: fitted out of fold on the train split; the tune split only reports."""

from __future__ import annotations

import numpy as np

from app.rag.exam_features import FEATURES
from training import train as T
from training.calibrate import OOF_PRECISION, platt
from training.fit import Question


def synthetic(n: int, seed: int) -> list[Question]:
    """Four-option questions whose right option has a higher first feature, plus noise."""
    rng = np.random.default_rng(seed)
    questions = []
    for _ in range(n):
        features = rng.normal(size=(4, len(FEATURES)))
        right = np.zeros(4)
        right[rng.integers(4)] = 1.0
        features[:, 0] += 1.5 * right
        questions.append(Question(features, right, 1))
    return questions


def test_calibration_is_fitted_out_of_fold_on_train_and_never_reads_tune():
    train, tune = synthetic(150, 0), synthetic(40, 1)
    ids = [f"q{i}" for i in range(len(train))]
    shape = (0, 1e-2)
    model = T.fit_candidate(train, *shape)
    figures = T.calibrate(model, shape, train, ids, tune)
    calibration, cut = dict(model.calibration), model.confident_at
    flipped = [Question(q.features, 1.0 - q.right, q.picks) for q in tune]  # tune's answers all wrong now
    other = T.calibrate(model, shape, train, ids, flipped)
    assert model.calibration == calibration and model.confident_at == cut
    assert other["tune_accuracy"] != figures["tune_accuracy"]  # tune is read, for the report only
    margins, correct = T.out_of_fold(model, shape, train, ids)
    confident = platt(margins, model.calibration) >= cut
    assert confident.any() and correct[confident].mean() >= OOF_PRECISION
    assert 0.3 < correct.mean() < 0.95  # held-out folds: the noise is not memorised
