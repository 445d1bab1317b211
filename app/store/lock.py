"""One writer per store: a lock file beside the Chroma data (the embedded store has no locking)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from app.config import Settings
from app.store.errors import StoreBusy, StoreUnavailable


def lock_path(settings: Settings) -> Path:
    """The lock file of a store: beside its folder, so a rebuilt store can be swapped in under it."""
    return settings.store_path.with_name(f".{settings.store_path.name}.lock")


@contextmanager
def writer_lock(settings: Settings, timeout: float = 0) -> Iterator[None]:
    """Hold the store's writer lock, or raise StoreBusy after `timeout` seconds."""
    path = lock_path(settings)
    lock = FileLock(str(path), timeout=timeout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:  # a TimeoutError, so before OSError
        raise StoreBusy(f"another ingest is writing to {settings.store_path} "
                        f"(lock {path}); wait for it or use a Chroma server") from None
    except OSError as exc:
        raise StoreUnavailable(f"cannot take the writer lock {path} ({exc.strerror or exc}); is the "
                               "store on read-only media?") from None
    try:
        yield
    finally:
        lock.release()
