"""Event handlers, one module per feature; `router` combines them."""

from __future__ import annotations

from bot.context import Context
from bot.handlers import commands, pull_request
from bot.routing import Router

router: Router[Context] = Router(pull_request.router, commands.router)
