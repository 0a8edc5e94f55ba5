"""The bot's per-repo memory survives a reopen and keeps repositories apart."""

from pathlib import Path

import pytest

from bot.state import Spend, SqliteState


def test_state_persists_and_is_per_repo(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite3").open()
    state.suppress("o/r", "fingerprint", "abc", "alice")
    state.suppress("o/r", "fingerprint", "abc", "bob")  # idempotent
    state.suppress("o/r", "rule", "ruff:F401", "alice")
    state.set_paused("o/r", 7, True)
    state.add_spend("o/r", 7, 1200, 0.01, 0.0)
    state.add_spend("o/r", 7, 300, 0.002, 0.01)
    state.close()

    again = SqliteState(tmp_path / "state.sqlite3").open()
    s = again.suppressions("o/r")
    assert s.fingerprints == {"abc"} and s.rules == {"ruff:F401"}
    assert again.suppressions("o/other").fingerprints == frozenset()
    assert again.is_paused("o/r", 7) and not again.is_paused("o/r", 8)
    spend = again.spend("o/r", 7)
    assert (spend.reviews, spend.tokens) == (2, 1500)
    assert spend.usd == pytest.approx(0.012) and spend.saved_usd == pytest.approx(0.01)
    assert again.spend("o/r", 9) == Spend()
    again.set_paused("o/r", 7, False)
    assert not again.is_paused("o/r", 7)


def test_unknown_suppression_kind_is_refused(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "s.db").open()
    with pytest.raises(ValueError, match="unknown suppression kind 'path'"):
        state.suppress("o/r", "path", "x", "alice")
