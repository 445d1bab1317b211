"""Incremental indexing: embed only what changed, replace changed files, drop deleted ones."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from app.config import Settings
from app.providers import embedding_model_name, make_embeddings
from ingest.chunk import Chunk, chunk_file
from ingest.load import SUPPORTED, LoadedFile, LoadError, hash_file, load_file
from ingest.store import (drop_collection, get_all, is_complete, make_client, open_collection,
                          source_of, stored_files, write_manifest)

BATCH = 64


@dataclass
class FileResult:
    """What happened to one file."""

    source: str
    status: str  # added | updated | unchanged | removed | failed
    chunks: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    """Per-file results and totals of one ingest run."""

    files: list[FileResult] = field(default_factory=list)
    embedded: int = 0
    total_chunks: int = 0
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """How many files ended with this status."""
        return sum(1 for f in self.files if f.status == status)

    def summary(self) -> str:
        """The one-line summary printed after every run."""
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged", "removed", "failed")]
        verb = f"{self.embedded} chunks embedded" if self.embedded else "nothing to embed"
        return (f"ingest: {', '.join(parts)} files; {verb}; {self.total_chunks} chunks in store; "
                f"{self.seconds:.1f} s")


class IngestBusy(RuntimeError):
    """Another process is writing to the same store."""


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[str], list[FileResult]]:
    """Files to ingest as (path, source), the source prefixes they cover, and unusable paths."""
    found, roots, bad = [], [], []
    for path in paths:
        if path.is_dir():
            roots.append(source_of(path).rstrip("/") + "/")
            found += [(p, source_of(p)) for p in walk(path)]
        elif path.is_file():
            roots.append(source_of(path))
            found.append((path, source_of(path)))
        else:
            bad.append(FileResult(str(path), "failed", reason="no such file or directory"))
    return sorted(set(found), key=lambda item: item[1]), roots, bad


def walk(root: Path) -> list[Path]:
    """Supported files under root, without following symlinked folders (no loops), skipping dotfiles.

    A folder's README.md describes the folder (corpus/README.md is a coverage table), so folder scans
    skip it; name the file explicitly to ingest it.
    """
    files = []
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.name.lower() == "readme.md":
            continue
        if path.suffix.lower() in SUPPORTED and path.is_file():
            files.append(path)
    return files


def chunk_id(source: str, chunk: Chunk) -> str:
    """Deterministic id from source path and chunk content: re-adding can never duplicate."""
    return hashlib.sha256(f"{source}\n{chunk.content_hash}".encode()).hexdigest()[:40]


def chunk_metadata(loaded: LoadedFile, chunk: Chunk, file_hash: str, n_chunks: int,
                   model: str) -> dict:
    """Metadata stored with each chunk (Chroma takes no None values, so absent keys are omitted)."""
    meta = {"source": loaded.source, "title": loaded.title, "heading": chunk.heading,
            "chunk_index": chunk.index, "content_hash": chunk.content_hash,
            "file_hash": file_hash, "n_chunks": n_chunks, "embedding_model": model}
    if chunk.page is not None:
        meta["page"] = chunk.page
    if loaded.domain:
        meta["domain"] = loaded.domain
    if loaded.tasks:
        meta["tasks"] = ",".join(loaded.tasks)
    return meta


def ingest_paths(paths: list[Path], settings: Settings, rebuild: bool = False,
                 progress: Callable[[int, int], None] | None = None, show_bar: bool = True,
                 lock_timeout: float = 0) -> IngestReport:
    """Bring the store in line with `paths`; holds a lock so two writers never share a store."""
    lock_path = settings.store_path / ".ingest.lock"
    if not settings.chroma_host:
        settings.store_path.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(lock_path), timeout=lock_timeout):
            return _ingest_locked(paths, settings, rebuild, progress, show_bar)
    except Timeout:
        raise IngestBusy(f"another ingest is writing to {settings.store_path} "
                         f"(lock {lock_path}); wait for it or use a Chroma server") from None


def _ingest_locked(paths, settings, rebuild, progress, show_bar) -> IngestReport:
    """The ingest itself, under the writer lock."""
    start = time.perf_counter()
    client = make_client(settings)
    if rebuild:
        drop_collection(settings, client)
    collection = open_collection(settings, client)
    files, roots, bad = discover(paths)
    report = IngestReport(files=list(bad))
    stored = stored_files(collection)
    work = plan_files(files, stored, settings, report)
    embed_work(work, collection, settings, report, progress, show_bar)
    remove_missing(stored, {source for _, source in files}, roots, collection, report)
    final = stored_files(collection)
    write_manifest(settings, final)
    update_bm25(settings, collection)
    report.total_chunks = sum(len(e["ids"]) for e in final.values())
    report.seconds = time.perf_counter() - start
    return report


def plan_files(files, stored, settings, report) -> list[tuple[LoadedFile, list[Chunk], str, str]]:
    """Hash every file; load and chunk only new or changed ones; record unchanged and failed."""
    work, max_bytes = [], int(settings.max_file_mb * 1e6)
    for path, source in files:
        try:
            file_hash = hash_file(path)
            if is_complete(stored.get(source), file_hash):
                report.files.append(FileResult(source, "unchanged", len(stored[source]["ids"])))
                continue
            loaded = load_file(path, source, max_bytes)
            chunks = chunk_file(loaded, settings.chunk_size, settings.chunk_overlap)
        except (LoadError, OSError) as exc:
            report.files.append(FileResult(source, "failed", reason=str(exc) or type(exc).__name__))
            continue
        if not chunks:
            report.files.append(FileResult(source, "failed", reason="no text to index"))
            continue
        work.append((loaded, chunks, file_hash, "updated" if source in stored else "added"))
    return work


def embed_work(work, collection, settings, report, progress, show_bar) -> None:
    """Embed and upsert new chunks file by file, then retire each file's stale chunks."""
    from tqdm import tqdm

    embeddings = make_embeddings(settings) if work else None
    model = embedding_model_name(settings)
    existing = set(get_all(collection, [])["ids"]) if work else set()
    total = sum(len(chunks) for _, chunks, _, _ in work)
    bar = tqdm(total=total, unit="chunk", desc="embedding", disable=not show_bar or not total)
    for loaded, chunks, file_hash, status in work:
        ids = [chunk_id(loaded.source, c) for c in chunks]
        metas = [chunk_metadata(loaded, c, file_hash, len(chunks), model) for c in chunks]
        fresh = [i for i, cid in enumerate(ids) if cid not in existing]
        for start in range(0, len(fresh), BATCH):
            batch = fresh[start:start + BATCH]
            texts = [chunks[i].text for i in batch]
            collection.upsert(ids=[ids[i] for i in batch], documents=texts,
                              metadatas=[metas[i] for i in batch],
                              embeddings=embeddings.embed_documents(texts))
            report.embedded += len(batch)
        kept = [i for i, cid in enumerate(ids) if cid in existing]
        if kept:  # unchanged chunks of a changed file: new file hash, no new embedding
            collection.update(ids=[ids[i] for i in kept], metadatas=[metas[i] for i in kept])
        retire_stale(collection, loaded.source, set(ids))
        bar.update(len(chunks))
        if progress:
            progress(bar.n, total)
        report.files.append(FileResult(loaded.source, status, len(chunks)))
    bar.close()


def retire_stale(collection, source: str, keep: set[str]) -> None:
    """Delete a file's chunks that are not in its new chunk set (after the new ones are stored)."""
    old = collection.get(where={"source": source}, include=[])["ids"]
    stale = [cid for cid in old if cid not in keep]
    if stale:
        collection.delete(ids=stale)


def remove_missing(stored, seen: set[str], roots: list[str], collection, report) -> None:
    """Drop chunks of files that used to be under a scanned folder but are gone now."""
    for source, entry in stored.items():
        covered = any(source == r or (r.endswith("/") and source.startswith(r)) for r in roots)
        if covered and source not in seen and not Path(source).is_file():
            collection.delete(ids=entry["ids"])
            report.files.append(FileResult(source, "removed", len(entry["ids"])))


def delete_source(settings: Settings, source: str) -> int:
    """Remove one document's chunks from the store; returns how many were removed."""
    with FileLock(str(settings.store_path / ".ingest.lock"), timeout=30):
        collection = open_collection(settings)
        ids = collection.get(where={"source": source}, include=[])["ids"]
        if ids:
            collection.delete(ids=ids)
        write_manifest(settings, stored_files(collection))
        update_bm25(settings, collection)
    return len(ids)


def update_bm25(settings: Settings, collection) -> None:
    """Rebuild the persisted BM25 index from the store's chunks (hook; filled in by retrieval)."""
    from app.retrieval import save_bm25_index

    save_bm25_index(settings, collection)
