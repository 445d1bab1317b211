"""Hybrid search: dense (Chroma) and BM25 rankings over one store, fused by RRF.

Plain Python, so a cold `tutor ask` pays for no LangChain callback machinery; app/rag/retrieval.py
wraps the same search as a LangChain retriever for chains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.store import Store

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

    def to_document(self):
        """The hit as a LangChain Document; scores go into the metadata."""
        from langchain_core.documents import Document

        meta = {**self.metadata, "chunk_id": self.chunk_id, "score": self.score, "rrf": self.rrf}
        return Document(page_content=self.text, metadata=meta, id=self.chunk_id)


@dataclass
class HybridSearch:
    """BM25 + dense search over one store, fused by reciprocal rank fusion, with a domain filter."""

    store: Store
    k: int = 5
    domain: str | None = None
    mode: str = "hybrid"  # "hybrid", "dense" or "bm25"
    _words: frozenset[str] | None = field(default=None, repr=False)

    def vocabulary(self) -> frozenset[str]:
        """The notes' vocabulary (computed once per search object)."""
        if self._words is None:
            self._words = self.store.bm25.vocabulary()
        return self._words

    def dense(self, query: str, k: int, where: dict | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity."""
        return [Hit(doc.id, doc.page_content, doc.metadata, score=cos)
                for doc, cos in self.store.dense(query, k, where)]

    def sparse(self, query: str, k: int, where: dict | None = None) -> list[Hit]:
        """Best BM25 matches, fetched from the store by id (and filtered like the dense search)."""
        ranked = self.store.bm25.search(query, k * 3 if where else k)
        docs = self.store.fetch([cid for cid, _ in ranked], where)
        return [Hit(doc.id, doc.page_content, doc.metadata) for doc in docs][:k]

    def search(self, query: str, k: int | None = None, domain: str | None = None,
               mode: str | None = None) -> list[Hit]:
        """Top-k chunks for a query: 'hybrid' (RRF of dense and BM25), 'dense' or 'bm25'."""
        k = k or self.k
        mode = mode or self.mode
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
        if not any(near_duplicate(words, other, threshold) for _, other in kept):
            kept.append((hit, words))
    return [hit for hit, _ in kept]


def near_duplicate(a: set[str], b: set[str], threshold: float) -> bool:
    """Jaccard at or above threshold; sets of very different sizes are ruled out without a set
    operation (the Jaccard is at most small/large), which is most pairs."""
    small, large = sorted((len(a), len(b)))
    return small >= threshold * large and jaccard(a, b) >= threshold


def jaccard(a: set[str], b: set[str]) -> float:
    """Size of the intersection over size of the union (0 for two empty sets)."""
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if a or b else 0.0
