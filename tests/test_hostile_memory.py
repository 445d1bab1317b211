"""Peak memory of real `tutor ingest` runs on huge inputs, measured in a subprocess.

The launcher in tests/hostile.py reports the ingest's own peak RSS (RUSAGE_CHILDREN of a small
parent). RSS_LIMIT_MB is deliberately generous: measured on 2 cores, one small note peaks at
~700 MB (torch and the bundled model), 2,000 PDF pages at ~840 MB.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.hostile import (GOOD_NOTE, MB, run_measured, write_big_text, write_many_pages_pdf,
                           write_padded_pdf, write_truncated_pdf)

TUTOR = Path(sys.executable).with_name("tutor")
RSS_LIMIT_MB = 2500


def tutor_env(root: Path, **extra) -> dict:
    """Environment for a `tutor ingest` subprocess whose store lives under root."""
    return {**os.environ, "TUTOR_STORE_PATH": str(root / "store"), "TUTOR_NOTES_PATH": str(root / "none"),
            "TUTOR_CORPUS_PATH": str(root / "none"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False", **extra}


def measure_ingest(root: Path, folder: Path, timeout: float, **extra) -> tuple[str, str, float]:
    """Run `tutor ingest folder`; return stdout, stderr and peak RSS (MB), printed for the record."""
    code, out, err, peak = run_measured([str(TUTOR), "ingest", str(folder), "--quiet"], root,
                                        tutor_env(root, **extra), timeout)
    assert code == 0, err
    print(f"\n{folder.name}: peak RSS {peak:.0f} MB; {out.strip()}")
    return out, err, peak


def good_folder(root: Path) -> Path:
    """A notes folder holding the good note (so the embedding model is really loaded)."""
    folder = root / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_NOTE)
    return folder


@pytest.mark.slow
def test_fifty_mb_text_and_pdf_in_bounded_memory(tmp_path):
    """The text file is refused from its size; the 50 MB PDF (one page of text) is ingested."""
    folder = good_folder(tmp_path)
    size = write_big_text(folder / "big.txt", 50).stat().st_size / MB
    write_padded_pdf(folder / "padded.pdf", 50)
    write_truncated_pdf(folder / "truncated.pdf")
    out, err, peak = measure_ingest(tmp_path, folder, 300)
    skipped = [line for line in err.splitlines() if not line.startswith("Loading weights")]  # model bar
    assert skipped[0] == ("skipped notes/big.txt: too much text: "
                          f"{size:.1f} MB is over the 10 MB limit (TUTOR_MAX_TEXT_MB)")
    assert re.fullmatch(r"skipped notes/truncated\.pdf: corrupt or unreadable PDF \(\w+\)", skipped[1])
    assert len(skipped) == 2  # and nothing else: pypdf's own warnings stay off stderr
    assert "2 added" in out and "2 failed" in out and "2 chunks in store" in out
    assert peak < RSS_LIMIT_MB


@pytest.mark.long  # 25-60 s on 2 cores; loading all 2,000 pages is in test_hostile.py's fast run
def test_two_thousand_page_pdf_is_ingested_in_bounded_memory(tmp_path):
    folder = good_folder(tmp_path)
    write_many_pages_pdf(folder / "pages.pdf", 2000)
    out, _, peak = measure_ingest(tmp_path, folder, 1200)
    assert "2 added" in out and "2001 chunks in store" in out and peak < RSS_LIMIT_MB


@pytest.mark.long
def test_fifty_mb_text_with_a_raised_limit_stays_bounded(tmp_path):
    """Loader, chunker, Chroma and BM25 at 50 MB of text; fake vectors stand in for the model."""
    folder = good_folder(tmp_path)
    write_big_text(folder / "big.txt", 50)
    out, _, peak = measure_ingest(tmp_path, folder, 3000, TUTOR_MAX_TEXT_MB="60",
                                  TUTOR_EMBEDDING_MODEL="fake")
    chunks = int(re.search(r"(\d+) chunks in store", out)[1])
    assert "2 added" in out and chunks > 40_000 and peak < RSS_LIMIT_MB


@pytest.mark.long
def test_ten_thousand_tiny_files_with_the_real_model(tmp_path):
    folder = good_folder(tmp_path)
    for n in range(10_000):
        (folder / f"tiny-{n:05d}.md").write_text(f"# Tiny {n}\n\nTiny note number {n} about Athena.\n")
    out, _, peak = measure_ingest(tmp_path, folder, 3000)
    assert "10001 added" in out and "10001 chunks in store" in out and peak < RSS_LIMIT_MB


@pytest.mark.long
def test_a_megabyte_of_prose_with_the_real_model(tmp_path):
    """Full-size chunks are the embedding model's worst case for memory (~960 chunks, minutes)."""
    folder = good_folder(tmp_path)
    write_big_text(folder / "prose.txt", 1)
    out, _, peak = measure_ingest(tmp_path, folder, 3000)
    assert "2 added" in out and peak < RSS_LIMIT_MB
