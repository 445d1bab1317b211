"""The real bundled SmolLM2 GGUF answers a question through llama.cpp."""

from __future__ import annotations

import pytest

from app.rag.chain import load_tutor
from app.providers import bundled_gguf_path
from ingest.index import ingest_paths

pytestmark = pytest.mark.slow


def test_bundled_gguf_is_found_without_importing_llm():
    import sys

    path = bundled_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert "llm" not in sys.modules


def test_real_llamacpp_answers_when_allowed_to_write(in_tmp, notes_dir, make_settings):
    settings = make_settings(k=2, llm_max_tokens=48, llm_capable=True)
    ingest_paths([notes_dir], settings, show_bar=False)
    tutor = load_tutor(settings)
    result = tutor.ask("Which SageMaker inference option accepts payloads of 1 GB?")
    assert tutor.llm is not None and type(tutor.llm).__name__ == "ChatLlamaCpp"  # the GGUF really ran
    assert result.answer.strip() and result.grounded  # its grounded sentences, or the card when too few held
    assert result.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert any(c.source.endswith("/notes/inference.md") for c in result.citations)


def test_bundled_model_does_not_write_by_default(in_tmp, notes_dir, make_settings):
    settings = make_settings(k=2)
    ingest_paths([notes_dir], settings, show_bar=False)
    tutor = load_tutor(settings)
    result = tutor.ask("Which SageMaker inference option accepts payloads of 1 GB?")
    assert tutor.llm is None and not result.fallback  # the answer card, quoted from the notes
    assert "1 GB" in result.answer
