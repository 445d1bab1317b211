"""Flashcards: a term on the front, what the notes say about it on the back (definition and
decision rules, each with the note it came from); exported to Anki (.apkg) and CSV.
"""

from __future__ import annotations

import csv
import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path

import genanki

from app.study.bank import short_source
from app.study.facts import Fact
from app.study.items import in_note
from app.study.terms import Vocabulary, base_name, unreadable

MAX_LINES = 4
ORDER = {"definition": 0, "choose": 1, "trap": 2, "table": 3}
# Anki ids must stay the same between exports so re-importing updates the deck instead of duplicating it
MODEL_ID = 1_718_406_118
DECK_ID = 1_718_406_119


@dataclass
class Flashcard:
    """One term and the note sentences that define it or say when to choose it."""

    id: str
    term: str
    domain: str
    lines: list[str] = field(default_factory=list)  # the back: note sentences
    sources: list[str] = field(default_factory=list)  # "source > heading" for each line
    chunk_ids: list[str] = field(default_factory=list)

    @property
    def back(self) -> str:
        """The back as plain text, one cited line each."""
        return "\n".join(f"- {line} ({source})" for line, source in zip(self.lines, self.sources))


def card_id(term: str) -> str:
    """Stable across edits of the notes, so a card keeps its review history."""
    return "card-" + hashlib.sha1(base_name(term).encode()).hexdigest()[:12]


def cite(fact: Fact) -> str:
    """Where a line comes from: the note and its section."""
    meta = fact.chunk.metadata
    return f"{short_source(str(meta.get('source', '')))} > {str(meta.get('heading') or meta.get('title') or '')}"


def build_flashcards(facts: list[Fact], vocab: Vocabulary) -> list[Flashcard]:
    """One card per readable term, its definitions first, at most four cited lines."""
    cards: dict[str, Flashcard] = {}
    for fact in sorted(facts, key=lambda f: ORDER.get(f.kind, 9)):
        term = vocab.display(fact.answer)
        if unreadable(term) or term.lower().startswith(("a ", "an ", "the ")) \
                or not in_note(fact.evidence, fact.chunk.page_content):
            continue  # "a parameterised stack" is a phrase from a sentence, not a term to learn
        card = cards.setdefault(card_id(term), Flashcard(card_id(term), term,
                                                         str(fact.chunk.metadata.get("domain") or "notes")))
        if len(card.lines) < MAX_LINES and fact.evidence not in card.lines:
            card.lines.append(fact.evidence)
            card.sources.append(cite(fact))
            card.chunk_ids.append(str(fact.chunk.id or ""))
    return sorted(cards.values(), key=lambda c: c.term.lower())


def anki_model() -> genanki.Model:
    """A basic note type with the source on the back."""
    return genanki.Model(MODEL_ID, "MLA Tutor card",
                         fields=[{"name": "Term"}, {"name": "Back"}, {"name": "Sources"}],
                         templates=[{"name": "Card 1", "qfmt": "{{Term}}",
                                     "afmt": "{{FrontSide}}<hr id=answer>{{Back}}<br><small>{{Sources}}</small>"}])


def export_apkg(cards: list[Flashcard], path: Path) -> int:
    """Write an Anki package; returns how many cards it holds."""
    deck = genanki.Deck(DECK_ID, "MLA Tutor (MLA-C01)")
    model = anki_model()
    for card in cards:
        back = "<br>".join(html.escape(line) for line in card.lines)
        sources = "<br>".join(html.escape(s) for s in dict.fromkeys(card.sources))
        deck.add_note(genanki.Note(model=model, fields=[html.escape(card.term), back, sources],
                                   guid=genanki.guid_for(card.id), tags=[card.domain.replace(" ", "_")]))
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(deck).write_to_file(str(path))
    return len(cards)


def export_csv(cards: list[Flashcard], path: Path) -> int:
    """Write term, back, sources, domain as CSV (UTF-8); returns how many cards it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["term", "back", "sources", "domain"])
        for card in cards:
            writer.writerow([card.term, "\n".join(card.lines), "\n".join(dict.fromkeys(card.sources)), card.domain])
    return len(cards)
