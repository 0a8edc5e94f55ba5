"""Review pull requests when they open, reopen, become ready or get new commits."""

from __future__ import annotations

import logging

from bot.context import Context
from bot.events import Event
from bot.jobs import PermanentJobError
from bot.reviewing import Trigger
from bot.routing import Router

log = logging.getLogger(__name__)
router: Router[Context] = Router()


@router.register("pull_request", action="opened")
@router.register("pull_request", action="reopened")
@router.register("pull_request", action="ready_for_review")
@router.register("pull_request", action="synchronize")
async def review_pull_request(event: Event, ctx: Context) -> None:
    ev = event.pull_request()  # bot authors, drafts and paused PRs: see Trigger handling
    installation = require_installation(event)
    trigger = Trigger(automatic=True, on_push=ev.action == "synchronize")
    outcome = await ctx.reviewer(installation).run(
        ev.repository.full_name, ev.pull_request.number, trigger
    )
    log.info(
        "delivery %s: %s#%d %s",
        event.delivery_id,
        ev.repository.full_name,
        ev.pull_request.number,
        f"skipped ({outcome.skipped})" if outcome.skipped else f"{outcome.posted} comment(s)",
    )


def require_installation(event: Event) -> int:
    if event.installation_id is None:
        raise PermanentJobError(f"{event.name} delivery {event.delivery_id} has no installation")
    return event.installation_id
