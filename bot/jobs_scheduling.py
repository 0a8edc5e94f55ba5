"""Which due job a free worker takes next: fair across installations (pure).

Every installation has a lane of due jobs, oldest first. Lanes are served round-robin:
the lane whose job was leased longest ago goes first, so one installation opening 500
pull requests gets one turn per round like everyone else, not 500 turns in a row. A
lane is skipped while its installation runs `cap` jobs already, or while a budget it
needs (GitHub's rate limits) is spent; inside a lane, a job waits while another job of
its pull request runs. Both queues read their lanes and call order(); nothing here
reads a clock or storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

NO_INSTALLATION = 0  # the lane of events that name no installation


@dataclass(frozen=True, slots=True)
class Head:
    """One due job near the front of its lane."""

    job_id: str
    key: str | None  # its pull request ("owner/repo#N"), if any
    seq: int  # arrival order


@dataclass(frozen=True, slots=True)
class Lane:
    """One installation's due jobs (the oldest few suffice) and what limits it now."""

    installation: int
    served_at: float  # when one of its jobs was last leased; 0 if never
    running: int  # its jobs running now
    heads: tuple[Head, ...]
    blocked_until: float = 0.0  # a budget it needs is spent until then


def lane_of(installation_id: int | None) -> int:
    return NO_INSTALLATION if installation_id is None else installation_id


def order(lanes: Iterable[Lane], held: Set[str], cap: int | None, now: float) -> list[Head]:
    """The jobs to try, best first: one per lane that may run now, least recently served
    lane first (ties: the lane with the older job). `held`: pull requests with a job
    running. `cap`: most jobs one installation may run at once (None: no cap)."""
    open_lanes = [
        lane
        for lane in lanes
        if lane.heads and (cap is None or lane.running < cap) and lane.blocked_until <= now
    ]
    open_lanes.sort(key=lambda lane: (lane.served_at, lane.heads[0].seq))
    picks = []
    for lane in open_lanes:
        head = next((h for h in lane.heads if h.key is None or h.key not in held), None)
        if head is not None:
            picks.append(head)
    return picks
