"""`prbot action`: review the pull request of a GitHub Actions run with the run's own token.

Only `pull_request` runs are reviewed. `pull_request_target` hands the base repository's
secrets and a write token to a run that anyone with a fork can start; prbot never needs
that, because it reads the diff through the API and never checks out or runs PR code.
On a pull request from a fork, `pull_request` gets a read-only token and no secrets:
GitHub refuses every write (403), so the review goes to the job log, annotations and the
step summary instead of being lost. The cache and state live in one directory (default
PRBOT_DATA_DIR, .prbot) that actions/cache can carry from run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot.events import Payload
from bot.github import (
    ClientOptions,
    GitHubClient,
    GitHubError,
    GitHubRateLimited,
    PostedComment,
    PullInfo,
)
from bot.output import to_markdown, to_text
from bot.pipeline import Pipeline, build_pipeline
from bot.prfiles import PullDiff
from bot.repoconfig import LoadedConfig
from bot.reviewing import Outcome, PullReviewer, Trigger
from bot.sarif_input import read_sarif_files
from bot.settings import ConfigError, Settings
from bot.state import SqliteState, StateStore, Suppressions
from reviewers.cache import DiskCache
from reviewers.models import Finding, Review, ReviewComment, Severity, Side
from reviewers.render import render_summary
from reviewers.static.sarif import SarifInput

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2  # the contract of `prbot review`
DEFAULT_API_URL = "https://api.github.com"
MAX_ANNOTATIONS = 10  # GitHub shows at most 10 annotations of each level per step
MAX_STEP_SUMMARY = 1_000_000  # GitHub refuses step summaries over 1 MiB
REFUSE_TARGET = (
    "prbot action does not run on pull_request_target: that event gives the base "
    "repository's secrets and a write token to runs any fork can start. Trigger the "
    "workflow `on: pull_request` (forks then get a read-only review in the job summary), "
    "or install the prbot GitHub App to review pull requests from forks."
)


class ActionError(ConfigError):
    """The run's environment does not describe a pull request prbot may review."""


class EventRepo(Payload):
    full_name: str


class EventRef(Payload):
    sha: str
    repo: EventRepo | None = None  # null when the fork has been deleted


class EventPull(Payload):
    number: int
    head: EventRef
    base: EventRef


class PullRequestRun(Payload):
    """The fields of GITHUB_EVENT_PATH's pull_request payload that the Action uses."""

    action: str
    pull_request: EventPull
    repository: EventRepo


@dataclass(frozen=True, slots=True)
class ActionRun:
    repo: str
    number: int
    action: str
    token: str
    api_url: str
    from_fork: bool
    step_summary: Path | None


@dataclass(frozen=True, slots=True)
class ActionResult:
    outcome: Outcome
    refused: GitHubError | None  # GitHub refused to let us post (read-only token)
    suppressions: Suppressions
    notes: tuple[str, ...] = ()


class ActionReviewer(PullReviewer):
    """The App's reviewer, except that a refused write keeps the review for the job log."""

    def __init__(self, client: GitHubClient, pipeline: Pipeline, state: StateStore) -> None:
        super().__init__(client, pipeline, state)
        self.refused: GitHubError | None = None

    async def publish(
        self,
        repo: str,
        pr: PullInfo,
        review: Review,
        diff: PullDiff,
        loaded: LoadedConfig,
        threads: Sequence[PostedComment],
        summary: tuple[int, str] | None,
    ) -> Outcome:
        try:
            return await super().publish(repo, pr, review, diff, loaded, threads, summary)
        except GitHubError as error:
            # GitHub answers a read-only GITHUB_TOKEN's writes with 403 "Resource not
            # accessible by integration"; rate limits are 403s too, but not refusals.
            if error.status != 403 or isinstance(error, GitHubRateLimited):
                raise
            self.refused = error
            return Outcome(review=review)


def run_action(args: argparse.Namespace) -> int:
    settings = action_settings(args.settings, args.state_dir)
    sarif = read_sarif_files(args.sarif)
    return review_action(os.environ, settings, args.fail_on, sys.stdout, sarif=sarif)


def action_settings(settings_file: Path | None, state_dir: Path | None) -> Settings:
    values: dict[str, Any] = {}
    if settings_file is not None:
        values["settings_file"] = settings_file
    if state_dir is not None:
        values["data_dir"] = state_dir
    return Settings(**values)


def review_action(
    env: Mapping[str, str],
    settings: Settings,
    fail_on: str | None,
    out: TextIO,
    options: ClientOptions | None = None,
    sarif: tuple[SarifInput, ...] = (),
) -> int:
    """Everything `prbot action` does after parsing its arguments; the exit code."""
    run = read_run(env)
    options = options or ClientOptions(
        base_url=run.api_url, seconds_between_writes=settings.github_write_gap_seconds
    )
    try:
        result = asyncio.run(review_run(run, settings, env, options, sarif))
    except GitHubError as error:
        sys.stderr.write(f"prbot: error: {error}\n")
        return EXIT_ERROR
    report(run, result, out)
    return exit_code(result, fail_on)


def read_run(env: Mapping[str, str]) -> ActionRun:
    """The run described by the GITHUB_* variables; ActionError when it is not reviewable."""
    name = env.get("GITHUB_EVENT_NAME", "")
    if name == "pull_request_target":
        raise ActionError(REFUSE_TARGET)
    if name != "pull_request":
        got = f"a {name} event" if name else "not a GitHub Actions run (no GITHUB_EVENT_NAME)"
        raise ActionError(f"prbot action reviews pull_request events; this is {got}")
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ActionError("GITHUB_TOKEN is not set: pass the workflow's token to the step")
    event = read_event(env.get("GITHUB_EVENT_PATH", ""))
    repo = event.repository.full_name
    named = env.get("GITHUB_REPOSITORY", "")
    if named and named.lower() != repo.lower():
        raise ActionError(f"GITHUB_REPOSITORY is {named} but the event is about {repo}")
    head = event.pull_request.head.repo
    summary = env.get("GITHUB_STEP_SUMMARY", "")
    return ActionRun(
        repo=repo,
        number=event.pull_request.number,
        action=event.action,
        token=token,
        api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
        from_fork=head is None or head.full_name.lower() != repo.lower(),
        step_summary=Path(summary) if summary else None,
    )


def read_event(path_text: str) -> PullRequestRun:
    if not path_text:
        raise ActionError("GITHUB_EVENT_PATH is not set")
    path = Path(path_text)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValueError: bad JSON or bad UTF-8
        raise ActionError(f"cannot read the event file {path}: {error}") from error
    try:
        return PullRequestRun.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ActionError(f"{path} is not a pull_request event: {where}: {first['msg']}") from error


async def review_run(
    run: ActionRun,
    settings: Settings,
    env: Mapping[str, str],
    options: ClientOptions,
    sarif: tuple[SarifInput, ...] = (),
) -> ActionResult:
    """Review and post with the same PullReviewer the App uses, keyed by the run's token."""
    pipeline = replace(build_pipeline(settings, env), sarif=sarif)
    client = GitHubClient.for_token(run.token, options)
    state = SqliteState(settings.data_dir / "state.sqlite3").open()
    try:
        reviewer = ActionReviewer(client, pipeline, state)
        trigger = Trigger(
            automatic=True, on_push=run.action == "synchronize", skip_reviewed_head=False
        )
        outcome = await reviewer.run(run.repo, run.number, trigger)
        suppressions = await asyncio.to_thread(state.suppressions, run.repo)
    finally:
        state.close()
        client.close()
        if isinstance(pipeline.cache, DiskCache):
            pipeline.cache.close()
    return ActionResult(outcome, reviewer.refused, suppressions, pipeline.notes)


def report(run: ActionRun, result: ActionResult, out: TextIO) -> None:
    """The job log (stdout) and, when GitHub provides one, the step summary."""
    for note in result.notes:
        out.write(f"prbot: {note}\n")
    outcome, review = result.outcome, result.outcome.review
    where = f"{run.repo}#{run.number}"
    if outcome.skipped or review is None:
        out.write(f"prbot: {where} not reviewed: {outcome.skipped}\n")
        write_step_summary(run, f"## prbot review\n\n{where} not reviewed: {outcome.skipped}.\n")
    elif result.refused is not None:
        why = refusal_reason(run, result.refused)
        out.write(f"prbot: could not post to {where} ({why}); the review follows.\n")
        for line in annotation_lines(review.comments):
            out.write(line + "\n")
        out.write(untrusted_block(to_text(review)))
        write_step_summary(run, f"> **Not posted** to {where}: {why}.\n\n{to_markdown(review)}\n")
    else:
        out.write(f"prbot: reviewed {where}: {outcome.posted} new inline comment(s).\n")
        write_step_summary(run, render_summary(review) + "\n")


def refusal_reason(run: ActionRun, error: GitHubError) -> str:
    if run.from_fork:
        return f"pull requests from forks get a read-only GITHUB_TOKEN; GitHub said: {error}"
    return f"grant `pull-requests: write` in the workflow's permissions; GitHub said: {error}"


def write_step_summary(run: ActionRun, text: str) -> None:
    if run.step_summary is None:
        return
    if len(text) > MAX_STEP_SUMMARY:
        text = text[:MAX_STEP_SUMMARY] + "\n\n... (truncated: see the job log)\n"
    with run.step_summary.open("a", encoding="utf-8") as handle:  # other steps append too
        handle.write(text)


def annotation_lines(comments: Sequence[ReviewComment]) -> list[str]:
    """Workflow-command annotations on the head's lines: they show on the diff even when
    the token cannot post. Values are escaped so a finding cannot start a command."""
    lines = []
    for c in comments:
        if c.side is not Side.RIGHT:
            continue  # an annotation names a line of the checked-in (head) file
        f = c.finding
        level = "warning" if f.severity.rank >= Severity.MEDIUM.rank else "notice"
        props = {
            "file": c.path,
            "line": str(c.start_line or c.line),
            "endLine": str(c.line),
            "title": f"prbot: {f.title}",
        }
        fields = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        message = f"[{f.severity.value}/{f.category.value}] {f.body}"
        lines.append(f"::{level} {fields}::{escape_data(message)}")
    return lines[:MAX_ANNOTATIONS]


def escape_data(text: str) -> str:
    # actions/toolkit's escapeData: % first, then line breaks.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def untrusted_block(text: str) -> str:
    """Text that may echo the PR, printed with workflow commands switched off around it."""
    stop = secrets.token_hex(16)  # unguessable, so the text cannot switch them back on
    return f"::stop-commands::{stop}\n{text}\n::{stop}::\n"


def exit_code(result: ActionResult, fail_on: str | None) -> int:
    review = result.outcome.review
    if fail_on is None or review is None:
        return EXIT_OK
    threshold = Severity(fail_on).rank
    hit = any(f.severity.rank >= threshold for f in blocking(review, result.suppressions))
    return EXIT_FINDINGS if hit else EXIT_OK


def blocking(review: Review, suppressions: Suppressions) -> list[Finding]:
    """Findings nobody suppressed (by 👎 or /ignore): only these can fail the job."""
    kept = [
        c.finding
        for c in review.comments
        if c.fingerprint not in suppressions.fingerprints
        and c.finding.source not in suppressions.rules
    ]
    return kept + [f for f in review.unanchored if f.source not in suppressions.rules]
