"""Chain logic with a fake LLM and hash embeddings on a real Chroma store."""

from __future__ import annotations

from app.chain import Tutor, build_chain
from app.providers import make_llm
from app.retrieval import Retriever
from ingest.index import ingest_paths


def make_tutor(settings, reply: str) -> Tutor:
    return Tutor(settings, Retriever(settings), make_llm(settings, f"fake/{reply}"), "fake")


def test_ask_returns_public_json_shape(in_tmp, notes_dir, make_settings):
    settings = make_settings(embedding_model="fake", k=3)
    ingest_paths([notes_dir], settings, show_bar=False)
    result = make_tutor(settings, "Use Asynchronous Inference [1].").ask("payloads of 1 GB")
    assert set(result) >= {"answer", "citations", "model"}
    assert result["answer"] == "Use Asynchronous Inference [1]."
    assert [c["n"] for c in result["citations"]] == list(range(1, len(result["citations"]) + 1))
    cite = result["citations"][0]
    assert set(cite) == {"n", "source", "heading", "page", "chunk_id", "score"}
    assert cite["source"].startswith("notes/") and isinstance(cite["score"], float)


def test_stream_yields_tokens_then_result(in_tmp, notes_dir, make_settings):
    settings = make_settings(embedding_model="fake", k=2)
    ingest_paths([notes_dir], settings, show_bar=False)
    pieces = list(make_tutor(settings, "Serverless [1].").stream("cost?"))
    assert pieces[-1]["answer"] == "Serverless [1]."
    assert "".join(p for p in pieces[:-1] if isinstance(p, str)) == "Serverless [1]."


def test_prompt_carries_system_rules_and_numbered_notes():
    from langchain_core.language_models import FakeListChatModel

    from app.prompts import format_context, make_prompt

    messages = make_prompt().format_messages(context=format_context(["alpha", "beta"]), question="q?")
    assert "MLA Tutor" in messages[0].content
    assert "[1] alpha" in messages[1].content and "[2] beta" in messages[1].content
    assert build_chain(FakeListChatModel(responses=["ok"])).invoke(
        {"context": "", "question": "x"}) == "ok"
