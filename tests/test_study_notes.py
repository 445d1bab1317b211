"""A note written for this test, ingested for real: its practice questions and flashcards appear with
their source cited (in the library, the CLI and the pages), re-ingesting an edit regenerates them,
and deleting the note removes them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from app.cli import app
from app.store import Store
from app.study.library import material_from_store
from ingest.index import ingest_paths
from tests.conftest import ROOT
from tests.test_flashcards import apkg_notes
from tests.test_study_items import FICTIONAL_NOTE, FICTIONAL_TERMS

pytestmark = pytest.mark.slow
runner = CliRunner()


def from_note(material, name: str = "fictional.md"):
    """The questions and cards of one note."""
    questions = [q for q in material.questions if q.sources[0].endswith(name)]
    cards = [c for c in material.flashcards if any(name in s for s in c.sources)]
    return questions, cards


@pytest.fixture
def note_env(in_tmp, make_settings, monkeypatch):
    """A notes folder holding the fictional note, ingested with the real embedding model."""
    folder = in_tmp / "mynotes"
    folder.mkdir()
    (folder / "fictional.md").write_text(FICTIONAL_NOTE)
    settings = make_settings()
    ingest_paths([folder], settings, show_bar=False)
    env = {"TUTOR_STORE_PATH": str(settings.store_path), "TUTOR_NOTES_PATH": str(in_tmp / "none"),
           "TUTOR_LLM": "fake/unused"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return settings, folder, env


def test_a_note_becomes_questions_and_cards_then_leaves_nothing(note_env):
    settings, folder, env = note_env
    questions, cards = from_note(material_from_store(Store(settings)))
    assert len(questions) >= 10 and {q.origin for q in questions} == {"definition", "choose", "table", "trap"}
    assert all(q.evidence and q.chunk_id and q.heading.startswith("Fictional streaming services") for q in questions)
    assert {c.term for c in cards} == FICTIONAL_TERMS
    (folder / "fictional.md").write_text(FICTIONAL_NOTE.replace("hourly Parquet files.", "daily Avro files."))
    ingest_paths([folder], settings, show_bar=False)
    edited, _ = from_note(material_from_store(Store(settings)))
    assert any("daily Avro files" in q.question for q in edited) and not any("hourly Parquet files?" in q.question for q in edited)
    (folder / "fictional.md").unlink()
    ingest_paths([folder], settings, show_bar=False)  # the file is gone: ingest removes its chunks
    assert from_note(material_from_store(Store(settings))) == ([], [])


def test_cli_exports_cards_and_quizzes_from_the_note(note_env, tmp_path):
    settings, _, env = note_env
    deck = tmp_path / "deck.apkg"
    result = runner.invoke(app, ["flashcards", "export", "--out", str(deck)], env=env)
    assert result.exit_code == 0 and "4 flashcards written" in result.output
    assert {n[0] for n in apkg_notes(deck)} == FICTIONAL_TERMS
    quiz = runner.invoke(app, ["practice", "--questions", "2", "--source", "notes"], env=env, input="a\nb?\n")
    assert quiz.exit_code == 0 and quiz.output.count("read: ") == 2 and "the note says:" in quiz.output
    assert "fictional.md > Fictional streaming services" in quiz.output
    plan = runner.invoke(app, ["plan", "--items", "3"], env=env)
    assert plan.exit_code == 0 and "due" in plan.output and "read: " in plan.output
    store = Store(settings)
    store.delete_source(next(d["source"] for d in store.documents()))
    gone = runner.invoke(app, ["flashcards", "export", "--out", str(deck)], env=env)
    assert gone.exit_code == 1 and "no flashcards" in gone.output


def test_practice_and_flashcard_pages_cite_the_note(note_env):
    at = AppTest.from_file(str(ROOT / "app" / "ui" / "page_practice.py"), default_timeout=60).run()
    at.sidebar.selectbox(key="practice_origin").set_value("Generated from your notes").run()
    next(b for b in at.sidebar.button if b.label == "Start session").click().run()
    at.radio[0].set_value(at.radio[0].options[0]).run()
    next(c for c in at.checkbox if c.label == "I guessed").check().run()
    next(b for b in at.button if b.label == "Submit answer").click().run()
    assert not at.exception and (at.success or at.error)
    assert any("From your notes:" in m.value and "fictional.md" in m.value for m in at.markdown)
    assert any(("Rated Hard" in c.value or "Rated Again" in c.value) and "next review" in c.value for c in at.caption)
    cards = AppTest.from_file(str(ROOT / "app" / "ui" / "page_flashcards.py"), default_timeout=60).run()
    assert cards.subheader[0].value in FICTIONAL_TERMS
    next(b for b in cards.button if b.label == "Show answer").click().run()
    assert any("fictional.md" in m.value and "note?chunk=" in m.value for m in cards.markdown)
    next(b for b in cards.button if b.label == "Good").click().run()
    assert not cards.exception and cards.caption[1].value == "Card 2 of 4"
    plan = AppTest.from_file(str(ROOT / "app" / "ui" / "page_plan.py"), default_timeout=60).run()
    assert not plan.exception and any("note?chunk=" in m.value for m in plan.markdown)
    assert "D1" in plan.caption[0].value  # recall per domain after the two reviews
