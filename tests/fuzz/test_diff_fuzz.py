"""parse_diff and parse_file_patch on arbitrary and mutated real diffs: FileDiffs or DiffError."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewers.diff import DiffError, parse_diff, parse_file_patch
from reviewers.models import FileDiff, LineKind, Side
from tests.fuzz.conftest import FUZZ

ROOT = Path(__file__).resolve().parents[2]
DIFF_LINES = st.sampled_from(
    [
        "diff --git a/x.py b/x.py",
        "--- a/x.py",
        "+++ b/x.py",
        "--- /dev/null",
        "+++ /dev/null",
        "@@ -1,3 +1,4 @@ def f():",
        "@@ -0,0 +1 @@",
        "@@ -1 +0,0 @@",
        "@@ -99999999999999999999,1 +1,1 @@",
        "new file mode 100644",
        "deleted file mode 100644",
        "rename from a.py",
        "rename to b.py",
        "similarity index 90%",
        "Binary files a/x.png and b/x.png differ",
        "\\ No newline at end of file",
        "-- ",
        " context",
        "+added",
        "-removed",
        "",
    ]
)


@cache
def real_diffs() -> tuple[str, ...]:
    """The unit-test diffs and the benchmark's PR diffs: real shapes to mutate."""
    paths = sorted((ROOT / "tests/unit/diffs").glob("*.diff"))
    paths += sorted((ROOT / "labeled_prs").glob("*/pr.diff"))[:20]
    # As parse_diff decodes bytes: one fixture is deliberately not UTF-8.
    return tuple(p.read_bytes().decode("utf-8", errors="replace") for p in paths)


def check(files: tuple[FileDiff, ...]) -> None:
    """What callers rely on when parsing succeeds: numbered lines, callable commentable()."""
    for file in files:
        for side in Side:
            file.commentable(side)
        for hunk in file.hunks:
            for line in hunk.lines:
                assert (line.old_no is None) == (line.kind is LineKind.ADDED)
                assert (line.new_no is None) == (line.kind is LineKind.REMOVED)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A real diff with a few lines deleted, duplicated, replaced, cut or garbled."""
    lines = draw(st.sampled_from(real_diffs())).split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "garble", "cut", "crlf"]))
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "replace":
            lines[at] = draw(DIFF_LINES | st.text(max_size=40))
        elif action == "garble":
            cut = draw(st.integers(min_value=0, max_value=len(lines[at])))
            lines[at] = lines[at][:cut] + draw(st.text(max_size=5)) + lines[at][cut + 1 :]
        elif action == "cut":
            lines = lines[:at]
        else:
            lines[at] += "\r"
    return "\n".join(lines)


def parse_or_refuse(text: str | bytes) -> None:
    """FileDiffs, or one line saying the diff is malformed or not a diff at all. Never ()
    for input that is not blank: that would pass as a clean review."""
    try:
        files = parse_diff(text)
    except DiffError as error:
        assert str(error).startswith(("malformed diff", "not a unified diff: "))
        assert "\n" not in str(error)
        return
    blank = not (text.decode("utf-8", "replace") if isinstance(text, bytes) else text).strip()
    assert files or blank
    check(files)


@FUZZ
@given(text=st.text(max_size=400))
def test_arbitrary_text(tally: Counter[str], text: str) -> None:
    tally["diff.parse_diff(arbitrary text)"] += 1
    parse_or_refuse(text)


@FUZZ
@given(lines=st.lists(DIFF_LINES | st.text(max_size=20), max_size=25))
def test_diff_shaped_lines(tally: Counter[str], lines: list[str]) -> None:
    tally["diff.parse_diff(diff-shaped lines)"] += 1
    parse_or_refuse("\n".join(lines))


@FUZZ
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(tally: Counter[str], data: bytes) -> None:
    tally["diff.parse_diff(arbitrary bytes)"] += 1
    parse_or_refuse(data)


@FUZZ
@given(text=mutated())
def test_mutated_real_diffs(tally: Counter[str], text: str) -> None:
    tally["diff.parse_diff(mutated real diffs)"] += 1
    parse_or_refuse(text)


@FUZZ
@given(
    patch=st.none() | st.lists(DIFF_LINES | st.text(max_size=20), max_size=12).map("\n".join),
    status=st.sampled_from(["added", "removed", "modified", "renamed", "changed", "bogus"]),
)
def test_github_file_patches(tally: Counter[str], patch: str | None, status: str) -> None:
    tally["diff.parse_file_patch"] += 1
    try:
        file = parse_file_patch("x.py", patch, status, old_path="old.py")
    except DiffError as error:
        assert str(error).startswith("malformed diff")
        return
    check((file,))
