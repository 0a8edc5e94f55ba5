"""Prompt rendering of hunks: numbering and the enclosing function."""

from reviewers.context import enclosing_context, render_hunk
from tests.unit.build import file_diff, hunk

SOURCE = """import os


class Store:
    def load(self, path):
        data = open(path).read()
        if not data:
            return None
        return data.strip()
"""


def test_enclosing_function_is_found_above_the_hunk() -> None:
    h = hunk("s.py", 7, 7, "-        if data:", "+        if not data:", "             return None")
    assert enclosing_context(SOURCE, h) == [
        (5, "    def load(self, path):"),
        (6, "        data = open(path).read()"),
    ]


def test_top_level_hunk_has_no_context() -> None:
    assert enclosing_context(SOURCE, hunk("s.py", 1, 1, "+import os")) == []


def test_render_numbers_right_lines_and_marks_removed_as_left() -> None:
    h = hunk("s.py", 7, 7, "-        if data:", "+        if not data:", "             return None")
    text = render_hunk(file_diff("s.py", h), h, SOURCE)
    assert "File: s.py (modified)" in text
    assert text.splitlines()[-5:] == [
        "       6         data = open(path).read()",
        "Diff:",
        "- L7             if data:",
        "+      7         if not data:",
        "       8             return None",
    ]
    assert "       5     def load(self, path):" in text
