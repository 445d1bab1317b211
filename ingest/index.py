"""Incremental indexing: embed only what changed, replace changed files, drop deleted ones."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from app.config import Settings
from app.providers import embedding_model_name
from app.store import Store, swap_in, writer_lock
from app.store.files import sibling
from app.store.sources import chunk_key
from app.store.chroma import is_complete
from ingest.chunk import Chunk, chunk_file
from ingest.files import FileResult, discover, failed, printable, reason_of
from ingest.load import LoadedFile, LoadError, hash_file, load_file
from ingest.migrate import migrate_sources

# Chunks embedded per model call. The model sorts a call's texts by length before padding them into
# batches of 64, so a wide window pads far less than 64 chunks in file order (measured by
# benchmarks/ingest_bench.py); it is still small enough to keep progress and memory fine-grained.
BATCH = 512
FIRST_BATCH = 64  # a quick first call, so the progress bar's estimate starts from a real rate


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


def chunk_id(source: str, chunk: Chunk) -> str:
    """Deterministic id from source path and chunk content: re-adding can never duplicate."""
    return chunk_key(source, chunk.content_hash)


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
    with writer_lock(settings, lock_timeout):
        if rebuild and not settings.chroma_host:
            return rebuild_beside(paths, settings, progress, show_bar)
        return _ingest_locked(paths, settings, rebuild, progress, show_bar)


def rebuild_beside(paths, settings: Settings, progress, show_bar) -> IngestReport:
    """Build a new store next to the live one, then swap it in: asks keep using the old one until
    then, and a damaged old store is never opened."""
    fresh = settings.model_copy(update={"store_path": sibling(settings.store_path, "rebuild")})
    shutil.rmtree(fresh.store_path, ignore_errors=True)
    try:
        report = _ingest_locked(paths, fresh, False, progress, show_bar)
    except BaseException:
        shutil.rmtree(fresh.store_path, ignore_errors=True)
        raise
    swap_in(fresh.store_path, settings.store_path)
    return report


def _ingest_locked(paths, settings, rebuild, progress, show_bar) -> IngestReport:
    """The ingest itself, under the writer lock."""
    start = time.perf_counter()
    store = Store(settings, writable=True)
    if rebuild:  # a Chroma server: its collection is dropped and filled again
        store.drop()
    files, roots, bad = discover(paths)
    report = IngestReport(files=list(bad))
    migrate_sources(store, [source for _, source in files])
    stored = store.files()
    work = plan_files(files, stored, settings, report)
    embed_work(work, store, report, progress, show_bar)
    remove_missing(stored, {source for _, source in files}, roots, store, report)
    store.commit()
    report.total_chunks = store.count()
    report.seconds = time.perf_counter() - start
    return report


def plan_files(files, stored, settings, report) -> list[tuple[LoadedFile, list[Chunk], str, str]]:
    """Hash every file; load and chunk only new or changed ones; record unchanged and failed."""
    work = []
    for path, source in files:
        try:
            planned = plan_file(path, source, stored, settings)
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
            report.files.append(failed(source, reason_of(exc)))
            continue
        if isinstance(planned, FileResult):
            report.files.append(planned)
        else:
            work.append(planned)
    return work


def plan_file(path: Path, source: str, stored: dict, settings: Settings):
    """An "unchanged" FileResult, or (loaded, chunks, file hash, status) for a file to embed."""
    # undecodable names crashed the whole run (chunk ids hash UTF-8); control characters break reports
    if printable(source) != source:
        raise LoadError("file name has control characters or is not valid UTF-8; rename the file")
    file_hash = hash_file(path)
    if is_complete(stored.get(source), file_hash):
        return FileResult(source, "unchanged", len(stored[source]["ids"]))
    loaded = load_file(path, source, int(settings.max_file_mb * 1e6), int(settings.max_text_mb * 1e6))
    chunks = chunk_file(loaded, settings.chunk_size, settings.chunk_overlap)
    if not chunks:
        raise LoadError("no text to index")
    return loaded, chunks, file_hash, "updated" if source in stored else "added"


@dataclass
class _Pending:
    """One file's chunks on their way into the store."""

    loaded: LoadedFile
    chunks: list[Chunk]
    status: str
    ids: list[str]
    metas: list[dict]
    fresh: list[int]  # positions of chunks not yet in the store
    left: int = 0  # fresh chunks not yet upserted


def embed_work(work, store: Store, report, progress, show_bar) -> None:
    """Embed and upsert new chunks in batches that span files; finish each file once all are in.

    Batching across files keeps 10,000 one-chunk notes at ~20 model calls instead of 10,000.
    """
    model = embedding_model_name(store.settings)
    existing = set(store.all_ids()) if work else set()
    pending = [pend(item, model, existing) for item in work]
    queue = [(entry, i) for entry in pending for i in entry.fresh]
    # the bar counts chunks to embed (the real work) and shows files done beside it; a small first
    # batch gives the estimate a measured rate within seconds
    bar = tqdm(total=len(queue), unit="chunk", desc="embedding", smoothing=0,
               disable=not show_bar or not queue)

    def finish_ready(finished: int) -> int:
        """Finish, in order, the files whose chunks are all stored; return how many are done."""
        while finished < len(pending) and not pending[finished].left:
            finish_file(store, pending[finished], report)
            finished += 1
        bar.set_postfix_str(f"{finished}/{len(pending)} files", refresh=False)
        return finished

    finished = finish_ready(0)
    for batch in batches(queue):
        upsert_batch(store, batch)
        report.embedded += len(batch)
        for entry, _ in batch:
            entry.left -= 1
        finished = finish_ready(finished)
        bar.update(len(batch))
        if progress:
            progress(bar.n, len(queue))
    bar.close()


def batches(queue: list) -> list[list]:
    """The queue in model calls: FIRST_BATCH chunks, then BATCH at a time."""
    cuts = [0] + list(range(min(FIRST_BATCH, len(queue)), len(queue), BATCH)) + [len(queue)]
    return [queue[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def pend(item, model: str, existing: set[str]) -> _Pending:
    """Ids, metadata and the not-yet-stored chunk positions of one planned file."""
    loaded, chunks, file_hash, status = item
    ids = [chunk_id(loaded.source, c) for c in chunks]
    metas = [chunk_metadata(loaded, c, file_hash, len(chunks), model) for c in chunks]
    fresh = [i for i, cid in enumerate(ids) if cid not in existing]
    return _Pending(loaded, chunks, status, ids, metas, fresh, len(fresh))


def upsert_batch(store: Store, batch: list[tuple[_Pending, int]]) -> None:
    """Embed one batch of chunks (possibly from several files) and upsert it."""
    texts = [entry.chunks[i].text for entry, i in batch]
    store.upsert([entry.ids[i] for entry, i in batch], texts, [entry.metas[i] for entry, i in batch],
                 store.embeddings.embed_documents(texts))


def finish_file(store: Store, entry: _Pending, report) -> None:
    """Restamp a file's kept chunks, retire its stale ones, and record the result."""
    fresh = set(entry.fresh)
    kept = [i for i in range(len(entry.ids)) if i not in fresh]
    if kept:  # unchanged chunks of a changed file: new file hash, no new embedding
        store.restamp([entry.ids[i] for i in kept], [entry.metas[i] for i in kept])
    if entry.status == "updated":  # a new file has no old chunks to retire
        retire_stale(store, entry.loaded.source, set(entry.ids))
    report.files.append(FileResult(entry.loaded.source, entry.status, len(entry.chunks)))


def retire_stale(store: Store, source: str, keep: set[str]) -> None:
    """Delete a file's chunks that are not in its new chunk set (after the new ones are stored)."""
    store.delete([cid for cid in store.ids_of(source) if cid not in keep])


def remove_missing(stored, seen: set[str], roots: list[str], store: Store, report) -> None:
    """Drop chunks of files that used to be under a scanned folder but are gone now."""
    for source, entry in stored.items():
        path = Path(source).resolve().as_posix()  # older stores hold paths relative to the cwd
        covered = any(path == r or (r.endswith("/") and path.startswith(r)) for r in roots)
        if covered and source not in seen and not Path(source).is_file():
            store.delete(entry["ids"])
            report.files.append(FileResult(source, "removed", len(entry["ids"])))
