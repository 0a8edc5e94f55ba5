"""Pure parts of bot.posting: anchor checks, the summary section, body truncation."""

from __future__ import annotations

import pytest

from bot.github import DraftComment, Identity, PullFile, ReviewInfo
from bot.posting import (
    MAX_BODY,
    MOVED_TITLE,
    TRUNCATED,
    anchor_problem,
    find_existing,
    open_fence,
    parse_patches,
    strip_suggestions,
    summary_body,
    truncate_body,
)
from reviewers.models import Side

PATCH = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n d\n@@ -20,2 +21,3 @@\n x\n+y\n z"
PATCHES = parse_patches(
    [
        PullFile("m.py", "modified", PATCH, None),
        PullFile("img.png", "added", None, None),
        PullFile("broken.py", "modified", "@@ -1,5 +1,5 @@\n a", None),
    ]
)


def draft(
    line: int, start: int | None = None, side: Side = Side.RIGHT, path: str = "m.py"
) -> DraftComment:
    return DraftComment(path, side, line, start, "body")


def test_parse_patches_skips_binary_and_unparseable() -> None:
    assert sorted(PATCHES) == ["m.py"]


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        (draft(2), None),  # added
        (draft(4), None),  # context
        (draft(3, 1), None),  # range inside the first hunk
        (draft(2, side=Side.LEFT), None),  # removed
        (draft(22, 21), None),
        (draft(10), "line 10 (RIGHT) is not in any hunk"),
        (draft(4, side=Side.LEFT), "line 4 (LEFT) is not in any hunk"),
        (draft(22, 3), "start_line is not in the same hunk as line"),
        (draft(3, 3), "start_line must precede line"),
        (draft(1, path="img.png"), "file is not in the diff (or has no textual patch)"),
        (draft(1, path="other.py"), "file is not in the diff (or has no textual patch)"),
    ],
)
def test_anchor_problem(comment: DraftComment, problem: str | None) -> None:
    assert anchor_problem(comment, PATCHES) == problem


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("```suggestion\nx\n```", "```\nx\n```"),
        ("text\n  ````suggestion  \nx\n````", "text\n  ````\nx\n````"),
        ("~~~suggestion\nx\n~~~", "~~~\nx\n~~~"),
        ("```python\nsuggestion\n```", "```python\nsuggestion\n```"),
    ],
)
def test_strip_suggestions(body: str, expected: str) -> None:
    assert strip_suggestions(body) == expected


def test_summary_lists_moved_comments_without_suggestions() -> None:
    moved = [
        DraftComment("m.py", Side.RIGHT, 9, None, "```suggestion\nfix()\n```"),
        DraftComment("m.py", Side.LEFT, 7, 5, "Old code."),
    ]

    assert summary_body("Summary\n", moved) == (
        f"Summary\n\n{MOVED_TITLE}\n\n"
        "**`m.py:9`**\n\n```\nfix()\n```\n\n"
        "**`m.py:5-7 (old)`**\n\nOld code.\n"
    )
    assert summary_body("Summary", []) == "Summary"


@pytest.mark.parametrize(
    ("text", "fence"),
    [
        ("plain", None),
        ("```py\nx\n```\n", None),
        ("a\n```py\nx\n", (2, "```", False)),
        ("```suggestion\nx", (0, "```", True)),
        ("````\n```\nx", (0, "````", False)),  # a shorter fence does not close it
    ],
)
def test_open_fence(text: str, fence: tuple[int, str, bool] | None) -> None:
    assert open_fence(text) == fence


def test_truncate_keeps_short_bodies() -> None:
    assert truncate_body("x" * MAX_BODY) == "x" * MAX_BODY


def test_truncate_closes_an_open_code_fence() -> None:
    body = "intro\n```\n" + "line\n" * 20_000

    cut = truncate_body(body)

    assert len(cut) <= MAX_BODY
    assert cut.endswith("line\n```" + TRUNCATED)
    assert open_fence(cut) is None


def test_truncate_drops_a_partial_suggestion() -> None:
    body = "Use this:\n```suggestion\n" + "new()\n" * 20_000 + "```"

    assert truncate_body(body) == "Use this:" + TRUNCATED


def test_find_existing_needs_our_identity_commit_and_body() -> None:
    me = Identity("prbot", 4242)
    ours = ReviewInfo(5, "body", "COMMENTED", "sha", "prbot[bot]", True)
    human = ReviewInfo(6, "body", "COMMENTED", "sha", "alice", False)
    older = ReviewInfo(7, "body", "COMMENTED", "old", "prbot[bot]", True)
    other_bot = ReviewInfo(8, "body", "COMMENTED", "sha", "reviewbot[bot]", True)

    assert find_existing([human, older, other_bot, ours], "sha", "body", me) == ours
    assert find_existing([human, older, other_bot], "sha", "body", me) is None
    assert find_existing([ours], "sha", "other body", me) is None


@pytest.mark.parametrize(
    ("login", "via", "mine"),
    [
        ("prbot[bot]", None, True),
        ("prbot[bot]", 4242, True),
        ("other[bot]", None, False),
        ("prbot[bot]", 99, False),  # GitHub says another App wrote it
        ("other[bot]", 4242, True),  # GitHub says our App wrote it (a renamed slug)
    ],
)
def test_identity_is_the_app_not_the_bot_type(login: str, via: int | None, mine: bool) -> None:
    assert Identity("prbot", 4242).wrote(login, via) is mine
