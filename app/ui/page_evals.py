"""Evals page: run a dataset (shipped or uploaded) with a progress bar, read the report, compare runs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import streamlit as st

from app.ui.common import model_choice, settings
from evals.datasets import DEV_SET, DatasetError, load_items
from evals.run import run_eval

METRICS = ["hit_rate", "mrr", "ndcg", "mc_accuracy", "term_recall", "faithfulness", "citation_validity",
           "refusal_precision", "refusal_recall", "false_refusal", "leaks", "latency_p50", "latency_p95"]


def runs_dir() -> Path:
    """Where eval runs of the UI are kept (one folder per run)."""
    return settings().store_path.parent / "evals"


def past_runs() -> list[Path]:
    """Finished runs, newest first."""
    folder = runs_dir()
    return sorted((p for p in folder.glob("*") if (p / "summary.json").exists()), reverse=True) if folder.exists() else []


def choose_items():
    """The items to run: the shipped dev set or an uploaded JSONL file in the same schema."""
    source = st.radio("Dataset", ["Shipped dev set", "Upload a JSONL file"], horizontal=True)
    path = DEV_SET
    if source != "Shipped dev set":
        upload = st.file_uploader("Dataset (JSONL)", type=["jsonl"], key="dataset")
        if not upload:
            return None
        path = runs_dir() / "uploaded.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.getvalue())
    try:
        return load_items(path)
    except DatasetError as exc:
        st.error(str(exc))
        return None


def run_now(items, limit: int, baselines: bool) -> Path | None:
    """Run the eval with a progress bar; returns the run folder."""
    out = runs_dir() / time.strftime("%Y%m%d-%H%M%S")
    bar = st.progress(0.0, text="Scoring ...")
    try:
        run_eval(settings(), items[:limit], out, model_choice(), baselines, show_bar=False,
                 progress=lambda done, total: bar.progress(done / total, text=f"{done}/{total} items"))
    except Exception as exc:  # provider or store problems: one line, not a trace
        st.error(str(exc))
        return None
    return out


def summary_rows(summary: dict) -> list[dict]:
    """One row per system with the headline metrics."""
    return [{"system": system} | {m: round(v[m], 3) for m in METRICS if m in v} for system, v in summary.items()]


def show_run(folder: Path, previous: Path | None) -> None:
    """Tables, plots and the comparison with the previous run."""
    data = json.loads((folder / "summary.json").read_text())
    st.subheader(f"Run {folder.name}: {data['items']} items, model {data['model']}, {data['seconds']:.0f} s")
    st.dataframe(summary_rows(data["summary"]), hide_index=True)
    for image in ("domains.png", "retrieval.png"):
        if (folder / image).exists():
            st.image(str(folder / image))
    if previous is not None:
        before = json.loads((previous / "summary.json").read_text())["summary"].get("ours", {})
        now = data["summary"].get("ours", {})
        st.subheader(f"Compared with run {previous.name}")
        st.dataframe([{"metric": m, "previous": round(before[m], 3), "now": round(now[m], 3),
                       "change": round(now[m] - before[m], 3)} for m in METRICS if m in now and m in before],
                     hide_index=True)
    with st.expander("Full report (report.md)"):
        st.text((folder / "report.md").read_text())


def render() -> None:
    """The evals page."""
    st.title("Evals")
    items = choose_items()
    if items:
        limit = st.number_input("Items to run", 1, len(items), min(len(items), 20))
        baselines = st.checkbox("Score the baselines too (slower)", value=False)
        if st.button("Run eval"):
            run_now(items, int(limit), baselines)
    runs = past_runs()
    if runs:
        show_run(runs[0], runs[1] if len(runs) > 1 else None)


if __name__ == "__main__":
    render()
