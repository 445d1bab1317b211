"""The store: Chroma (dense vectors) and BM25 (words) over the same chunks, opened as one object."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from app.config import Settings
from app.providers import embedding_model_name, make_embeddings
from app.store.bm25 import Bm25Index, bm25_dir, save_bm25
from app.store.chroma import (connect, describe_store, drop_collection, get_all, open_collection,
                              stored_files, write_manifest)
from app.store.errors import (StoreBusy, StoreDamaged, StoreError, StoreMismatch, StoreReadOnly,
                              StoreUnavailable)
from app.store.files import read_stats, readable_copy, swap_in, write_stats
from app.store.lock import writer_lock
from app.store.sources import source_of
from app.store.vectors import VectorCache

if TYPE_CHECKING:  # langchain_chroma imports LangChain's retriever and tracing stack (a second)
    from langchain_chroma import Chroma

__all__ = ["Store", "StoreBusy", "StoreDamaged", "StoreError", "StoreMismatch", "StoreReadOnly",
           "StoreUnavailable", "describe_store", "source_of", "swap_in", "writer_lock"]


class Store:
    """One store: its Chroma collection, a LangChain vector store over it and the BM25 index."""

    def __init__(self, settings: Settings, client=None, embeddings: Embeddings | None = None,
                 writable: bool = False):
        try:
            self.client, self.collection = connect(settings, client)
        except StoreReadOnly as exc:
            if writable:
                raise StoreUnavailable(f"{exc}; nothing can be written to it (copy it somewhere "
                                       "writable, or set TUTOR_STORE_PATH)") from None
            # Chroma writes to its database even to read; a copy keeps a read-only store usable
            settings = readable_copy(settings)
            self.client, self.collection = connect(settings)
        self.settings = settings
        self._embeddings = embeddings

    @cached_property
    def embeddings(self) -> Embeddings:
        """The embedding model the store was built with (loaded on first use)."""
        return self._embeddings or make_embeddings(self.settings)

    @cached_property
    def vectorstore(self) -> Chroma:
        """LangChain's Chroma wrapper over our collection, with our embedding model (for chains)."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=self.settings.collection,
                      embedding_function=self.embeddings)

    @cached_property
    def vector_cache(self) -> VectorCache:
        """Sentence vectors of the stored chunks, kept beside the store (app/store/vectors.py)."""
        return VectorCache(self.settings.store_path / "vectors", embedding_model_name(self.settings))

    @cached_property
    def bm25(self) -> Bm25Index:
        """The persisted BM25 index, rebuilt once when it does not match the collection.

        It can lag behind when an ingest was killed, or when another machine ingested into a shared
        Chroma server. While an ingest holds the writer lock, the current index is used as it is:
        that ingest rebuilds it when done.
        """
        index = Bm25Index(bm25_dir(self.settings))
        if len(index.ids) != self.count():
            try:
                with writer_lock(self.settings):
                    self.rebuild_bm25()
            except (StoreBusy, StoreUnavailable):  # an ingest will rebuild it; or read-only media
                return index
            index = Bm25Index(bm25_dir(self.settings))
        return index

    def memo(self, name: str, compute: Callable[[], float]) -> float:
        """A number derived from the store's chunks, computed once per store content and kept in
        stats.json beside the store (a cold start should not recompute it)."""
        key = self.fingerprint()
        stats = read_stats(self.settings)
        if stats.get("fingerprint") == key and name in stats.get("values", {}):
            return float(stats["values"][name])
        value = float(compute())
        values = stats.get("values", {}) if stats.get("fingerprint") == key else {}
        write_stats(self.settings, {"fingerprint": key, "values": {**values, name: value}})
        return value

    def fingerprint(self) -> str:
        """A digest of the stored chunk ids: changes whenever a chunk is added or removed."""
        return hashlib.sha256("\n".join(sorted(self.all_ids())).encode()).hexdigest()[:16]

    def count(self) -> int:
        """How many chunks the store holds."""
        return self.collection.count()

    def dense(self, query: str, k: int, where: dict | None = None) -> list[tuple[Document, float]]:
        """Nearest chunks with their cosine similarity (the collection uses cosine space).

        Chroma's own query, as LangChain's wrapper would run it, without importing the wrapper."""
        got = self.collection.query(query_embeddings=[self.embeddings.embed_query(query)], n_results=k,
                                    where=where, include=["documents", "metadatas", "distances"])
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
        return [(Document(page_content=doc, metadata=meta or {}, id=cid), 1.0 - dist)
                for cid, doc, meta, dist in rows]

    def fetch(self, ids: list[str], where: dict | None = None) -> list[Document]:
        """Stored chunks by id, in the order asked (missing or filtered-out ids are left out)."""
        if not ids:
            return []
        got = self.collection.get(ids=ids, where=where, include=["documents", "metadatas"])
        by_id = {cid: Document(page_content=doc, metadata=meta, id=cid)
                 for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[cid] for cid in ids if cid in by_id]

    def texts(self, ids: list[str]) -> dict[str, str]:
        """The stored text of chunks, by chunk id."""
        return {doc.id: doc.page_content for doc in self.fetch(ids)}

    def all_chunks(self) -> list[Document]:
        """Every stored chunk (paged; for practice generation and listings)."""
        data = get_all(self.collection, ["documents", "metadatas"])
        return [Document(page_content=doc, metadata=meta, id=cid)
                for cid, doc, meta in zip(data["ids"], data["documents"], data["metadatas"])]

    def documents(self) -> list[dict]:
        """Every stored document with its chunk count, title and domain (for the UI and CLI)."""
        docs: dict[str, dict] = {}
        for meta in get_all(self.collection, ["metadatas"])["metadatas"]:
            doc = docs.setdefault(meta["source"], {"source": meta["source"], "title": meta.get("title"),
                                                   "domain": meta.get("domain"), "chunks": 0})
            doc["chunks"] += 1
        return sorted(docs.values(), key=lambda d: d["source"])

    def files(self) -> dict[str, dict]:
        """Per source: file hashes, expected and actual chunk count and chunk ids."""
        return stored_files(self.collection)

    def upsert(self, ids: list[str], texts: list[str], metadatas: list[dict],
               vectors: list[list[float]]) -> None:
        """Add or replace chunks with their precomputed vectors."""
        self.collection.upsert(ids=ids, documents=texts, metadatas=metadatas, embeddings=vectors)

    def restamp(self, ids: list[str], metadatas: list[dict]) -> None:
        """New metadata for chunks whose text is unchanged."""
        self.collection.update(ids=ids, metadatas=metadatas)

    def ids_of(self, source: str) -> list[str]:
        """The chunk ids of one source."""
        return self.collection.get(where={"source": source}, include=[])["ids"]

    def all_ids(self) -> list[str]:
        """Every chunk id in the store."""
        return get_all(self.collection, [])["ids"]

    def move_chunks(self, ids: list[str], source: str, key) -> None:
        """Give chunks a new source (and the ids `key(source, content_hash)`), keeping their vectors."""
        got = self.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        metas = [{**meta, "source": source} for meta in got["metadatas"]]
        new_ids = [key(source, meta["content_hash"]) for meta in metas]
        existing = set(self.collection.get(ids=new_ids, include=[])["ids"])
        fresh = [i for i, cid in enumerate(new_ids) if cid not in existing]
        if fresh:
            self.upsert([new_ids[i] for i in fresh], [got["documents"][i] for i in fresh],
                        [metas[i] for i in fresh], [list(got["embeddings"][i]) for i in fresh])
        self.delete([cid for cid in got["ids"] if cid not in set(new_ids)])

    def delete(self, ids: list[str]) -> None:
        """Remove chunks by id."""
        if ids:
            self.collection.delete(ids=ids)

    def delete_source(self, source: str) -> int:
        """Remove one document's chunks (under the writer lock); returns how many were removed."""
        with writer_lock(self.settings, timeout=30):
            ids = self.ids_of(source)
            self.delete(ids)
            self.commit()
        return len(ids)

    def rebuild_bm25(self) -> list[str]:
        """Rebuild the persisted BM25 index from the stored chunks (call under the writer lock);
        returns the stored texts."""
        data = get_all(self.collection, ["documents"])
        save_bm25(bm25_dir(self.settings), data["ids"], data["documents"])
        self.__dict__.pop("bm25", None)
        return data["documents"]

    def commit(self) -> None:
        """After a write: refresh the manifest and the BM25 index, and drop the sentence vectors of
        chunks no longer stored (call under the writer lock)."""
        write_manifest(self.settings, self.files())
        self.vector_cache.prune(self.rebuild_bm25())

    def drop(self) -> None:
        """Delete the whole collection and reopen it empty."""
        drop_collection(self.settings, self.client)
        self.collection = open_collection(self.settings, self.client)
        self.__dict__.pop("vectorstore", None)
