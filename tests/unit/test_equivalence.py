"""Equivalence: base text rebuilt from head + diff, and the syntax comparison per language."""

from __future__ import annotations

import pytest

from reviewers.equivalence import SAME, base_text, same_syntax, spans
from reviewers.models import FileStatus
from tests.unit.test_triage import make_file

BASE = "a = 1\nb = 2\nc = 3\nd = 4\n"
HEAD = "a = 1\nb = 20\nc = 3\nd = 4\ne = 5\n"


def test_base_text_is_rebuilt_from_head_and_diff() -> None:
    file = make_file("m.py", [" a = 1", "-b = 2", "+b = 20", " c = 3"])
    file2 = make_file("m.py", [" d = 4", "+e = 5"], start=4)
    both = type(file)(file.path, None, FileStatus.MODIFIED, (file.hunks[0], file2.hunks[0]))
    assert base_text(both, HEAD) == BASE


def test_base_text_refuses_a_head_that_disagrees_with_the_diff() -> None:
    file = make_file("m.py", [" a = 1", "-b = 2", "+b = 21", " c = 3"])
    assert base_text(file, HEAD) is None


def test_spans_of_a_pure_insertion_mark_the_insertion_point() -> None:
    old, new = spans(make_file("m.py", [" a = 1", "+x = 0", " b = 2"], start=7).hunks[0])
    assert (old.lo, old.hi) == (8, 7)  # between old lines 7 and 8
    assert (new.lo, new.hi) == (8, 8)


@pytest.mark.parametrize(
    ("path", "lines", "same"),
    [
        ("a.go", ["-x := f(a, b)", "+x := f(", "+\ta,", "+\tb,", "+)"], True),
        ("a.go", ["-x := f(a, b)", "+x := f(b, a)"], False),
        ("a.java", [" int f() {", "-  // old", "+  // new", "   return 1;", " }"], True),
        ("a.rs", ['-let s = "a";', '+let s = "b";'], False),
        ("a.js", ["-const a = 'x';", '+const a = "x";'], True),
        ("a.js", ["-const a = 'x';", "+const a = 'x y';"], False),
        ("a.ts", ["-f(a, b,);", "+f(a, b);"], True),
        ("a.rb", ["-x = 1 # one", "+x = 1 # uno"], True),
    ],
)
def test_tree_sitter_fragments(path: str, lines: list[str], same: bool) -> None:
    file = make_file(path, lines)
    language = {"go": "go", "java": "java", "rs": "rust", "js": "javascript", "ts": "typescript",
                "rb": "ruby"}[path.rsplit(".", 1)[1]]  # fmt: skip
    assert (same_syntax(file, file.hunks[0], language, None) == SAME) is same


JAVA_HEAD = "/**\n * Adds.\n * New words.\n */\nint add(int a, int b) {\n  return a + b;\n}\n"


def test_a_javadoc_edit_whose_opening_is_outside_the_hunk_is_same_with_the_head() -> None:
    file = make_file("A.java", ["  * Adds.", "- * Old words.", "+ * New words.", "  */"], start=2)
    hunk = file.hunks[0]
    assert same_syntax(file, hunk, "java", None) is None  # the fragment alone reads as code
    assert same_syntax(file, hunk, "java", JAVA_HEAD) == SAME


def test_a_java_code_change_is_not_same_with_the_head() -> None:
    head = JAVA_HEAD.replace("a + b", "a - b")
    file = make_file("A.java", [" int add(int a, int b) {", "-  return a + b;", "+  return a - b;"],
                     start=5)  # fmt: skip
    assert same_syntax(file, file.hunks[0], "java", head) is None
