"""Route an Event to the handlers registered for its name and action (gidgethub.routing style).

router = Router[Context]()

@router.register("pull_request", action="opened")
@router.register("pull_request", action="synchronize")
async def review_pull_request(event: Event, ctx: Context) -> None: ...

app_router = Router(pull_request.router, commands.router)  # combined
await app_router.dispatch(event, ctx)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from bot.events import Event

ContextT = TypeVar("ContextT")
Handler = Callable[[Event, ContextT], Awaitable[object]]
HandlerT = TypeVar("HandlerT", bound=Callable[..., Awaitable[object]])

_ANY_ACTION = None


class Router(Generic[ContextT]):
    """A table of (event name, action or None for any action) -> handlers, in registration order."""

    def __init__(self, *others: Router[ContextT]) -> None:
        self._table: dict[tuple[str, str | None], list[Handler[ContextT]]] = {}
        for other in others:
            for route, handlers in other._table.items():
                self._table.setdefault(route, []).extend(handlers)

    def add(self, handler: Handler[ContextT], event: str, action: str | None = None) -> None:
        self._table.setdefault((event, action), []).append(handler)

    def register(self, event: str, action: str | None = None) -> Callable[[HandlerT], HandlerT]:
        """Decorator: run the handler for `event` (and only `action`, when given)."""

        def decorate(handler: HandlerT) -> HandlerT:
            self.add(handler, event, action)
            return handler

        return decorate

    def fetch(self, event: Event) -> list[Handler[ContextT]]:
        """The handlers for this event: any-action ones first, then the action's own."""
        found = list(self._table.get((event.name, _ANY_ACTION), []))
        if event.action is not None:
            found.extend(self._table.get((event.name, event.action), []))
        return found

    async def dispatch(self, event: Event, ctx: ContextT) -> list[object]:
        """Await each matching handler in turn; their results, in order. Errors propagate."""
        return [await handler(event, ctx) for handler in self.fetch(event)]
