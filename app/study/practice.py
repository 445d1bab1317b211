"""Practice sessions: grading, the answer history and the FSRS schedule in one SQLite file.

A session draws due reviews first (oldest due date first), then questions never seen, weak domains
first, then the ones due soonest.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime
from pathlib import Path

from fsrs import Card

from app.study.bank import Question
from app.study.history import MockHistory
from app.study.schedule import Schedule, rating_for, utc_now


class ProgressError(RuntimeError):
    """The progress file cannot be used; the message names the file and what to do."""


class Progress:
    """Answers and FSRS cards in a local SQLite file (survives restarts)."""

    def __init__(self, path: Path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), check_same_thread=False)
            self.db.execute("CREATE TABLE IF NOT EXISTS answers (question TEXT, domain TEXT, correct INTEGER, at REAL)")
            self.db.commit()
            self.schedule = Schedule(self.db)
            self.schedule.migrate_leitner()
            self.mocks = MockHistory(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise ProgressError(f"{path}: cannot use the practice progress file ({exc}); "
                                "move it away to start a new one") from exc

    def record(self, question: Question, correct: bool, guessed: bool = False,
               when: datetime | None = None) -> Card:
        """Store one answer and reschedule the question (right: Good, guessed: Hard, miss: Again)."""
        when = when or utc_now()
        with self.db:
            self.db.execute("INSERT INTO answers VALUES (?, ?, ?, ?)",
                            (question.id, question.domain, int(correct), when.timestamp()))
        return self.schedule.review(question.id, "question", question.domain, rating_for(correct, guessed), when)

    def domain_accuracy(self) -> dict[str, float]:
        """Share of correct answers per domain over all sessions."""
        rows = self.db.execute("SELECT domain, AVG(correct) FROM answers GROUP BY domain").fetchall()
        return {domain: float(acc) for domain, acc in rows}

    def pick(self, bank: list[Question], domains: list[str], count: int, seed: int | None = None,
             when: datetime | None = None) -> list[Question]:
        """A session: due reviews first, then new questions of weak domains, then the next due."""
        rng, when = random.Random(seed), when or utc_now()
        accuracy = self.domain_accuracy()
        cards = self.schedule.cards("question")
        pool = [q for q in bank if not domains or q.domain in domains]

        def order(q: Question) -> tuple:
            card = cards.get(q.id)
            if card and card[1].due <= when:
                return (0, card[1].due.timestamp(), 0.0)
            if not card:
                return (1, accuracy.get(q.domain, 0.5), rng.random())
            return (2, card[1].due.timestamp(), 0.0)

        return sorted(pool, key=order)[:count]


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
