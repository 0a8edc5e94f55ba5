"""What prbot learns from reactions on its comments: a 👎 from someone with write access.

A reaction is anyone's click: a read-only visitor, or the author of the pull request that
the finding blocks. Only people who could dismiss the finding by command (write access,
asked of GitHub per person) teach the bot, and so only they can lift the Action's
`--fail-on` gate, which reads the same suppressions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot import markers
from bot.commands import WRITE_PERMISSIONS
from bot.github import GitHubClient, PostedComment
from bot.state import StateStore

log = logging.getLogger(__name__)
THUMBS_DOWN = "-1"


async def learn_from_thumbs_down(
    client: GitHubClient, state: StateStore, repo: str, own: Sequence[PostedComment]
) -> None:
    """Suppress (in this repository) each finding a maintainer gave a 👎."""
    permissions: dict[str, bool] = {}  # login -> may write; asked once per review

    async def may_write(login: str) -> bool:
        if login not in permissions:
            level = await asyncio.to_thread(client.get_permission, repo, login)
            permissions[login] = level in WRITE_PERMISSIONS
        return permissions[login]

    for comment in own:
        fingerprint = markers.fingerprint_of(comment.body)
        if not fingerprint or comment.reactions.get(THUMBS_DOWN, 0) == 0:
            continue
        reactions = await asyncio.to_thread(
            client.list_reactions, repo, comment.id, "review", THUMBS_DOWN
        )
        for reaction in reactions:
            if reaction.user_is_bot or not await may_write(reaction.user_login):
                log.info("%s: 👎 by %s on %d not counted", repo, reaction.user_login, comment.id)
                continue
            by = f"reaction:-1:{reaction.user_login}"
            await asyncio.to_thread(state.suppress, repo, "fingerprint", fingerprint, by)
            break
