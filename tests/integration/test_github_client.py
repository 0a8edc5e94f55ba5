"""GitHubClient over real PyGithub against the fake GitHub on loopback."""

from __future__ import annotations

import time
from dataclasses import replace

import httpx
import jwt
import pytest

from bot.github import (
    CheckAnnotation,
    ClientOptions,
    DraftComment,
    GitHubApp,
    GitHubAuthError,
    GitHubClient,
    GitHubError,
    GitHubForbidden,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubUnavailable,
    GitHubUnprocessable,
    PullFile,
    PullInfo,
)
from reviewers.models import Side
from tests.fakes.app_keys import AppKey, generate_app_key
from tests.fakes.github_server import API_HEADERS, FakeGitHub
from tests.fakes.servers import serve
from tests.integration.conftest import APP_ID, BASE, HEAD, INSTALLATION, PATCH_A, REPO


def test_app_jwt_then_installation_token(client: GitHubClient, demo: FakeGitHub) -> None:
    pull = client.get_pull(REPO, 1)

    assert pull == PullInfo(
        number=1,
        title="Add json support",
        body="Please review",
        author="alice",
        author_is_bot=False,
        draft=False,
        labels=("enhancement",),
        head_sha=HEAD,
        base_sha=BASE,
        base_ref="main",
        head_ref="feature/json",
        state="open",
    )
    token_call, pull_call = demo.requests()
    assert (token_call.method, token_call.path, token_call.status) == (
        "POST",
        "/app/installations/7/access_tokens",
        201,
    )
    assert token_call.headers["authorization"].startswith("Bearer ")
    token = demo.issued_tokens()[0].token
    assert pull_call.headers["authorization"] == f"token {token}"
    assert pull_call.headers["x-github-api-version"] == "2022-11-28"


def test_client_id_is_an_accepted_issuer(
    demo: FakeGitHub, app_key: AppKey, options: ClientOptions
) -> None:
    app = GitHubApp("Iv1.fakeclient0001", app_key.private_pem, options)

    assert app.client(INSTALLATION).get_pull(REPO, 1).head_sha == HEAD


def test_token_is_cached_between_calls(client: GitHubClient, demo: FakeGitHub) -> None:
    client.get_pull(REPO, 1)
    client.list_files(REPO, 1)
    client.list_reviews(REPO, 1)

    assert len(demo.requests("POST", "access_tokens")) == 1


@pytest.mark.parametrize("issuer", ["wrong-key", "999"])
def test_refused_app_jwt_is_an_auth_error(
    demo: FakeGitHub, app_key: AppKey, options: ClientOptions, issuer: str
) -> None:
    key = generate_app_key().private_pem if issuer == "wrong-key" else app_key.private_pem
    app = GitHubApp(str(APP_ID) if issuer == "wrong-key" else issuer, key, options)

    with pytest.raises(GitHubAuthError) as caught:
        app.client(INSTALLATION).get_pull(REPO, 1)

    assert caught.value.status == 401
    assert not demo.issued_tokens()


def test_fake_refuses_a_jwt_living_over_ten_minutes(
    demo: FakeGitHub, app_key: AppKey, fake_github_url: str
) -> None:
    now = int(time.time())
    token = jwt.encode(
        {"iat": now - 60, "exp": now + 700, "iss": str(APP_ID)}, app_key.private_pem, "RS256"
    )
    url = f"{fake_github_url}/app/installations/{INSTALLATION}/access_tokens"

    answer = httpx.post(url, headers={"Authorization": f"Bearer {token}", **API_HEADERS})

    assert answer.status_code == 401
    assert answer.json()["message"] == "'Expiration time' claim ('exp') is too far in the future"


def test_revoked_token_is_replaced_once(client: GitHubClient, demo: FakeGitHub) -> None:
    client.get_pull(REPO, 1)
    demo.expire_tokens()

    files = client.list_files(REPO, 1)

    assert [f.filename for f in files] == ["a.py", "b.py", "logo.png", "gone.py"]
    assert [r.status for r in demo.requests(path_regex="/files$")] == [401, 200]
    assert len(demo.issued_tokens()) == 2


def test_pygithub_refreshes_a_token_near_expiry(client: GitHubClient, demo: FakeGitHub) -> None:
    demo.state.token_ttl = 10  # inside PyGithub's 20 s refresh margin: stale on arrival

    client.get_pull(REPO, 1)
    client.list_files(REPO, 1)

    assert len(demo.issued_tokens()) == 2
    assert all(r.status != 401 for r in demo.requests())


def test_plain_token_mode(demo: FakeGitHub, options: ClientOptions) -> None:
    demo.add_plain_token("ghs_action_token")
    demo.add_issue_comment(REPO, 1, "hello", user="bob")

    comments = GitHubClient.for_token("ghs_action_token", options).list_issue_comments(REPO, 1)

    assert [(c.body, c.user_login, c.user_is_bot) for c in comments] == [("hello", "bob", False)]
    with pytest.raises(GitHubAuthError):
        GitHubClient.for_token("ghs_unknown", options).get_pull(REPO, 1)


def test_installation_token_sees_only_its_repos(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.add_installation(8)
    demo.add_repo("other", "repo", installation_id=8)

    with pytest.raises(GitHubNotFound):
        client.get_pull("other/repo", 1)


def test_app_finds_installation_and_slug(demo: FakeGitHub, github_app: GitHubApp) -> None:
    assert github_app.installation_id(REPO) == INSTALLATION
    assert github_app.slug() == "prbot"


def test_files_are_paginated_past_250(demo: FakeGitHub, client: GitHubClient) -> None:
    many = [(f"src/f{i:03}.py", "added", f"@@ -0,0 +1 @@\n+v = {i}", None) for i in range(250)]
    demo.add_pull_request("octo", "demo", 2, HEAD, BASE, files=many)

    files = client.list_files(REPO, 2)

    assert len(files) == 250
    assert files[0] == PullFile("src/f000.py", "added", "@@ -0,0 +1 @@\n+v = 0", None)
    assert files[-1].filename == "src/f249.py"
    pages = demo.requests("GET", r"/pulls/2/files$")
    assert [r.query for r in pages] == [
        "per_page=100",
        "page=2&per_page=100",
        "page=3&per_page=100",
    ]


def test_binary_file_has_no_patch_and_rename_keeps_old_name(
    demo: FakeGitHub, client: GitHubClient
) -> None:
    demo.add_pull_request(
        "octo", "demo", 3, HEAD, BASE, files=[("new.py", "renamed", PATCH_A, "old.py")]
    )

    assert client.list_files(REPO, 1)[2] == PullFile("logo.png", "added", None, None)
    assert client.list_files(REPO, 3) == [PullFile("new.py", "renamed", PATCH_A, "old.py")]


def test_contents_at_a_ref(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.set_file_content(REPO, HEAD, ".github/prbot.yml", "rules: new\n")
    demo.set_file_content(REPO, BASE, ".github/prbot.yml", "rules: old ✓\n")

    assert client.get_text(REPO, ".github/prbot.yml", BASE) == "rules: old ✓\n"
    assert client.get_text(REPO, ".github/prbot.yml", HEAD) == "rules: new\n"
    assert client.get_text(REPO, "missing.txt", HEAD) is None


def test_whole_diff_and_its_limit(demo: FakeGitHub, client: GitHubClient) -> None:
    diff = client.get_diff(REPO, 1)
    assert diff.startswith("diff --git a/a.py b/a.py\n")
    assert "Binary files a/logo.png and b/logo.png differ" in diff

    many = [(f"f{i}.py", "added", "@@ -0,0 +1 @@\n+x", None) for i in range(301)]
    demo.add_pull_request("octo", "demo", 4, HEAD, BASE, files=many)
    with pytest.raises(GitHubError) as caught:
        client.get_diff(REPO, 4)
    assert caught.value.status == 406


@pytest.mark.parametrize("permission", ["admin", "write", "read", "none"])
def test_permission_lookup(demo: FakeGitHub, client: GitHubClient, permission: str) -> None:
    demo.set_permission(REPO, "carol", permission)

    assert client.get_permission(REPO, "carol") == permission


def test_review_is_anchored_by_line_and_side_never_position(
    demo: FakeGitHub, client: GitHubClient
) -> None:
    drafts = [
        DraftComment("a.py", Side.RIGHT, 3, None, "one line"),
        DraftComment("a.py", Side.RIGHT, 13, 11, "a range"),
        DraftComment("gone.py", Side.LEFT, 2, 1, "removed lines"),
    ]

    review_id = client.create_review(REPO, 1, HEAD, "summary", drafts)

    (review,) = demo.reviews(REPO, 1)
    assert (review.id, review.state, review.body, review.commit_id) == (
        review_id,
        "COMMENTED",
        "summary",
        HEAD,
    )
    stored = [
        (c.path, c.line, c.side, c.start_line, c.start_side, c.position, c.body)
        for c in demo.review_comments(REPO, 1)
    ]
    assert stored == [
        ("a.py", 3, "RIGHT", None, None, None, "one line"),
        ("a.py", 13, "RIGHT", 11, "RIGHT", None, "a range"),
        ("gone.py", 2, "LEFT", 1, "LEFT", None, "removed lines"),
    ]
    (sent,) = demo.requests("POST", "/reviews$")
    assert sent.json["event"] == "COMMENT"
    assert all("position" not in c for c in sent.json["comments"])


@pytest.mark.parametrize(
    ("bad", "messages"),
    [
        (
            DraftComment("nope.py", Side.RIGHT, 1, None, "x"),
            ["Pull request review thread path is invalid"],
        ),
        (
            DraftComment("a.py", Side.RIGHT, 8, None, "x"),
            [
                "Pull request review thread line must be part of the diff",
                "Pull request review thread diff hunk can't be blank",
            ],
        ),
        (
            DraftComment("a.py", Side.LEFT, 13, None, "x"),  # 13 is new-side only
            [
                "Pull request review thread line must be part of the diff",
                "Pull request review thread diff hunk can't be blank",
            ],
        ),
        (
            DraftComment("a.py", Side.RIGHT, 12, 4, "x"),
            ["Pull request review thread start line must be part of the same hunk as the line."],
        ),
        (
            DraftComment("a.py", Side.RIGHT, 3, 3, "x"),
            ["Pull request review thread start line must precede the end line."],
        ),
        (DraftComment("logo.png", Side.RIGHT, 1, None, "x"), ["Line could not be resolved"]),
    ],
)
def test_fake_refuses_bad_anchors_all_or_nothing(
    demo: FakeGitHub, client: GitHubClient, bad: DraftComment, messages: list[str]
) -> None:
    good = DraftComment("b.py", Side.RIGHT, 2, None, "fine")

    with pytest.raises(GitHubUnprocessable) as caught:
        client.create_review(REPO, 1, HEAD, "summary", [good, bad])

    assert caught.value.status == 422
    assert caught.value.messages == messages
    assert demo.reviews(REPO, 1) == []
    assert demo.review_comments(REPO, 1) == []


def test_502_is_retried_by_github_retry(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject("GET", r"/pulls/1$", 502)

    assert client.get_pull(REPO, 1).number == 1
    assert [r.status for r in demo.requests("GET", r"/pulls/1$")] == [502, 200]


def test_secondary_rate_limit_waits_for_retry_after(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject_secondary_rate_limit("POST", r"/issues/1/comments$", retry_after=1)

    client.create_issue_comment(REPO, 1, "hello")

    first, second = demo.requests("POST", r"/issues/1/comments$")
    assert (first.status, second.status) == (403, 201)
    assert second.at - first.at >= 1.0
    assert [c.body for c in demo.issue_comments(REPO, 1)] == ["hello"]


def test_429_without_retry_after_is_rate_limited(demo: FakeGitHub, client: GitHubClient) -> None:
    demo.inject("GET", r"/pulls/1$", 429, body={"message": "Too many requests"})

    with pytest.raises(GitHubRateLimited):
        client.get_pull(REPO, 1)


def test_writes_are_spaced(demo: FakeGitHub, app_key: AppKey, options: ClientOptions) -> None:
    paced = replace(options, seconds_between_writes=0.2)
    client = GitHubApp(str(APP_ID), app_key.private_pem, paced).client(INSTALLATION)

    comment_id = client.create_issue_comment(REPO, 1, "one")
    client.edit_issue_comment(REPO, comment_id, "two")
    client.add_reaction(REPO, comment_id, "eyes")

    times = demo.write_times(r"^/repos/")
    assert len(times) == 3
    assert all(later - earlier >= 0.2 for earlier, later in zip(times, times[1:], strict=False))


def test_issue_comment_lifecycle(demo: FakeGitHub, client: GitHubClient) -> None:
    comment_id = client.create_issue_comment(REPO, 1, "first")
    client.edit_issue_comment(REPO, comment_id, "edited")
    client.add_reaction(REPO, comment_id, "rocket")
    client.add_reaction(REPO, comment_id, "rocket")  # the same reaction again: GitHub says 200

    (comment,) = client.list_issue_comments(REPO, 1)
    assert (comment.id, comment.body, comment.user_login, comment.user_is_bot) == (
        comment_id,
        "edited",
        "prbot[bot]",
        True,
    )
    assert comment.reactions == {"rocket": 1}
    statuses = [r.status for r in demo.requests("POST", "/reactions$")]
    assert statuses == [201, 200]
    with pytest.raises(GitHubUnprocessable):
        client.add_reaction(REPO, comment_id, "thumbs-up")


def test_review_comments_replies_and_reactions(demo: FakeGitHub, client: GitHubClient) -> None:
    root = demo.add_review_comment(REPO, 1, "a.py", 3, "why json?", user="alice")

    reply = client.reply_to_review_comment(REPO, 1, root, "Because of the API.")
    client.add_reaction(REPO, root, "eyes", kind="review")

    listed = client.list_review_comments(REPO, 1)
    assert [(c.id, c.user_login, c.user_is_bot, c.in_reply_to_id) for c in listed] == [
        (root, "alice", False, None),
        (reply.id, "prbot[bot]", True, root),
    ]
    assert (listed[0].path, listed[0].line, listed[0].side) == ("a.py", 3, Side.RIGHT)
    assert listed[0].reactions == {"eyes": 1}
    assert demo.reactions("pulls", root)[0].user == "prbot[bot]"
    # No extra GET per comment: PyGithub's lazy completion is bypassed for lists.
    assert len(demo.requests("GET", r"/pulls/comments/")) == 0


def test_delete_review_comment(demo: FakeGitHub, client: GitHubClient) -> None:
    client.create_review(REPO, 1, HEAD, "s", [DraftComment("b.py", Side.RIGHT, 1, None, "x")])
    (comment,) = client.list_review_comments(REPO, 1)

    client.delete_review_comment(REPO, comment.id)

    assert client.list_review_comments(REPO, 1) == []


def test_resolve_thread_over_graphql(demo: FakeGitHub, client: GitHubClient) -> None:
    client.create_review(REPO, 1, HEAD, "s", [DraftComment("b.py", Side.RIGHT, 1, None, "x")])
    (comment,) = client.list_review_comments(REPO, 1)
    reply = demo.add_review_comment(REPO, 1, "b.py", 1, "ok", in_reply_to_id=comment.id)

    (thread,) = client.list_review_threads(REPO, 1)
    assert (thread.comment_ids, thread.is_resolved) == ((comment.id, reply), False)
    with pytest.raises(GitHubForbidden) as refused:  # the manifest asks for Contents: read
        client.resolve_review_thread(thread.id)
    assert (refused.value.status, refused.value.retryable) == (403, False)
    assert "Resource not accessible by integration" in str(refused.value)
    demo.set_permissions(INSTALLATION, contents="write")
    client.resolve_review_thread(thread.id)
    assert demo.thread_resolved(comment.id)
    assert client.list_review_threads(REPO, 1)[0].is_resolved
    with pytest.raises(GitHubNotFound):
        client.resolve_review_thread("PRRT_unknown")


def test_check_run_lifecycle_with_120_annotations(demo: FakeGitHub, client: GitHubClient) -> None:
    notes = [CheckAnnotation("a.py", i, i, "warning", f"note {i}") for i in range(1, 121)]

    run_id = client.create_check_run(REPO, HEAD, "prbot review")
    (run,) = demo.check_runs(REPO)
    assert (run.id, run.status, run.conclusion) == (run_id, "in_progress", None)

    client.complete_check_run(REPO, run_id, "neutral", "3 findings", "summary", "details", notes)

    assert (run.status, run.conclusion, run.output["title"]) == (
        "completed",
        "neutral",
        "3 findings",
    )
    assert [a["message"] for a in run.annotations] == [f"note {i}" for i in range(1, 121)]
    patches = demo.requests("PATCH", r"/check-runs/")
    assert [len(p.json["output"]["annotations"]) for p in patches] == [50, 50, 20]
    assert [p.json.get("conclusion") for p in patches] == [None, None, "neutral"]


def test_fake_refuses_51_annotations(
    demo: FakeGitHub, client: GitHubClient, fake_github_url: str
) -> None:
    run_id = client.create_check_run(REPO, HEAD, "prbot review")
    token = demo.issued_tokens()[0].token
    notes = [CheckAnnotation("a.py", 1, 1, "notice", "n").as_json() for _ in range(51)]
    output = {"title": "t", "summary": "s", "annotations": notes}

    answer = httpx.patch(
        f"{fake_github_url}/repos/{REPO}/check-runs/{run_id}",
        json={"output": output},
        headers={"Authorization": f"token {token}", **API_HEADERS},
    )

    assert answer.status_code == 422
    assert answer.json()["errors"] == ["Only 50 annotations are allowed per request"]


def test_enterprise_base_url_with_path_prefix(app_key: AppKey, options: ClientOptions) -> None:
    fake = FakeGitHub(app_key.public_pem, app_id=APP_ID, api_prefix="/api/v3")
    fake.add_installation(INSTALLATION)
    fake.set_permissions(INSTALLATION, contents="write")
    fake.add_repo("octo", "demo", installation_id=INSTALLATION)
    files = [(f"f{i}.py", "added", "@@ -0,0 +1 @@\n+x", None) for i in range(150)]
    fake.add_pull_request("octo", "demo", 1, HEAD, BASE, files=files)
    with serve(fake.app) as server:
        ghes = replace(options, base_url=f"{server.base_url}/api/v3")
        client = GitHubApp(str(APP_ID), app_key.private_pem, ghes).client(INSTALLATION)

        assert len(client.list_files(REPO, 1)) == 150
        client.create_review(REPO, 1, HEAD, "s", [DraftComment("f1.py", Side.RIGHT, 1, None, "x")])
        (thread,) = client.list_review_threads(REPO, 1)
        client.resolve_review_thread(thread.id)
        assert fake.thread_resolved(thread.comment_ids[0])

    assert {r.path for r in fake.requests()} >= {
        "/api/v3/app/installations/7/access_tokens",
        "/api/v3/repos/octo/demo/pulls/1/files",
        "/api/graphql",
    }


def test_fake_keeps_a_review_without_event_pending_and_records_position(
    demo: FakeGitHub, client: GitHubClient, fake_github_url: str
) -> None:
    client.get_pull(REPO, 1)  # obtains an installation token
    auth = {"Authorization": f"token {demo.issued_tokens()[0].token}", **API_HEADERS}
    url = f"{fake_github_url}/repos/{REPO}/pulls/1/reviews"
    comment = {"path": "a.py", "position": 2, "body": "old style"}

    first = httpx.post(url, json={"body": "draft", "comments": [comment]}, headers=auth)
    second = httpx.post(url, json={"body": "again"}, headers=auth)

    assert (first.status_code, first.json()["state"]) == (200, "PENDING")
    assert second.status_code == 422
    assert second.json()["errors"] == ["User can only have one pending review per pull request"]
    assert [c.position for c in demo.review_comments(REPO, 1)] == [2]
    assert client.list_review_comments(REPO, 1) == []  # pending comments are not listed


def test_too_long_comment_body_is_unprocessable(demo: FakeGitHub, client: GitHubClient) -> None:
    with pytest.raises(GitHubUnprocessable) as caught:
        client.create_issue_comment(REPO, 1, "x" * 65_537)

    assert caught.value.messages == ["Body is too long (maximum is 65536 characters)"]


def test_every_request_names_the_media_type_and_the_api_version(
    demo: FakeGitHub, client: GitHubClient, github_app: GitHubApp
) -> None:
    """Issue 10 item 15: PyGithub sends no Accept on most calls and retired previews
    (machine-man for tokens, squirrel-girl for reactions) on some; the fake refuses both."""
    github_app.slug()
    client.get_pull(REPO, 1)
    client.get_diff(REPO, 1)
    comment_id = client.create_issue_comment(REPO, 1, "hi")
    client.add_reaction(REPO, comment_id, "eyes")
    client.create_review(REPO, 1, HEAD, "s", [DraftComment("b.py", Side.RIGHT, 1, None, "x")])
    (root,) = client.list_review_comments(REPO, 1)
    client.reply_to_review_comment(REPO, 1, root.id, "reply")
    client.list_review_threads(REPO, 1)
    run_id = client.create_check_run(REPO, HEAD, "prbot")
    client.complete_check_run(REPO, run_id, "neutral", "t", "s")

    seen = demo.requests()
    assert all(r.status < 400 for r in seen), [(r.method, r.path, r.status) for r in seen]
    assert {r.headers["x-github-api-version"] for r in seen} == {"2022-11-28"}
    assert {r.headers["accept"] for r in seen} == {
        "application/vnd.github+json",
        "application/vnd.github.diff",
    }


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({"Accept": "application/vnd.github+json"}, 400, "Missing X-GitHub-Api-Version"),
        ({"X-GitHub-Api-Version": "2022-11-28"}, 415, "Unsupported 'Accept' header: '*/*'"),
        (
            {**API_HEADERS, "Accept": "application/vnd.github.squirrel-girl-preview"},
            415,
            "preview media types are retired",
        ),
    ],
)
def test_fake_refuses_requests_without_version_or_media_type(
    demo: FakeGitHub, fake_github_url: str, headers: dict[str, str], status: int, message: str
) -> None:
    demo.add_plain_token("ghs_raw")
    answer = httpx.get(
        f"{fake_github_url}/repos/{REPO}/pulls/1",
        headers={"Authorization": "token ghs_raw", **headers},
    )
    assert answer.status_code == status
    assert message in answer.json()["message"]


@pytest.mark.parametrize(
    ("status", "body", "kind", "retryable"),
    [
        (422, {"message": "Validation Failed"}, GitHubUnprocessable, False),
        (404, {"message": "Not Found"}, GitHubNotFound, False),
        (403, {"message": "Resource not accessible by integration"}, GitHubForbidden, False),
        (410, {"message": "Gone"}, GitHubError, False),
        (429, {"message": "Too many requests"}, GitHubRateLimited, True),
        (503, {"message": "Service Unavailable"}, GitHubUnavailable, True),
    ],
)
def test_errors_say_whether_a_retry_can_help(
    demo: FakeGitHub,
    client: GitHubClient,
    status: int,
    body: dict[str, str],
    kind: type[GitHubError],
    retryable: bool,
) -> None:
    """Issue 10 item 9: the job runner reads `retryable`; refusals fail the job at once."""
    demo.inject("POST", r"/issues/1/comments$", status, times=10, body=body)

    with pytest.raises(GitHubError) as caught:
        client.create_issue_comment(REPO, 1, "hello")

    assert type(caught.value) is kind
    assert caught.value.retryable is retryable
