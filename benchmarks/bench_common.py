"""Helpers shared by the answer, UI, memory and embedding-backend benchmarks (not a benchmark itself).

Everything here runs offline: the hub variables are set before any model library is imported.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

for _name, _value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                      "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error"}.items():
    os.environ.setdefault(_name, _value)
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
NOISE = ("absolute numbers are noisy: a shared 2-core machine, other work running at the same time; "
         "compare the columns of one run, not runs with each other")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# a stopped benchmark still runs its `finally` blocks: temporary stores removed, servers stopped
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def timed(fn):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def p50_p95(values: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (0, 0 for an empty list)."""
    if not values:
        return 0.0, 0.0
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def store_env(work: Path) -> dict[str, str]:
    """Environment that points `tutor` at the store, notes and corpus under `work`."""
    return {**os.environ, "TUTOR_STORE_PATH": str(work / ".tutor/store"),
            "TUTOR_NOTES_PATH": str(work / ".tutor/notes"), "TUTOR_CORPUS_PATH": "corpus"}


def make_work_settings(work: Path):
    """Settings whose store and notes live under `work` (corpus relative to it)."""
    from app.config import get_settings

    return get_settings(store_path=work / ".tutor/store", notes_path=work / ".tutor/notes",
                        corpus_path=Path("corpus"))


def ingest_corpus(prefix: str) -> tuple[Path, float]:
    """A temporary folder with a copy of the corpus ingested into its own store; (folder, seconds)."""
    from ingest.index import ingest_paths

    work = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    cwd = os.getcwd()
    os.chdir(work)  # stored sources are relative, as after `tutor ingest` in a project folder
    try:
        seconds, _ = timed(lambda: ingest_paths([Path("corpus")], make_work_settings(work), show_bar=False))
    finally:
        os.chdir(cwd)
    return work, seconds


def dev_questions(n_open: int, n_mc: int) -> list:
    """A fixed, spread-out pick of open and multiple-choice dev-set items (open first)."""
    from evals.datasets import DEV_SET, load_items

    items = load_items(DEV_SET)
    return spread([i for i in items if i.kind == "open"], n_open) + spread([i for i in items if i.kind == "mc"], n_mc)


def spread(items: list, n: int) -> list:
    """n items taken at even steps through the list (deterministic; covers every domain)."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_url(url: str, proc: subprocess.Popen, seconds: float = 300) -> None:
    """Poll `url` every 50 ms until it answers; fail early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2).read()
            return
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def ui_server(work: Path, port: int, log: Path):
    """`tutor ui` on 127.0.0.1:port in its own process group; yields the Popen (started just now)."""
    command = [str(BIN / "tutor"), "ui", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=work, env=store_env(work), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            yield proc
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a process we started and its children (its own process group, by id)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (from /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def server_pid(proc: subprocess.Popen) -> int:
    """The Streamlit server's pid: `tutor ui` runs it as a child process."""
    return (child_pids(proc.pid) or [proc.pid])[0]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def chromium_page():
    """A fresh page in Debian's headless Chromium, driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is missing: apt-get update && apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(300_000)
            yield page
        finally:
            browser.close()


def ask_in_page(page, question: str) -> None:
    """Type a question into the chat input and wait until its answer (with citations) is shown."""
    answers = page.get_by_test_id("stChatMessage").count() // 2
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    # one more assistant bubble whose badge or error is rendered: the script run has finished the answer
    page.wait_for_function(
        """n => { const m = document.querySelectorAll('[data-testid=stChatMessage]');
                  if (m.length < 2 * (n + 1)) return false;
                  const last = m[m.length - 1];
                  return last.querySelector('[data-testid=stExpander], [data-testid=stAlert]') !== null; }""",
        arg=answers, timeout=300_000)


def save_figure(fig, name: str) -> Path:
    """Write a matplotlib figure to benchmarks/out/<name> and return the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(OUT / name, dpi=110)
    return OUT / name


def new_axes(width: float = 6, height: float = 3.5):
    """A (figure, axes) pair on the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))
