"""The store's folder on disk: a temporary copy for read-only media, and swapping in a rebuilt store."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

from chromadb.api.client import SharedSystemClient

from app.config import Settings


def readable_copy(settings: Settings) -> Settings:
    """Settings pointing at a temporary copy of the store (removed when the process exits)."""
    folder = Path(tempfile.mkdtemp(prefix="tutor-readonly-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / settings.store_path.name
    shutil.copytree(settings.store_path, copy)
    return settings.model_copy(update={"store_path": copy})


def sibling(path: Path, tag: str) -> Path:
    """A folder next to `path` for building or retiring a store (unique per process)."""
    return path.with_name(f"{path.name}.{tag}-{os.getpid()}")


def swap_in(fresh: Path, live: Path) -> None:
    """Replace the store at `live` with the one built at `fresh` (two renames, then clean up).

    Readers that opened the old store keep their open files until they finish; new readers open
    the new one. Chroma caches one client per path in each process, so that cache is cleared.
    """
    retired = sibling(live, "old")
    if live.exists() or live.is_symlink():
        os.replace(live, retired)
    os.replace(fresh, live)
    SharedSystemClient.clear_system_cache()
    if retired.is_dir():
        shutil.rmtree(retired, ignore_errors=True)
    elif retired.exists():
        retired.unlink()


def read_stats(settings: Settings) -> dict:
    """The store's stats.json ({} when missing, unreadable or on a Chroma server)."""
    path = settings.store_path / "stats.json"
    try:
        return json.loads(path.read_text()) if not settings.chroma_host and path.exists() else {}
    except (OSError, ValueError):
        return {}


def write_stats(settings: Settings, stats: dict) -> None:
    """Write stats.json atomically; a read-only store simply keeps recomputing."""
    if settings.chroma_host:
        return
    path = settings.store_path / "stats.json"
    try:
        tmp = path.with_name(f"stats.json.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(stats))
        os.replace(tmp, path)
    except OSError:
        pass
