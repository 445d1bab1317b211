"""Loaders: turn a .md, .txt, .pdf or .html file into text parts with metadata, or say why not."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

SUPPORTED = {".md", ".markdown", ".txt", ".pdf", ".html", ".htm"}
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


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


def hash_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks so huge files stay cheap in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_file(path: Path, source: str, max_bytes: int) -> LoadedFile:
    """Load one file by its extension; raise LoadError with the reason when it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"file too large ({size / 1e6:.1f} MB > limit {max_bytes / 1e6:.0f} MB)")
    if size == 0:
        raise LoadError("empty file")
    if suffix == ".pdf":
        return load_pdf(path, source)
    text = read_text(path)
    if suffix in {".html", ".htm"}:
        return load_html(text, source, path.stem)
    if suffix == ".txt":
        return LoadedFile(source, path.stem, "text", [Part(text)])
    return load_markdown(text, source, path.stem)


def read_text(path: Path) -> str:
    """Decode a text file strictly as UTF-8, refusing binaries and other encodings."""
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise LoadError("binary file (contains NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8") from None
    if not text.strip():
        raise LoadError("file has no text")
    return text


def load_markdown(text: str, source: str, fallback_title: str) -> LoadedFile:
    """Split off YAML front matter; the title comes from it, then the first H1, then the file name."""
    meta, body = parse_front_matter(text)
    title = str(meta.get("title") or first_heading(body) or fallback_title)
    tasks = [str(t) for t in meta.get("tasks") or []] if isinstance(meta.get("tasks"), list) else []
    domain = str(meta["domain"]) if meta.get("domain") else None
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
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def first_heading(body: str) -> str | None:
    """The text of the first `# ` heading, if any."""
    match = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
    return match.group(1).strip() if match else None


def load_pdf(path: Path, source: str) -> LoadedFile:
    """Extract text page by page with pypdf, keeping page numbers (1-based)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("encrypted PDF (password required)")
        parts = [Part(page.extract_text() or "", number) for number, page in
                 enumerate(reader.pages, start=1)]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable PDF ({type(exc).__name__})") from None
    parts = [part for part in parts if part.text.strip()]
    if not parts:
        raise LoadError("PDF has no extractable text (empty or scanned images)")
    meta = reader.metadata or {}
    title = meta.title if meta and meta.title else path.stem
    # our generated cheat sheets carry their exam domain in the PDF subject field
    subject = str(meta.subject or "") if meta else ""
    domain = subject if re.fullmatch(r"D[1-4]|core", subject) else None
    return LoadedFile(source, str(title), "text", parts, domain)


def load_html(text: str, source: str, fallback_title: str) -> LoadedFile:
    """Convert HTML to Markdown-like text so headings still guide chunking; scripts are dropped."""
    parser = _HtmlToText()
    parser.feed(text)
    body = parser.markdown()
    if not body.strip():
        raise LoadError("HTML page has no visible text")
    title = parser.title.strip() or first_heading(body) or fallback_title
    return LoadedFile(source, title, "markdown", [Part(body)])


class _HtmlToText(HTMLParser):
    """Collect visible text; h1-h6 become '#' headings, block tags become line breaks."""

    BLOCKS = {"p", "div", "li", "br", "tr", "section", "article", "pre", "table", "ul", "ol"}
    HIDDEN = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title = ""
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self.out.append(data)

    def markdown(self) -> str:
        """The collected text with runs of blank lines folded."""
        text = "".join(self.out)
        text = re.sub(r"[ \t]+", " ", text)
        return re.sub(r"\n\s*\n+", "\n\n", text).strip()
