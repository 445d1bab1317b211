"""What can go wrong with a store, each as one line meant for the user."""

from __future__ import annotations


class StoreError(RuntimeError):
    """The store cannot be used; str() is one line naming the store and what to do."""


class StoreMismatch(StoreError):
    """The store was built with a different embedding model than the one configured."""


class StoreBusy(StoreError):
    """Another process is writing to the same store."""


class StoreDamaged(StoreError):
    """The store's database is corrupt or unreadable."""


class StoreUnavailable(StoreError):
    """The store cannot be opened here: a Chroma server is unreachable, or the path is unusable."""


class StoreReadOnly(StoreError):
    """The store's files cannot be written (read-only media); readers open a temporary copy."""
