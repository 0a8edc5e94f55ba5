"""JSON shapes of the fake GitHub's resources; every url is built from the fake's own base URL.

PyGithub follows absolute `url` fields and asserts that their host, port and path prefix
match its `base_url`, so nothing here may point at api.github.com.
"""

from __future__ import annotations

import zlib
from typing import Any

from tests.fakes.github_hunks import count_changes
from tests.fakes.github_state import (
    CheckRunRec,
    FakeApp,
    FakePull,
    FakeRepo,
    IssueCommentRec,
    ReactionRec,
    ReviewCommentRec,
    ReviewRec,
)

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
CREATED = "2026-01-01T00:00:00Z"


def user(base: str, login: str, user_type: str | None = None) -> dict[str, Any]:
    kind = user_type or ("Bot" if login.endswith("[bot]") else "User")
    return {
        "login": login,
        "id": zlib.crc32(login.encode()) % 10_000_000,
        "node_id": f"U_{login}",
        "type": kind,
        "site_admin": False,
        "url": f"{base}/users/{login}",
        "html_url": f"{base}/html/{login}",
        "avatar_url": f"{base}/avatars/{login}",
    }


def app(base: str, rec: FakeApp) -> dict[str, Any]:
    """An App as GitHub shows it (GET /app, performed_via_github_app)."""
    return {
        "id": rec.id,
        "slug": rec.slug,
        "node_id": f"A_{rec.id}",
        "name": rec.slug,
        "owner": user(base, "octo-org", "Organization"),
        "html_url": f"{base}/html/apps/{rec.slug}",
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def repository(base: str, repo: FakeRepo) -> dict[str, Any]:
    url = f"{base}/repos/{repo.full_name}"
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user(base, repo.owner, "Organization"),
        "private": repo.private,
        "default_branch": repo.default_branch,
        "url": url,
        "html_url": f"{base}/html/{repo.full_name}",
        "pulls_url": f"{url}/pulls{{/number}}",
        "issues_url": f"{url}/issues{{/number}}",
        "contents_url": f"{url}/contents/{{+path}}",
        "commits_url": f"{url}/commits{{/sha}}",
    }


def pull(base: str, repo: FakeRepo, pr: FakePull) -> dict[str, Any]:
    url = f"{base}/repos/{repo.full_name}/pulls/{pr.number}"
    issue_url = f"{base}/repos/{repo.full_name}/issues/{pr.number}"
    adds = sum(count_changes(f.patch)[0] for f in pr.files)
    dels = sum(count_changes(f.patch)[1] for f in pr.files)
    return {
        "url": url,
        "id": pr.id,
        "node_id": f"PR_{pr.id}",
        "html_url": f"{base}/html/{repo.full_name}/pull/{pr.number}",
        "diff_url": f"{base}/html/{repo.full_name}/pull/{pr.number}.diff",
        "patch_url": f"{base}/html/{repo.full_name}/pull/{pr.number}.patch",
        "issue_url": issue_url,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{base}/repos/{repo.full_name}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": f"{base}/repos/{repo.full_name}/statuses/{pr.head_sha}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(base, pr.user, pr.user_type),
        "body": pr.body,
        "labels": [_label(base, repo, name) for name in pr.labels],
        "draft": pr.draft,
        "head": _part(base, repo, pr.head_ref, pr.head_sha, pr.user),
        "base": _part(base, repo, pr.base_ref, pr.base_sha, repo.owner),
        "merged": False,
        "mergeable": True,
        "commits": len(pr.commits),
        "additions": adds,
        "deletions": dels,
        "changed_files": len(pr.files),
        "created_at": CREATED,
        "updated_at": CREATED,
        "author_association": "CONTRIBUTOR",
    }


def _part(base: str, repo: FakeRepo, ref: str, sha: str, login: str) -> dict[str, Any]:
    return {
        "label": f"{login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(base, login),
        "repo": repository(base, repo),
    }


def _label(base: str, repo: FakeRepo, name: str) -> dict[str, Any]:
    return {
        "id": zlib.crc32(name.encode()),
        "name": name,
        "color": "ededed",
        "url": f"{base}/repos/{repo.full_name}/labels/{name}",
    }


def issue(base: str, repo: FakeRepo, pr: FakePull) -> dict[str, Any]:
    url = f"{base}/repos/{repo.full_name}/issues/{pr.number}"
    return {
        "url": url,
        "id": pr.id + 1,
        "number": pr.number,
        "title": pr.title,
        "body": pr.body,
        "state": pr.state,
        "user": user(base, pr.user, pr.user_type),
        "labels": [_label(base, repo, name) for name in pr.labels],
        "comments_url": f"{url}/comments",
        "html_url": f"{base}/html/{repo.full_name}/pull/{pr.number}",
        "pull_request": {"url": f"{base}/repos/{repo.full_name}/pulls/{pr.number}"},
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def commit(base: str, repo: FakeRepo, sha: str) -> dict[str, Any]:
    url = f"{base}/repos/{repo.full_name}/commits/{sha}"
    person = {"name": "Fake", "email": "fake@example.invalid", "date": CREATED}
    return {
        "sha": sha,
        "node_id": f"C_{sha}",
        "url": url,
        "html_url": f"{base}/html/{repo.full_name}/commit/{sha}",
        "comments_url": f"{url}/comments",
        "commit": {"message": f"commit {sha}", "author": person, "committer": person},
        "parents": [],
    }


def reaction_summary(url: str, reactions: list[ReactionRec]) -> dict[str, Any]:
    summary: dict[str, Any] = {"url": f"{url}/reactions", "total_count": len(reactions)}
    for content in REACTIONS:
        summary[content] = sum(r.content == content for r in reactions)
    return summary


def reaction(base: str, rec: ReactionRec) -> dict[str, Any]:
    return {
        "id": rec.id,
        "node_id": f"REA_{rec.id}",
        "user": user(base, rec.user),
        "content": rec.content,
        "created_at": rec.created_at,
    }


def review_comment(
    base: str, rec: ReviewCommentRec, reactions: list[ReactionRec]
) -> dict[str, Any]:
    url = f"{base}/repos/{rec.repo}/pulls/comments/{rec.id}"
    pr_url = f"{base}/repos/{rec.repo}/pulls/{rec.number}"
    data: dict[str, Any] = {
        "url": url,
        "id": rec.id,
        "node_id": f"PRRC_{rec.id}",
        "pull_request_review_id": rec.review_id,
        "diff_hunk": rec.diff_hunk,
        "path": rec.path,
        "position": rec.position,
        "original_position": rec.position,
        "commit_id": rec.commit_id,
        "original_commit_id": rec.commit_id,
        "user": user(base, rec.user),
        "body": rec.body,
        "created_at": rec.created_at,
        "updated_at": rec.created_at,
        "html_url": f"{base}/html/{rec.repo}/pull/{rec.number}#discussion_r{rec.id}",
        "pull_request_url": pr_url,
        "author_association": "NONE",
        "_links": {"self": {"href": url}, "pull_request": {"href": pr_url}},
        "start_line": rec.start_line,
        "original_start_line": rec.start_line,
        "start_side": rec.start_side,
        "line": rec.line,
        "original_line": rec.line,
        "side": rec.side,
        "subject_type": rec.subject_type,
        "reactions": reaction_summary(url, reactions),
    }
    if rec.in_reply_to_id is not None:
        data["in_reply_to_id"] = rec.in_reply_to_id
    return data


def issue_comment(
    base: str, rec: IssueCommentRec, reactions: list[ReactionRec], via: FakeApp | None = None
) -> dict[str, Any]:
    url = f"{base}/repos/{rec.repo}/issues/comments/{rec.id}"
    return {
        "performed_via_github_app": app(base, via) if via is not None else None,
        "url": url,
        "id": rec.id,
        "node_id": f"IC_{rec.id}",
        "html_url": f"{base}/html/{rec.repo}/pull/{rec.number}#issuecomment-{rec.id}",
        "issue_url": f"{base}/repos/{rec.repo}/issues/{rec.number}",
        "body": rec.body,
        "user": user(base, rec.user),
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "author_association": "NONE",
        "reactions": reaction_summary(url, reactions),
    }


def review(base: str, rec: ReviewRec) -> dict[str, Any]:
    pr_url = f"{base}/repos/{rec.repo}/pulls/{rec.number}"
    data: dict[str, Any] = {
        "id": rec.id,
        "node_id": f"PRR_{rec.id}",
        "user": user(base, rec.user),
        "body": rec.body,
        "state": rec.state,
        "commit_id": rec.commit_id,
        "html_url": f"{base}/html/{rec.repo}/pull/{rec.number}#pullrequestreview-{rec.id}",
        "pull_request_url": pr_url,
        "author_association": "NONE",
        "_links": {"html": {"href": f"{base}/html/{rec.repo}"}, "pull_request": {"href": pr_url}},
    }
    if rec.submitted_at is not None:
        data["submitted_at"] = rec.submitted_at
    return data


def check_run(base: str, rec: CheckRunRec) -> dict[str, Any]:
    url = f"{base}/repos/{rec.repo}/check-runs/{rec.id}"
    output = {
        "title": rec.output.get("title"),
        "summary": rec.output.get("summary"),
        "text": rec.output.get("text"),
        "annotations_count": len(rec.annotations),
        "annotations_url": f"{url}/annotations",
    }
    return {
        "id": rec.id,
        "node_id": f"CR_{rec.id}",
        "head_sha": rec.head_sha,
        "external_id": rec.external_id,
        "url": url,
        "html_url": f"{base}/html/{rec.repo}/runs/{rec.id}",
        "details_url": rec.details_url,
        "status": rec.status,
        "conclusion": rec.conclusion,
        "started_at": rec.started_at,
        "completed_at": rec.completed_at,
        "output": output,
        "name": rec.name,
        "pull_requests": [],
    }
