"""Makers of hostile inputs for ingest tests; everything is written at test time under tmp_path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.pdfs import write_encrypted_pdf, write_pdf

MB = 10**6
GOOD_NOTE = """---
title: Feature Store
domain: D1
---
# Feature Store

## Online store
SageMaker Feature Store keeps an online store for low-latency lookups at inference time.
"""


def write_bytes(path: Path, data: bytes) -> Path:
    """Write bytes, creating parent folders; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_truncated_pdf(path: Path) -> Path:
    """The first half of a real PDF: a header, some objects, no xref table or trailer."""
    whole = write_pdf(path, ["Kinesis Data Firehose delivers streams to S3."]).read_bytes()
    return write_bytes(path, whole[: len(whole) // 2])


def write_zero_page_pdf(path: Path) -> Path:
    """A well-formed PDF with no pages at all."""
    from pypdf import PdfWriter

    with path.open("wb") as handle:
        PdfWriter().write(handle)
    return path


def write_many_pages_pdf(path: Path, pages: int) -> Path:
    """One short, distinct line per page (distinct so no page is deduplicated away)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 6, f"Page {number}: SageMaker Model Monitor check number {number}.")
    pdf.output(str(path))
    return path


def write_padded_pdf(path: Path, megabytes: int) -> Path:
    """A PDF of `megabytes` MB: one page of text plus an attachment of random (incompressible) bytes."""
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(path.with_suffix(".plain.pdf"), ["Amazon Bedrock guardrails filter harmful content."])
    writer = PdfWriter()
    writer.append(PdfReader(plain))
    writer.add_attachment("padding.bin", os.urandom(megabytes * MB))
    with path.open("wb") as handle:
        writer.write(handle)
    plain.unlink()
    return path


def write_big_text(path: Path, megabytes: float) -> Path:
    """Numbered prose lines (distinct, so no chunk is deduplicated away) up to `megabytes` MB.

    Written in blocks of about 1 MB, so the test itself never holds the whole text.
    """
    line = "Line {:08d}: Amazon SageMaker Clarify detects bias in data and explains predictions.\n"
    per_block = MB // len(line.format(0))
    lines = int(megabytes * MB) // len(line.format(0))
    with path.open("w") as handle:
        for start in range(0, lines, per_block):
            handle.write("".join(line.format(n) for n in range(start, min(start + per_block, lines))))
    return path


def deep_headings(repeats: int) -> str:
    """Markdown whose headings nest six levels deep, over and over."""
    block = "".join(f"{'#' * level} Level {level} heading\n\nText at depth {level} about Glue jobs.\n\n"
                    for level in range(1, 7))
    return "".join(block.replace("Glue jobs", f"Glue jobs, part {n}") for n in range(repeats))


def make_deep_folders(root: Path, depth: int) -> Path:
    """A note at the bottom of `depth` nested folders; returns the note's path."""
    folder = root.joinpath(*[f"d{level}" for level in range(depth)])
    folder.mkdir(parents=True)
    note = folder / "deep.md"
    note.write_text("# Deep note\n\nAmazon EMR runs Spark on managed clusters.\n")
    return note


def make_symlinks(folder: Path) -> dict[str, Path]:
    """A folder symlink to its parent (a loop), a dangling link and two links pointing at each other."""
    links = {"loop": folder / "loop", "dangling": folder / "dangling.md",
             "ping": folder / "ping.md", "pong": folder / "pong.md"}
    links["loop"].symlink_to("..", target_is_directory=True)
    links["dangling"].symlink_to(folder / "missing.md")
    links["ping"].symlink_to(links["pong"])
    links["pong"].symlink_to(links["ping"])
    return links


def hostile_files(folder: Path) -> dict[str, str]:
    """Write one file of each small hostile kind; returns file name -> expected reason (or 'ok')."""
    write_truncated_pdf(folder / "truncated.pdf")
    write_bytes(folder / "garbage.pdf", os.urandom(4096))
    write_encrypted_pdf(folder / "locked.pdf", "hidden text")
    write_zero_page_pdf(folder / "nopages.pdf")
    write_pdf(folder / "blank.pdf", ["", ""])
    write_bytes(folder / "binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2048))
    write_bytes(folder / "controls.md", bytes(range(1, 9)) * 200)
    write_bytes(folder / "latin1.txt", "Caf\xe9 cr\xe8me, na\xefve r\xe9sum\xe9".encode("latin-1"))
    write_bytes(folder / "cp1252.md", "\u201cSmart quotes\u201d \u2013 en dash".encode("cp1252"))
    write_bytes(folder / "utf16.md", "# UTF-16 note\n\nAmazon Comprehend finds entities.\n".encode("utf-16"))
    write_bytes(folder / "utf32.txt", "Amazon Polly turns text into speech.".encode("utf-32"))
    write_bytes(folder / "bad-utf16.md", b"\xff\xfe" + b"\x00\xd8" + b"a\x00")  # lone surrogate
    (folder / "deep-headings.md").write_text(deep_headings(40))
    (folder / "long-heading.md").write_text("# " + "x" * 100_000 + "\n\nBody under a giant heading.\n")
    (folder / "alias-bomb.md").write_text(ALIAS_BOMB + "# Alias bomb\n\nA note with hostile YAML.\n")
    (folder / "nested-yaml.md").write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 +
                                           "\n---\n# Nested\n\nDeep YAML.\n")
    (folder / "marked.html").write_text("<html><body><![x[ <p>Unknown marked section</p></body></html>")
    (folder / "entities.html").write_text("<h1>Entities &#0; &#xD800;</h1><p>Text &#x10FFFF; here</p>")
    return EXPECTED


ALIAS_BOMB = "---\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" if n else "l0: &l0 [lol]\n" for n in range(10)
) + "title: *l9\ntasks: *l9\n---\n"

EXPECTED = {
    "truncated.pdf": "corrupt or unreadable PDF",
    "garbage.pdf": "corrupt or unreadable PDF",
    "locked.pdf": "encrypted PDF (password required)",
    "nopages.pdf": "PDF has no extractable text",
    "blank.pdf": "PDF has no extractable text",
    "binary.md": "binary file (contains NUL bytes)",
    "controls.md": "binary file (mostly control characters)",
    "latin1.txt": "not valid UTF-8 (byte 3); re-save the file as UTF-8",
    "cp1252.md": "not valid UTF-8 (byte 0); re-save the file as UTF-8",
    "utf16.md": "ok",
    "utf32.txt": "ok",
    "bad-utf16.md": "not valid UTF-16 despite its byte order mark",
    "deep-headings.md": "ok",
    "long-heading.md": "ok",
    "alias-bomb.md": "ok",
    "nested-yaml.md": "ok",
    "marked.html": "malformed HTML the parser cannot read",
    "entities.html": "ok",
}


# Runs argv[2:] and writes its peak RSS (KiB) to argv[1]. A direct child of pytest would report
# pytest's own RSS as its peak: fork copies the parent's pages and exec keeps that high-water mark.
MEASURE = """import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_measured(cmd: list[str], cwd: Path, env: dict, timeout: float) -> tuple[int, str, str, float]:
    """Run a command through a small launcher; return exit code, stdout, stderr and peak RSS in MB."""
    peak = cwd / ".peak-kib"
    proc = subprocess.Popen([sys.executable, "-c", MEASURE, str(peak), *cmd], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command under it
        proc.communicate()
        raise
    return proc.returncode, out, err, int(peak.read_text()) / 1024
