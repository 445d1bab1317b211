"""Hybrid retrieval as a LangChain retriever: the search of app/rag/search.py behind `invoke`."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from app.rag.search import Hit, HybridSearch, dedupe, fuse
from app.store import Store

__all__ = ["Hit", "HybridRetriever", "dedupe", "fuse"]


class HybridRetriever(BaseRetriever):
    """BM25 + dense search over one store, fused by reciprocal rank fusion, with a domain filter.

    A LangChain retriever: `invoke(query)` returns Documents (usable in any chain); `search` returns
    the same ranking as `Hit`s with their scores.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 5
    domain: str | None = None
    mode: str = "hybrid"  # "hybrid", "dense" or "bm25"
    _search: HybridSearch | None = PrivateAttr(default=None)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, domain: str | None = None,
                                mode: str | None = None) -> list[Document]:
        """Top-k chunks as Documents."""
        hits = self.search(query, k or self.k, domain or self.domain, mode or self.mode)
        return [hit.to_document() for hit in hits]

    @property
    def searcher(self) -> HybridSearch:
        """The plain search behind this retriever (built once)."""
        if self._search is None:
            self._search = HybridSearch(self.store, self.k, self.domain, self.mode)
        return self._search

    def vocabulary(self) -> frozenset[str]:
        """The notes' vocabulary."""
        return self.searcher.vocabulary()

    def search(self, query: str, k: int | None = None, domain: str | None = None,
               mode: str | None = None) -> list[Hit]:
        """Top-k chunks for a query: 'hybrid' (RRF of dense and BM25), 'dense' or 'bm25'."""
        return self.searcher.search(query, k, domain, mode)
