"""Hostile files: each is ingested or named with a one-line reason, and nothing already stored is lost.

All inputs are generated at test time under tmp_path (tests/hostile.py); peak memory of real
ingests is measured in tests/test_hostile_memory.py.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from app.cli import app
from ingest.chunk import chunk_file
from ingest.files import BROKEN_LINK, discover
from ingest.index import ingest_paths
from ingest.load import TITLE_MAX, LoadError, load_file
from app.store.chroma import open_collection, stored_files
from tests.hostile import (EXPECTED, GOOD_NOTE, MB, hostile_files, make_deep_folders, make_symlinks,
                           write_big_text, write_many_pages_pdf, write_padded_pdf)
from tests.pdfs import write_pdf

LINKS = {"dangling.md": BROKEN_LINK, "ping.md": BROKEN_LINK, "pong.md": BROKEN_LINK}


def load(path: Path, max_file_mb: float = 60, max_text_mb: float = 10):
    """load_file with limits given in MB, as the settings give them."""
    return load_file(path, path.name, int(max_file_mb * MB), int(max_text_mb * MB))


def outcome(path: Path) -> str:
    """'ok' when a file loads and chunks, else its LoadError reason (which must be one line)."""
    try:
        chunks = chunk_file(load(path), 1200, 150)
    except LoadError as exc:
        assert "\n" not in str(exc)
        return str(exc)
    assert chunks and all(len(c.text) <= 1200 + 2 * TITLE_MAX + 10 for c in chunks)
    return "ok"


def by_name(report, status: str) -> dict[str, str]:
    """File name -> reason (or chunk count) of the report's files with this status."""
    return {f.source.rsplit("/", 1)[-1]: f.reason or f.chunks for f in report.files if f.status == status}


def assert_reasons(report, expected: dict[str, str]) -> None:
    """Exactly the expected files failed, each reason containing the expected text."""
    got = by_name(report, "failed")
    assert set(got) == set(expected)
    assert {n: got[n] for n, reason in expected.items() if reason not in got[n]} == {}


# --- loaders and chunker, no store --------------------------------------------------------------


def test_each_hostile_file_loads_or_names_its_reason(tmp_path):
    hostile_files(tmp_path)
    got = {name: outcome(tmp_path / name) for name in EXPECTED}
    assert {n: got[n] for n, reason in EXPECTED.items() if reason not in got[n]} == {}
    assert load(tmp_path / "utf16.md").title == "UTF-16 note"
    assert "Amazon Polly" in load(tmp_path / "utf32.txt").parts[0].text
    assert load(tmp_path / "alias-bomb.md").title == "Alias bomb"  # list-valued title ignored
    assert len(load(tmp_path / "long-heading.md").title) == TITLE_MAX


def test_deep_headings_keep_a_bounded_heading_path(tmp_path):
    from tests.hostile import deep_headings

    path = tmp_path / "deep.md"
    path.write_text(deep_headings(200))
    chunks = chunk_file(load(path), 1200, 150)
    assert len({c.heading for c in chunks}) == 4  # h1-h4 make the path; h5/h6 stay in the text
    assert all("Level 4 heading" in c.heading for c in chunks if "depth 4" in c.text)
    assert all(len(c.heading) <= TITLE_MAX for c in chunks)


def test_text_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = write_big_text(tmp_path / "big.txt", 50)
    tracemalloc.start()
    with pytest.raises(LoadError) as info:
        load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = path.stat().st_size / MB
    assert str(info.value) == f"too much text: {size:.1f} MB is over the 10 MB limit (TUTOR_MAX_TEXT_MB)"
    assert peak < MB  # refused from its size alone


def test_file_over_the_byte_limit_is_refused(tmp_path):
    path = write_padded_pdf(tmp_path / "padded.pdf", 25)
    size = path.stat().st_size / MB
    with pytest.raises(LoadError, match=re.escape(f"file too large: {size:.1f} MB is over the 20 MB "
                                                  "limit (TUTOR_MAX_FILE_MB)")):
        load(path, max_file_mb=20)
    loaded = load(path)  # under the default 60 MB: the padding is not text, one page is
    assert [p.page for p in loaded.parts] == [1] and "guardrails" in loaded.parts[0].text


@pytest.fixture(scope="module")
def thousands_of_pages(tmp_path_factory) -> Path:
    """A 2,000-page PDF, one short line per page (written once for the module)."""
    return write_many_pages_pdf(tmp_path_factory.mktemp("pdf") / "pages.pdf", 2000)


def test_two_thousand_page_pdf_loads_every_page(thousands_of_pages):
    loaded = load(thousands_of_pages)
    assert [p.page for p in loaded.parts] == list(range(1, 2001))
    assert "check number 2000" in loaded.parts[-1].text


def test_pdf_text_limit_stops_extraction_early(thousands_of_pages):
    with pytest.raises(LoadError, match=r"too much text: over 0\.02 MB by page \d+ of 2000 "
                                        r"\(TUTOR_MAX_TEXT_MB\)"):
        load(thousands_of_pages, max_text_mb=0.02)


def test_text_without_whitespace_chunks_in_bounded_memory(tmp_path):
    """CJK notes have no spaces; 3 million such characters once cost the splitter ~300 MB."""
    cjk = os.urandom(3 * MB).decode("latin-1").translate({i: 0x4E00 + i for i in range(256)})
    path = tmp_path / "cjk.txt"
    path.write_text(cjk)
    loaded = load(path, max_text_mb=20)
    tracemalloc.start()
    chunks = chunk_file(loaded, 1200, 150)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "".join(c.text.partition("\n\n")[2].replace("\n", "") for c in chunks) == cjk
    assert all(len(c.text.partition("\n\n")[2]) <= 1200 for c in chunks)
    assert peak < 60 * MB, f"chunking 3M characters peaked at {peak / MB:.0f} MB"


@pytest.mark.parametrize("unit", ["<a ", "<a b='", "<!--", "<![CDATA[", "&#", "<script>"])
def test_unclosed_html_parses_in_linear_time(tmp_path, unit):
    """300 KB of unfinished tags; HTMLParser.close() once spent hours re-scanning them."""
    path = tmp_path / "unclosed.html"
    path.write_text("<p>Amazon Macie finds sensitive data.</p>" + unit * (300_000 // len(unit)))
    start = time.perf_counter()
    assert "Macie" in load(path).parts[0].text
    assert time.perf_counter() - start < 10


def test_html_keeps_text_after_an_unfinished_entity(tmp_path):
    path = tmp_path / "tail.html"
    path.write_text("<p>Glue &amp; Athena &#169")
    assert load(path).parts[0].text == "Glue & Athena ©"


def test_symlink_loops_and_deep_folders_are_walked_safely(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    make_symlinks(folder)
    deep = make_deep_folders(folder, 50)
    found, _, bad = discover([folder])
    assert [path for path, _ in found] == [deep]
    assert {r.source.rsplit("/", 1)[-1]: r.reason for r in bad} == LINKS
    _, _, direct = discover([folder / "dangling.md", folder / "nowhere.md"])
    assert [r.reason for r in direct] == [BROKEN_LINK, "no such file or directory"]


# --- property: arbitrary bytes never crash a loader ---------------------------------------------

MARKUP = st.lists(st.sampled_from(["<", ">", "</", "<![", "[", "]]>", "<!--", "-->", "<h1>", "</h2>",
                                   "&#", "&#x", "0;", "D800;", ";", "---\n", "title: ", "[", "&a",
                                   "# ", "\n", "\x00", "\x01", "<script>", "é", "\ud7ff", "a b"]),
                  max_size=60).map("".join)
CONTENT = st.one_of(st.binary(max_size=3000), MARKUP.map(lambda t: t.encode("utf-8", "replace")),
                    st.text(max_size=500).map(lambda t: t.encode("utf-16", "surrogatepass")))


@given(CONTENT, st.sampled_from([".md", ".txt", ".html"]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_bytes_load_or_fail_with_one_line(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            chunks = chunk_file(load(path), 400, 50)
        except LoadError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
    for chunk in chunks:
        assert "\x00" not in chunk.text
        chunk.text.encode("utf-8")  # no lone surrogates: Chroma and hashing need real UTF-8


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_damaged_pdfs_load_or_fail_with_one_line(data):
    with tempfile.TemporaryDirectory() as folder:
        path = write_pdf(Path(folder) / "x.pdf", ["Amazon Kendra indexes documents.", "Page two."])
        raw = bytearray(path.read_bytes())
        for _ in range(data.draw(st.integers(1, 8))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
        path.write_bytes(bytes(raw[: data.draw(st.integers(1, len(raw)))]))
        try:
            load(path)
        except LoadError as exc:
            assert "\n" not in str(exc)


# --- a real store: hostile files beside a good note ---------------------------------------------


def run_cli_ingest(folder: Path, store: Path, **env) -> tuple[list[str], str]:
    """`tutor ingest` through typer's runner; returns the 'skipped' lines and the summary line."""
    result = CliRunner().invoke(app, ["ingest", str(folder), "--quiet"],
                                env={"TUTOR_STORE_PATH": str(store), **env})
    assert result.exit_code == 0, result.output
    *skipped, summary = result.output.strip().splitlines()
    assert all(line.startswith("skipped ") for line in skipped)  # nothing else, no tracebacks
    return skipped, summary


def assert_store_consistent(settings) -> dict[str, dict]:
    """No duplicate ids; manifest and BM25 ids agree with Chroma; returns stored files."""
    from app.store.bm25 import bm25_dir

    ids = open_collection(settings).get(include=[])["ids"]
    assert len(ids) == len(set(ids))
    assert sorted(json.loads((bm25_dir(settings) / "ids.json").read_text())) == sorted(ids)
    files = stored_files(open_collection(settings))
    manifest = json.loads((settings.store_path / "manifest.json").read_text())
    assert {s: m["chunks"] for s, m in manifest.items()} == {s: len(e["ids"]) for s, e in files.items()}
    return files


def test_hostile_folder_reports_one_line_each_and_loses_nothing(in_tmp, make_settings):
    settings = make_settings(embedding_model="fake")
    folder = in_tmp / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_NOTE)
    (folder / "spoilt.md").write_text(GOOD_NOTE.replace("Feature Store", "Model Registry"))
    ingest_paths([folder], settings, show_bar=False)
    before = {s: sorted(e["ids"]) for s, e in stored_files(open_collection(settings)).items()}

    hostile_files(folder)
    make_symlinks(folder)
    make_deep_folders(folder, 50)
    (folder / "spoilt.md").write_bytes(b"\x00" * 100)  # a stored note overwritten with junk
    skipped, summary = run_cli_ingest(folder, settings.store_path, TUTOR_EMBEDDING_MODEL="fake")
    bad = {n: r for n, r in EXPECTED.items() if r != "ok"} | LINKS | {"spoilt.md": "binary file"}
    assert len(skipped) == len(bad)
    for name, reason in bad.items():
        line = next(line for line in skipped if line.startswith(f"skipped notes/{name}: "))
        assert reason in line
    ok = [n for n, r in EXPECTED.items() if r == "ok"] + ["deep.md"]
    assert f"{len(ok)} added, 0 updated, 1 unchanged, 0 removed, {len(bad)} failed" in summary

    files = assert_store_consistent(settings)
    for source, ids in before.items():  # the junk overwrite keeps the last good version's chunks
        assert sorted(files[source]["ids"]) == ids
    assert {s.rsplit("/", 1)[-1] for s in files} == {"good.md", "spoilt.md", *ok}
    again = ingest_paths([folder], settings, show_bar=False)
    assert again.embedded == 0 and assert_store_consistent(settings) == files
    assert_reasons(again, bad)


def test_undecodable_and_multiline_file_names_are_named_on_one_line(in_tmp, make_settings):
    settings = make_settings(embedding_model="fake")
    folder = in_tmp / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_NOTE)
    (folder / "two\nlines.md").write_text("# Two lines\n\nA note with a newline in its name.\n")
    os.mkdir(os.path.join(os.fsencode(folder), b"caf\xe9"))
    Path(os.fsdecode(os.path.join(os.fsencode(folder), b"caf\xe9", b"menu.md"))).write_text("# Menu\n\nText.\n")
    report = ingest_paths([folder], settings, show_bar=False)
    assert by_name(report, "added") == {"good.md": 1}
    failed = {f.source: f.reason for f in report.files if f.status == "failed"}
    root = folder.resolve().as_posix()
    assert set(failed) == {f"{root}/two\\nlines.md", f"{root}/caf\\xe9/menu.md"}
    assert all("rename the file" in reason for reason in failed.values())


def test_ten_thousand_tiny_files(in_tmp, make_settings):
    settings = make_settings(embedding_model="fake")
    folder = in_tmp / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_NOTE)
    ingest_paths([folder], settings, show_bar=False)
    for n in range(10_000):
        (folder / f"tiny-{n:05d}.md").write_text(f"# Tiny {n}\n\nTiny note number {n}.\n")
    start = time.perf_counter()
    report = ingest_paths([folder], settings, show_bar=False)
    seconds = time.perf_counter() - start
    assert report.count("added") == 10_000 and report.count("unchanged") == 1
    assert report.embedded == 10_000 and report.total_chunks == 10_001
    assert seconds < 120, f"10,000 tiny files took {seconds:.0f} s"
    assert len(assert_store_consistent(settings)) == 10_001
    again = ingest_paths([folder], settings, show_bar=False)
    assert again.embedded == 0 and again.count("unchanged") == 10_001


@pytest.mark.slow
def test_real_ingest_beside_hostile_files_still_answers(in_tmp, make_settings):
    from app.rag.retrieval import HybridRetriever
    from app.store import Store

    settings = make_settings()
    folder = in_tmp / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_NOTE)
    first = ingest_paths([folder], settings, show_bar=False)
    hostile_files(folder)
    make_symlinks(folder)
    report = ingest_paths([folder], settings, show_bar=False)
    assert_reasons(report, {n: r for n, r in EXPECTED.items() if r != "ok"} | LINKS)
    assert by_name(report, "unchanged") == {"good.md": first.total_chunks}
    files = assert_store_consistent(settings)
    assert report.total_chunks == sum(len(e["ids"]) for e in files.values())
    hits = HybridRetriever(store=Store(settings)).search("Which store gives low-latency feature lookups at inference?", 3)
    assert hits and hits[0].metadata["source"].endswith("/notes/good.md")
