"""One writer per store: a lock file beside the Chroma data (the embedded store has no locking)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from app.config import Settings
from app.store.errors import StoreBusy


def lock_path(settings: Settings) -> Path:
    """The lock file of a store."""
    return settings.store_path / ".ingest.lock"


@contextmanager
def writer_lock(settings: Settings, timeout: float = 0) -> Iterator[None]:
    """Hold the store's writer lock, or raise StoreBusy after `timeout` seconds."""
    if not settings.chroma_host:
        settings.store_path.mkdir(parents=True, exist_ok=True)
    path = lock_path(settings)
    try:
        with FileLock(str(path), timeout=timeout):
            yield
    except Timeout:
        raise StoreBusy(f"another ingest is writing to {settings.store_path} "
                        f"(lock {path}); wait for it or use a Chroma server") from None
