"""Spaced repetition with FSRS (the `fsrs` package): one card per practice question or flashcard.

Ratings follow the package: Again (a miss), Hard ("I guessed" but right), Good (right), Easy. Cards
and the review log live in the practice SQLite file. Leitner boxes kept by earlier versions are
replayed into FSRS cards once (their answer history, in time order), then kept as `boxes_leitner`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


def utc_now() -> datetime:
    """The current time in UTC (FSRS works in UTC)."""
    return datetime.now(timezone.utc)


def rating_for(correct: bool, guessed: bool = False) -> Rating:
    """A miss is Again, a guess that was right is Hard, a right answer is Good."""
    if not correct:
        return Rating.Again
    return Rating.Hard if guessed else Rating.Good


class Schedule:
    """FSRS cards and their review log in an SQLite connection."""

    def __init__(self, db: sqlite3.Connection, scheduler: Scheduler | None = None):
        self.db = db
        self.scheduler = scheduler or Scheduler()
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS cards (item TEXT PRIMARY KEY, kind TEXT, domain TEXT, "
                            "card TEXT, due TEXT)")
            self.db.execute("CREATE TABLE IF NOT EXISTS reviews (item TEXT, kind TEXT, domain TEXT, "
                            "rating INTEGER, at TEXT)")

    def card(self, item: str) -> Card | None:
        """The FSRS card of an item, or None when it was never reviewed."""
        row = self.db.execute("SELECT card FROM cards WHERE item = ?", (item,)).fetchone()
        return Card.from_dict(json.loads(row[0])) if row else None

    def review(self, item: str, kind: str, domain: str, rating: Rating, when: datetime | None = None) -> Card:
        """Review one item with a rating; returns its rescheduled card."""
        when = when or utc_now()
        card, _ = self.scheduler.review_card(self.card(item) or Card(), rating, when)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?)",
                            (item, kind, domain, json.dumps(card.to_dict()), card.due.isoformat()))
            self.db.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?)",
                            (item, kind, domain, int(rating), when.isoformat()))
        return card

    def cards(self, kind: str | None = None) -> dict[str, tuple[str, Card]]:
        """Every reviewed item (optionally of one kind) with its domain and card."""
        rows = self.db.execute("SELECT item, domain, card FROM cards" + (" WHERE kind = ?" if kind else ""),
                               (kind,) if kind else ()).fetchall()
        return {item: (domain, Card.from_dict(json.loads(card))) for item, domain, card in rows}

    def retrievability(self, card: Card, when: datetime | None = None) -> float:
        """The chance of recalling a card now, as FSRS estimates it."""
        return float(self.scheduler.get_card_retrievability(card, when or utc_now()))

    def retrievability_by_domain(self, items: set[str] | None = None,
                                 when: datetime | None = None) -> dict[str, tuple[float, int]]:
        """Mean retrievability and card count per domain (only `items` when given)."""
        sums: dict[str, list[float]] = {}
        for item, (domain, card) in self.cards().items():
            if items is None or item in items:
                sums.setdefault(domain, []).append(self.retrievability(card, when))
        return {domain: (sum(values) / len(values), len(values)) for domain, values in sorted(sums.items())}

    def recall_outlook(self, items: set[str] | None = None, days: float = 7) -> dict[str, tuple[float, float, int]]:
        """Per domain: mean retrievability now, in `days` days without review, and the card count.

        Right after a review every card is near 100 %; the outlook separates the domains whose cards
        were answered well (high stability) from those that were missed (they fade within days).
        """
        now = utc_now()
        later = self.retrievability_by_domain(items, now + timedelta(days=days))
        return {d: (r, later[d][0], n) for d, (r, n) in self.retrievability_by_domain(items, now).items()}

    def migrate_leitner(self) -> int:
        """Replay the answers behind old Leitner boxes into FSRS cards, once; returns the cards made."""
        if not self.db.execute("SELECT name FROM sqlite_master WHERE name = 'boxes'").fetchone():
            return 0
        answered = self.db.execute("SELECT name FROM sqlite_master WHERE name = 'answers'").fetchone()
        rows = self.db.execute("SELECT a.question, a.domain, a.correct, a.at FROM answers a JOIN boxes b "
                               "ON a.question = b.question ORDER BY a.at").fetchall() if answered else []
        for item, domain, correct, at in rows:
            self.review(item, "question", domain, rating_for(bool(correct)), datetime.fromtimestamp(at, timezone.utc))
        self.migrate_boxes_without_answers()
        with self.db:
            self.db.execute("ALTER TABLE boxes RENAME TO boxes_leitner")
        return len({row[0] for row in rows})

    def migrate_boxes_without_answers(self) -> None:
        """A box with no answer behind it: as many right answers as its box number, now."""
        for item, box in self.db.execute("SELECT question, box FROM boxes").fetchall():
            if self.card(item) is None:
                for _ in range(max(int(box), 0)):
                    self.review(item, "question", "", Rating.Good)
