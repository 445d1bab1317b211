"""Faithfulness of a saved eval run, read three ways (evals/README.md, session 6).

    TUTOR_STORE_PATH=<the store the run used> python scripts/faithfulness_readings.py \
        <out>/results.jsonl evals/datasets/<set>.jsonl

- old: every answer line is a claim about the cited notes (the metric before 2026-12-02);
- labels: an exam answer's layout labels stripped and "your notes say nothing" lines skipped;
- new: as labels, and the question's own words count as given (`evals.metrics.faithfulness`).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from app.config import get_settings
from app.rag.text import overlap
from app.store import Store
from evals.datasets import load_items
from evals.metrics import LABEL, SILENT, SUPPORT_THRESHOLD, answer_sentences, faithfulness


def supported(sentences: list[str], context: str) -> float:
    """Share of sentences whose words the context holds (1.0 for none)."""
    if not sentences:
        return 1.0
    return sum(overlap(s, context) >= SUPPORT_THRESHOLD for s in sentences) / len(sentences)


def readings(row: dict, context: str, question: str) -> dict[str, float]:
    """The three readings of one answer."""
    sentences = answer_sentences(row["result"]["answer"])
    claims = [LABEL.sub("", s) for s in sentences if not SILENT.search(s)]
    return {"old": supported(sentences, context), "labels": supported(claims, context),
            "new": faithfulness(row["result"]["answer"], [context], question)}


def main(results: Path, dataset: Path) -> None:
    """Print each reading's mean per question kind and over all scored answers."""
    store, items = Store(get_settings()), {i.id: i for i in load_items(dataset)}
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    for line in results.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "faithfulness" not in row["metrics"].get("ours", {}):
            continue
        ids = [c["chunk_id"] for c in row["result"]["citations"]]
        texts = store.texts(ids)
        context = "\n".join(texts.get(i, "") for i in ids)
        for name, value in readings(row, context, items[row["id"]].prompt()).items():
            scores[(row["kind"], name)].append(value)
            scores[("all", name)].append(value)
    for (kind, name), values in sorted(scores.items()):
        print(f"{kind:5s} {name:7s} n={len(values):3d} {sum(values) / len(values):.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
