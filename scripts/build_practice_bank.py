#!/usr/bin/env python3
"""Rebuild app/study/data/questions.jsonl: the practice bank that ships with the app.

Keeps every item already in the bank (their ids are the keys of learners' review history) and adds
PER_TASK items per task statement from our exam training bank (training/exam_bank/*.jsonl, written
by us in exam style), chosen by a hash of the id so the choice never depends on file order. Items
keep their ids. Run from the repository root: `.venv/bin/python scripts/build_practice_bank.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "app" / "study" / "data" / "questions.jsonl"
TRAINING = ROOT / "training" / "exam_bank"
PER_TASK = 30
KEYS = ("id", "domain", "task", "question", "choices", "answer")


def read_jsonl(path: Path) -> list[dict]:
    """The items of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def shipped_item(item: dict) -> dict:
    """A training item in the bank's shape (sources named as in the bank)."""
    return {**{k: item[k] for k in KEYS}, "sources": item.get("relevant_sources", [])}


def selection(items: list[dict], have: set[str]) -> list[dict]:
    """PER_TASK items of each task statement, by id hash, none already in the bank."""
    by_task: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        if item["id"] not in have and item.get("task"):
            by_task[item["task"]].append(item)
    chosen = []
    for task in sorted(by_task):
        ranked = sorted(by_task[task], key=lambda i: hashlib.sha256(i["id"].encode()).hexdigest())
        chosen += sorted(ranked[:PER_TASK], key=lambda i: i["id"])
    return chosen


def main() -> None:
    """Write the bank: the items it had, then the new selection."""
    kept = [i for i in read_jsonl(BANK) if not i["id"].startswith("tr-")]
    training = [i for path in sorted(TRAINING.glob("d*.jsonl")) for i in read_jsonl(path)]
    added = [shipped_item(i) for i in selection(training, {i["id"] for i in kept})]
    BANK.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in kept + added), encoding="utf-8")
    print(f"{BANK.relative_to(ROOT)}: {len(kept)} kept + {len(added)} from the training bank")


if __name__ == "__main__":
    main()
