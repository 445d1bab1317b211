"""Build one PDF cheat sheet per exam domain from our own notes: corpus/cheatsheets/<domain>.pdf.

Run after editing notes: `.venv/bin/python scripts/build_cheatsheets.py`. The PDFs ship in the corpus
so that PDF ingestion is exercised on what ships; tests/test_corpus.py checks they are up to date.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.load import parse_front_matter  # noqa: E402

CORPUS = ROOT / "corpus"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
OUT = CORPUS / "cheatsheets"
NAMES = {"D1": "Data Preparation for ML", "D2": "ML Model Development",
         "D3": "Deployment and Orchestration of ML Workflows",
         "D4": "ML Solution Monitoring, Maintenance, and Security", "core": "Core concepts"}
ASCII = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
         "\u2264": "<=", "\u2265": ">=", "\u2192": "->", "\u00d7": "x", "\u2026": "..."}


def latin1(text: str) -> str:
    """Text the built-in PDF fonts can draw."""
    for bad, good in ASCII.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", "replace").decode("latin-1")


def first_trap(body: str) -> str | None:
    """The first bullet of a note's 'Exam traps' section, without Markdown emphasis."""
    match = re.search(r"^## Exam traps\s*\n+(?:.*\n)*?\s*[-*]\s+(.+)$", body, re.MULTILINE)
    return re.sub(r"[*`]", "", match.group(1)).strip() if match else None


def notes_by_domain() -> dict[str, list[tuple[dict, str]]]:
    """Front matter and body of every note, grouped by domain, in file order."""
    grouped: dict[str, list[tuple[dict, str]]] = {}
    for path in sorted(CORPUS.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        grouped.setdefault(str(meta.get("domain")), []).append((meta, body))
    return grouped


def build_pdf(domain: str, notes: list[tuple[dict, str]], path: Path) -> None:
    """One cheat sheet: each note's title, its summary and its first exam trap."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(f"MLA-C01 cheat sheet: {NAMES.get(domain, domain)}")
    pdf.set_subject(domain)
    pdf.set_creation_date(FIXED_DATE)  # same bytes on every run, so git only sees real changes
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, latin1(f"MLA-C01 cheat sheet - {domain}: {NAMES.get(domain, domain)}"),
                   new_x="LMARGIN", new_y="NEXT")
    for meta, body in notes:
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.multi_cell(0, 5, latin1(str(meta.get("title"))), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(0, 4.5, latin1(str(meta.get("summary", ""))), new_x="LMARGIN", new_y="NEXT")
        if trap := first_trap(body):
            pdf.multi_cell(0, 4.5, latin1(f"Exam trap: {trap}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.output(str(path))


def main() -> None:
    """Write every domain's cheat sheet."""
    OUT.mkdir(exist_ok=True)
    for domain, notes in sorted(notes_by_domain().items()):
        build_pdf(domain, notes, OUT / f"{domain.lower()}-cheatsheet.pdf")
        print(f"wrote {OUT / f'{domain.lower()}-cheatsheet.pdf'} ({len(notes)} notes)")


if __name__ == "__main__":
    main()
