"""Retrieval: dense (Chroma) and BM25 (bm25s) rankings fused by reciprocal rank fusion."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from app.config import Settings

RRF_K = 60  # the usual constant from Cormack et al.; damps the weight of top ranks


@dataclass
class Hit:
    """One retrieved chunk with its scores."""

    chunk_id: str
    text: str
    metadata: dict
    score: float = 0.0  # cosine similarity from the dense search (0 when only BM25 found it)
    rrf: float = 0.0
    ranks: dict = field(default_factory=dict)


def bm25_dir(settings: Settings) -> Path:
    """Where the BM25 index of a store is persisted."""
    return settings.store_path / f"bm25-{settings.collection}"


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased word tokens without English stopwords (the same for index and query)."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def save_bm25_index(settings: Settings, collection) -> None:
    """Build the BM25 index over every stored chunk and swap it in atomically."""
    import bm25s

    from ingest.store import get_all

    data = get_all(collection, ["documents"])
    target = bm25_dir(settings)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if data["ids"]:
        index = bm25s.BM25()
        index.index(tokenize(data["documents"]), show_progress=False)
        index.save(str(tmp))
    (tmp / "ids.json").write_text(json.dumps(data["ids"]))
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


class Bm25Index:
    """A loaded BM25 index and the chunk ids its rows stand for."""

    def __init__(self, settings: Settings):
        import bm25s

        folder = bm25_dir(settings)
        self.ids: list[str] = json.loads((folder / "ids.json").read_text()) if folder.exists() else []
        self.index = bm25s.BM25.load(str(folder)) if self.ids else None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) pairs; empty when nothing matches."""
        tokens = tokenize([query])
        if self.index is None or not tokens[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.index.retrieve(tokens, k=k, show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


def load_fresh_bm25(settings: Settings, collection) -> Bm25Index:
    """The persisted BM25 index, rebuilt once when it does not match the collection.

    It can lag behind when an ingest was killed, or when another machine ingested into a shared
    Chroma server; the index lives next to the local store.
    """
    index = Bm25Index(settings)
    if len(index.ids) != collection.count():
        save_bm25_index(settings, collection)
        index = Bm25Index(settings)
    return index


class Retriever:
    """Hybrid retriever over one store; build once per process and reuse."""

    def __init__(self, settings: Settings, vectorstore=None, bm25: Bm25Index | None = None):
        from ingest.store import make_vectorstore

        self.settings = settings
        self.vectorstore = vectorstore or make_vectorstore(settings)
        self.collection = self.vectorstore._collection
        self.bm25 = bm25 if bm25 is not None else load_fresh_bm25(settings, self.collection)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word the BM25 index knows (lower-case), i.e. the words the notes use."""
        index = self.bm25.index
        return frozenset(index.vocab_dict) if index is not None else frozenset()

    def vocabulary(self) -> frozenset[str]:
        """The notes' vocabulary (computed once per retriever)."""
        return self.words

    def dense(self, query: str, k: int, where: dict | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity (the collection uses cosine space)."""
        pairs = self.vectorstore.similarity_search_with_score(query, k=k, filter=where)
        return [Hit(doc.id, doc.page_content, doc.metadata, score=1.0 - dist) for doc, dist in pairs]

    def sparse(self, query: str, k: int, where: dict | None = None) -> list[Hit]:
        """Best BM25 matches, fetched from Chroma by id (and filtered like the dense search)."""
        ranked = self.bm25.search(query, k * 3 if where else k)
        if not ranked:
            return []
        got = self.collection.get(ids=[cid for cid, _ in ranked], where=where,
                                  include=["documents", "metadatas"])
        by_id = {cid: (doc, meta) for cid, doc, meta in
                 zip(got["ids"], got["documents"], got["metadatas"])}
        return [Hit(cid, *by_id[cid]) for cid, _ in ranked if cid in by_id][:k]

    def search(self, query: str, k: int | None = None, domain: str | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Top-k chunks for a query: 'hybrid' (RRF of dense and BM25), 'dense' or 'bm25'."""
        k = k or self.settings.k
        where = {"domain": domain} if domain else None
        fetch = max(k * 4, 20)
        dense = self.dense(query, fetch, where) if mode in ("hybrid", "dense") else []
        sparse = self.sparse(query, fetch, where) if mode in ("hybrid", "bm25") else []
        return dedupe(fuse([dense, sparse]))[:k]


def fuse(rankings: list[list[Hit]]) -> list[Hit]:
    """Reciprocal rank fusion: sum of 1/(RRF_K + rank) over the rankings a chunk appears in."""
    merged: dict[str, Hit] = {}
    for which, ranking in enumerate(rankings):
        for rank, hit in enumerate(ranking, start=1):
            kept = merged.setdefault(hit.chunk_id, hit)
            kept.rrf += 1.0 / (RRF_K + rank)
            kept.ranks[which] = rank
            kept.score = max(kept.score, hit.score)
    return sorted(merged.values(), key=lambda h: h.rrf, reverse=True)


def dedupe(hits: list[Hit], threshold: float = 0.9) -> list[Hit]:
    """Drop near-duplicate chunks (word-set Jaccard >= threshold), keeping the better-ranked one."""
    kept: list[tuple[Hit, set[str]]] = []
    for hit in hits:
        words = set(hit.text.lower().split())
        if all(jaccard(words, other) < threshold for _, other in kept):
            kept.append((hit, words))
    return [hit for hit, _ in kept]


def jaccard(a: set[str], b: set[str]) -> float:
    """Size of the intersection over size of the union (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 0.0
