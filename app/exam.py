"""Exam mode: find lettered options in a question and pick the best-supported one(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from app.evidence import Evidence, SentenceIndex, heading_of
from app.retrieval import Hit
from app.text import content_words

# "A) text", "A. text", "(A) text", "A: text" at the start of a line
_OPTION = re.compile(r"^\s*(?:\(([A-F])\)|([A-F])[).:])\s+(.+?)\s*$", re.MULTILINE)
_SELECT = re.compile(r"\(?\s*(?:select|choose|pick)\s+(two|three|2|3)\b[^)\n]*\)?", re.IGNORECASE)
_COUNTS = {"two": 2, "three": 3, "2": 2, "3": 3}


@dataclass
class ExamQuestion:
    """A question stem, its options by letter and how many letters to choose."""

    stem: str
    options: dict[str, str]
    picks: int = 1


@dataclass
class OptionScore:
    """How well the notes support one option, with the sentence that shows it."""

    letter: str
    score: float
    best: Evidence | None = None


def parse_exam(question: str) -> ExamQuestion | None:
    """An ExamQuestion when the text carries at least three lettered options in order, else None."""
    found = [(m.group(1) or m.group(2), m.group(3), m.start()) for m in _OPTION.finditer(question)]
    letters = [f[0] for f in found]
    if len(found) < 3 or letters != [chr(ord("A") + i) for i in range(len(letters))]:
        return None
    stem = question[:found[0][2]].strip()
    select = _SELECT.search(question)
    picks = _COUNTS[select.group(1).lower()] if select else 1
    return ExamQuestion(_SELECT.sub("", stem).strip(), {l: t for l, t, _ in found}, picks)


# Weights of the option score (chosen on the dev set; see evals/README.md for the held-out check).
OPTION_FLOOR = 0.3   # keeps a sentence that matches the scenario in play when it names the option loosely
SCENARIO_FLOOR = 0.2
STEM_TERMS = 2.0     # weight of the scenario's own words found in the sentence and its heading
TOP_N = 2            # average of the best two sentences, so one lucky sentence does not decide
TRAP_WEIGHT = 0.8    # "Exam traps" sentences name wrong options as often as right ones


def sentence_table(index: SentenceIndex, hits: list[Hit], first_n: int = 1):
    """All sentences of the hits as parallel lists plus one matrix of their embeddings."""
    rows, vectors = [], []
    for n, hit in enumerate(hits, start=first_n):
        sentences, vecs = index.sentences(hit)
        rows += [(n, hit, s) for s in sentences]
        if sentences:
            vectors.append(vecs)
    return rows, (np.vstack(vectors) if vectors else np.zeros((0, 1)))


def score_options(index: SentenceIndex, exam: ExamQuestion, hits: list[Hit]) -> list[OptionScore]:
    """Score every option: a sentence counts when it is about the option *and* fits the scenario.

    For each sentence s: (cos(option, s) + OPTION_FLOOR) * (cos(stem, s) + SCENARIO_FLOOR +
    STEM_TERMS * share of the stem's content words in s and its heading), times TRAP_WEIGHT for
    sentences from "Exam traps" sections. An option's score is the
    mean of its TOP_N best sentences; the best one is kept as the evidence shown to the learner.
    """
    rows, matrix = sentence_table(index, hits)
    if not rows:
        return [OptionScore(letter, 0.0) for letter in exam.options]
    stem_words = set(content_words(exam.stem))
    lexical = np.array([len(stem_words & set(content_words(f"{heading_of(h)} {s}"))) / max(1, len(stem_words))
                        for _, h, s in rows])
    scenario = np.clip(matrix @ index.embed(exam.stem), 0, None) + SCENARIO_FLOOR + STEM_TERMS * lexical
    scenario *= np.array([TRAP_WEIGHT if "trap" in heading_of(h).lower() else 1.0 for _, h, _ in rows])
    scores = []
    for letter, text in exam.options.items():
        values = (np.clip(matrix @ index.embed(text), 0, None) + OPTION_FLOOR) * scenario
        top = np.argsort(values)[::-1][:TOP_N]
        n, hit, sentence = rows[int(top[0])]
        best = Evidence(n, hit.chunk_id, sentence, float(values[top[0]]), heading_of(hit))
        scores.append(OptionScore(letter, float(values[top].mean()), best))
    return scores


def choose(scores: list[OptionScore], picks: int) -> list[str]:
    """The letters of the `picks` best-scoring options, in letter order."""
    ranked = sorted(scores, key=lambda s: s.score, reverse=True)[:picks]
    return sorted(s.letter for s in ranked)


def explain(exam: ExamQuestion, scores: list[OptionScore], chosen: list[str]) -> str:
    """Tutor-style answer: the chosen letter(s) with the reason, then why each other option loses."""
    by_letter = {s.letter: s for s in scores}
    label = " and ".join(chosen)
    lines = [f"**Answer: {label}** - " + "; ".join(exam.options[l] for l in chosen) + "."]
    for letter in chosen:
        ev = by_letter[letter].best
        if ev:
            lines.append(f"Why {letter}: {ev.sentence.rstrip('.')} [{ev.n}].")
    for letter, text in exam.options.items():
        if letter in chosen:
            continue
        ev = by_letter[letter].best
        # what the notes say the option is for, so the learner sees why it fits this scenario less
        reason = f"{ev.sentence.rstrip('.')} [{ev.n}]" if ev else "the notes do not support it here"
        lines.append(f"Why not {letter} ({text}): {reason}.")
    return "\n".join(lines)
