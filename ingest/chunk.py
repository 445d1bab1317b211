"""Chunking: Markdown along its headings (keeping the heading path), everything else by size."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.load import LoadedFile, clip

HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit of a file; `text` is what is embedded and shown."""

    text: str
    heading: str
    page: int | None
    index: int
    content_hash: str


def chunk_file(loaded: LoadedFile, size: int, overlap: int) -> list[Chunk]:
    """Split a loaded file into chunks; identical chunks within a file are kept once."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=min(overlap, size // 2))
    pieces: list[tuple[str, str, int | None]] = []
    for part in loaded.parts:
        for heading, body in split_sections(part.text, loaded.kind):
            pieces += [(heading, text, part.page) for text in splitter.split_text(break_runs(body, size))]
    return number_chunks(loaded.title, pieces)


def break_runs(text: str, size: int) -> str:
    """Break every run of more than `size` non-whitespace characters into lines the splitter can use.

    The splitter's last resort for such a run (long tokens, or CJK text, which has no spaces) is a
    list of one-character strings: tens of bytes per character. Lines stay a little under `size`
    because the splitter keeps each line break with the next piece and wants pieces below `size`.
    """
    step = size - 10
    # the look-behind anchors at the start of a run, so the scan stays linear in the text
    long_run = re.compile(rf"(?<!\S)\S{{{size + 1},}}")
    return long_run.sub(lambda m: "\n".join(m[0][i:i + step] for i in range(0, len(m[0]), step)), text)


def split_sections(text: str, kind: str) -> list[tuple[str, str]]:
    """(heading path, body) pairs: one per Markdown section, or one for plain text."""
    if kind != "markdown":
        return [("", text)]
    splitter = MarkdownHeaderTextSplitter(HEADERS, strip_headers=True)
    sections = []
    for doc in splitter.split_text(text):
        path = clip(" > ".join(doc.metadata[key] for _, key in HEADERS if key in doc.metadata))
        if doc.page_content.strip():
            sections.append((path, doc.page_content))
    return sections or [("", text)]


def number_chunks(title: str, pieces: list[tuple[str, str, int | None]]) -> list[Chunk]:
    """Prefix each piece with its title and heading (retrieval needs the context), hash, number."""
    chunks, seen = [], set()
    for heading, body, page in pieces:
        label = heading if heading.startswith(title) else " > ".join(filter(None, [title, heading]))
        text = f"{label}\n\n{body.strip()}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest in seen or not body.strip():
            continue
        seen.add(digest)
        chunks.append(Chunk(text, heading or title, page, len(chunks), digest))
    return chunks
