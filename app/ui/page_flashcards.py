"""Flashcards page: terms from your notes with their cited definitions and decision rules, reviewed
on the FSRS schedule (Again / Hard / Good / Easy), exported to Anki (.apkg) or CSV."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app.study.flashcards import Flashcard, export_apkg, export_csv
from app.study.schedule import RATINGS, utc_now
from app.ui.study import material, note_link, plain, progress_store, recall_line

SESSION = 20


def review_queue(cards: list[Flashcard]) -> list[Flashcard]:
    """Due cards first (oldest due first), then new ones; cards not due yet are left out."""
    scheduled = progress_store().schedule.cards("flashcard")
    now = utc_now()
    due = sorted((c for c in cards if c.id in scheduled and scheduled[c.id][1].due <= now),
                 key=lambda c: scheduled[c.id][1].due)
    return (due + [c for c in cards if c.id not in scheduled])[:SESSION]


def rate(card: Flashcard, rating: str) -> None:
    """Review the card on the FSRS schedule and move on."""
    progress_store().schedule.review(card.id, "flashcard", card.domain, RATINGS[rating])
    st.session_state.flash_index += 1
    st.session_state.flash_shown = False


def show_card(card: Flashcard) -> None:
    """Front; after "Show answer", the cited back and the four rating buttons."""
    st.subheader(card.term)
    st.caption(f"Domain {card.domain}")
    if not st.session_state.get("flash_shown"):
        if st.button("Show answer"):
            st.session_state.flash_shown = True
            st.rerun()
        return
    for line, source, chunk_id in zip(card.lines, card.sources, card.chunk_ids):
        st.markdown(f"- {plain(line)}  \n  {note_link(source, chunk_id)}")
    for column, rating in zip(st.columns(4), RATINGS):
        column.button(rating.capitalize(), on_click=rate, args=(card, rating), key=f"rate-{rating}")


def export_buttons(cards: list[Flashcard]) -> None:
    """Download the deck as an Anki package or as CSV."""
    with tempfile.TemporaryDirectory() as folder:
        apkg, csv_file = Path(folder) / "mla-tutor.apkg", Path(folder) / "mla-tutor.csv"
        export_apkg(cards, apkg)
        export_csv(cards, csv_file)
        st.sidebar.download_button("Export to Anki (.apkg)", apkg.read_bytes(), file_name=apkg.name)
        st.sidebar.download_button("Export as CSV", csv_file.read_bytes(), file_name=csv_file.name, mime="text/csv")


def render() -> None:
    """The flashcards page."""
    st.title("Flashcards")
    cards = material().flashcards
    st.caption(f"{len(cards)} cards from your notes. "
               + recall_line(progress_store(), {c.id for c in cards}).replace("cards)", "reviewed)"))
    if not cards:
        st.info("No flashcards yet: ingest notes with definitions, comparison tables or exam traps.")
        return
    export_buttons(cards)
    if "flash_queue" not in st.session_state or st.sidebar.button("New review session"):
        st.session_state.flash_queue = [c.id for c in review_queue(cards)]
        st.session_state.flash_index, st.session_state.flash_shown = 0, False
    by_id = {c.id: c for c in cards}
    queue = [by_id[i] for i in st.session_state.flash_queue if i in by_id]
    if st.session_state.flash_index >= len(queue):
        st.success("Nothing left to review in this session.")
        return
    st.caption(f"Card {st.session_state.flash_index + 1} of {len(queue)}")
    show_card(queue[st.session_state.flash_index])


if __name__ == "__main__":
    render()
