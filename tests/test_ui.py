"""The Streamlit chat page through streamlit.testing's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ingest.index import ingest_paths
from tests.conftest import ROOT


def test_chat_answers_with_citations(in_tmp, notes_dir, make_settings, monkeypatch):
    settings = make_settings()
    ingest_paths([notes_dir], settings, show_bar=False)
    monkeypatch.setenv("TUTOR_STORE_PATH", str(settings.store_path))
    monkeypatch.setenv("TUTOR_LLM", "fake/SageMaker Asynchronous Inference queues payloads up to 1 GB [1].")
    at = AppTest.from_file(str(ROOT / "app" / "ui.py"), default_timeout=60).run()
    assert not at.exception
    assert any("Model: fake" in c.value for c in at.sidebar.caption)
    at.chat_input[0].set_value("Which option takes 1 GB payloads?").run()
    assert not at.exception
    assert "Asynchronous Inference queues payloads up to 1 GB" in at.chat_message[1].markdown[0].value
    assert "grounded" in at.chat_message[1].markdown[1].value
    assert len(at.chat_message[1].expander) >= 1


def test_setup_error_is_shown_not_raised(in_tmp, monkeypatch):
    monkeypatch.setenv("TUTOR_STORE_PATH", str(in_tmp / "store"))
    monkeypatch.setenv("TUTOR_LLM", "llamacpp/does/not/exist.gguf")
    at = AppTest.from_file(str(ROOT / "app" / "ui.py"), default_timeout=60).run()
    assert not at.exception
    assert "GGUF file not found" in at.error[0].value
