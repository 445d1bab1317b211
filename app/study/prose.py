"""Facts from prose: glossary lines, "X is a ..." definitions and "choose X when/for ..." rules."""

from __future__ import annotations

import re

from langchain_core.documents import Document

from app.study.facts import TERM, Fact, kind_word, lower_first, section_name
from app.study.terms import Vocabulary, clean

_DEFINITION_LINE = re.compile(r"^\s*[-*]\s+\*\*(?P<term>[^*]{2,60})\*\*\s*:\s*(?P<text>.+)$")
_IS_A = re.compile(rf"^(?:The |An? )?(?P<term>{TERM}) is (?P<text>(?:a|an|the) .+)$")
CONNECTORS = ("when", "if", "for", "to")  # "Choose FSx for Lustre when ..." splits at "when" first
_CHOOSE = {conn: re.compile(rf"^(?:Choose|Use|Pick) (?P<term>{TERM}?)(?: over (?P<over>{TERM}?))? "
                            rf"(?P<conn>{conn}) (?P<need>.+)$") for conn in CONNECTORS}


def definition_facts(chunk: Document, body: str, vocab: Vocabulary) -> list[Fact]:
    """Glossary-style lines: "- **Term**: definition."."""
    facts = []
    for line in body.splitlines():
        if match := _DEFINITION_LINE.match(line):
            term, text = clean(match["term"]), clean(match["text"])
            kind = vocab.kind_of(term)
            noun = kind_word(kind) if kind != "concept" else "term"
            facts.append(Fact("definition", f"Which {noun} matches this definition: {lower_first(text)}?",
                              term, kind, clean(line.lstrip(" -*")) + ".", chunk, need=text))
    return facts


def sentence_facts(chunk: Document, sentence: str, vocab: Vocabulary) -> list[Fact]:
    """Facts from one prose sentence: "choose X when ..." rules, else an "X is a ..." definition."""
    sentence = sentence.rstrip(".")
    if "|" in sentence:
        return []
    facts = [f for clause in sentence.split("; ") if (f := choose_fact(chunk, clause, sentence, vocab))]
    return facts or [f for f in [is_a_fact(chunk, sentence, vocab)] if f]


def is_a_fact(chunk: Document, sentence: str, vocab: Vocabulary) -> Fact | None:
    """"Amazon SageMaker Canvas is a visual, no-code interface ..." -> "Which service is a visual ...?"."""
    match = _IS_A.match(sentence)
    if not match or " not " in match["text"]:
        return None
    term, text = clean(match["term"]), match["text"]
    kind = vocab.kind_of(term)
    if kind == "concept" and term.lower() != section_name(chunk).lower():
        return None  # "The payload limit is a ..." defines no term
    noun = kind_word(kind) if kind != "concept" else "term"
    return Fact("definition", f"Which {noun} is {text}?", term, kind, sentence + ".", chunk, need=text)


def resolve(term: str, chunk: Document) -> str:
    """"it" and "them" in a rule stand for the section's subject (its heading)."""
    return section_name(chunk) if term.lower() in {"it", "them", "this"} else clean(term)


def choose_fact(chunk: Document, clause: str, sentence: str, vocab: Vocabulary) -> Fact | None:
    """"Choose Batch Transform for offline scoring ..." -> "Which service should you choose for ...?"."""
    for pattern in _CHOOSE.values():
        match = pattern.match(clause.strip())
        if not match or len(match["need"]) < 12:
            continue
        term = re.sub(r" instead$", "", resolve(match["term"], chunk))
        kind = vocab.kind_of(term)
        if term and kind != "concept":  # "Choose ranges from experience" names no service or metric
            return rule_fact(chunk, match, term, kind, sentence)
    return None


def rule_fact(chunk: Document, match: re.Match, term: str, kind: str, sentence: str) -> Fact:
    """The question a "choose X when ..." rule asks."""
    need = re.sub(r"\s*\(see [^)]*\)", "", match["need"])
    verb = "use" if match["conn"] == "to" else "choose"
    stem = f"Which {kind_word(kind)} should you {verb} {match['conn']} {need}?"
    wrong = [clean(match["over"])] if match["over"] else []
    return Fact("choose", stem, term, kind, sentence + ".", chunk, need=need, wrong=wrong)
