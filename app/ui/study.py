"""Shared pieces of the study pages (practice, mock exam, flashcards, plan): the progress file,
the store's generated material, links to note sections and the per-domain recall line.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import streamlit as st

from app.store import Store
from app.study.bank import Question, shipped_questions
from app.study.library import StudyMaterial, material_from_store, short_source
from app.study.practice import Progress, ProgressError
from app.ui.common import settings

NOTE_PAGE = "note"  # url path of page_note.py (see main.py)


def progress_store() -> Progress:
    """The SQLite progress file next to the store (answers, FSRS cards, mock exams), or a one-line error."""
    try:
        return Progress(settings().store_path.parent / "practice.sqlite")
    except ProgressError as exc:
        st.error(str(exc))
        st.stop()


def material() -> StudyMaterial:
    """Questions and flashcards generated from the store's current chunks (rebuilt when they change)."""
    return material_from_store(Store(settings()))


def practice_bank(origin: str = "All") -> list[Question]:
    """Shipped exam-style questions and/or questions generated from the stored notes."""
    shipped = [] if origin == "Generated from your notes" else shipped_questions()
    generated = [] if origin == "Exam-style bank" else material().questions
    return shipped + generated


def plain(text: str) -> str:
    """Text safe inside Markdown: no HTML, links, images or emphasis."""
    return re.sub(r"([\\`*_{}\[\]()<>#|!])", r"\\\1", text)


def note_link(label: str, chunk_id: str) -> str:
    """A Markdown link to the note-section page (plain label when the section is unknown)."""
    if not chunk_id:
        return plain(label)
    return f"[{plain(label)}]({NOTE_PAGE}?chunk={quote(chunk_id)})"


def recall_line(progress: Progress, items: set[str] | None = None) -> str:
    """"Recall (FSRS): D1 97 % now, 61 % in a week (12 cards) · ...", or a hint before any review."""
    outlook = progress.schedule.recall_outlook(items)
    if not outlook:
        return "Recall (FSRS): nothing reviewed yet."
    return "Recall (FSRS): " + " · ".join(f"{d or '-'} {now:.0%} now, {week:.0%} in a week ({n} cards)"
                                          for d, (now, week, n) in outlook.items())


def question_citation(question: Question) -> str:
    """Where a generated question's answer comes from: the sentence and its note section, linked."""
    where = " > ".join(filter(None, [short_source(question.sources[0]) if question.sources else "", question.heading]))
    return f"From your notes: \"{plain(question.evidence)}\" ({note_link(where, question.chunk_id)})"
