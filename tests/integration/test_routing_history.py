"""bench.routing_history on a real (tiny) git repository, read in place: the printed figures."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.routing_history import main


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q")
    (root / "app.py").write_text("def f(a):\n    return a + 1\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    (root / "app.py").write_text("def f(a):\n    return a + 2\n")  # code: FRONTIER
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text("def test_f():\n    assert open('x')\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "second")
    (root / "app.py").write_text("def f(a):\n    return (a + 2)  # same tree\n")
    git(root, "commit", "-qam", "third")
    return root


def test_prints_route_shares_tokens_and_recall(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = Path(__file__).resolve().parents[2] / "labeled_prs"
    assert main([str(repo), "--commits", "5", "--tokens", "--cases", str(cases),
                 "--real", str(repo / "absent")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    # 3 commits: 2 + (2 + 2) + 2 changed lines; the root commit is a PR of its own.
    assert "proj: 3 commits (0 unparsed), 8 changed lines" in out
    # FRONTIER: the root commit's 2 lines and the real change's 2; SMALL: the test file and
    # the reformat.
    assert "small 4 (50.0%) / frontier 4 (50.0%)" in out
    assert "FRONTIER lines by reason: code 4" in out
    assert "scripted tokens: routed frontier" in out
    assert "labeled_prs: routing recall 56/56 = 1.000 (ok)" in out
    assert "pre-screen (scripted-small)" in out
