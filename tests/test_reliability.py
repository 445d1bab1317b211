"""Crash safety: kill -9 an ingest at random points; a re-run always leaves the store consistent."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.retrieval import bm25_dir
from ingest.chunk import chunk_file
from ingest.index import chunk_id
from ingest.load import load_file
from ingest.store import open_collection
from tests.conftest import ROOT, make_settings_at

pytestmark = pytest.mark.slow
TUTOR = Path(sys.executable).with_name("tutor")


def expected_ids(root: Path, settings) -> dict[str, set[str]]:
    """The chunk ids every corpus file should have, computed from the files themselves."""
    out = {}
    for path in sorted((root / "corpus").rglob("*")):
        if path.is_file() and path.suffix in {".md", ".pdf"} and path.name != "README.md":
            source = path.relative_to(root).as_posix()
            loaded = load_file(path, source, 10**8)
            out[source] = {chunk_id(source, c) for c in chunk_file(loaded, settings.chunk_size, settings.chunk_overlap)}
    return out


def assert_consistent(root: Path, settings) -> None:
    """No duplicate or orphaned chunks; manifest and BM25 agree with Chroma; every file queryable."""
    collection = open_collection(settings)
    got = collection.get(include=["metadatas"])
    ids = got["ids"]
    assert len(ids) == len(set(ids))
    by_source: dict[str, set[str]] = {}
    for cid, meta in zip(ids, got["metadatas"]):
        by_source.setdefault(meta["source"], set()).add(cid)
    assert by_source == expected_ids(root, settings)
    bm25_ids = json.loads((bm25_dir(settings) / "ids.json").read_text())
    assert sorted(bm25_ids) == sorted(ids)
    manifest = json.loads((settings.store_path / "manifest.json").read_text())
    assert {s: m["chunks"] for s, m in manifest.items()} == {s: len(v) for s, v in by_source.items()}


def run_ingest(root: Path, env: dict, kill_after: float | None) -> None:
    """`tutor ingest`, optionally killed with SIGKILL after `kill_after` seconds."""
    proc = subprocess.Popen([str(TUTOR), "ingest", "--quiet"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        assert proc.wait(timeout=600) == 0
        return
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("trials", [pytest.param(3, id="ci"), pytest.param(20, id="long", marks=pytest.mark.long)])
def test_kill_minus_nine_during_ingest_never_corrupts_the_store(tmp_path, trials):
    rng = random.Random(trials)
    root = tmp_path
    shutil.copytree(ROOT / "corpus", root / "corpus")
    settings = make_settings_at(root, store_path=root / "store", corpus_path=Path("corpus"))
    env = {**os.environ, "TUTOR_STORE_PATH": str(root / "store"), "TUTOR_CORPUS_PATH": "corpus",
           "TUTOR_NOTES_PATH": str(root / "none"), "HF_HUB_OFFLINE": "1"}
    for trial in range(trials):
        if trial % 2:  # change a note between trials so kills also hit updates, not only first adds
            note = root / "corpus/d3-deployment-orchestration/inference-options.md"
            note.write_text(note.read_text() + f"\nExtra sentence number {trial} about endpoints.\n")
        run_ingest(root, env, kill_after=rng.uniform(4.0, 20.0))
        run_ingest(root, env, kill_after=None)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            assert_consistent(root, settings)
        finally:
            os.chdir(cwd)
