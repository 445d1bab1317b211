"""Chat page: streamed, cited answers; exam-mode choices; domain filter; new chat; export."""

from __future__ import annotations

import streamlit as st

from app.rag.chain import Tutor
from app.rag.result import TutorAnswer, citation_line
from app.store import describe_store
from app.ui.common import (badge, chunk_texts, load_tutor_or_stop, model_choice, safe_markdown,
                           show_citations)

DOMAINS = ["All", "D1", "D2", "D3", "D4", "core"]


def show_message(message: dict) -> None:
    """Replay one chat message (user text is never rendered as HTML)."""
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.text(message["content"])  # what the user typed is shown as typed, never rendered
        else:
            st.markdown(safe_markdown(message["content"]))
        if message.get("result"):
            show_result_details(message["result"])


def show_result_details(result: TutorAnswer) -> None:
    """Badge, the exam choice and the citation chips under an answer."""
    if text := badge(result):
        st.markdown(text)
    if result.choice:
        st.markdown(f"**Chosen option(s): {', '.join(result.choice)}**")
    show_citations(result)


def history_of(messages: list[dict]) -> list[dict]:
    """Earlier turns in the shape the tutor's follow-up rewrite expects."""
    return [{"role": m["role"], "content": m["content"]} for m in messages[-6:]]


def answer(tutor: Tutor, question: str, history: list[dict], domain: str | None) -> TutorAnswer:
    """Stream the answer into the chat bubble, then show the checked answer in its place."""
    results: list[TutorAnswer] = []

    def tokens():
        for piece in tutor.stream(question, domain=domain, history=history):
            if isinstance(piece, TutorAnswer):
                results.append(piece)
            else:
                yield piece

    bubble = st.empty()
    with bubble.container():
        st.write_stream(tokens())
    result = results[-1]
    # the grounding check ran on the finished text: what survived replaces the raw stream
    bubble.markdown(safe_markdown(result.answer))
    result.texts = chunk_texts(tutor, result)
    return result


def export_markdown(messages: list[dict]) -> str:
    """The conversation as Markdown, with each answer's sources."""
    lines = ["# MLA Tutor conversation", ""]
    for m in messages:
        lines += [f"**{'You' if m['role'] == 'user' else 'Tutor'}:** {m['content']}", ""]
        for cite in (m["result"].citations if m.get("result") else []):
            lines.append(f"- {citation_line(cite)}")
        lines.append("")
    return "\n".join(lines)


def sidebar(tutor: Tutor) -> str | None:
    """Store facts, domain filter, new chat and export; returns the chosen domain."""
    st.sidebar.caption(f"Store: {describe_store(tutor.settings)}")
    st.sidebar.caption(f"Chunks: {tutor.store.count()}")
    st.sidebar.caption(f"Model: {tutor.model}")
    domain = st.sidebar.selectbox("Exam domain", DOMAINS, key="domain")
    if st.sidebar.button("New chat"):
        st.session_state.messages = []
    st.sidebar.download_button("Export conversation", export_markdown(st.session_state.messages),
                               file_name="mla-tutor-chat.md", mime="text/markdown")
    return None if domain == "All" else domain


def render() -> None:
    """The chat page."""
    st.title("Ask MLA Tutor")
    tutor = load_tutor_or_stop(model_choice())
    st.session_state.setdefault("messages", [])
    domain = sidebar(tutor)
    for message in st.session_state.messages:
        show_message(message)
    if question := st.chat_input("Ask an MLA-C01 question, or paste one with its options"):
        history = history_of(st.session_state.messages)
        user = {"role": "user", "content": question}
        st.session_state.messages.append(user)
        show_message(user)
        with st.chat_message("assistant"):
            try:
                result = answer(tutor, question, history, domain)
            except Exception as exc:  # a provider failure is one line on the page, not a trace
                st.error(str(exc))
                return
            show_result_details(result)
        st.session_state.messages.append({"role": "assistant", "content": result.answer,
                                          "result": result})


if __name__ == "__main__":
    render()
