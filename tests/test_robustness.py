"""Regressions from probing as a user and as an attacker (issue 15): each failed on the old code.

Store logic runs on a hash embedding (TUTOR_EMBEDDING_MODEL=fake); what is checked is the store's
contents and the one-line messages, not answer quality.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.rag.chain import EmptyQuestion, load_tutor
from app.rag.retrieval import HybridRetriever
from app.store import Store
from app.store.sources import chunk_key
from ingest.files import OUTSIDE_LINK
from ingest.index import ingest_paths
from ingest.load import load_html
from tests.conftest import NOTE_A, make_settings_at

runner = CliRunner()
TUTOR = Path(sys.executable).with_name("tutor")
SECRET = "root:x:0:0:root:/root:/bin/bash secret-account-line"


def fake_settings(root: Path, **overrides):
    """Settings with the hash embedding and a fake LLM, everything under root."""
    return make_settings_at(root, embedding_model="fake", llm="fake/ok [1].", **overrides)


def cli_env(root: Path, **extra) -> dict:
    """Environment for the CLI with the store under root."""
    return {"TUTOR_STORE_PATH": str(root / "store"), "TUTOR_EMBEDDING_MODEL": "fake",
            "TUTOR_LLM": "fake/ok [1].", "TUTOR_NOTES_PATH": str(root / "none"), **extra}


def stored_texts(settings) -> list[str]:
    """Every stored chunk's text."""
    return [doc.page_content for doc in Store(settings).all_chunks()]


def test_a_symlink_out_of_the_notes_folder_is_never_followed(tmp_path):
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "real.md").write_text(NOTE_A)
    (notes / "p.md").symlink_to(secret)
    settings = fake_settings(tmp_path)
    report = ingest_paths([notes], settings, show_bar=False)
    failed = {f.source: f.reason for f in report.files if f.status == "failed"}
    assert failed == {(notes.resolve() / "p.md").as_posix(): OUTSIDE_LINK}
    assert not any("secret-account-line" in text for text in stored_texts(settings))
    assert set(Store(settings).files()) == {(notes / "real.md").resolve().as_posix()}


def test_a_link_inside_the_folder_is_one_file(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "real.md").write_text(NOTE_A)
    (notes / "alias.md").symlink_to(notes / "real.md")
    settings = fake_settings(tmp_path)
    ingest_paths([notes], settings, show_bar=False)
    assert set(Store(settings).files()) == {(notes / "real.md").resolve().as_posix()}


def test_the_same_folder_from_two_working_directories_is_stored_once(tmp_path, monkeypatch):
    notes = tmp_path / "project" / "notes"
    notes.mkdir(parents=True)
    (notes / "inference.md").write_text(NOTE_A)
    settings = fake_settings(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    counts = []
    for cwd, target in ((tmp_path / "project", Path("notes")), (tmp_path / "elsewhere", Path("../project/notes")),
                        (tmp_path, notes)):
        monkeypatch.chdir(cwd)
        ingest_paths([target], settings, show_bar=False)
        counts.append(Store(settings).count())
    assert counts[0] == counts[1] == counts[2] == 2  # the note's two sections, once
    (notes / "inference.md").unlink()
    monkeypatch.chdir(tmp_path / "elsewhere")
    report = ingest_paths([Path("../project/notes")], settings, show_bar=False)
    assert [f.status for f in report.files] == ["removed"] and Store(settings).count() == 0


def test_an_old_store_with_relative_sources_migrates_without_embedding(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "inference.md").write_text(NOTE_A)
    settings = fake_settings(tmp_path)
    ingest_paths([notes], settings, show_bar=False)
    store = Store(settings)
    canonical = (notes / "inference.md").resolve().as_posix()
    legacy = ["notes/inference.md", "../other/../notes/inference.md"]  # as two old runs named it
    for name in legacy:
        store.upsert(*renamed(store, canonical, name))
    store.delete(store.ids_of(canonical))
    assert set(Store(settings).files()) == set(legacy)
    monkeypatch.chdir(tmp_path)
    report = ingest_paths([notes], settings, show_bar=False)
    assert report.embedded == 0 and set(Store(settings).files()) == {canonical}
    assert Store(settings).count() == 2


def renamed(store: Store, source: str, name: str):
    """A source's chunks under another name, as upsert arguments (ids, texts, metadata, vectors)."""
    got = store.collection.get(ids=store.ids_of(source), include=["documents", "metadatas", "embeddings"])
    metas = [{**m, "source": name} for m in got["metadatas"]]
    ids = [chunk_key(name, m["content_hash"]) for m in metas]
    return ids, got["documents"], metas, [list(v) for v in got["embeddings"]]


def corrupt(store_path: Path) -> None:
    """Scribble over the start of Chroma's SQLite file."""
    with (store_path / "chroma.sqlite3").open("r+b") as handle:
        handle.write(b"not a database " * 64)


def test_a_corrupt_store_is_one_line_and_rebuild_recovers(tmp_path, notes_dir):
    env = cli_env(tmp_path)
    assert runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env).exit_code == 0
    corrupt(tmp_path / "store")
    for command in (["ask", "What does Serverless Inference do?"], ["docs"], ["ingest", str(notes_dir)]):
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "is damaged" in result.output and "tutor ingest --rebuild" in result.output
        assert len(result.output.strip().splitlines()) == 1
    rebuilt = runner.invoke(app, ["ingest", str(notes_dir), "--rebuild", "--quiet"], env=env)
    assert rebuilt.exit_code == 0 and "2 added" in rebuilt.output
    assert runner.invoke(app, ["docs"], env=env).output.count(".md") == 2


def test_an_unreachable_chroma_server_is_one_line(tmp_path):
    env = cli_env(tmp_path, TUTOR_CHROMA_HOST="127.0.0.1", TUTOR_CHROMA_PORT="9")
    result = runner.invoke(app, ["ask", "x"], env=env)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "cannot reach the Chroma server at http://127.0.0.1:9" in result.output


def test_a_store_path_that_is_a_file_is_one_line(tmp_path, notes_dir):
    (tmp_path / "store").write_text("not a folder")
    for command in (["ask", "x"], ["ingest", str(notes_dir)]):
        result = runner.invoke(app, command, env=cli_env(tmp_path))
        assert result.exit_code == 1 and "is a file, not a folder" in result.output
        assert len(result.output.strip().splitlines()) == 1


def read_only_run(store: Path, *args: str) -> subprocess.CompletedProcess:
    """`tutor ARGS` with the store bind-mounted read-only, in a private mount namespace."""
    mount = store.with_name("ro")
    mount.mkdir(exist_ok=True)
    script = (f'mount --bind "{store}" "{mount}" && mount -o remount,ro,bind "{mount}" && '
              f'TUTOR_STORE_PATH="{mount}" "{TUTOR}" "$@"')
    prefix = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    env = {**os.environ, **cli_env(store.parent)}
    return subprocess.run([*prefix, "sh", "-c", script, "sh", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_store_on_read_only_media_can_be_read_but_not_written(tmp_path, notes_dir):
    settings = fake_settings(tmp_path)
    ingest_paths([notes_dir], settings, show_bar=False)
    probe = subprocess.run(["unshare", "-m" if os.geteuid() == 0 else "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no mount namespace here: {probe.stderr.decode().strip()}")
    docs = read_only_run(settings.store_path, "docs")
    assert docs.returncode == 0 and docs.stdout.count(".md") == 2, docs.stderr
    written = read_only_run(tmp_path / "store", "ingest", str(notes_dir))
    assert written.returncode == 1 and "read-only" in written.stderr
    assert len(written.stderr.strip().splitlines()) == 1


def test_asks_during_a_rebuild_answer_from_the_old_store(tmp_path, notes_dir):
    settings = fake_settings(tmp_path)
    ingest_paths([notes_dir], settings, show_bar=False)
    started, release = threading.Event(), threading.Event()

    def slow_progress(done, total):  # holds the rebuild open after its first batch
        started.set()
        release.wait(60)

    rebuild = threading.Thread(target=ingest_paths, args=([notes_dir], settings),
                               kwargs={"rebuild": True, "show_bar": False, "progress": slow_progress})
    rebuild.start()
    assert started.wait(60)
    during = HybridRetriever(store=Store(settings)).search("Serverless Inference scales to zero", 3)
    other = subprocess.run([str(TUTOR), "docs"], env={**os.environ, **cli_env(tmp_path)},
                           capture_output=True, text=True, timeout=300)
    release.set()
    rebuild.join(60)
    assert during and other.returncode == 0 and other.stdout.count(".md") == 2
    assert Store(settings).count() == 3  # the rebuilt store, swapped in


def test_an_empty_question_is_rejected(tmp_path, notes_dir):
    env = cli_env(tmp_path)
    runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    result = runner.invoke(app, ["ask", "  \n "], env=env)
    assert result.exit_code == 1 and "the question is empty" in result.output
    with pytest.raises(EmptyQuestion):
        load_tutor(fake_settings(tmp_path)).ask("")


def test_html_title_script_and_escaped_markup_are_not_stored():
    page = ("<html><head><title>Notes<script>alert('t')</script></title></head><body>"
            "<h1>Endpoints</h1><p>Use &lt;b&gt;Serverless&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt; "
            "for idle traffic; 5 &lt; 6.</p></body></html>")
    loaded = load_html(page, "page.html", "page")
    text = loaded.parts[0].text
    assert loaded.title == "Notes" and "alert" not in loaded.title
    assert "<b>" not in text and "<script>" not in text and "Serverless" in text and "5 < 6" in text


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_sigterm_to_tutor_ui_stops_the_server(tmp_path):
    port = free_port()
    proc = subprocess.Popen([str(TUTOR), "ui", "--port", str(port), "--host", "127.0.0.1"],
                            env={**os.environ, **cli_env(tmp_path)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not port_open(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert port_open(port), "the UI never started"
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        deadline = time.monotonic() + 30
        while port_open(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not port_open(port), "the Streamlit server outlived `tutor ui`"
    finally:
        os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None or port_open(port) else None


HEAVY = ("torch", "sklearn", "sentence_transformers", "langsmith", "langchain_chroma",
         "langchain_core.tracers", "llama_cpp")
PROBE = ("import atexit, sys\n"  # `tutor ask` ends with the exit handlers, then os._exit
         f"atexit.register(lambda: print('heavy:', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr))\n"
         "from app.cli import main\nmain()")


@pytest.mark.parametrize("question", [
    "What is Asynchronous Inference for?",
    "Which option suits a 1 GB payload?\nA) Asynchronous Inference\nB) Kinesis\nC) Glue\nD) Route 53",
])
def test_a_cold_ask_imports_no_torch_sklearn_or_langchain_tracing(tmp_path, notes_dir, question):
    """The cold-start path (benchmarks/cold_start_bench.py): bundled models, a real store, and none
    of the imports that cost seconds (torch, scikit-learn, LangChain's tracing, llama.cpp)."""
    env = {**os.environ, "TUTOR_STORE_PATH": str(tmp_path / "store"), "TUTOR_NOTES_PATH": str(tmp_path / "n"),
           "TUTOR_LLM": "", "TUTOR_EMBEDDING_MODEL": ""}
    subprocess.run([str(TUTOR), "ingest", str(notes_dir), "--quiet"], env=env, check=True, timeout=300)
    run = subprocess.run([sys.executable, "-c", PROBE, "ask", question], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "[1]" in run.stdout and "heavy: []" in run.stderr


def test_a_finished_ask_exits_with_its_code_and_all_its_output(tmp_path, notes_dir):
    """`tutor ask` skips the interpreter's teardown (app/cli.exit_now): exit codes and output stay whole."""
    env = {**os.environ, **cli_env(tmp_path)}
    subprocess.run([str(TUTOR), "ingest", str(notes_dir), "--quiet"], env=env, check=True, timeout=300)
    answer = subprocess.run([str(TUTOR), "ask", "--json", "What is Asynchronous Inference for?"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0 and json.loads(answer.stdout)["citations"]
    empty = subprocess.run([str(TUTOR), "ask", " "], env=env, capture_output=True, text=True, timeout=120)
    assert empty.returncode == 1 and "the question is empty" in empty.stdout + empty.stderr
