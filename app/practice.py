"""Practice sessions: a question bank, grading, and a spaced-repetition schedule kept in SQLite.

The bank holds the dev set's multiple-choice items plus questions generated from the notes' own
comparison tables ("need | choose" rows): the right answer is the row's choice, the distractors are
other rows' choices, and the row itself is the evidence. Scheduling is a Leitner system: a correct
answer moves a question up one box, a miss sends it back to box 0; sessions draw low boxes first and
give weak domains more questions.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.load import parse_front_matter

BOXES = 5


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


def dev_questions(items) -> list[Question]:
    """The dev set's multiple-choice items as practice questions."""
    return [Question(i.id, i.domain, i.question, dict(i.choices), list(i.answer),
                     list(i.relevant_sources or [])) for i in items if i.kind == "mc"]


def table_rows(body: str) -> list[list[list[str]]]:
    """Markdown tables of a note as lists of rows of cells (header and separator dropped)."""
    tables, current = [], []
    for line in body.splitlines() + [""]:
        if line.strip().startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif current:
            tables.append([r for r in current[2:] if r])
            current = []
    return tables


def note_questions(corpus: Path, seed: int = 0) -> list[Question]:
    """Questions generated from two-column comparison tables: 'which fits this need?'."""
    rng = random.Random(seed)
    questions = []
    for path in sorted(corpus.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        source = f"corpus/{path.relative_to(corpus).as_posix()}"
        for t, rows in enumerate(table_rows(body)):
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
                    f"{path.stem}-t{t}-{i}", str(meta.get("domain", "core")),
                    f"In the note *{meta.get('title', path.stem)}*: which choice fits this need? {need}",
                    letters, ["ABCD"[options.index(right)]], [source],
                    f"The note's comparison table pairs \"{need}\" with \"{right}\" ({source})."))
    return questions


class Progress:
    """Answers and Leitner boxes in a local SQLite file (survives restarts)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS answers (question TEXT, domain TEXT, correct INTEGER, at REAL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS boxes (question TEXT PRIMARY KEY, box INTEGER)")
        self.db.commit()

    def record(self, question: Question, correct: bool) -> None:
        """Store one answer and move the question between boxes."""
        box = self.box(question.id)
        new_box = min(box + 1, BOXES - 1) if correct else 0
        with self.db:
            self.db.execute("INSERT INTO answers VALUES (?, ?, ?, ?)",
                            (question.id, question.domain, int(correct), time.time()))
            self.db.execute("INSERT OR REPLACE INTO boxes VALUES (?, ?)", (question.id, new_box))

    def box(self, question_id: str) -> int:
        """The Leitner box of a question (unseen questions start in box 1, after misses)."""
        row = self.db.execute("SELECT box FROM boxes WHERE question = ?", (question_id,)).fetchone()
        return row[0] if row else 1

    def domain_accuracy(self) -> dict[str, float]:
        """Share of correct answers per domain over all sessions."""
        rows = self.db.execute("SELECT domain, AVG(correct) FROM answers GROUP BY domain").fetchall()
        return {domain: float(acc) for domain, acc in rows}

    def pick(self, bank: list[Question], domains: list[str], count: int, seed: int | None = None) -> list[Question]:
        """A session: low boxes first, and weak domains weighted up; ties broken at random."""
        rng = random.Random(seed)
        accuracy = self.domain_accuracy()
        pool = [q for q in bank if not domains or q.domain in domains]
        # lower key = sooner: box first, then domain accuracy (weak domains first), then chance
        keyed = sorted(pool, key=lambda q: (self.box(q.id), accuracy.get(q.domain, 0.5), rng.random()))
        return keyed[:count]


def grade(question: Question, picked: list[str]) -> bool:
    """Exact set match, as in the exam (both letters for select-two)."""
    return sorted(picked) == sorted(question.answer)


def session_report(results: list[tuple[Question, bool]]) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Score per domain as (correct, total), and the notes to revisit for the missed questions."""
    per_domain: dict[str, tuple[int, int]] = {}
    revisit: list[str] = []
    for question, correct in results:
        right, total = per_domain.get(question.domain, (0, 0))
        per_domain[question.domain] = (right + int(correct), total + 1)
        if not correct:
            revisit += [s for s in question.sources if s not in revisit]
    return per_domain, revisit
