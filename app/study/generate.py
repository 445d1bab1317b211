"""All facts of a set of note chunks (definitions, rules, tables, exam traps)."""

from __future__ import annotations

from langchain_core.documents import Document

from app.rag.evidence import body_of
from app.rag.text import split_sentences
from app.study.facts import Fact, section_name
from app.study.prose import definition_facts, sentence_facts
from app.study.tables import table_facts
from app.study.terms import Vocabulary
from app.study.traps import list_items, trap_facts

TRAP_HEADINGS = ("trap", "pitfall", "common mistake")


def is_trap_section(chunk: Document) -> bool:
    """Whether a chunk is an exam-trap section (by its heading)."""
    return any(word in section_name(chunk).lower() for word in TRAP_HEADINGS)


def facts_of(chunk: Document, vocab: Vocabulary) -> list[Fact]:
    """Every fact one chunk yields."""
    body = body_of(chunk.page_content)
    facts = definition_facts(chunk, body, vocab) + table_facts(chunk, body, vocab)
    if is_trap_section(chunk):
        return facts + [f for item in list_items(body) for f in trap_facts(chunk, item, vocab)]
    defined = {f.evidence for f in facts}
    for sentence in split_sentences(body):
        if sentence.rstrip(".") + "." not in defined:
            facts += sentence_facts(chunk, sentence, vocab)
    return facts


def all_facts(chunks: list[Document]) -> tuple[list[Fact], Vocabulary]:
    """The facts of every chunk, and the vocabulary they were read with."""
    vocab = Vocabulary([body_of(c.page_content) for c in chunks])
    return [f for chunk in chunks for f in facts_of(chunk, vocab)], vocab
