"""Option (a), measured against the feature scorer: a cross-encoder fine-tuned from the bundled MiniLM.

Each option becomes one pair ("stem option", the option's own evidence sentence); a question's
pairs share one softmax, as in training/fit.py. `make train-crossencoder` fits it after the feature
scorer and prints its tune-set accuracy and log-loss next to the feature scorer's, alone and added
to it; that is how the shipped scorer was chosen (evals/README.md). Nothing it fits is shipped.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from app.providers import bundled_embedding_path
from training.fit import Question

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MAX_TOKENS = 192
QUESTIONS_PER_STEP = 4


def load_encoder(path: str):
    """sentence-transformers' CrossEncoder over the bundled MiniLM weights (a new one-output head):
    its tokenizer and its sequence classifier, trained below with a listwise loss."""
    from sentence_transformers import CrossEncoder  # lazy: imports torch and transformers (seconds)

    encoder = CrossEncoder(path, num_labels=1, max_length=MAX_TOKENS)
    return encoder.tokenizer, encoder.model


def option_logits(tokenizer, model, question: Question) -> torch.Tensor:
    """The encoder's score for every option of one question."""
    first, second = zip(*question.pairs)
    batch = tokenizer(list(first), list(second), truncation=True, max_length=MAX_TOKENS,
                      padding=True, return_tensors="pt")
    return model(**batch).logits.squeeze(-1)


def train_epochs(tokenizer, model, rows: list[Question], epochs: int, seed: int) -> None:
    """Listwise fine-tuning: AdamW, a few questions per step, rows shuffled with a fixed seed."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)
    model.train()
    for _ in range(epochs):
        order = rows[:]
        rng.shuffle(order)
        for start in range(0, len(order), QUESTIONS_PER_STEP):
            opt.zero_grad()
            loss = sum(question_loss(tokenizer, model, r) for r in order[start:start + QUESTIONS_PER_STEP])
            loss.backward()
            opt.step()


def question_loss(tokenizer, model, row: Question) -> torch.Tensor:
    """Cross-entropy of one question's softmax against its right option(s)."""
    target = torch.tensor(row.right / row.right.sum(), dtype=torch.float32)
    return -(target * torch.log_softmax(option_logits(tokenizer, model, row), dim=0)).sum()


def predict(tokenizer, model, rows: list[Question]) -> list[np.ndarray]:
    """Option scores for every question."""
    model.eval()
    with torch.no_grad():
        return [option_logits(tokenizer, model, r).numpy().astype(float) for r in rows]


def fit_crossencoder(train: list[Question], epochs: int = 1, seed: int = 0):
    """The bundled MiniLM fine-tuned as a cross-encoder on the train split; (tokenizer, model)."""
    torch.manual_seed(seed)
    tokenizer, model = load_encoder(str(bundled_embedding_path()))
    train_epochs(tokenizer, model, train, epochs, seed)
    return tokenizer, model
