"""End-to-end `ask` latency and time to first token with the bundled models, warm and cold.

Warm: one process, models loaded once, a fixed list of dev-set questions (open and multiple-choice)
answered through `Tutor.stream`, the API the CLI and the UI consume. TTFT is the time until the first
text piece; for multiple-choice questions the pipeline writes the whole explanation at once (no LLM).
The baseline column is the time spent in `Tutor.prepare` (rewrite, retrieval, evidence; no LLM) within
the same asks. Cold: fresh `tutor ask` processes against the same store, next to
`tutor --help` (interpreter and CLI start-up) as the baseline. Writes benchmarks/out/answer.png.
Usage: .venv/bin/python benchmarks/answer_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (BIN, NOISE, dev_questions, ingest_corpus, make_work_settings, new_axes, p50_p95,  # noqa: E402
                          save_figure, store_env, timed)

COLD_QUESTION = "Which SageMaker inference option fits payloads of 500 MB that can wait a few minutes?"


def stream_timings(tutor, question: str) -> tuple[float, float, dict]:
    """(seconds to the first text piece, seconds to the finished result, result) of one question."""
    start = time.perf_counter()
    first, result = None, None
    for piece in tutor.stream(question):
        if not isinstance(piece, str):
            result = piece
        elif first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    return first if first is not None else total, total, result


def path_of(result) -> str:
    """Which branch answered: llm, exam (no LLM), refused or injection."""
    if result.choice:
        return "exam"
    if result.refused:
        return "refused"
    return "llm"


def record_prepare(tutor) -> list[float]:
    """Time every `tutor.prepare` call made inside `stream` (the list is filled in place)."""
    spent, original = [], tutor.prepare

    def prepare(*args, **kwargs):
        seconds, prepared = timed(lambda: original(*args, **kwargs))
        spent.append(seconds)
        return prepared

    tutor.prepare = prepare
    return spent


def measure_warm(work: Path, items: list) -> tuple[list[dict], float]:
    """Rows per question (kind, path, TTFT, total, prepare-only seconds) and the cold question's warm time."""
    from app.rag.chain import load_tutor

    os.chdir(work)
    tutor = load_tutor(make_work_settings(work))
    spent = record_prepare(tutor)
    stream_timings(tutor, COLD_QUESTION)  # warm-up: first llama.cpp call, first encoder call
    rows = []
    for item in items:
        spent.clear()
        ttft, total, result = stream_timings(tutor, item.prompt())
        rows.append({"id": item.id, "kind": item.kind, "path": path_of(result), "ttft": ttft, "total": total,
                     "prepare": sum(spent), "words": len(result.answer.split())})
    # asked right after a different question: llama.cpp reuses the evaluated prompt prefix of the
    # previous call, so asking the same question twice in a row would look faster than it is
    same = stream_timings(tutor, COLD_QUESTION)[1]
    return rows, same


def run_cold(work: Path, args: list[str]) -> tuple[float, float]:
    """(seconds to the first stdout byte, seconds to exit) of one fresh `tutor` process."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "tutor"), *args], cwd=work, env=store_env(work),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.read(1)
    first = time.perf_counter() - start
    proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(f"tutor {' '.join(args)} failed with {proc.returncode}")
    return first, time.perf_counter() - start


def measure_cold(work: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    """Fresh processes: `tutor --help`, `tutor ask --stream` and `tutor ask`, interleaved, `runs` times."""
    commands = {"tutor --help": ["--help"], "tutor ask --stream": ["ask", "--stream", COLD_QUESTION],
                "tutor ask": ["ask", COLD_QUESTION]}
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            out[name].append(run_cold(work, args))
    return out


def print_warm(rows: list[dict]) -> None:
    """Warm table: p50/p95 of TTFT, total and prepare-only per question kind, with ratios."""
    print(f"\nwarm process, {len(rows)} dev-set questions (models loaded once; seconds)")
    print(f"{'questions':26s} {'n':>3s} {'TTFT p50/p95':>15s} {'ask p50/p95':>15s} {'prepare p50/p95':>16s} "
          f"{'ask/prepare p50':>16s} {'words p50':>10s}")
    groups = [("all", rows), ("open (kind)", [r for r in rows if r["kind"] == "open"]),
              ("multiple-choice (kind)", [r for r in rows if r["kind"] == "mc"]),
              ("answered by the LLM", [r for r in rows if r["path"] == "llm"]),
              ("refused (no LLM)", [r for r in rows if r["path"] == "refused"])]
    for name, group in groups:
        if not group:
            continue
        t, a, p = (p50_p95([r[key] for r in group]) for key in ("ttft", "total", "prepare"))
        print(f"{name:26s} {len(group):3d} {t[0]:7.2f}/{t[1]:<7.2f} {a[0]:7.2f}/{a[1]:<7.2f} "
              f"{p[0]:7.2f}/{p[1]:<8.2f} {a[0] / p[0]:16.1f} {p50_p95([r['words'] for r in group])[0]:10.0f}")


def print_cold(cold: dict, warm_total: float) -> None:
    """Cold table: median first byte and exit time of fresh processes, against `tutor --help`."""
    runs = len(next(iter(cold.values())))
    base = p50_p95([t for _, t in cold["tutor --help"]])[0]
    print(f"\ncold start, fresh processes, same question, median of {runs} run(s) (seconds)")
    print(f"{'command':22s} {'first stdout byte':>18s} {'exit':>8s} {'exit / --help':>14s}  all exits")
    for name, times in cold.items():
        first, total = p50_p95([f for f, _ in times])[0], p50_p95([t for _, t in times])[0]
        every = " ".join(f"{t:.1f}" for _, t in times)
        print(f"{name:22s} {first:18.2f} {total:8.2f} {total / base:14.1f}  {every}")
    ask = p50_p95([t for _, t in cold["tutor ask"]])[0]
    print(f"(same question answered in the warm process, after a different one: {warm_total:.2f} s; "
          f"cold / warm = {ask / warm_total:.1f})")


def plot_warm(rows: list[dict]) -> Path:
    """Per-question bars: prepare, then the rest of the answer, with the TTFT marked."""
    fig, ax = new_axes(8, 3.8)
    x = range(len(rows))
    ax.bar(x, [r["prepare"] for r in rows], label="prepare (retrieval + evidence)")
    ax.bar(x, [max(r["total"] - r["prepare"], 0) for r in rows], bottom=[r["prepare"] for r in rows],
           label="rest of the answer (LLM / exam scoring)")
    ax.scatter(x, [r["ttft"] for r in rows], color="black", marker="_", s=200, zorder=3, label="first token")
    ax.set_xticks(list(x), [f"{r['kind']}:{r['id'][-3:]}" for r in rows], rotation=70, fontsize=7)
    ax.set_ylabel("seconds")
    ax.legend(fontsize=7)
    return save_figure(fig, "answer.png")


def main() -> None:
    """Ingest into a temporary store, measure warm and cold, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 questions and one cold run")
    args = parser.parse_args()
    items = dev_questions(3, 3) if args.quick else dev_questions(10, 10)
    work, ingest_s = ingest_corpus("bench-answer-")
    try:
        rows, warm_same = measure_warm(work, items)
        cold = measure_cold(work, 1 if args.quick else 3)
    finally:
        os.chdir(Path(__file__).resolve().parents[1])
        shutil.rmtree(work, ignore_errors=True)
    print(f"answer benchmark: bundled SmolLM2-135M + all-MiniLM-L6-v2, corpus ingested in {ingest_s:.1f} s")
    print(f"({NOISE})")
    print_warm(rows)
    print_cold(cold, warm_same)
    print(f"plot: {plot_warm(rows)}")


if __name__ == "__main__":
    main()
