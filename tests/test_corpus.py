"""The shipped corpus: valid notes, every task statement covered twice, no near-duplicates."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

from ingest.load import LoadError, load_file, parse_front_matter

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(ROOT / "scripts"))

import build_coverage  # noqa: E402

NOTES = sorted(p for p in CORPUS.rglob("*.md") if p.name.lower() != "readme.md")
KEYS = {"title", "domain", "tasks", "services", "summary"}
DOMAINS = {"D1", "D2", "D3", "D4", "core"}


def body_words(path: Path) -> list[str]:
    """Words of a note's body (front matter excluded)."""
    return parse_front_matter(path.read_text(encoding="utf-8"))[1].split()


def test_corpus_has_at_least_forty_notes():
    assert len(NOTES) >= 40, f"only {len(NOTES)} notes"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_note_parses_with_valid_front_matter(path):
    meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
    assert set(meta) == KEYS, f"front matter keys {sorted(meta)}"
    assert meta["domain"] in DOMAINS
    assert isinstance(meta["tasks"], list) and isinstance(meta["services"], list)
    assert build_coverage.tasks_of(meta) <= set(build_coverage.TASKS)
    assert isinstance(meta["summary"], str) and meta["summary"].strip()
    assert 300 <= len(body.split()) <= 1500, f"{len(body.split())} words"
    assert load_file(path, path.as_posix(), 10_000_000).title == meta["title"]


def test_every_task_statement_is_covered_by_two_notes():
    counts = {task: 0 for task in build_coverage.TASKS}
    for path in NOTES:
        for task in build_coverage.tasks_of(parse_front_matter(path.read_text())[0]):
            counts[task] += 1
    thin = {task: n for task, n in counts.items() if n < 2}
    assert not thin, f"task statements with fewer than two notes: {thin}"


def shingles(words: list[str], size: int = 5) -> set[str]:
    """Word 5-grams, lower-cased."""
    lowered = [w.lower() for w in words]
    return {" ".join(lowered[i:i + size]) for i in range(len(lowered) - size + 1)}


def test_no_two_notes_are_near_duplicates():
    grams = {p: shingles(body_words(p)) for p in NOTES}
    for a, b in itertools.combinations(NOTES, 2):
        jaccard = len(grams[a] & grams[b]) / max(1, len(grams[a] | grams[b]))
        assert jaccard < 0.2, f"{a.name} and {b.name} share {jaccard:.0%} of their 5-grams"


def test_coverage_readme_is_up_to_date():
    assert (CORPUS / "README.md").read_text(encoding="utf-8") == build_coverage.render(), \
        "run scripts/build_coverage.py"


def test_cheat_sheet_pdfs_ship_and_load():
    pdfs = sorted((CORPUS / "cheatsheets").glob("*.pdf"))
    assert {p.stem.split("-")[0] for p in pdfs} >= {"d1", "d2", "d3", "d4"}
    for pdf in pdfs:
        try:
            loaded = load_file(pdf, pdf.as_posix(), 10_000_000)
        except LoadError as exc:
            pytest.fail(f"{pdf.name}: {exc}")
        assert loaded.domain in DOMAINS and "cheat sheet" in loaded.title
        assert all(part.page for part in loaded.parts)
