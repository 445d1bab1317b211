"""Flashcards export: the .apkg opens with zipfile + sqlite3 and holds every card; CSV too; the
CLI writes both and names a bad file name in one line."""

from __future__ import annotations

import csv
import sqlite3
import zipfile

from typer.testing import CliRunner

from app.cli import app
from app.study.flashcards import export_apkg, export_csv
from tests.test_study_items import FICTIONAL_TERMS, fictional_material

runner = CliRunner()


def apkg_notes(path) -> list[list[str]]:
    """The fields of every note in an Anki package (read with the standard library only)."""
    with zipfile.ZipFile(path) as package:
        assert "collection.anki2" in package.namelist()
        db_file = path.parent / "collection.anki2"
        db_file.write_bytes(package.read("collection.anki2"))
    db = sqlite3.connect(str(db_file))
    fields = [row[0].split("\x1f") for row in db.execute("SELECT flds FROM notes")]
    assert db.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == len(fields)
    db.close()
    return fields


def test_apkg_and_csv_hold_every_card_with_its_source(tmp_path):
    cards = fictional_material(tmp_path).flashcards
    deck = tmp_path / "out" / "deck.apkg"
    assert export_apkg(cards, deck) == len(cards) == 4
    notes = apkg_notes(deck)
    assert {n[0] for n in notes} == FICTIONAL_TERMS
    quill = next(n for n in notes if n[0] == "Amazon Quillfish")
    assert "managed buffer that batches sensor records" in quill[1] and "fictional.md" in quill[2]
    table = tmp_path / "deck.csv"
    export_csv(cards, table)
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert {r["term"] for r in rows} == FICTIONAL_TERMS and all("fictional.md" in r["sources"] for r in rows)


def test_cli_rejects_a_wrong_file_type_in_one_line(in_tmp):
    env = {"TUTOR_STORE_PATH": str(in_tmp / "store"), "TUTOR_NOTES_PATH": str(in_tmp / "none")}
    result = runner.invoke(app, ["flashcards", "export", "--out", "deck.txt"], env=env)
    assert result.exit_code == 1 and "deck.txt: the file name must end in .apkg" in result.output
    empty = runner.invoke(app, ["flashcards", "export", "--out", "deck.apkg"], env=env)
    assert empty.exit_code == 1 and "no flashcards" in empty.output and "Traceback" not in empty.output
