"""Features of each exam option for the learned scorer (app/rag/exam_model.py).

Every option is read three ways: against the evidence retrieved for that option (do the notes talk
about it, and does what they say it is *for* fit the scenario?), against the scenario itself, and on
its own wording (distractor cues such as "only", "disable", a service the notes never mention).
The same function runs at answer time and in training (training/train.py), so the two never drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from app.rag.evidence import SentenceIndex, heading_of
from app.rag.exam import ExamQuestion, distinctive_words
from app.rag.exam_memory import NEUTRAL, ExamMemory
from app.rag.exam_model import spread
from app.rag.search import Hit
from app.rag.text import content_words

CUES = {  # option wording that marks distractors in exam writing
    "cue_absolute": r"\b(only|alone|solely|exclusively|entirely|never|always)\b",
    "cue_disable": (r"\b(disabl\w*|turn(s|ing)? off|remov\w*|delet\w*|drop(s|ped|ping)?|skip\w*|"
                    r"stop(s|ped|ping)?|bypass\w*|ignor\w*|without|no longer)\b"),
    "cue_manual": r"\b(manual\w*|hard-?cod\w*|by hand|custom (script|code)|write (a|your own))\b",
    "cue_unsafe": r"(\bpublic\w*|plain ?text|\broot\b|full access|\beveryone\b|\ball users\b|\*)",
    "cue_more": r"\b(increas\w*|larger|bigger|more|add(s|ing)? more|raise|double)\b",
}
_CUES = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in CUES.items()}
_NAME = re.compile(r"(?<!^)(?<![.:;] )\b[A-Z][A-Za-z0-9]+")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_DETAIL = re.compile(r"[\w./-]*\d[\w./-]*|[\w-]*[_/][\w./-]+|\b[a-z]+[A-Z]\w*|\b[A-Z][a-z]+[A-Z]\w*")  # 2 MB, /opt/ml, max_depth, InvokeEndpoint
_NEGATION = re.compile(r"\b(not|no|cannot|never|instead|avoid|don't|doesn't|isn't|without)\b", re.IGNORECASE)
TOP = 2  # sentences averaged where one lucky sentence should not decide

CONTINUOUS = ("about", "hyp_max", "hyp_top", "purpose", "purpose_lex", "own_terms", "vocab",
              "name_fit", "chunk", "stem_cos", "stem_overlap", "length", "number_found",
              "other_about", "stem_support", "details_found", "hand_evidence", "hand_hypothesis",
              "mem_right", "mem_top", "mem_res_right", "mem_res_top")
FLAGS = ("unknown_name", "has_name", "has_number", "trap", "negation") + tuple(CUES)
FEATURES = CONTINUOUS + tuple(f"{name}_z" for name in CONTINUOUS) + FLAGS


@dataclass
class OptionView:
    """One option's own evidence: sentences of the chunks retrieved for it, with their readings."""

    sentences: list[str]
    headings: list[str]
    owners: list[Hit]        # the chunk each sentence comes from
    cos_option: np.ndarray
    cos_stem: np.ndarray
    cos_statement: np.ndarray
    own_share: np.ndarray    # share of the option's distinctive words in each sentence
    other_share: np.ndarray  # the largest such share of any other option

    def about(self) -> np.ndarray:
        """How much each sentence is about this option in this question: the option read with the
        stem and alone, plus its distinctive words, less those of the other options."""
        return (self.cos_statement + 0.5 * self.cos_option + 0.3 * self.own_share
                - 0.3 * np.maximum(self.other_share - self.own_share, 0))

    def top_about(self, n: int = TOP) -> np.ndarray:
        """Indices of the n sentences most about this option."""
        return np.argsort(self.about())[::-1][:n]


def word_share(words: set[str], sentence_words: list[set[str]]) -> np.ndarray:
    """Share of `words` found in each sentence (zeros when there are no words)."""
    if not words:
        return np.zeros(len(sentence_words))
    return np.array([len(words & s) / len(words) for s in sentence_words])


def option_view(index: SentenceIndex, hits: list[Hit], vectors: dict[str, np.ndarray],
                letter: str, distinct: dict[str, set[str]]) -> OptionView | None:
    """The sentences of an option's own chunks, read against the option, the stem and both together."""
    rows = [(hit, s, v) for hit in hits for s, v in zip(*index.sentences(hit))]
    if not rows:
        return None
    matrix = np.vstack([v for _, _, v in rows])
    words = [set(content_words(f"{heading_of(h)} {s}")) for h, s, _ in rows]
    others = [word_share(w, words) for other, w in distinct.items() if other != letter]
    return OptionView([s for _, s, _ in rows], [heading_of(h) for h, _, _ in rows], [h for h, _, _ in rows],
                      matrix @ vectors[letter], matrix @ vectors["stem"], matrix @ vectors[f"s{letter}"],
                      word_share(distinct[letter], words),
                      np.max(others, axis=0) if others else np.zeros(len(rows)))


def evidence_features(view: OptionView | None, stem_words: set[str]) -> dict[str, float]:
    """What the option's own evidence says: is it about the option, and does it fit the scenario?"""
    if view is None:
        return {"about": 0.0, "hyp_max": 0.0, "hyp_top": 0.0, "purpose": 0.0, "purpose_lex": 0.0,
                "own_terms": 0.0, "chunk": 0.0, "other_about": 0.0, "trap": 0.0, "negation": 0.0}
    top = view.top_about()
    lexical = word_share(stem_words, [set(content_words(f"{view.headings[i]} {view.sentences[i]}"))
                                      for i in top])
    best = int(top[0])
    return {"about": float(view.about()[best]),
            "hyp_max": float(view.cos_statement.max()),
            "hyp_top": float(np.sort(view.cos_statement)[::-1][:TOP].mean()),
            "purpose": float(view.cos_stem[top].mean()),  # what the notes say it is for vs the scenario
            "purpose_lex": float(lexical.mean()),
            "own_terms": float(view.own_share.max()),
            "chunk": max(h.score for h in view.owners),
            "other_about": float(view.other_share[best] - view.own_share[best]),
            "trap": float("trap" in view.headings[best].lower()),
            "negation": float(bool(_NEGATION.search(view.sentences[best])))}


def name_features(text: str, view: OptionView | None, vocabulary: frozenset[str]) -> dict[str, float]:
    """Names in the option: ones the notes never use, and how well the notes that use them fit the scenario."""
    names = {w.lower() for w in _NAME.findall(text)}
    unknown = bool(vocabulary) and any(n not in vocabulary for n in names)
    fit = 0.0
    if names and view is not None:
        with_name = [i for i, s in enumerate(view.sentences) if names & set(s.lower().split())]
        fit = float(view.cos_stem[with_name].max()) if with_name else 0.0
    return {"unknown_name": float(unknown), "has_name": float(bool(names)), "name_fit": fit}


def wording_features(exam: ExamQuestion, letter: str, view: OptionView | None,
                     vectors: dict[str, np.ndarray], vocabulary: frozenset[str]) -> dict[str, float]:
    """The option's own wording: cues, length, overlap with the stem, numbers the evidence confirms."""
    text = exam.options[letter]
    words = set(content_words(text))
    numbers = set(_NUMBER.findall(text))
    found = [n for n in numbers if view is not None and any(n in s for s in view.sentences)]
    features = {name: float(bool(cue.search(text))) for name, cue in _CUES.items()}
    return features | {
        "vocab": len([w for w in words if w in vocabulary]) / max(1, len(words)) if vocabulary else 1.0,
        "stem_cos": float(vectors[letter] @ vectors["stem"]),
        "stem_overlap": len(words & set(content_words(exam.stem))) / max(1, len(words)),
        "length": float(len(text.split())),
        "has_number": float(bool(numbers)),
        "number_found": len(found) / len(numbers) if numbers else 0.0}


def feature_matrix(rows: list[dict[str, float]]) -> np.ndarray:
    """Options x FEATURES: the raw values, their z-scores across the options, and the flags."""
    raw = np.array([[row[name] for name in CONTINUOUS] for row in rows], dtype=float)
    flags = np.array([[row[name] for name in FLAGS] for row in rows], dtype=float)
    z = np.column_stack([spread(raw[:, j]) for j in range(raw.shape[1])])  # each feature across the options
    return np.hstack([raw, z, flags])


def option_features(exam: ExamQuestion, option_hits: dict[str, list[Hit]], index: SentenceIndex,
                    vocabulary: frozenset[str], hand: dict[str, tuple[float, float]],
                    vectors: dict[str, np.ndarray], memory: ExamMemory | None = None
                    ) -> tuple[np.ndarray, dict[str, OptionView | None]]:
    """Options x FEATURES for one question, and each option's own evidence (for the explanation).

    `hand` holds the hand-set scorer's (evidence, hypothesis) reading of each option (app/rag/exam.py);
    `memory` is the training bank's vote on each option (app/rag/exam_memory.py), neutral without one.
    """
    distinct = distinctive_words(exam)
    stem_words = set(content_words(exam.stem))
    views = {l: option_view(index, option_hits[l], vectors, l, distinct) for l in exam.options}
    support = stem_support(views, stem_words, set(_DETAIL.findall(exam.stem)))
    votes = memory.features(vectors, list(exam.options)) if memory else {l: NEUTRAL for l in exam.options}
    rows = []
    for letter, text in exam.options.items():
        view = views[letter]
        row = evidence_features(view, stem_words) | name_features(text, view, vocabulary) | support[letter]
        row |= wording_features(exam, letter, view, vectors, vocabulary)
        rows.append(row | votes[letter] | {"hand_evidence": hand[letter][0], "hand_hypothesis": hand[letter][1]})
    return feature_matrix(rows), views


def top_words(view: OptionView | None, n: int = 3) -> tuple[set[str], str]:
    """Content words (with headings) and raw text of the n sentences most about an option."""
    if view is None:
        return set(), ""
    top = view.top_about(n)
    text = " ".join(f"{view.headings[i]} {view.sentences[i]}" for i in top)
    return set(content_words(text)), text


def stem_support(views: dict[str, OptionView | None], stem_words: set[str],
                 details: set[str]) -> dict[str, dict[str, float]]:
    """Per option: the share of the scenario's telling words that its own evidence uses (words some
    options' evidence has and others' lacks), and of its details (numbers, identifiers, paths)."""
    found = {letter: top_words(view) for letter, view in views.items()}
    sets = [words for words, _ in found.values()]
    telling = stem_words & (set().union(*sets) - set.intersection(*sets)) if sets else set()
    return {letter: {"stem_support": len(telling & words) / len(telling) if telling else 0.0,
                     "details_found": sum(d in text for d in details) / len(details) if details else 0.0}
            for letter, (words, text) in found.items()}
