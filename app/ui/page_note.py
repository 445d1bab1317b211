"""Note page: one stored note section, opened from links on the practice, mock, flashcard and plan pages."""

from __future__ import annotations

import streamlit as st

from app.rag.evidence import body_of
from app.store import Store
from app.study.bank import short_source
from app.ui.common import safe_markdown, settings


def render() -> None:
    """Show the section named by ?chunk=<chunk id>."""
    st.title("Note section")
    chunk_id = st.query_params.get("chunk", "")
    found = Store(settings()).fetch([chunk_id]) if chunk_id else []
    if not found:
        st.warning("That note section is not in the store any more (the note was changed or deleted).")
        return
    meta = found[0].metadata
    st.subheader(str(meta.get("heading") or meta.get("title") or ""))
    st.caption(f"{short_source(str(meta.get('source', '')))} · domain {meta.get('domain') or '-'}")
    st.markdown(safe_markdown(body_of(found[0].page_content)))


if __name__ == "__main__":
    render()
