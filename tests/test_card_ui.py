"""The chat page shows only the sources an answer uses; the rest sit behind "More sources"."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ingest.index import ingest_paths
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def store_env(in_tmp, notes_dir, make_settings, monkeypatch):
    """Two small notes in a real store; the app's settings point at it; the bundled-model path
    (no capable LLM) answers with the card."""
    settings = make_settings()
    ingest_paths([notes_dir], settings, show_bar=False)
    monkeypatch.setenv("TUTOR_STORE_PATH", str(settings.store_path))
    monkeypatch.setenv("TUTOR_NOTES_PATH", str(settings.notes_path))
    monkeypatch.setenv("TUTOR_K", "3")
    return settings


def test_chips_are_the_used_sources_and_the_rest_are_behind_more_sources(store_env):
    at = AppTest.from_file(str(ROOT / "app" / "ui" / "page_chat.py"), default_timeout=180).run()
    at.chat_input[0].set_value("Which SageMaker option takes payloads of 1 GB?").run()
    assert not at.exception
    bubble = at.chat_message[1]
    answer = bubble.markdown[0].value
    assert "1 GB" in answer and "[1]" in answer and "[2]" not in answer
    labels = [e.label for e in bubble.expander]
    assert labels[0].startswith("[1] ") and "inference.md" in labels[0]
    assert labels[-1].startswith("More sources (2)")
    assert sum(label.startswith("[") for label in labels) == 1
