"""Fuzz fixtures: a tally of the inputs each property tried, printed at the end of the run."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

TALLY = pytest.StashKey[Counter[str]]()
STATUSES = pytest.StashKey[Counter[str]]()
# Moderate on purpose, so the whole fuzz suite stays within seconds on two cores; for a
# longer hunt: PRBOT_FUZZ_EXAMPLES=5000 pytest tests/fuzz
EXAMPLES = int(os.environ.get("PRBOT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pytest_configure(config: pytest.Config) -> None:
    config.stash[TALLY] = Counter()
    config.stash[STATUSES] = Counter()


@pytest.fixture(scope="session")
def tally(pytestconfig: pytest.Config) -> Counter[str]:
    """Add 1 under the property's name for every input it tries."""
    return pytestconfig.stash[TALLY]


@pytest.fixture(scope="session")
def statuses(pytestconfig: pytest.Config) -> Counter[str]:
    """Add 1 under "<operation> -> <status>" for every response a generated request got."""
    return pytestconfig.stash[STATUSES]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts = terminalreporter.config.stash.get(TALLY, Counter())
    if not counts:
        return
    terminalreporter.section("fuzz inputs tried")
    for name, count in sorted(counts.items()):
        terminalreporter.write_line(f"{name:<48} {count:>7}")
    terminalreporter.write_line(f"{'total':<48} {sum(counts.values()):>7}")
    for name, count in sorted(terminalreporter.config.stash.get(STATUSES, Counter()).items()):
        terminalreporter.write_line(f"  {name:<46} {count:>7}")
