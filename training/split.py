"""Deterministic train/tune split of the exam training bank: 15% of each domain goes to tune.

The split depends only on each item's id (sha256), so it never changes when items are added
elsewhere or files are re-ordered. Train fits the scorer; tune chooses the model, calibrates the
confidence and sets its threshold (evals/README.md). The test sets are never read here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BANK = Path(__file__).parent / "exam_bank"
TUNE_SHARE = 0.15


def load_bank(folder: Path = BANK) -> list[dict]:
    """Every item of the training bank (d1..d4.jsonl), in file order."""
    items = []
    for path in sorted(folder.glob("d*.jsonl")):
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def id_hash(item_id: str) -> str:
    """A stable, well-mixed ordering key for an item id."""
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()


def split_bank(items: list[dict], share: float = TUNE_SHARE) -> tuple[list[dict], list[dict]]:
    """(train, tune): within each domain, the items whose id hashes lowest go to tune."""
    tune_ids: set[str] = set()
    for domain in sorted({item["domain"] for item in items}):
        ordered = sorted((i for i in items if i["domain"] == domain), key=lambda i: id_hash(i["id"]))
        tune_ids |= {i["id"] for i in ordered[:round(len(ordered) * share)]}
    train = [i for i in items if i["id"] not in tune_ids]
    tune = [i for i in items if i["id"] in tune_ids]
    return train, tune


if __name__ == "__main__":
    train_items, tune_items = split_bank(load_bank())
    print(f"train {len(train_items)}, tune {len(tune_items)}")
