"""`python -m bench noise` on a real git repository the test builds, and `noise-report`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench.cli import main
from bench.noise import NoiseError, read_jsonl, read_judgements, tabulate, to_markdown


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    (root / "app.py").write_text("def find(cur, name):\n    return None\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    (root / "app.py").write_text(
        "def find(cur, name):\n    return cur.execute(f\"SELECT * FROM t WHERE a = '{name}'\")\n"
    )
    git(root, "commit", "-qam", "sql")
    (root / "README.md").write_text("# proj\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "docs")
    monkeypatch.setenv("PRBOT_DATA_DIR", str(tmp_path / "data"))
    return root


def test_noise_writes_every_comment_with_its_code(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "comments.jsonl"
    assert main(["noise", "--repo", str(repo), "-n", "5", "--out", str(out)]) == 0
    summary, *comments = read_jsonl(out)
    # The root commit has no parent to diff against: two commits are reviewed.
    assert (summary["kind"], summary["repo"], summary["commits"]) == ("run", "proj", 2)
    [comment] = comments
    assert (comment["path"], comment["line"], comment["rule"]) == (
        "app.py",
        2,
        "static:py-sql-built",
    )
    assert any("cur.execute" in line for line in comment["code"])


def test_noise_report_needs_a_verdict_and_reason_per_comment(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "comments.jsonl"
    main(["noise", "--repo", str(repo), "-n", "5", "--out", str(out)])
    _, comment = read_jsonl(out)
    judged = tmp_path / "judged.jsonl"
    verdict = {k: comment[k] for k in ("repo", "commit", "path", "line", "rule")}
    judged.write_text(json.dumps({**verdict, "verdict": "real", "reason": "SQL injection"}))
    table = tabulate([read_jsonl(out)], read_judgements(judged))
    assert (table.real["static:py-sql-built"], table.unjudged) == (1, [])
    assert "| proj | 2 | 1 | 50.0 | 0.0 |" in to_markdown(table)
    judged.write_text(json.dumps({**verdict, "verdict": "maybe"}))
    with pytest.raises(NoiseError, match="verdict real|noise and a reason"):
        read_judgements(judged)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["-n", "0"], "at least 1"), (["--repo-missing"], "no such directory")],
)
def test_bad_arguments_are_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    repo = tmp_path / "nope" if "--repo-missing" in args else tmp_path
    rest = [a for a in args if a != "--repo-missing"]
    assert main(["noise", "--repo", str(repo), *rest, "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
