"""User uploads: safe file names, size and type limits, saved inside the notes folder only."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

ALLOWED = {".md", ".markdown", ".txt", ".pdf", ".html", ".htm"}
MAX_UPLOAD_MB = 20


class UploadError(ValueError):
    """An upload was refused; the message is one line naming the file and the reason."""


def safe_name(name: str) -> str:
    """A plain file name: no folders, no '..', no control or odd characters, never empty."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    stem = re.sub(r"\.+", ".", stem).strip(" .") if dot else base
    return f"{stem or 'note'}.{suffix.lower()}" if dot else (base or "note")


def save_upload(folder: Path, name: str, data: bytes, max_mb: float = MAX_UPLOAD_MB) -> Path:
    """Write one upload into `folder` (created if needed) and return its path."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError(f"{name}: file type {suffix or '(none)'} is not accepted "
                          f"(use {', '.join(sorted(ALLOWED))})")
    if len(data) > max_mb * 1024 * 1024:
        raise UploadError(f"{name}: {len(data) / 1024 / 1024:.1f} MB is over the {max_mb:g} MB limit")
    if not data.strip():
        raise UploadError(f"{name}: the file is empty")
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / clean).resolve()
    if target.parent != folder.resolve():  # belt and braces: never write outside the notes folder
        raise UploadError(f"{name}: refused, the name points outside the notes folder")
    target.write_bytes(data)
    return target
