"""The Chroma half of the store: client, collection, paged reads and what it holds per file."""

from __future__ import annotations

import json
import os

import chromadb
from chromadb.config import Settings as ChromaSettings

from app.config import Settings
from app.providers import embedding_model_name
from app.store.errors import (StoreDamaged, StoreError, StoreMismatch, StoreReadOnly,
                              StoreUnavailable)


DAMAGED = ("malformed", "not a database", "file is encrypted", "no such table", "corrupt")
READ_ONLY = ("readonly database", "read-only file system")


def make_client(settings: Settings):
    """A Chroma client: HTTP when TUTOR_CHROMA_HOST is set, else an embedded persistent store."""
    # Chroma's telemetry would try to reach the network; this product never does.
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return connect_server(settings, chroma_settings)
    path = settings.store_path
    if path.exists() and not path.is_dir():
        raise StoreUnavailable(f"the store path {path} is a file, not a folder; point TUTOR_STORE_PATH "
                               "at a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the store folder {path} ({exc.strerror}); point "
                               "TUTOR_STORE_PATH at a writable folder") from None
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def connect_server(settings: Settings, chroma_settings: ChromaSettings):
    """An HTTP client for a Chroma server, or one line naming host and port when it is unreachable."""
    try:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                   settings=chroma_settings)
    except Exception as exc:  # chromadb raises ValueError or httpx errors, depending on version
        raise StoreUnavailable(
            f"cannot reach the Chroma server at http://{settings.chroma_host}:{settings.chroma_port} "
            f"({type(exc).__name__}); is `chroma run` up? check TUTOR_CHROMA_HOST and "
            "TUTOR_CHROMA_PORT") from None


def connect(settings: Settings, client=None):
    """(client, collection) for the configured store, with failures translated to one line each."""
    try:
        client = client or make_client(settings)
        return client, open_collection(settings, client)
    except (StoreError, StoreMismatch):
        raise
    except Exception as exc:  # sqlite and Chroma report damage through several exception types
        raise store_error(settings, exc) from None


def store_error(settings: Settings, exc: Exception) -> Exception:
    """The StoreError that explains an exception raised while opening a store."""
    text = str(exc).lower()
    where = describe_store(settings)
    if any(marker in text for marker in READ_ONLY):
        return StoreReadOnly(f"the store {where} is on read-only media")
    if any(marker in text for marker in DAMAGED):
        return StoreDamaged(f"the store {where} is damaged ({first_line(exc)}); rebuild it with "
                            "`tutor ingest --rebuild` (your note files are not affected)")
    return StoreUnavailable(f"cannot open the store {where}: {type(exc).__name__}: {first_line(exc)}")


def first_line(exc: Exception) -> str:
    """The first line of an exception's message, clipped."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def open_collection(settings: Settings, client=None):
    """Get or create the collection (cosine space), stamped with the embedding model's name."""
    client = client or make_client(settings)
    model = embedding_model_name(settings)
    collection = client.get_or_create_collection(
        settings.collection, metadata={"hnsw:space": "cosine", "embedding_model": model})
    built_with = (collection.metadata or {}).get("embedding_model")
    if built_with and built_with != model:
        raise StoreMismatch(f"store {describe_store(settings)} was built with {built_with}, but the "
                            f"configured embedding model is {model}; run `tutor ingest --rebuild`")
    return collection


def describe_store(settings: Settings) -> str:
    """Where the store lives, for messages and the UI sidebar."""
    if settings.chroma_host:
        return f"chroma server http://{settings.chroma_host}:{settings.chroma_port}/{settings.collection}"
    return f"{settings.store_path}/{settings.collection}"


def drop_collection(settings: Settings, client=None) -> None:
    """Delete the whole collection (for --rebuild); missing is fine."""
    client = client or make_client(settings)
    try:
        client.delete_collection(settings.collection)
    except Exception:  # chroma raises different types across versions for "does not exist"
        pass


def get_all(collection, include: list[str], page: int = 5000) -> dict:
    """collection.get() in pages: one call over a large store exceeds SQLite's variable limit."""
    out: dict = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        out["ids"] += got["ids"]
        for key in include:
            out[key] += got[key]
        if len(got["ids"]) < page:
            return out
        offset += page


def stored_files(collection) -> dict[str, dict]:
    """Per source: file hash(es), expected and actual chunk count, and chunk ids, from Chroma itself."""
    files: dict[str, dict] = {}
    result = get_all(collection, ["metadatas"])
    for chunk_id, meta in zip(result["ids"], result["metadatas"]):
        entry = files.setdefault(meta["source"], {"hashes": set(), "expected": 0, "ids": []})
        entry["hashes"].add(meta.get("file_hash"))
        entry["expected"] = max(entry["expected"], int(meta.get("n_chunks", 0)))
        entry["ids"].append(chunk_id)
    return files


def is_complete(entry: dict | None, file_hash: str) -> bool:
    """True when every stored chunk of a file has this hash and none is missing (crash-safe check)."""
    if not entry:
        return False
    return entry["hashes"] == {file_hash} and len(entry["ids"]) == entry["expected"]


def write_manifest(settings: Settings, files: dict[str, dict]) -> None:
    """Write a readable manifest (source -> file hash, chunk count) atomically beside the store."""
    if settings.chroma_host:
        return
    manifest = {src: {"sha256": sorted(h for h in e["hashes"] if h)[0] if e["hashes"] else None,
                      "chunks": len(e["ids"])} for src, e in sorted(files.items())}
    path = settings.store_path / "manifest.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1))
    os.replace(tmp, path)
