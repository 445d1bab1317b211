"""Exam mode with a capable model: a scripted OpenAI-compatible server on 127.0.0.1 picks a letter,
the tutor combines it with the scorer and says when the two disagree."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.rag.chain import load_tutor
from app.rag.exam_llm import MODEL_ACCURACY, combine
from ingest.index import ingest_paths

pytestmark = pytest.mark.slow

QUESTION = ("A team must send 800 MB payloads for inference and can wait for the results. "
            "Which option fits?\nA) Kinesis Data Streams shards\nB) SageMaker Asynchronous Inference\n"
            "C) SageMaker Serverless Inference\nD) A spreadsheet")


@contextlib.contextmanager
def scripted_openai(replies: list[str]):
    """An OpenAI-style chat server that answers each request with the next scripted message content
    and records every request body."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server naming)
            seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            content = replies[min(len(seen), len(replies)) - 1]
            body = json.dumps({"id": f"chatcmpl-{len(seen)}", "object": "chat.completion", "created": 0,
                               "model": seen[-1].get("model", "scripted"),
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}],
                               "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()


@pytest.fixture
def store_settings(in_tmp, notes_dir, make_settings):
    """Settings factory over an ingest of the two small notes (real embeddings)."""
    ingest_paths([notes_dir], make_settings(), show_bar=False)
    return lambda **overrides: make_settings(**overrides)


def ask_with_model(store_settings, reply: dict):
    """Ask QUESTION with a scripted capable model; the result and the requests the server saw."""
    with scripted_openai([json.dumps(reply)]) as (url, seen):
        tutor = load_tutor(store_settings(llm="openai/scripted", openai_base_url=url, openai_api_key="x"))
        return tutor.ask(QUESTION), seen


def test_model_agreeing_raises_confidence_and_sees_each_options_evidence(store_settings):
    alone = load_tutor(store_settings(llm="fake/unused")).ask(QUESTION)
    assert len(alone.choice) == 1 and 0 < alone.confidence < 1 and alone.confident is not None
    agreed, seen = ask_with_model(store_settings, {"letters": alone.choice, "reason": "It fits."})
    assert agreed.choice == alone.choice and agreed.confidence > alone.confidence
    assert "agrees" in agreed.answer
    request = seen[-1]
    prompt = json.dumps(request["messages"])
    assert "notes:" in prompt and "Asynchronous Inference" in prompt  # per-option evidence was sent
    assert "response_format" in request or "tools" in request  # structured output was asked for


def test_disagreement_is_shown_and_the_better_supported_pick_wins(store_settings):
    alone = load_tutor(store_settings(llm="fake/unused")).ask(QUESTION)
    other = "D" if alone.choice != ["D"] else "A"
    result, _ = ask_with_model(store_settings, {"letters": [other], "reason": "Another view."})
    assert "disagree" in result.answer and f"the model chose {other}" in result.answer
    expected = [other] if alone.confidence < MODEL_ACCURACY else alone.choice
    agreeing = combine(alone.choice, alone.confidence, alone.choice, 4, "m").confidence
    assert result.choice == expected and result.confidence < agreeing


def test_an_unusable_model_reply_leaves_the_scorer_pick(store_settings):
    alone = load_tutor(store_settings(llm="fake/unused")).ask(QUESTION)
    result, _ = ask_with_model(store_settings, {"letters": ["Z"], "reason": "no such option"})
    assert result.choice == alone.choice and "no usable pick" in result.answer


def test_bayes_combination_is_symmetric_and_bounded():
    agree = combine(["A"], 0.7, ["A"], 4, "m")
    disagree = combine(["A"], 0.7, ["B"], 4, "m")
    assert agree.confidence > 0.7 and disagree.chosen == ["B"] and disagree.confidence < 0.7
    sure = combine(["A"], 0.95, ["B"], 4, "m")
    assert sure.chosen == ["A"] and 0 < sure.confidence < 0.95
    assert combine(["A", "C"], 0.6, ["A", "C"], 5, "m").confidence > 0.6
