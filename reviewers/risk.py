"""Risk patterns: the calls, imports and code shapes that send a change to the frontier model.

Matched on code, not text: strings and comments are blanked first (reviewers.syntax's
code_only), and the risk vocabulary is matched only on the names a change calls, imports
or decorates with (`subprocess.run(...)`, `import hashlib`, `@login_required`), never on
nouns such as a variable called `token` or a URL in a string. The hunk's `@@` section
header is not looked at. Files no parser knows fall back to their changed text without
comment lines. A per-repository allowlist (TriageRules.allow; the bot puts the
repository's own name there) removes words that are never a risk by themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewers.syntax import (
    CALL_KINDS,
    IDENTIFIER_KINDS,
    Tree,
    code_only,
    find_kinds,
    first_line,
    last_line,
    parse,
)

if TYPE_CHECKING:
    from ast_grep_py import SgNode


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
RISK_VOCAB = words(_RISK_WORDS)

# Shapes that need punctuation, matched on code with strings and comments blanked (plus the
# raw text of imports, whose module names are strings in Go and JS). Each is searched only
# when one of its trigger words is present (one alternation of them all is slower in `re`).
_RISK_SHAPES = tuple(
    (label, words(triggers), re.compile(rx))
    for label, triggers, rx in (
        ("os.system", "os", r"\bos\.(?:system|popen|exec\w*|spawn\w*)\b"),
        ("eval/exec", "eval exec", r"(?<![\w.])(?:eval|exec)\s*\("),
        ("shell=True", "shell", r"\bshell\s*=\s*True\b"),
        ("dynamic import", "import importlib", r"\b__import__\b|\bimportlib\b"),
        ("process", "check child runtime",
         r"\bcheck_(?:output|call)\b|\bchild_process\b|\bRuntime\.getRuntime\(\)"),
        ("execute(", "execute raw", r"\.(?:execute|raw)\s*\("),
        ("yaml.load", "yaml", r"\byaml\.(?:unsafe_)?load(?:_all)?\s*\("),
        ("unsafe load", "torch joblib", r"\b(?:torch|joblib)\.load\s*\("),
        ("open(", "open", r"(?<![\w.])open\s*\("),
        ("os.path", "path joinpath send",
         r"\bos\.path\b|\bPath\s*\(|\bjoinpath\b|\bsend_(?:file|from_directory)\b"),
        ("file ops", "os", r"\bos\.(?:remove|unlink|rename|replace|chmod|chown|makedirs|mkdir"
         r"|rmdir|listdir|scandir|walk|symlink)\b"),
        ("requests", "requests http httplib",
         r"\brequests\.\w+|\bimport\s+requests\b|\bhttp\.client\b|\bhttplib\b"),
        ("fetch", "fetch xmlhttp verify",
         r"\bfetch\s*\(|\bXMLHttpRequest\b|\bverify\s*=\s*False\b"),
        ("html injection", "html inner mark render markup safe autoescape",
         r"\binnerHTML\b|\bdangerouslySetInnerHTML\b|\bmark_safe\b"
         r"|\brender_template_string\b|\bMarkup\s*\(|\bautoescape\b"),
        ("xml parsing", "xml lxml", r"\bxml\.(?:etree|dom|sax)\b|\blxml\b"),
    )
)  # fmt: skip
# SQL lives in string literals, so this one shape reads the changed text as written.
_SQL = re.compile(
    r"\b(?:SELECT\b[^\n]{0,200}?\bFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET"
    r"|(?:DROP|ALTER|CREATE|TRUNCATE)\s+TABLE)\b"
)
# Config files have no calls: a few settings that turn a protection off.
_CONFIG_SHAPES = (
    ("install script", re.compile(r"\b(?:pre|post)install\b")),
    ("TLS verification off", re.compile(
        r"(?i)\b(?:verify|verify_?ssl|ssl_?verify|verify_?certs?|tls_?verify|strict_?ssl"
        r"|reject_?unauthorized)[\"']?\s*[:=]\s*[\"']?(?:false|no|off|0)\b")),
    ("privileged container", re.compile(r"(?i)\bprivileged[\"']?\s*[:=]\s*[\"']?true\b")),
)  # fmt: skip

IMPORT_KINDS = frozenset(
    {
        "import_statement",  # python, js/ts
        "import_from_statement",  # python
        "future_import_statement",
        "import_declaration",  # go, java
        "use_declaration",  # rust
        "namespace_use_declaration",  # php
        "require_expression",  # php
        "using_directive",  # c#
        "preproc_include",  # c/c++
        "import_header",  # kotlin
    }
)
DECORATOR_KINDS = frozenset({"decorator", "annotation", "marker_annotation", "attribute_item"})
_REQUIRE = frozenset({"require", "require_relative", "import", "load", "__import__"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD = re.compile(r"[a-z0-9]+")
_COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*|\*|--|;|<!--)")


def split_words(text: str) -> set[str]:
    """Identifier parts, lower-cased: "getAuthToken" -> {get, auth, token}."""
    return set(_WORD.findall(_CAMEL.sub(r"\1_\2", text).lower()))


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a hunk: its text (context and changed lines) and which lines changed."""

    lines: Sequence[str]
    changed: frozenset[int]  # 1-based line numbers within `lines`


def code_risk(side: Side, language: str | None, allow: frozenset[str]) -> str | None:
    """The first risk the changed lines of one side touch, if any."""
    if not side.changed:
        return None
    if language is None:
        return _text_risk([t for t in _changed(side) if not _COMMENT_LINE.match(t)], allow)
    tree = parse("\n".join(side.lines), language)
    code = code_only(tree).split("\n")
    changed_code = "\n".join(code[i - 1] for i in sorted(side.changed) if i <= len(code))
    imports = [n.text() for n in _nodes_on(tree, IMPORT_KINDS, side.changed)]
    imports += [
        n.text()
        for n in _nodes_on(tree, CALL_KINDS, side.changed)
        if (callee := _callee(n)) is not None and callee.text() in _REQUIRE
    ]
    named = {ident for node in _named_parts(tree, side.changed) for ident in split_words(node)}
    for text in imports:
        named |= split_words(text)
    hits = (RISK_VOCAB & named) - allow
    if hits:
        return min(hits)
    shapes_text = "\n".join([changed_code, *imports])
    found = _shape(shapes_text, split_words(shapes_text) - allow)
    if found is not None:
        return found
    return "SQL" if _SQL.search("\n".join(_changed(side))) else None


def config_risk(lines: Iterable[str]) -> str | None:
    text = "\n".join(lines)
    return next((label for label, rx in _CONFIG_SHAPES if rx.search(text)), None)


def _text_risk(lines: Sequence[str], allow: frozenset[str]) -> str | None:
    text = "\n".join(lines)
    found = split_words(text) - allow
    hits = RISK_VOCAB & found
    if hits:
        return min(hits)
    return _shape(text, found) or ("SQL" if _SQL.search(text) else None)


def _shape(text: str, found: set[str]) -> str | None:
    for label, triggers, regex in _RISK_SHAPES:
        if not triggers.isdisjoint(found) and regex.search(text):
            return label
    return None


def _changed(side: Side) -> list[str]:
    return [side.lines[i - 1] for i in sorted(side.changed) if i <= len(side.lines)]


def _nodes_on(tree: Tree, kinds: frozenset[str], lines: frozenset[int]) -> list[SgNode]:
    return [
        n
        for n in find_kinds(tree.root, tree.language, kinds)
        if any(first_line(n) <= i <= last_line(n) for i in lines)
    ]


def _callee(node: SgNode) -> SgNode | None:
    for field in ("function", "name", "method", "constructor", "macro"):
        target = node.field(field)
        if target is not None:
            return target
    return None


def _named_parts(tree: Tree, lines: frozenset[int]) -> list[str]:
    """Identifiers on changed lines inside a callee or a decorator (not arguments, not data)."""
    roots = [
        c for n in find_kinds(tree.root, tree.language, CALL_KINDS) if (c := _callee(n)) is not None
    ]
    roots += find_kinds(tree.root, tree.language, DECORATOR_KINDS)
    found = []
    for root in roots:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.kind() in IDENTIFIER_KINDS:
                if first_line(node) in lines:
                    found.append(node.text())
                continue
            stack.extend(node.children())
    return found
