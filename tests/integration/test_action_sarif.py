"""The Action's `sarif` input: another tool's results posted in the same review."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.action import review_action
from bot.cli import main
from bot.settings import Settings
from reviewers.static.sarif import SarifInput
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.integration.bot_harness import NUMBER, REPO, fast_options, seed_pull, settings_for
from tests.integration.test_action import TOKEN, action_env


@pytest.fixture
def action_scene(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm_url: str,
    app_key: AppKey,
) -> tuple[Settings, str]:
    seed_pull(fake_github)
    fake_github.add_plain_token(TOKEN)
    return settings_for(tmp_path, fake_github_url, fake_llm_url, app_key), fake_github_url


def semgrep_log(*lines: int) -> str:
    results = [
        {
            "ruleId": "python.lang.security.formatted-sql-query",
            "level": "error",
            "message": {"text": f"Formatted SQL query (line {line})."},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "app/users.py"},
                        "region": {"startLine": line},
                    }
                }
            ],
        }
        for line in lines
    ]
    run_ = {"tool": {"driver": {"name": "Semgrep OSS"}}, "results": results}
    return json.dumps({"version": "2.1.0", "runs": [run_]})


def sarif_comments(fake: FakeGitHub) -> list[tuple[str, int | None]]:
    return [(c.path, c.line) for c in fake.review_comments(REPO, NUMBER) if "Semgrep OSS" in c.body]


def test_sarif_results_on_changed_lines_are_posted_with_the_review(
    tmp_path: Path,
    action_scene: tuple[Settings, str],
    fake_github: FakeGitHub,
) -> None:
    settings, url = action_scene
    env = action_env(tmp_path, url)
    sarif = (SarifInput("semgrep.sarif", semgrep_log(4, 400)),)
    code, _ = run_with_sarif(env, settings, sarif)
    assert code == 1
    assert sarif_comments(fake_github) == [("app/users.py", 4)]


def run_with_sarif(
    env: dict[str, str], settings: Settings, sarif: tuple[SarifInput, ...]
) -> tuple[int, str]:
    out = io.StringIO()
    code = review_action(env, settings, "high", out, fast_options(env["GITHUB_API_URL"]), sarif)
    return code, out.getvalue()


def test_a_bad_sarif_file_stops_the_action_before_any_call(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sarif"
    bad.write_text("{")
    assert main(["action", "--sarif", str(bad)]) == 2
