"""Deterministic routing of diff hunks to SKIP, SMALL or FRONTIER, each with a short reason.

Conservative by design: a code hunk goes SMALL only when it cannot change behaviour (its
syntax tree is unchanged apart from formatting, comments and docstrings, or only imports
moved: reviewers.equivalence); docs, config and test files go SMALL unless a FRONTIER glob
or (config) a risky setting claims them; everything else that is code goes FRONTIER, with
the risk pattern it touches as its reason when there is one (reviewers.risk). A new file
is routed per top-level definition, not as one block. Path globs have gitignore
semantics (reviewers.globs).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from reviewers.equivalence import FREE_INDENT, REORDERED, same_syntax, whitespace_only
from reviewers.globs import GlobSet
from reviewers.models import FileDiff, FileStatus, Hunk, LineKind, Route, RouteDecision
from reviewers.risk import Side, code_risk, config_risk, words
from reviewers.syntax import Tree, code_only, definitions, language_for, parse

# Bumped whenever a change of rules can route a hunk differently: part of every cache key.
ROUTING_VERSION = "routing-2"
TEST_FILE = "test file"  # the reason the small prompt keys its test-quality review on

LOCK_FILES = (
    "poetry.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "uv.lock",
    "Pipfile.lock", "go.sum", "composer.lock", "Gemfile.lock", "npm-shrinkwrap.json",
    "bun.lockb", "pdm.lock", "flake.lock", "Podfile.lock", "mix.lock",
)  # fmt: skip
VENDORED = ("vendor/", "third_party/", "node_modules/", "_vendor/")
GENERATED = ("*_pb2.py", "*_pb2.pyi", "*_pb2_grpc.py", "*.pb.go", "*.generated.*")
MINIFIED = ("*.min.js", "*.min.css", "*.map")
# dist/ and build/ only at the root: `build/` packages deeper down are often real source
# (pip's operations/build/, for one).
BUILD_OUTPUT = ("/dist/", "/build/", "*.egg-info/", "__pycache__/", "*.pyc", ".venv/")
BINARY = (
    "*.png", "*.jpg", "*.jpeg", "*.gif", "*.ico", "*.webp", "*.bmp", "*.pdf", "*.zip", "*.gz",
    "*.tgz", "*.bz2", "*.xz", "*.7z", "*.jar", "*.whl", "*.so", "*.dll", "*.dylib", "*.exe",
    "*.woff", "*.woff2", "*.ttf", "*.otf", "*.eot", "*.mp3", "*.mp4", "*.wav", "*.class",
    "*.o", "*.a", "*.sqlite", "*.db",
)  # fmt: skip
_IGNORE_KINDS = (
    ("lock file", LOCK_FILES),
    ("vendored", VENDORED),
    ("generated", GENERATED),
    ("minified", MINIFIED),
    ("build output", BUILD_OUTPUT),
    ("binary", BINARY),
)
DEFAULT_IGNORES: tuple[str, ...] = tuple(g for _, globs in _IGNORE_KINDS for g in globs)
# CI workflows run with the repository's secrets: always worth the frontier model.
DEFAULT_FRONTIER = (".github/workflows/", ".github/actions/")

TESTS = (
    "tests/", "/test/", "__tests__/", "/spec/", "**/src/test/", "test_*.py", "*_test.py",
    "*_tests.py", "conftest.py", "*_test.go", "*.test.*", "*.spec.*", "*_spec.rb",
    "*Test.java", "*Tests.java", "*Test.kt",
)  # fmt: skip
DOCS = (
    "*.md", "*.mdx", "*.markdown", "*.rst", "*.txt", "*.adoc", "*.rdoc", "docs/", "/doc/",
    "README*", "LICENSE*", "LICENCE*", "CHANGELOG*", "CHANGES*", "HISTORY*", "AUTHORS*",
    "NOTICE*", "CONTRIBUTING*", "CODE_OF_CONDUCT*",
)  # fmt: skip
CONFIG = (
    "*.toml", "*.cfg", "*.ini", "*.yaml", "*.yml", "*.json", "*.jsonc", "*.properties",
    "requirements*.txt", "constraints*.txt", ".gitignore", ".gitattributes", ".dockerignore",
    ".editorconfig", ".flake8", ".pylintrc", ".prettierrc", ".npmrc", ".nvmrc",
    ".python-version", "pom.xml",
)  # fmt: skip
# Code under docs/ or with a code extension is code, not docs.
CODE_SUFFIXES = words(
    ".py .pyi .js .jsx .mjs .cjs .ts .tsx .go .rs .c .h .cc .cpp .hpp .java .kt .cs .php .rb"
    " .sh .bash .swift .scala .html .vue .svelte .sql"
)


@dataclass(frozen=True, slots=True)
class TriageRules:
    """Per-repository routing, on top of the built-in defaults (see the module doc)."""

    ignore: tuple[str, ...] = ()  # extra globs to SKIP
    frontier: tuple[str, ...] = ()  # globs always FRONTIER (they beat every ignore)
    small: tuple[str, ...] = ()  # globs that go SMALL unless a risk pattern hits
    allow: tuple[str, ...] = ()  # words never a risk by themselves (the repository's name)
    equivalent: Route = Route.SMALL  # where a hunk with an unchanged syntax tree goes


@dataclass(frozen=True, slots=True)
class PathInfo:
    frontier: str | None  # the frontier glob that matched
    small: str | None  # the small glob that matched
    kind: str  # "tests" | "docs" | "config" | "code"
    language: str | None  # reviewers.syntax's language, when a grammar fits


class CompiledRules:
    """TriageRules with every glob compiled once, and a memo of path facts."""

    def __init__(self, rules: TriageRules) -> None:
        self.rules = rules
        self.allow = frozenset(w.lower() for w in rules.allow)
        self.ignore = GlobSet(rules.ignore)
        self.frontier = GlobSet(DEFAULT_FRONTIER + rules.frontier)
        self.small = GlobSet(rules.small)
        self.defaults = tuple((kind, GlobSet(globs)) for kind, globs in _IGNORE_KINDS)
        self.kinds = tuple((k, GlobSet(g)) for k, g in (("tests", TESTS), ("config", CONFIG)))
        self.docs = GlobSet(DOCS)
        self._memo: dict[str, PathInfo] = {}

    def info(self, path: str) -> PathInfo:
        known = self._memo.get(path)
        if known is None:
            kind = self._kind(path)
            language = language_for(path) if kind in ("code", "tests") else None
            known = PathInfo(self.frontier.first(path), self.small.first(path), kind, language)
            self._memo[path] = known
        return known

    def _kind(self, path: str) -> str:
        for kind, globs in self.kinds:
            if path in globs:
                return kind
        if path in self.docs and PurePosixPath(path).suffix.lower() not in CODE_SUFFIXES:
            return "docs"
        return "code"

    def ignored(self, path: str) -> str | None:
        """The reason a path is ignored, if it is."""
        glob = self.ignore.first(path)
        if glob is not None:
            return f"ignored path ({glob})"
        for kind, globs in self.defaults:
            glob = globs.first(path)
            if glob is not None:
                return f"{kind} ({glob})"
        return None


@functools.lru_cache(maxsize=64)
def compiled(rules: TriageRules) -> CompiledRules:
    return CompiledRules(rules)


_MARKER = re.compile(r"^\s*(?:#|//|/\*|\*|<!--|--|;|\"\"\").*(@generated|DO NOT EDIT)")


def generated_marker(file: FileDiff) -> str | None:
    """ "@generated" / "DO NOT EDIT" in a comment among the first 5 head lines the diff shows."""
    for hunk in file.hunks:
        if hunk.new_start > 5:
            break
        for line in hunk.lines:
            if line.new_no is not None and line.new_no <= 5:
                found = _MARKER.match(line.text)
                if found:
                    return found.group(1)
    return None


def classify_file(file: FileDiff, rules: TriageRules) -> RouteDecision | None:
    """SKIP for whole-file skips; None when the hunks must be classified one by one."""
    if file.is_binary:
        return RouteDecision(Route.SKIP, "binary file")
    if file.status is FileStatus.DELETED:
        return RouteDecision(Route.SKIP, "deleted file")
    if not file.hunks:
        return RouteDecision(Route.SKIP, _no_hunks_reason(file))
    rules_c = compiled(rules)
    if rules_c.info(file.path).frontier is not None:
        return None
    reason = rules_c.ignored(file.path)
    if reason is not None:
        return RouteDecision(Route.SKIP, reason)
    marker = generated_marker(file)
    if marker is not None:
        return RouteDecision(Route.SKIP, f"generated ({marker} marker)")
    return None


def _no_hunks_reason(file: FileDiff) -> str:
    if file.status is FileStatus.RENAMED:
        return "rename only"
    if file.status is FileStatus.COPIED:
        return "copy only"
    if file.old_mode != file.new_mode:
        return "mode change only"
    return "no content change"


@dataclass(frozen=True, slots=True)
class Routed:
    hunk: Hunk  # a hunk of the file, or a piece of one (a new file's top-level definition)
    decision: RouteDecision


def route_file(file: FileDiff, rules: TriageRules, head: str | None = None) -> list[Routed]:
    """Every hunk of a file with its route; `head` is the file's full head text, if known
    (it makes the syntax comparison exact). Whole-file skips come back once per hunk."""
    whole = classify_file(file, rules)
    if whole is not None:
        return [Routed(hunk, whole) for hunk in file.hunks]
    routed = []
    for hunk in file.hunks:
        for piece in pieces(file, hunk, rules):
            routed.append(Routed(piece, classify_hunk(file, piece, rules, head)))
    return routed


def pieces(file: FileDiff, hunk: Hunk, rules: TriageRules) -> tuple[Hunk, ...]:
    """A new file's hunk cut before each top-level definition; any other hunk as it is."""
    language = compiled(rules).info(file.path).language
    if file.status is not FileStatus.ADDED or language is None or len(hunk.lines) < 2:
        return (hunk,)
    texts = [ln.text for ln in hunk.lines]
    tops = _top_level_starts(parse("\n".join(texts), language))
    cuts = sorted({0, *(_above_decorators(texts, s - 1) for s in tops if s > 1)})
    if len(cuts) < 2:
        return (hunk,)
    bounds = [*cuts, len(texts)]
    return tuple(
        replace(
            hunk,
            lines=hunk.lines[lo:hi],
            new_start=hunk.new_start + lo,
            new_len=hi - lo,
            section=f"{hunk.section} (part {i + 1})".strip(),
        )
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))
        if hi > lo
    )


def _top_level_starts(tree: Tree) -> list[int]:
    found = definitions(tree)
    outer: list[int] = []
    end = 0
    for d in found:  # outermost first, in line order
        if d.start_line > end:
            outer.append(d.start_line)
            end = d.end_line
    return outer


def _above_decorators(texts: Sequence[str], index: int) -> int:
    while index > 0 and texts[index - 1].lstrip().startswith("@"):
        index -= 1
    return index


def classify_hunk(
    file: FileDiff, hunk: Hunk, rules: TriageRules, head: str | None = None
) -> RouteDecision:
    """Route one hunk; the reason names the rule that decided."""
    rules_c = compiled(rules)
    info = rules_c.info(file.path)
    if info.frontier is not None:
        return RouteDecision(Route.FRONTIER, f"frontier path ({info.frontier})")
    before = [ln.text for ln in hunk.lines if ln.kind is not LineKind.ADDED]
    after = [ln.text for ln in hunk.lines if ln.kind is not LineKind.REMOVED]
    free = info.language in FREE_INDENT or PurePosixPath(file.path).suffix in _FREE_SUFFIXES
    if whitespace_only(before, after, prose=info.kind == "docs", free=free):
        return RouteDecision(Route.SKIP, "whitespace-only")
    added = [ln.text for ln in hunk.lines if ln.kind is LineKind.ADDED]
    if info.kind in ("docs", "tests", "config") and not added:
        return RouteDecision(Route.SKIP, "deletion-only")
    if info.kind == "docs":
        return RouteDecision(Route.SMALL, "docs")
    if info.kind == "tests":
        return RouteDecision(Route.SMALL, TEST_FILE)
    if info.kind == "config":
        hit = config_risk(added)
        return RouteDecision(Route.FRONTIER, f"risk: {hit}") if hit else _small("config")
    return _code(file, hunk, info, rules_c, head)


_FREE_SUFFIXES = frozenset({".css", ".scss", ".less", ".json"})
# Files no grammar covers whose `#` lines are comments.
_HASH_COMMENTED = frozenset({"dockerfile", "containerfile", "makefile", ".mk", ".cmake", ".tf"})


def _small(reason: str) -> RouteDecision:
    return RouteDecision(Route.SMALL, reason)


def _code(
    file: FileDiff, hunk: Hunk, info: PathInfo, rules: CompiledRules, head: str | None
) -> RouteDecision:
    old, new = sides(hunk)
    if not new.changed:
        return _deletion(old, info, rules)
    same = same_syntax(file, hunk, info.language, head) or _hash_comments(file.path, hunk)
    if same is not None:
        route = Route.SMALL if same == REORDERED else rules.rules.equivalent
        return RouteDecision(route, same)
    hit = code_risk(new, info.language, rules.allow) or code_risk(old, info.language, rules.allow)
    if hit is not None:
        return RouteDecision(Route.FRONTIER, f"risk: {hit}")
    if info.small is not None:
        return _small(f"small path ({info.small})")
    return RouteDecision(Route.FRONTIER, "code")


SAME_TEXT = "comments only"


def _hash_comments(path: str, hunk: Hunk) -> str | None:
    name = PurePosixPath(path)
    if name.name.lower() not in _HASH_COMMENTED and name.suffix.lower() not in _HASH_COMMENTED:
        return None
    changed = [ln.text for ln in hunk.lines if ln.kind is not LineKind.CONTEXT and ln.text.strip()]
    return SAME_TEXT if all(t.lstrip().startswith("#") for t in changed) else None


def sides(hunk: Hunk) -> tuple[Side, Side]:
    """The hunk's old and new text, each with the 1-based positions of its changed lines."""
    out = []
    for leave_out, kind in ((LineKind.ADDED, LineKind.REMOVED), (LineKind.REMOVED, LineKind.ADDED)):
        lines = [ln for ln in hunk.lines if ln.kind is not leave_out]
        changed = frozenset(i + 1 for i, ln in enumerate(lines) if ln.kind is kind)
        out.append(Side([ln.text for ln in lines], changed))
    return out[0], out[1]


def _deletion(old: Side, info: PathInfo, rules: CompiledRules) -> RouteDecision:
    if info.small is None:
        hit = code_risk(old, info.language, rules.allow)
        if hit is not None:
            return RouteDecision(Route.FRONTIER, f"risk: {hit}")
        guard = deletion_guard(old, info.language)
        if guard is not None:
            return RouteDecision(Route.FRONTIER, f"deletion removes {guard}")
    return RouteDecision(Route.SKIP, "deletion-only")


_GUARD = re.compile(
    r"^\s*(raise|assert|return|if|elif|except|finally|try|with|await|yield|throw|catch|defer)\b"
    r"|\b(check|validat|verif|ensure|require|sanitiz|escape|lock|unlock|release|close|commit"
    r"|rollback|cleanup)",
    re.MULTILINE,
)


def deletion_guard(old: Side, language: str | None) -> str | None:
    """A check, early exit or cleanup among deleted code lines: deleting it can be a bug."""
    lines = list(old.lines)
    if language is not None:
        lines = code_only(parse("\n".join(lines), language)).split("\n")
    removed = [lines[i - 1] for i in sorted(old.changed) if i <= len(lines)]
    found = _GUARD.search("\n".join(removed))
    return None if found is None else (found.group(1) or found.group(2))
