"""Shared pieces of the Streamlit pages: the cached tutor, settings, badges and citations."""

from __future__ import annotations

import os

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the UI process must never reach for a model hub


@st.cache_resource(show_spinner="Loading the embedding model and LLM ...")
def get_tutor(llm_spec: str | None):
    """Load retriever and LLM once per process and model choice (loading takes seconds)."""
    from app.chain import load_tutor

    return load_tutor(settings(), llm_spec or None)


def settings():
    """The settings object (env and .env)."""
    from app.config import get_settings

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


def load_tutor_or_stop(spec: str | None):
    """The tutor for `spec`, or a one-line error on the page."""
    try:
        return get_tutor(spec)
    except Exception as exc:  # show setup problems on the page instead of a trace
        st.error(f"Could not start: {exc}")
        st.stop()


def verdict(result: dict) -> str:
    """The badge text: not found, grounded, or extractive fallback."""
    if result.get("refused"):
        return ":orange-badge[not found in your notes]"
    if result.get("fallback"):
        return ":violet-badge[extractive answer from your notes]"
    return ":green-badge[grounded in your notes]" if result.get("grounded") else ""


def show_citations(result: dict) -> None:
    """Numbered citation chips that expand to the chunk text, source, heading and page."""
    texts = result.get("texts", {})
    for cite in result.get("citations", []):
        page = f", page {cite['page']}" if cite.get("page") else ""
        with st.expander(f"[{cite['n']}] {cite['source']} - {cite['heading']}{page}"):
            st.text(texts.get(cite["chunk_id"], ""))  # st.text never renders HTML or Markdown


def chunk_texts(tutor, result: dict) -> dict[str, str]:
    """The stored text of every cited chunk, by chunk id."""
    ids = [cite["chunk_id"] for cite in result.get("citations", [])]
    if not ids:
        return {}
    got = tutor.retriever.collection.get(ids=ids, include=["documents"])
    return dict(zip(got["ids"], got["documents"]))


def safe_markdown(text: str) -> str:
    """Markdown with HTML, images and links neutralised (note text and questions are untrusted)."""
    import html

    text = html.escape(text, quote=False)  # Streamlit escapes HTML too; this makes it certain
    return text.replace("![", "!\\[").replace("](", "]\\(")
