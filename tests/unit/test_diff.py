"""reviewers.diff: git / GitHub diffs and /files patches into FileDiff, and DiffError."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings

from reviewers.diff import DiffError, parse_diff, parse_file_patch
from reviewers.models import FileDiff, FileStatus, LineKind, Side
from tests.unit.diffs import HERE, SpecDiff, git_diffs

Lines = tuple[tuple[str, str, int | None, int | None], ...]


def lines_of(fd: FileDiff) -> tuple[Lines, ...]:
    return tuple(
        tuple((ln.kind.value, ln.text, ln.old_no, ln.new_no) for ln in h.lines) for h in fd.hunks
    )


def header_of(fd: FileDiff) -> tuple[object, ...]:
    return (fd.path, fd.old_path, fd.status, fd.is_binary, fd.old_mode, fd.new_mode)


M, A, D, R, C = (
    FileStatus.MODIFIED,
    FileStatus.ADDED,
    FileStatus.DELETED,
    FileStatus.RENAMED,
    FileStatus.COPIED,
)

# (id, diff, header of the only file, lines per hunk)
CASES: list[tuple[str, str | bytes, tuple[object, ...], tuple[Lines, ...]]] = [
    (
        "modified",
        "diff --git a/src/a.py b/src/a.py\nindex 1..2 100644\n--- a/src/a.py\n+++ b/src/a.py\n"
        "@@ -1,3 +1,3 @@ def f():\n a\n-b\n+B\n c\n"
        "@@ -10 +10,2 @@\n-x\n+y\n+z\n",
        ("src/a.py", None, M, False, "100644", "100644"),
        (
            ((" ", "a", 1, 1), ("-", "b", 2, None), ("+", "B", None, 2), (" ", "c", 3, 3)),
            (("-", "x", 10, None), ("+", "y", None, 10), ("+", "z", None, 11)),
        ),
    ),
    (
        "added",
        "diff --git a/new.py b/new.py\nnew file mode 100644\nindex 0000000..07f33c4\n"
        "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+new\n+file\n",
        ("new.py", None, A, False, None, "100644"),
        ((("+", "new", None, 1), ("+", "file", None, 2)),),
    ),
    (
        "deleted: path is the base path",
        "diff --git a/old/dead.py b/old/dead.py\ndeleted file mode 100755\nindex 2597454..0000000\n"
        "--- a/old/dead.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-gone\n-gone2\n",
        ("old/dead.py", None, D, False, "100755", None),
        ((("-", "gone", 1, None), ("-", "gone2", 2, None)),),
    ),
    (
        "pure rename has no hunks",
        "diff --git a/renamed.py b/pure_renamed.py\nsimilarity index 100%\n"
        "rename from renamed.py\nrename to pure_renamed.py\n",
        ("pure_renamed.py", "renamed.py", R, False, None, None),
        (),
    ),
    (
        "rename with edits",
        "diff --git a/moved.py b/lib/renamed.py\nsimilarity index 87%\nrename from moved.py\n"
        "rename to lib/renamed.py\nindex 71ac1b5..1877275 100644\n--- a/moved.py\n"
        "+++ b/lib/renamed.py\n@@ -2,2 +2,2 @@ a\n b\n-e\n+E\n",
        ("lib/renamed.py", "moved.py", R, False, "100644", "100644"),
        (((" ", "b", 2, 2), ("-", "e", 3, None), ("+", "E", None, 3)),),
    ),
    (
        "copy",
        "diff --git a/src.py b/copy.py\nsimilarity index 85%\ncopy from src.py\ncopy to copy.py\n"
        "index 2019eda..b00a0f1 100644\n--- a/src.py\n+++ b/copy.py\n"
        "@@ -7 +7,2 @@ four\n seven\n+eight\n",
        ("copy.py", "src.py", C, False, "100644", "100644"),
        (((" ", "seven", 7, 7), ("+", "eight", None, 8)),),
    ),
    (
        "binary: Binary files differ",
        "diff --git a/img.png b/img.png\nindex ac6c544..e666ad4 100644\n"
        "Binary files a/img.png and b/img.png differ\n",
        ("img.png", None, M, True, "100644", "100644"),
        (),
    ),
    (
        "new binary file",
        "diff --git a/a.bin b/a.bin\nnew file mode 100644\nindex 0000000..bdc955b\n"
        "Binary files /dev/null and b/a.bin differ\n",
        ("a.bin", None, A, True, None, "100644"),
        (),
    ),
    (
        "binary: GIT binary patch",
        "diff --git a/img.png b/img.png\nindex e666ad4..5651032 100644\nGIT binary patch\n"
        "literal 7\nOcmZQzV$RJkN(BG}Yyr6d\n\nliteral 17\nYcmeAS@N?(olHy`uOv=nlEUGjD03?wFVgLXD\n\n",
        ("img.png", None, M, True, "100644", "100644"),
        (),
    ),
    (
        "mode-only change",
        "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n",
        ("run.sh", None, M, False, "100644", "100755"),
        (),
    ),
    (
        "no newline at end of file is not a line",
        "diff --git a/n.txt b/n.txt\n--- a/n.txt\n+++ b/n.txt\n@@ -1 +1 @@\n-old\n"
        "\\ No newline at end of file\n+new\n\\ No newline at end of file\n",
        ("n.txt", None, M, False, None, None),
        ((("-", "old", 1, None), ("+", "new", None, 1)),),
    ),
    (
        "CRLF content lines (bytes)",
        b"diff --git a/w.txt b/w.txt\n--- a/w.txt\n+++ b/w.txt\n"
        b"@@ -1,3 +1,3 @@\n crlf1\r\n-crlf2\r\n+CRLF2\r\n crlf3\r\n",
        ("w.txt", None, M, False, None, None),
        (
            ((" ", "crlf1", 1, 1), ("-", "crlf2", 2, None), ("+", "CRLF2", None, 2))
            + ((" ", "crlf3", 3, 3),),
        ),
    ),
    (
        "CRLF everywhere, headers too",
        "diff --git a/w.txt b/w.txt\r\nold mode 100644\r\nnew mode 100755\r\n--- a/w.txt\r\n"
        "+++ b/w.txt\r\n@@ -1,2 +1,2 @@\r\n a\r\n-b\r\n+c\r\n",
        ("w.txt", None, M, False, "100644", "100755"),
        (((" ", "a", 1, 1), ("-", "b", 2, None), ("+", "c", None, 2)),),
    ),
    (
        "invalid UTF-8 becomes U+FFFD",
        b"diff --git a/l.txt b/l.txt\n--- a/l.txt\n+++ b/l.txt\n"
        b"@@ -1 +1 @@\n-caf\xe9\n+caf\xc3\xa9 \xff\n",
        ("l.txt", None, M, False, None, None),
        ((("-", "caf\ufffd", 1, None), ("+", "caf\u00e9 \ufffd", None, 1)),),
    ),
    (
        "git-quoted non-ASCII path",
        'diff --git "a/t\\303\\251st.py" "b/t\\303\\251st.py"\nnew file mode 100644\n'
        '--- /dev/null\n+++ "b/t\\303\\251st.py"\n@@ -0,0 +1 @@\n+z\n',
        ("t\u00e9st.py", None, A, False, None, "100644"),
        ((("+", "z", None, 1),),),
    ),
    (
        "git-quoted path with escapes",
        'diff --git "a/we\\"ird\\tname.py" "b/we\\"ird\\tname.py"\n'
        '--- "a/we\\"ird\\tname.py"\n+++ "b/we\\"ird\\tname.py"\n@@ -1 +1 @@\n-x\n+y\n',
        ('we"ird\tname.py', None, M, False, None, None),
        ((("-", "x", 1, None), ("+", "y", None, 1)),),
    ),
    (
        "path with a space (git adds a tab to ---/+++)",
        "diff --git a/sp ace.py b/sp ace.py\n--- a/sp ace.py\t\n+++ b/sp ace.py\t\n"
        "@@ -1 +1 @@\n-x\n+y\n",
        ("sp ace.py", None, M, False, None, None),
        ((("-", "x", 1, None), ("+", "y", None, 1)),),
    ),
    (
        "blank line inside a hunk is empty context",
        "diff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py\n@@ -1,3 +1,3 @@\n a\n\n-c\n+C\n",
        ("b.py", None, M, False, None, None),
        (((" ", "a", 1, 1), (" ", "", 2, 2), ("-", "c", 3, None), ("+", "C", None, 3)),),
    ),
    (
        "plain diff -u with timestamps",
        "--- a/p.c\t2024-01-01 10:00:00.000000000 +0000\n"
        "+++ b/p.c\t2024-01-02 10:00:00.000000000 +0000\n"
        "@@ -1 +1 @@\n-int a;\n+long a;\n",
        ("p.c", None, M, False, None, None),
        ((("-", "int a;", 1, None), ("+", "long a;", None, 1)),),
    ),
    (
        "format-patch mail with signature",
        "From 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\n f | 2 +-\n\n"
        "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n"
        "@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n\n",
        ("f", None, M, False, "100644", "100644"),
        ((("-", "a", 1, None), ("+", "b", None, 1)),),
    ),
]


@pytest.mark.parametrize(
    ("diff", "header", "hunks"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_parse_one_file(
    diff: str | bytes, header: tuple[object, ...], hunks: tuple[Lines, ...]
) -> None:
    (fd,) = parse_diff(diff)
    assert header_of(fd) == header
    assert lines_of(fd) == hunks
    assert [h.index for h in fd.hunks] == list(range(len(hunks)))
    assert all(h.path == fd.path for h in fd.hunks)


@pytest.mark.parametrize("empty", ["", b"", "\n\n", "  \n", "\ufeff"])
def test_empty_input_gives_no_files(empty: str | bytes) -> None:
    assert parse_diff(empty) == ()


def test_hunk_header_fields() -> None:
    (fd,) = parse_diff(
        "--- a/x.py\n+++ b/x.py\n@@ -5,2 +6,3 @@ class A:\n a\n+b\n c\n@@ -20 +22 @@\n-d\n+e\n"
    )
    fields = [(h.old_start, h.old_len, h.new_start, h.new_len, h.section) for h in fd.hunks]
    assert fields == [(5, 2, 6, 3, "class A:"), (20, 1, 22, 1, "")]
    assert [ln.kind for ln in fd.hunks[0].lines] == [
        LineKind.CONTEXT,
        LineKind.ADDED,
        LineKind.CONTEXT,
    ]


def test_real_git_output_fixture() -> None:
    """`git diff --cached -M -C --find-copies-harder` of a real repository (see diffs/)."""
    files = parse_diff((HERE / "git_mixed.diff").read_bytes())
    assert [(f.path, f.old_path, f.status.value, f.is_binary, len(f.hunks)) for f in files] == [
        ("added.py", None, "added", False, 1),
        ("copy.py", "src.py", "copied", False, 1),
        ("dead.py", None, "deleted", False, 1),
        ("img.png", None, "modified", True, 0),
        ("keep.py", None, "modified", False, 2),
        ("latin.txt", None, "modified", False, 1),
        ("newbin.bin", None, "added", True, 0),
        ("nonl.txt", None, "modified", False, 1),
        ("renamed.py", "moved.py", "renamed", False, 1),
        ("run.sh", None, "modified", False, 0),
        ("sp ace.py", None, "modified", False, 1),
        ("win.txt", None, "modified", False, 1),
    ]
    keep = files[4]
    assert keep.commentable(Side.RIGHT) == frozenset({1, 2, 3, 4, 5, 6, 8, 9, 10, 11})
    assert keep.commentable(Side.LEFT) == frozenset({1, 2, 3, 4, 5, 6, 8, 9, 10})
    assert files[5].hunks[0].lines[0].text == "caf\ufffd latin1"
    assert files[11].hunks[0].lines[2].text == "CRLF2"
    assert (files[9].old_mode, files[9].new_mode) == ("100644", "100755")


def test_real_git_binary_patch_and_pure_rename_fixture() -> None:
    files = parse_diff((HERE / "git_binary_rename.diff").read_text(encoding="utf-8"))
    assert [header_of(f) + (len(f.hunks),) for f in files] == [
        ("img.png", None, M, True, "100644", "100644", 0),
        ("pure_renamed.py", "renamed.py", R, False, None, None, 0),
        ("t\u00e9st.py", None, A, False, None, "100644", 1),
    ]


def test_crlf_diff_parses_like_lf_diff() -> None:
    lf = (HERE / "git_mixed.diff").read_bytes()
    assert parse_diff(lf.replace(b"\n", b"\r\n")) == parse_diff(lf)


HEAD = "diff --git a/src/a.py b/src/a.py\nindex 1..2 100644\n--- a/src/a.py\n+++ b/src/a.py\n"

# (id, diff, line, path, full message)
ERRORS = [
    (
        "bad hunk header",
        HEAD + "@@ -1,3 +1,3\n a\n",
        5,
        "src/a.py",
        "malformed diff at line 5 (file src/a.py): bad hunk header '@@ -1,3 +1,3'",
    ),
    (
        "truncated hunk at the end",
        HEAD + "@@ -1,3 +1,4 @@\n a\n+b\n c\n",
        8,
        "src/a.py",
        "malformed diff at line 8 (file src/a.py): hunk header at line 5 says 3 old and 4 new "
        "lines, found 2 old and 3 new when the diff ends",
    ),
    (
        "truncated hunk before the next file",
        HEAD
        + "@@ -1,3 +1,3 @@\n a\n-b\n+c\n"
        + "diff --git a/z b/z\n--- a/z\n+++ b/z\n@@ -1 +1 @@\n-a\n+b\n",
        9,
        "src/a.py",
        "malformed diff at line 9 (file src/a.py): hunk header at line 5 says 3 old and 3 new "
        "lines, found 2 old and 2 new when line 9 starts a new header",
    ),
    (
        "garbage line inside a hunk",
        HEAD + "@@ -1,3 +1,3 @@\n a\ngarbage\n c\n",
        7,
        "src/a.py",
        "malformed diff at line 7 (file src/a.py): 'garbage' is not a hunk line (must start with "
        "' ', '+', '-' or '\\'); hunk header at line 5 says 3 old and 3 new lines, found 1 old "
        "and 1 new before it",
    ),
    (
        "more lines of one kind than the header says",
        HEAD + "@@ -1 +1,2 @@\n-a\n-b\n+c\n",
        7,
        "src/a.py",
        "malformed diff at line 7 (file src/a.py): hunk header at line 5 says 1 old and 2 new "
        "lines, found 2 old and 0 new by this line",
    ),
    (
        "hunk longer than its header (unidiff would drop the line silently)",
        HEAD + "@@ -1 +1 @@\n-a\n+b\n+c\ndiff --git a/z b/z\n",
        8,
        "src/a.py",
        "malformed diff at line 8 (file src/a.py): hunk header at line 5 says 1 old and 1 new "
        "lines, but this line continues the hunk",
    ),
    (
        "short hunk swallowing the next file's headers (plain diff -u)",
        "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
        7,
        "x",
        "malformed diff at line 7 (file x): hunk starts at old line 1, new line 1, inside the "
        "hunk at line 3: was that one cut short?",
    ),
    (
        "hunk before any file header",
        "@@ -1 +1 @@\n-a\n+b\n",
        1,
        None,
        "malformed diff at line 1: hunk before any file header: '@@ -1 +1 @@'",
    ),
    (
        "combined diff of a merge",
        "diff --cc m.py\nindex 1,2..3\n--- a/m.py\n+++ b/m.py\n@@@ -1,1 -1,1 +1,2 @@@\n",
        5,
        "m.py",
        "malformed diff at line 5 (file m.py): bad hunk header '@@@ -1,1 -1,1 +1,2 @@@' "
        "(combined diffs of merges are not supported)",
    ),
    (
        "target header that does not match the git header",
        HEAD.replace("+++ b/src/a.py", "+++ b/other.py") + "@@ -1 +1 @@\n-a\n+b\n",
        4,
        "other.py",
        "malformed diff at line 4 (file other.py): Target without source: +++ b/other.py",
    ),
    (
        "stray /dev/null header pair after a hunk (found by fuzzing)",
        HEAD + "@@ -1 +1 @@\n-a\n+b\n--- /dev/null\n+++ /dev/null\n",
        None,
        None,
        "malformed diff: file header names no file (both sides are /dev/null)",
    ),
]


@pytest.mark.parametrize(
    ("diff", "line", "path", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_malformed_diff_raises_diff_error(
    diff: str, line: int | None, path: str | None, message: str
) -> None:
    with pytest.raises(DiffError) as caught:
        parse_diff(diff)
    assert (caught.value.line, caught.value.path, str(caught.value)) == (line, path, message)
    assert isinstance(caught.value, ValueError)
    # no unidiff exception shows in the traceback
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


PATCH_CASES = [
    (
        "added",
        ("new.py", "@@ -0,0 +1,2 @@\n+a\n+b", "added", None),
        ("new.py", None, A, False, None, None),
        ((("+", "a", None, 1), ("+", "b", None, 2)),),
    ),
    (
        "removed",
        ("gone.py", "@@ -1,2 +0,0 @@\n-a\n-b", "removed", None),
        ("gone.py", None, D, False, None, None),
        ((("-", "a", 1, None), ("-", "b", 2, None)),),
    ),
    (
        "renamed with edits",
        ("new/x.py", "@@ -3 +3 @@ def f():\n-a\n+b\n", "renamed", "old/x.py"),
        ("new/x.py", "old/x.py", R, False, None, None),
        ((("-", "a", 3, None), ("+", "b", None, 3)),),
    ),
    (
        "renamed without patch",
        ("new/x.py", None, "renamed", "old/x.py"),
        ("new/x.py", "old/x.py", R, False, None, None),
        (),
    ),
    (
        "copied",
        ("b.py", None, "copied", "a.py"),
        ("b.py", "a.py", C, False, None, None),
        (),
    ),
    (
        "binary or too large: patch is None",
        ("img.png", None, "modified", None),
        ("img.png", None, M, False, None, None),
        (),
    ),
    (
        "changed (mode) maps to modified, empty patch",
        ("run.sh", "", "changed", None),
        ("run.sh", None, M, False, None, None),
        (),
    ),
    (
        "old_path equal to path is dropped",
        ("a.py", None, "modified", "a.py"),
        ("a.py", None, M, False, None, None),
        (),
    ),
    (
        "CRLF and no-newline marker",
        ("w.txt", "@@ -1 +1 @@\r\n-a\r\n\\ No newline at end of file\r\n+b\r\n", "modified", None),
        ("w.txt", None, M, False, None, None),
        ((("-", "a", 1, None), ("+", "b", None, 1)),),
    ),
]


@pytest.mark.parametrize(
    ("args", "header", "hunks"), [c[1:] for c in PATCH_CASES], ids=[c[0] for c in PATCH_CASES]
)
def test_parse_file_patch(
    args: tuple[str, str | None, str, str | None],
    header: tuple[object, ...],
    hunks: tuple[Lines, ...],
) -> None:
    fd = parse_file_patch(*args)
    assert header_of(fd) == header
    assert lines_of(fd) == hunks


def test_file_patch_matches_the_full_diff() -> None:
    diff = HEAD + "@@ -1,3 +1,3 @@ def f():\n a\n-b\n+B\n c\n@@ -10 +10,2 @@\n-x\n+y\n+z\n"
    (full,) = parse_diff(diff)
    patch = diff[len(HEAD) :]
    assert parse_file_patch("src/a.py", patch, "modified") == dataclasses.replace(
        full, old_mode=None, new_mode=None
    )


def test_file_patch_binary_flag_from_caller() -> None:
    assert parse_file_patch("a.png", None, "added", is_binary=True).is_binary


@pytest.mark.parametrize(
    ("patch", "status", "message"),
    [
        (
            "@@ -1,2 +1,2 @@\n a\n-b\n",
            "modified",
            "malformed diff at line 3 (file src/x.py): hunk header at line 1 says 2 old and 2 new "
            "lines, found 2 old and 1 new when the diff ends",
        ),
        (
            "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n",
            "modified",
            "malformed diff at line 1 (file src/x.py): a /files patch must start with an @@ hunk "
            "header: '--- a/x'",
        ),
        (
            "@@ -1 +1 @@\n-a\n+b\n",
            "moved",
            "malformed diff (file src/x.py): unknown GitHub file status 'moved'",
        ),
    ],
)
def test_file_patch_errors(patch: str, status: str, message: str) -> None:
    with pytest.raises(DiffError) as caught:
        parse_file_patch("src/x.py", patch, status)
    assert str(caught.value) == message


@settings(max_examples=150, deadline=None)
@given(git_diffs())
def test_random_git_diffs_round_trip(spec: SpecDiff) -> None:
    files = parse_diff(spec.text)
    assert [(f.path, f.status.value) for f in files] == [(s.path, s.status) for s in spec.files]
    assert [lines_of(f) for f in files] == [s.hunks for s in spec.files]
    for f in files:
        for h in f.hunks:
            assert len(h.commentable(Side.LEFT)) == h.old_len
            assert len(h.commentable(Side.RIGHT)) == h.new_len
