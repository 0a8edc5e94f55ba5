"""reviewers.anchoring: snapping findings onto commentable lines, fingerprints, dedupe."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewers.anchoring import DiffIndex, anchor, dedupe, fingerprint, line_text
from reviewers.diff import parse_diff
from reviewers.models import (
    Category,
    FileDiff,
    Finding,
    ReviewComment,
    Route,
    Severity,
    Side,
)
from tests.unit.diffs import SpecDiff, git_diffs

# app.py     RIGHT commentable 1-6 (changed 2, 3) and 21-24 (changed 22)
#            LEFT  commentable 1-5 (changed 2)    and 20-23 (changed 21)
# gone.py    deleted: LEFT 1-2
# new.py     added:   RIGHT 1-2
# img.png    binary
DIFF = """\
diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,5 +1,6 @@
 a1
-b2
+B2
+C3
 d3
 e4
 f5
@@ -20,4 +21,4 @@ def g():
 p20
-q21
+Q22
 r22
 s23
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git a/new.py b/new.py
new file mode 100644
--- /dev/null
+++ b/new.py
@@ -0,0 +1,2 @@
+n1
+n2
diff --git a/img.png b/img.png
index 1..2 100644
Binary files a/img.png and b/img.png differ
"""
FILES = parse_diff(DIFF)
R, L = Side.RIGHT, Side.LEFT


def make(
    start: int,
    end: int | None = None,
    side: Side = R,
    path: str = "app.py",
    replacement: str | None = None,
    **kw: object,
) -> Finding:
    fields: dict[str, object] = {
        "path": path,
        "side": side,
        "start_line": start,
        "end_line": start if end is None else end,
        "category": Category.DEFECT,
        "severity": Severity.MEDIUM,
        "confidence": 0.8,
        "title": "Possible None dereference",
        "body": "body",
        "route": Route.FRONTIER,
        "source": "claude-sonnet-4-5",
        "replacement": replacement,
    }
    fields.update(kw)
    return Finding(**fields)  # type: ignore[arg-type]


# (id, finding, expected (start_line, line) or None when unanchored)
PLACEMENTS: list[tuple[str, Finding, tuple[int | None, int] | None]] = [
    ("exact single added line", make(2), (None, 2)),
    ("exact range", make(2, 4), (2, 4)),
    ("exact context line", make(5), (None, 5)),
    ("exact range in second hunk", make(21, 24), (21, 24)),
    ("clamp to the hunk that overlaps most", make(6, 24), (21, 24)),
    ("clamp, tie keeps the earlier hunk", make(5, 22), (5, 6)),
    ("clamp range running past the hunk", make(5, 9), (5, 6)),
    ("clamp to one line gives single-line comment", make(6, 12), (None, 6)),
    ("snap one line below a hunk", make(7), (None, 6)),
    ("snap three lines away", make(9), (None, 6)),
    ("too far: four lines away", make(10), None),
    ("snap prefers an added line over a closer context line", make(19), (None, 22)),
    ("line 0 snaps to the nearest added line", make(0), (None, 2)),
    ("reversed range is normalised", make(4, 2), (2, 4)),
    ("LEFT on a removed line", make(2, side=L), (None, 2)),
    ("LEFT on removed line of second hunk", make(21, side=L), (None, 21)),
    ("LEFT range over context and removed", make(1, 3, side=L), (1, 3)),
    ("LEFT clamps to LEFT numbering", make(4, 7, side=L), (4, 5)),
    ("LEFT snap", make(7, side=L), (None, 5)),
    ("deleted file LEFT", make(1, 2, side=L, path="gone.py"), (1, 2)),
    ("deleted file RIGHT is unanchored", make(1, path="gone.py"), None),
    ("added file RIGHT", make(2, path="new.py"), (None, 2)),
    ("added file LEFT is unanchored", make(1, side=L, path="new.py"), None),
    ("binary file is unanchored", make(1, path="img.png"), None),
    ("file not in the diff is unanchored", make(1, path="other.py"), None),
]


@pytest.mark.parametrize(
    ("finding", "expected"), [p[1:] for p in PLACEMENTS], ids=[p[0] for p in PLACEMENTS]
)
def test_anchor_places_or_leaves_unanchored(
    finding: Finding, expected: tuple[int | None, int] | None
) -> None:
    comments, unanchored = anchor([finding], FILES)
    if expected is None:
        assert (comments, unanchored) == ((), (finding,))
        return
    (comment,) = comments
    assert unanchored == ()
    assert (comment.start_line, comment.line) == expected
    assert (comment.path, comment.side, comment.finding) == (finding.path, finding.side, finding)
    text = line_text(FILES, comment.path, comment.side, comment.line)
    assert text is not None
    assert comment.fingerprint == fingerprint(finding, text)


# (id, finding with a suggestion, suggestion kept?)
SUGGESTIONS = [
    ("exact single line keeps it", make(2, replacement="B2 = 1"), True),
    ("exact range keeps it", make(2, 3, replacement="B2\nC3"), True),
    ("clamped range drops it", make(5, 9, replacement="x"), False),
    ("snapped line drops it", make(7, replacement="x"), False),
    ("reversed range drops it", make(3, 2, replacement="x"), False),
    ("LEFT side drops it", make(2, side=L, replacement="x"), False),
]


@pytest.mark.parametrize(
    ("finding", "kept"), [s[1:] for s in SUGGESTIONS], ids=[s[0] for s in SUGGESTIONS]
)
def test_suggestion_kept_only_on_the_exact_range(finding: Finding, kept: bool) -> None:
    (comment,) = anchor([finding], FILES)[0]
    expected = finding if kept else dataclasses.replace(finding, replacement=None)
    assert comment.finding == expected


def test_anchor_keeps_order_and_counts() -> None:
    findings = [make(2), make(1, path="other.py"), make(22), make(50)]
    comments, unanchored = anchor(findings, FILES)
    assert [c.line for c in comments] == [2, 22]
    assert unanchored == (findings[1], findings[3])


@pytest.mark.parametrize(
    ("side", "line", "text"),
    [(R, 3, "C3"), (R, 4, "d3"), (L, 2, "b2"), (L, 21, "q21"), (R, 10, None), (L, 6, None)],
)
def test_line_text(side: Side, line: int, text: str | None) -> None:
    assert line_text(FILES, "app.py", side, line) == text
    assert DiffIndex(FILES).text("app.py", side, line) == text


def test_line_text_unknown_path() -> None:
    assert line_text(FILES, "nope.py", R, 1) is None


SHIFTED = DIFF.replace("@@ -20,4 +21,4 @@", "@@ -30,4 +41,4 @@")


def test_fingerprint_survives_a_line_shift() -> None:
    before = anchor([make(22, title="Check at line 22")], FILES)[0][0]
    after = anchor([make(42, title="Check at line 42")], parse_diff(SHIFTED))[0][0]
    assert (before.line, after.line) == (22, 42)
    assert before.fingerprint == after.fingerprint


def test_fingerprint_exact_value() -> None:
    finding = make(2, title="  Null  Check 12 ", category=Category.SECURITY)
    data = "app.py\x1fx = 1\x1fsecurity\x1fsecurity\x1fnull check"
    assert fingerprint(finding, "  x   =\t1 ") == hashlib.sha256(data.encode()).hexdigest()[:16]


BASE = make(2)


@pytest.mark.parametrize(
    ("other", "other_text", "same"),
    [
        (BASE, "B2", True),
        (BASE, "  B2\t", True),
        (make(2, source="gpt-4o"), "B2", True),  # switching models keeps it
        (make(2, source="llama3:8b"), "B2", True),
        (make(2, title="possible none dereference"), "B2", True),
        (make(2, body="other words"), "B2", True),
        (make(2, severity=Severity.HIGH, confidence=0.1), "B2", True),
        (BASE, "C3", False),  # different code
        (make(2, category=Category.SECURITY), "B2", False),
        (make(2, title="Unused import"), "B2", False),
        (make(2, path="new.py"), "B2", False),
    ],
)
def test_fingerprint_equal_or_different(other: Finding, other_text: str, same: bool) -> None:
    assert (fingerprint(BASE, "B2") == fingerprint(other, other_text)) is same


def test_fingerprint_depends_on_rule_ids() -> None:
    f401 = make(2, source="ruff:F401", route=Route.SMALL)
    e501 = make(2, source="ruff:E501", route=Route.SMALL)
    assert fingerprint(f401, "B2") != fingerprint(e501, "B2")
    assert fingerprint(f401, "B2") != fingerprint(BASE, "B2")
    assert len(fingerprint(f401, "B2")) == 16


def comment(
    line: int,
    fp: str,
    category: Category = Category.DEFECT,
    severity: Severity = Severity.MEDIUM,
    confidence: float = 0.5,
    side: Side = R,
    path: str = "app.py",
) -> ReviewComment:
    finding = make(line, category=category, severity=severity, confidence=confidence, side=side)
    return ReviewComment(finding, path, side, line, None, fp)


@pytest.mark.parametrize(
    ("comments", "kept"),
    [
        ([comment(1, "a"), comment(5, "b"), comment(9, "a")], [0, 1]),
        ([comment(1, "a", severity=Severity.LOW), comment(1, "b", severity=Severity.HIGH)], [1]),
        ([comment(1, "a", confidence=0.6), comment(1, "b", confidence=0.9)], [1]),
        ([comment(1, "a"), comment(1, "b")], [0]),  # full tie: the earliest stays
        ([comment(1, "a"), comment(1, "b", Category.SECURITY)], [0, 1]),
        ([comment(1, "a"), comment(1, "b", side=L)], [0, 1]),
        ([comment(1, "a"), comment(1, "b", path="new.py")], [0, 1]),
        (
            [
                comment(9, "x"),
                comment(1, "a", severity=Severity.LOW),
                comment(3, "c"),
                comment(1, "b"),
            ],
            [0, 2, 3],
        ),
        ([], []),
    ],
)
def test_dedupe(comments: list[ReviewComment], kept: list[int]) -> None:
    assert dedupe(comments) == tuple(comments[i] for i in kept)


@st.composite
def diffs_and_findings(draw: st.DrawFn) -> tuple[tuple[FileDiff, ...], list[Finding]]:
    spec: SpecDiff = draw(git_diffs())
    files = parse_diff(spec.text)
    paths = [f.path for f in files] + ["missing.py"]
    findings = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(st.integers(-2, 80))
        findings.append(
            make(
                start,
                start + draw(st.integers(-2, 12)),
                side=draw(st.sampled_from([L, R])),
                path=draw(st.sampled_from(paths)),
                replacement=draw(st.none() | st.just("fix")),
            )
        )
    return files, findings


@settings(max_examples=200, deadline=None)
@given(diffs_and_findings())
def test_every_comment_is_commentable(case: tuple[tuple[FileDiff, ...], list[Finding]]) -> None:
    files, findings = case
    by_path = {f.path: f for f in files}
    comments, unanchored = anchor(findings, files)
    assert len(comments) + len(unanchored) == len(findings)
    for c in comments:
        hunks = [h for h in by_path[c.path].hunks if c.line in h.commentable(c.side)]
        assert len(hunks) == 1
        if c.start_line is not None:
            assert c.start_line < c.line
            assert set(range(c.start_line, c.line + 1)) <= hunks[0].commentable(c.side)
        if c.finding.replacement is not None:
            assert c.side is R
            assert (c.start_line or c.line, c.line) == (c.finding.start_line, c.finding.end_line)
    placed = [dataclasses.replace(c.finding, replacement=None) for c in comments]
    rest = [dataclasses.replace(f, replacement=None) for f in findings if f not in unanchored]
    assert placed == rest
