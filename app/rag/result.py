"""The public answer: a typed result (the `--json` shape), its verdict and its citation lines."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.rag.evidence import Evidence
from app.rag.retrieval import Hit


class Citation(BaseModel):
    """One numbered source of an answer."""

    n: int
    source: str
    heading: str
    page: int | None = None
    chunk_id: str
    score: float


class EvidenceSentence(BaseModel):
    """One evidence sentence, tied to its citation number."""

    n: int
    chunk_id: str
    sentence: str
    score: float


class TutorAnswer(BaseModel):
    """What `Tutor.ask` returns and `tutor ask --json` prints (new fields may be added, none removed)."""

    model_config = ConfigDict(extra="allow")

    answer: str
    citations: list[Citation]
    model: str
    query: str
    grounded: bool = False
    fallback: bool = False
    refused: bool = False
    choice: list[str] | None = None
    evidence: list[EvidenceSentence] = []


def make_citations(hits: list[Hit]) -> list[Citation]:
    """Numbered citations for the retrieved chunks."""
    return [Citation(n=n, source=h.metadata.get("source", ""), heading=h.metadata.get("heading", ""),
                     page=h.metadata.get("page"), chunk_id=h.chunk_id, score=round(h.score, 4))
            for n, h in enumerate(hits, start=1)]


def evidence_sentences(evidence: list[Evidence]) -> list[EvidenceSentence]:
    """Evidence in the public shape."""
    return [EvidenceSentence(n=e.n, chunk_id=e.chunk_id, sentence=e.sentence, score=round(e.score, 4))
            for e in evidence]


def verdict(result: TutorAnswer) -> str:
    """How far to trust an answer, in words: not found, extractive fallback or grounded."""
    if result.refused:
        return "not found in your notes"
    if result.fallback:
        return "unsupported sentences found; extractive answer from your notes"
    return "grounded in your notes" if result.grounded else "not checked"


def citation_line(cite: Citation) -> str:
    """`[n] source - heading, page p`: how a citation is shown everywhere."""
    page = f", page {cite.page}" if cite.page else ""
    return f"[{cite.n}] {cite.source} - {cite.heading}{page}"
