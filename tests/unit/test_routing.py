"""Router: which handlers run for an event name and action, in what order, with what context."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.events import Event
from bot.routing import Router


@dataclass
class Ctx:
    calls: list[str] = field(default_factory=list)


def event(name: str, action: str | None) -> Event:
    payload = {} if action is None else {"action": action}
    return Event(name, action, "d-1", None, payload)


def build_router() -> Router[Ctx]:
    router = Router[Ctx]()

    @router.register("pull_request", action="opened")
    @router.register("pull_request", action="synchronize")
    async def review(ev: Event, ctx: Ctx) -> None:
        ctx.calls.append(f"review:{ev.action}")

    @router.register("pull_request")
    async def any_pr_action(ev: Event, ctx: Ctx) -> None:
        ctx.calls.append(f"any:{ev.action}")

    @router.register("issue_comment", action="created")
    async def command(ev: Event, ctx: Ctx) -> str:
        ctx.calls.append("command")
        return "ran"

    return router


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        ("pull_request", "opened", ["any:opened", "review:opened"]),
        ("pull_request", "synchronize", ["any:synchronize", "review:synchronize"]),
        ("pull_request", "closed", ["any:closed"]),
        ("issue_comment", "created", ["command"]),
        ("issue_comment", "edited", []),
        ("installation", "created", []),
        ("ping", None, []),
    ],
)
async def test_dispatch_runs_matching_handlers_in_order(
    name: str, action: str | None, expected: list[str]
) -> None:
    ctx = Ctx()
    results = await build_router().dispatch(event(name, action), ctx)
    assert ctx.calls == expected
    assert len(results) == len(expected)


async def test_dispatch_returns_handler_results() -> None:
    assert await build_router().dispatch(event("issue_comment", "created"), Ctx()) == ["ran"]


async def test_combined_routers_run_all_handlers() -> None:
    other = Router[Ctx]()

    @other.register("pull_request", action="opened")
    async def label(ev: Event, ctx: Ctx) -> None:
        ctx.calls.append("label")

    ctx = Ctx()
    await Router(build_router(), other).dispatch(event("pull_request", "opened"), ctx)
    assert ctx.calls == ["any:opened", "review:opened", "label"]


async def test_combining_does_not_change_the_parts() -> None:
    part = build_router()
    combined = Router(part)
    combined.add(lambda ev, ctx: noop(), "pull_request", "opened")
    assert len(combined.fetch(event("pull_request", "opened"))) == 3
    assert len(part.fetch(event("pull_request", "opened"))) == 2


async def noop() -> None:
    return None


async def test_handler_error_propagates_and_stops_dispatch() -> None:
    router = Router[Ctx]()

    @router.register("pull_request")
    async def broken(ev: Event, ctx: Ctx) -> None:
        raise RuntimeError("boom")

    @router.register("pull_request", action="opened")
    async def after(ev: Event, ctx: Ctx) -> None:
        ctx.calls.append("after")

    ctx = Ctx()
    with pytest.raises(RuntimeError, match="boom"):
        await router.dispatch(event("pull_request", "opened"), ctx)
    assert ctx.calls == []


def test_register_returns_the_handler_unchanged() -> None:
    router = Router[Ctx]()

    async def handler(ev: Event, ctx: Ctx) -> None:
        return None

    assert router.register("push")(handler) is handler
