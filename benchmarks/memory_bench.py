"""Peak RSS while ingesting a large synthetic corpus, and RSS of the UI server after many questions.

Ingest: each size runs `ingest_paths` in a fresh child process over a synthetic corpus (sentences of the
shipped notes recombined with random words, ten Markdown sections per file, one chunk per section),
with the real embedding model; the child reports its own peak RSS (getrusage ru_maxrss) and the parent
samples VmRSS twice a second for the plot. Baselines measured in the same run: a child that only loads
the embedding model, and one that ingests the shipped corpus. A size whose projected time (from the
previous size's rate) exceeds --budget-min is skipped and reported as such (sizes up to --always,
30,000 by default, are always measured).
UI: `tutor ui` on the ingested corpus, questions asked through headless Chromium; the Streamlit server
process's VmRSS after the models load and after each batch, VmHWM at the end.
Writes benchmarks/out/memory-ingest.png and memory-ui.png.
Usage: .venv/bin/python benchmarks/memory_bench.py [--quick] [--sizes 10000,30000,100000]
       [--questions 50] [--budget-min 25] [--always 30000] [--skip-ui] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (NOISE, ROOT, ask_in_page, chromium_page, dev_questions, free_port, ingest_corpus,  # noqa: E402
                          new_axes, rss_mb, save_figure, server_pid, ui_server, wait_url)

SECTIONS_PER_FILE = 10


def write_corpus(folder: Path, n_chunks: int, seed: int = 0) -> int:
    """Write ~n_chunks one-section chunks as Markdown files under folder/corpus; returns the file count."""
    from app.rag.text import split_sentences

    rng = random.Random(seed)
    sentences = [s for p in sorted((ROOT / "corpus").rglob("*.md")) for s in split_sentences(p.read_text())
                 if 30 < len(s) < 240 and not s.lstrip().startswith(("#", "---", "|"))]
    words = " ".join(sentences).split()
    files = max(1, n_chunks // SECTIONS_PER_FILE)
    for f in range(files):
        sub = folder / "corpus" / f"part-{f // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        sections = [f"## Section {s}: {' '.join(rng.sample(words, 3))}\n\n" + " ".join(rng.sample(sentences, 4))
                    + " " + " ".join(rng.sample(words, 15)) + "\n" for s in range(SECTIONS_PER_FILE)]
        (sub / f"note-{f:05d}.md").write_text(f"---\ntitle: Synthetic note {f}\ndomain: D{1 + f % 4}\n---\n"
                                              f"# Synthetic note {f}\n\n" + "\n".join(sections))
    return files


def child_ingest(folder: str) -> None:
    """Child mode: ingest folder/corpus into folder/store and print chunks, seconds and peak RSS."""
    from app.config import get_settings
    from ingest.index import ingest_paths

    os.chdir(folder)
    start = time.perf_counter()
    report = ingest_paths([Path("corpus")], get_settings(store_path=Path("store")), show_bar=False)
    print_child(chunks=report.total_chunks, seconds=time.perf_counter() - start)


def child_model() -> None:
    """Child mode: load the embedding model, embed one sentence, print peak RSS."""
    from app.config import get_settings
    from app.providers import make_embeddings

    make_embeddings(get_settings()).embed_query("warm up the encoder")
    print_child(chunks=0, seconds=0.0)


def print_child(**fields) -> None:
    """The child's one-line JSON report, with its own peak RSS in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    print(json.dumps({**fields, "peak_mb": peak}), flush=True)


def run_child(args: list[str]) -> dict:
    """Run this script in child mode, sampling VmRSS every 0.5 s; its report plus the samples."""
    out = tempfile.TemporaryFile("w+")  # a file, not a pipe: a chatty child can never block on it
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=out, text=True)
    start, samples = time.perf_counter(), []
    while proc.poll() is None:
        try:
            samples.append((time.perf_counter() - start, rss_mb(proc.pid)))
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed with {proc.returncode}")
    out.seek(0)
    report = json.loads(out.read().strip().splitlines()[-1])
    return {**report, "wall": time.perf_counter() - start, "samples": samples}


def measure_ingest(sizes: list[int], budget_s: float, always: int) -> list[dict]:
    """Baselines, then each synthetic size (above `always`, skipped when projected over the budget).

    Each row is printed as soon as it is measured (a long run keeps what it has if it is stopped).
    """
    print_header()
    rows = [print_row({"name": "load embedding model only", **run_child(["--child-model"])}, None)]
    work = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    try:
        shutil.copytree(ROOT / "corpus", work / "shipped" / "corpus")
        rows.append({"name": "ingest shipped corpus", **run_child(["--child-ingest", str(work / "shipped")])})
        print_row(rows[-1], rows[0])
        rate = None
        for n in sizes:
            if rate and n > always and n / rate > budget_s:
                rows.append(print_row({"name": f"synthetic {n:,}", "skipped": n / rate}, rows[0]))
                continue
            folder = work / f"s{n}"
            files = write_corpus(folder, n)
            row = {"name": f"synthetic {n:,}", "files": files, **run_child(["--child-ingest", str(folder)])}
            rate = row["chunks"] / row["seconds"]
            rows.append(print_row(row, rows[0]))
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def print_header() -> None:
    """Title and column names of the ingest table."""
    print("\npeak RSS while ingesting (child process per row, real embedding model)")
    print(f"{'run':28s} {'chunks':>8s} {'peak RSS MB':>12s} {'/ model only':>13s} {'time s':>8s} {'chunks/s':>9s}",
          flush=True)


def print_row(r: dict, base_row: dict | None) -> dict:
    """One ingest row (peak RSS against the model-only baseline, time, rate); returns the row."""
    base = (base_row or r)["peak_mb"]
    if "skipped" in r:
        print(f"{r['name']:28s} {'-':>8s} {'skipped':>12s} {'':13s} {'~' + format(r['skipped'] / 60, '.0f') + ' min':>8s}"
              "  (projected from the previous size's rate: over the time budget)", flush=True)
        return r
    rate = f"{r['chunks'] / r['seconds']:9.1f}" if r["chunks"] else f"{'-':>9s}"
    print(f"{r['name']:28s} {r['chunks']:8,d} {r['peak_mb']:12.0f} {r['peak_mb'] / base:13.2f} "
          f"{r['wall']:8.1f} {rate}", flush=True)
    return r


def print_trend(rows: list[dict]) -> None:
    """Slope of peak RSS over the measured synthetic sizes and a linear extrapolation to 100k."""
    measured = [r for r in rows[2:] if "skipped" not in r]
    if len(measured) >= 2:
        a, b = measured[0], measured[-1]
        slope = (b["peak_mb"] - a["peak_mb"]) / (b["chunks"] - a["chunks"]) * 1000
        print(f"trend: {slope:+.1f} MB per 1,000 chunks between {a['chunks']:,} and {b['chunks']:,} chunks")
        if b["chunks"] < 100_000:  # small sizes overstate the slope: the peak is set by batches of long chunks
            print(f"linear extrapolation to 100,000 (it overstated: a full run measured 2,098 MB on 2026-11-23): "
                  f"{a['peak_mb'] + slope * (100_000 - a['chunks']) / 1000:.0f} MB, "
                  f"{100_000 / (b['chunks'] / b['seconds']) / 60:.0f} min")


def plot_ingest(rows: list[dict]) -> Path:
    """VmRSS over time for each measured ingest run."""
    fig, ax = new_axes(6.5, 3.5)
    for r in rows:
        if r.get("samples"):
            ax.plot([t for t, _ in r["samples"]], [m for _, m in r["samples"]], label=r["name"])
    ax.set_xlabel("seconds")
    ax.set_ylabel("VmRSS (MB)")
    ax.legend(fontsize=7)
    return save_figure(fig, "memory-ingest.png")


def measure_ui(questions: int) -> dict:
    """Ask `questions` dev-set questions through Chromium; server VmRSS after load and each batch."""
    items = interleave(dev_questions(questions - questions // 2, questions // 2), questions)
    work, _ = ingest_corpus("bench-mem-ui-")
    port, points = free_port(), []
    try:
        with chromium_page() as page, ui_server(work, port, work / "ui.log") as proc:
            url = f"http://127.0.0.1:{port}"
            wait_url(f"{url}/_stcore/health", proc)
            pid = server_pid(proc)
            points.append((0, rss_mb(pid)))
            page.goto(url)
            page.get_by_test_id("stChatInputTextArea").wait_for()
            start = time.perf_counter()
            points.append((0, rss_mb(pid)))
            for n, item in enumerate(items, start=1):
                ask_in_page(page, item.prompt())
                if n == 1 or n % 5 == 0 or n == len(items):
                    points.append((n, rss_mb(pid)))
            return {"points": points, "hwm": rss_mb(pid, "VmHWM"), "seconds": time.perf_counter() - start,
                    "kinds": [i.kind for i in items]}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def interleave(items: list, n: int) -> list:
    """Open and multiple-choice items alternating (the list holds the open ones first)."""
    half = n - n // 2
    opened, mc = items[:half], items[half:]
    mixed = [x for pair in zip(opened, mc) for x in pair] + opened[len(mc):]
    return mixed[:n]


def print_ui(ui: dict, model_only: float | None) -> None:
    """Server RSS after load and after batches of questions, against the first answer."""
    pts = ui["points"]
    first = next(m for n, m in pts if n == 1)
    print(f"\nUI server (Streamlit process) RSS, {len(ui['kinds'])} questions through headless Chromium "
          f"({ui['kinds'].count('open')} open, {ui['kinds'].count('mc')} multiple-choice) in {ui['seconds']:.0f} s")
    print(f"{'point':34s} {'VmRSS MB':>9s} {'/ after 1st answer':>19s}")
    labels = ["server up, page not opened", "page usable (models loaded)"]
    for i, (n, m) in enumerate(pts):
        name = labels[i] if i < 2 else f"after {n} question(s)"
        print(f"{name:34s} {m:9.0f} {m / first:19.2f}")
    print(f"{'peak (VmHWM) at the end':34s} {ui['hwm']:9.0f} {ui['hwm'] / first:19.2f}")
    if model_only:
        print(f"(baseline: a process that only loads the embedding model peaks at {model_only:.0f} MB)")


def plot_ui(ui: dict) -> Path:
    """Server VmRSS against the number of questions asked."""
    fig, ax = new_axes(6, 3.2)
    pts = ui["points"][1:]
    ax.plot([n for n, _ in pts], [m for _, m in pts], marker="o")
    ax.set_xlabel("questions asked")
    ax.set_ylabel("server VmRSS (MB)")
    return save_figure(fig, "memory-ui.png")


def parse_args() -> argparse.Namespace:
    """Command-line options (child modes are internal)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 3k chunks, 10 UI questions")
    parser.add_argument("--sizes", default="10000,30000,100000", help="synthetic chunk counts")
    parser.add_argument("--questions", type=int, default=50, help="questions asked through the UI")
    parser.add_argument("--budget-min", type=float, default=25.0,
                        help="skip a size above --always projected to take longer than this")
    parser.add_argument("--always", type=int, default=30000, help="sizes up to this are always measured")
    parser.add_argument("--skip-ui", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--child-ingest", help=argparse.SUPPRESS)
    parser.add_argument("--child-model", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    """Dispatch child modes, else run the ingest and UI measurements and print the tables."""
    args = parse_args()
    if args.child_ingest:
        return child_ingest(args.child_ingest)
    if args.child_model:
        return child_model()
    sizes = [1000, 3000] if args.quick else [int(s) for s in args.sizes.split(",")]
    questions = 10 if args.quick else args.questions
    print(f"memory benchmark ({NOISE})")
    rows = [] if args.skip_ingest else measure_ingest(sizes, args.budget_min * 60, args.always)
    if rows:
        print_trend(rows)
        print(f"plot: {plot_ingest(rows)}")
    if not args.skip_ui:
        ui = measure_ui(questions)
        print_ui(ui, rows[0]["peak_mb"] if rows else None)
        print(f"plot: {plot_ui(ui)}")


if __name__ == "__main__":
    main()
