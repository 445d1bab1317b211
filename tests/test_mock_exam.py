"""Mock exams: the domain weights, the pausable timer, the scaled-score estimate, scoring, history,
and a 10-question mock with a shortened timer taken through the Streamlit page to its report."""

from __future__ import annotations

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from app.cli import app
from app.study.bank import shipped_questions
from app.study.history import MockHistory
from app.study.mock import (ASSUMED_PASS_SHARE, MockTimer, domain_counts, draw_mock, scaled_estimate,
                            score_mock, wilson)
from tests.conftest import ROOT


def test_domain_weights_give_the_exam_blueprint():
    assert domain_counts(65) == {"D1": 18, "D2": 17, "D3": 14, "D4": 16}
    assert domain_counts(10) == {"D1": 3, "D2": 3, "D3": 2, "D4": 2}
    assert all(sum(domain_counts(n).values()) == n for n in range(1, 66))


def test_a_full_mock_draws_65_distinct_exam_style_questions():
    drawn = draw_mock(shipped_questions(), 65, seed=3)
    assert len({q.id for q in drawn}) == 65 and all(q.origin == "shipped" and q.task for q in drawn)
    counts = {d: sum(q.exam_domain == d for q in drawn) for d in ("D1", "D2", "D3", "D4")}
    assert counts == domain_counts(65)


def test_the_timer_pauses_and_runs_out():
    timer = MockTimer(minutes=2, started=1000.0)
    assert timer.remaining(1030.0) == 90
    timer.pause(1030.0)
    assert timer.remaining(5000.0) == 90  # paused: the clock stands still
    timer.resume(1100.0)
    assert timer.remaining(1130.0) == 60 and not timer.expired(1189.0)
    assert timer.expired(1190.0) and timer.remaining(9999.0) == 0


def test_scaled_estimate_is_anchored_and_monotonic():
    assert scaled_estimate(0.0) == 100 and scaled_estimate(ASSUMED_PASS_SHARE) == 720 and scaled_estimate(1.0) == 1000
    values = [scaled_estimate(i / 65) for i in range(66)]
    assert values == sorted(values)
    low, high = wilson(13, 20)
    assert low < 13 / 20 < high and wilson(130, 200)[1] - wilson(130, 200)[0] < high - low


def test_score_report_per_domain_task_and_misses():
    bank = shipped_questions()
    exam = draw_mock(bank, 10, seed=1)
    answers = {q.id: q.answer for q in exam[:7]}  # three left unanswered
    report = score_mock(exam, answers, seconds=300)
    assert (report.correct, report.total) == (7, 10) and len(report.misses) == 3
    assert sum(t for _, t in report.per_domain.values()) == 10 and sum(t for _, t in report.per_task.values()) == 10
    assert report.scaled == scaled_estimate(0.7) and report.scaled_low < report.scaled < report.scaled_high
    assert report.verdict == "borderline"
    history = MockHistory(sqlite3.connect(":memory:"))
    history.save(report, at=1.0)
    history.save(score_mock(exam, {q.id: q.answer for q in exam}), at=2.0)
    attempts = history.attempts()
    assert [a["scaled"] for a in attempts] == [report.scaled, 1000] and attempts[0]["missed"] == [q.id for q, _ in report.misses]


@pytest.fixture
def mock_env(in_tmp, monkeypatch):
    """An empty store (the mock draws from the shipped bank) and the app's settings."""
    monkeypatch.setenv("TUTOR_STORE_PATH", str(in_tmp / "store"))
    monkeypatch.setenv("TUTOR_NOTES_PATH", str(in_tmp / "notes"))
    monkeypatch.setenv("TUTOR_LLM", "fake/unused")
    return in_tmp


def start(at: AppTest, questions: int, minutes: int) -> AppTest:
    at.number_input(key="mock_questions").set_value(questions).run()
    at.number_input(key="mock_minutes").set_value(minutes).run()
    return next(b for b in at.button if b.label == "Start mock exam").click().run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_ten_question_mock_with_a_short_timer_reaches_its_report(mock_env):
    at = AppTest.from_file(str(ROOT / "app" / "ui" / "page_mock.py"), default_timeout=60).run()
    at = start(at, 10, 5)
    assert not at.exception and at.session_state["mock"]["timer"].minutes == 5
    for n in range(10):
        assert at.subheader[0].value == f"Question {n + 1} of 10" and not at.success and not at.error
        if at.radio:
            at.radio[0].set_value(at.radio[0].options[0]).run()
        else:
            at.checkbox[0].check().run()
            at.checkbox[1].check().run()
        if n == 2:
            button(at, "Flag for review").click().run()
        if n < 9:
            button(at, "Next").click().run()
    assert any("0 unanswered, 1 flagged" in c.value for c in at.caption)
    button(at, "Pause").click().run()
    assert "Paused with" in at.info[0].value
    button(at, "Resume").click().run()
    button(at, "Finish exam").click().run()
    assert not at.exception and at.header[0].value == "Score report"
    assert any("of 10 correct" in m.value and "pass mark 720" in m.value for m in at.markdown)
    assert [s.value for s in at.subheader][:2] == ["By domain", "By task statement"]
    by_domain = next(m.value for m in at.markdown if m.value.startswith("| Domain |"))
    assert sum(int(row.split("|")[3]) for row in by_domain.splitlines()[2:]) == 10
    button(at, "New mock exam").click().run()
    assert any("Readiness trend" == s.value for s in at.subheader)  # the attempt is in the history


def test_a_mock_ends_when_time_is_up_and_late_answers_do_not_count(mock_env):
    at = AppTest.from_file(str(ROOT / "app" / "ui" / "page_mock.py"), default_timeout=60).run()
    at = start(at, 4, 1)
    at.session_state["mock"]["timer"].started -= 61  # a minute has passed
    if at.radio:  # answering now ends the exam instead of counting
        at.radio[0].set_value(at.radio[0].options[0]).run()
    else:
        at.checkbox[0].check().run()
    assert not at.exception and at.header[0].value == "Score report"
    assert any("0 of 4 correct" in m.value for m in at.markdown)


def test_cli_mock_of_20_questions_ends_in_a_report(mock_env):
    answers = "f\n" + "a\n" * 19 + "b\n" * 30  # flag the first, answer the rest, then the review pass
    result = CliRunner().invoke(app, ["mock", "--questions", "20"], input=answers)
    assert result.exit_code == 0, result.output
    assert "20 questions, 40 minutes. No feedback until the end." in result.output
    assert "Review pass: " in result.output and "Correct" not in result.output  # no feedback before the end
    report = result.output.split("Score: ")[1]
    assert "of 20 correct" in report and "Estimated scaled score" in report and "pass mark 720" in report
    assert "By domain:" in report and "By task statement:" in report and "read: " in report
    bad = CliRunner().invoke(app, ["mock", "--questions", "0"])
    assert bad.exit_code == 1 and "--questions must be 1-65" in bad.output


def test_the_jump_list_follows_the_current_question_and_jumps_on_go(mock_env):
    at = AppTest.from_file(str(ROOT / "app" / "ui" / "page_mock.py"), default_timeout=60).run()
    at = start(at, 10, 30)
    for n in (2, 3):  # Next moves the list along with the question
        button(at, "Next").click().run()
        assert at.subheader[0].value == f"Question {n} of 10" and at.selectbox[0].value == str(n)
    at.selectbox[0].set_value("7").run()
    assert at.subheader[0].value == "Question 3 of 10"  # picking alone does not move: a stale pick must not
    button(at, "Go").click().run()
    assert not at.exception and at.subheader[0].value == "Question 7 of 10" and at.selectbox[0].value == "7"
    button(at, "Previous").click().run()
    assert at.subheader[0].value == "Question 6 of 10" and at.selectbox[0].value == "6"
