"""What an open question asks for: its shape (choose, contrast, why, when, list, amount, how, define,
what) and the subjects it names, read with a few patterns (no model)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.rag.text import content_words

SHAPES = [  # (kind, pattern with optional groups x and y), tried on the last question; the first match wins
    ("choose", r"\b(?:use|choose|pick|prefer|select|want)\s+(?P<x>.+?)\s+(?:instead of|over|rather than)"
               r"\s+(?P<y>.+?)\??$"),
    ("choose", r"^why\s+(?:is\s+|are\s+)?(?P<x>.+?)\s+(?:over|instead of|rather than|better than)\s+(?P<y>.+?)\??$"),
    ("contrast", r"\bdifferences?\s+between\s+(?P<x>.+?)\s+and\s+(?P<y>.+?)\??$"),
    ("contrast", r"\bhow\s+(?:does|do|is|are)\s+(?P<x>.+?)\s+(?:differ|different)\s+from\s+(?P<y>.+?)\??$"),
    ("contrast", r"\bhow\s+do\s+(?P<x>.+?)\s+and\s+(?P<y>.+?)\s+differ\b"),
    ("contrast", r"\b(?:tell|distinguish)\s+(?:between\s+)?(?P<x>.+?)\s+(?:from|and)\s+(?P<y>.+?)"
                 r"(?:\s+(?:using|with|by|in)\b.*)?\??$"),
    ("contrast", r"\b(?:compare|comparing)\s+(?P<x>.+?)\s+(?:and|with|to)\s+(?P<y>.+?)\??$"),
    ("contrast", r"^(?:what|how)\s+(?:does|do|is)\s+(?P<x>.+?)\s+(?:\w+\s+)?compared?\s+(?:with|to)\s+(?P<y>.+?)\??$"),
    ("contrast", r"(?P<x>[\w/ -]+?)\s+(?:vs\.?|versus)\s+(?P<y>[\w/ -]+)"),
    ("why", r"^why\b|^what makes\b|\bwhat is the (?:benefit|advantage|point|reason)\b"),
    ("when", r"^when\s+(?:should|would|do|does|is|are|can)\b"),
    ("amount", r"^how\s+(?:many|much|long|far|big|large|often)\b|\b(?:limit|limits|maximum|minimum|max|min|"
               r"default|size|how many)\b"),
    ("list", r"^(?:what|which)\s+(?:are|were)\s+the\s+(?:\w+\s+)?(?:types|kinds|options|statuses|steps|ways|"
             r"modes|components|parts|stages|strategies)\b|^(?:what|which)\s+\w+\s+(?:statuses|types|kinds)\b"),
    ("how", r"^how\s+(?:does|do|is|are)\s+(?!(?:i|we|you|they|one)\b)(?P<x>.+?)\s+work\b"),
    ("how", r"^how\s+(?:does|do|can|is|are|would|should|did)\b"),
    ("define", r"^(?:what|who)\s+(?:is|are|does|do)\b(?!.*\b(?:and|when|if|how)\b)"),
]
_PRONOUN = re.compile(r"^(?:it|they|this|that|them|these|those|one)$", re.IGNORECASE)


@dataclass
class Shape:
    """What kind of answer the question asks for, and the subjects it names."""

    kind: str = "what"
    x: str = ""
    y: str = ""


def question_shape(question: str) -> Shape:
    """The kind of question and its subjects x and y; a pronoun subject of a follow-up ('choose it
    over Firehose') stands for the earlier question."""
    last = last_question(question)
    for kind, pattern in SHAPES:
        match = re.search(pattern, last, re.IGNORECASE)
        if match:
            groups = match.groupdict()
            x, y = subject(groups.get("x") or ""), subject(groups.get("y") or "")
            earlier = question[: len(question) - len(last)].strip()
            x = earlier if earlier and _PRONOUN.match(x) else x
            return Shape(kind, x, y)
    return Shape()


def last_question(text: str) -> str:
    """The last question of a follow-up query ('What is X? And how is it billed?' -> the second)."""
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text.strip()) if p.strip()]
    return parts[-1] if parts else text


def subject(text: str) -> str:
    """A subject without leading question words, articles or a trailing clause."""
    text = re.sub(r"^(?:what|how|does|do|is|are|the|a|an|sagemaker|amazon|aws)\s+", "", text.strip(), flags=re.I)
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
    text = re.split(r"\s+(?:for|in|when|if|so|to|with|on|using)\s+", text, maxsplit=1)[0].strip(" ?.,")
    return text if content_words(text) or _PRONOUN.match(text) else ""
