"""Ingest round trip on a real Chroma store with the real bundled embedding model."""

from __future__ import annotations

import pytest

from ingest.index import ingest_paths
from app.store.chroma import open_collection, stored_files
from tests.pdfs import write_encrypted_pdf, write_pdf

pytestmark = pytest.mark.slow


def status_of(report) -> dict[str, str]:
    return {f.source.rsplit("/", 1)[-1]: f.status for f in report.files}


def chunk_ids(settings) -> list[str]:
    return open_collection(settings).get(include=[])["ids"]


def test_round_trip_add_unchanged_update_delete(in_tmp, notes_dir, make_settings):
    settings = make_settings()
    first = ingest_paths([notes_dir], settings, show_bar=False)
    assert status_of(first) == {"inference.md": "added", "streaming.md": "added"}
    ids_before = chunk_ids(settings)
    assert first.embedded == len(ids_before) == first.total_chunks > 0

    again = ingest_paths([notes_dir], settings, show_bar=False)
    assert again.embedded == 0 and "nothing to embed" in again.summary()
    assert sorted(chunk_ids(settings)) == sorted(ids_before)

    note = notes_dir / "inference.md"
    note.write_text(note.read_text().replace("scales to zero", "can scale down to zero"))
    changed = ingest_paths([notes_dir], settings, show_bar=False)
    assert status_of(changed)["inference.md"] == "updated"
    assert changed.embedded == 1  # only the edited section is embedded again
    docs = open_collection(settings).get(where={"source": (notes_dir / "inference.md").resolve().as_posix()},
                                         include=["documents"])["documents"]
    assert any("can scale down to zero" in d for d in docs)
    assert not any("scales to zero" in d for d in docs)

    (notes_dir / "streaming.md").unlink()
    removed = ingest_paths([notes_dir], settings, show_bar=False)
    assert status_of(removed)["streaming.md"] == "removed"
    assert set(stored_files(open_collection(settings))) == {(notes_dir / "inference.md").resolve().as_posix()}


def test_metadata_and_deterministic_ids(in_tmp, notes_dir, make_settings):
    settings = make_settings()
    ingest_paths([notes_dir], settings, show_bar=False)
    got = open_collection(settings).get(include=["metadatas"])
    meta = next(m for m in got["metadatas"] if m["heading"].endswith("Serverless Inference"))
    assert meta["source"] == (notes_dir / "inference.md").resolve().as_posix() and meta["domain"] == "D3"
    assert meta["title"] == "Inference options" and meta["tasks"] == "3.1"
    assert {"chunk_index", "content_hash", "file_hash"} <= set(meta)
    ids = sorted(got["ids"])
    ingest_paths([notes_dir], settings, rebuild=True, show_bar=False)
    assert sorted(chunk_ids(settings)) == ids  # same content, same ids, no duplicates


def test_bad_files_are_reported_and_lose_nothing(in_tmp, notes_dir, make_settings):
    settings = make_settings()
    ingest_paths([notes_dir], settings, show_bar=False)
    before = sorted(chunk_ids(settings))
    (notes_dir / "binary.md").write_bytes(b"\x00\xff\x00garbage")
    (notes_dir / "latin.txt").write_bytes("r\xe9sum\xe9".encode("latin-1"))
    (notes_dir / "corrupt.pdf").write_bytes(b"%PDF-1.7 broken")
    write_encrypted_pdf(notes_dir / "locked.pdf", "secret text")
    write_pdf(notes_dir / "blank.pdf", [""])
    write_pdf(notes_dir / "good.pdf", ["Glue DataBrew offers visual data preparation.",
                                      "Amazon EMR runs Spark at scale."])
    report = ingest_paths([notes_dir], settings, show_bar=False)
    reasons = {f.source.rsplit("/", 1)[-1]: f.reason for f in report.files if f.status == "failed"}
    assert set(reasons) == {"binary.md", "latin.txt", "corrupt.pdf", "locked.pdf", "blank.pdf"}
    assert "encrypted" in reasons["locked.pdf"] and "UTF-8" in reasons["latin.txt"]
    assert status_of(report)["good.pdf"] == "added"
    assert report.count("failed") == 5 and "5 failed" in report.summary()
    after = open_collection(settings).get(include=["metadatas"])
    assert set(before) <= set(after["ids"])
    pages = {m.get("page") for m in after["metadatas"] if m["source"].endswith("good.pdf")}
    assert pages == {1, 2}


def test_get_all_pages_through_a_large_collection(make_settings):
    from app.store.chroma import get_all, open_collection

    collection = open_collection(make_settings(embedding_model="fake"))
    collection.add(ids=[f"c{i}" for i in range(12)], documents=[f"doc {i}" for i in range(12)],
                   embeddings=[[float(i), 1.0] for i in range(12)])
    got = get_all(collection, ["documents"], page=5)
    assert sorted(got["ids"]) == sorted(f"c{i}" for i in range(12)) and len(got["documents"]) == 12
