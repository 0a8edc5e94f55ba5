"""Deterministic routing of diff hunks to SKIP, SMALL or FRONTIER, each with a short reason.

Conservative by design: a hunk goes SMALL only when it cannot change behaviour (comments,
docs, formatting, import order) or is in a low-stakes file kind (tests, config) without any
risk pattern; everything else that is code goes FRONTIER.

Path globs are gitignore-like (not fnmatch, whose `*` crosses `/`, nor 3.11's
PurePosixPath.match, which has no `**`):
- `*` and `?` match within one path segment, `[...]` is a character class;
- `**` matches any number of segments (`docs/**/*.md`, `**/fixtures/`);
- a glob without `/` matches a file or directory name at any depth (`*.min.js`, `vendor/`);
- a glob with a `/` before its end, or a leading `/`, is anchored at the repository root;
- a trailing `/` matches a directory, i.e. everything below it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from reviewers.hunktext import (
    Syntax,
    comment_only,
    formatting_only,
    import_reorder,
    syntax_for,
    whitespace_only,
    words,
)
from reviewers.models import DiffLine, FileDiff, FileStatus, Hunk, LineKind, Route, RouteDecision

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
    ".python-version",
)  # fmt: skip
# Code under docs/ or with a code extension is code, not docs.
CODE_SUFFIXES = words(
    ".py .pyi .js .jsx .mjs .cjs .ts .tsx .go .rs .c .h .cc .cpp .hpp .java .kt .cs .php .rb"
    " .sh .bash .swift .scala .html .vue .svelte .sql"
)


@dataclass(frozen=True, slots=True)
class TriageRules:
    """Per-repository routing globs, on top of the built-in defaults (see the module doc)."""

    ignore: tuple[str, ...] = ()  # extra globs to SKIP
    frontier: tuple[str, ...] = ()  # globs always FRONTIER (they beat every ignore)
    small: tuple[str, ...] = ()  # globs that go SMALL unless a risk pattern hits


def compile_glob(pattern: str) -> re.Pattern[str]:
    """A regex that fullmatches the repository-relative POSIX paths `pattern` selects."""
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[" and "]" in body[i + 2 :]:
            end = body.index("]", i + 2)
            inner = body[i + 1 : end].replace("\\", "\\\\")
            out.append("[^" + inner[1:] + "]" if inner[:1] in "!^" else "[" + inner + "]")
            i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.+" if pattern.endswith("/") else "(?:/.+)?"
    return re.compile(prefix + "".join(out) + suffix)


class GlobSet:
    """Named globs matched together; reports the first glob (in order) that matches."""

    def __init__(self, globs: tuple[str, ...]) -> None:
        self.globs = globs
        self._each = tuple(compile_glob(g) for g in globs)
        joined = "|".join(f"(?:{rx.pattern})" for rx in self._each)
        self._any = re.compile(joined) if globs else None

    def first(self, path: str) -> str | None:
        if self._any is None or self._any.fullmatch(path) is None:
            return None
        return next(g for g, rx in zip(self.globs, self._each, strict=True) if rx.fullmatch(path))


@dataclass(frozen=True, slots=True)
class PathInfo:
    frontier: str | None  # the frontier glob that matched
    small: str | None  # the small glob that matched
    kind: str  # "tests" | "docs" | "config" | "code"
    syntax: Syntax


class CompiledRules:
    """TriageRules with every glob compiled once, and a memo of path facts."""

    def __init__(self, rules: TriageRules) -> None:
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
            syntax = syntax_for(path, docs=kind == "docs")
            known = PathInfo(self.frontier.first(path), self.small.first(path), kind, syntax)
            self._memo[path] = known
        return known

    def _kind(self, path: str) -> str:
        for kind, globs in self.kinds:
            if globs.first(path):
                return kind
        if self.docs.first(path) and PurePosixPath(path).suffix.lower() not in CODE_SUFFIXES:
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


def classify_hunk(file: FileDiff, hunk: Hunk, rules: TriageRules) -> RouteDecision:
    """Route one hunk; the reason names the rule that decided."""
    info = compiled(rules).info(file.path)
    if info.frontier is not None:
        return RouteDecision(Route.FRONTIER, f"frontier path ({info.frontier})")
    before = [ln.text for ln in hunk.lines if ln.kind is not LineKind.ADDED]
    after = [ln.text for ln in hunk.lines if ln.kind is not LineKind.REMOVED]
    if whitespace_only(before, after, info.syntax):
        return RouteDecision(Route.SKIP, "whitespace-only")
    removed = [ln.text for ln in hunk.lines if ln.kind is LineKind.REMOVED]
    added = [ln.text for ln in hunk.lines if ln.kind is LineKind.ADDED]
    if info.kind != "docs":
        hit = risk(hunk.section, removed, added)
        if hit is not None:
            return RouteDecision(Route.FRONTIER, f"risk: {hit}")
    if not added:
        return _deletion(removed, info)
    old = [ln for ln in hunk.lines if ln.kind is not LineKind.ADDED]
    new = [ln for ln in hunk.lines if ln.kind is not LineKind.REMOVED]
    return _small_or_frontier(info, hunk.lines, old, new)


def _deletion(removed: list[str], info: PathInfo) -> RouteDecision:
    if info.kind == "code" and info.small is None:
        guard = deletion_guard(removed)
        if guard is not None:
            return RouteDecision(Route.FRONTIER, f"deletion removes {guard}")
    return RouteDecision(Route.SKIP, "deletion-only")


def _small_or_frontier(
    info: PathInfo, lines: Sequence[DiffLine], old: list[DiffLine], new: list[DiffLine]
) -> RouteDecision:
    if info.small is not None:
        return RouteDecision(Route.SMALL, f"small path ({info.small})")
    if info.kind == "tests":
        return RouteDecision(Route.SMALL, "tests only")
    if info.kind in ("docs", "config"):
        return RouteDecision(Route.SMALL, info.kind)
    if comment_only(old, new, info.syntax):
        return RouteDecision(Route.SMALL, "comments/docstrings only")
    if import_reorder(old, new):
        return RouteDecision(Route.SMALL, "import reordering")
    if formatting_only(lines, info.syntax):
        return RouteDecision(Route.SMALL, "formatting-only")
    return RouteDecision(Route.FRONTIER, "code")


# Risk vocabulary: matched against the identifier parts of the changed text (camelCase and
# snake_case split, lower-cased), so "getAuthToken" hits "auth" but "author" does not.
_RISK_WORDS = """
auth authn authz authenticate authenticated authentication authenticator authorize authorized
authorization authorizer unauthorized unauthenticated login logout signin signout permission
permissions privilege privileges credential credentials password passwords passwd passphrase
token tokens session sessions csrf xsrf oauth oauth2 jwt jwks acl rbac admin superuser sudo
secret secrets apikey cookie cookies saml ldap mfa otp totp sso impersonate
crypto cryptography hashlib hmac md5 sha1 sha256 sha512 bcrypt scrypt pbkdf2 argon2 encrypt
encrypted encryption decrypt decrypted decryption cipher ciphertext aes rsa ecdsa ed25519 nonce
salt ssl tls cert certs certificate certificates x509 urandom
sql sqlite sqlite3 cursor executemany executescript psycopg psycopg2 pymysql sqlalchemy
subprocess popen shlex pexpect
pickle cpickle dill marshal jsonpickle shelve unpickle unpickler unserialize deserialize
pathlib tempfile mktemp mkstemp shutil rmtree tarfile zipfile extractall upload uploads
uploaded symlink chmod chown
urllib urllib2 urllib3 urlopen httpx aiohttp socket sockets websocket websockets paramiko
ftplib smtplib telnetlib axios curl wget ssrf
postinstall preinstall
"""
_RISK_VOCAB = words(_RISK_WORDS)
# Shapes that need punctuation; each is searched only when one of its trigger words is
# present (one alternation of them all is several times slower in `re`).
_RISK_SHAPES = tuple(
    (label, words(triggers), re.compile(rx))
    for label, triggers, rx in (
        ("os.system", "os", r"\bos\.(?:system|popen|exec\w*|spawn\w*)\b"),
        ("eval/exec", "eval exec", r"(?<![\w.])(?:eval|exec)\s*\("),
        ("shell=True", "shell", r"\bshell\s*=\s*True\b"),
        ("dynamic import", "import importlib", r"\b__import__\b|\bimportlib\b"),
        ("process", "check child runtime",
         r"\bcheck_(?:output|call)\b|\bchild_process\b|\bRuntime\.getRuntime\(\)"),
        ("SQL", "select insert delete update drop alter create truncate",
         r"\b(?:SELECT\b[^\n]{0,200}?\bFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET"
         r"|(?:DROP|ALTER|CREATE|TRUNCATE)\s+TABLE)\b"),
        ("execute(", "execute raw", r"\.(?:execute|raw)\s*\("),
        ("yaml.load", "yaml", r"\byaml\.(?:unsafe_)?load(?:_all)?\s*\("),
        ("unsafe load", "torch joblib", r"\b(?:torch|joblib)\.load\s*\("),
        ("open(", "open", r"(?<![\w.])open\s*\("),
        ("os.path", "path joinpath send",
         r"\bos\.path\b|\bPath\s*\(|\bjoinpath\b|\bsend_(?:file|from_directory)\b"),
        ("file ops", "os", r"\bos\.(?:remove|unlink|rename|replace|chmod|chown|makedirs|mkdir"
         r"|rmdir|listdir|scandir|walk|symlink)\b"),
        ("URL", "http https ws wss ftp", r"\b(?:https?|wss?|ftp)://"),
        ("requests", "requests http httplib",
         r"\brequests\.\w+|\bimport\s+requests\b|\bhttp\.client\b|\bhttplib\b"),
        ("fetch", "fetch xmlhttp verify",
         r"\bfetch\s*\(|\bXMLHttpRequest\b|\bverify\s*=\s*False\b"),
        ("html injection", "html inner mark render markup safe autoescape",
         r"\binnerHTML\b|\bdangerouslySetInnerHTML\b|\bmark_safe\b"
         r"|\brender_template_string\b|\bMarkup\s*\(|\|\s*safe\b|\bautoescape\b"),
        ("xml parsing", "xml lxml", r"\bxml\.(?:etree|dom|sax)\b|\blxml\b"),
    )
)  # fmt: skip
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD = re.compile(r"[a-z0-9]+")


def risk(section: str, removed: list[str], added: list[str]) -> str | None:
    """The first risk pattern the changed lines or the section header touch, if any."""
    text = "\n".join([section, *removed, *added])
    words = set(_WORD.findall(_CAMEL.sub(r"\1_\2", text).lower()))
    hits = _RISK_VOCAB & words
    if hits:
        return min(hits)
    for label, triggers, regex in _RISK_SHAPES:
        if not triggers.isdisjoint(words) and regex.search(text):
            return label
    return None


_GUARD = re.compile(
    r"^\s*(raise|assert|return|if|elif|except|finally|try|with|await|yield|throw|catch|defer)\b"
    r"|\b(check|validat|verif|ensure|require|sanitiz|escape|lock|unlock|release|close|commit"
    r"|rollback|cleanup)",
    re.MULTILINE,
)


def deletion_guard(removed: list[str]) -> str | None:
    """A check, early exit or cleanup among deleted code lines: deleting it can be a bug."""
    found = _GUARD.search("\n".join(removed))
    return None if found is None else (found.group(1) or found.group(2))
