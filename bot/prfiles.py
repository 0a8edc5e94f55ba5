"""Turn a pull request's files (GET /pulls/{n}/files) into the review pipeline's input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.repoconfig import RepoConfig, instructions_for
from reviewers.diff import DiffError, parse_file_patch
from reviewers.globs import matches
from reviewers.models import FileDiff, FileStatus
from reviewers.triage import TriageRules

if TYPE_CHECKING:  # `prbot review` uses matches() without loading PyGithub
    from bot.github import GitHubClient

MAX_SOURCES = 60  # full head files fetched per review (ruff and enclosing-function context)
# Python for ruff; the languages with structural rules (reviewers/static/rules) for ast-grep.
SOURCE_SUFFIXES = (".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".go", ".java",
                   ".rb", ".php")  # fmt: skip


@dataclass(frozen=True, slots=True)
class PullDiff:
    files: tuple[FileDiff, ...]
    sources: dict[str, str]
    patches: dict[str, FileDiff]  # by path: what posting checks anchors against
    rules: TriageRules
    instructions: str
    notes: tuple[str, ...] = field(default=())


def repo_name(repo: str) -> str:
    """ "owner/my-pkg" -> "my_pkg", the spelling a package of that name is imported by."""
    return repo.rsplit("/", 1)[-1].lower().replace("-", "_").removesuffix(".py")


def included(config: RepoConfig, path: str) -> bool:
    """Whether the config's `include` globs (none: everything) cover `path`."""
    return not config.include or any(matches(path, glob) for glob in config.include)


def repo_rules(config: RepoConfig, paths: Sequence[str], repo: str = "") -> tuple[TriageRules, str]:
    """The triage rules and the model instructions a repository's config gives these paths.
    The repository's own name is never a risk word by itself (`httpx` in encode/httpx)."""
    allow = (repo_name(repo),) if repo else ()
    rules = TriageRules(ignore=config.ignore, frontier=config.frontier, allow=allow)
    return rules, instructions_for(config, paths, matches)


def read_pull_diff(
    client: GitHubClient, repo: str, number: int, head_sha: str, config: RepoConfig
) -> PullDiff:
    files: list[FileDiff] = []
    notes: list[str] = []
    outside = 0
    for pf in client.list_files(repo, number):
        if not included(config, pf.filename):
            outside += 1
            continue
        try:
            files.append(
                parse_file_patch(
                    pf.filename,
                    pf.patch,
                    pf.status,
                    pf.previous_filename,
                    is_binary=pf.patch is None and pf.status != "removed",
                )
            )
        except DiffError as error:
            # Never a lost review: the file is named in the summary as not reviewed.
            notes.append(
                f"`{pf.filename}` not reviewed: GitHub's patch could not be parsed ({error})."
            )
    if outside:
        notes.append(f"{outside} file(s) outside the `include` paths of the repo config.")
    wanted = [
        f.path
        for f in files
        if f.status is not FileStatus.DELETED and f.hunks and f.path.endswith(SOURCE_SUFFIXES)
    ]
    if len(wanted) > MAX_SOURCES:
        notes.append(f"full source fetched for {MAX_SOURCES} of {len(wanted)} source files.")
    sources = {}
    for path in wanted[:MAX_SOURCES]:
        text = client.get_text(repo, path, head_sha)
        if text is not None:
            sources[path] = text
    rules, instructions = repo_rules(config, [f.path for f in files], repo)
    return PullDiff(
        files=tuple(files),
        sources=sources,
        patches={f.path: f for f in files},
        rules=rules,
        instructions=instructions,
        notes=tuple(notes),
    )
