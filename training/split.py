"""Deterministic train/tune split of the exam training banks, made per bank and per domain.

Two banks: `exam_bank/` (written from the exam guide and our notes; `make train` fits on it) and
`exam_bank_blind/` (written by helpers who saw only the exam guide, never our notes or the scorer, in
the outside sets' styles; only `python -m training.train --with-blind` trains on it, see
evals/README.md for why the shipped scorer does not). The split depends only on each item's id
(sha256) and is made per bank (the id's prefix, `tr` or `ob`), so adding one bank never moves an item
of the other between train and tune, nor does re-ordering files. Train fits the scorer; tune chooses
the model, calibrates the confidence and sets its threshold (evals/README.md). The blind bank sends a
quarter of its items to tune (set before any result): they are the questions written the way other
people write, so the tries that train on it also calibrate on them.

A third bank, `exam_bank_blind2/` (ids `oc-`, written like `exam_test` by helpers who saw only the
exam guide), is never fitted on: its halves are the calibration set (`tune`) and a check the choices
never see (`check`), see `calibration_halves`. The test sets are never read here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BANK = Path(__file__).parent / "exam_bank"
BLIND = Path(__file__).parent / "exam_bank_blind"
BLIND2 = Path(__file__).parent / "exam_bank_blind2"
TUNE_SHARE = {"tr": 0.15, "ob": 0.25, "oc": 0.5}  # per bank (id prefix)


def load_bank(folders: tuple[Path, ...] = (BANK,)) -> list[dict]:
    """Every item of the training banks (d1..d4.jsonl of each), in file order."""
    items = []
    for path in sorted(p for folder in folders for p in folder.glob("d*.jsonl")):
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def id_hash(item_id: str) -> str:
    """A stable, well-mixed ordering key for an item id."""
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()


def group_of(item: dict) -> tuple[str, str]:
    """(bank, domain): the bank is the id's prefix ('tr-d1-001' -> 'tr')."""
    return item["id"].split("-", 1)[0], item["domain"]


def split_bank(items: list[dict], share: dict[str, float] = TUNE_SHARE) -> tuple[list[dict], list[dict]]:
    """(train, tune): within each domain of each bank, the items whose id hashes lowest go to tune."""
    tune_ids: set[str] = set()
    for group in sorted({group_of(item) for item in items}):
        ordered = sorted((i for i in items if group_of(i) == group), key=lambda i: id_hash(i["id"]))
        tune_ids |= {i["id"] for i in ordered[:round(len(ordered) * share[group[0]])]}
    train = [i for i in items if i["id"] not in tune_ids]
    tune = [i for i in items if i["id"] in tune_ids]
    return train, tune


def calibration_halves() -> tuple[list[dict], list[dict]]:
    """(tune, check) of the calibration bank: half of each domain by id hash, set before any result."""
    check, tune = split_bank(load_bank((BLIND2,)))
    return tune, check


if __name__ == "__main__":
    train_items, tune_items = split_bank(load_bank())
    print(f"train {len(train_items)}, tune {len(tune_items)}")
