"""End to end in a real headless Chromium (Debian's package, driven by Playwright) against `tutor ui`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.index import ingest_paths
from tests.conftest import ROOT, make_settings_at
from tests.servers import free_port, running

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = Path("/usr/bin/chromium")
OPTION_LABEL = re.compile(r"^[A-H]\) ")  # "A) ...": an answer option, not "I guessed" or "Flag for review"
ARTIFACTS = ROOT / "test-artifacts"
NOTE = ("# Zebra Lantern\n\nThe Zebra Lantern pattern keeps a warm copy of the feature cache beside "
        "every SageMaker endpoint instance.\n")


@pytest.fixture(scope="module")
def ui_url(tmp_path_factory):
    """`tutor ui` on a free port over a freshly ingested copy of the corpus, with the bundled model."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: .ci/run installs it with apt-get")
    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    env = {**os.environ, "TUTOR_STORE_PATH": str(root / ".tutor/store"), "TUTOR_NOTES_PATH": str(root / ".tutor/notes"),
           "TUTOR_CORPUS_PATH": "corpus", "HF_HUB_OFFLINE": "1"}
    cwd = os.getcwd()
    os.chdir(root)
    try:
        ingest_paths([Path("corpus")], make_settings_at(root, store_path=root / ".tutor/store",
                                                         corpus_path=Path("corpus")), show_bar=False)
    finally:
        os.chdir(cwd)
    port = free_port()
    tutor = Path(sys.executable).with_name("tutor")
    command = [str(tutor), "ui", "--host", "127.0.0.1", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/_stcore/health", root / "ui.log", cwd=root, env=env):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chrome
        chrome.close()


@pytest.fixture
def page(browser, ui_url, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(120_000)
    tab.goto(ui_url)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:  # what the page showed when the test gave up
        shot(tab, f"failed-{request.node.name}")
    context.close()


def shot(tab, name: str) -> None:
    """Save a screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(tab, question: str) -> None:
    """Type a question into the chat input and wait for the cited answer."""
    box = tab.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    tab.get_by_test_id("stExpander").first.wait_for()
    tab.wait_for_load_state("networkidle")


def test_ask_a_question_and_see_a_cited_answer(page):
    ask(page, "Which SageMaker inference option fits payloads of 500 MB that can wait a few minutes?")
    text = page.get_by_test_id("stChatMessage").last.inner_text()
    assert "[1]" in text and "Asynchronous Inference" in text
    shot(page, "chat-cited-answer")


def test_upload_a_note_and_get_an_answer_citing_it(page):
    page.get_by_role("link", name="Your notes").click()
    page.locator("input[type=file]").set_input_files(files=[{"name": "zebra-lantern.md", "mimeType": "text/markdown",
                                                                "buffer": NOTE.encode()}])
    page.get_by_role("button", name="Ingest uploaded notes").click()
    page.get_by_text("1 added").wait_for()
    shot(page, "notes-uploaded")
    page.get_by_role("link", name="Chat").click()
    ask(page, "What does the Zebra Lantern pattern keep beside every endpoint instance?")
    chips = page.get_by_test_id("stExpander").all_inner_texts()
    assert any("zebra-lantern.md" in chip for chip in chips), chips
    shot(page, "chat-cites-uploaded-note")


def test_finish_a_three_question_practice_session(page):
    page.get_by_role("link", name="Practice").click()
    slider = page.get_by_role("slider")
    slider.focus()
    for _ in range(2):
        slider.press("ArrowLeft")  # 5 -> 3 questions
    page.get_by_role("button", name="Start session").click()
    for number in range(1, 4):
        page.get_by_text(f"Question {number} of 3").wait_for()
        pick_first_options(page)
        page.get_by_role("button", name="Submit answer").click()
        page.get_by_role("button", name="Next question").wait_for()
        if number == 1:
            shot(page, "practice-graded")
        page.get_by_role("button", name="Next question").click()
    page.get_by_text("Session score").wait_for()
    shot(page, "practice-summary")


def pick_first_options(page) -> None:
    """Pick the first option (the first N boxes on a "choose N" question) until Submit is enabled.

    A pick made while Streamlit is still re-running the page can land on an element that the run then
    replaces; picking again, as a user would, is what makes this reliable (one flaky run in CI).
    """
    from playwright.sync_api import expect

    wait_for_options(page)
    submit = page.get_by_role("button", name="Submit answer")
    for _ in range(3):
        radios = page.get_by_role("radio")
        if radios.count():
            radios.first.check(force=True)  # Streamlit styles the real input as hidden
        elif not tick_options(page):  # a select-two (or three) question: tick as many boxes as it asks for
            continue
        try:
            expect(submit).to_be_enabled(timeout=10_000)
            return
        except AssertionError:
            continue
    expect(submit).to_be_enabled(timeout=1_000)


def wait_for_options(page) -> None:
    """Wait until the options show: a radio group, or the "Choose N." caption of checkbox options
    (the "I guessed" and "Flag for review" boxes alone do not tell which kind of question it is)."""
    page.get_by_role("radio").or_(page.get_by_text(re.compile(r"^Choose \d\.$"))).first.wait_for()


def boxes_asked(page) -> int:
    """N of the "Choose N." caption of a multiple-response question."""
    caption = page.get_by_text(re.compile(r"^Choose \d\.$")).first
    caption.wait_for()
    return int(caption.inner_text().split()[1].rstrip("."))


def tick_options(page) -> bool:
    """Tick the first N option boxes of a "Choose N." question; False when a re-run replaced them.

    Boxes are found by their "A) " labels and looked up again for each tick: a list taken before the
    first tick's re-run may name boxes that are gone or are the "Flag for review" box (CI timed out on
    such a stale box once)."""
    options = page.get_by_role("checkbox", name=OPTION_LABEL)
    try:
        for index in range(boxes_asked(page)):
            options.nth(index).check(force=True, timeout=15_000)
    except Exception:  # playwright's TimeoutError: pick again on the next round
        return False
    return True


def test_finish_a_ten_question_mock_exam_then_see_the_study_plan(page):
    page.get_by_role("link", name="Mock exam").click()
    for label, value in (("Questions", "10"), ("Minutes", "30")):  # shortened; a slow CI run must not run out
        field = page.get_by_label(label)
        field.fill(value)
        field.press("Enter")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Start mock exam").click()
    for number in range(1, 11):
        page.get_by_text(f"Question {number} of 10").wait_for()
        pick_mock_option(page, number)
        if number == 3:
            page.get_by_text("Flag for review").click()
            page.get_by_text("1 flagged for review").wait_for()
            shot(page, "mock-exam-question")
        if number < 10:
            go_next(page, number + 1)
    page.get_by_role("button", name="Finish exam").click()
    page.get_by_text("By task statement").wait_for()
    page.get_by_text("Missed questions").wait_for()
    page.wait_for_load_state("networkidle")
    report = page.get_by_test_id("stMain").inner_text()
    assert "of 10 correct" in report and "pass mark 720" in report and "By task statement" in report
    shot(page, "mock-exam-report")
    page.get_by_role("link", name="Study plan").click()
    page.get_by_text("Read:").first.wait_for()
    plan = page.get_by_test_id("stMain").inner_text()
    assert "Recall (FSRS)" in plan and "due" in plan  # the mock's answers are now scheduled
    shot(page, "study-plan")
    with page.expect_popup() as opened:  # Markdown links open a new tab, the plan stays where it was
        page.locator("a[href*='note?chunk=']").first.click()  # "Read: <note section>"
    note = opened.value
    note.set_default_timeout(120_000)
    note.get_by_text("Note section").wait_for()
    note.get_by_text(" · domain ").first.wait_for()
    assert "not in the store" not in note.get_by_test_id("stMain").inner_text()
    shot(note, "note-section")


def go_next(page, number: int) -> None:
    """Click Next until question `number` shows: a click during a re-run can be swallowed (see above),
    and a slow re-run must not make us click twice, so look again before each new click."""
    for _ in range(3):
        if page.get_by_text(f"Question {number - 1} of 10").count():
            page.get_by_role("button", name="Next").click()
        try:
            page.get_by_text(f"Question {number} of 10").wait_for(timeout=20_000)
            return
        except Exception:  # playwright's TimeoutError: look again, click again if still on the old one
            continue
    page.get_by_text(f"Question {number} of 10").wait_for()


def pick_mock_option(page, number: int) -> None:
    """Pick the first option (the first N boxes on a "choose N" question) of mock question `number`
    and wait until the page counts it as answered; a pick swallowed by a re-run is made again."""
    wait_for_options(page)
    counted = page.get_by_text(re.compile(rf"^{10 - number} unanswered"))
    for _ in range(3):
        radios = page.get_by_role("radio")
        if radios.count():
            radios.first.check(force=True)
        elif not tick_options(page):
            continue
        try:
            counted.wait_for(timeout=20_000)
            return
        except Exception:  # playwright's TimeoutError: the click landed on a replaced element
            continue
    counted.wait_for()
