"""UI cold start to first answer: `tutor ui` on a freshly ingested temporary store, in headless Chromium.

Each run starts a new `tutor ui` process (Chromium is already running, so its start-up is not counted)
and records, from the moment the process is spawned: the health endpoint answers, the page's HTML has
loaded, the chat page is usable (its input shows once the embedding model and the LLM are loaded), and
the first question's cited answer is on screen. The baseline is the same question asked again in the
same page after another one (everything warm; not back to back, since llama.cpp would reuse the
evaluated prompt). Writes benchmarks/out/ui.png.
Usage: .venv/bin/python benchmarks/ui_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (NOISE, ask_in_page, chromium_page, free_port, ingest_corpus, new_axes, p50_p95,  # noqa: E402
                          rss_mb, save_figure, server_pid, timed, ui_server, wait_url)

QUESTION = "Which SageMaker inference option fits payloads of 500 MB that can wait a few minutes?"
OTHER = "How do I detect data drift in production?"
STAGES = ["health endpoint answers", "page HTML loaded", "chat input usable (models loaded)",
          "first answer shown"]


def cold_start(page, work: Path, log: Path) -> dict:
    """Seconds from spawning `tutor ui` to each stage, the warm re-ask and the server's RSS."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    with ui_server(work, port, log) as proc:
        wait_url(f"{url}/_stcore/health", proc)
        marks = [time.perf_counter() - start]
        page.goto(url)
        marks.append(time.perf_counter() - start)
        page.get_by_test_id("stChatInputTextArea").wait_for()
        marks.append(time.perf_counter() - start)
        ask_in_page(page, QUESTION)
        marks.append(time.perf_counter() - start)
        ask_in_page(page, OTHER)  # llama.cpp reuses the previous prompt's prefix: never re-ask back to back
        warm, _ = timed(lambda: ask_in_page(page, QUESTION))
        rss = rss_mb(server_pid(proc))
    return {"marks": marks, "warm": warm, "rss": rss}


def print_table(runs: list[dict]) -> None:
    """Median seconds per stage over the runs, each run's value, and the cold/warm ratio."""
    print(f"\nUI cold start, {len(runs)} run(s); seconds from spawning `tutor ui` (median, then each run)")
    for i, stage in enumerate(STAGES):
        values = [r["marks"][i] for r in runs]
        print(f"{stage:36s} {p50_p95(values)[0]:7.2f}   {' '.join(f'{v:.2f}' for v in values)}")
    warm = p50_p95([r["warm"] for r in runs])[0]
    first = p50_p95([r["marks"][3] - r["marks"][2] for r in runs])[0]
    each = " ".join(f"{r['warm']:.2f}" for r in runs)
    print(f"{'same question, warm (baseline)':36s} {warm:7.2f}   {each}")
    print(f"first answer after the page is usable: {first:.2f} s = {first / warm:.1f} x the warm answer")
    print(f"cold start to first answer / warm answer: {p50_p95([r['marks'][3] for r in runs])[0] / warm:.1f}")
    print(f"server RSS after three answers: {p50_p95([r['rss'] for r in runs])[0]:.0f} MB")


def plot_runs(runs: list[dict]) -> Path:
    """Stacked stage durations per run."""
    fig, ax = new_axes(6, 3.2)
    for n, run in enumerate(runs):
        left = 0.0
        for i, mark in enumerate(run["marks"]):
            ax.barh(n, mark - left, left=left, color=f"C{i}", label=STAGES[i] if n == 0 else None)
            left = mark
    ax.set_yticks(range(len(runs)), [f"run {n + 1}" for n in range(len(runs))])
    ax.set_xlabel("seconds since `tutor ui` was spawned")
    ax.legend(fontsize=7, loc="lower right")
    return save_figure(fig, "ui.png")


def main() -> None:
    """Ingest once, then start the UI `runs` times and time each stage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run instead of three")
    args = parser.parse_args()
    work, ingest_s = ingest_corpus("bench-ui-")
    try:
        runs = []
        for n in range(1 if args.quick else 3):
            with chromium_page() as page:
                runs.append(cold_start(page, work, work / f"ui-{n}.log"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"UI benchmark: `tutor ui` + headless Chromium, bundled models, corpus ingested in {ingest_s:.1f} s "
          "(not counted)")
    print(f"({NOISE})")
    print_table(runs)
    print(f"plot: {plot_runs(runs)}")


if __name__ == "__main__":
    main()
