"""Shared pieces of the Streamlit pages: the cached tutor, settings, badges and citations."""

from __future__ import annotations

import html
import os

import streamlit as st

from app.config import Settings, get_settings
from app.rag.chain import Tutor, load_tutor
from app.rag.result import UNSURE, TutorAnswer, citation_line, verdict

BADGES = {"not found in your notes": ":orange-badge[not found in your notes]",
          "unsupported sentences found; extractive answer from your notes":
              ":violet-badge[extractive answer from your notes]",
          "grounded in your notes": ":green-badge[grounded in your notes]",
          "confident": ":green-badge[confident]", UNSURE: f":orange-badge[{UNSURE}]"}


@st.cache_resource(show_spinner="Loading the embedding model and LLM ...")
def get_tutor(llm_spec: str | None) -> Tutor:
    """Load retriever and LLM once per process and model choice (loading takes seconds)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the UI process must never reach for a model hub
    return load_tutor(settings(), llm_spec or None)


def settings() -> Settings:
    """The settings object (env and .env)."""
    return get_settings()


def refresh_store() -> None:
    """Forget cached retrievers after the store changed (models stay cached in their factories)."""
    get_tutor.clear()


def model_choice() -> str | None:
    """The provider string chosen in the sidebar (defaults to TUTOR_LLM or the bundled model)."""
    default = st.session_state.get("model", os.environ.get("TUTOR_LLM", ""))
    spec = st.sidebar.text_input("Model", value=default, placeholder="bundled SmolLM2 (default)",
                                 help="llamacpp/<path.gguf>, openai/<model>, bedrock/<model id>, fake")
    st.session_state["model"] = spec.strip()
    return spec.strip() or None


def load_tutor_or_stop(spec: str | None) -> Tutor:
    """The tutor for `spec`, or a one-line error on the page."""
    try:
        return get_tutor(spec)
    except Exception as exc:  # show setup problems on the page instead of a trace
        st.error(f"Could not start: {exc}")
        st.stop()


def badge(result: TutorAnswer) -> str:
    """The badge under an answer: the verdict in colour (with an exam pick's confidence)."""
    sure = f" confidence {result.confidence:.0%}" if result.confidence is not None else ""
    return BADGES.get(verdict(result), "") + sure


def show_citations(result: TutorAnswer) -> None:
    """Chips for the sources the answer cites, in order of first use, each expanding to the chunk
    text, source, heading and page; the other retrieved sources sit behind one "More sources" control."""
    texts = getattr(result, "texts", None) or {}
    for cite in result.citations:
        with st.expander(citation_line(cite)):
            st.text(texts.get(cite.chunk_id, ""))  # st.text never renders HTML or Markdown
    if result.more_sources:
        with st.expander(f"More sources ({len(result.more_sources)}) - retrieved, not used in this answer"):
            for cite in result.more_sources:
                st.caption(citation_line(cite))
                st.text(texts.get(cite.chunk_id, "")[:600])


def chunk_texts(tutor: Tutor, result: TutorAnswer) -> dict[str, str]:
    """The stored text of every cited chunk and of the other retrieved ones, by chunk id."""
    return tutor.store.texts([cite.chunk_id for cite in result.citations + result.more_sources])


def safe_markdown(text: str) -> str:
    """Markdown with HTML, images and links neutralised (note text and questions are untrusted)."""
    text = html.escape(text, quote=False)  # Streamlit escapes HTML too; this makes it certain
    return text.replace("![", "!\\[").replace("](", "]\\(")
