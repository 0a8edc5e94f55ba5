"""Revert-the-fix miner on a small git history built by the test itself."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bench.cases import load_case
from bench.miner import MineError, Skip, format_report, is_test_path, mine
from reviewers.diff import parse_diff
from reviewers.models import LineKind, Side

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

CORE_V1 = """\
def window(values, size):
    out = []
    for i in range(len(values) - size):
        out.append(values[i : i + size])
    return out


def mean(values):
    return sum(values) / len(values)


def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > lo:
        return hi
    return x
"""
# The fix: line 3 (off-by-one) and line 15 (wrong bound) change; one line each.
CORE_V2 = CORE_V1.replace("range(len(values) - size)", "range(len(values) - size + 1)").replace(
    "if x > lo:", "if x > hi:"
)
# 25 contiguous changed lines (one hunk, 50 changed lines): too large, not tangled.
PARSE_V1 = "RULES = {\n" + "".join(f"    'r{i}': {i},\n" for i in range(25)) + "}\n"
PARSE_V2 = "RULES = {\n" + "".join(f"    'r{i}': -{i},\n" for i in range(25)) + "}\n"
FMT_V1 = "def show(x):\n    return '%s' % (x,)\n"
FMT_V2 = "def show(x):\n    # render one value\n    return '%s' % ( x, )\n"
TEST_V1 = "from calc.core import mean\n\n\ndef test_mean():\n    assert mean([1, 3]) == 2\n"
TEST_V2 = TEST_V1 + "\n\ndef test_window():\n    assert window([1, 2, 3], 3) == [[1, 2, 3]]\n"
TEST_V3 = TEST_V2.replace("from calc.core import mean", "from calc.core import mean, window")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=ENV
    ).stdout.strip()


def commit(repo: Path, message: str, files: dict[str, str]) -> str:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "calc-repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shas = {
        "root": commit(
            repo,
            "Initial import",
            {
                "calc/core.py": CORE_V1,
                "calc/parse.py": PARSE_V1,
                "calc/fmt.py": FMT_V1,
                "tests/test_core.py": TEST_V1,
            },
        ),
        "feature": commit(
            repo,
            "Add median helper",
            {"calc/stats.py": "def median(v):\n    return sorted(v)[len(v) // 2]\n"},
        ),
        "real": commit(
            repo,
            "Fix off-by-one in window() and clamp upper bound\n\nwindow() dropped the last one.",
            {"calc/core.py": CORE_V2, "tests/test_core.py": TEST_V2},
        ),
        "test_only": commit(repo, "Fix flaky test import", {"tests/test_core.py": TEST_V3}),
        "cosmetic": commit(repo, "fix formatting in fmt", {"calc/fmt.py": FMT_V2}),
        "too_large": commit(repo, "Fix bug in the rule parser", {"calc/parse.py": PARSE_V2}),
        "add_only": commit(
            repo,
            "Fixes #12: crash on empty input",
            {
                "calc/core.py": CORE_V2.replace(
                    "    return sum(", "    if not values:\n        return 0.0\n    return sum("
                )
            },
        ),
    }
    return repo, shas


def test_mine_yield_and_skip_reasons(history: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = history
    report = mine(repo, max_cases=10, out_dir=tmp_path / "out")
    assert report.commits_scanned == 7
    assert report.fix_candidates == 5
    assert report.cases == (f"mined-calc-repo-{shas['real'][:10]}",)
    assert dict(report.skipped) == {
        Skip.TEST_ONLY: 1,
        Skip.COSMETIC: 1,
        Skip.TOO_LARGE: 1,
        Skip.NO_REMOVED_LINE: 1,
    }
    assert report.yield_rate == pytest.approx(0.2)
    text = format_report(report)
    assert "5 fix candidates, 1 cases written (yield 20.0%)" in text
    assert "skipped cosmetic: 1" in text


def test_mined_case_reverts_the_fix(history: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = history
    (cid,) = mine(repo, max_cases=10, out_dir=tmp_path / "out").cases
    case = load_case(tmp_path / "out" / cid)
    assert case.meta.source == "mined"
    assert case.meta.base_commit == shas["real"]
    # Labels: the two lines the fix changed, as they read before the fix (head = fix^).
    assert [(lb.path, lb.side, lb.start_line, lb.end_line) for lb in case.labels] == [
        ("calc/core.py", Side.RIGHT, 3, 3),
        ("calc/core.py", Side.RIGHT, 15, 15),
    ]
    assert {lb.note for lb in case.labels} == {"Fix off-by-one in window() and clamp upper bound"}
    assert dict(case.files) == {"calc/core.py": CORE_V1}
    (fd,) = parse_diff(case.diff_text)  # the test change is not part of the PR
    assert fd.path == "calc/core.py"
    added = {ln.new_no: ln.text for h in fd.hunks for ln in h.lines if ln.kind is LineKind.ADDED}
    assert added == {3: "    for i in range(len(values) - size):", 15: "    if x > lo:"}
    raw = json.loads((tmp_path / "out" / cid / "case.json").read_text())
    assert raw["fix_parent"] == shas["feature"]
    assert raw["grader_only"]["fix_test_files"] == ["tests/test_core.py"]


def test_max_cases_stops_the_scan(history: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = history
    report = mine(repo, max_cases=0, out_dir=tmp_path / "out")
    assert (report.cases, report.fix_candidates, dict(report.skipped)) == ((), 0, {})
    assert not (tmp_path / "out").exists()


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(MineError, match="git log"):
        mine(tmp_path, max_cases=1, out_dir=tmp_path / "out")


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("tests/test_core.py", True),
        ("pkg/tests/helpers.py", True),
        ("pkg/test_utils.py", True),
        ("pkg/core_test.py", True),
        ("conftest.py", True),
        ("pkg/testing.py", False),
        ("pkg/contest.py", False),
        ("src/pkg/core.py", False),
    ],
)
def test_is_test_path(path: str, is_test: bool) -> None:
    assert is_test_path(path) is is_test
