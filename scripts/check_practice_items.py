#!/usr/bin/env python3
"""The rule-based quality check over every practice question generated from the shipped corpus.

Chunks corpus/ exactly as ingest does (no embedding needed), generates the questions, and prints how
many were generated, how many each check rejected, and ten random shown questions with their cited
sentence. Run from the repository root: `.venv/bin/python scripts/check_practice_items.py [SEED]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.documents import Document  # noqa: E402

from app.study.library import material_from_chunks, quality_summary  # noqa: E402
from ingest.chunk import chunk_file  # noqa: E402
from ingest.files import discover  # noqa: E402
from ingest.index import chunk_id, chunk_metadata  # noqa: E402
from ingest.load import LoadError, load_file  # noqa: E402


def corpus_chunks(root: Path) -> list[Document]:
    """Every chunk ingest would store for the files under root, with the same ids and metadata."""
    found, _, _ = discover([root])
    docs = []
    for path, source in found:
        try:
            loaded = load_file(path, source, 60_000_000, 10_000_000)
        except LoadError:
            continue
        chunks = chunk_file(loaded, 1200, 150)
        docs += [Document(page_content=c.text, id=chunk_id(source, c),
                          metadata=chunk_metadata(loaded, c, "-", len(chunks), "-")) for c in chunks]
    return docs


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    print(quality_summary(material_from_chunks(corpus_chunks(Path("corpus"))), seed=seed))
