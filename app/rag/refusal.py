"""When not to answer: weak retrieval, names the notes never use, and prompt-injection requests."""

from __future__ import annotations

import re


from app.rag.evidence import query_coverage
from app.rag.retrieval import Hit
from app.rag.text import stop_words

# Refusal thresholds, calibrated on the dev set's answerable and out-of-scope items (evals/README.md).
REFUSE_COSINE = 0.38    # best dense similarity below this: the notes are about something else
REFUSE_COVERAGE = 0.5   # fewer of the question's words than this in the retrieved notes
UNKNOWN_NAME_COSINE = 0.55  # a name the notes never use (Azure, Vertex) needs a strong match to answer
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]{2,}\b")
INJECTION = re.compile(r"(ignore|disregard|forget)\b.{0,40}\b(instructions|rules|prompt)|system prompt|"
                       r"(reveal|print|show|repeat|output)\b.{0,40}\b(prompt|instructions|text above)|"
                       r"you are now|developer mode|jailbreak", re.IGNORECASE)
INJECTION_REPLY = ("I can't share or change my instructions. I can help you study for the MLA-C01 "
                   "exam from your notes: ask me about a service, a concept or an exam question.")


def is_injection(question: str) -> bool:
    """Whether a question asks to reveal or change the instructions."""
    return bool(INJECTION.search(question))


def is_weak(query: str, hits: list[Hit], vocabulary: frozenset[str], exam: bool = False) -> bool:
    """True when the notes do not seem to cover the question."""
    if not hits:
        return True
    best = max(h.score for h in hits)
    if best < REFUSE_COSINE or (unknown_names(query, vocabulary) and best < UNKNOWN_NAME_COSINE):
        return True
    # exam scenarios are full of story words (team, retailer) the notes never use: meaning only
    return not exam and query_coverage(query, hits) < REFUSE_COVERAGE


def unknown_names(query: str, vocabulary: frozenset[str]) -> list[str]:
    """Capitalised names in the question that no note ever uses (another cloud's product, say)."""
    if not vocabulary:
        return []
    names = [w for w in _NAME.findall(query) if w.lower() not in stop_words()]
    return [w for w in names if w.lower() not in vocabulary]


def refusal_text(hits: list[Hit]) -> str:
    """Say the notes do not cover it and name the closest topics they do cover."""
    titles = list(dict.fromkeys(str(h.metadata.get("title") or h.metadata.get("source")) for h in hits))
    closest = "; ".join(titles[:3]) or "nothing yet (the store is empty)"
    return (f"I cannot find this in your notes, so I won't guess. The closest topics they cover are: "
            f"{closest}.")
