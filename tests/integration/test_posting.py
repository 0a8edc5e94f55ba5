"""post_review against the fake GitHub: local anchor checks, 422 recovery, nothing lost."""

from __future__ import annotations

import pytest

from bot.github import DraftComment, GitHubClient, GitHubUnavailable, GitHubUnprocessable
from bot.posting import MAX_BODY, MOVED_TITLE, PostResult, post_review
from reviewers.diff import parse_file_patch
from reviewers.models import Side
from tests.fakes.github_server import FakeGitHub
from tests.integration.conftest import HEAD, PATCH_A, PATCH_B, REPO

GOOD = [
    DraftComment("a.py", Side.RIGHT, 3, None, "Prefer orjson here."),
    DraftComment("a.py", Side.RIGHT, 13, 11, "Range comment."),
    DraftComment("b.py", Side.RIGHT, 2, None, "```suggestion\nb = 3\n```"),
    DraftComment("gone.py", Side.LEFT, 1, None, "Was this used?"),
]
OFF_DIFF = DraftComment("a.py", Side.RIGHT, 8, None, "```suggestion\nx = 0\n```\nOff the diff.")
REVIEW_422 = {
    "message": "Unprocessable Entity",
    "errors": ["Pull request review thread line must be part of the diff"],
    "status": "422",
}


def review_posts(fake: FakeGitHub) -> list[int]:
    return [r.status for r in fake.requests("POST", r"/pulls/1/reviews$")]


def test_all_anchors_right_one_attempt(demo: FakeGitHub, client: GitHubClient) -> None:
    result = post_review(client, REPO, 1, HEAD, "## Summary", GOOD)

    (review,) = demo.reviews(REPO, 1)
    assert result == PostResult(review.id, GOOD, [], 1)
    assert review.body == "## Summary"
    assert [(c.path, c.line, c.start_line) for c in demo.review_comments(REPO, 1)] == [
        ("a.py", 3, None),
        ("a.py", 13, 11),
        ("b.py", 2, None),
        ("gone.py", 1, None),
    ]


def test_bad_anchor_caught_locally_goes_to_summary(demo: FakeGitHub, client: GitHubClient) -> None:
    result = post_review(client, REPO, 1, HEAD, "## Summary", [*GOOD, OFF_DIFF])

    assert (result.posted, result.moved_to_summary, result.attempts) == (GOOD, [OFF_DIFF], 1)
    assert review_posts(demo) == [200]
    (review,) = demo.reviews(REPO, 1)
    assert review.body == (
        f"## Summary\n\n{MOVED_TITLE}\n\n**`a.py:8`**\n\n```\nx = 0\n```\nOff the diff.\n"
    )
    assert "```suggestion" not in review.body
    assert len(demo.review_comments(REPO, 1)) == len(GOOD)


def test_stale_patches_miss_a_bad_anchor_then_422_then_retry(
    demo: FakeGitHub, client: GitHubClient
) -> None:
    # The caller believes b.py has 6 added lines; GitHub's patch has 3.
    stale_b = "@@ -0,0 +1,6 @@\n+a\n+b\n+c\n+d\n+e\n+f"
    patches = {
        "a.py": parse_file_patch("a.py", PATCH_A, "modified"),
        "b.py": parse_file_patch("b.py", stale_b, "added"),
    }
    beyond = DraftComment("b.py", Side.RIGHT, 5, None, "Only in the stale patch.")
    kept = GOOD[:3]

    result = post_review(client, REPO, 1, HEAD, "Summary", [*kept, beyond], patches)

    assert review_posts(demo) == [422, 200]
    assert (result.posted, result.moved_to_summary, result.attempts) == (kept, [beyond], 2)
    (review,) = demo.reviews(REPO, 1)
    assert review.id == result.review_id
    assert "**`b.py:5`**\n\nOnly in the stale patch." in review.body
    assert len(demo.review_comments(REPO, 1)) == 3


def test_422_that_left_a_review_is_completed_not_duplicated(
    demo: FakeGitHub, client: GitHubClient
) -> None:
    demo.leave_review_on_422()
    # The caller's a.py patch claims 9 added lines; GitHub's hunk ends before line 9.
    patches = {"a.py": parse_file_patch("a.py", "@@ -0,0 +1,9 @@\n" + "+x\n" * 9, "modified")}
    stale = DraftComment("a.py", Side.RIGHT, 9, None, "Stale anchor.")

    result = post_review(client, REPO, 1, HEAD, "Summary", [GOOD[0], stale], patches)

    assert review_posts(demo) == [422]
    (review,) = demo.reviews(REPO, 1)
    assert (result.review_id, result.reused_existing, result.posted) == (review.id, True, [])
    assert result.moved_to_summary == [GOOD[0], stale]
    assert "**`a.py:3`**" in review.body and "**`a.py:9`**" in review.body
    assert demo.requests("PUT", rf"/reviews/{review.id}$")[0].status == 200


def test_unexplained_422s_halve_then_post(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject("POST", r"/pulls/1/reviews$", 422, times=2, body=REVIEW_422)

    result = post_review(client, REPO, 1, HEAD, "Summary", GOOD)

    # 4 inline -> fresh check finds nothing -> 2 inline -> 1 inline, accepted.
    assert review_posts(demo) == [422, 422, 200]
    assert (result.posted, result.moved_to_summary, result.attempts) == (
        GOOD[:1],
        [*GOOD[2:], GOOD[1]],
        3,
    )
    assert sorted(map(str, result.posted + result.moved_to_summary)) == sorted(map(str, GOOD))


def test_last_attempt_is_summary_only(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject("POST", r"/pulls/1/reviews$", 422, times=3, body=REVIEW_422)

    result = post_review(client, REPO, 1, HEAD, "Summary", GOOD)

    assert review_posts(demo) == [422, 422, 422, 200]
    assert (result.posted, len(result.moved_to_summary), result.attempts) == ([], 4, 4)
    assert demo.review_comments(REPO, 1) == []


def test_summary_only_failure_raises(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject("POST", r"/pulls/1/reviews$", 422, times=9, body=REVIEW_422)

    with pytest.raises(GitHubUnprocessable):
        post_review(client, REPO, 1, HEAD, "Summary", GOOD)

    assert review_posts(demo) == [422, 422, 422, 422]


def test_bodies_are_truncated_to_fit(demo: FakeGitHub, client: GitHubClient) -> None:
    long_comment = DraftComment("b.py", Side.RIGHT, 1, None, "y" * 70_000)

    post_review(client, REPO, 1, HEAD, "x" * 70_000, [long_comment])

    (review,) = demo.reviews(REPO, 1)
    (comment,) = demo.review_comments(REPO, 1)
    for body in (review.body, comment.body):
        assert len(body) <= MAX_BODY
        assert body.endswith("\n\n... (truncated)")


def test_502_on_create_review_is_not_resent(demo: FakeGitHub, client: GitHubClient) -> None:
    # GitHub may have created the review before its gateway answered 502: resending could
    # post it twice. The error propagates; the job's retry skips what was already posted.
    demo.inject("POST", r"/pulls/1/reviews$", 502)

    with pytest.raises(GitHubUnavailable):
        post_review(client, REPO, 1, HEAD, "Summary", GOOD[:1])

    assert review_posts(demo) == [502]


def test_502_on_a_read_is_retried(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject("GET", r"/pulls/1/files$", 502)

    assert len(client.list_files(REPO, 1)) == 4
    assert len(demo.requests("GET", r"/pulls/1/files$")) == 2


def test_patches_default_to_the_pr_files(demo: FakeGitHub, client: GitHubClient) -> None:
    on_binary = DraftComment("logo.png", Side.RIGHT, 1, None, "Binary.")

    result = post_review(client, REPO, 1, HEAD, "Summary", [on_binary, GOOD[2]])

    assert (result.posted, result.moved_to_summary) == ([GOOD[2]], [on_binary])
    assert len(demo.requests("GET", r"/pulls/1/files$")) == 1
    assert PATCH_B in [f.patch for f in client.list_files(REPO, 1)]
