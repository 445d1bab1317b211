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

from app.store.bm25 import bm25_dir
from ingest.chunk import chunk_file
from ingest.index import chunk_id
from ingest.load import load_file
from app.store.chroma import open_collection
from app.store.sources import source_of
from tests.conftest import ROOT, make_settings_at

pytestmark = pytest.mark.slow
TUTOR = Path(sys.executable).with_name("tutor")


def expected_ids(root: Path, settings) -> dict[str, set[str]]:
    """The chunk ids every corpus file should have, computed from the files themselves."""
    out = {}
    for path in sorted((root / "corpus").rglob("*")):
        if path.is_file() and path.suffix in {".md", ".pdf"} and path.name != "README.md":
            source = source_of(path)  # stored sources are canonical: absolute, symlinks resolved
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


def test_asks_from_threads_and_a_second_process_while_ingest_runs(tmp_path):
    """Readers keep working during an ingest; a second writer stops with a clear message."""
    import threading

    from app.rag.retrieval import HybridRetriever
    from app.store import Store, StoreBusy
    from ingest.index import ingest_paths

    shutil.copytree(ROOT / "corpus" / "d3-deployment-orchestration", tmp_path / "corpus" / "d3")
    settings = make_settings_at(tmp_path, store_path=tmp_path / "store", corpus_path=tmp_path / "corpus")
    ingest_paths([tmp_path / "corpus" / "d3"], settings, show_bar=False)  # something to read
    shutil.copytree(ROOT / "corpus" / "d4-monitoring-security", tmp_path / "corpus" / "d4")
    errors, answers = [], []
    retriever = HybridRetriever(store=Store(settings))

    def ask_repeatedly():
        for _ in range(15):
            try:
                answers.append(retriever.search("Which inference option suits 1 GB payloads?", 5))
            except Exception as exc:  # noqa: BLE001 - any error is a failure of this test
                errors.append(exc)

    writer = threading.Thread(target=lambda: ingest_paths([tmp_path / "corpus"], settings, show_bar=False))
    readers = [threading.Thread(target=ask_repeatedly) for _ in range(3)]
    writer.start()
    time.sleep(0.5)
    for thread in readers:
        thread.start()
    with pytest.raises(StoreBusy, match="another ingest is writing"):
        ingest_paths([tmp_path / "corpus"], settings, show_bar=False)
    env = {**os.environ, "TUTOR_STORE_PATH": str(settings.store_path), "TUTOR_LLM": "fake/ok [1].",
           "HF_HUB_OFFLINE": "1"}
    other = subprocess.run([str(TUTOR), "ask", "What does Model Monitor do?", "--json"], env=env,
                           capture_output=True, text=True, timeout=300)
    for thread in readers + [writer]:
        thread.join()
    assert not errors and len(answers) == 45 and all(answers)
    assert other.returncode == 0 and "database is locked" not in other.stderr
    assert json.loads(other.stdout)["citations"]
    total = open_collection(settings).count()
    again = ingest_paths([tmp_path / "corpus"], settings, show_bar=False)
    assert again.embedded == 0 and open_collection(settings).count() == total  # nothing lost or doubled
