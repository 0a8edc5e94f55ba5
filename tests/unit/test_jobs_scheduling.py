"""Fair scheduling across installations, table-driven (bot.jobs_scheduling.order)."""

from __future__ import annotations

import pytest

from bot.jobs_scheduling import NO_INSTALLATION, Head, Lane, lane_of, order

NOW = 100.0


def lane(installation: int, served_at: float, *jobs: str, running: int = 0, **kw: float) -> Lane:
    """Jobs as "id" or "id@repo#N"; seq from the number in the id."""
    heads = []
    for job in jobs:
        job_id, _, key = job.partition("@")
        heads.append(Head(job_id, key or None, int(job_id.lstrip("abcdefghijklmnopqrstuvwxyz"))))
    return Lane(installation, served_at, running, tuple(heads), **kw)


CASES: list[tuple[str, list[Lane], set[str], int | None, list[str]]] = [
    ("nothing due", [], set(), None, []),
    (
        "least recently served installation first, one job per installation",
        [lane(1, 50, "a1", "a2", "a3"), lane(2, 10, "b4"), lane(3, 0, "c5")],
        set(),
        None,
        ["c5", "b4", "a1"],
    ),
    (
        "a burst installation served just now waits its turn",
        [lane(1, 99, *(f"a{i}" for i in range(1, 9))), lane(2, 98, "b20")],
        set(),
        None,
        ["b20", "a1"],
    ),
    (
        "ties go to the lane with the older job",
        [lane(1, 0, "a7"), lane(2, 0, "b3")],
        set(),
        None,
        ["b3", "a7"],
    ),
    (
        "an installation at its cap is skipped",
        [lane(1, 0, "a1", running=2), lane(2, 50, "b2", running=1)],
        set(),
        2,
        ["b2"],
    ),
    (
        "no cap: any number running",
        [lane(1, 0, "a1", running=40)],
        set(),
        None,
        ["a1"],
    ),
    (
        "a job waits while its pull request runs; the next of its lane goes",
        [lane(1, 0, "a1@o/r#1", "a2@o/r#1", "a3@o/r#2")],
        {"o/r#1"},
        None,
        ["a3"],
    ),
    (
        "a lane whose every job waits for its pull request offers nothing",
        [lane(1, 0, "a1@o/r#1"), lane(2, 5, "b2")],
        {"o/r#1"},
        None,
        ["b2"],
    ),
    (
        "an installation whose budget is spent waits until it refills",
        [lane(1, 0, "a1", blocked_until=NOW + 30), lane(2, 9, "b2", blocked_until=NOW)],
        set(),
        None,
        ["b2"],
    ),
]


@pytest.mark.parametrize(
    ("lanes", "held", "cap", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_order(lanes: list[Lane], held: set[str], cap: int | None, expected: list[str]) -> None:
    assert [h.job_id for h in order(lanes, held, cap, NOW)] == expected


def test_round_robin_over_many_leases() -> None:
    """Leasing the first pick and marking its lane served, again and again: each round
    serves every installation once, whatever their backlog."""
    backlog = {1: [f"a{i}" for i in range(1, 50)], 2: ["b60", "b61"], 3: ["c70"]}
    served = {1: 0.0, 2: 0.0, 3: 0.0}
    taken = []
    for now in range(1, 8):
        lanes = [lane(i, served[i], *jobs[:8]) for i, jobs in backlog.items() if jobs]
        head = order(lanes, set(), None, float(now))[0]
        installation = next(i for i, jobs in backlog.items() if head.job_id in jobs)
        backlog[installation].remove(head.job_id)
        served[installation] = float(now)
        taken.append(head.job_id)
    assert taken == ["a1", "b60", "c70", "a2", "b61", "a3", "a4"]


def test_events_without_an_installation_share_one_lane() -> None:
    assert lane_of(None) == NO_INSTALLATION and lane_of(42) == 42
