"""Shared fixtures: offline environment, settings pointing into tmp_path, small note files."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

# No test may reach a model hub or send telemetry.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionfinish(session, exitstatus):
    """Free cached llama.cpp models while llama_cpp is still loaded.

    Left to interpreter shutdown, Llama.__del__ runs after llama_cpp's globals are gone and prints
    "Exception ignored ... 'NoneType' object is not callable" under a green run.
    """
    providers = sys.modules.get("app.providers")
    if providers:
        providers._cached_llamacpp.cache_clear()
    if "streamlit" in sys.modules:
        sys.modules["streamlit"].cache_resource.clear()
    gc.collect()

NOTE_A = """---
title: Inference options
domain: D3
tasks: [3.1]
---
# Inference options

## Asynchronous Inference
SageMaker Asynchronous Inference queues requests with payloads up to 1 GB and processing up to one hour.

## Serverless Inference
SageMaker Serverless Inference scales to zero between requests and bills per use.
"""

NOTE_B = """---
title: Streaming ingestion
domain: D1
---
# Streaming ingestion

## Kinesis Data Streams
Kinesis Data Streams keeps records in shards for custom consumers in real time.
"""


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    """A folder with two small notes."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "inference.md").write_text(NOTE_A)
    (folder / "streaming.md").write_text(NOTE_B)
    return folder


def make_settings_at(root: Path, **overrides):
    """Settings whose store, notes and corpus live under `root`; keyword overrides win."""
    from app.config import get_settings

    base = {"store_path": root / "store", "notes_path": root / "user-notes", "corpus_path": root / "notes"}
    return get_settings(**{**base, **overrides})


@pytest.fixture
def make_settings(tmp_path: Path):
    """Build Settings whose store lives in tmp_path; keyword overrides win."""
    return lambda **overrides: make_settings_at(tmp_path, **overrides)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch):
    """Run with tmp_path as the working directory, so stored sources are relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test (browser shots)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
