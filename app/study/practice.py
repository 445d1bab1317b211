"""Practice sessions: grading, and a spaced-repetition schedule kept in SQLite.

Scheduling is a Leitner system: a correct answer moves a question up one box, a miss sends it back to
box 0; sessions draw low boxes first and give weak domains more questions.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from app.study.bank import Question

BOXES = 5


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
