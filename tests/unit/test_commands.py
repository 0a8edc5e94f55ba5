"""prbot's command parser: only its own commands, in the slash or the mention form."""

from __future__ import annotations

import pytest

from bot.commands import Command, help_text, may_be_command, parse_command
from bot.github import PostedComment
from bot.threads import replies_to, thread_root
from reviewers.models import Side


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/review", Command("review", (), "/review")),
        ("/review full", Command("review", ("full",), "/review full")),
        ("\n\n  /Pause  \nthanks", Command("pause", (), "/Pause")),
        ("/ignore ruff:F401", Command("ignore", ("ruff:F401",), "/ignore ruff:F401")),
        ("@prbot review", Command("review", (), "@prbot review", mention=True)),
        ("@PRBOT Review full", Command("review", ("full",), "@PRBOT Review full", mention=True)),
        ("@prbot[bot] /cost", Command("cost", (), "@prbot[bot] /cost", mention=True)),
        ("@prbot", Command("help", (), "@prbot", mention=True)),
        ("@prbot, what now?", Command("unknown", ("what", "now?"), "@prbot, what now?", True)),
        ("@prbot frobnicate", Command("unknown", (), "@prbot frobnicate", mention=True)),
    ],
)
def test_prbot_commands_are_recognised(body: str, expected: Command) -> None:
    assert parse_command(body, "prbot") == expected


@pytest.mark.parametrize(
    "body",
    [
        "/lgtm",
        "/retest",
        "/describe",  # another bot's command
        "/frobnicate",  # unknown slash words are not addressed to prbot
        "/src/app.py is where it breaks",
        "/review.py looks odd",
        "/review/sub",
        "@prbotx review",
        "@other review",
        "please /review",  # not at the start of the first line
        "LGTM\n/review",  # not the first non-blank line
        "",
        "   ",
    ],
)
def test_anything_else_is_not_a_command(body: str) -> None:
    assert parse_command(body, "prbot") is None


def test_the_slug_comes_from_the_app() -> None:
    assert parse_command("@acme-reviewer review", "acme-reviewer") == Command(
        "review", (), "@acme-reviewer review", mention=True
    )
    assert parse_command("@prbot review", "acme-reviewer") is None
    assert "`@acme-reviewer review`" in help_text("acme-reviewer")


@pytest.mark.parametrize(("body", "maybe"), [("/x", True), ("\n @a", True), ("hi /x", False)])
def test_cheap_precheck(body: str, maybe: bool) -> None:
    assert may_be_command(body) is maybe


def posted(cid: int, parent: int | None) -> PostedComment:
    return PostedComment(cid, "b", "a.py", 1, Side.RIGHT, None, "u", False, parent, None, "sha")


def test_thread_root_is_the_top_level_comment() -> None:
    comments = [posted(1, None), posted(2, 1), posted(3, 1), posted(9, None)]
    assert thread_root(comments, 3) == comments[0]
    assert thread_root(comments, 1) == comments[0]
    assert thread_root(comments, 9) == comments[3]
    assert thread_root(comments, 404) is None
    assert [c.id for c in replies_to(comments, 1)] == [2, 3]
    assert thread_root([posted(5, 6), posted(6, 5)], 5) is None  # a loop is not a thread
