"""`make train` reads bank questions in worker processes (the same feature rows as one process) and
reuses the vectors of an earlier bank memory for the texts it already holds."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from app.rag.exam_memory import load_memory
from ingest.index import ingest_paths
from training import reading
from training.split import BANK, load_bank
from training.reuse import SPOT, reusable, stored_vectors
from training.train import build_memory, row_keys


@pytest.mark.slow
def test_reading_in_workers_gives_the_rows_one_process_gives(tmp_path, notes_dir, make_settings, monkeypatch):
    store = tmp_path / "store"
    ingest_paths([notes_dir], make_settings(store_path=store), show_bar=False)
    items = [i for i in load_bank((BANK,)) if i["domain"] == "D3"][:4]
    vectors = reading.embed_banks(reading.open_tutor(store), items, [])
    memory_file = tmp_path / "exam_memory.npz"
    build_memory(items, vectors).save(memory_file)

    tutor = reading.open_tutor(store)
    tutor.scorer.memory = load_memory(memory_file)
    reading.serve_from(tutor, items, vectors)
    alone = [reading.read_question(tutor, item) for item in items]
    monkeypatch.setattr(reading, "CHUNK", 1)  # both workers get questions
    workers = reading.read_all(store, memory_file, items, vectors)

    assert len(workers) == len(items)
    for one, other in zip(alone, workers):
        assert np.array_equal(one.features, other.features) and np.array_equal(one.right, other.right)
        assert one.picks == other.picks and one.pairs == other.pairs


class UnitFake(DeterministicFakeEmbedding):
    """Hash vectors of unit length, as the bundled model gives; counts the texts it embeds."""

    embedded: int = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return [list(np.asarray(v) / np.linalg.norm(v)) for v in super().embed_documents(texts)]


def fake_tutor(embeddings) -> SimpleNamespace:
    """Just the path `embed_banks` takes to the embedding model."""
    return SimpleNamespace(scorer=SimpleNamespace(hand=SimpleNamespace(index=SimpleNamespace(embeddings=embeddings))))


def test_a_second_training_run_reuses_the_memory_vectors_and_embeds_only_new_texts(tmp_path):
    items = load_bank((BANK,))[:6]
    read, remembered = items[:2], items[2:]
    first = UnitFake(size=32)
    vectors = reading.embed_banks(fake_tutor(first), read, remembered)
    memory_file = tmp_path / "exam_memory.npz"
    build_memory(items, vectors).save(memory_file, **row_keys("m", items))

    changed = [dict(remembered[0], question=remembered[0]["question"] + " (edited)")] + remembered[1:]
    again = UnitFake(size=32)
    reused = reading.embed_banks(fake_tutor(again), read, changed, stored_vectors(memory_file, "m"), "m")
    full = reading.embed_banks(fake_tutor(UnitFake(size=32)), read, changed)

    texts = [len(reading.memory_texts(reading.parse_item(i))[1]) for i in changed]
    read_texts = sum(len(reading.item_texts(reading.parse_item(i))[1]) for i in read)
    # the edited question is embedded again; the other three come from the file, plus the spot check
    assert again.embedded == read_texts + texts[0] + min(SPOT, sum(texts[1:]))
    for one, other in zip(reused, full):
        assert one.keys() == other.keys()
        assert all(np.abs(one[k] - other[k]).max() < 1e-3 for k in one)  # one float16 step at most


def test_memory_vectors_of_another_model_or_name_are_not_reused(tmp_path):
    items = load_bank((BANK,))[:3]
    vectors = reading.embed_banks(fake_tutor(UnitFake(size=32)), [], items)
    memory_file = tmp_path / "exam_memory.npz"
    build_memory(items, vectors).save(memory_file, **row_keys("m", items))

    assert stored_vectors(memory_file, "another") == {}
    assert stored_vectors(tmp_path / "none.npz", "m") == {}
    layouts = [reading.memory_texts(reading.parse_item(i)) for i in items]
    def shifted(texts):  # another model published under the same name
        return [np.roll(v, 1) for v in UnitFake(size=32).embed_documents(texts)]

    assert reusable(layouts, stored_vectors(memory_file, "m"), "m", shifted) == {}
    assert len(reusable(layouts, stored_vectors(memory_file, "m"), "m", UnitFake(size=32).embed_documents)) == \
        sum(len(texts) for _, texts in layouts)
