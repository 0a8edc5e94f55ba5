"""`prbot review | serve | worker | jobs | action`: the command line; exit 0, 1 findings, 2 error.

Only argparse is imported here: each command's module (and its libraries: the model SDKs,
FastAPI, redis, PyGithub) is imported when that command runs, so `prbot --help` and an
offline `prbot review` start as fast as a linter. The benchmark has its own entry point,
`python -m bench`, in a checkout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    Parsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SEVERITIES = ("info", "low", "medium", "high", "critical")  # reviewers.models.Severity
FORMATS = ("text", "markdown", "json", "sarif")  # bot.output.FORMATS
MODES = ("routed", "frontier-only", "small-only", "static-only")  # reviewers.review.MODES
JOB_STATUSES = ("queued", "running", "completed", "failed", "superseded", "cancelled")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported after parsing: --help and --version need none of them.
    from pydantic import ValidationError

    from bot.gitlocal import GitError
    from bot.settings import ConfigError
    from reviewers.diff import DiffError
    from reviewers.prompts import PromptError

    command: Callable[[argparse.Namespace], int] = load(args.run)
    try:
        return int(command(args))
    except (DiffError, GitError, ConfigError, PromptError, ValidationError) as error:
        print(f"prbot: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def load(target: str) -> Any:
    """ "module:function" -> the function, importing its module now."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class VersionAction(argparse.Action):
    """--version: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print prbot's version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"prbot {installed_version()}")
        parser.exit()


def installed_version() -> str:
    """The installed distribution's version (pyproject.toml's, once installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("prbot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prbot",
        description="Review pull requests: routed, cached, anchored, measured.",
        epilog="Settings: PRBOT_* environment variables, or --settings FILE (before or after "
        "the command). `prbot COMMAND --help` for each command.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--settings", type=Path, metavar="FILE", help=SETTINGS_HELP)
    # The same option after the command; SUPPRESS keeps an absent one from hiding the other.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--settings", type=Path, metavar="FILE", default=argparse.SUPPRESS, help=SETTINGS_HELP
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_review(sub, common)
    add_server_commands(sub, common)
    add_action(sub, common)
    return parser


SETTINGS_HELP = "a TOML or YAML settings file (default: PRBOT_SETTINGS_FILE, else none)"
BASE_HELP = (
    "the branch or commit the change is to be merged into (default: HEAD~1). The diff is "
    "taken from the merge base of BASE and HEAD, as `git diff BASE...HEAD` and a GitHub "
    "pull request show it: commits on BASE since the branch point are not reviewed"
)
CONFIG_HELP = (
    "do not read .github/prbot.yml. By default it is read at BASE, as the App reads it at "
    "the pull request's base (with --diff: only when --base is given)"
)


def add_review(sub: Parsers, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "review",
        parents=[common],
        help="review a local git range or a diff file",
        description="Review a local change as the App would review its pull request. Exit "
        "0: clean (or no --fail-on); 1: a finding at or above --fail-on; 2: a usage error or "
        "input that is not a diff.",
    )
    p.add_argument("--repo", type=Path, default=Path("."), help="git repository (default: .)")
    p.add_argument("--base", help=BASE_HELP)
    p.add_argument("--head", default="HEAD", help="the change's commit (default: HEAD)")
    p.add_argument(
        "--diff",
        metavar="FILE",
        help="review a unified diff from FILE, or - for stdin, instead of a git range",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="output (default: text)")
    p.add_argument(
        "--fail-on", choices=SEVERITIES, help="exit 1 when a finding is at or above this severity"
    )
    p.add_argument(
        "--mode",
        choices=MODES,
        default="routed",
        help="which reviewers judge the hunks (default: routed: each hunk to the cheapest "
        "reviewer that can judge it)",
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    p.add_argument("--no-config", action="store_true", help=CONFIG_HELP)
    add_sarif(p)
    p.add_argument("--title", default="", help="PR title given to the models (untrusted)")
    p.set_defaults(run="bot.cli_review:run_review")


def add_server_commands(sub: Parsers, common: argparse.ArgumentParser) -> None:
    serve = sub.add_parser(
        "serve", parents=[common], help="run the webhook server and in-process workers"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    serve.set_defaults(run="bot.cli_server:run_serve")

    jobs = sub.add_parser(
        "jobs", parents=[common], help="list queued, running and failed jobs, or retry one"
    )
    jobs.add_argument("--status", choices=JOB_STATUSES, help="only jobs in this state")
    jobs.add_argument("--retry", metavar="DELIVERY_ID", help="queue a failed job again")
    jobs.set_defaults(run="bot.cli_server:run_jobs")

    worker = sub.add_parser(
        "worker", parents=[common], help="run workers on the Redis job queue (backend = redis)"
    )
    worker.add_argument(
        "--concurrency", type=int, default=2, help="jobs this process runs at once (default: 2)"
    )
    worker.set_defaults(run="bot.cli_server:run_worker")


SARIF_HELP = (
    "merge another tool's SARIF 2.1.0 results (eslint, golangci-lint, semgrep, ...) into the "
    "review, on the changed lines only; repeatable. Recipes: docs/static-analysis.md"
)


def add_sarif(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sarif", type=Path, action="append", default=[], metavar="FILE", help=SARIF_HELP
    )


def add_action(sub: Parsers, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "action", parents=[common], help="review the pull request of a GitHub Actions run"
    )
    p.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="exit 1 when an unsuppressed finding is at or above this severity",
    )
    p.add_argument(
        "--state-dir", type=Path, help="cache and state directory (default: PRBOT_DATA_DIR)"
    )
    add_sarif(p)
    p.set_defaults(run="bot.action:run_action")


if __name__ == "__main__":
    raise SystemExit(main())
