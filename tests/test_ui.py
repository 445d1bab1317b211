"""Every page of the Streamlit app through streamlit.testing's AppTest: main path and error path."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from ingest.index import ingest_paths
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
APP = ROOT / "app" / "ui"
REPLY = "fake/SageMaker Asynchronous Inference queues payloads up to 1 GB [1]."


@pytest.fixture
def store_env(in_tmp, notes_dir, make_settings, monkeypatch):
    """An ingested store (real embeddings) and the environment the app reads its settings from."""
    settings = make_settings()
    ingest_paths([notes_dir], settings, show_bar=False)
    monkeypatch.setenv("TUTOR_STORE_PATH", str(settings.store_path))
    monkeypatch.setenv("TUTOR_NOTES_PATH", str(settings.notes_path))
    monkeypatch.setenv("TUTOR_CORPUS_PATH", str(ROOT / "corpus"))
    monkeypatch.setenv("TUTOR_LLM", REPLY)
    return settings


def app(page: str) -> AppTest:
    return AppTest.from_file(str(APP / page), default_timeout=120).run()


def test_chat_answers_with_citations_and_badge(store_env):
    at = app("main.py")
    assert not at.exception
    assert any("Model: fake" in c.value for c in at.sidebar.caption)
    at.chat_input[0].set_value("Which SageMaker option takes 1 GB payloads?").run()
    assert not at.exception
    bubble = at.chat_message[1]
    assert "Asynchronous Inference queues payloads up to 1 GB" in bubble.markdown[0].value
    assert "grounded" in bubble.markdown[1].value and len(bubble.expander) >= 1


def test_chat_renders_html_in_questions_as_text(store_env):
    at = app("page_chat.py")
    at.chat_input[0].set_value("<script>alert(1)</script> What is Serverless Inference?").run()
    assert not at.exception
    assert at.chat_message[0].text[0].value.startswith("<script>")  # shown as typed, not rendered


def test_chat_setup_error_is_shown_not_raised(in_tmp, monkeypatch):
    monkeypatch.setenv("TUTOR_STORE_PATH", str(in_tmp / "store"))
    monkeypatch.setenv("TUTOR_LLM", "llamacpp/does/not/exist.gguf")
    at = app("main.py")
    assert not at.exception and "GGUF file not found" in at.error[0].value


def test_notes_upload_ingest_list_and_delete(store_env):
    at = app("page_notes.py")
    note = b"# Sidecar facts\n\nThe Zebra-Lantern pattern caches features next to the model.\n"
    at.file_uploader[0].set_value([("../../escape.md", note, "text/markdown"),
                                   ("empty.md", b"  \n", "text/markdown")]).run()
    at.button[0].click().run()
    assert not at.exception
    assert (store_env.notes_path / "escape.md").exists() and not (store_env.notes_path.parent / "escape.md").exists()
    assert any("empty.md: the file is empty" in e.value for e in at.error)
    assert any("1 added" in s.value for s in at.success)
    sources = [row for row in at.dataframe[-1].value["source"]]
    victim = next(s for s in sources if s.endswith("escape.md"))
    at.selectbox(key="victim").set_value(victim).run()
    next(b for b in at.button if b.label == "Delete document").click().run()
    assert any(f"Removed {victim}" in s.value for s in at.success)
    assert not (store_env.notes_path / "escape.md").exists()


def test_practice_session_runs_to_a_domain_score(store_env):
    at = app("page_practice.py")
    at.sidebar.slider[0].set_value(3).run()
    next(b for b in at.sidebar.button if b.label == "Start session").click().run()
    for _ in range(3):
        assert not at.exception
        if at.radio:
            at.radio[0].set_value(at.radio[0].options[0]).run()
        else:
            for i in range(boxes_asked(at)):  # "Choose 2." or "Choose 3."
                at.checkbox[i].check().run()
        next(b for b in at.button if b.label == "Submit answer").click().run()
        assert at.success or at.error
        next(b for b in at.button if b.label == "Next question").click().run()
    assert "Session score" in at.subheader[0].value
    assert at.dataframe and not at.exception


def boxes_asked(at: AppTest) -> int:
    """N of the "Choose N." caption of a multiple-response practice question."""
    return int(next(c.value for c in at.caption if c.value.startswith("Choose ")).split()[1].rstrip("."))


def test_evals_page_runs_a_dataset_and_rejects_a_bad_one(store_env):
    at = app("page_evals.py")
    at.radio[0].set_value("Upload a JSONL file").run()
    good = {"id": "q1", "domain": "D3", "question": "What does SageMaker Serverless Inference do?",
            "relevant_sources": ["notes/inference.md"], "required_terms": [["zero"]]}
    at.file_uploader[0].set_value(("mine.jsonl", json.dumps(good).encode(), "application/json")).run()
    next(b for b in at.button if b.label == "Run eval").click().run()
    assert not at.exception and at.dataframe
    at.file_uploader[0].set_value(("bad.jsonl", b"{not json", "application/json")).run()
    assert any("bad.jsonl" in e.value or "uploaded.jsonl:1" in e.value for e in at.error)


def test_practice_shows_a_model_error_instead_of_raising(store_env, monkeypatch):
    monkeypatch.setenv("TUTOR_LLM", "llamacpp/does/not/exist.gguf")
    at = app("page_practice.py")
    if at.radio:
        at.radio[0].set_value(at.radio[0].options[0]).run()
    else:
        for i in range(boxes_asked(at)):
            at.checkbox[i].check().run()
    next(b for b in at.button if b.label == "Submit answer").click().run()
    assert not at.exception and "GGUF file not found" in at.error[0].value
