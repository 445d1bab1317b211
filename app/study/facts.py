"""A fact: a question stem, its right answer and the note sentence (or table row) that makes it right.

Facts are read from note chunks (app/study/prose.py, tables.py, traps.py); distractors of the same
kind are added later (app/study/items.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.documents import Document

KIND_WORDS = {"service": "service", "algorithm": "algorithm", "metric": "metric", "format": "data format",
              "technique": "technique", "strategy": "strategy", "approach": "approach", "policy": "policy",
              "mode": "mode", "concept": "option"}
# A term pattern: up to seven words, or one word, optionally with a parenthetical ("Model parallelism (SMP)")
TERM = r"(?:[A-Z][\w/&+.-]*|[a-z][\w-]*)(?: (?:[A-Za-z0-9][\w/&+.-]*|\([^)]*\))){0,6}"


@dataclass
class Fact:
    """A question stem, its right answer, and the source sentence that makes the answer right."""

    kind: str  # definition | choose | table | trap
    stem: str
    answer: str
    answer_kind: str
    evidence: str
    chunk: Document
    need: str = ""  # what the question asks for, to spot another note recommending a distractor
    group: list[str] = field(default_factory=list)  # same-table alternatives (preferred distractors)
    wrong: list[str] = field(default_factory=list)  # terms the source names as wrong answers
    also_right: list[str] = field(default_factory=list)  # terms the source accepts too (never distractors)


def section_name(chunk: Document) -> str:
    """The last part of a chunk's heading path ("Title > Serverless Inference" -> "Serverless Inference")."""
    return str(chunk.metadata.get("heading") or chunk.metadata.get("title") or "").split(" > ")[-1].strip()


def kind_word(kind: str) -> str:
    """The noun a stem uses for an answer of this kind."""
    return KIND_WORDS.get(kind, "option")


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is a name or an acronym."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:].lower() != first[1:] or first in {"Amazon", "AWS", "SageMaker"}):
        return text
    return text[:1].lower() + text[1:]
