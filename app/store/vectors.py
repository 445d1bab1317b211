"""Sentence vectors kept on disk beside the store, so a cold process need not embed them again.

Evidence and exam scoring embed the sentences of every retrieved chunk. Embedding them costs most of
a cold exam answer (about 0.7 s for 14 chunks on two cores), and the result depends only on the text,
the way it is split and the embedding model. So the vectors are kept in files named by a digest of
those three: a file is never stale, writers need no lock (a file is written once, atomically), and
ingest prunes the files of chunks no longer stored.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

FORMAT = "1"  # bump when the sentence splitter or unit reader changes what gets embedded


class VectorCache:
    """Sentence vectors of chunk texts, one .npy file per (kind, model, text)."""

    def __init__(self, folder: Path, model: str):
        self.folder = folder
        self.model = model

    def path(self, kind: str, text: str) -> Path:
        """The file for one chunk text's vectors of one kind ("sentences" or "units")."""
        return self.folder / f"{self.digest(text)}.{kind}.npy"

    def digest(self, text: str) -> str:
        """What the vectors depend on: the text, the embedding model and the cache format."""
        return hashlib.sha256(f"{FORMAT}\0{self.model}\0{text}".encode()).hexdigest()[:32]

    def get(self, kind: str, text: str, rows: int) -> np.ndarray | None:
        """The cached vectors, or None when absent, unreadable or of another row count."""
        try:
            vectors = np.load(self.path(kind, text), allow_pickle=False)
        except (OSError, ValueError):
            return None
        return vectors if vectors.ndim == 2 and len(vectors) == rows else None

    def put(self, kind: str, text: str, vectors: np.ndarray) -> None:
        """Keep vectors for later processes; a store on read-only media simply keeps none."""
        target = self.path(kind, text)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                np.save(handle, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)

    def prune(self, texts: list[str]) -> int:
        """Delete the files of texts no longer stored (call under the writer lock); returns how many."""
        if not self.folder.is_dir():
            return 0
        keep = {self.digest(text) for text in texts}
        stale = [f for f in self.folder.iterdir() if f.name.split(".", 1)[0] not in keep]
        for file in stale:
            file.unlink(missing_ok=True)
        return len(stale)
