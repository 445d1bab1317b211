"""Study material of the store: practice questions and flashcards generated from its current chunks.

Everything is derived from the chunks the store holds now, so re-ingesting a note regenerates its
questions and cards, and deleting a note removes them. Chunk ids hash the source and the chunk's
content, so the set of ids is the cache key: an unchanged store is never read twice.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field

from langchain_core.documents import Document

from app.rag.evidence import body_of
from app.rag.text import content_words
from app.store import Store
from app.study.bank import Question, short_source
from app.study.flashcards import Flashcard, build_flashcards
from app.study.generate import all_facts
from app.study.items import build_questions

_CACHE: dict[str, "StudyMaterial"] = {}


@dataclass
class StudyMaterial:
    """Generated questions and flashcards, and what the quality checks rejected."""

    questions: list[Question]
    flashcards: list[Flashcard]
    facts: int = 0
    rejected: Counter = field(default_factory=Counter)
    chunks: list[Document] = field(default_factory=list)


def material_from_chunks(chunks: list[Document]) -> StudyMaterial:
    """Questions and flashcards from a set of chunks (in a stable order)."""
    chunks = sorted(chunks, key=lambda d: (str(d.metadata.get("source")), d.metadata.get("chunk_index", 0)))
    facts, vocab = all_facts(chunks)
    questions, rejected = build_questions(facts, vocab)
    return StudyMaterial(questions, build_flashcards(facts, vocab), len(facts), rejected, chunks)


def material_from_store(store: Store) -> StudyMaterial:
    """The store's study material, rebuilt only when its chunks changed."""
    key = hashlib.sha1("\n".join(sorted(store.all_ids())).encode()).hexdigest()
    if key not in _CACHE:
        _CACHE.clear()  # one store at a time; an old key is never asked for again
        _CACHE[key] = material_from_chunks(store.all_chunks())
    return _CACHE[key]


def same_source(a: str, b: str) -> bool:
    """Whether two source names are one file (stored names may be absolute, bank names 'corpus/...')."""
    a, b = a.replace("\\", "/"), b.replace("\\", "/")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def section_for(question: Question, chunks: list[Document]) -> Document | None:
    """The chunk of the question's notes that shares the most words with the question and its answer."""
    if question.chunk_id:
        return next((c for c in chunks if c.id == question.chunk_id), None)
    words = set(content_words(question.question))
    answer = set(content_words(" ".join(question.choices[a] for a in question.answer)))
    candidates = [c for c in chunks if any(same_source(str(c.metadata.get("source")), s) for s in question.sources)]

    def shared(chunk: Document) -> int:
        text = set(content_words(chunk.page_content))  # the heading label counts too
        return len(words & text) + 2 * len(answer & text)  # the answer's words say most about the section

    return max(candidates, key=shared, default=None)


def quality_summary(material: StudyMaterial, sample: int = 10, seed: int = 0) -> str:
    """Facts read, questions shown, rejections by reason and `sample` random questions quoted."""
    shown = Counter(q.origin for q in material.questions)
    lines = [f"candidate questions generated: {material.facts}",
             f"shown after the checks: {len(material.questions)} ({', '.join(f'{k} {v}' for k, v in sorted(shown.items()))})",
             f"rejected: {sum(material.rejected.values())}"]
    lines += [f"  {count:4d}  {reason}" for reason, count in material.rejected.most_common()]
    lines.append(f"flashcards: {len(material.flashcards)}")
    rng = random.Random(seed)
    for q in rng.sample(material.questions, min(sample, len(material.questions))):
        lines += ["", f"[{q.origin}] {q.question}"]
        lines += [f"  {'*' if k in q.answer else ' '} {k}) {v}" for k, v in q.choices.items()]
        lines.append(f"  source: \"{q.evidence}\" ({short_source(q.sources[0])} > {q.heading})")
    return "\n".join(lines)
