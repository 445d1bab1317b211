"""Cold `tutor ask`: one fresh process per question, today's code against an earlier commit, side by side.

Each round runs `python -c pass`, the earlier commit's `tutor ask` and this checkout's `tutor ask`
in turn (so load from other work hits all three alike), for an open and an exam question. The earlier
commit runs from a temporary git worktree with the same virtualenv (its code first on PYTHONPATH);
each version asks its own store, ingested before timing. Prints medians and the ratios.

Today's code keeps the sentence vectors of the chunks it reads beside the store (app/store/vectors.py),
so a question asked before is cheaper. The row "today, first time" deletes that cache before every
run: the cost of a question whose chunks no earlier process has read.

Usage: .venv/bin/python benchmarks/cold_start_bench.py [--ref 4a9d164] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import NOISE, ROOT

PY = Path(sys.executable)
QUESTIONS = {
    "open": "When should I use SageMaker Asynchronous Inference instead of a real-time endpoint?",
    "exam": ("A team scores 40 million records every night and needs no persistent endpoint. "
             "Which option fits?\nA) A real-time endpoint\nB) Batch Transform\n"
             "C) Serverless Inference\nD) Asynchronous Inference"),
}
TARGET_S = 4.0


def tutor_command(code: Path) -> list[str]:
    """The `tutor` entry point of the code in `code` (run with this virtualenv's Python)."""
    return [str(PY), "-c", "from app.cli import main; main()"]


def version_env(code: Path, store: Path) -> dict[str, str]:
    """Environment for one version: its code first on the path, its own store, offline."""
    return {**os.environ, "PYTHONPATH": str(code), "TUTOR_STORE_PATH": str(store),
            "TUTOR_NOTES_PATH": str(store.parent / "notes"), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def prepare(code: Path, store: Path) -> None:
    """Ingest the shipped corpus into this version's store (not timed)."""
    subprocess.run([*tutor_command(code), "ingest", str(code / "corpus"), "--quiet"], cwd=code,
                   env=version_env(code, store), check=True, capture_output=True)


def run_once(command: list[str], env: dict | None, cwd: Path) -> float:
    """Seconds from start to exit of one fresh process (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(versions: dict[str, tuple[Path, Path]], rounds: int) -> dict[str, list[float]]:
    """Times per row ('python -c pass', '<version> <kind>'), rounds interleaved."""
    times: dict[str, list[float]] = {}
    runs = [(name, code, store, False) for name, (code, store) in versions.items()]
    runs.insert(1, ("today, first time", *versions["today"], True))
    for round_no in range(rounds):
        times.setdefault("python -c pass", []).append(run_once([str(PY), "-c", "pass"], None, ROOT))
        shift = round_no % len(runs)  # each version takes each place in turn: a run just after the
        ordered = runs[shift:] + runs[:shift]  # old version's (torch, 1 GB) runs measurably slower
        for kind, question in QUESTIONS.items():
            for name, code, store, first_time in ordered:
                if first_time:
                    shutil.rmtree(store / "vectors", ignore_errors=True)
                command = [*tutor_command(code), "ask", question]
                times.setdefault(f"{name} {kind}", []).append(run_once(command, version_env(code, store), code))
    return times


def report(times: dict[str, list[float]], ref: str) -> None:
    """Medians, ratios against the earlier commit and against `python -c pass`."""
    med = {row: statistics.median(values) for row, values in times.items()}
    print(f"{'row':28s} {'median s':>9s} {'runs':>5s}")
    for row, value in med.items():
        print(f"{row:28s} {value:9.2f} {len(times[row]):5d}")
    for kind in QUESTIONS:
        for name in ("today", "today, first time"):
            now, before = med[f"{name} {kind}"], med[f"{ref} {kind}"]
            verdict = "met" if now <= TARGET_S else "missed"
            print(f"cold ask ({kind}, {name}): / {ref} = {now / before:.2f}; / python -c pass = "
                  f"{now / med['python -c pass']:.1f}; {now:.2f} s (target <= {TARGET_S:g} s: {verdict})")
    print(f"note: {NOISE}")


def main() -> None:
    """Set up both versions, time them side by side and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--ref", default="4a9d164", help="the earlier commit to compare with")
    parser.add_argument("--rounds", type=int, default=6, help="a multiple of 3 balances the order")
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cold-start-"))
    old = work / "old"
    try:
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.ref], cwd=ROOT, check=True,
                       capture_output=True)
        versions = {"today": (ROOT, work / "store-today"), args.ref: (old, work / "store-old")}
        for code, store in versions.values():
            prepare(code, store)
        report(measure(versions, 3 if args.quick else args.rounds), args.ref)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
