"""Chunking keeps heading paths, respects the size limit and numbers chunks."""

from __future__ import annotations

from ingest.chunk import chunk_file
from ingest.load import LoadedFile, Part


def make(text: str, kind: str = "markdown") -> LoadedFile:
    return LoadedFile("n.md", "Note", kind, [Part(text)])


def test_heading_path_is_kept():
    text = "# Note\n\n## Deploy\n\n### Canary\n\nShift 10% first.\n\n## Monitor\n\nWatch drift."
    chunks = chunk_file(make(text), 500, 50)
    assert [c.heading for c in chunks] == ["Note > Deploy > Canary", "Note > Monitor"]
    assert chunks[0].text.startswith("Note > Deploy > Canary\n\n")
    assert [c.index for c in chunks] == [0, 1]


def test_long_sections_split_under_size():
    text = "## Big\n\n" + " ".join(f"word{i}" for i in range(2000))
    chunks = chunk_file(make(text), 400, 40)
    assert len(chunks) > 5
    assert all(len(c.text) <= 400 + len("Note > Big\n\n") for c in chunks)


def test_identical_chunks_kept_once_and_plain_text_has_title():
    chunks = chunk_file(make("Same line.\n\nSame line.", "text"), 12, 0)
    assert len(chunks) == 1 and chunks[0].heading == "Note"
