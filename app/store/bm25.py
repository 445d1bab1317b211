"""The BM25 half of the store: a bm25s index over every chunk, persisted beside the Chroma data."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config import Settings


@contextmanager
def hidden_module(name: str) -> Iterator[None]:
    """Make `import name` fail inside the block, unless the module is already loaded."""
    if name in sys.modules:
        yield
        return
    sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        del sys.modules[name]


# bm25s imports numba at import time only to offer a backend we never select (we use its default,
# numpy); numba costs ~0.8 s of every cold `tutor ask`
with hidden_module("numba"):
    import bm25s


def bm25_dir(settings: Settings) -> Path:
    """Where the BM25 index of a store is persisted."""
    return settings.store_path / f"bm25-{settings.collection}"


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased word tokens without English stopwords (the same for index and query)."""
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def save_bm25(folder: Path, ids: list[str], documents: list[str]) -> None:
    """Build the BM25 index over `documents` and swap it into `folder` atomically."""
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")  # one temp folder per process
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if ids:
        index = bm25s.BM25()
        index.index(tokenize(documents), show_progress=False)
        index.save(str(tmp))
    (tmp / "ids.json").write_text(json.dumps(ids))
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


class Bm25Index:
    """A loaded BM25 index and the chunk ids its rows stand for."""

    def __init__(self, folder: Path):
        ids_file = folder / "ids.json"
        self.ids: list[str] = json.loads(ids_file.read_text()) if ids_file.exists() else []
        self.index = bm25s.BM25.load(str(folder)) if self.ids else None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) pairs; empty when nothing matches."""
        tokens = tokenize([query])
        if self.index is None or not tokens[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.index.retrieve(tokens, k=k, show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def vocabulary(self) -> frozenset[str]:
        """Every word the index knows (lower-case), i.e. the words the notes use."""
        return frozenset(self.index.vocab_dict) if self.index is not None else frozenset()
