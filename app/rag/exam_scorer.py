"""Exam mode's scorer: evidence retrieved per option, option features, the learned model's pick.

`Tutor.score_exam` retrieves for every option, then `OptionScorer.score` reads each option against
its own evidence (app/rag/exam_features.py) and scores it with the learned model (exam_model.py).
training/train.py runs the very same two steps to build its training rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.rag.evidence import Evidence, SentenceIndex
from app.rag.exam import ExamQuestion, HandScorer, OptionScore, distinctive_words
from app.rag.exam_features import FEATURES, OptionView, option_features
from app.rag.exam_memory import MEMORY_FILE, ExamMemory, load_memory
from app.rag.exam_model import MODEL_FILE, ExamModel, ModelMissing, load_model
from app.rag.search import Hit, HybridSearch, fuse
from app.rag.text import BRANDS, content_words

OPTION_K = 3  # chunks retrieved per option and per reading of it (see retrieve_options)
OWN_SHARE = 0.4  # share of an option's distinctive words a sentence needs to count as about it


def retrieve_options(retriever: HybridSearch, exam: ExamQuestion) -> dict[str, list[Hit]]:
    """Per option: the chunks retrieved for "stem option", for the option alone, and for its exact
    words (BM25 alone finds a rare identifier such as `ShardedByS3Key` that meaning search misses)."""
    return {letter: fuse([retriever.search(f"{exam.stem} {text}", OPTION_K),
                          retriever.search(text, OPTION_K),
                          retriever.search(text, OPTION_K, mode="bm25")])
            for letter, text in exam.options.items()}


def merge_hits(hits: list[Hit], option_hits: dict[str, list[Hit]]) -> list[Hit]:
    """The question's hits followed by every option's new ones (citation numbers follow this order)."""
    merged, seen = list(hits), {h.chunk_id for h in hits}
    for found in option_hits.values():
        for hit in found:
            if hit.chunk_id not in seen:
                seen.add(hit.chunk_id)
                merged.append(hit)
    return merged


def softmax(values: np.ndarray) -> np.ndarray:
    """Probabilities from scores."""
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


class OptionScorer:
    """Scores every option of an exam question; with `model_file=None` only the hand-set scorer runs."""

    def __init__(self, index: SentenceIndex, model_file: Path | None = MODEL_FILE,
                 memory_file: Path | None = MEMORY_FILE):
        self.index = index
        self.hand = HandScorer(index)
        self.model_file, self.memory_file = model_file, memory_file
        self.memory: ExamMemory | None = None  # training sets its own (built from the fit banks)

    def bank_memory(self) -> ExamMemory | None:
        """The training bank's memory (loaded on first use), or None when there is none to read."""
        if self.memory is None and self.memory_file is not None:
            self.memory = load_memory(self.memory_file)
        return self.memory

    @property
    def model(self) -> ExamModel | None:
        """The learned model (loaded on first use), or None for the hand-set scorer alone."""
        model = load_model(self.model_file) if self.model_file and self.model_file.exists() else None
        if model and model.features != list(FEATURES):  # weights from before a feature change: wrong columns
            raise ModelMissing(f"{self.model_file}: exam scorer trained on other features; run `make train`")
        return model

    def score(self, exam: ExamQuestion, hits: list[Hit], option_hits: dict[str, list[Hit]],
              vocabulary: frozenset[str]) -> list[OptionScore]:
        """Every option with its score, probability, features and own evidence sentence."""
        vectors = self.hand.embed_question(exam)
        evidence, hypothesis, _ = self.hand.readings(exam, hits, vectors)
        hand = {l: (e, h) for l, e, h in zip(exam.options, evidence, hypothesis)}
        features, views = option_features(exam, option_hits, self.index, vocabulary, hand, vectors,
                                          self.bank_memory())
        model, prior = self.model, self.hand.combine(evidence, hypothesis)
        logits = model.logits(features, prior) if model else prior
        numbers = {h.chunk_id: n for n, h in enumerate(hits, start=1)}
        names = distinctive_words(exam)
        return [OptionScore(letter, float(logit), own_evidence(views[letter], numbers, names[letter]), float(p), row)
                for letter, logit, p, row in zip(exam.options, logits, softmax(logits), features)]

    def confidence(self, scores: list[OptionScore], picks: int) -> float:
        """Calibrated chance that the `picks` best options are the right ones."""
        logits, model = np.array([s.score for s in scores]), self.model
        if model is None:
            return float(np.sort(softmax(logits))[-1])
        net = model.logits(np.vstack([s.features for s in scores])) if model.prior_weight else None
        return model.confidence(logits, picks, net)

    def is_confident(self, confidence: float) -> bool:
        """Whether a confidence reaches the threshold set on the calibration tune half."""
        return confidence >= (self.model.confident_at if self.model else 0.95)


def own_evidence(view: OptionView | None, numbers: dict[str, int], names: set[str] = frozenset()
                 ) -> Evidence | None:
    """The sentence of an option's own evidence most about that option, if the notes talk about it.

    A sentence counts when it holds a fair share (OWN_SHARE) of this option's distinctive words and
    no more of another option's (so a losing option is never explained by a sentence about another
    option); an option without distinctive words needs a close match in meaning. When the option has a
    distinctive word besides AWS's own names (`names`), the sentence must use one: "general AWS
    workflow" is not about "AWS DMS".
    """
    if view is None:
        return None
    about, own_names = view.about(), set(names) - BRANDS
    for i in np.argsort(about)[::-1]:
        own, other, cosine = view.own_share[i], view.other_share[i], view.cos_option[i]
        if own_names and not own_names & set(content_words(f"{view.headings[i]} {view.sentences[i]}")):
            continue
        if (own >= OWN_SHARE and own >= other and cosine >= 0.2) or (own == other == 0 and cosine >= 0.5):
            hit = view.owners[i]
            return Evidence(numbers.get(hit.chunk_id, 0), hit.chunk_id, view.sentences[i], float(about[i]),
                            view.headings[i])
    return None
