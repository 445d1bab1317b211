"""Grounding check: keep only answer sentences that the cited notes support.

Method (offline, no LLM judge): for every sentence of a generated answer we look at the chunks it
cites (all retrieved chunks when it cites none). The sentence is supported by a chunk when one single
sentence of that chunk backs it: at least MIN_OVERLAP of the claim's content words occur in that
sentence *and* the two embeddings are close (cosine >= MIN_COSINE), or the cosine alone is very high
(>= STRONG_COSINE, a paraphrase). Every number in the claim must also occur in the chunk, because small
models like to invent quantities; the claim must keep the backing sentence's polarity (a "not" on
one side only fails); and every name in the claim (capitalised words such as "Ground
Truth" or "FastFile") must occur in the backing sentence, which catches swapped subjects. Comparing with one sentence, not the whole chunk, stops word salad
stitched from several sentences from passing. Unsupported sentences are removed; a supported sentence
without a valid citation gets the number of the chunk that supports it best. When fewer than MIN_KEPT
of the sentences survive, the answer is replaced by a labelled extractive answer built from the
evidence sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from app.rag.evidence import Evidence, SentenceIndex
from app.rag.search import Hit
from app.rag.text import CITATION, overlap, readable, split_sentences, stop_words, strip_citations

MIN_OVERLAP = 0.7
MIN_COSINE = 0.6
STRONG_COSINE = 0.85
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NEGATION = re.compile(r"\b(not|no|never|cannot|none|nothing|without)\b|n't\b", re.IGNORECASE)
MIN_KEPT = 0.5
PROMPT_TAG = re.compile(r"</?\s*notes\s*>", re.IGNORECASE)
_NOTES_ECHO = re.compile(r"<\s*notes\s*>.*?(?:<\s*/\s*notes\s*>|$)", re.IGNORECASE | re.DOTALL)
_RULE = re.compile(r"(?:^|\s)(?:-{3,}|\*{3,}|_{3,}|={3,})(?=\s|$)")
FALLBACK_LABEL = "I could not verify a generated answer, so here is what your notes say:"


@dataclass
class Checked:
    """The outcome of the grounding check on one answer."""

    answer: str
    grounded: bool
    fallback: bool
    kept: int = 0
    removed: list[str] = field(default_factory=list)


def is_negated(text: str) -> bool:
    """Whether a sentence says something is *not* so; a claim must keep its source's polarity."""
    return bool(_NEGATION.search(text))


def claim_names(claim: str) -> set[str]:
    """Capitalised words and acronyms in a claim, lower-cased, skipping the sentence's first word."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", claim)
    return {w.lower() for w in words[1:] if w[0].isupper() and w.lower() not in stop_words()}


class Grounder:
    """Checks a generated answer sentence by sentence against the chunks it cites."""

    def __init__(self, index: SentenceIndex):
        self.index = index

    def support(self, sentence: str, hit: Hit) -> float:
        """How well one chunk supports one sentence (0 when it does not)."""
        claim = strip_citations(sentence)
        if any(number not in hit.text for number in _NUMBER.findall(claim)):
            return 0.0
        units, vectors = self.index.units(hit)
        if not units:
            return 0.0
        cosines = vectors @ self.index.embed(claim)
        best = 0.0
        names, negated = claim_names(claim), is_negated(claim)
        for source, cosine in zip((u.text for u in units), cosines):
            if not all(name in source.lower() for name in names) or is_negated(source) != negated:
                continue
            words = overlap(claim, source)
            if cosine >= STRONG_COSINE or (words >= MIN_OVERLAP and cosine >= MIN_COSINE):
                best = max(best, float(cosine) + words)
        return best

    def check_sentence(self, sentence: str, hits: list[Hit]) -> str | None:
        """The sentence with a valid citation when supported, else None."""
        cited = [int(n) for n in CITATION.findall(sentence) if 1 <= int(n) <= len(hits)]
        for n in cited:
            if self.support(sentence, hits[n - 1]) > 0:
                return sentence
        scores = [self.support(sentence, hit) for hit in hits]
        if not scores or max(scores) == 0:
            return None
        best = int(np.argmax(scores)) + 1
        return f"{strip_citations(sentence).rstrip('.')} [{best}]."

    def check(self, answer: str, hits: list[Hit], evidence: list[Evidence]) -> Checked:
        """Remove unsupported sentences; fall back to an extractive answer when too little is left."""
        sentences = [s for s in split_sentences(strip_artefacts(answer)) if not s.rstrip().endswith(":")
                     and not PROMPT_TAG.search(s)]
        kept = [checked for s in sentences if (checked := self.check_sentence(s, hits))]
        removed = [s for s in sentences if not any(strip_citations(s)[:40] in k for k in kept)]
        if sentences and kept and len(kept) / len(sentences) >= MIN_KEPT:
            answer = " ".join(kept) + supporting_lines(kept, evidence)
            return Checked(answer, grounded=True, fallback=False, kept=len(kept), removed=removed)
        return Checked(extractive_answer(evidence), grounded=False, fallback=True, removed=removed)


def strip_artefacts(text: str) -> str:
    """Generated text without Markdown rules, heading marks or table pipes; an echo of the prompt
    (anything between <notes> and </notes>, a stray tag, the 'Question:' line) is dropped whole: it
    repeats the prompt, it does not answer."""
    text = _NOTES_ECHO.sub("\n", text)
    lines = []
    for line in text.splitlines():
        if PROMPT_TAG.search(line) or line.lstrip().startswith("Question:"):
            continue
        line = _RULE.sub("", line)
        line = re.sub(r"^\s*#{1,6}\s*", "", line).replace("|", " ")
        lines.append(line)
    return "\n".join(lines)


def supporting_lines(kept: list[str], evidence: list[Evidence], limit: int = 2) -> str:
    """Evidence sentences the answer does not already say, so the learner sees the notes' words."""
    extra = [e for e in evidence if "trap" not in e.heading.lower()
             and all(overlap(e.sentence, k) < 0.6 for k in kept)][:limit]
    return "" if not extra else "\nFrom your notes:\n" + "\n".join(f"- {cite(e)}" for e in extra)


def extractive_answer(evidence: list[Evidence]) -> str:
    """A clearly labelled answer made only of evidence sentences, each with its citation."""
    main = [e for e in evidence if "trap" not in e.heading.lower()]
    tips = [e for e in evidence if "trap" in e.heading.lower()]
    lines = [FALLBACK_LABEL] + [f"- {cite(e)}" for e in (main or evidence)[:3]]
    if tips and main:
        lines.append(f"Exam tip: {cite(tips[0])}")
    return "\n".join(lines)


def cite(ev: Evidence) -> str:
    """An evidence sentence with its [n] marker before the final stop (table rows as 'a; b; c')."""
    return f"{readable(ev.sentence).rstrip().rstrip('.')} [{ev.n}]."
