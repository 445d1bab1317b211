"""Study plan page: what to review next (FSRS due dates first, weak domains first), each item linked
to its note section; recall per domain and the latest mock exam estimate."""

from __future__ import annotations

import streamlit as st

from app.study.bank import shipped_questions
from app.study.plan import study_plan
from app.ui.study import material, note_link, plain, progress_store, recall_line


def render() -> None:
    """The study plan page."""
    st.title("Study plan")
    progress, stuff = progress_store(), material()
    st.caption(recall_line(progress))
    attempts = progress.mocks.attempts()
    if attempts:
        last = attempts[-1]
        st.caption(f"Last mock exam: {last['correct']}/{last['total']} correct, estimated scaled score "
                   f"{last['scaled']} (likely {last['scaled_low']}-{last['scaled_high']}; pass mark 720).")
    limit = st.slider("Items", 5, 40, 12, key="plan_items")
    plan = study_plan(progress, shipped_questions() + stuff.questions, stuff.flashcards, stuff.chunks, limit=limit)
    if not plan:
        st.info("Nothing to plan yet: ingest notes, then practise.")
    for n, item in enumerate(plan, 1):
        where = " > ".join(filter(None, [item.source, item.heading]))
        st.markdown(f"{n}. **{plain(item.title)}** ({item.what}, {item.domain or '-'}, {item.reason})  \n"
                    f"   Read: {note_link(where or 'note', item.chunk_id)}")
    st.caption("Practise questions on the Practice page and cards on the Flashcards page; both update this plan.")


if __name__ == "__main__":
    render()
