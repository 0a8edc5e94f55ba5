"""Slash commands from maintainers, in PR conversation comments and inline replies."""

from __future__ import annotations

import logging

from bot import markers
from bot.commands import (
    HELP,
    TRUSTED_ASSOCIATIONS,
    WRITE_PERMISSIONS,
    Command,
    config_text,
    cost_text,
    parse_command,
    refusal,
)
from bot.context import Context
from bot.events import Event, User
from bot.github import GitHubClient, GitHubError
from bot.handlers.pull_request import require_installation
from bot.repoconfig import CONFIG_PATH, parse_repo_config
from bot.reviewing import Trigger, call
from bot.routing import Router

log = logging.getLogger(__name__)
router: Router[Context] = Router()


async def acknowledge(client: GitHubClient, repo: str, comment_id: int, kind: str) -> None:
    """👀 on the command; a failure here (comment deleted meanwhile) must not stop the command."""
    try:
        await call(client.add_reaction, repo, comment_id, "eyes", kind)
    except GitHubError as error:
        log.warning("%s: could not react to comment %d: %s", repo, comment_id, error)


async def allowed(client: GitHubClient, repo: str, user: User, association: str) -> bool:
    if association not in TRUSTED_ASSOCIATIONS:
        return False
    return await call(client.get_permission, repo, user.login) in WRITE_PERMISSIONS


@router.register("issue_comment", action="created")
async def conversation_command(event: Event, ctx: Context) -> None:
    ev = event.issue_comment()
    if not ev.on_pull_request or ev.comment.user.type == "Bot":
        return  # never answer ourselves or other bots
    command = parse_command(ev.comment.body)
    if command is None:
        return
    client = ctx.client_for(require_installation(event))
    repo, number = ev.repository.full_name, ev.issue.number
    await acknowledge(client, repo, ev.comment.id, "issue")
    if not await allowed(client, repo, ev.comment.user, ev.comment.author_association):
        await call(client.create_issue_comment, repo, number, refusal(ev.comment.user.login))
        return
    log.info(
        "delivery %s: %s ran %s on %s#%d",
        event.delivery_id,
        ev.comment.user.login,
        command.raw,
        repo,
        number,
    )
    reply = await run_command(ctx, client, repo, number, command, ev.comment.user.login)
    if reply:
        await call(client.create_issue_comment, repo, number, reply)


async def run_command(
    ctx: Context, client: GitHubClient, repo: str, number: int, command: Command, user: str
) -> str | None:
    """Carry out a command; the text to reply with, or None when the result is a review."""
    if command.name == "review":
        full = command.args[:1] == ("full",)
        reviewer = ctx.reviewer_for(client)
        outcome = await reviewer.run(repo, number, Trigger(automatic=False, full=full))
        return f"Not reviewed: {outcome.skipped}." if outcome.skipped else None
    if command.name in ("pause", "resume"):
        await call(ctx.state.set_paused, repo, number, command.name == "pause")
        return (
            "Automatic reviews paused for this pull request; `/resume` restarts them."
            if command.name == "pause"
            else "Automatic reviews resumed for this pull request."
        )
    if command.name == "ignore":
        if not command.args:
            return "Reply `/ignore` to a prbot comment, or name a rule: `/ignore ruff:F401`."
        rule = command.args[0]
        await call(ctx.state.suppress, repo, "rule", rule, user)
        return f"Findings of `{rule}` will no longer be posted in this repository."
    if command.name == "cost":
        return cost_text(await call(ctx.state.spend, repo, number))
    if command.name == "config":
        pr = await call(client.get_pull, repo, number)
        loaded = parse_repo_config(await call(client.get_text, repo, CONFIG_PATH, pr.base_sha))
        return config_text(loaded, ctx.role_names())
    return HELP


@router.register("pull_request_review_comment", action="created")
async def thread_command(event: Event, ctx: Context) -> None:
    """`/ignore` as a reply on one of our inline comments suppresses that finding."""
    ev = event.review_comment()
    if ev.comment.user.type == "Bot" or ev.comment.in_reply_to_id is None:
        return
    command = parse_command(ev.comment.body)
    if command is None:
        return
    client = ctx.client_for(require_installation(event))
    repo, number = ev.repository.full_name, ev.pull_request.number
    await acknowledge(client, repo, ev.comment.id, "review")
    if not await allowed(client, repo, ev.comment.user, ev.comment.author_association):
        await call(
            client.reply_to_review_comment,
            repo,
            number,
            ev.comment.id,
            refusal(ev.comment.user.login),
        )
        return
    if command.name != "ignore" or command.args:
        reply = await run_command(ctx, client, repo, number, command, ev.comment.user.login)
    else:
        reply = await ignore_thread(
            ctx, client, repo, number, ev.comment.in_reply_to_id, ev.comment.user.login
        )
    if reply:
        await call(client.reply_to_review_comment, repo, number, ev.comment.id, reply)


async def ignore_thread(
    ctx: Context, client: GitHubClient, repo: str, number: int, parent_id: int, user: str
) -> str:
    comments = await call(client.list_review_comments, repo, number)
    parent = next((c for c in comments if c.id == parent_id), None)
    fingerprint = markers.fingerprint_of(parent.body) if parent else None
    if parent is None or not parent.user_is_bot or fingerprint is None:
        return "`/ignore` works as a reply to a prbot comment."
    await call(ctx.state.suppress, repo, "fingerprint", fingerprint, user)
    return "This finding will no longer be posted in this repository."
