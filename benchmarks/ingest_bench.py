"""Ingest benchmark: our cold ingest vs a raw SentenceTransformer.encode of the same chunks, a no-op
re-ingest and a one-file change, measured side by side in one run. Prints ratios, not absolutes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    """Run the three ingest measurements and print the table."""
    from sentence_transformers import SentenceTransformer

    from app.config import get_settings
    from app.providers import bundled_embedding_path, make_embeddings
    from ingest.index import ingest_paths
    from ingest.store import open_collection

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    os.chdir(work)
    settings = get_settings(store_path=work / "store", corpus_path=Path("corpus"))
    make_embeddings(settings)  # load the model before timing, as the raw encode below does
    cold, report = timed(lambda: ingest_paths([Path("corpus")], settings, show_bar=False))
    texts = open_collection(settings).get(include=["documents"])["documents"]
    model = SentenceTransformer(str(bundled_embedding_path()), device="cpu")
    raw, _ = timed(lambda: model.encode(texts, batch_size=64, normalize_embeddings=True))
    noop, _ = timed(lambda: ingest_paths([Path("corpus")], settings, show_bar=False))
    note = next(Path("corpus").rglob("inference-options.md"))
    note.write_text(note.read_text() + "\n\nOne more sentence about endpoints for the benchmark.\n")
    one, _ = timed(lambda: ingest_paths([Path("corpus")], settings, show_bar=False))
    rows = [("cold ingest / raw encode of the same chunks", cold / raw, "<= 1.25"),
            ("no-op re-ingest / cold ingest", noop / cold, "<= 0.05"),
            ("one changed file / cold ingest", one / cold, "(info)")]
    print(f"ingest benchmark: {report.total_chunks} chunks, {len(texts)} texts encoded raw")
    print(f"{'measure':48s} {'ratio':>7s}  target")
    for name, ratio, target in rows:
        print(f"{name:48s} {ratio:7.3f}  {target}")
    print(f"(absolute, this machine: cold {cold:.1f} s, raw encode {raw:.1f} s, no-op {noop:.2f} s, one file {one:.2f} s)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
