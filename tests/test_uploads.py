"""Upload names and limits (pure functions)."""

from __future__ import annotations

import pytest

from app.ui.uploads import UploadError, safe_name, save_upload


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.md", "passwd.md"), ("..\\..\\win.md", "win.md"), ("a/b/c.MD", "c.md"),
    ("<script>.md", "_script_.md"), ("...", "note"), ("  .hidden.md", "hidden.md"), ("x\x00y.txt", "x_y.txt")])
def test_safe_name_strips_folders_and_odd_characters(name, expected):
    assert safe_name(name) == expected


def test_save_upload_stays_inside_the_folder_and_enforces_limits(tmp_path):
    folder = tmp_path / "notes"
    saved = save_upload(folder, "../../../outside.md", b"# hi\ntext")
    assert saved.parent == folder.resolve() and not (tmp_path / "outside.md").exists()
    with pytest.raises(UploadError, match="file type .exe"):
        save_upload(folder, "tool.exe", b"MZ")
    with pytest.raises(UploadError, match="over the 1 MB limit"):
        save_upload(folder, "big.txt", b"x" * (2 * 1024 * 1024), max_mb=1)
    with pytest.raises(UploadError, match="empty"):
        save_upload(folder, "blank.md", b"  ")


def test_practice_progress_persists_and_favours_misses(tmp_path):
    from app.study.bank import Question
    from app.study.practice import Progress, grade, session_report

    bank = [Question(f"q{i}", "D1" if i < 5 else "D3", f"question {i}", {"A": "a", "B": "b", "C": "c", "D": "d"},
                     ["A"], [f"corpus/n{i}.md"]) for i in range(10)]
    first = Progress(tmp_path / "practice.sqlite")
    for q in bank[:5]:
        first.record(q, grade(q, ["B"]))          # every D1 question missed
    for q in bank[5:]:
        first.record(q, grade(q, ["A"]))          # every D3 question right
    again = Progress(tmp_path / "practice.sqlite")  # a restart: same file, new connection
    assert again.domain_accuracy() == {"D1": 0.0, "D3": 1.0}
    picked = again.pick(bank, [], 5, seed=1)
    assert {q.domain for q in picked} == {"D1"}   # the missed domain and questions come first
    scores, revisit = session_report([(bank[0], False), (bank[6], True)])
    assert scores == {"D1": (0, 1), "D3": (1, 1)} and revisit == ["corpus/n0.md"]


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                     "![x](http://evil/t.png)", "[click](javascript:alert(1))"])
def test_note_and_answer_text_is_never_rendered_raw(hostile):
    from app.ui.common import safe_markdown

    shown = safe_markdown(f"Serverless Inference scales to zero. {hostile}")
    assert "<script" not in shown and "<img" not in shown  # tags arrive as text, not HTML
    assert "](" not in shown  # no live image or link syntax survives
    assert shown.startswith("Serverless Inference scales to zero.")
