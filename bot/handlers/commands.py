"""prbot's commands from maintainers, in PR conversation comments and inline replies.

Only prbot's own commands are answered (`/review`, or `@<slug> review`); a reply in a
review thread is posted to the thread's top-level comment, since GitHub refuses replies
to replies.
"""

from __future__ import annotations

import logging

from bot import markers
from bot.commands import (
    TRUSTED_ASSOCIATIONS,
    WRITE_PERMISSIONS,
    Command,
    config_text,
    cost_text,
    help_text,
    may_be_command,
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
from bot.threads import thread_root

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


async def command_in(client: GitHubClient, body: str) -> Command | None:
    """prbot's command in a comment body, or None (asks GitHub for the App's slug once)."""
    if not may_be_command(body):
        return None
    me = await call(client.identity)
    return parse_command(body, me.slug)


@router.register("issue_comment", action="created")
async def conversation_command(event: Event, ctx: Context) -> None:
    ev = event.issue_comment()
    if not ev.on_pull_request or ev.comment.user.type == "Bot":
        return  # never answer ourselves or other bots
    client = ctx.client_for(require_installation(event))
    command = await command_in(client, ev.comment.body)
    if command is None:
        return  # not addressed to prbot: no 👀, no reply
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
    return help_text((await call(client.identity)).slug)


@router.register("pull_request_review_comment", action="created")
async def thread_command(event: Event, ctx: Context) -> None:
    """`/ignore` as a reply on one of our inline comments suppresses that finding."""
    ev = event.review_comment()
    root_id = ev.comment.in_reply_to_id  # on GitHub, always the thread's top-level comment
    if ev.comment.user.type == "Bot" or root_id is None:
        return
    client = ctx.client_for(require_installation(event))
    command = await command_in(client, ev.comment.body)
    if command is None:
        return
    repo, number, user = ev.repository.full_name, ev.pull_request.number, ev.comment.user.login
    await acknowledge(client, repo, ev.comment.id, "review")
    if not await allowed(client, repo, ev.comment.user, ev.comment.author_association):
        reply: str | None = refusal(user)
    elif command.name != "ignore" or command.args:
        reply = await run_command(ctx, client, repo, number, command, user)
    else:
        reply = await ignore_thread(ctx, client, repo, number, ev.comment.id, user)
    if reply:
        await call(client.reply_to_review_comment, repo, number, root_id, reply)


async def ignore_thread(
    ctx: Context, client: GitHubClient, repo: str, number: int, comment_id: int, user: str
) -> str:
    """Suppress the finding of the prbot comment that opened the thread."""
    comments = await call(client.list_review_comments, repo, number)
    root = thread_root(comments, comment_id)
    me = await call(client.identity)
    fingerprint = markers.fingerprint_of(root.body) if root else None
    if root is None or not me.wrote(root.user_login, root.via_app_id) or fingerprint is None:
        return "`/ignore` works as a reply to a prbot comment."
    await call(ctx.state.suppress, repo, "fingerprint", fingerprint, user)
    return "This finding will no longer be posted in this repository."
