"""How a file is named in the store: one identity per real file, wherever `tutor` runs from."""

from __future__ import annotations

import hashlib
from pathlib import Path


def source_of(path: Path) -> str:
    """A file's stored name: its absolute path with symlinks resolved (the same from any folder)."""
    return path.resolve().as_posix()


def chunk_key(source: str, content_hash: str) -> str:
    """Deterministic chunk id from source and chunk content: re-adding can never duplicate."""
    return hashlib.sha256(f"{source}\n{content_hash}".encode()).hexdigest()[:40]


def is_canonical(source: str) -> bool:
    """Whether a stored source is in today's form (older versions stored paths relative to the cwd)."""
    return source.startswith("/")
