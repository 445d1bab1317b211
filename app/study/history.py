"""Past mock exams in the practice SQLite file, for the readiness trend."""

from __future__ import annotations

import json
import sqlite3
import time

from app.study.mock import MockReport


class MockHistory:
    """One row per finished mock exam."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS mock_exams (at REAL, correct INTEGER, total INTEGER, "
                            "scaled INTEGER, scaled_low INTEGER, scaled_high INTEGER, seconds REAL, detail TEXT)")

    def save(self, report: MockReport, at: float | None = None) -> None:
        """Remember a finished mock exam."""
        detail = json.dumps({"per_domain": report.per_domain, "per_task": report.per_task,
                             "missed": [q.id for q, _ in report.misses]})
        with self.db:
            self.db.execute("INSERT INTO mock_exams VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (at or time.time(), report.correct, report.total, report.scaled,
                             report.scaled_low, report.scaled_high, report.seconds, detail))

    def attempts(self) -> list[dict]:
        """Every finished mock exam, oldest first."""
        rows = self.db.execute("SELECT at, correct, total, scaled, scaled_low, scaled_high, seconds, detail "
                               "FROM mock_exams ORDER BY at").fetchall()
        keys = ["at", "correct", "total", "scaled", "scaled_low", "scaled_high", "seconds"]
        return [dict(zip(keys, row[:7]), attempt=i + 1, **json.loads(row[7])) for i, row in enumerate(rows)]
