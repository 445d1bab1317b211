"""Bring stores written by older versions to canonical source names, without re-embedding.

Older versions named a file relative to the working directory (so the same folder ingested from
two places was stored twice), and followed symlinks out of the notes folder, storing the target.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from app.store import Store
from app.store.sources import chunk_key, is_canonical
from ingest.load import SUPPORTED


def migrate_sources(store: Store, sources: list[str]) -> None:
    """Move old relative-path chunks to the canonical source they match; drop symlink leftovers."""
    for old, ids in legacy_sources(store).items():
        match = canonical_match(old, sources)
        if match:
            store.move_chunks(ids, match, chunk_key)
        elif is_canonical(old) and Path(old).suffix.lower() not in SUPPORTED:
            # only a followed symlink stores a target that is not a note file (e.g. /etc/passwd)
            store.delete(ids)


def legacy_sources(store: Store) -> dict[str, list[str]]:
    """Chunk ids per stored source that is not in canonical form or is not a note file."""
    found: dict[str, list[str]] = {}
    for source, entry in store.files().items():
        if not is_canonical(source) or Path(source).suffix.lower() not in SUPPORTED:
            found[source] = entry["ids"]
    return found


def canonical_match(old: str, sources: list[str]) -> str | None:
    """The canonical source an old relative name stands for ('../x/notes/a.md' -> '.../x/notes/a.md')."""
    if is_canonical(old):
        return None
    parts = posixpath.normpath(old).split("/")
    tail = "/" + "/".join(part for part in parts if part != "..")  # '..' led out of the old cwd
    matches = [s for s in sources if s.endswith(tail)]
    return matches[0] if len(matches) == 1 else None
