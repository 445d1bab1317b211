"""`make train` reads bank questions in worker processes: the same feature rows as one process."""

from __future__ import annotations

import numpy as np
import pytest

from app.rag.exam_memory import load_memory
from ingest.index import ingest_paths
from training import reading
from training.split import BANK, load_bank
from training.train import build_memory


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
