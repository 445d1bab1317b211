"""The sentence-vector cache beside the store: reused across processes, never stale, pruned by ingest."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from app.cli import app
from app.rag.evidence import SentenceIndex
from app.rag.search import Hit, dedupe, near_duplicate
from app.store import Store
from app.store.vectors import VectorCache
from tests.test_exam import BagOfWords
from tests.test_robustness import cli_env, fake_settings

CHUNK = "Batch Transform scores a whole dataset. It needs no persistent endpoint. It ends when done."


class Counting(BagOfWords):
    """A hash embedding that counts the texts it embeds."""

    def __init__(self):
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


def test_a_second_process_reads_the_vectors_instead_of_embedding(tmp_path):
    cache = VectorCache(tmp_path / "vectors", "model-a")
    first, second = Counting(), Counting()
    hit = Hit("c1", CHUNK, {})
    sentences, vectors = SentenceIndex(first, cache=cache).sentences(hit)
    again, cached = SentenceIndex(second, cache=cache).sentences(hit)
    assert first.embedded == len(sentences) >= 2 and second.embedded == 0
    assert again == sentences and np.allclose(cached, vectors, atol=1e-7)  # kept as float32, as the model gives them
    units, _ = SentenceIndex(second, cache=cache).units(hit)
    assert second.embedded == len(units)  # units are their own kind of entry


def test_another_model_or_text_never_reads_stale_vectors(tmp_path):
    cache = VectorCache(tmp_path / "vectors", "model-a")
    cache.put("sentences", CHUNK, np.ones((3, 4)))
    assert cache.get("sentences", CHUNK, 3) is not None
    assert VectorCache(tmp_path / "vectors", "model-b").get("sentences", CHUNK, 3) is None
    assert cache.get("sentences", CHUNK + " More.", 3) is None and cache.get("sentences", CHUNK, 4) is None
    cache.path("sentences", CHUNK).write_bytes(b"junk")
    assert cache.get("sentences", CHUNK, 3) is None


def test_read_only_folder_keeps_nothing_and_fails_nothing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        cache = VectorCache(folder / "vectors", "m")
        cache.put("sentences", CHUNK, np.ones((3, 4)))  # no error
        assert cache.get("sentences", CHUNK, 3) is None or folder.stat().st_uid == 0
    finally:
        folder.chmod(0o700)


def test_ingest_prunes_the_vectors_of_deleted_notes(tmp_path, notes_dir):
    env = cli_env(tmp_path)
    runner = CliRunner()
    runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    runner.invoke(app, ["ask", "What does Kinesis Data Streams keep?"], env=env)
    runner.invoke(app, ["ask", "What does Asynchronous Inference do?"], env=env)
    folder = tmp_path / "store" / "vectors"
    before = set(folder.iterdir())
    assert before
    (notes_dir / "streaming.md").unlink()
    result = runner.invoke(app, ["ingest", str(notes_dir), "--quiet"], env=env)
    assert result.exit_code == 0, result.output
    texts = [doc.page_content for doc in Store(fake_settings(tmp_path)).all_chunks()]
    keep = {VectorCache(folder, "fake").digest(t) for t in texts}
    after = set(folder.iterdir())
    assert after < before and all(f.name.split(".")[0] in keep for f in after)


def test_dedupe_drops_near_duplicates_as_the_plain_jaccard_would():
    rng = np.random.default_rng(0)
    vocab = [f"w{n}" for n in range(40)]
    for _ in range(300):  # the size shortcut never changes a verdict
        a, b = (set(rng.choice(vocab, size=rng.integers(0, 30))) for _ in range(2))
        plain = (len(a & b) / len(a | b) if a or b else 0.0) >= 0.9
        assert near_duplicate(a, b, 0.9) == plain
    text = " ".join(vocab[:20])
    hits = [Hit("a", text, {"n": 1}), Hit("b", text + " w30", {"n": 2}), Hit("c", " ".join(vocab[20:]), {"n": 3})]
    assert [h.metadata["n"] for h in dedupe(hits)] == [1, 3]  # the better-ranked copy stays
