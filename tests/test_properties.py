"""Property-based tests (hypothesis) on the option parser, the sentence splitter and the chunker."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.rag.exam import parse_exam
from app.rag.text import split_sentences
from ingest.chunk import chunk_file
from ingest.load import LoadedFile, Part

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000)
WORDS = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=8), min_size=1, max_size=12).map(" ".join)


@given(TEXT)
@settings(max_examples=200, deadline=None)
def test_parse_exam_never_crashes_and_is_consistent(text):
    exam = parse_exam(text)
    if exam is not None:
        assert len(exam.options) >= 3 and exam.picks in (1, 2, 3)
        assert list(exam.options) == [chr(ord("A") + i) for i in range(len(exam.options))]


@given(st.lists(WORDS, min_size=3, max_size=5), st.sampled_from(["{l}) {t}", "{l}. {t}", "({l}) {t}"]),
       st.booleans())
@settings(max_examples=100, deadline=None)
def test_parse_exam_reads_generated_questions(options, style, two):
    stem = "Which option fits the scenario?" + (" (Select TWO.)" if two else "")
    text = stem + "\n" + "\n".join(style.format(l=chr(65 + i), t=t) for i, t in enumerate(options))
    exam = parse_exam(text)
    assert exam is not None and list(exam.options.values()) == options and exam.picks == (2 if two else 1)


@given(TEXT)
@settings(max_examples=200, deadline=None)
def test_split_sentences_returns_trimmed_non_empty_pieces(text):
    for sentence in split_sentences(text):
        assert sentence and sentence == sentence.strip() and "\n" not in sentence


@given(st.lists(st.tuples(st.integers(1, 4), WORDS, st.lists(WORDS, max_size=30).map(". ".join)), max_size=15))
@settings(max_examples=100, deadline=None)
def test_chunker_keeps_every_word_in_order_and_bounds_size(sections):
    body = "\n\n".join(f"{'#' * level} {title}\n\n{text}" for level, title, text in sections) or "x"
    loaded = LoadedFile("notes/x.md", "X", "markdown", [Part(body)])
    chunks = chunk_file(loaded, 400, 50)
    for chunk in chunks:
        assert len(chunk.text.partition("\n\n")[2]) <= 400  # the body after the "Title > heading" label
    words = [w for _, _, text in sections for w in text.replace(".", " ").split()]
    joined = " ".join(c.text for c in chunks)
    assert all(w in joined for w in words)
