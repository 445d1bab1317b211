"""Loaders: each format, and a clear one-line reason for each kind of bad input."""

from __future__ import annotations

import hashlib

import pytest

from app.rag.units import note_units
from ingest.load import LoadError, hash_file, load_file
from tests.pdfs import write_encrypted_pdf, write_pdf

MB = 10**6


def test_markdown_front_matter(notes_dir):
    loaded = load_file(notes_dir / "inference.md", "inference.md", MB)
    assert loaded.title == "Inference options"
    assert loaded.domain == "D3" and loaded.tasks == ["3.1"]
    assert "---" not in loaded.parts[0].text.splitlines()[0]


def test_pdf_keeps_page_numbers(tmp_path):
    path = write_pdf(tmp_path / "cheat.pdf", ["First page about Kinesis.", "Second page about Glue."])
    loaded = load_file(path, "cheat.pdf", MB)
    assert [p.page for p in loaded.parts] == [1, 2]
    assert "Glue" in loaded.parts[1].text


def test_html_headings_become_markdown(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><title>T</title><script>alert(1)</script><h2>Feature Store</h2>"
                    "<p>Online and offline stores.</p></html>")
    loaded = load_file(path, "page.html", MB)
    assert loaded.title == "T"
    assert "## Feature Store" in loaded.parts[0].text and "alert" not in loaded.parts[0].text


def test_html_table_rows_keep_their_cells_apart(tmp_path):
    # an exported notebook's table: cells once ran together ("metricabbrtells you", "CIone facet")
    path = tmp_path / "export.html"
    path.write_text("<h2>bias metrics</h2><table>\n<tr><th>metric</th><th>abbr</th></tr>\n"
                    "<tr><td>Class Imbalance</td><td>CI<br>pre-training</td></tr>\n"
                    "<tr><td>a | b</td><td>x</td></tr></table><p>after the table</p>")
    text = load_file(path, "export.html", MB).parts[0].text
    assert "| metric | abbr |\n|---|---|\n| Class Imbalance | CI pre-training |\n| a / b | x |" in text
    assert text.endswith("after the table")
    assert "Class Imbalance - abbr: CI pre-training" in [u.text for u in note_units(text)]


def test_a_reader_change_counts_the_files_it_reads_as_changed(tmp_path):
    # a store ingested by the older HTML reader must re-read its pages once, not keep the run-on cells
    page, note = tmp_path / "p.html", tmp_path / "n.md"
    page.write_bytes(b"<p>x</p>")
    note.write_bytes(b"<p>x</p>")
    assert hash_file(page) != hash_file(note) == hashlib.sha256(b"<p>x</p>").hexdigest()


@pytest.mark.parametrize("name,content,reason", [
    ("binary.md", b"\x00\x01\x02binary", "binary file"),
    ("latin.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "not valid UTF-8"),
    ("empty.md", b"", "empty file"),
    ("blank.txt", b"   \n\n", "no text"),
    ("corrupt.pdf", b"%PDF-1.4 this is not really a pdf", "corrupt or unreadable PDF"),
    ("data.xlsx", b"PK\x03\x04", "unsupported file type"),
])
def test_bad_input_reasons(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_file(path, name, MB)


def test_encrypted_and_empty_pdfs(tmp_path):
    with pytest.raises(LoadError, match="encrypted PDF"):
        load_file(write_encrypted_pdf(tmp_path / "locked.pdf", "hidden"), "locked.pdf", MB)
    with pytest.raises(LoadError, match="no extractable text"):
        load_file(write_pdf(tmp_path / "blank.pdf", ["", ""]), "blank.pdf", MB)


def test_huge_file_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("x" * 2000)
    with pytest.raises(LoadError, match="file too large"):
        load_file(path, "huge.txt", 1000)
