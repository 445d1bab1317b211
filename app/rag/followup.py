"""Follow-up questions: turn 'and what does it cost?' into a standalone retrieval query."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.rag.text import content_words

if TYPE_CHECKING:  # LangChain's model classes import its tracing stack (a second at start-up)
    from langchain_core.language_models import BaseChatModel

_ANAPHORA = re.compile(r"\b(it|its|it's|this|that|these|those|they|them|their|one|ones|there|"
                       r"such|same|above|former|latter)\b", re.IGNORECASE)
_OPENERS = re.compile(r"^\s*(and|but|so|also|what about|how about|then|why|what else|ok|okay)\b",
                      re.IGNORECASE)
REWRITE_PROMPT = ("Rewrite the last question as one standalone question that names its subject. "
                  "Reply with the question only.\n\nConversation:\n{history}\n\nLast question: {question}")


def needs_context(question: str) -> bool:
    """A short question that points back (pronoun or 'and ...') cannot be searched on its own."""
    short = len(content_words(question)) <= 8
    return short and bool(_ANAPHORA.search(question) or _OPENERS.search(question))


def rule_rewrite(question: str, history: list[dict]) -> str:
    """Prefix the question with the last user turn, which names the subject being discussed."""
    earlier = [turn["content"] for turn in history if turn.get("role") == "user"]
    if not earlier or not needs_context(question):
        return question
    return f"{earlier[-1].strip()} {question.strip()}"


def llm_rewrite(llm: BaseChatModel, question: str, history: list[dict]) -> str:
    """Ask a capable model for a standalone question; keep the rule-based one when it fails."""
    fallback = rule_rewrite(question, history)
    if fallback == question:
        return question
    turns = "\n".join(f"{t['role']}: {t['content'][:500]}" for t in history[-4:])
    try:
        text = llm.invoke(REWRITE_PROMPT.format(history=turns, question=question)).content
    except Exception:  # a rewrite is an optimisation: never fail the answer because of it
        return fallback
    text = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return text if 3 <= len(text.split()) <= 60 else fallback


def rewrite_query(question: str, history: list[dict] | None, llm: BaseChatModel | None = None) -> str:
    """Standalone retrieval query for a question asked in a conversation."""
    if not history:
        return question
    return llm_rewrite(llm, question, history) if llm is not None else rule_rewrite(question, history)
