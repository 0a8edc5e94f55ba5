"""Summary and inline comment markdown."""

import dataclasses

import pytest

from reviewers.models import (
    Category,
    Coverage,
    Finding,
    Review,
    ReviewComment,
    Route,
    Severity,
    Side,
    TokenUsage,
    Unreviewed,
    Usage,
)
from reviewers.render import fence_for, render_comment, render_summary


def finding(replacement: str | None = None, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        "app/db.py", Side.RIGHT, 12, 12, Category.SECURITY, severity, 0.9,
        "SQL built from user input", "Use a parameterised query.", Route.FRONTIER,
        "claude-sonnet-5-5", replacement,
    )  # fmt: skip


def comment(f: Finding, side: Side = Side.RIGHT) -> ReviewComment:
    return ReviewComment(f, f.path, side, 12, None, "abcd1234abcd1234")


def test_comment_has_severity_body_suggestion_and_fingerprint() -> None:
    body = render_comment(comment(finding('    cur.execute("SELECT 1 WHERE id = %s", (uid,))')))
    assert body.splitlines()[0] == "🟠 **High · security**: SQL built from user input"
    assert '```suggestion\n    cur.execute("SELECT 1 WHERE id = %s", (uid,))\n```' in body
    assert body.endswith("<!-- prbot:fp=abcd1234abcd1234 -->")


def test_no_suggestion_on_left_side() -> None:
    assert "suggestion" not in render_comment(comment(finding("x = 1"), side=Side.LEFT))


@pytest.mark.parametrize(
    ("text", "fence"), [("x", "```"), ("a ```b``` c", "````"), ("`````", "``````")]
)
def test_fence_outgrows_backticks_inside(text: str, fence: str) -> None:
    assert fence_for(text) == fence


def review(**kw: object) -> Review:
    coverage = Coverage(
        files_total=5,
        files_reviewed=3,
        hunks_by_route={Route.FRONTIER: 4, Route.SMALL: 2, Route.SKIP: 3},
        lines_by_route={Route.FRONTIER: 40, Route.SMALL: 10, Route.SKIP: 200},
        unreviewed=(
            Unreviewed("poetry.lock", None, Route.SKIP, "lock file"),
            Unreviewed("uv.lock", None, Route.SKIP, "lock file"),
            Unreviewed("big.py", 2, Route.FRONTIER, "budget reached ($0.05)"),
        ),
    )
    usage = (
        Usage(
            Route.FRONTIER, "claude-sonnet-5-5", 2, TokenUsage(1000, 200, 3000, 0), 0.0123, 1, 0.004
        ),
    )
    defaults: dict = dict(
        comments=(comment(finding()),), unanchored=(), coverage=coverage, usage=usage
    )
    defaults.update(kw)
    return Review(**defaults)


def test_summary_states_counts_coverage_cost_and_gaps() -> None:
    text = render_summary(review(notes=("frontier review not configured",)), marker="<!-- m -->")
    assert "**1 finding(s)**: 1 high · reviewed 3/5 files · $0.0123" in text
    assert "- Skipped by design: lock file (2)." in text
    assert "- **Not reviewed** (budget reached ($0.05)): 1 hunk(s) in `big.py`." in text
    assert "| frontier | claude-sonnet-5-5 | 2 | 1000 | 3000 | 200 | 0.0123 | 1 | 0.0040 |" in text
    assert "- frontier review not configured" in text
    assert text.rstrip().endswith("<!-- m -->")


def test_unanchored_findings_listed_without_suggestion_fence() -> None:
    text = render_summary(review(comments=(), unanchored=(finding("x = 1"),)))
    assert "### Findings not placed inline" in text
    assert "`app/db.py:12`" in text
    assert "suggestion" not in text


def test_clean_review_says_so() -> None:
    assert "No findings · reviewed 3/5 files" in render_summary(review(comments=()))


@pytest.mark.parametrize(
    ("replacement", "block"),
    [
        ("", "```suggestion\n```"),  # delete the commented lines
        ("\n", "```suggestion\n\n```"),  # one blank line
        ("x = 1", "```suggestion\nx = 1\n```"),
        ("x = 1\n", "```suggestion\nx = 1\n```"),
        ("a\nb", "```suggestion\na\nb\n```"),
    ],
)
def test_suggestion_block_holds_exactly_the_new_lines(replacement: str, block: str) -> None:
    assert f"\n{block}\n" in render_comment(comment(finding(replacement)))


@pytest.mark.parametrize(
    ("source", "route", "by"),
    [
        ("ruff:F401", Route.SMALL, "ruff"),
        ("secret:aws-access-key", Route.FRONTIER, "secret"),
        ("static:sql-format", Route.SMALL, "static"),
        ("sarif:semgrep/sqli", Route.SMALL, "sarif"),
        ("claude-sonnet-5-5", Route.FRONTIER, "frontier"),
        ("qwen2.5-coder:7b", Route.SMALL, "small"),  # a model id with a colon is still a model
    ],
)
def test_comment_names_the_reviewer_that_found_it(source: str, route: Route, by: str) -> None:
    f = dataclasses.replace(finding(), source=source, route=route)
    assert f"<!-- prbot:by={by} -->" in render_comment(comment(f))
