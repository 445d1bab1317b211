"""Evidence selection: the sentences of the retrieved chunks that best answer a question."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from app.rag.search import Hit
from app.rag.text import BRANDS, FRAME_WORDS, content_words, overlap, split_sentences
from app.rag.units import Unit, body_of, note_units
from app.store.vectors import VectorCache

__all__ = ["Evidence", "EvidenceSelector", "SentenceIndex", "body_of", "heading_of", "query_coverage"]


W_COSINE, W_TERMS, W_CHUNK = 0.45, 0.25, 0.3  # evidence sentence score weights (dev-set tuned)


@dataclass
class Evidence:
    """One evidence sentence, tied to its chunk and citation number."""

    n: int
    chunk_id: str
    sentence: str
    score: float
    heading: str = ""
    label: str = ""    # the short label line the sentence sits under in terse notes
    row: bool = False  # a table row rendered with its column names
    cosine: float = 0.0  # embedding similarity with the question alone
    position: int = 0    # the statement's place in its chunk (reading order)



class SentenceIndex:
    """Sentences of chunks with their embeddings, computed once per chunk and kept in memory."""

    def __init__(self, embeddings: Embeddings, max_chunks: int = 4096, cache: VectorCache | None = None):
        self.embeddings = embeddings
        self.cache = cache  # vectors kept on disk beside the store (app/store/vectors.py)
        self._cached = lru_cache(maxsize=max_chunks)(self._embed_chunk)
        self._cached_units = lru_cache(maxsize=max_chunks)(self._embed_units)

    def _embed_chunk(self, chunk_id: str, text: str) -> tuple[list[str], np.ndarray]:
        sentences = split_sentences(body_of(text))
        if not sentences:
            return [], np.zeros((0, 1))
        return sentences, self._vectors("sentences", text, sentences)

    def _embed_units(self, chunk_id: str, text: str) -> tuple[list[Unit], np.ndarray]:
        units = note_units(text)
        if not units:
            return [], np.zeros((0, 1))
        return units, self._vectors("units", text, [u.text for u in units])

    def _vectors(self, kind: str, text: str, pieces: list[str]) -> np.ndarray:
        """Embeddings of a chunk's pieces: from the disk cache when there, else embedded (and kept)."""
        kept = self.cache.get(kind, text, len(pieces)) if self.cache else None
        if kept is not None:
            return kept.astype(float)
        vectors = np.asarray(self.embeddings.embed_documents(pieces))
        if self.cache:
            self.cache.put(kind, text, vectors)
        return vectors

    def sentences(self, hit: Hit) -> tuple[list[str], np.ndarray]:
        """A chunk's sentences (text.split_sentences) and their (normalised) embedding rows.

        The exam option scorer was tuned on these; answers quote `units` instead.
        """
        return self._cached(hit.chunk_id, hit.text)

    def units(self, hit: Hit) -> tuple[list[Unit], np.ndarray]:
        """A chunk's units (app/rag/units.py: clean statements, table rows with their column names)
        and their embedding rows."""
        return self._cached_units(hit.chunk_id, hit.text)

    def embed(self, text: str) -> np.ndarray:
        """One query vector."""
        return np.asarray(self.embeddings.embed_query(text))


def heading_of(hit: Hit) -> str:
    """The heading path a chunk came from."""
    return str(hit.metadata.get("heading") or hit.metadata.get("title") or "")


class EvidenceSelector:
    """Picks the sentences of retrieved chunks that best answer a question."""

    def __init__(self, index: SentenceIndex):
        self.index = index

    def score_sentences(self, query: str, hits: list[Hit]) -> list[Evidence]:
        """Every sentence of every hit, scored by meaning, shared terms and how relevant its chunk is."""
        qvec = self.index.embed(query)
        top_rrf = max((h.rrf for h in hits), default=0.0) or 1.0
        scored = []
        for n, hit in enumerate(hits, start=1):
            units, vectors = self.index.units(hit)
            if not units:
                continue
            # a sentence inherits some relevance from its chunk: "File mode downloads ..." says little
            # on its own but sits in the section the question is about
            chunk = hit.rrf / top_rrf if hit.rrf else 0.5
            heading = heading_of(hit)
            for position, (unit, cosine) in enumerate(zip(units, vectors @ qvec)):
                terms = overlap(query, f"{heading} {unit.label} {unit.text}")
                score = W_COSINE * float(cosine) + W_TERMS * terms + W_CHUNK * chunk
                scored.append(Evidence(n, hit.chunk_id, unit.text, score, heading, unit.label, unit.row,
                                       float(cosine), position))
        return sorted(scored, key=lambda e: e.score, reverse=True)

    def select(self, scored: list[Evidence], limit: int = 4, per_chunk: int = 2,
               min_ratio: float = 0.8) -> list[Evidence]:
        """From scored sentences (best first): the best `limit` (scoring at least `min_ratio` of the
        best), at most `per_chunk` from one chunk, without near-repeats."""
        chosen: list[Evidence] = []
        floor = scored[0].score * min_ratio if scored else 0.0
        for ev in (e for e in scored if e.score >= floor):
            same_chunk = sum(c.chunk_id == ev.chunk_id for c in chosen)
            repeat = any(overlap(ev.sentence, c.sentence) > 0.8 for c in chosen)
            if same_chunk < per_chunk and not repeat:
                chosen.append(ev)
            if len(chosen) == limit:
                break
        return chosen


_ENDINGS = ("s", "es", "d", "ed", "ing", "er", "ers")


def word_in(word: str, words: set[str] | frozenset[str], stem: int = 5) -> bool:
    """Whether a word or a form of it is in `words`: the same word, the word with a common ending
    ('load' ~ 'loaded'), or one of at least `stem` letters that starts the other ('async' ~
    'asynchronous', 'monitor' ~ 'monitoring')."""
    if word in words or (word.endswith("e") and word[:-1] in words):  # 'statuse' (from 'statuses')
        return True
    if any(word + ending in words for ending in _ENDINGS):
        return True
    # the silent e dropped before an ending: 'fine-tune' ~ 'fine-tuning', 'scale' ~ 'scaling'
    if word.endswith("e") and any(word[:-1] + ending in words for ending in ("ing", "ed", "er", "ers")):
        return True
    if len(word) > 5 and word.endswith(("ing", "ed")) and word[: -3 if word.endswith("ing") else -2] + "e" in words:
        return True
    if len(word) < stem:
        return False
    return any(word[:n] in words for n in range(stem, len(word))) or any(
        len(w) > len(word) and w.startswith(word) for w in words)


# frame words are dropped; the service family's names stay (the refusal thresholds count them)
_QUESTION_FRAME = FRAME_WORDS - BRANDS


def query_coverage(query: str, hits: list[Hit]) -> float:
    """Share of the query's topic words (not its frame: 'how does X work') found, in some form (see
    `word_in`), in the retrieved chunks."""
    words = set(content_words(query))
    words = (words - _QUESTION_FRAME) or words
    if not words:
        return 0.0
    found = set(content_words(" ".join(h.text for h in hits)))
    return sum(word_in(w, found) for w in words) / len(words)
