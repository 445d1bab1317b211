"""HTML to Markdown-like text for ingest/load.py: headings become '#' lines, tables Markdown tables,
scripts and styles are dropped, and markup never reaches a note's text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

MARKUP_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,500})?/?>")


def strip_markup(text: str) -> str:
    """Drop tags that escaped markup (&lt;b&gt;) decoded into: notes keep words, never markup."""
    return MARKUP_TAG.sub(" ", text)


class HtmlToText(HTMLParser):
    """Collect visible text; h1-h6 become '#' headings, tables Markdown tables, block tags line breaks."""

    BLOCKS = {"p", "div", "li", "br", "tr", "section", "article", "pre", "table", "ul", "ol"}
    HIDDEN = {"script", "style", "noscript", "template"}
    CELLS = {"td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title = ""
        self._hidden = 0
        self._in_title = False
        self._rows: list[int] = []  # per open table: rows seen (the header rule follows the first)
        self._row: list[str] = []  # tags of the cells of the row being read

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "title":
            self._in_title = True
        elif self._rows and tag in self.CELLS | {"tr", "table"}:
            self.start_table_part(tag)
        elif self._in_row():
            self.out.append(" ")  # a cell's paragraphs and headings stay on its row's one line
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "table":
            self.start_table_part(tag)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "title":
            self._in_title = False
        elif self._rows and tag in self.CELLS | {"tr", "table"}:
            self.end_table_part(tag)
        elif self._in_row():
            self.out.append(" ")
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS:
            self.out.append("\n")

    def start_table_part(self, tag: str) -> None:
        """A table opens a Markdown table; a row a '|' line; a cell its text."""
        if tag == "table":
            self._rows.append(0)
            self.out.append("\n\n")
        elif tag == "tr":
            self.close_row()
            self.out.append("\n|")
        else:
            self._row.append(tag)
            self.out.append(" ")

    def end_table_part(self, tag: str) -> None:
        """A cell ends with ' |'; a table ends its last row and a blank line."""
        if tag in self.CELLS:
            self.out.append(" |")
        elif tag == "tr":
            self.close_row()
        else:
            self.close_row()
            self._rows.pop()
            self.out.append("\n\n")

    def close_row(self) -> None:
        """After a table's first row of header cells, the |---| rule that marks it as the header."""
        if not self._row:
            return
        if self._rows[-1] == 0 and all(cell == "th" for cell in self._row):
            self.out.append("\n|" + "---|" * len(self._row))
        self._rows[-1] += 1
        self._row = []

    def _in_row(self) -> bool:
        """Inside a table row that has begun its cells (its text stays on the row's one line)."""
        return bool(self._rows and self._row)

    def handle_data(self, data):
        if self._hidden:
            return
        if self._in_title:
            self.title += data
        elif self._in_row():
            self.out.append(re.sub(r"\s+", " ", data).replace("|", "/"))  # a pipe would split the cell
        elif not (self._rows and data.isspace()):  # layout between a table's tags would split it
            self.out.append(data)

    def leftover(self) -> str:
        """Text feed() kept back after an unfinished tag, with tag-like runs blanked (linear)."""
        if self._hidden:
            return ""
        return html.unescape(re.sub(r"<[^<>]*>?", " ", self.rawdata))

    def markdown(self) -> str:
        """The collected text with runs of blank lines folded."""
        text = strip_markup("".join(self.out) + self.leftover())
        text = re.sub(r"[ \t]+", " ", text)
        return re.sub(r"\n\s*\n+", "\n\n", text).strip()
