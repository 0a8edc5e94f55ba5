"""`prbot review` on a real git repository the test builds: outputs and exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

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
    schema_path = Path(__file__).resolve().parents[1] / "schemas/sarif-schema-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert not list(Draft4Validator(schema).iter_errors(sarif))
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


SHELL_PY = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n"


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def branched(repo: Path) -> Path:
    """main moved on after `feature` branched off it: main adds tools.py (a shell=True
    finding) that the feature branch never saw; the feature changes app.py."""
    git(repo, "checkout", "-q", "-b", "feature", "HEAD~1")
    commit(repo, {"app.py": HEAD}, "feature: build the query")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"tools.py": SHELL_PY}, "main: tools")
    git(repo, "checkout", "-q", "feature")
    return repo


def review_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["review", *argv, "--format", "json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def commented(data: dict[str, object]) -> list[tuple[str, str]]:
    comments = data["comments"]
    assert isinstance(comments, list)
    return [(c["path"], c["source"]) for c in comments]


def test_base_is_diffed_from_the_merge_base_like_a_pull_request(
    branched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = review_json(["--repo", str(branched), "--base", "main"], capsys)
    # Diffed against main's tip, tools.py would show as deleted and count as a file.
    assert data["coverage"] == {**data["coverage"], "files_total": 1}  # type: ignore[dict-item]
    assert commented(data) == [("app.py", "static:py-sql-built")]


def test_review_help_says_the_base_is_the_merge_base(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["review", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "merge base of BASE and HEAD" in help_text
    assert "git diff BASE...HEAD" in help_text


RESTRICTIVE = "ignore:\n  - app.py\n"


def test_repo_config_is_read_at_the_base_not_from_the_change(
    branched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    on_main(branched, RESTRICTIVE)
    # The change tries to switch its own review off: read at the base, it cannot.
    commit(branched, {".github/prbot.yml": "enabled: true\nseverity_threshold: critical\n"}, "x")

    assert commented(review_json(["--repo", str(branched), "--base", "main"], capsys)) == []
    unconfigured = review_json(["--repo", str(branched), "--base", "main", "--no-config"], capsys)
    assert commented(unconfigured) == [("app.py", "static:py-sql-built")]


def on_main(repo: Path, config: str) -> None:
    git(repo, "checkout", "-q", "main")
    commit(repo, {".github/prbot.yml": config}, "config")
    git(repo, "checkout", "-q", "feature")


@pytest.mark.parametrize(
    ("config", "note"),
    [
        ("severity_threshold: critical\n", "1 finding(s) below severity_threshold critical"),
        ("include:\n  - docs/**\n", "1 file(s) outside the `include` paths"),
    ],
)
def test_severity_threshold_and_include_apply_as_the_app_applies_them(
    branched: Path, config: str, note: str, capsys: pytest.CaptureFixture[str]
) -> None:
    on_main(branched, config)
    argv = ["review", "--repo", str(branched), "--base", "main", "--fail-on", "high"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert note in captured.out + captured.err
    assert main([*argv, "--no-config"]) == 1


def test_an_invalid_repo_config_is_reported_and_the_defaults_apply(
    branched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    on_main(branched, "max_comments: lots\n")
    data = review_json(["--repo", str(branched), "--base", "main"], capsys)
    assert commented(data) == [("app.py", "static:py-sql-built")]
    notes = data["notes"]
    assert isinstance(notes, list)
    assert any(n.startswith(".github/prbot.yml is invalid (max_comments") for n in notes)


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"prbot {version('prbot')}\n"


@pytest.mark.parametrize("where", ["before", "after"])
def test_settings_is_accepted_before_or_after_the_command(
    repo: Path, tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "prbot.toml"
    settings.write_text("max_comments = 0\n")
    option = ["--settings", str(settings)]
    review = ["review", "--repo", str(repo), "--format", "json"]
    argv = option + review if where == "before" else review + option
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["comments"] == []


def test_settings_after_the_command_wins(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.toml")
    argv = ["--settings", missing, "review", "--repo", str(repo)]
    assert main([*argv, "--settings", missing.replace("missing", "other")]) == 2
    assert "other.toml does not exist" in capsys.readouterr().err


def test_every_option_of_every_command_has_help() -> None:
    import argparse

    from bot.cli import build_parser

    parser = build_parser()
    parsers = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += list(action.choices.values())
    missing = [
        f"{p.prog} {'/'.join(a.option_strings)}"
        for p in parsers
        for a in p._actions
        if a.option_strings and not (a.help and a.help.strip())
    ]
    assert len(parsers) == 6
    assert missing == []


def test_the_clis_choice_lists_match_the_types_they_name() -> None:
    from bot import cli, output
    from bot.jobs import JobStatus
    from reviewers.models import Severity
    from reviewers.review import MODES

    assert tuple(s.value for s in Severity) == cli.SEVERITIES
    assert cli.FORMATS == output.FORMATS
    assert tuple(MODES) == cli.MODES
    assert tuple(s.value for s in JobStatus) == cli.JOB_STATUSES
