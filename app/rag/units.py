"""Note units: the sentences, list items and table rows of a chunk, cleaned for showing to a learner.

Notes come in many styles: wrapped prose, terse one-line bullets, tables, slide decks with page
footers, HTML exports with hard line breaks. A unit is one statement as the notes make it, with
Markdown, table pipes, page footers and glued footnote digits removed, so that any unit can be
quoted in an answer. A table row keeps its column names ("Asynchronous Inference - payload limit:
1 GB; time limit: 1 hour"), and a terse bullet under a short label line gets the label in front
("Pipe mode: streams from S3 into a FIFO pipe") because on its own it would not say what it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.rag.text import content_words

_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bincl\.)"
                           r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")
_PAGE_FOOTER = re.compile(r"\s{2,}\d{1,3}\s*/\s*\d{1,3}$|\bpage \d+ of \d+\b", re.IGNORECASE)
_LEADER = re.compile(r"\s*(?:\.\s?){4,}\s*")  # "spot training ........ up to 90% off"
_FOOTNOTE = re.compile(r"(?<=[a-z]{2}[.,;:])\d{1,2}(?=\s|$)")  # "the score.1 Unscored": PDF footnote
_MARKUP = re.compile(r"\*\*|__|`|</?notes>", re.IGNORECASE)
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")  # *Network security*
_RULE = set("-=*_|: ")
_DEFINES = re.compile(r"^.{0,40}?(?:\s(?:->|=>|=)\s|\s\.{4,}\s)")  # "concept drift -> ...", "F1 = ..."
MIN_WORDS = 3     # fewer content words than this is a label, not a statement
WRAP_SHARE = 0.6  # share of a block's lines that reach 80% of its width when it is wrapped prose
WRAP_MAX = 120    # nobody wraps prose wider than this; longer lines were broken on purpose
WRAP_MIN = 65     # ... or narrower than this; a block of shorter lines is a list of short items
_JOINERS = frozenset("and or but the a an of to with for in on by from that which as than".split())


@dataclass(frozen=True)
class Unit:
    """One statement of a chunk: the text to show and the label line it sits under (if any)."""

    text: str
    label: str = ""
    row: bool = False  # a table row (carries the table's column names)


def body_of(chunk_text: str) -> str:
    """A chunk's text without the 'Title > heading' label that ingest puts first (ingest/chunk.py)."""
    _, _, rest = chunk_text.partition("\n\n")
    return rest or chunk_text


def note_units(chunk_text: str) -> list[Unit]:
    """The units of one chunk, in reading order."""
    units: list[Unit] = []
    for block in _blocks(body_of(chunk_text)):
        units += _block_units(block)
    return [u for u in units if len(content_words(u.text)) >= MIN_WORDS]


def _blocks(body: str) -> list[list[str]]:
    """Runs of non-blank lines, without page footers, navigation bars and tag lines."""
    blocks: list[list[str]] = [[]]
    for line in body.splitlines():
        if not line.strip():
            blocks.append([])
        elif not _is_noise(line):
            blocks[-1].append(line)
    return [block for block in blocks if block]


def _is_noise(line: str) -> bool:
    """A slide or page footer, a navigation bar ('a > b | Back | Share'), a tag line or a rule."""
    text = line.strip()
    if text.startswith("|"):
        return False  # a table line (its separator row tells the header apart)
    words = text.split()
    tags = sum(w.startswith("#") and len(w) > 1 and w[1] != "#" for w in words)
    breadcrumb = text.count(" > ") >= 2 and len(words) <= 16  # 'Notes > Notebooks > Domain 2 | Back'
    return (bool(_PAGE_FOOTER.search(text)) or text.count("|") >= 2 or set(text) <= _RULE or breadcrumb
            or (bool(words) and tags * 2 >= len(words) - 1 and tags > 0))


def _block_units(lines: list[str]) -> list[Unit]:
    """Units of one block: table rows with their header, other lines joined or kept apart."""
    units, label, i = [], "", 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].strip().startswith("|"):
            j += 1
        if j > i:
            units += [Unit(t, label, row=True) for t in table_units(lines[i:j])]
            i = j
            continue
        while j < len(lines) and not lines[j].strip().startswith("|"):
            j += 1
        found, label = _text_units(lines[i:j], label)
        units += found
        i = j
    return units


def table_units(lines: list[str]) -> list[str]:
    """Table rows as statements that keep the column names; the separator row is dropped."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    header = rows[0] if len(rows) > 1 and _is_separator(lines[1]) else None
    body = [r for r in (rows[2:] if header else rows) if any(r)]
    return [_render_row(row, header) for row in body]


def _is_separator(line: str) -> bool:
    """Whether a table line is the |---|---| row under the header."""
    return set(line.strip()) <= _RULE and "-" in line


def _render_row(row: list[str], header: list[str] | None) -> str:
    """'name - column: value; column: value' (a row of a table without header: 'name - value; value')."""
    name, values = row[0], row[1:]
    names = (header or [])[1:] + [""] * len(values)
    pairs = [f"{_lower_first(h)}: {v}" if h else v for h, v in zip(names, values) if v]
    joined = "; ".join(pairs)
    return f"{name} - {joined}" if name and joined else name or joined


def _lower_first(word: str) -> str:
    """'Payload limit' -> 'payload limit', but 'GPU support' stays."""
    return word[0].lower() + word[1:] if len(word) > 1 and word[1].islower() else word


def _text_units(lines: list[str], label: str) -> tuple[list[Unit], str]:
    """Non-table lines as units, with the label line each sits under; returns the last label too."""
    pieces = _join_wrapped(lines) if _is_wrapped(lines) else _join_broken(lines)
    units = []
    for i, (raw, is_item) in enumerate(pieces):
        text = clean(raw)
        if not is_item and _is_label(raw, text, i + 1 < len(pieces) and pieces[i + 1][1]):
            label = text.rstrip(":").strip()
        for sentence in _SENTENCE_END.split(text):
            units.append(Unit(_with_label(sentence, label) if is_item else sentence, label))
    return units, label


def _is_wrapped(lines: list[str]) -> bool:
    """Whether a block is prose wrapped at a fixed width: the lines that a continuation line follows
    reach near the widest line (the last line of a paragraph or list item may be short)."""
    widths = [len(line.rstrip()) for line in lines]
    inner = [w for w, nxt in zip(widths, lines[1:]) if not _starts_block(nxt.strip())]
    if not inner or not WRAP_MIN <= max(widths) <= WRAP_MAX:
        return False
    if sum(bool(_DEFINES.match(line.strip())) for line in lines) * 2 >= len(lines):
        return False  # one "term -> meaning" per line: terse notes, not prose
    if len(lines) == 2:
        return widths[0] >= 60 and lines[0].rstrip()[-1] not in ".!?:"
    return sum(w >= 0.8 * max(widths) for w in inner) >= WRAP_SHARE * len(inner)


def _join_wrapped(lines: list[str]) -> list[tuple[str, bool]]:
    """Wrapped prose: every line continues the one before, except list items, headings, and lines
    after a hard break (two trailing spaces) or a heading."""
    pieces: list[list] = []  # text, is a list item, ends in a hard break, indentation
    for line in lines:
        text, indent = line.strip(), len(line) - len(line.lstrip())
        joins = (pieces and not _starts_block(text) and not pieces[-1][2] and indent >= pieces[-1][3]
                 and not pieces[-1][0].startswith("#"))
        if joins:
            pieces[-1][0:3] = [f"{pieces[-1][0]} {text}", pieces[-1][1], line.endswith("  ")]
        else:
            pieces.append([text, bool(_LIST_ITEM.match(text)), line.endswith("  "), indent])
    return [(text, item) for text, item, _, _ in pieces]


def _join_broken(lines: list[str]) -> list[tuple[str, bool]]:
    """Lines broken on purpose (terse notes, slides): each is a unit, unless it plainly continues the
    previous one (that one ends in a comma or a word such as 'and' or 'the')."""
    pieces: list[tuple[str, bool]] = []
    for line in lines:
        text = line.strip()
        last = pieces[-1][0].split()[-1].lower() if pieces and pieces[-1][0].split() else ""
        continues = pieces and not _starts_block(text) and (last.endswith(",") or last in _JOINERS)
        if (continues and text[:1].islower()) or (pieces and text.startswith(("->", "=>"))):
            pieces[-1] = (f"{pieces[-1][0]} {text}", pieces[-1][1])
        else:
            pieces.append((text, bool(_LIST_ITEM.match(text)) or line[:1].isspace()))
    return pieces


def _starts_block(text: str) -> bool:
    """A heading, quote or list item starts a new unit."""
    return text.startswith(("#", ">")) or bool(_LIST_ITEM.match(text))


def _is_label(raw: str, text: str, items_follow: bool) -> bool:
    """A heading, a lead-in line ending with a colon, or a short line without a full stop that list
    items or indented lines follow."""
    if raw.lstrip().startswith("#") or text.endswith(":"):
        return True
    return items_follow and len(text.split()) <= 6 and text[-1:] not in ".!?;,"


def _with_label(text: str, label: str) -> str:
    """A terse item with its label in front unless the item opens with the label's subject."""
    opening = set(content_words(" ".join(text.split()[:3])))
    if not label or set(content_words(label)) & opening or len(label.split()) > 6:
        return text
    return f"{label}: {text}"


def clean(text: str) -> str:
    """One unit's text without Markdown, list markers, dotted leaders, footnote digits or prompt tags."""
    text = _LIST_ITEM.sub("", text.strip().lstrip("#>").strip())
    text = _FOOTNOTE.sub("", _EMPHASIS.sub(r"\1", _MARKUP.sub("", text)))
    text = _LEADER.sub(": ", text)
    return re.sub(r"\s+", " ", text).strip(" -")
