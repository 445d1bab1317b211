"""Streamlit chat page: ask exam questions, read cited answers. Run with `tutor ui`."""

from __future__ import annotations

import os

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the UI process must never reach for a model hub


@st.cache_resource(show_spinner="Loading the embedding model and LLM ...")
def get_tutor(llm_spec: str | None):
    """Load retriever and LLM once per process (loading takes seconds)."""
    from app.chain import load_tutor
    from app.config import get_settings

    return load_tutor(get_settings(), llm_spec or None)


def show_citations(result: dict) -> None:
    """One expander per citation with its source, heading, page and chunk text."""
    texts = result.get("texts", {})
    for cite in result.get("citations", []):
        page = f", page {cite['page']}" if cite.get("page") else ""
        with st.expander(f"[{cite['n']}] {cite['source']} - {cite['heading']}{page}"):
            st.text(texts.get(cite["chunk_id"], ""))


def verdict(result: dict) -> str:
    """The badge text: not found, grounded, or extractive fallback."""
    if result.get("refused"):
        return ":orange-badge[not found in your notes]"
    if result.get("fallback"):
        return ":violet-badge[extractive answer from your notes]"
    return ":green-badge[grounded in your notes]" if result.get("grounded") else ""


def show_message(message: dict) -> None:
    """Replay one chat message (user text is never rendered as HTML)."""
    with st.chat_message(message["role"]):
        st.markdown(message["content"], unsafe_allow_html=False)
        if message.get("result"):
            if badge := verdict(message["result"]):
                st.markdown(badge)
            show_citations(message["result"])


def history_of(messages: list[dict]) -> list[dict]:
    """Earlier turns in the shape the tutor's follow-up rewrite expects."""
    return [{"role": m["role"], "content": m["content"]} for m in messages[-6:]]


def answer(tutor, question: str, history: list[dict] | None = None) -> dict:
    """Stream the answer into the chat bubble, then show the checked answer and keep chunk texts."""
    result: dict = {}

    def tokens():
        for piece in tutor.stream(question, history=history):
            if isinstance(piece, dict):
                result.update(piece)
            else:
                yield piece

    bubble = st.empty()
    with bubble.container():
        st.write_stream(tokens())
    # the grounding check ran on the finished text: show what survived, replacing the raw stream
    bubble.markdown(result.get("answer", ""), unsafe_allow_html=False)
    ids = [cite["chunk_id"] for cite in result.get("citations", [])]
    got = tutor.retriever.collection.get(ids=ids, include=["documents"]) if ids else {"ids": [], "documents": []}
    result["texts"] = dict(zip(got["ids"], got["documents"]))
    return result


def pick_model() -> str | None:
    """The provider string from the sidebar (defaults to TUTOR_LLM or the bundled model)."""
    default = os.environ.get("TUTOR_LLM", "")
    spec = st.sidebar.text_input("Model", value=default, placeholder="bundled SmolLM2 (default)",
                                 help="llamacpp/<path.gguf>, openai/<model>, bedrock/<model id>")
    return spec.strip() or None


def sidebar(tutor) -> None:
    """Which store and model are in use."""
    from ingest.store import describe_store
    st.sidebar.caption(f"Store: {describe_store(tutor.settings)}")
    st.sidebar.caption(f"Chunks: {tutor.retriever.collection.count()}")
    st.sidebar.caption(f"Model: {tutor.model}")
    if st.sidebar.button("New chat"):
        st.session_state.messages = []


def main() -> None:
    """The chat page."""
    st.set_page_config(page_title="MLA Tutor", page_icon=":books:")
    st.title("MLA Tutor")
    st.sidebar.header("MLA Tutor")
    try:
        tutor = get_tutor(pick_model())
    except Exception as exc:  # show setup problems on the page instead of a trace
        st.error(f"Could not start: {exc}")
        st.stop()
    sidebar(tutor)
    st.session_state.setdefault("messages", [])
    for message in st.session_state.messages:
        show_message(message)
    if question := st.chat_input("Ask an MLA-C01 question"):
        user = {"role": "user", "content": question}
        history = history_of(st.session_state.messages)
        st.session_state.messages.append(user)
        show_message(user)
        with st.chat_message("assistant"):
            try:
                result = answer(tutor, question, history)
            except Exception as exc:  # a provider failure is one line on the page, not a trace
                st.error(str(exc))
                return
            if badge := verdict(result):
                st.markdown(badge)
            show_citations(result)
        st.session_state.messages.append({"role": "assistant", "content": result["answer"],
                                          "result": result})


if __name__ == "__main__":
    main()
