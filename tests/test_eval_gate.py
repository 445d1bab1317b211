"""CI gates: a dev-set subset and the held-out MC sets through the real pipeline (evals/gates.toml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.datasets import DEV_SET, EXAM_TEST2_SET, EXAM_TEST_SET, TEST_SET, load_items, pick_subset
from evals.report import check_gates, gate_section
from evals.run import run_eval
from ingest.index import ingest_paths
from tests.conftest import make_settings_at

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus_settings(tmp_path_factory):
    """Settings over a fresh ingest of the shipped corpus, run from its folder (sources 'corpus/...')."""
    root = tmp_path_factory.mktemp("gate")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # stored sources read 'corpus/...', as relevant_sources do
        settings = make_settings_at(root, corpus_path=Path("corpus"))
        ingest_paths([Path("corpus")], settings, show_bar=False)
        yield root, settings


def test_dev_subset_meets_the_gates(corpus_settings):
    root, settings = corpus_settings
    items = pick_subset(load_items(DEV_SET), per_kind=2)
    run = run_eval(settings, items, root / "eval", baselines=False, show_bar=False)
    assert (root / "eval" / "report.md").exists() and (root / "eval" / "results.jsonl").exists()
    failures = check_gates(run.summary["ours"])
    assert not failures, "; ".join(failures)


def test_held_out_mc_meets_its_gate(corpus_settings):
    root, settings = corpus_settings
    items = load_items(TEST_SET)
    assert len(items) == 60 and all(item.kind == "mc" for item in items)
    run = run_eval(settings, items, root / "held-out", baselines=False, show_bar=False,
                   gate_section=gate_section(TEST_SET))
    failures = check_gates(run.summary["ours"], section="held_out")
    assert not failures, "held-out: " + "; ".join(failures)
    assert run.gate_section == "held_out" and "Gates: all hold." in (root / "held-out" / "report.md").read_text()


@pytest.mark.parametrize("dataset, size", [(EXAM_TEST_SET, 180), (EXAM_TEST2_SET, 189)], ids=["exam_test", "exam_test2"])
def test_frozen_exam_test_sets_meet_their_gates(corpus_settings, dataset, size):
    root, settings = corpus_settings
    items = load_items(dataset)
    assert len(items) == size and all(item.kind == "mc" for item in items)
    assert {item.style for item in items} == {"short", "terse", "long"}
    section, out = gate_section(dataset), root / dataset.stem
    run = run_eval(settings, items, out, baselines=False, show_bar=False, gate_section=section)
    failures = check_gates(run.summary["ours"], section=section)
    assert not failures, f"{dataset.stem}: " + "; ".join(failures)
    report = (out / "report.md").read_text()
    assert run.gate_section == dataset.stem and "Gates: all hold." in report
    assert "Per item style" in report and (out / "reliability.png").exists()
    assert (out / "retrieval.png").exists() == any(item.relevant_sources for item in items)
    assert all(r["result"]["confidence"] is not None and not r["result"]["refused"] for r in run.rows)
