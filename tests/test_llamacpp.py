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


def test_real_llamacpp_answers(in_tmp, notes_dir, make_settings):
    settings = make_settings(k=2, llm_max_tokens=48)
    ingest_paths([notes_dir], settings, show_bar=False)
    result = load_tutor(settings).ask("Which option handles 1 GB payloads?")
    assert isinstance(result.answer, str) and result.answer.strip()
    assert result.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert result.citations[0].source.endswith("/notes/inference.md")
