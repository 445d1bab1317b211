"""Upload names and limits (pure functions)."""

from __future__ import annotations

import pytest

from app.uploads import UploadError, safe_name, save_upload


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
