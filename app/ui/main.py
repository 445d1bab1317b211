"""The Streamlit study app: chat, your notes, practice exams and evals. Run with `tutor ui`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent


def main() -> None:
    """Page setup and navigation; each page is its own script under app/ui/."""
    st.set_page_config(page_title="MLA Tutor", page_icon=":books:", layout="wide")
    st.sidebar.header("MLA Tutor")
    pages = [st.Page(str(HERE / "page_chat.py"), title="Chat", icon=":material/chat:", default=True),
             st.Page(str(HERE / "page_notes.py"), title="Your notes", icon=":material/description:"),
             st.Page(str(HERE / "page_practice.py"), title="Practice", icon=":material/quiz:"),
             st.Page(str(HERE / "page_evals.py"), title="Evals", icon=":material/analytics:")]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
