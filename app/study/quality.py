"""The checks every generated question passes before it is shown, each failure with its reason.

A question is shown only when its stem is a real question, its options are distinct, readable and
of similar length, the right option is named by the note sentence it cites (and no distractor is),
the stem does not give the answer away, and no other note recommends a distractor for the same need.
"""

from __future__ import annotations

import re

from app.rag.text import content_words
from app.study.terms import base_name, clean, same_thing, unreadable

GENERIC_WORDS = {"amazon", "aws", "sagemaker", "model", "data", "service", "ml"}
MAX_LENGTH_RATIO = 3.0
MAX_LENGTH_GAP = 15


def stem_problem(stem: str) -> str | None:
    """Why a stem is not a real question, or None."""
    if not stem.endswith("?") or not re.search(r"\b(which|what)\b", stem.lower()):
        return "stem not a question"
    if not 20 <= len(stem) <= 320 or re.search(r"[|*`]|\s{2}", stem):
        return "stem not a question"
    if stem.count("(") != stem.count(")") or stem.count("\"") % 2:
        return "stem not a question"
    if re.search(r"\b(it|its|they|them|this|these ones)\b[?.,]", stem) or re.search(r"\b(it|they|them)\b", stem.split(": ")[0]):
        return "stem refers to text it leaves out"
    return None


def options_problem(answer: str, options: list[str]) -> str | None:
    """Why a set of options (the answer first) cannot be shown, or None."""
    for option in options:
        if reason := unreadable(option):
            return f"unreadable option ({reason})"
    if any(same_thing(a, b) for i, a in enumerate(options) for b in options[i + 1:]):
        return "options not distinct"
    lengths = [len(o) for o in options]
    if max(lengths) > MAX_LENGTH_RATIO * min(lengths) and max(lengths) - min(lengths) > MAX_LENGTH_GAP:
        return "option lengths differ"
    return None


def mentions(text: str, name: str) -> bool:
    """Whether a text names a term (its full form, or its base without vendor prefix)."""
    low = f" {clean(text).lower()} "
    return any(re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", low)
               for form in {clean(name).lower(), base_name(name)} if form)


def evidence_problem(answer: str, distractors: list[str], evidence: str, wrong: list[str],
                     section: str = "") -> str | None:
    """Why the cited sentence (read under its section heading) does not make exactly the answer right."""
    if not mentions(f"{section} {evidence}", answer):
        return "answer not in its source sentence"
    for option in distractors:
        if mentions(evidence, option) and not any(same_thing(option, w) for w in wrong):
            return "distractor also in its source sentence"
    return None


def leaks(stem: str, answer: str, distractors: list[str]) -> bool:
    """Whether the stem names a word only the answer has (a giveaway)."""
    others = {w for d in distractors for w in content_words(d)}
    telling = set(content_words(base_name(answer))) - others - GENERIC_WORDS
    return bool(telling & set(content_words(stem)))


def question_problem(stem: str, answer: str, distractors: list[str], evidence: str,
                     wrong: list[str], section: str = "") -> str | None:
    """The first reason a generated question must not be shown, or None when it passes every check."""
    if reason := unreadable(answer):
        return f"unreadable option ({reason})"
    if len(distractors) < 3:
        return "too few same-kind distractors"
    return (stem_problem(stem) or options_problem(answer, [answer, *distractors])
            or evidence_problem(answer, distractors, evidence, wrong, section)
            or ("answer given away by the stem" if leaks(stem, answer, distractors) else None))
