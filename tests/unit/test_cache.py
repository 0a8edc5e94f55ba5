"""Cache keys ignore line numbers and trailing whitespace; values round-trip through JSON."""

from pathlib import Path

import pytest

from reviewers.cache import (
    CachedHunk,
    DiskCache,
    NoCache,
    cache_key,
    dump_hunk,
    from_cached,
    load_hunk,
    to_cached,
)
from reviewers.models import Category, Finding, Route, Severity, Side, TokenUsage
from tests.unit.build import hunk

BASE = hunk("a.py", 10, 10, " def f(x):", "-    return x", "+    return x + 1")


def key(h=BASE, kind="py", route=Route.FRONTIER, prompt="frontier-review@1", model="m1"):
    return cache_key(h, kind, route, prompt, model, "r1")


def test_same_change_elsewhere_has_same_key() -> None:
    moved = hunk("other/b.py", 200, 230, " def f(x):", "-    return x", "+    return x + 1   ")
    assert key(moved) == key()


@pytest.mark.parametrize(
    "changed",
    [
        {"h": hunk("a.py", 10, 10, " def f(x):", "-    return x", "+    return x + 2")},
        {"kind": "js"},
        {"route": Route.SMALL},
        {"prompt": "frontier-review@2"},
        {"model": "m2"},
    ],
)
def test_any_ingredient_changes_the_key(changed: dict) -> None:
    assert key(**changed) != key()


def test_instructions_are_part_of_the_key() -> None:
    base = cache_key(BASE, "py", Route.FRONTIER, "p@1", "m", "r1")
    assert cache_key(BASE, "py", Route.FRONTIER, "p@1", "m", "r1", "be strict") != base


def finding(line: int = 12) -> Finding:
    return Finding(
        "a.py", Side.RIGHT, line, line, Category.DEFECT, Severity.HIGH, 0.9,
        "Off by one", "Adds one.", Route.FRONTIER, "m1", replacement="    return x",
    )  # fmt: skip


def test_findings_relocate_to_the_hunk_they_are_replayed_on() -> None:
    cached = to_cached(finding(11), BASE)
    moved = hunk("b.py", 100, 120, " def f(x):", "-    return x", "+    return x + 1")
    replayed = from_cached(cached, moved, Route.FRONTIER)
    assert (replayed.path, replayed.start_line, replayed.end_line) == ("b.py", 121, 121)
    assert replayed.replacement == "    return x"


def test_disk_cache_round_trip(tmp_path: Path) -> None:
    value = CachedHunk((to_cached(finding(11), BASE),), TokenUsage(100, 20, 5, 1), 0.0123, "m1")
    assert load_hunk(dump_hunk(value)) == value
    cache = DiskCache(tmp_path / "c")
    assert cache.get("k") is None
    cache.set("k", value)
    cache.close()
    assert DiskCache(tmp_path / "c").get("k") == value


def test_no_cache_never_hits() -> None:
    cache = NoCache()
    cache.set("k", CachedHunk((), TokenUsage(), 0.0, "m"))
    assert cache.get("k") is None
