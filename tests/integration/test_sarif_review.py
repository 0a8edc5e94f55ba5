"""`prbot review --sarif FILE`: another tool's results merged into the same review."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.cli import main

BASE = "function greet(name) {\n  return 'hi ' + name;\n}\n"
HEAD = BASE + "\nfunction run(code) {\n  return eval(code);\n}\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    (root / "app.js").write_text(BASE)
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    (root / "app.js").write_text(HEAD)
    git(root, "commit", "-qam", "head")
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PRBOT_DATA_DIR", str(tmp_path / "data"))
    return root


def eslint_log(tmp_path: Path, name: str, line: int, rule: str) -> Path:
    """What `eslint -f @microsoft/eslint-formatter-sarif` writes (absolute file URIs)."""
    uri = (tmp_path / "repo" / "app.js").as_uri()
    result = {
        "ruleId": rule,
        "level": "error",
        "message": {"text": f"{rule} is not allowed."},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}
        ],
    }
    run = {"tool": {"driver": {"name": "ESLint", "rules": [{"id": rule}]}}, "results": [result]}
    path = tmp_path / name
    path.write_text(json.dumps({"version": "2.1.0", "runs": [run]}))
    return path


def review(repo: Path, *extra: str) -> int:
    return main(["review", "--repo", str(repo), "--base", "HEAD~1", "--format", "json", *extra])


def test_sarif_results_join_the_static_findings(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = eslint_log(tmp_path, "a.sarif", 6, "no-eval")
    unchanged = eslint_log(tmp_path, "b.sarif", 2, "prefer-template")
    again = eslint_log(tmp_path, "c.sarif", 6, "no-eval")
    args = ("--sarif", str(changed), "--sarif", str(unchanged), "--sarif", str(again))
    assert review(repo, *args) == 0
    out = json.loads(capsys.readouterr().out)
    found = sorted((c["line"], c["source"]) for c in out["comments"])
    assert found == [(6, "sarif:ESLint/no-eval"), (6, "static:js-eval")]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json", "not JSON"), ('{"version": "1.0"}', "2.1.0 expected")],
)
def test_a_bad_sarif_file_is_a_usage_error(
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "bad.sarif"
    if content is not None:
        path.write_text(content)
    assert review(repo, "--sarif", str(path)) == 2
    err = capsys.readouterr().err
    assert "bad.sarif" in err and message in err
