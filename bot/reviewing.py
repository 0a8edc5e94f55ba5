"""Review one pull request end to end: read, review, filter, post, resolve, account.

Shared by the pull_request handler, the /review command and Action mode. GitHub calls
are synchronous (PyGithub), so each runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import ParamSpec, TypeVar

from bot import markers
from bot.feedback import learn_from_thumbs_down
from bot.github import GitHubClient, GitHubError, PostedComment, PullInfo
from bot.github_types import DraftComment, Identity
from bot.metrics import active_metrics, observed_models
from bot.pipeline import Pipeline, narrowed
from bot.posting import MAX_BODY, post_review, truncate_body
from bot.prfiles import PullDiff, read_pull_diff
from bot.repoconfig import CONFIG_PATH, LoadedConfig, RepoConfig, parse_repo_config
from bot.resolution import Resolution, fixed_threads, resolve_fixed
from bot.sarif_input import merged_findings
from bot.snapshot import head_snapshot
from bot.state import StateStore, Suppressions
from reviewers.cache import ReviewCache
from reviewers.models import Review, ReviewComment, Route, Severity
from reviewers.render import render_comment, render_summary
from reviewers.review import ReviewInput, review_diff
from reviewers.snapshot import Snapshot

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
CHECK_NAME = "prbot"


@dataclass(frozen=True, slots=True)
class Outcome:
    skipped: str | None = None  # why nothing was reviewed
    posted: int = 0
    moved_to_summary: int = 0
    resolved: int = 0
    suppressed: int = 0
    review: Review | None = None


@dataclass(frozen=True, slots=True)
class Trigger:
    """Why a review runs: automatic events obey the repo's switches, commands do not."""

    automatic: bool
    on_push: bool = False
    full: bool = False  # /review full: judge every hunk again, ignoring cached results
    # An App skips a head it already reviewed; an Action re-run must review again to reach
    # the same exit code (fingerprints keep it from posting twice, the cache from paying).
    skip_reviewed_head: bool = True


async def call(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await asyncio.to_thread(fn, *args, **kwargs)


class WriteOnlyCache:
    """For /review full: fresh judgements, still stored for the next run."""

    def __init__(self, inner: ReviewCache) -> None:
        self.inner = inner

    def get(self, key: str) -> None:
        return None

    def set(self, key: str, value: object) -> None:
        self.inner.set(key, value)  # type: ignore[arg-type]


class PullReviewer:
    def __init__(self, client: GitHubClient, pipeline: Pipeline, state: StateStore) -> None:
        self.client = client
        self.pipeline = pipeline
        self.state = state
        self.model_routes: frozenset[Route] = frozenset()  # routes a model served this run

    async def run(self, repo: str, number: int, trigger: Trigger) -> Outcome:
        pr = await call(self.client.get_pull, repo, number)
        if pr.state != "open":
            return Outcome(skipped="pull request is closed")
        loaded = parse_repo_config(await call(self.client.get_text, repo, CONFIG_PATH, pr.base_sha))
        reason = await self.skip_reason(repo, pr, loaded.config, trigger)
        if reason:
            return Outcome(skipped=reason)
        threads = await call(self.client.list_review_comments, repo, number)
        summary = await self.find_summary(repo, number)
        reviewed = summary is not None and markers.reviewed_head(summary[1]) == pr.head_sha
        if trigger.automatic and trigger.skip_reviewed_head and reviewed:
            return Outcome(skipped=f"{pr.head_sha[:7]} was already reviewed")
        check_id = await self.start_check(repo, pr.head_sha)
        finished = False
        try:
            diff = await call(read_pull_diff, self.client, repo, number, pr.head_sha, loaded.config)
            snapshot, context_notes = await self.snapshot(repo, pr.head_sha)
            diff = replace(diff, notes=diff.notes + tuple(context_notes))
            review = await self.review(pr, diff, loaded, trigger, snapshot)
            outcome = await self.publish(repo, pr, review, diff, loaded, threads, summary)
            await self.finish_check(repo, check_id, review, outcome)
            finished = True
        finally:
            if not finished:  # the job will be retried: no check run left "in progress"
                await self.abandon_check(repo, check_id)
        tokens = sum(u.tokens.total for u in review.usage)
        saved = sum(u.saved_usd for u in review.usage)
        await call(self.state.add_spend, repo, number, tokens, review.cost_usd, saved)
        return outcome

    async def skip_reason(
        self, repo: str, pr: PullInfo, config: RepoConfig, trigger: Trigger
    ) -> str | None:
        if not trigger.automatic:
            return None  # an explicit /review from a maintainer always runs
        if not config.enabled:
            return f"disabled in {CONFIG_PATH}"
        if trigger.on_push and not config.review_on_push:
            return "review_on_push is off"
        if pr.draft and not config.review_drafts:
            return "draft pull request"
        if pr.author_is_bot:
            return f"author {pr.author} is a bot"
        if pr.author in config.ignore_authors:
            return f"author {pr.author} is ignored"
        labels = sorted(set(pr.labels) & set(config.ignore_labels))
        if labels:
            return f"label {labels[0]} is set"
        if await call(self.state.is_paused, repo, pr.number):
            return "paused with /pause"
        return None

    async def find_summary(self, repo: str, number: int) -> tuple[int, str] | None:
        """Our summary comment (another bot's, even with our marker copied, is not)."""
        me = await call(self.client.identity)
        comments = await call(self.client.list_issue_comments, repo, number)
        for c in reversed(comments):
            if me.wrote(c.user_login, c.via_app_id) and markers.is_summary(c.body):
                return c.id, c.body
        return None

    async def snapshot(self, repo: str, sha: str) -> tuple[Snapshot | None, list[str]]:
        """The head tree for repository context: one archive download per commit, cached."""

        def download(write: Callable[[bytes], object]) -> None:
            self.client.download_archive(repo, sha, write)

        if self.pipeline.models.frontier is None and not self.pipeline.choices:
            return None, []  # no frontier model: nothing would read it
        return await head_snapshot(self.pipeline.snapshots, repo, sha, download)

    async def review(
        self,
        pr: PullInfo,
        diff: PullDiff,
        loaded: LoadedConfig,
        trigger: Trigger,
        snapshot: Snapshot | None = None,
    ) -> Review:
        p, model_notes = narrowed(self.pipeline, loaded.config)
        config = replace(p.config, rules=diff.rules, instructions=diff.instructions)
        cache: ReviewCache = WriteOnlyCache(p.cache) if trigger.full else p.cache
        sarif = merged_findings(p.sarif, diff.files)
        inp = ReviewInput(
            diff.files, diff.sources, pr.title, pr.body, snapshot=snapshot, findings=sarif
        )
        metrics = active_metrics()  # the job runner's; None outside a job
        if config.mode != "static-only":
            self.model_routes = frozenset(
                route
                for route, llm in (
                    (Route.SMALL, p.models.small),
                    (Route.FRONTIER, p.models.frontier),
                )
                if llm is not None
            )
        models = observed_models(p.models, metrics)
        review = await review_diff(inp, models, p.prompts, config, cache, p.linter)
        if review.dropped_outputs:
            log.warning("%d model answer(s) failed the schema, dropped", review.dropped_outputs)
        if metrics is not None:
            metrics.review_done(review)
        notes = list(diff.notes) + ([loaded.error] if loaded.error else []) + model_notes
        return replace(review, notes=review.notes + tuple(notes))

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
        me = await call(self.client.identity)
        mine = [c for c in threads if me.wrote(c.user_login, c.via_app_id)]
        own = [c for c in mine if markers.fingerprint_of(c.body)]
        suppressions = await self.learn_from_reactions(repo, own)
        posted_fps = {markers.fingerprint_of(c.body) for c in own}
        posted_fps |= await self.fingerprints_in_reviews(repo, pr.number, me)
        threshold = loaded.config.severity_threshold.rank
        wanted, suppressed = [], 0
        for comment in review.comments:
            finding = comment.finding
            if (
                comment.fingerprint in suppressions.fingerprints
                or finding.source in suppressions.rules
            ):
                suppressed += 1
            elif finding.severity.rank >= threshold and comment.fingerprint not in posted_fps:
                wanted.append(comment)
        drafts = [draft(c) for c in wanted]
        moved = posted = 0
        if drafts:
            result = await call(
                post_review,
                self.client,
                repo,
                pr.number,
                pr.head_sha,
                review_note(len(drafts), pr.head_sha),
                drafts,
                diff.patches,
            )
            posted, moved = len(result.posted), len(result.moved_to_summary)
        own_ids = {c.id for c in mine}
        fixed = fixed_threads(own, threads, own_ids, review, diff, self.model_routes)
        resolution = await resolve_fixed(self.client, repo, pr.number, fixed)
        tail = "\n" + markers.summary_marker(pr.head_sha) + "\n"
        tail += footer(
            posted, moved, resolution, suppressed, threshold_name=loaded.config.severity_threshold
        )
        # Clip the findings, never the marker: it records the reviewed head.
        body = truncate_body(render_summary(review), MAX_BODY - len(tail)) + tail
        if summary is None:
            await call(self.client.create_issue_comment, repo, pr.number, body)
        else:
            await call(self.client.edit_issue_comment, repo, summary[0], body)
        return Outcome(None, posted, moved, resolution.resolved, suppressed, review)

    async def fingerprints_in_reviews(self, repo: str, number: int, me: Identity) -> set[str]:
        """Findings a 422 moved into our review bodies: posted too, never to be posted again."""
        reviews = await call(self.client.list_reviews, repo, number)
        found: set[str] = set()
        for review in reviews:
            if me.wrote(review.user_login, review.via_app_id):
                found |= markers.fingerprints_in(review.body)
        return found

    async def learn_from_reactions(self, repo: str, own: Sequence[PostedComment]) -> Suppressions:
        """A 👎 from someone with write access suppresses the finding in this repository."""
        await learn_from_thumbs_down(self.client, self.state, repo, own)
        return await call(self.state.suppressions, repo)

    async def start_check(self, repo: str, head_sha: str) -> int | None:
        try:
            return await call(self.client.create_check_run, repo, head_sha, CHECK_NAME, "Reviewing")
        except GitHubError as error:  # e.g. the App lacks Checks: write; the review goes on
            log.warning("%s: check run not created: %s", repo, error)
            return None

    async def abandon_check(self, repo: str, check_id: int | None) -> None:
        if check_id is None:
            return
        title = "Review interrupted; it will be retried"
        try:
            await call(self.client.complete_check_run, repo, check_id, "neutral", title, title)
        except GitHubError as error:
            log.warning("%s: check run %d not closed: %s", repo, check_id, error)

    async def finish_check(
        self, repo: str, check_id: int | None, review: Review, outcome: Outcome
    ) -> None:
        if check_id is None:
            return
        cov = review.coverage
        title = (
            f"{len(review.findings)} finding(s), reviewed {cov.files_reviewed}/{cov.files_total} "
            f"files, ${review.cost_usd:.4f}"
        )
        summary = render_summary(review)
        try:
            await call(self.client.complete_check_run, repo, check_id, "neutral", title, summary)
        except GitHubError as error:
            log.warning("%s: check run %d not completed: %s", repo, check_id, error)


def draft(comment: ReviewComment) -> DraftComment:
    return DraftComment(
        comment.path, comment.side, comment.line, comment.start_line, render_comment(comment)
    )


def review_note(count: int, head_sha: str) -> str:
    return (
        f"**prbot** found {count} new issue(s) at {head_sha[:7]}. "
        "Coverage and cost are in the prbot summary comment."
    )


def footer(
    posted: int, moved: int, resolution: Resolution, suppressed: int, threshold_name: Severity
) -> str:
    parts = [f"{posted} new inline comment(s)"]
    if moved:
        parts.append(f"{moved} moved into the review body (GitHub refused their lines)")
    if resolution.resolved:
        parts.append(f"{resolution.resolved} outdated thread(s) resolved")
    if resolution.left_open:
        parts.append(f"{resolution.left_open} fixed thread(s) left open: {resolution.problem}")
    if suppressed:
        parts.append(f"{suppressed} suppressed by /ignore or 👎")
    parts.append(f"posting threshold: {threshold_name.value}")
    return "\n<sub>" + " · ".join(parts) + "</sub>\n"
