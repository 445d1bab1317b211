"""The question bank: shipped practice questions plus questions generated from the stored notes.

Generated questions come from the notes' own comparison tables ("need | choose" rows): the right
answer is the row's choice, the distractors are other rows' choices, and the row itself is the
evidence. They are read from the store, so they cover every ingested note, the user's included.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.rag.evidence import body_of
from app.store import Store

BANK_FILE = Path(__file__).parent / "data" / "questions.jsonl"


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

    def prompt(self) -> str:
        """The question with lettered options, as the tutor's exam mode reads it."""
        return self.question + "\n" + "\n".join(f"{k}) {v}" for k, v in self.choices.items())


def shipped_questions(path: Path = BANK_FILE) -> list[Question]:
    """The practice questions that ship with the product."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            questions.append(Question(item["id"], item["domain"], item["question"], item["choices"],
                                      item["answer"], item.get("sources", [])))
    return questions


def table_rows(body: str) -> list[list[list[str]]]:
    """Markdown tables of a text as lists of rows of cells (header and separator dropped)."""
    tables, current = [], []
    for line in body.splitlines() + [""]:
        if line.strip().startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif current:
            tables.append([r for r in current[2:] if r])
            current = []
    return tables


def note_tables(store: Store) -> dict[str, tuple[dict, list[list[list[str]]]]]:
    """Per stored source: the metadata of its first chunk and the tables of all its chunks, in order."""
    by_source: dict[str, tuple[dict, list]] = {}
    chunks = sorted(store.all_chunks(), key=lambda d: (d.metadata["source"], d.metadata.get("chunk_index", 0)))
    for doc in chunks:
        meta, tables = by_source.setdefault(doc.metadata["source"], (doc.metadata, []))
        tables += table_rows(body_of(doc.page_content))
    return by_source


def note_questions(store: Store, seed: int = 0) -> list[Question]:
    """Questions generated from two-column comparison tables of the stored notes."""
    rng = random.Random(seed)
    questions = []
    for source, (meta, tables) in sorted(note_tables(store).items()):
        stem = Path(source).stem
        for t, rows in enumerate(tables):
            pairs = [(r[0], r[1]) for r in rows if len(r) == 2 and r[0] and r[1]]
            answers = list(dict.fromkeys(a for _, a in pairs))
            if len(answers) < 4:
                continue
            for i, (need, right) in enumerate(pairs):
                wrong = rng.sample([a for a in answers if a != right], 3)
                options = wrong + [right]
                rng.shuffle(options)
                letters = dict(zip("ABCD", (re.sub(r"[`*]", "", o) for o in options)))
                questions.append(Question(
                    f"{stem}-t{t}-{i}", str(meta.get("domain", "core")),
                    f"In the note *{meta.get('title', stem)}*: which choice fits this need? {need}",
                    letters, ["ABCD"[options.index(right)]], [source],
                    f"The note's comparison table pairs \"{need}\" with \"{right}\" ({source})."))
    return questions
