"""Finding the files to ingest, and naming each unusable one with its reason on one line."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.load import SUPPORTED, LoadError, clip
from app.store import source_of

BROKEN_LINK = "broken symlink (its target is missing or loops back)"
OUTSIDE_LINK = "symlink to a file outside the notes folder; not followed"
LINE_BREAKING = {"Cc", "Zl", "Zp"}  # control characters and line/paragraph separators


@dataclass
class FileResult:
    """What happened to one file."""

    source: str
    status: str  # added | updated | unchanged | removed | failed
    chunks: int = 0
    reason: str = ""


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[str], list[FileResult]]:
    """Files to ingest as (path, source), the source prefixes they cover, and unusable paths."""
    found, roots, bad = [], [], []
    for path in paths:
        if path.is_dir():
            roots.append(source_of(path).rstrip("/") + "/")
            files, broken, outside = walk(path)
            found += [(p, source_of(p)) for p in files]
            bad += [failed(link_name(p), BROKEN_LINK) for p in broken]
            bad += [failed(link_name(p), OUTSIDE_LINK) for p in outside]
        elif path.is_file():
            roots.append(source_of(path))
            found.append((path, source_of(path)))
        elif path.is_symlink():
            bad.append(failed(str(path), BROKEN_LINK))
        else:
            reason = "not a regular file" if path.exists() else "no such file or directory"
            bad.append(failed(str(path), reason))
    unique = {source: path for path, source in sorted(found, key=lambda item: str(item[0]))}
    return sorted(((path, source) for source, path in unique.items()), key=lambda item: item[1]), roots, bad


def walk(root: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Supported files under root; dangling or looping symlinks; symlinks leading out of root.

    Symlinked folders are not followed (no loops) and dotfiles are skipped. A symlinked file is
    followed only when its target lies inside root: a note folder must never expose other files
    (a link to /etc/passwd named p.md). A folder's README.md describes the folder
    (corpus/README.md is a coverage table), so folder scans skip it; name the file explicitly to
    ingest it.
    """
    files, broken, outside = [], [], []
    inside = root.resolve()
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.name.lower() == "readme.md" or path.suffix.lower() not in SUPPORTED:
            continue
        if path.is_symlink() and path.exists() and not path.resolve().is_relative_to(inside):
            outside.append(path)
        elif path.is_file():
            files.append(path)
        elif path.is_symlink() and not path.exists():
            broken.append(path)
    return files, broken, outside


def link_name(path: Path) -> str:
    """A link's own name in source style (resolving the link itself would fail, loop or leave)."""
    return f"{source_of(path.parent).rstrip('/')}/{path.name}"


def failed(source: str, reason: str) -> FileResult:
    """A failed result whose name and reason each print on one line."""
    return FileResult(printable(source), "failed", reason=clip(reason, 300))


def printable(name: str) -> str:
    """A file name with control characters and undecodable bytes escaped, so it prints on one line."""
    escaped = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ascii(ch)[1:-1] if unicodedata.category(ch) in LINE_BREAKING else ch for ch in escaped)


def reason_of(exc: Exception) -> str:
    """Why a file failed, in one line: our own reasons as they are, anything else named by type."""
    if isinstance(exc, (LoadError, OSError)):
        return str(exc) or type(exc).__name__
    if isinstance(exc, MemoryError):
        return "ran out of memory reading it (lower TUTOR_MAX_TEXT_MB or split the file)"
    return f"unexpected {type(exc).__name__} while loading: {exc}"
