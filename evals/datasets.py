"""Eval datasets: the JSONL item schema, loading with one-line errors, and subsets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError, model_validator

DATASET_DIR = Path(__file__).parent / "datasets"
DEV_SET = DATASET_DIR / "dev.jsonl"
TEST_SET = DATASET_DIR / "test.jsonl"  # held out: scored, never tuned on
EXAM_TEST_SET = DATASET_DIR / "exam_test.jsonl"  # frozen before any training (issue 16): scored only
EXAM_TEST2_SET = DATASET_DIR / "exam_test2.jsonl"  # frozen, written blind in session 13: scored only


class DatasetError(ValueError):
    """A dataset file is unreadable or an item breaks the schema; one line for the user."""


class Turn(BaseModel):
    """One earlier chat turn of a follow-up item."""

    role: Literal["user", "assistant"]
    content: str


class Item(BaseModel):
    """One eval item; see evals/README.md for what each field means."""

    id: str
    domain: str = "none"
    task: str | None = None
    question: str
    choices: dict[str, str] | None = None
    answer: list[str] | None = None
    reference_answer: str | None = None
    required_terms: list[list[str]] | None = None
    relevant_sources: list[str] | None = None
    history: list[Turn] | None = None
    expect: Literal["answer", "refuse", "no_leak"] = "answer"
    style: str | None = None  # how the item is written (short, terse, long); reports group by it

    @model_validator(mode="after")
    def check_answer_letters(self) -> "Item":
        """Multiple-choice answers must name existing choices."""
        if self.choices and self.answer and not set(self.answer) <= set(self.choices):
            raise ValueError(f"answer {self.answer} is not among choices {sorted(self.choices)}")
        return self

    @property
    def kind(self) -> str:
        """mc, open, followup, refuse or injection."""
        if self.expect == "refuse":
            return "refuse"
        if self.expect == "no_leak":
            return "injection"
        if self.history:
            return "followup"
        return "mc" if self.choices else "open"

    def prompt(self) -> str:
        """The question as a user would type it, with lettered options for multiple choice."""
        if not self.choices:
            return self.question
        options = "\n".join(f"{letter}) {text}" for letter, text in self.choices.items())
        return f"{self.question}\n{options}"


def load_items(path: Path) -> list[Item]:
    """Parse a JSONL dataset; a bad line stops with the file, line number and reason."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read dataset ({exc.__class__.__name__})") from exc
    items, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = Item.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            reason = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else _first_error(exc)
            raise DatasetError(f"{path}:{number}: {reason}") from exc
        if item.id in seen:
            raise DatasetError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path}: no items")
    return items


def _first_error(exc: ValidationError) -> str:
    """The first validation problem as 'field: message'."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "item"
    return f"{where}: {first['msg']}"


def pick_subset(items: list[Item], per_kind: int) -> list[Item]:
    """A small deterministic subset: the first `per_kind` items of each kind and domain."""
    counts: dict[tuple[str, str], int] = {}
    chosen = []
    for item in items:
        key = (item.kind, item.domain)
        if counts.get(key, 0) < per_kind:
            counts[key] = counts.get(key, 0) + 1
            chosen.append(item)
    return chosen
