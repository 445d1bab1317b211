"""Loaders: turn a .md, .txt, .pdf or .html file into text parts with metadata, or say why not."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.html_text import HtmlToText, strip_markup

SUPPORTED = {".md", ".markdown", ".txt", ".pdf", ".html", ".htm"}
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r\f\v"} | {"\x7f"}
TITLE_MAX = 200  # characters; a title or heading longer than this is clipped, not stored whole


class LoadError(ValueError):
    """A file that cannot be ingested; str() is the one-line reason."""


@dataclass
class Part:
    """A run of text from one file: a whole note, or one PDF page."""

    text: str
    page: int | None = None


@dataclass
class LoadedFile:
    """What a loader found in one file."""

    source: str
    title: str
    kind: str  # "markdown" (chunk along headings) or "text"
    parts: list[Part]
    domain: str | None = None
    tasks: list[str] = field(default_factory=list)


# A loader that now reads a format differently: its files count as changed once, so a store written by
# the older loader re-reads them (only chunks whose text changed are embedded again).
LOADER_VERSION = {".html": "tables-2", ".htm": "tables-2"}


def hash_file(path: Path) -> str:
    """SHA-256 of a file's bytes (read in blocks so huge files stay cheap in memory) and its loader."""
    digest = hashlib.sha256()
    if path.suffix.lower() in LOADER_VERSION:
        digest.update(f"loader {LOADER_VERSION[path.suffix.lower()]}\0".encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_file(path: Path, source: str, max_bytes: int, max_text: int | None = None) -> LoadedFile:
    """Load one file by its extension; raise LoadError with the reason when it cannot be used.

    max_bytes caps the file on disk (TUTOR_MAX_FILE_MB); max_text caps the text it holds
    (TUTOR_MAX_TEXT_MB), since every MB of text costs about a thousand chunks to embed.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"file too large: {over_limit(size, max_bytes, 'TUTOR_MAX_FILE_MB')}")
    if size == 0:
        raise LoadError("empty file")
    if suffix == ".pdf":
        return load_pdf(path, source, max_text)
    if max_text is not None and size > max_text:
        raise LoadError(f"too much text: {over_limit(size, max_text, 'TUTOR_MAX_TEXT_MB')}")
    text = read_text(path)
    if suffix in {".html", ".htm"}:
        return load_html(text, source, path.stem)
    if suffix == ".txt":
        return LoadedFile(source, clip(path.stem), "text", [Part(text)])
    return load_markdown(text, source, path.stem)


def over_limit(size: int, limit: int, setting: str) -> str:
    """'52.4 MB is over the 20 MB limit (SETTING)', the tail of a size refusal."""
    return f"{size / 1e6:.1f} MB is over the {limit / 1e6:g} MB limit ({setting})"


def read_text(path: Path) -> str:
    """Decode a text file as UTF-8 (or UTF-16/32 when it starts with a BOM), refusing binaries."""
    raw = path.read_bytes()
    encoding = bom_encoding(raw)
    if encoding == "utf-8-sig" and b"\x00" in raw:
        raise LoadError("binary file (contains NUL bytes), not text")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8-sig":
            raise LoadError(f"not valid {encoding.upper()} despite its byte order mark") from None
        raise LoadError(f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8") from None
    if looks_binary(text):
        raise LoadError("binary file (mostly control characters), not text")
    if not text.strip():
        raise LoadError("file has no text")
    return text


def bom_encoding(raw: bytes) -> str:
    """The codec a byte order mark asks for; UTF-8 (BOM optional) when there is none."""
    # UTF-32-LE's BOM starts with UTF-16-LE's, so the longer marks are tried first.
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return codec
    return "utf-8-sig"


def looks_binary(text: str) -> bool:
    """True for NULs, or when over 5% of the characters are control codes other than whitespace."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text[:65536] if ch in CONTROL)
    return controls > 0.05 * min(len(text), 65536)


def clean_text(text: str) -> str:
    """Drop NULs and lone surrogates (some PDFs and HTML entities carry them; Chroma and hashing can't)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def load_markdown(text: str, source: str, fallback_title: str) -> LoadedFile:
    """Split off YAML front matter; the title comes from it, then the first H1, then the file name."""
    meta, body = parse_front_matter(text)
    title = clip(scalar(meta.get("title")) or first_heading(body) or fallback_title)
    tasks = meta.get("tasks") if isinstance(meta.get("tasks"), list) else []
    tasks = [clip(t) for t in map(scalar, tasks) if t]
    domain = clip(scalar(meta.get("domain"))) or None
    if not body.strip():
        raise LoadError("note has front matter but no text")
    return LoadedFile(source, title, "markdown", [Part(body)], domain, tasks)


def parse_front_matter(text: str) -> tuple[dict, str]:
    """Return (front matter dict, body); malformed YAML is treated as ordinary text."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except (yaml.YAMLError, RecursionError):  # deeply nested flow collections recurse in PyYAML
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def scalar(value) -> str:
    """A front matter value as text, or '' for lists and maps (str() of an alias bomb never ends)."""
    if isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def clip(text: str, limit: int = TITLE_MAX) -> str:
    """One line of at most `limit` characters (titles and headings go into every chunk's label)."""
    line = " ".join(clean_text(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def first_heading(body: str) -> str | None:
    """The text of the first `# ` heading, if any."""
    match = re.search(r"^#[ \t]+(\S.*)$", body, re.MULTILINE)
    return match.group(1).strip() if match else None


def load_pdf(path: Path, source: str, max_text: int | None = None) -> LoadedFile:
    """Extract text page by page with pypdf, keeping page numbers (1-based)."""
    from pypdf import PdfReader  # lazy: only PDFs need it, and `tutor ask` imports this package

    # pypdf logs each repair ("EOF marker not found") on stderr; our one-line reason says enough
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted PDF (password required)")
        parts = read_pages(reader, max_text)
        meta = reader.metadata or {}
        title, subject = (meta.title, meta.subject) if meta else (None, None)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken files
        raise LoadError(f"corrupt or unreadable PDF ({type(exc).__name__})") from None
    if not parts:
        raise LoadError("PDF has no extractable text (empty or scanned images)")
    # our generated cheat sheets carry their exam domain in the PDF subject field
    subject = str(subject or "")
    domain = subject if re.fullmatch(r"D[1-4]|core", subject) else None
    return LoadedFile(source, clip(str(title or "")) or path.stem, "text", parts, domain)


def read_pages(reader, max_text: int | None) -> list[Part]:
    """Non-blank pages as Parts; stops with LoadError once the text passes max_text characters."""
    parts, total = [], 0
    for number, page in enumerate(reader.pages, start=1):
        text = clean_text(page.extract_text() or "")
        total += len(text)
        if max_text is not None and total > max_text:
            raise LoadError(f"too much text: over {max_text / 1e6:g} MB by page {number} "
                            f"of {len(reader.pages)} (TUTOR_MAX_TEXT_MB)")
        if text.strip():
            parts.append(Part(text, number))
    return parts


def load_html(text: str, source: str, fallback_title: str) -> LoadedFile:
    """Convert HTML to Markdown-like text so headings still guide chunking; scripts are dropped."""
    parser = HtmlToText()
    try:
        parser.feed(text)  # no close(): on unclosed tags ('<a <a <a ...') it is quadratic
    except AssertionError:  # Python's parser asserts on some malformed markup, e.g. '<![x['
        raise LoadError("malformed HTML the parser cannot read") from None
    body = clean_text(parser.markdown())
    if not body.strip():
        raise LoadError("HTML page has no visible text")
    title = clip(strip_markup(parser.title)) or clip(first_heading(body) or fallback_title)
    return LoadedFile(source, title, "markdown", [Part(body)])
