"""Small text helpers shared by evidence selection, the grounding check and the eval metrics."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

STOP_WORDS_FILE = Path(__file__).parent / "data" / "stopwords_en.txt"

CITATION = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(*])")
_LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s+")
_MARKUP = re.compile(r"^[#>*\-\s|]+|\*\*|`")


# Words that frame a question rather than name its topic ('how does X work', 'when should a team use')
FRAME_WORDS = frozenset(
    "difference differ different between use using used choose choosing chosen pick prefer instead "
    "rather over versus vs compare compared comparison when why what which how does do did should "
    "would could can team need needs mean means explain describe work works best better good way "
    "option options kind type types main purpose role happen happens user learner exam question "
    "tell give list name sagemaker amazon aws usually typically generally often mainly really actually "
    "exactly make makes made many much long".split())
BRANDS = frozenset({"sagemaker", "amazon", "aws"})  # AWS's own names: in nearly every note and option


@cache
def stop_words() -> frozenset[str]:
    """English stop words (scikit-learn's list, kept as data: importing scikit-learn costs seconds)."""
    lines = STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def content_words(text: str) -> list[str]:
    """Lower-case words without stopwords, with a naive plural strip so 'endpoints' meets 'endpoint'."""
    words = _WORD.findall(text.lower())
    return [_singular(w) for w in words if w not in stop_words() and len(w) > 1]


def _singular(word: str) -> str:
    """Strip one trailing 's' from longer words (not 'ss', not 'us')."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences; a table row or a list item counts as one sentence each.

    Lines wrapped inside a paragraph are joined first, so a sentence is never cut at a line break.
    """
    sentences = []
    for unit in _units(text):
        for piece in _SENTENCE_END.split(unit):
            piece = _MARKUP.sub("", piece.strip()).strip()
            if set(piece) <= set("|-: "):
                continue  # table separator rows and rules
            if len(content_words(piece)) >= 3:
                sentences.append(piece)
    return sentences


def _units(text: str) -> list[str]:
    """Paragraphs with wrapped lines joined; headings, list items and table rows stay separate."""
    units: list[str] = []
    joinable = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            joinable = False
            continue
        starts_block = stripped.startswith(("#", "|", ">")) or _LIST_ITEM.match(stripped)
        if joinable and not starts_block:
            units[-1] += " " + stripped
        else:
            units.append(stripped)
        joinable = not stripped.startswith(("#", "|"))
    return units


def readable(text: str) -> str:
    """A note statement as a learner reads it: table cells joined by '; ' (no pipes, no separator
    cells), no Markdown bold or code marks."""
    if "|" in text:
        text = "; ".join(c.strip() for c in text.split("|") if c.strip() and set(c.strip()) - set("-: "))
    return re.sub(r"\*\*|__|`", "", text)


def strip_citations(text: str) -> str:
    """Remove [n] markers from a sentence."""
    return CITATION.sub("", text).strip()


def overlap(sentence: str, source: str) -> float:
    """Share of the sentence's content words that also occur in the source text (0..1)."""
    words = set(content_words(strip_citations(sentence)))
    if not words:
        return 0.0
    return len(words & set(content_words(source))) / len(words)
