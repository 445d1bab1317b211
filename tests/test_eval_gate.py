"""CI gate: a deterministic dev-set subset through the real pipeline must meet evals/gates.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.datasets import DEV_SET, load_items, pick_subset
from evals.report import check_gates
from evals.run import run_eval
from ingest.index import ingest_paths
from tests.conftest import make_settings_at

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def test_dev_subset_meets_the_gates(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)  # stored sources read 'corpus/...', as relevant_sources do
    settings = make_settings_at(tmp_path, corpus_path=Path("corpus"))
    ingest_paths([Path("corpus")], settings, show_bar=False)
    items = pick_subset(load_items(DEV_SET), per_kind=2)
    run = run_eval(settings, items, tmp_path / "eval", baselines=False, show_bar=False)
    assert (tmp_path / "eval" / "report.md").exists() and (tmp_path / "eval" / "results.jsonl").exists()
    failures = check_gates(run.summary["ours"])
    assert not failures, "; ".join(failures)
