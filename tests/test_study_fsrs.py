"""FSRS scheduling: due dates exactly as the fsrs package computes them, the rating rules, retrievability
per domain, session order, and the one-time migration of Leitner boxes."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

from app.study.bank import Question
from app.study.practice import Progress
from app.study.schedule import Schedule, rating_for

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def question(qid: str, domain: str = "D1") -> Question:
    return Question(qid, domain, "Which option?", {"A": "a", "B": "b", "C": "c", "D": "d"}, ["A"])


def test_due_dates_advance_as_the_package_specifies():
    schedule = Schedule(sqlite3.connect(":memory:"))
    reference, card, when, dues = Scheduler(), Card(), T0, []
    for step in range(5):
        random.seed(step)  # the package fuzzes longer intervals with random(); same seed, same fuzz
        ours = schedule.review("q1", "question", "D1", Rating.Good, when)
        random.seed(step)
        card, _ = reference.review_card(card, Rating.Good, when)
        assert ours.due == card.due and ours.stability == card.stability and ours.state == card.state
        dues.append(ours.due)
        when = ours.due
    assert all(later - earlier > timedelta(0) for earlier, later in zip(dues, dues[1:]))
    assert dues[-1] - dues[-2] > dues[2] - dues[1]  # intervals grow with every successful review
    again = schedule.review("q1", "question", "D1", Rating.Again, when)
    assert again.due - when <= timedelta(minutes=10)  # a lapse goes back to the relearning step


def test_right_is_good_guessed_is_hard_miss_is_again(tmp_path):
    assert rating_for(True) == Rating.Good and rating_for(True, guessed=True) == Rating.Hard
    assert rating_for(False) == Rating.Again and rating_for(False, guessed=True) == Rating.Again
    progress = Progress(tmp_path / "practice.sqlite")
    progress.record(question("a"), True, when=T0)
    progress.record(question("b"), True, guessed=True, when=T0)
    progress.record(question("c"), False, when=T0)
    ratings = dict(progress.db.execute("SELECT item, rating FROM reviews").fetchall())
    assert ratings == {"a": int(Rating.Good), "b": int(Rating.Hard), "c": int(Rating.Again)}


def test_retrievability_per_domain_and_session_order(tmp_path):
    progress = Progress(tmp_path / "practice.sqlite")
    progress.record(question("d1-right", "D1"), True, when=T0)
    progress.record(question("d3-miss", "D3"), False, when=T0)
    later = T0 + timedelta(days=3)
    by_domain = progress.schedule.retrievability_by_domain(when=later)
    assert set(by_domain) == {"D1", "D3"} and all(0 < r <= 1 and n == 1 for r, n in by_domain.values())
    bank = [question("new-d2", "D2"), question("d1-right", "D1"), question("d3-miss", "D3")]
    picked = progress.pick(bank, [], 3, seed=1, when=later)
    assert [q.id for q in picked][:2] == ["d3-miss", "d1-right"]  # due reviews first, oldest due first
    assert [q.id for q in progress.pick(bank, [], 3, seed=1, when=T0)][0] == "new-d2"  # nothing due yet


def test_leitner_boxes_migrate_once(tmp_path):
    path = tmp_path / "practice.sqlite"
    old = sqlite3.connect(str(path))  # the tables the Leitner version wrote
    old.execute("CREATE TABLE answers (question TEXT, domain TEXT, correct INTEGER, at REAL)")
    old.execute("CREATE TABLE boxes (question TEXT PRIMARY KEY, box INTEGER)")
    start = T0.timestamp()
    old.executemany("INSERT INTO answers VALUES (?, ?, ?, ?)",
                    [("q-up", "D2", 1, start), ("q-up", "D2", 1, start + 3 * 86400), ("q-miss", "D4", 0, start)])
    old.executemany("INSERT INTO boxes VALUES (?, ?)", [("q-up", 3), ("q-miss", 0), ("q-boxed", 2)])
    old.commit()
    old.close()
    progress = Progress(path)
    cards = progress.schedule.cards()
    assert set(cards) == {"q-up", "q-miss", "q-boxed"}
    assert cards["q-up"][0] == "D2" and cards["q-up"][1].last_review == T0 + timedelta(days=3)
    assert cards["q-miss"][1].due < cards["q-up"][1].due  # a miss is due sooner than two right answers
    reviews = progress.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    assert reviews == 5  # three answers replayed, two Good reviews for the box without answers
    tables = {r[0] for r in progress.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "boxes" not in tables and "boxes_leitner" in tables
    Progress(path)  # opening again migrates nothing twice
    assert progress.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == reviews


def test_a_damaged_progress_file_is_one_line(in_tmp):
    from typer.testing import CliRunner  # lazy: the CLI import is slow and only this test needs it

    from app.cli import app  # lazy: as above

    (in_tmp / "practice.sqlite").write_bytes(b"not a database at all" * 100)
    env = {"TUTOR_STORE_PATH": str(in_tmp / "store"), "TUTOR_NOTES_PATH": str(in_tmp / "none")}
    result = CliRunner().invoke(app, ["plan"], env=env)
    assert result.exit_code == 1 and "practice.sqlite: cannot use the practice progress file" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
