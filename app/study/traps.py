"""Facts from exam-trap bullets ("## Exam traps"): the trap's wrong answer becomes a distractor.

Only bullets of a few clear shapes become questions:
- '"Cue" points to X, not Y.'                -> 'An exam scenario says "cue". Which service does that point to?'
- 'X, not Y, for need.'                      -> 'Which service fits need?'
- 'Y cannot do P; X can.'                    -> 'Y cannot do P. Which service can?'
- 'A is P; B is Q.' (A and B of one kind)    -> 'Which service is Q?' and 'Which service is P?'
- '... : it works, but ... X is the cost-effective answer.' -> '... Which service is the cost-effective answer?'
"""

from __future__ import annotations

import re

from langchain_core.documents import Document

from app.study.facts import TERM, Fact, kind_word, lower_first
from app.study.prose import choose_fact
from app.study.terms import Vocabulary, clean

_POINTS_TO = re.compile(r"^[\"“]?(?P<cue>[^\"”]+?)[\"”]? points to (?P<right>[^,]+?)(?:, not (?:to )?(?P<wrong>.+?))?$")
_NOT_FOR = re.compile(rf"^(?P<right>{TERM}?), not (?P<wrong>{TERM}?), for (?P<need>.+)$")
_CANNOT = re.compile(rf"^(?P<wrong>{TERM}?) (?P<neg>cannot|does not|is not) (?P<pred>[^;]+); "
                     rf"(?P<right>{TERM}?) (?P<pos>can|does|is)$")
_CONTRAST = re.compile(rf"^(?P<a>{TERM}?) (?P<va>is|[a-z]+s) (?P<pa>[^;]+); (?P<b>{TERM}?) (?P<vb>is|[a-z]+s) (?P<pb>[^;]+)$")
_ANSWER_IS = re.compile(rf"^(?P<head>.+[.:] )?(?P<right>{TERM}?) is the (?P<adj>[\w -]{{3,30}}) answer$")
_ALTERNATIVE = re.compile(r"\s*\((?:or|and) [^)]*\)|\s+or\s+.*$")


def list_items(body: str) -> list[str]:
    """The bullets of a list, wrapped lines joined, emphasis removed, without the final full stop."""
    items: list[str] = []
    for line in body.splitlines():
        if re.match(r"^\s*[-*]\s+", line):
            items.append(re.sub(r"^\s*[-*]\s+", "", line).strip())
        elif line.strip() and items and not line.startswith("#"):
            items[-1] += " " + line.strip()
    return [clean(item) for item in items]


def split_alternatives(text: str) -> tuple[str, list[str]]:
    """"Glue DataBrew (or Canvas)" -> ("Glue DataBrew", ["Canvas"]); "EMR or Glue ETL" -> both."""
    main = _ALTERNATIVE.sub("", text).strip()
    rest = re.split(r",\s*|\s+or\s+|\s+and\s+|\(or |\(and |\)", text[len(main):])
    return main, [clean(r) for r in rest if clean(r)]


def trap_facts(chunk: Document, item: str, vocab: Vocabulary) -> list[Fact]:
    """The facts one exam-trap bullet yields (none when it has no clear shape)."""
    for make in (points_to, not_for, cannot, answer_is):
        if fact := make(chunk, item, vocab):
            return [fact]
    facts = contrast(chunk, item, vocab)
    return facts or [f for clause in item.split("; ")[1:] if (f := choose_fact(chunk, clause, item, vocab))]


def trap_fact(chunk: Document, stem: str, right: str, item: str, kind: str, **extra) -> Fact:
    """A fact from an exam-trap bullet (the bullet is its evidence)."""
    return Fact("trap", stem, right, kind, item + ".", chunk, **extra)


def points_to(chunk: Document, item: str, vocab: Vocabulary) -> Fact | None:
    """'"Analysts with no coding skills" points to Glue DataBrew (or Canvas), not EMR or Glue ETL.'"""
    match = _POINTS_TO.match(item)
    if not match or re.search(r" or ", re.sub(r"\([^)]*\)", "", match["right"])):
        return None  # "points to X or Y stack": which words name the answer is anyone's guess
    right, others = split_alternatives(match["right"])
    wrong = [w for w in re.split(r",\s*|\s+or\s+", match["wrong"] or "") if w]
    cue, kind = lower_first(match["cue"]), vocab.kind_of(right)
    stem = f"An exam scenario says \"{cue}\". Which {kind_word(kind)} does that point to?"
    return trap_fact(chunk, stem, right, item, kind, need=cue, wrong=[clean(w) for w in wrong], also_right=others)


def not_for(chunk: Document, item: str, vocab: Vocabulary) -> Fact | None:
    """'Textract, not Rekognition, for document structure such as forms and tables.'"""
    match = _NOT_FOR.match(item)
    if not match:
        return None
    right = clean(match["right"])
    kind = vocab.kind_of(right)
    stem = f"Which {kind_word(kind)} fits {match['need']}?"
    return trap_fact(chunk, stem, right, item, kind, need=match["need"], wrong=[clean(match["wrong"])])


def cannot(chunk: Document, item: str, vocab: Vocabulary) -> Fact | None:
    """'S3 bucket policies cannot restrict access to individual columns; Lake Formation can.'"""
    match = _CANNOT.match(item)
    if not match:
        return None
    right = clean(match["right"])
    kind = vocab.kind_of(right)
    stem = f"{match['wrong']} {match['neg']} {match['pred']}. Which {kind_word(kind)} {match['pos']}?"
    return trap_fact(chunk, stem, right, item, kind, need=match["pred"], wrong=[clean(match["wrong"])])


def answer_is(chunk: Document, item: str, vocab: Vocabulary) -> Fact | None:
    """'A real-time endpoint for a nightly job: ... Batch Transform is the cost-effective answer.'"""
    sentences = re.split(r"(?<=\.) (?=[A-Z])", item)
    match = _ANSWER_IS.match(sentences[-1]) if len(sentences) > 1 else None
    if not match:
        return None
    right = clean(match["right"])
    trap = " ".join(sentences[:-1]).replace(": it works, but", " works, but")
    kind = vocab.kind_of(right)
    stem = f"A common trap: {lower_first(trap)} Which {kind_word(kind)} is the {match['adj']} answer?"
    return trap_fact(chunk, stem, right, item, kind, need=trap)


def contrast(chunk: Document, item: str, vocab: Vocabulary) -> list[Fact]:
    """'Polly is text-to-speech; Transcribe is speech-to-text.' -> one question for each side."""
    match = _CONTRAST.match(item)
    if not match:
        return []
    a, b = clean(match["a"]), clean(match["b"])
    kind = vocab.kind_of(a)
    if kind != vocab.kind_of(b) or kind == "concept" or " not " in item:
        return []
    return [trap_fact(chunk, f"Which {kind_word(kind)} {verb} {pred}?", term, item, kind, need=pred, wrong=[other])
            for term, verb, pred, other in ((a, match["va"], match["pa"], b), (b, match["vb"], match["pb"], a))]
