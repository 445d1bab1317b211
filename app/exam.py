"""Exam mode: find lettered options in a question and pick the best-supported one(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from app.evidence import Evidence, SentenceIndex, heading_of
from app.retrieval import Hit
from app.text import content_words, overlap

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
    hits: list[Hit] = field(default_factory=list)


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


def score_option(index: SentenceIndex, stem: str, option: str, hits: list[Hit],
                 first_n: int) -> OptionScore:
    """Best sentence that is about the option and also matches the scenario of the stem."""
    stem_vec, pair_vec = index.embed(stem), index.embed(f"{stem} {option}")
    best, best_score = None, 0.0
    for n, hit in enumerate(hits, start=first_n):
        sentences, vectors = index.sentences(hit)
        if not sentences:
            continue
        about = [overlap(option, f"{heading_of(hit)} {s}") for s in sentences]
        pair = vectors @ pair_vec
        scenario = vectors @ stem_vec
        for i, sentence in enumerate(sentences):
            score = about[i] * (0.5 * float(pair[i]) + 0.5 * float(scenario[i]))
            if score > best_score:
                best, best_score = Evidence(n, hit.chunk_id, sentence, score, heading_of(hit)), score
    return OptionScore("", best_score, best)


def choose(scores: list[OptionScore], picks: int) -> list[str]:
    """The letters of the `picks` best-scoring options, in letter order."""
    ranked = sorted(scores, key=lambda s: s.score, reverse=True)[:picks]
    return sorted(s.letter for s in ranked)


def option_terms(exam: ExamQuestion) -> set[str]:
    """Words that appear in every option (they do not tell options apart)."""
    sets = [set(content_words(text)) for text in exam.options.values()]
    return set.intersection(*sets) if sets else set()


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
