"""Fit the option scorer: a listwise network over each question's options (torch, at training only).

Each question is one softmax over its options; the loss is the cross-entropy against the right
option(s) (spread evenly over them for select-two and select-three). The fitted layers are exported
as numpy arrays for app/rag/exam_model.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

MAX_OPTIONS = 6


@dataclass
class Question:
    """One training question: its option features, which options are right, how many to pick."""

    features: np.ndarray  # options x features
    right: np.ndarray     # options, 1.0 for a right option
    picks: int
    pairs: list[tuple[str, str]] | None = None  # ("stem option", the option's own evidence) per option


def padded(questions: list[Question], mean: np.ndarray, scale: np.ndarray):
    """Standardized features, targets and a mask, padded to MAX_OPTIONS options per question."""
    n, d = len(questions), len(mean)
    x = np.zeros((n, MAX_OPTIONS, d), dtype=np.float32)
    target = np.zeros((n, MAX_OPTIONS), dtype=np.float32)
    mask = np.zeros((n, MAX_OPTIONS), dtype=bool)
    for i, q in enumerate(questions):
        k = len(q.right)
        x[i, :k] = (q.features - mean) / scale
        target[i, :k] = q.right / q.right.sum()
        mask[i, :k] = True
    return torch.from_numpy(x), torch.from_numpy(target), torch.from_numpy(mask)


def make_net(d: int, hidden: int) -> torch.nn.Module:
    """Linear (hidden == 0) or one tanh hidden layer."""
    if hidden == 0:
        return torch.nn.Linear(d, 1)
    return torch.nn.Sequential(torch.nn.Linear(d, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))


def listwise_loss(net: torch.nn.Module, x, target, mask) -> torch.Tensor:
    """Mean cross-entropy of each question's softmax over its options against its right options."""
    logits = net(x).squeeze(-1).masked_fill(~mask, -1e9)
    return -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def fit_net(questions: list[Question], mean: np.ndarray, scale: np.ndarray, hidden: int,
            decay: float, epochs: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Full-batch Adam on the listwise loss; the layers as (weights, bias) numpy pairs."""
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # tiny matrices: one thread is faster than two spinning ones
    x, target, mask = padded(questions, mean, scale)
    net = make_net(x.shape[-1], hidden)
    opt = torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=decay)
    for _ in range(epochs):
        opt.zero_grad()
        listwise_loss(net, x, target, mask).backward()
        opt.step()
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    return [(m.weight.detach().numpy().T.astype(float), m.bias.detach().numpy().astype(float))
            for m in linears]


def standardizer(questions: list[Question]) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and spread over every option of the training questions."""
    stacked = np.vstack([q.features for q in questions])
    return stacked.mean(axis=0), stacked.std(axis=0) + 1e-6
