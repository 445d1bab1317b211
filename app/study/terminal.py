"""Practice, mock exams and the study plan as plain text, for `tutor practice`, `tutor mock` and
`tutor plan`. Input and output are functions passed in (input/print in the CLI, lists in tests).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langchain_core.documents import Document

from app.study.bank import Question
from app.study.library import section_for, short_source
from app.study.mock import PASS_SCALED, MockReport, MockTimer, clock, score_mock
from app.study.plan import PlanItem
from app.study.practice import Progress, grade

Read = Callable[[str], str | None]  # prompt -> a line, or None at end of input
Write = Callable[[str], None]
ESTIMATE_NOTE = ("(an estimate: AWS does not publish its raw-to-scaled mapping; we assume 70 % correct "
                 "is 720 and show an 80 % range)")


def show_question(question: Question, header: str, write: Write) -> None:
    """The question and its lettered options."""
    write(f"\n{header}\n{question.question}")
    for letter, text in question.choices.items():
        write(f"  {letter}) {text}")
    if len(question.answer) > 1:
        write(f"  (choose {len(question.answer)})")


def parse_answer(line: str, question: Question) -> tuple[list[str], bool] | None:
    """"b" -> (["B"], False); "AC?" -> (["A", "C"], True, a guess); None when it is not an answer."""
    guessed = line.strip().endswith("?")
    letters = sorted(set(re.sub(r"[\s,?]", "", line.upper())))
    if len(letters) != len(question.answer) or not set(letters) <= set(question.choices):
        return None
    return letters, guessed


def where(question: Question, chunks: list[Document]) -> str:
    """The note section to read for a question ("source > heading")."""
    chunk = section_for(question, chunks)
    if chunk is None:
        return ", ".join(question.sources)
    return f"{short_source(str(chunk.metadata.get('source', '')))} > {chunk.metadata.get('heading', '')}"


def practise(questions: list[Question], progress: Progress, chunks: list[Document], read: Read, write: Write) -> int:
    """Ask each question with feedback and FSRS scheduling; returns how many were right."""
    right = 0
    for n, question in enumerate(questions, 1):
        show_question(question, f"Question {n} of {len(questions)} ({question.domain})", write)
        answer = None
        while answer is None:
            line = read("answer (letters, add ? if you guessed; empty line stops)> ")
            if not line:
                return right
            answer = parse_answer(line, question)
            if answer is None:
                write(f"  type {len(question.answer)} of the letters {', '.join(question.choices)}")
        correct = grade(question, answer[0])
        right += correct
        card = progress.record(question, correct, answer[1])
        write(feedback(question, correct, chunks) + f"\n  next review: {card.due:%Y-%m-%d %H:%M} UTC")
    return right


def feedback(question: Question, correct: bool, chunks: list[Document]) -> str:
    """Right or wrong, the right answer, and where the notes say so."""
    right = "; ".join(f"{l}) {question.choices[l]}" for l in question.answer)
    lines = [f"{'Correct' if correct else 'Not quite'}: {right}"]
    if question.evidence:
        lines.append(f"  the note says: {question.evidence}")
    lines.append(f"  read: {where(question, chunks)}")
    return "\n".join(lines)


def take_mock(questions: list[Question], timer: MockTimer, read: Read, write: Write) -> dict[str, list[str]]:
    """Ask every question with no feedback; "f" flags it, Enter skips, "q" finishes; flagged and skipped
    questions come back while time is left. Returns the answers."""
    answers: dict[str, list[str]] = {}
    todo = list(questions)
    while todo and not timer.expired():
        flagged = []
        for question in todo:
            if timer.expired():
                break
            n = questions.index(question) + 1
            show_question(question, f"Question {n} of {len(questions)} · time left {clock(timer.remaining())}", write)
            line = read("answer (letters), f = flag for review, Enter = skip, q = finish> ")
            if line is None or line.strip().lower() == "q":
                return answers
            answer = parse_answer(line, question)
            if answer and not timer.expired():
                answers[question.id] = answer[0]
            if not answer or line.strip().lower().startswith("f"):
                flagged.append(question)
        if flagged:
            write(f"\nReview pass: {len(flagged)} flagged or unanswered question(s).")
        todo = flagged if flagged != todo else []
    return answers


def finish_mock(questions: list[Question], answers: dict[str, list[str]], timer: MockTimer,
                progress: Progress) -> MockReport:
    """Grade, save to the history and reschedule every question."""
    report = score_mock(questions, answers, timer.elapsed())
    progress.mocks.save(report)
    for question in questions:
        progress.record(question, grade(question, answers.get(question.id, [])))
    return report


def report_text(report: MockReport, chunks: list[Document]) -> str:
    """The score report as text."""
    lines = [f"\nScore: {report.correct} of {report.total} correct in {clock(report.seconds)}",
             f"Estimated scaled score: {report.scaled} (likely {report.scaled_low}-{report.scaled_high}); "
             f"pass mark {PASS_SCALED}: {report.verdict}", ESTIMATE_NOTE, "\nBy domain:"]
    lines += [f"  {d:5s} {c}/{t}" for d, (c, t) in report.per_domain.items()]
    lines += ["By task statement:"] + [f"  {k:5s} {c}/{t}" for k, (c, t) in report.per_task.items()]
    lines += [f"\nMissed ({len(report.misses)}):"]
    for question, picked in report.misses:
        right = ", ".join(question.answer)
        lines.append(f"- {question.question[:100]}\n  yours: {', '.join(picked) or '-'} · right: {right} · "
                     f"read: {where(question, chunks)}")
    return "\n".join(lines)


def plan_text(plan: list[PlanItem]) -> str:
    """The study plan as numbered lines, each with the note section to read."""
    if not plan:
        return "Nothing to plan yet: ingest notes, then practise."
    lines = []
    for n, item in enumerate(plan, 1):
        section = " > ".join(filter(None, [item.source, item.heading]))
        lines.append(f"{n:2d}. [{item.what}, {item.domain or '-'}, {item.reason}] {item.title}\n    read: {section}")
    return "\n".join(lines)
