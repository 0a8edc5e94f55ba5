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

from reviewers.models import DiffLine, FileDiff, FileStatus, Hunk, LineKind, Route, RouteDecision


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
CODE_SUFFIXES = _words(
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


# --- what a hunk's text is -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Syntax:
    family: str  # "python" | "js" | "go" | "brace" (newlines free) | "docs" | "plain"
    comments: tuple[str, ...] = ()  # line-comment prefixes
    block: tuple[str, str] | None = None  # block-comment delimiters
    indented: bool = True  # leading whitespace may carry meaning


_C_BLOCK = ("/*", "*/")
_SYNTAXES = (
    (Syntax("python", ("#",)), ".py .pyi .pyw"),
    (Syntax("js", ("//",), _C_BLOCK, False), ".js .jsx .mjs .cjs .ts .tsx .mts .cts"),
    (Syntax("go", ("//",), _C_BLOCK, False), ".go"),
    (Syntax("brace", ("//",), _C_BLOCK, False), ".c .h .cc .cpp .cxx .hpp .hh .java .cs .rs"),
    (Syntax("brace", ("//", "#"), _C_BLOCK, False), ".php"),
    (Syntax("brace", (), _C_BLOCK, False), ".css .json"),
    (Syntax("brace", ("//",), _C_BLOCK, False), ".scss .less"),
    (Syntax("plain", ("//",), _C_BLOCK), ".kt .kts .swift .scala .dart .groovy .gradle"),
    (Syntax("plain", ("#",)), ".sh .bash .zsh .rb .pl .r .yaml .yml .toml .cfg .conf .mk .cmake"),
    (Syntax("plain", ("#", ";")), ".ini"),
    (Syntax("plain", ("#", "//"), _C_BLOCK), ".tf .hcl"),
    (Syntax("plain", ("--",), _C_BLOCK), ".sql .lua .hs"),
    (Syntax("plain", (), ("<!--", "-->")), ".html .htm .xml .vue .svelte .svg"),
)
_SYNTAX_BY_SUFFIX = {suffix: syn for syn, suffixes in _SYNTAXES for suffix in suffixes.split()}
_HASH_NAMES = {"makefile", "dockerfile", "containerfile", "gemfile", "rakefile", "vagrantfile"}
_DOCS_SYNTAX = Syntax("docs", indented=False)
_PLAIN = Syntax("plain")


def syntax_for(path: str, docs: bool = False) -> Syntax:
    """The comment syntax and whitespace rules of a path, by its suffix or name."""
    if docs:
        return _DOCS_SYNTAX
    name = PurePosixPath(path)
    if name.name.lower() in _HASH_NAMES:
        return _SYNTAX_BY_SUFFIX[".sh"]
    return _SYNTAX_BY_SUFFIX.get(name.suffix.lower(), _PLAIN)


def whitespace_only(before: list[str], after: list[str], syntax: Syntax) -> bool:
    """The hunk's old and new text are the same lines in the same order, apart from blank
    lines and trailing (and, where it carries no meaning, leading) whitespace."""
    if syntax.family == "docs":  # prose: reflowing a paragraph changes nothing
        return " ".join(before).split() == " ".join(after).split()
    strip = str.rstrip if syntax.indented else str.strip
    return [strip(t) for t in before if t.strip()] == [strip(t) for t in after if t.strip()]


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
_RISK_VOCAB = _words(_RISK_WORDS)
# Shapes that need punctuation; each is searched only when one of its trigger words is
# present (one alternation of them all is several times slower in `re`).
_RISK_SHAPES = tuple(
    (label, _words(triggers), re.compile(rx))
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


_DIRECTIVE = re.compile(r"^(?:#!|//go:|// ?\+build|#.*coding[:=]|# ?cython:)")
_PY_DEF = re.compile(r"^(?:async\s+def|def|class)\b")
_PY_DOC = re.compile(r"^[rRuU]?(\"\"\"|''')")


def comment_only(old: list[DiffLine], new: list[DiffLine], syntax: Syntax) -> bool:
    """Every changed line is blank, a comment, or inside a docstring/block comment we can see."""
    if syntax.family != "python" and not syntax.comments and syntax.block is None:
        return False
    states: list[tuple[str | None, str | None]] = []
    for lines, kind, top in (
        (old, LineKind.REMOVED, bool(old) and old[0].old_no == 1),
        (new, LineKind.ADDED, bool(new) and new[0].new_no == 1),
    ):
        doc, state = _doc_lines([ln.text for ln in lines], syntax, top)
        if any(ln.kind is kind and i not in doc for i, ln in enumerate(lines)):
            return False
        states.append(state)
    # Both sides must end in the same state: a change that opens or closes a docstring or
    # comment moves the boundary between text and code.
    return states[0] == states[1]


def _doc_lines(
    texts: list[str], syntax: Syntax, top: bool
) -> tuple[set[int], tuple[str | None, str | None]]:
    """Indices of blank, comment and docstring lines.  The scan assumes the hunk starts in code:
    a hunk that starts inside a string or comment reads as code, which errs towards FRONTIER."""
    doc: set[int] = set()
    closing: str | None = None  # inside a docstring or block comment: its closing delimiter
    data: str | None = None  # inside a triple-quoted string that is data, not a docstring
    # A string statement is a docstring right after a def/class header (indented deeper than
    # it) or at the top of the module (not indented): -1 there, None when none may follow.
    header: int | None = -1 if top else None
    def_indent: int | None = None  # indentation of a def/class whose header is still open
    python = syntax.family == "python"
    for i, text in enumerate(texts):
        s = text.strip()
        indent = len(text) - len(text.lstrip())
        if closing is not None:
            end = s.find(closing)
            if end < 0 or _is_tail(s[end + len(closing) :], syntax):
                doc.add(i)
            closing = None if end >= 0 else closing
        elif data is not None:
            data = None if s.count(data) % 2 else data
        elif not s or (s.startswith(syntax.comments) and not _DIRECTIVE.match(s)):
            doc.add(i)
        elif (opener := _opener(s, syntax, python and _docstring_at(header, indent))) is not None:
            rest = s[len(opener[0]) :]
            end = rest.find(opener[1])
            if end < 0 or _is_tail(rest[end + len(opener[1]) :], syntax):
                doc.add(i)
            closing = opener[1] if end < 0 else None
            header = None
        elif python:
            def_indent = indent if _PY_DEF.match(s) else def_indent
            ends_header = s.split("#", 1)[0].rstrip().endswith(":")
            header = def_indent if def_indent is not None and ends_header else None
            def_indent = None if ends_header else def_indent
            data = next((q for q in ('"""', "'''") if s.count(q) % 2), None)
    return doc, (closing, data)


def _docstring_at(header: int | None, indent: int) -> bool:
    return header is not None and indent > header and (header >= 0 or indent == 0)


def _opener(s: str, syntax: Syntax, docstring_allowed: bool) -> tuple[str, str] | None:
    if syntax.block is not None and s.startswith(syntax.block[0]):
        return syntax.block
    if docstring_allowed:
        found = _PY_DOC.match(s)
        if found:
            return found.group(0), found.group(1)
    return None


def _is_tail(rest: str, syntax: Syntax) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith(syntax.comments) if syntax.comments else not rest


_IMPORT_LINE = re.compile(
    r"^\s*(?:from\s+[\w.]+\s+import\s|import\s|#include\s|using\s+[\w.]+\s*;|require\s)"
)
_IMPORT_OPEN = re.compile(r"^\s*(?:from\s+[\w.]+\s+)?import\b[^#]*[({]\s*$")


def import_reorder(old: list[DiffLine], new: list[DiffLine]) -> bool:
    """Only import lines changed, and the same ones came back in another order."""
    removed = _changed_imports(old, LineKind.REMOVED)
    added = _changed_imports(new, LineKind.ADDED)
    return removed is not None and added is not None and bool(removed) and removed == added


def _changed_imports(lines: list[DiffLine], kind: LineKind) -> list[str] | None:
    """The sorted changed lines, or None when one of them is not part of an import."""
    changed: list[str] = []
    group = False
    for ln in lines:
        inside = group or bool(_IMPORT_LINE.match(ln.text))
        if group:
            group = ")" not in ln.text and "}" not in ln.text
        elif _IMPORT_OPEN.match(ln.text):
            inside = group = True
        if ln.kind is kind and ln.text.strip():
            if not inside:
                return None
            changed.append(ln.text.strip())
    return sorted(changed)


_SQUASH = str.maketrans("", "", " \t\r\n\f\v'\",\\()")
_STRING = r"\"(?:[^\"\\\n]|\\[\s\S])*\"?|'(?:[^'\\\n]|\\[\s\S])*'?"
_TRIPLE = r"[rRbBuUfF]{0,2}(?:\"\"\"(?:[^\"\\]|\\[\s\S]|\"(?!\"\"))*(?:\"\"\"|\Z)" + (
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)|" + _STRING + ")"
)
_C_COMMENT = r"//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/|\Z)"
_COMMON = r"|(?P<nl>\n)|(?P<ws>[ \t\r\f\v]+)|(?P<word>\w+)|(?P<open>[(\[{])|(?P<close>[)\]}])"
_TOKENIZER = {"python": "python", "js": "c", "go": "c", "brace": "c"}
_TOKENS = {
    "python": re.compile(
        rf"(?P<str>{_TRIPLE})|(?P<com>#[^\n]*)|(?P<cont>\\\n){_COMMON}"
        r"|(?P<punct>[,;])|(?P<op>[^\w\s()\[\]{},;\"'#\\]+|\\)"
    ),
    "c": re.compile(
        rf"(?P<str>{_STRING}|`(?:[^`\\]|\\[\s\S])*`?)|(?P<com>{_C_COMMENT}){_COMMON}"
        r"|(?P<punct>[,;])|(?P<op>[^\w\s()\[\]{},;\"'`/\\]+|[/\\])"
    ),
}
_KEYWORDS = _words("return in and or not is if else elif yield await lambda for while")
_RESTRICTED = frozenset(("return", "throw", "break", "continue", "yield"))  # JS's ASI


def formatting_only(lines: Sequence[DiffLine], syntax: Syntax) -> bool:
    """Same tokens once whitespace, quote style, optional trailing commas and (Python)
    redundant parentheses are ignored.  Only the span from the first to the last changed line
    is compared: the context before it may start inside a docstring or a bracket."""
    if syntax.family not in ("python", "js", "go", "brace"):
        return False
    changed = [i for i, ln in enumerate(lines) if ln.kind is not LineKind.CONTEXT]
    span = lines[changed[0] :] if changed else []
    before = "\n".join(ln.text for ln in span if ln.kind is not LineKind.ADDED)
    after = "\n".join(ln.text for ln in span if ln.kind is not LineKind.REMOVED)
    if before.translate(_SQUASH) != after.translate(_SQUASH):  # cheap necessary condition
        return False
    return _tokens(before, syntax.family) == _tokens(after, syntax.family)


def _tokens(text: str, family: str) -> list[str]:
    """A normalised token stream.  Newlines count where they are syntax: Python statement ends
    (with the indentation that follows), Go always, JS after return/throw/..., C directives."""
    raw = [(m.lastgroup, m.group()) for m in _TOKENS[_TOKENIZER[family]].finditer(text)]
    out: list[str] = []
    # Per open bracket: [lone trailing comma optional, commas].  Closers without an opener
    # mean the text starts inside brackets: open that many unknown groups up front.
    groups = [[0, 0] for _ in range(_underflow(raw))]
    indent, line_start, directive = "", True, False
    for kind, tok in raw:
        if kind == "ws" or kind == "cont":
            indent = tok if line_start else indent
            continue
        if kind == "nl":
            if _newline_counts(family, out, groups, directive):
                out.append("\n")
            indent, line_start, directive = "", True, False
            continue
        if family == "python" and line_start and not groups and kind != "com":
            if tok in _CONTINUATION and out and out[-1] == "\n":
                out.pop()  # we started inside brackets we cannot see
            else:
                out.append(f"<indent {indent!r}>")
        directive = directive or (line_start and tok.startswith("#"))
        line_start = False
        if kind == "str":
            tok = _quote(tok) if family in ("python", "js") else tok
        elif kind == "com":
            tok = " ".join(tok.split())
        elif kind == "open":
            after_value = bool(out) and (out[-1][-1:] in ")]\"'" or _is_name(out[-1]))
            # A lone trailing comma is optional in a call, a list/dict/set display or a brace
            # group; not in "(a,)" (a tuple) nor in "m[a,]" (a tuple subscript).
            optional = tok == "{" or (tok == "(") == after_value
            groups.append([int(optional), 0])
        elif kind == "close" and groups:
            lone_ok, commas = groups.pop()
            if out and out[-1] == "," and family != "brace" and (lone_ok or commas > 1):
                out.pop()
        elif tok == "," and groups:
            groups[-1][1] += 1
        out.append(tok)
    return _drop_redundant_parens(out) if family == "python" else out


def _underflow(raw: list[tuple[str | None, str]]) -> int:
    depth = lowest = 0
    for kind, _ in raw:
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            lowest = min(lowest, depth)
    return -lowest


# Parentheses that wrap everything after one of these up to the end of the statement (or
# its ":") are redundant; formatters add and remove them ("if (\n a and b\n):").  After the
# second set a comma inside is fine too ("x = (a, b)" is "x = a, b"); after the others it is
# not ("assert (x, msg)" is a non-empty tuple, always true).
_PAREN_HEADS = _words("if elif while assert with await , : ->")
_TUPLE_PAREN_HEADS = _words("= return yield in del import")
# A Python line cannot start with these: such a line continues the previous one.
_CONTINUATION = _words("| & ^ % / // == != < > <= >= . and or is in -> =")


def _drop_redundant_parens(out: list[str]) -> list[str]:
    """Drop "(...)" right after a head keyword when it runs to the end of the statement.  A
    comma inside keeps them unless the head allows a bare tuple (see _TUPLE_PAREN_HEADS)."""
    pairs: list[tuple[int, int]] = []
    stack: list[list[int]] = []  # [index of the opener, commas directly inside]
    for i, tok in enumerate(out):
        if tok in ("(", "[", "{"):
            stack.append([i, 0])
        elif tok == "," and stack:
            stack[-1][1] += 1
        elif tok in (")", "]", "}") and stack:
            opened, commas = stack.pop()
            head = out[opened - 1] if opened > 0 else ""
            if out[opened] == "(" and (
                head in _TUPLE_PAREN_HEADS or (head in _PAREN_HEADS and commas == 0)
            ):
                pairs.append((opened, i))
    drop: set[int] = set()
    for i, j in pairs:
        end = out[j + 1] if j + 1 < len(out) else "\n"
        if j > i + 1 and end in ("\n", ":", "="):
            drop.update((i, j))
    return [tok for i, tok in enumerate(out) if i not in drop] if drop else out


def _newline_counts(family: str, out: list[str], groups: list[list[int]], directive: bool) -> bool:
    if not out or out[-1] == "\n":
        return False
    if family == "python":
        return not groups
    if family == "js":
        return out[-1] in _RESTRICTED
    return family == "go" or directive


def _is_name(tok: str) -> bool:
    return (tok[:1].isalpha() or tok[:1] == "_") and tok not in _KEYWORDS


_QUOTED = re.compile(r"([A-Za-z]*)(\"\"\"|'''|\"|')([\s\S]*)")


def _quote(tok: str) -> str:
    """One spelling per string literal: 'x' == "x", u"x" == "x", escaped quotes unescaped."""
    parts = _QUOTED.fullmatch(tok)
    if parts is None:
        return tok
    prefix, quote, body = parts.group(1).lower().replace("u", ""), parts.group(2), parts.group(3)
    body = body[: -len(quote)] if body.endswith(quote) else body
    if len(quote) == 3:
        return f"{prefix}'''{body}'''"
    return prefix + '"' + body.replace("\\'", "'").replace('\\"', '"') + '"'
