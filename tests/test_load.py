"""Loaders: each format, and a clear one-line reason for each kind of bad input."""

from __future__ import annotations

import pytest

from ingest.load import LoadError, load_file
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
