"""Practice questions: the shipped exam-style bank, and the shape every question has.

Questions generated from the stored notes (app/study/items.py) have the same shape and add the
note sentence that makes their answer right (`evidence`) and the section it came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

BANK_FILE = Path(__file__).parent / "data" / "questions.jsonl"
EXAM_DOMAINS = ("D1", "D2", "D3", "D4")


@dataclass
class Question:
    """One practice question."""

    id: str
    domain: str
    question: str
    choices: dict[str, str]
    answer: list[str]
    sources: list[str] = field(default_factory=list)
    explanation: str = ""
    task: str | None = None
    origin: str = "shipped"  # shipped, or how it was generated: definition | choose | table | trap
    evidence: str = ""  # the note sentence that makes the answer right (generated questions)
    heading: str = ""  # the note section it came from
    chunk_id: str = ""

    def prompt(self) -> str:
        """The question with lettered options, as the tutor's exam mode reads it."""
        return self.question + "\n" + "\n".join(f"{k}) {v}" for k, v in self.choices.items())

    @property
    def exam_domain(self) -> str | None:
        """The exam domain the question counts for (a core note's question counts for its task's domain)."""
        if self.domain in EXAM_DOMAINS:
            return self.domain
        if self.task and f"D{self.task[0]}" in EXAM_DOMAINS:
            return f"D{self.task[0]}"
        return None


def short_source(source: str) -> str:
    """A stored source as people read it: relative to the working folder when inside it."""
    try:
        return Path(source).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return source


def shipped_questions(path: Path = BANK_FILE) -> list[Question]:
    """The practice questions that ship with the product."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            questions.append(Question(item["id"], item["domain"], item["question"], item["choices"],
                                      item["answer"], item.get("sources", []), task=item.get("task")))
    return questions
