"""When not to answer: weak retrieval, names the notes never use, and prompt-injection requests.

The thresholds were chosen on our corpus (dev set) and on a tuning collection of terse notes
(training/terse_notes with evals/datasets/dev_terse.jsonl); see evals/README.md. Similarity scores
depend on how notes are written: a question about one bullet of a chunk full of bullets gets a lower
cosine than a question about a paragraph of prose. So every cosine threshold is scaled to the store:
`store_scale` samples the store's own statements and measures how similar they are to their own chunk,
relative to the same measurement on our corpus (REFERENCE_LEVEL). The lexical test (how many of the
question's words the retrieved notes use) needs no scaling.
"""

from __future__ import annotations

import re
from weakref import WeakKeyDictionary

import numpy as np

from app.rag.evidence import SentenceIndex, query_coverage, word_in
from app.rag.search import Hit
from app.rag.text import stop_words
from app.rag.units import note_units
from app.store import Store

REFUSE_COVERAGE = 0.5   # fewer of the question's words than this in the retrieved notes
REFUSE_SUPPORT = 0.82   # best statement cosine + W_COVERAGE * coverage below this (x scale)
W_COVERAGE = 0.5
UNKNOWN_NAME_COSINE = 0.6   # a name the notes never use (Azure, Vertex) needs a close statement (x scale)
REFERENCE_LEVEL = 0.581  # store_level of corpus/ (bundled MiniLM, 413 chunks, 2026-11-24)
SAMPLE_CHUNKS = 64
SCALE_RANGE = (0.6, 1.0)  # thresholds only loosen for a store (never stricter than on our corpus)
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]{2,}\b")
_OPENERS = frozenset("does did should explain describe compare list name define tell give why".split())
INJECTION = re.compile(r"(ignore|disregard|forget)\b.{0,40}\b(instructions|rules|prompt)|system prompt|"
                       r"(reveal|print|show|repeat|output)\b.{0,40}\b(prompt|instructions|text above)|"
                       r"you are now|developer mode|jailbreak", re.IGNORECASE)
INJECTION_REPLY = ("I can't share or change my instructions. I can help you study for the MLA-C01 "
                   "exam from your notes: ask me about a service, a concept or an exam question.")


def is_injection(question: str) -> bool:
    """Whether a question asks to reveal or change the instructions."""
    return bool(INJECTION.search(question))


def is_weak(query: str, hits: list[Hit], vocabulary: frozenset[str], exam: bool = False,
            statement_cosine: float = 0.0, scale: float = 1.0) -> bool:
    """True when the notes do not seem to cover the question.

    Open questions: too few of the question's words in the retrieved notes, or too little support
    (best statement cosine plus coverage), or a name the notes never use without a close statement.
    A pasted exam question is always answered when the store has notes: a weak one gets a low
    confidence and the badge "unsure" instead (issue 16).
    """
    if not hits:
        return True
    if exam:
        return False
    names = unknown_names(query, vocabulary)
    # a question told as a situation: its story's words (our team, 2,000 documents) are not in any
    # note, so the asking sentence's own coverage counts too
    coverage = max(query_coverage(query, hits), query_coverage(asking_sentence(query), hits))
    support = statement_cosine + W_COVERAGE * coverage
    return (coverage < REFUSE_COVERAGE or support < REFUSE_SUPPORT * scale
            or (bool(names) and statement_cosine < UNKNOWN_NAME_COSINE * scale))


def asking_sentence(query: str) -> str:
    """The last sentence of a question told in several ('We have ... . Which option fits?')."""
    parts = [p for p in re.split(r"(?<=[.?!;])\s+", query.strip()) if p.strip()]
    return parts[-1] if parts else query


def unknown_names(query: str, vocabulary: frozenset[str]) -> list[str]:
    """Capitalised names in the question that no note uses in any form (another cloud's product, say)."""
    if not vocabulary:
        return []
    names = [w for w in _NAME.findall(query) if w.lower() not in stop_words() | _OPENERS]
    return [w for w in names if not word_in(w.lower(), vocabulary)]


_SCALES: WeakKeyDictionary = WeakKeyDictionary()


def store_scale(store: Store, index: SentenceIndex) -> float:
    """How this store's similarity scores compare with our corpus's, measured once per store object."""
    if store not in _SCALES:
        # kept in the store's stats.json per store content: embedding the sample costs seconds of
        # every cold start otherwise
        level = store.memo("statement_level", lambda: store_level(store, index))
        _SCALES[store] = float(np.clip(level / REFERENCE_LEVEL, *SCALE_RANGE))
    return _SCALES[store]


def store_level(store: Store, index: SentenceIndex, sample: int = SAMPLE_CHUNKS) -> float:
    """Median cosine of a store's statements with their own chunk (REFERENCE_LEVEL when too small).

    Takes the middle statement of each of up to `sample` chunks (spread over the store), embeds it
    and compares it with its chunk's stored vector: how close a question about one statement of a
    chunk can get to that chunk in notes written this way.
    """
    ids = sorted(store.all_ids())
    if not ids:
        return REFERENCE_LEVEL
    picked = ids[:: max(1, len(ids) // sample)][:sample]
    got = store.collection.get(ids=picked, include=["documents", "embeddings"])
    pairs = [(units[len(units) // 2].text, vec) for doc, vec in zip(got["documents"], got["embeddings"])
             if (units := note_units(doc))]
    if len(pairs) < 3:
        return REFERENCE_LEVEL
    texts, chunks = zip(*pairs)
    own = np.sum(np.asarray(index.embeddings.embed_documents(list(texts))) * np.asarray(chunks), axis=1)
    return float(np.median(own))


def refusal_text(hits: list[Hit]) -> str:
    """Say the notes do not cover it and name the closest topics they do cover, each with the [n] of
    its best chunk (so the answer's sources are those topics)."""
    first: dict[str, int] = {}
    for n, hit in enumerate(hits, start=1):
        first.setdefault(str(hit.metadata.get("title") or hit.metadata.get("source")), n)
    closest = "; ".join(f"{title} [{n}]" for title, n in list(first.items())[:3])
    closest = closest or "nothing yet (the store is empty)"
    return (f"I cannot find this in your notes, so I won't guess. The closest topics they cover are: "
            f"{closest}.")
