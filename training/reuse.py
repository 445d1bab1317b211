"""Reusing the bank memory's own vectors when `make train` runs again.

The memory bank (training/exam_bank_blind3) is embedded only into the bank memory, and that is about
60 % of what `make train` embeds. The memory file therefore keeps, next to every stem and statement,
a key: a hash of the embedding model's name and the text. A later run takes a memory-bank text's
vector from the file when the key matches, and embeds only texts that are new or changed. The memory
is written in float16, so a reused vector is the very value a fresh embedding would have written
(to one float16 step). A sample of reused texts is embedded again first, and if any differs (another
model under the same name), nothing is reused. Questions read through the pipeline (fit, tune,
check) are always embedded afresh.
"""

from __future__ import annotations

from hashlib import blake2b
from pathlib import Path

import numpy as np

from app.rag.exam_memory import UNREADABLE

SPOT = 24          # reused texts embedded again to check the model still gives their vectors
TOLERANCE = 2e-3   # float16 keeps a unit vector's components to < 5e-4; a changed model moves them far more


def text_key(model: str, text: str) -> int:
    """A text's key under one embedding model (64 bits of a hash of both)."""
    digest = blake2b(f"{model}\n{text}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def memory_keys(model: str, layouts: list[tuple[list[str], list[str]]], letters: list[list[str]]) -> dict:
    """The keys of every memory row in the order `build_memory` writes them (stems; statements)."""
    stems, statements = [], []
    for (keys, texts), options in zip(layouts, letters):
        text_of = dict(zip(keys, texts))
        stems.append(text_key(model, text_of["stem"]))
        statements += [text_key(model, text_of[f"s{letter}"]) for letter in options]
    return {"stem_keys": np.array(stems, dtype=np.int64), "statement_keys": np.array(statements, dtype=np.int64),
            "embedder": np.array(model)}


def stored_vectors(memory_file: Path, model: str) -> dict[int, np.ndarray]:
    """Key -> vector of every row of an earlier memory made by `model` ({} when there is none)."""
    try:
        with np.load(memory_file) as data:
            if "embedder" not in data.files or str(data["embedder"]) != model:
                return {}
            keys = np.concatenate([data["stem_keys"], data["statement_keys"]])
            vectors = np.vstack([data["stems"], data["statements"]]).astype(np.float32)
    except UNREADABLE:
        return {}
    return dict(zip(keys.tolist(), vectors))


def still_valid(embed, texts: list[str], vectors: list[np.ndarray]) -> bool:
    """Embed a spread of the reused texts again: do they give the stored vectors?"""
    step = max(1, len(texts) // SPOT)
    sample = list(range(0, len(texts), step))[:SPOT]
    fresh = np.asarray(embed([texts[n] for n in sample]))
    return bool(np.abs(fresh - np.vstack([vectors[n] for n in sample])).max() < TOLERANCE)


def reusable(layouts: list[tuple[list[str], list[str]]], stored: dict[int, np.ndarray], model: str,
             embed) -> dict[str, np.ndarray]:
    """Text -> stored vector for the texts of `layouts` an earlier memory already holds, if still valid."""
    found = {text: stored[key] for _, texts in layouts for text in texts
             if (key := text_key(model, text)) in stored}
    if found and not still_valid(embed, list(found), list(found.values())):
        print("  the stored memory vectors differ from this embedding model's: embedding everything", flush=True)
        return {}
    return found
