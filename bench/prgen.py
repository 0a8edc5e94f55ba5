"""Generate the pull requests issue 9 compares with pr-agent: `python -m bench.prgen OUT`.

The recipe of ../shared/reference/peer-bots.md section (e), rebuilt: one local git repository
per PR, made from real Python modules of installed packages (prbot's own runtime
dependencies), so the input is the same wherever the same versions are installed. Branch
`main` holds the originals of the modified files; branch `pr` modifies them (guard clauses
added, `return` statements rewritten, comments deleted, whole functions appended from other
modules) and adds other modules cut after a top-level statement. Sizes are exact, in
changed lines (added + deleted, as `git diff --numstat main...pr` counts them):

    small     58 lines,    1 file   (1 modified)
    medium   572 lines,    8 files  (5 modified, 3 added)
    large  6,070 lines,   60 files  (20 modified, 40 added)
    followup  the medium PR, then a second commit changing 24 lines in 1 file

Deterministic: a fixed seed, sorted inputs, fixed commit dates and author, so the same
installed versions give the same commit ids (printed, with the source packages' versions).
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import importlib.util
import random
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.prgen_edits import (
    SEPARATOR,
    apply_edits,
    cut_points,
    pick_edits,
    top_level_functions,
)

# Import name -> distribution; all are runtime dependencies of prbot, so always installed.
SOURCE_PACKAGES: Mapping[str, str] = {
    "github": "PyGithub",
    "starlette": "starlette",
    "fastapi": "fastapi",
    "pydantic": "pydantic",
    "yaml": "PyYAML",
    "diskcache": "diskcache",
    "uvicorn": "uvicorn",
    "pathspec": "pathspec",
    "click": "click",
    "h11": "h11",
    "anyio": "anyio",
}
SEED = 9  # issue 9
MIN_LINES = 150  # modules smaller than this are not used
ADDED_SHARE = 0.6  # of a PR's changed lines, in added files (when it has some)
APPEND_SHARE = 0.8  # of a modified file's lines, from functions appended from other modules
CUT_FLOOR = 0.7  # an added file is cut to 70-100% of its share of lines
MIN_APPEND = 4  # the smallest appended function: a two-line def and its separator
BASE, HEAD = "main", "pr"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "prgen",
    "GIT_AUTHOR_EMAIL": "prgen@example.invalid",
    "GIT_COMMITTER_NAME": "prgen",
    "GIT_COMMITTER_EMAIL": "prgen@example.invalid",
    "GIT_AUTHOR_DATE": "2026-11-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-11-01T00:00:00+00:00",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


class GenerationError(RuntimeError):
    """The installed sources cannot make a PR of the asked size."""


@dataclass(frozen=True, slots=True)
class PRSpec:
    name: str
    changed: int  # added + deleted lines of the PR
    modified: int
    added: int
    followup: int = 0  # lines of a second commit on one modified file (0: none)


SPECS: Mapping[str, PRSpec] = {
    "small": PRSpec("small", 58, modified=1, added=0),
    "medium": PRSpec("medium", 572, modified=5, added=3),
    "large": PRSpec("large", 6070, modified=20, added=40),
    "followup": PRSpec("followup", 572, modified=5, added=3, followup=24),
}


@dataclass(frozen=True, slots=True)
class Module:
    path: str  # inside the generated repository, e.g. "github/Repository.py"
    text: str  # normalized: "\n" line ends, one at the end


@dataclass(frozen=True, slots=True)
class GeneratedPR:
    spec: PRSpec
    repo: Path
    base: str  # branch names; the follow-up's first review is at f"{head}~1"
    head: str
    files: int
    changed: int
    head_sha: str


def source_versions() -> dict[str, str]:
    return {dist: importlib.metadata.version(dist) for dist in SOURCE_PACKAGES.values()}


@functools.cache
def load_modules() -> tuple[Module, ...]:
    """Every parseable module of at least MIN_LINES lines of the source packages, sorted."""
    found: list[Module] = []
    for package in sorted(SOURCE_PACKAGES):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise GenerationError(f"source package {package} is not installed")
        root = Path(next(iter(spec.submodule_search_locations)))
        for file in sorted(root.rglob("*.py")):
            module = _module(file, f"{package}/{file.relative_to(root).as_posix()}")
            if module is not None:
                found.append(module)
    return tuple(found)


def _module(file: Path, path: str) -> Module | None:
    try:
        raw = file.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    lines = raw.splitlines()
    if len(lines) < MIN_LINES:
        return None
    text = "\n".join(lines) + "\n"
    try:
        compile(text, path, "exec", dont_inherit=True, flags=0x400)  # PyCF_ONLY_AST
    except SyntaxError:
        return None
    return Module(path, text)


def plan_pr(spec: PRSpec, modules: Sequence[Module]) -> tuple[dict[str, str], dict[str, str]]:
    """(base files, head files) of `spec`'s first commit, sized exactly."""
    rng = random.Random(f"{SEED}:{spec.name.replace('followup', 'medium')}")
    pool = list(modules)
    rng.shuffle(pool)
    modified, pool = pool[: spec.modified], pool[spec.modified :]
    head: dict[str, str] = {}
    added_budget = round(spec.changed * ADDED_SHARE) if spec.added else 0
    for index in range(spec.added):
        target = _split(added_budget, spec.added, index)
        module, text = _cut(pool, target)
        pool.remove(module)
        head[module.path] = text
    functions = FunctionPool(pool)
    left = spec.changed - sum(len(t.splitlines()) for t in head.values())
    for index, module in enumerate(modified):
        budget = _split(left, spec.modified, index)
        head[module.path] = _modify(module, budget, functions, rng)
    base = {m.path: m.text for m in modified}
    return base, head


def _split(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def _cut(pool: Sequence[Module], target: int) -> tuple[Module, str]:
    """The first module of `pool` that can be cut after a top-level statement ending between
    CUT_FLOOR x `target` and `target` lines, and its text so cut."""
    for module in pool:
        ends = [end for end in cut_points(module.text) if CUT_FLOOR * target <= end <= target]
        if ends:
            lines = module.text.splitlines()[: max(ends)]
            return module, "\n".join(lines) + "\n"
    raise GenerationError(f"no module can be cut to about {target} lines")


def _modify(module: Module, budget: int, functions: FunctionPool, rng: random.Random) -> str:
    """`module` with in-place edits and functions appended from other modules costing exactly
    `budget` changed lines."""
    edits, cost = pick_edits(module.text, budget - round(budget * APPEND_SHARE), rng)
    while edits and 0 < budget - cost < MIN_APPEND:
        cost -= edits.pop().cost  # leave room for a whole function
    appended = functions.take(budget - cost)
    text = apply_edits(module.text, edits)
    for function in appended:
        text += "\n\n" + function + "\n"
    return text


class FunctionPool:
    """Top-level functions of the donor modules, each appended at most once."""

    def __init__(self, donors: Sequence[Module]) -> None:
        self._by_size: dict[int, list[str]] = {}
        for donor in donors:
            for function in top_level_functions(donor.text):
                self._by_size.setdefault(len(function.splitlines()), []).append(function)

    def take(self, lines: int) -> list[str]:
        """Functions whose cost (their lines + SEPARATOR) adds up to exactly `lines`."""
        taken: list[str] = []
        left = lines
        while left > 0:
            exact = left - SEPARATOR
            sizes = [
                s for s, fs in self._by_size.items() if fs and s + SEPARATOR + MIN_APPEND <= left
            ]
            if self._by_size.get(exact):
                size = exact
            elif sizes:
                size = max(sizes)
            else:
                raise GenerationError(f"no donor functions add up to {lines} lines")
            taken.append(self._by_size[size].pop(0))
            left -= size + SEPARATOR
        return taken


def followup_commit(
    spec: PRSpec, head: Mapping[str, str], base: Mapping[str, str]
) -> dict[str, str]:
    """The second commit: in-place edits costing spec.followup lines in one modified file."""
    rng = random.Random(f"{SEED}:{spec.name}:second")
    for path in sorted(base):
        edits, cost = pick_edits(head[path], spec.followup, rng)
        if cost == spec.followup:
            return {path: apply_edits(head[path], edits)}
    raise GenerationError(f"no modified file takes a {spec.followup}-line follow-up")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=_GIT_ENV, check=False
    )
    if done.returncode != 0:
        raise GenerationError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _commit(repo: Path, files: Mapping[str, str], message: str) -> None:
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--allow-empty", "-m", message)


def changed_lines(repo: Path, base: str, head: str) -> tuple[int, int]:
    """(files, added + deleted lines) of `git diff --numstat base...head`."""
    out = _git(repo, "diff", "--numstat", f"{base}...{head}")
    rows = [line.split("\t") for line in out.splitlines() if line]
    return len(rows), sum(int(added) + int(deleted) for added, deleted, _ in rows)


def generate(spec: PRSpec, out: Path, modules: Sequence[Module] | None = None) -> GeneratedPR:
    """Write `spec`'s repository under `out/<name>` (replacing nothing: it must not exist)."""
    repo = out / spec.name
    repo.mkdir(parents=True)
    base, head = plan_pr(spec, modules if modules is not None else load_modules())
    _git(repo, "init", "--quiet", "--initial-branch", BASE)
    _commit(repo, base, f"{spec.name}: the originals")
    _git(repo, "checkout", "--quiet", "-b", HEAD)
    _commit(repo, head, f"{spec.name}: the change")
    files, changed = changed_lines(repo, BASE, HEAD)
    expected = (spec.modified + spec.added, spec.changed)
    if spec.followup:
        _commit(repo, followup_commit(spec, head, base), f"{spec.name}: the follow-up push")
        files2, changed2 = changed_lines(repo, f"{HEAD}~1", HEAD)
        if (files2, changed2) != (1, spec.followup):
            raise GenerationError(f"{spec.name}: follow-up is {changed2} lines in {files2} files")
    if (files, changed) != expected:
        raise GenerationError(
            f"{spec.name}: made {changed} lines in {files} files, expected "
            f"{expected[1]} in {expected[0]}"
        )
    sha = _git(repo, "rev-parse", HEAD).strip()
    return GeneratedPR(spec, repo, BASE, HEAD, files, changed, sha)


def generate_all(out: Path, names: Sequence[str] = tuple(SPECS)) -> list[GeneratedPR]:
    modules = load_modules()
    return [generate(SPECS[name], out, modules) for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.prgen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", type=Path, help="directory for the repositories (must be new)")
    parser.add_argument("--pr", choices=sorted(SPECS), action="append", help="default: all")
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists; give a new directory")
    versions = ", ".join(f"{k} {v}" for k, v in sorted(source_versions().items()))
    print(f"sources: {versions}")
    for pr in generate_all(args.out, args.pr or tuple(SPECS)):
        print(
            f"{pr.spec.name}: {pr.changed} lines in {pr.files} files, {pr.repo} "
            f"{pr.base}...{pr.head} ({pr.head_sha[:12]})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
