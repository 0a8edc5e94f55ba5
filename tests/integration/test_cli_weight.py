"""What each `prbot` command loads: an offline review loads no model SDK, web framework,
queue or GitHub client; `--help` and `--version` load nothing but argparse.

The import graph is the guard, not the clock: bench/perf_cli.py prints the seconds and
megabytes (docs/performance.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "anthropic",
    "openai",
    "fastapi",
    "starlette",
    "uvicorn",
    "celery",
    "kombu",
    "redis",
    "github",  # PyGithub
    "prometheus_client",
    "httpx",
)
ONE_FILE = (
    "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,3 @@\n"
    " import os\n+import subprocess\n def run(cmd):\n"
)


def loaded_after(argv: list[str], cwd: Path, also: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Run `prbot ARGV` in a fresh interpreter with no model keys; its exit code and which
    of HEAVY (and `also`) it imported."""
    watched = HEAVY + also
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    code = main({argv!r})\n"
        "except SystemExit as stop:\n"
        "    code = stop.code\n"
        f"hit = sorted(m for m in {watched!r} if m in sys.modules)\n"
        "print('LOADED', code, ' '.join(hit), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["PRBOT_DATA_DIR"] = str(cwd / "data")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, env=env
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED"))
    _, code, *hit = line.split()
    return int(code), hit


def test_an_offline_review_loads_no_sdk_framework_queue_or_github_client(tmp_path: Path) -> None:
    diff = tmp_path / "one.diff"
    diff.write_text(ONE_FILE, encoding="utf-8")
    code, hit = loaded_after(["review", "--diff", str(diff)], tmp_path)
    assert code == 0
    assert hit == []


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["review", "--help"]])
def test_help_and_version_load_no_library(argv: list[str], tmp_path: Path) -> None:
    code, hit = loaded_after(argv, tmp_path, also=("pydantic", "yaml", "unidiff", "diskcache"))
    assert code == 0
    assert hit == []


def test_a_configured_model_loads_its_sdk_only_when_a_role_uses_it(tmp_path: Path) -> None:
    """The other half of the guard: the lazy import still happens where it is needed."""
    settings = tmp_path / "settings.toml"
    settings.write_text(
        'frontier_models = [{provider = "openai-compatible", model = "m", '
        'base_url = "http://127.0.0.1:9/v1"}]\nsmall_models = []\n',
        encoding="utf-8",
    )
    diff = tmp_path / "empty.diff"
    diff.write_text("", encoding="utf-8")
    code, hit = loaded_after(["review", "--settings", str(settings), "--diff", str(diff)], tmp_path)
    assert code == 0
    assert "openai" in hit
    assert not {"anthropic", "fastapi", "celery", "github"} & set(hit)
