"""Providers against real protocols on 127.0.0.1: llama.cpp's OpenAI server, Chroma server, Bedrock stub."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app.rag.chain import load_tutor
from app.rag.result import TutorAnswer
from app.cli import app
from app.providers import bundled_gguf_path
from ingest.index import ingest_paths
from tests.servers import chroma_server, free_port, llama_server, stub_openai

pytestmark = pytest.mark.slow
runner = CliRunner()
QUESTION = "Does SageMaker Serverless Inference scale to zero between requests?"
CANARY = "sk-canary-0123456789abcdef"


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory):
    """The bundled GGUF served by `python -m llama_cpp.server` on a free port."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with llama_server(bundled_gguf_path(), port, log):
        yield f"http://127.0.0.1:{port}/v1"


def test_openai_provider_answers_through_llama_server(in_tmp, notes_dir, make_settings, llama_url):
    settings = make_settings(llm="openai/smollm2", openai_base_url=llama_url)
    ingest_paths([notes_dir], settings, show_bar=False)
    tutor = load_tutor(settings)
    result = tutor.ask(QUESTION)
    assert result.model == "openai/smollm2" and result.citations
    assert result.grounded or result.fallback
    pieces = list(tutor.stream(QUESTION))
    assert sum(isinstance(p, str) for p in pieces) > 1, "tokens should arrive one by one"
    assert isinstance(pieces[-1], TutorAnswer) and pieces[-1].answer


def test_cli_ask_streams_through_llama_server(in_tmp, notes_dir, llama_url):
    env = {"TUTOR_STORE_PATH": str(in_tmp / "store"), "TUTOR_LLM": "openai/smollm2",
           "TUTOR_OPENAI_BASE_URL": llama_url, "TUTOR_NOTES_PATH": str(in_tmp / "none")}
    assert runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env).exit_code == 0
    streamed = runner.invoke(app, ["ask", QUESTION, "--stream"], env=env)
    assert streamed.exit_code == 0, streamed.output
    assert "Sources:" in streamed.output and "[grounding check" in streamed.output or "grounded" in streamed.output
    asked = runner.invoke(app, ["ask", QUESTION, "--json"], env=env)
    assert asked.exit_code == 0 and json.loads(asked.output)["model"] == "openai/smollm2"


def test_chroma_server_mode_ingests_and_answers(in_tmp, notes_dir, make_settings):
    port = free_port()
    with chroma_server(in_tmp / "chroma-data", port, in_tmp / "chroma.log"):
        settings = make_settings(chroma_host="127.0.0.1", chroma_port=port,
                                 llm="fake/SageMaker Serverless Inference scales to zero between requests [1].")
        report = ingest_paths([notes_dir], settings, show_bar=False)
        assert report.count("added") == 2
        again = ingest_paths([notes_dir], settings, show_bar=False)
        assert again.count("unchanged") == 2
        result = load_tutor(settings).ask(QUESTION)
    assert result.grounded and result.citations[0].source.endswith(".md")
    assert not (in_tmp / "store" / "chroma.sqlite3").exists(), "server mode must not write a local store"


def test_bedrock_converse_contract_with_stubber(in_tmp, notes_dir, make_settings, monkeypatch):
    """Contract test: our bedrock/ provider speaks the Converse API (botocore Stubber, no network)."""
    import boto3
    from botocore.stub import ANY, Stubber

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = make_settings(llm="bedrock/anthropic.claude-3-haiku-20240307-v1:0")
    ingest_paths([notes_dir], settings, show_bar=False)
    tutor = load_tutor(settings)
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    reply = "SageMaker Serverless Inference scales to zero between requests [1]."
    response = {"output": {"message": {"role": "assistant", "content": [{"text": reply}]}},
                "stopReason": "end_turn", "usage": {"inputTokens": 10, "outputTokens": 9, "totalTokens": 19},
                "metrics": {"latencyMs": 5}}
    with Stubber(client) as stub:
        stub.add_response("converse", response, {"modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                                                 "messages": ANY, "system": ANY, "inferenceConfig": ANY})
        llm = tutor.chat_model()  # loaded on first use; the stubbed client replaces its own
        llm.client = client
        llm.disable_streaming = True
        result = tutor.ask(QUESTION)
    assert result.grounded and result.answer.startswith("SageMaker Serverless Inference scales")


def ask_with(env: dict, in_tmp, notes_dir):
    """Ingest (real embeddings) and ask once through the CLI with the given environment."""
    env = {"TUTOR_STORE_PATH": str(in_tmp / "store"), "TUTOR_NOTES_PATH": str(in_tmp / "none"),
           "OPENAI_API_KEY": CANARY, **env}
    runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    return runner.invoke(app, ["ask", QUESTION], env=env)


def assert_one_line(result, expected: str):
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "Traceback" not in result.output and CANARY not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("error:")]) == 1


def test_unreachable_server_is_one_clear_line(in_tmp, notes_dir):
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = ask_with({"TUTOR_LLM": "openai/smollm2", "TUTOR_OPENAI_BASE_URL": url}, in_tmp, notes_dir)
    assert_one_line(result, f"openai: cannot reach {url}")


def test_wrong_model_name_is_one_clear_line(in_tmp, notes_dir):
    with stub_openai(status=404) as url:
        result = ask_with({"TUTOR_LLM": "openai/no-such-model", "TUTOR_OPENAI_BASE_URL": url}, in_tmp, notes_dir)
    assert_one_line(result, "model 'no-such-model' not found")


def test_rejected_key_is_one_clear_line(in_tmp, notes_dir):
    with stub_openai(status=401) as url:
        result = ask_with({"TUTOR_LLM": "openai/smollm2", "TUTOR_OPENAI_BASE_URL": url}, in_tmp, notes_dir)
    assert_one_line(result, "rejected the API key")


def test_timeout_is_one_clear_line(in_tmp, notes_dir):
    with stub_openai(status=200, delay=3) as url:
        result = ask_with({"TUTOR_LLM": "openai/smollm2", "TUTOR_OPENAI_BASE_URL": url,
                           "TUTOR_LLM_TIMEOUT": "1"}, in_tmp, notes_dir)
    assert_one_line(result, "within 1 s")


def test_missing_key_is_one_clear_line(in_tmp, notes_dir):
    result = ask_with({"TUTOR_LLM": "openai/gpt-4o-mini", "OPENAI_API_KEY": ""}, in_tmp, notes_dir)
    assert_one_line(result, "openai: no API key")
