"""Ingest benchmark: our cold ingest vs a raw SentenceTransformer.encode of the same chunks, a no-op
re-ingest and a one-file change, measured side by side in one run. Prints ratios, not absolutes.

Both models are warmed up with one encode first; cold ingests (each into a new store) and raw encodes
then alternate `--repeats` times and the medians are compared, so neither side pays the first-call
cost or gets a quieter moment of the machine.
Usage: .venv/bin/python benchmarks/ingest_bench.py [--quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import ROOT, timed  # noqa: E402


def cold_ingest(settings, store: Path) -> tuple[float, object]:
    """(seconds, report) of ingesting corpus/ into a store that does not exist yet."""
    from ingest.index import ingest_paths

    return timed(lambda: ingest_paths([Path("corpus")], settings.model_copy(update={"store_path": store}),
                                      show_bar=False))


def main() -> None:
    """Run the ingest measurements and print the table."""
    from sentence_transformers import SentenceTransformer

    from app.config import get_settings
    from app.providers import bundled_embedding_path, make_embeddings
    from ingest.index import ingest_paths
    from app.store.chroma import get_all, open_collection

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for benchmarks/run; same as the default")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    os.chdir(work)
    settings = get_settings(store_path=work / "store-0", corpus_path=Path("corpus"))
    model = SentenceTransformer(str(bundled_embedding_path()), device="cpu")
    for warm in (make_embeddings(settings).embed_documents, model.encode):
        warm(["warm up the encoder with one sentence"] * 8)
    colds, raws = [], []
    for n in range(args.repeats):
        seconds, report = cold_ingest(settings, work / f"store-{n}")
        colds.append(seconds)
        texts = get_all(open_collection(settings), ["documents"])["documents"]
        raws.append(timed(lambda: model.encode(texts, batch_size=64, normalize_embeddings=True))[0])
    cold, raw = statistics.median(colds), statistics.median(raws)
    noop, _ = timed(lambda: ingest_paths([Path("corpus")], settings, show_bar=False))
    note = next(Path("corpus").rglob("inference-options.md"))
    note.write_text(note.read_text() + "\n\nOne more sentence about endpoints for the benchmark.\n")
    one, _ = timed(lambda: ingest_paths([Path("corpus")], settings, show_bar=False))
    print_table(report.total_chunks, len(texts), cold, raw, noop, one, colds, raws)
    shutil.rmtree(work, ignore_errors=True)


def print_table(chunks: int, n_texts: int, cold: float, raw: float, noop: float, one: float,
                colds: list[float], raws: list[float]) -> None:
    """Ratios against their targets, then the absolute seconds behind them."""
    rows = [("cold ingest / raw encode of the same chunks", cold / raw, "<= 1.25"),
            ("no-op re-ingest / cold ingest", noop / cold, "<= 0.05"),
            ("one changed file / cold ingest", one / cold, "(info)")]
    print(f"ingest benchmark: {chunks} chunks, {n_texts} texts encoded raw; medians of {len(colds)} alternating runs")
    print(f"{'measure':48s} {'ratio':>7s}  target")
    for name, ratio, target in rows:
        print(f"{name:48s} {ratio:7.3f}  {target}")
    print(f"(absolute, this machine: cold {cold:.1f} s [{' '.join(f'{c:.1f}' for c in colds)}], raw encode "
          f"{raw:.1f} s [{' '.join(f'{r:.1f}' for r in raws)}], no-op {noop:.2f} s, one file {one:.2f} s)")


if __name__ == "__main__":
    main()
