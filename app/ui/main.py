"""The Streamlit study app: chat, study plan, practice, mock exams, flashcards, your notes and evals.
Run with `tutor ui`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent


def main() -> None:
    """Page setup and navigation; each page is its own script under app/ui/."""
    st.set_page_config(page_title="MLA Tutor", page_icon=":books:", layout="wide")
    st.sidebar.header("MLA Tutor")
    pages = [st.Page(str(HERE / "page_chat.py"), title="Chat", icon=":material/chat:", default=True),
             st.Page(str(HERE / "page_plan.py"), title="Study plan", icon=":material/checklist:"),
             st.Page(str(HERE / "page_practice.py"), title="Practice", icon=":material/quiz:"),
             st.Page(str(HERE / "page_mock.py"), title="Mock exam", icon=":material/timer:"),
             st.Page(str(HERE / "page_flashcards.py"), title="Flashcards", icon=":material/style:"),
             st.Page(str(HERE / "page_notes.py"), title="Your notes", icon=":material/description:"),
             st.Page(str(HERE / "page_evals.py"), title="Evals", icon=":material/analytics:"),
             st.Page(str(HERE / "page_note.py"), title="Note section", url_path="note", visibility="hidden")]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
