"""Facts from Markdown comparison tables.

Two shapes: "need -> choice" tables (first column a situation, second the thing to choose) give
"Which metric fits this business situation: ...?"; tables of things with properties (first column
the thing) give "Which option has this payload limit: 1 GB?" for every value found in one row only.
"""

from __future__ import annotations

from langchain_core.documents import Document

from app.study.facts import Fact, kind_word, lower_first
from app.study.terms import Vocabulary, clean, header_kind

NEED_HEADERS = {"need", "situation", "question", "cue", "cue in the question", "task", "problem",
                "business situation", "scenario", "requirement", "use case", "goal", "workload", "symptom",
                "source and need", "data"}
THING_HEADERS = {"option", "tool", "technique", "strategy", "store", "storage or mode", "storage class",
                 "format", "approach", "monitor type", "service", "algorithm", "metric", "mode", "policy",
                 "method", "instance", "instance family", "feature", "model", "encoding"}
CHOICE_HEADERS = {"choose", "choice", "typical choice", "good first choice", "answer"}
VERB_COLUMNS = {"holds", "detects", "fits", "needs", "stores", "handles"}
# "Wrong choice when" and "often confused with" fit several rows at once: no single right answer
SKIPPED_COLUMNS = ("wrong", "confused", "watch out", "not for")
EMPTY_CELLS = {"", "-", "yes", "no", "none", "n/a", "varies", "any"}


def parse_tables(body: str) -> list[tuple[list[str], list[list[str]]]]:
    """Markdown tables as (header cells, rows of cells); rows with the wrong cell count are dropped."""
    tables, lines = [], []
    for line in body.splitlines() + [""]:
        if line.strip().startswith("|"):
            lines.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif lines:
            if len(lines) > 2 and set("".join(lines[1])) <= set("-: "):
                tables.append((lines[0], [r for r in lines[2:] if len(r) == len(lines[0])]))
            lines = []
    return tables


def table_facts(chunk: Document, body: str, vocab: Vocabulary) -> list[Fact]:
    """Facts from every table of a chunk."""
    facts = []
    for header, rows in parse_tables(body):
        first = clean(header[0]).lower() if header else ""
        if len(header) < 2 or len(rows) < 2:
            continue
        if first in NEED_HEADERS:
            facts += need_facts(chunk, header, rows, vocab)
        elif first in THING_HEADERS:
            facts += property_facts(chunk, header, rows, vocab)
    return facts


def row_text(header: list[str], row: list[str]) -> str:
    """A table row as the cited sentence: "Option: Batch Transform; Payload limit: ..."."""
    return "; ".join(f"{clean(h)}: {clean(c)}" for h, c in zip(header, row)) + "."


def choice_noun(header: str, kind: str) -> str:
    """What a need table's answer column holds: "metric", "cost lever", or the answer's kind."""
    label = clean(header)
    if label.lower() in CHOICE_HEADERS:
        return kind_word(kind) if kind != "concept" else "choice"
    return lower_first(label)


def need_facts(chunk: Document, header: list[str], rows: list[list[str]], vocab: Vocabulary) -> list[Fact]:
    """"Situation | Choose" rows: the situation is the stem, the choice is the answer."""
    hint = header_kind(header[1])
    group = [clean(r[1]) for r in rows]
    facts = []
    for row in rows:
        need, answer = clean(row[0]), clean(row[1])
        kind = vocab.kind_of(answer, hint)
        noun = choice_noun(header[1], kind)
        if clean(header[0]).lower() == "question" or need.endswith("?"):
            stem = f"Which {noun} answers this question: {lower_first(need.rstrip('?'))}?"
        else:
            stem = f"Which {noun} fits this {clean(header[0]).lower()}: {lower_first(need)}?"
        facts.append(Fact("table", stem, answer, kind, row_text(header, row), chunk, need=need,
                          group=[g for g in group if g != answer]))
    return facts


def property_facts(chunk: Document, header: list[str], rows: list[list[str]], vocab: Vocabulary) -> list[Fact]:
    """"Option | Payload limit | ..." rows: a value found in one row only points to that row's thing."""
    names = [clean(r[0]) for r in rows]
    noun = lower_first(clean(header[0]))
    hint = header_kind(header[0])
    facts = []
    for col in range(1, len(header)):
        if any(word in header[col].lower() for word in SKIPPED_COLUMNS):
            continue
        values = [clean(r[col]) for r in rows]
        for name, value, row in zip(names, values, rows):
            if value.lower() in EMPTY_CELLS or values.count(value) > 1:
                continue
            facts.append(Fact("table", property_stem(noun, clean(header[col]), value), name,
                              vocab.kind_of(name, hint), row_text(header, row), chunk,
                              need=value, group=[n for n in names if n != name]))
    return facts


def property_stem(noun: str, column: str, value: str) -> str:
    """"Which option is best for steady traffic?", "Which store holds ...?", "Which option has this time limit: 60 s?"."""
    label = column.lower()
    value = lower_first(value)
    if label.startswith(("best for", "used for", "good for")):
        return f"Which {noun} is {label} {value}?"
    if label in VERB_COLUMNS:
        return f"Which {noun} {label} {value}?"
    if label in {"choose it when", "when to use", "use when"}:
        return f"Which {noun} should you choose for this case: {value}?"
    if label == "what it is for":
        return f"Which {noun} matches this purpose: {value}?"
    if label.startswith("wrong choice when"):
        return f"Which {noun} is the wrong choice when {value}?"
    if len(label.split()) > 3:
        return f"Which {noun} is described by \"{label}: {value}\"?"
    plural = label.endswith("s") and not label.endswith(("ss", "us", "is"))
    return f"Which {noun} has {'these' if plural else 'this'} {label}: {value}?"
