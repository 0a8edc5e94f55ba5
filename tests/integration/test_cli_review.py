"""`prbot review` on a real git repository the test builds: outputs and exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.cli import main

BASE = (
    "import sqlite3\n\n\ndef find(conn, name):\n"
    "    return conn.execute('SELECT 1 WHERE n = ?', (name,))\n"
)
HEAD = (
    "import sqlite3\n\n\ndef find(conn, name):\n"
    "    return conn.execute(f\"SELECT 1 WHERE n = '{name}'\")\n"
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    (root / "app.py").write_text(BASE)
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    (root / "app.py").write_text(HEAD)
    (root / "README.md").write_text("# App\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "head")
    # Offline and isolated: no keys, cache under the test's own directory.
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PRBOT_DATA_DIR", str(tmp_path / "data"))
    return root


def test_json_output_has_the_finding_coverage_and_cost(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--repo", str(repo), "--base", "HEAD~1", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(c["path"], c["line"], c["source"]) for c in out["comments"]] == [
        ("app.py", 5, "static:py-sql-built")
    ]
    assert out["coverage"]["files_total"] == 2
    assert out["cost_usd"] == 0.0
    assert any("frontier review not configured" in n for n in out["notes"])


@pytest.mark.parametrize(("fail_on", "code"), [("high", 1), ("critical", 0)])
def test_fail_on_threshold_sets_the_exit_code(repo: Path, fail_on: str, code: int) -> None:
    assert main(["review", "--repo", str(repo), "--base", "HEAD~1", "--fail-on", fail_on]) == code


def test_sarif_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["review", "--repo", str(repo), "--base", "HEAD~1", "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "static:py-sql-built"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 5


def test_diff_from_a_file_and_from_stdin(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    diff = git(repo, "diff", "HEAD~1", "HEAD") + "\n"
    path = tmp_path / "change.diff"
    path.write_text(diff)
    assert main(["review", "--diff", str(path), "--format", "text"]) == 0
    assert "app.py:5 [high/security]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--diff", "missing.diff"], "--diff missing.diff: no such file"),
        (["--repo", ".", "--base", "no-such-ref"], "git diff --no-color"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    repo: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(repo)
    assert main(["review", *args]) == 2
    assert message in capsys.readouterr().err


def test_malformed_diff_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    bad = tmp_path / "bad.diff"
    bad.write_text("diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n a\n")
    assert main(["review", "--diff", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prbot: error: malformed diff at line")
    assert "(file x.py)" in err
