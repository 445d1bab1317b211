"""Baselines scored beside our pipeline: BM25-only, dense-only and the common tutorial pipeline.

The tutorial pipeline is what most RAG tutorials build: RecursiveCharacterTextSplitter(1000, 200) over
the raw files, a Chroma collection with its default (L2) space and no metadata but the source, plain
similarity search with k=4, and a "use the context to answer" prompt on the same LLM.
"""

from __future__ import annotations

from pathlib import Path

import chromadb
from langchain_chroma import Chroma
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_text_splitters import RecursiveCharacterTextSplitter

from app.rag.retrieval import HybridRetriever

TUTORIAL_K = 4
TUTORIAL_PROMPT = ChatPromptTemplate.from_messages([
    ("system", "You are a helpful assistant. Use the following context to answer the question. "
               "If you don't know the answer, say that you don't know.\n\nContext:\n{context}"),
    ("human", "{question}")])


def sparse_sources(retriever: HybridRetriever, question: str, k: int) -> tuple[list[str], list[str]]:
    """BM25-only ranking: (sources, chunk ids)."""
    hits = retriever.search(question, k, mode="bm25")
    return [h.metadata.get("source", "") for h in hits], [h.chunk_id for h in hits]


def dense_sources(retriever: HybridRetriever, question: str, k: int) -> tuple[list[str], list[str]]:
    """Dense-only ranking: (sources, chunk ids)."""
    hits = retriever.search(question, k, mode="dense")
    return [h.metadata.get("source", "") for h in hits], [h.chunk_id for h in hits]


class TutorialPipeline:
    """The tutorial RAG pipeline over the same files, in its own throwaway collection."""

    def __init__(self, corpus: Path, store: Path, embeddings, llm: BaseChatModel | None):
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        client = chromadb.PersistentClient(path=str(store),
                                           settings=chromadb.Settings(anonymized_telemetry=False))
        self.db = Chroma(client=client, collection_name="tutorial", embedding_function=embeddings)
        if client.get_collection("tutorial").count() == 0:
            texts, metas = [], []
            for path in sorted(corpus.rglob("*.md")):
                for chunk in splitter.split_text(path.read_text(encoding="utf-8")):
                    texts.append(chunk)
                    metas.append({"source": path.as_posix()})
            self.db.add_texts(texts, metadatas=metas)
        self.chain = TUTORIAL_PROMPT | llm | StrOutputParser() if llm is not None else None

    def retrieve(self, question: str) -> tuple[list[str], list[str]]:
        """(sources, chunk texts) of the k=4 nearest chunks."""
        docs = self.db.similarity_search(question, k=TUTORIAL_K)
        return [d.metadata["source"] for d in docs], [d.page_content for d in docs]

    def answer(self, question: str, texts: list[str]) -> str:
        """The LLM's answer stuffed with the retrieved texts."""
        return self.chain.invoke({"context": "\n\n".join(texts), "question": question}).strip()
