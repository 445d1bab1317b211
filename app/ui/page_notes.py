"""Notes page: upload your own notes, ingest them with a progress bar, list and delete documents."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.rag.result import shown_source
from app.store import Store, StoreBusy, StoreMismatch
from app.ui.common import refresh_store, settings
from app.ui.uploads import ALLOWED, MAX_UPLOAD_MB, UploadError, save_upload
from ingest.index import ingest_paths


def save_uploads(files, folder) -> tuple[list, list[str]]:
    """Save uploaded files into the notes folder; returns (saved paths, one-line errors)."""
    saved, errors = [], []
    for upload in files:
        try:
            saved.append(save_upload(folder, upload.name, upload.getvalue()))
        except UploadError as exc:
            errors.append(str(exc))
    return saved, errors


def run_ingest(paths, cfg) -> None:
    """Ingest with a progress bar and show one row per file."""
    bar = st.progress(0.0, text="Embedding ...")
    try:
        report = ingest_paths(paths, cfg, show_bar=False,
                              progress=lambda done, total: bar.progress(done / max(total, 1),
                                                                        text=f"Embedded {done}/{total} chunks"))
    except (StoreBusy, StoreMismatch) as exc:
        st.error(str(exc))
        return
    bar.progress(1.0, text="Done")
    refresh_store()
    st.success(report.summary())
    rows = [{"file": shown_source(r.source), "result": r.status, "chunks": r.chunks, "reason": r.reason or ""}
            for r in report.files]
    st.dataframe(rows, hide_index=True)


def upload_section(cfg) -> None:
    """Several files at once into the notes folder, then ingest them."""
    st.subheader("Add your notes")
    st.caption(f"Markdown, text, PDF or HTML, up to {MAX_UPLOAD_MB} MB each. Files are kept in "
               f"{cfg.notes_path}, outside the shipped corpus.")
    files = st.file_uploader("Notes", type=sorted(t.lstrip(".") for t in ALLOWED),
                             accept_multiple_files=True, key="uploads")
    if files and st.button("Ingest uploaded notes"):
        saved, errors = save_uploads(files, cfg.notes_path)
        for line in errors:
            st.error(line)
        if saved:
            run_ingest(saved, cfg)


def remove_uploaded_file(cfg, source: str) -> None:
    """Delete the file of an uploaded note too, so re-ingesting does not bring it back."""
    path = Path(source).resolve()
    if path.is_file() and path.parent == cfg.notes_path.resolve():
        path.unlink()


def documents_section(cfg) -> None:
    """Every document in the store with its chunk count and domain; delete one; re-ingest all."""
    st.subheader("Documents in the store")
    store = Store(cfg)
    docs = store.documents()
    st.dataframe([{"source": d["source"], "chunks": d["chunks"], "domain": d.get("domain") or "-"}
                  for d in docs], hide_index=True)
    if docs:
        victim = st.selectbox("Document", [d["source"] for d in docs], key="victim")
        if st.button("Delete document"):
            removed = store.delete_source(victim)
            remove_uploaded_file(cfg, victim)
            refresh_store()
            st.success(f"Removed {victim} ({removed} chunks)")
    if st.button("Re-ingest all"):
        run_ingest([p for p in (cfg.corpus_path, cfg.notes_path) if p.exists()], cfg)


def render() -> None:
    """The notes page."""
    st.title("Your notes")
    cfg = settings()
    upload_section(cfg)
    documents_section(cfg)


if __name__ == "__main__":
    render()
