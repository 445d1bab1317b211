"""The exam training banks and the deterministic halves of the calibration bank.

Four banks, all written in our own words (evals/README.md says who wrote which and what each decided):
- `exam_bank/` (ids `tr-`, written from the exam guide and our notes) and `exam_bank_blind/` (ids
  `ob-`, by helpers who saw only the exam guide, in the outside sets' styles): `make train` fits the
  scorer on both and builds its bank memory from both.
- `exam_bank_blind2/` (ids `oc-`, by helpers who saw only the exam guide, in `exam_test`'s style mix)
  is never fitted on. Its halves (`calibration_halves`) are the tune set, which chooses the model and
  calibrates its confidence, and a check that no choice sees.
- `exam_bank_blind3/` (the memory bank, ids `od-` to `om-`, by helpers who saw only the exam guide)
  goes into the bank memory only: never fitted on, never read through the answering pipeline.

Splits depend only on each item's id (sha256) and are made per bank and per domain, so adding a bank
never moves another bank's items and re-ordering files changes nothing. `split_bank` also gives the
older train/tune splits of the first two banks (15 % and 25 % tune) that earlier scorers used. The
test sets are never read here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BANK = Path(__file__).parent / "exam_bank"
BLIND = Path(__file__).parent / "exam_bank_blind"
BLIND2 = Path(__file__).parent / "exam_bank_blind2"
MEMORY_BANK = Path(__file__).parent / "exam_bank_blind3"
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
