"""How a file is named in the store."""

from __future__ import annotations

from pathlib import Path


def source_of(path: Path) -> str:
    """How a file is named in the store: relative to the working directory when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()
