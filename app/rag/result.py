"""The public answer: a typed result (the `--json` shape), its verdict and its citation lines."""

from __future__ import annotations

from pathlib import Path

import re

from pydantic import BaseModel, ConfigDict

from app.rag.evidence import Evidence
from app.rag.search import Hit
from app.rag.text import CITATION


class Citation(BaseModel):
    """One numbered source of an answer."""

    n: int
    source: str
    heading: str
    page: int | None = None
    chunk_id: str
    score: float
    rank: int = 0  # 1-based position in the retrieval ranking (citations are renumbered by first use)


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
    confidence: float | None = None  # exam picks: calibrated chance the choice is right (0-1)
    confident: bool | None = None    # exam picks: confidence at or above the calibrated threshold
    evidence: list[EvidenceSentence] = []
    more_sources: list[Citation] = []  # retrieved chunks the answer does not cite (see keep_used_citations)


def make_citations(hits: list[Hit]) -> list[Citation]:
    """Numbered citations for the retrieved chunks."""
    return [Citation(n=n, source=h.metadata.get("source", ""), heading=h.metadata.get("heading", ""),
                     page=h.metadata.get("page"), chunk_id=h.chunk_id, score=round(h.score, 4), rank=n)
            for n, h in enumerate(hits, start=1)]


_SPACED_MARKER = re.compile(r"( ?)\[(\d+)\]")  # a removed marker takes its leading space along


def keep_used_citations(answer: TutorAnswer) -> TutorAnswer:
    """A copy whose `citations` are only the sources the text cites, renumbered 1..m by first use.

    The other sources move to `more_sources` (numbered m+1.., in retrieval order); every [n] in the
    text and every evidence `n` follow the new numbers; a marker naming no source is removed.
    Idempotent, so every answer path may apply it.
    """
    sources = {c.n: c for c in answer.citations + answer.more_sources}
    used = list(dict.fromkeys(int(n) for n in CITATION.findall(answer.answer) if int(n) in sources))
    rest = sorted((n for n in sources if n not in used), key=lambda n: (sources[n].rank, n))
    new = {old: i for i, old in enumerate(used + rest, start=1)}
    text = _SPACED_MARKER.sub(lambda m: f"{m[1]}[{new[int(m[2])]}]" if int(m[2]) in new else "",
                              answer.answer)

    def renumbered(olds: list[int]) -> list[Citation]:
        return [sources[old].model_copy(update={"n": new[old]}) for old in olds]

    evidence = [e.model_copy(update={"n": new.get(e.n, e.n)}) for e in answer.evidence]
    return answer.model_copy(update={"answer": text, "citations": renumbered(used),
                                     "more_sources": renumbered(rest), "evidence": evidence})


def evidence_sentences(evidence: list[Evidence]) -> list[EvidenceSentence]:
    """Evidence in the public shape."""
    return [EvidenceSentence(n=e.n, chunk_id=e.chunk_id, sentence=e.sentence, score=round(e.score, 4))
            for e in evidence]


UNSURE = "unsure — check the cited notes"


def verdict(result: TutorAnswer) -> str:
    """How far to trust an answer, in words: not found, extractive fallback or grounded."""
    if result.refused:
        return "not found in your notes"
    if result.fallback:
        return "unsupported sentences found; extractive answer from your notes"
    if result.confident is not None:  # an exam pick: say how sure, not "grounded"
        return "confident" if result.confident else UNSURE
    return "grounded in your notes" if result.grounded else "not checked"


def citation_line(cite: Citation) -> str:
    """`[n] source - heading, page p`: how a citation is shown everywhere."""
    page = f", page {cite.page}" if cite.page else ""
    return f"[{cite.n}] {shown_source(cite.source)} - {cite.heading}{page}"


def shown_source(source: str) -> str:
    """A stored (absolute) source as people read it: relative to the working folder when inside it."""
    path = Path(source)
    return path.relative_to(Path.cwd()).as_posix() if path.is_relative_to(Path.cwd()) else source
