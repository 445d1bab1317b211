"""The study plan: what to review next, ordered by FSRS due date and then by weak domains, each
item pointing at the note section to read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from langchain_core.documents import Document

from app.study.bank import Question
from app.study.flashcards import Flashcard
from app.study.library import section_for, short_source
from app.study.practice import Progress
from app.study.schedule import utc_now

HORIZON = timedelta(days=1)  # reviews falling due within a day count as "next"
OUTLOOK = timedelta(days=7)


@dataclass
class PlanItem:
    """One thing to review and the note section behind it."""

    item: str
    what: str  # question | flashcard
    title: str
    domain: str
    due: datetime | None
    reason: str
    source: str = ""
    heading: str = ""
    chunk_id: str = ""


def when_text(due: datetime, now: datetime) -> str:
    """"due now", "due in 3 h", "due 2 days ago"."""
    hours = (due - now).total_seconds() / 3600
    if abs(hours) < 1:
        return "due now"
    span = f"{abs(hours):.0f} h" if abs(hours) < 48 else f"{abs(hours) / 24:.0f} days"
    return f"due in {span}" if hours > 0 else f"due {span} ago"


def domain_strength(progress: Progress, now: datetime) -> dict[str, float]:
    """Mean FSRS retrievability per domain a week from now (a domain never practised counts as 0):
    right after a review every card is near 100 %, a week on the missed ones have faded."""
    return {d: r for d, (r, _) in progress.schedule.retrievability_by_domain(when=now + OUTLOOK).items()}


def item_of(entry: Question | Flashcard, chunks: list[Document], due: datetime | None, reason: str) -> PlanItem:
    """A plan line for a question or a flashcard, with its note section."""
    if isinstance(entry, Flashcard):
        source, _, heading = (entry.sources[0] if entry.sources else "").partition(" > ")
        return PlanItem(entry.id, "flashcard", entry.term, entry.domain, due, reason, short_source(source), heading,
                        entry.chunk_ids[0] if entry.chunk_ids else "")
    chunk = section_for(entry, chunks)
    meta = chunk.metadata if chunk else {}
    title = entry.question if len(entry.question) < 120 else entry.question[:117] + "..."
    return PlanItem(entry.id, "question", title, entry.domain, due, reason,
                    short_source(str(meta.get("source") or (entry.sources[0] if entry.sources else ""))),
                    str(meta.get("heading") or ""), str(chunk.id or "") if chunk else "")


def interleave(entries: list, weakness) -> list:
    """New material taking turns between domains (weakest first), in a stable mixed order per domain."""
    rank: dict[str, int] = {}
    keyed = []
    for entry in sorted(entries, key=lambda e: hashlib.sha1(e.id.encode()).hexdigest()):
        rank[entry.domain] = rank.get(entry.domain, -1) + 1
        keyed.append(((rank[entry.domain], weakness(entry), entry.domain), entry))
    return [entry for _, entry in sorted(keyed, key=lambda pair: pair[0])]


def study_plan(progress: Progress, questions: list[Question], flashcards: list[Flashcard],
               chunks: list[Document], now: datetime | None = None, limit: int = 10) -> list[PlanItem]:
    """Due reviews first (by due date, weak domains first on the same day), then new material from the
    weakest domains, then the next reviews coming up."""
    now = now or utc_now()
    strength = domain_strength(progress, now)
    entries = {e.id: e for e in [*questions, *flashcards]}
    cards = {item: card for item, (_, card) in progress.schedule.cards().items() if item in entries}

    def weakness(entry) -> float:
        return strength.get(entry.domain, 0.0)

    due = sorted((i for i, c in cards.items() if c.due <= now + HORIZON),
                 key=lambda i: (cards[i].due.date(), weakness(entries[i]), cards[i].due))
    plan = [item_of(entries[i], chunks, cards[i].due, when_text(cards[i].due, now)) for i in due[:limit]]
    fresh = interleave([e for i, e in entries.items() if i not in cards], weakness)
    plan += [item_of(e, chunks, None, f"new; {e.domain} recall in a week {weakness(e):.0%}") for e in fresh[:limit - len(plan)]]
    later = sorted((i for i in cards if i not in due), key=lambda i: cards[i].due)
    plan += [item_of(entries[i], chunks, cards[i].due, when_text(cards[i].due, now)) for i in later[:limit - len(plan)]]
    return plan[:limit]
