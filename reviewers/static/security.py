"""A few regex security rules for added lines of Python files, tuned for few false positives."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewers.models import Category, DiffLine, FileDiff, Finding, LineKind, Route, Severity, Side

# Bump with any change to the rules below: it is part of cache keys.
RULESET_VERSION = "security-2"

_STATEMENT_LINES = 10  # how far a call's arguments are followed onto the next lines


@dataclass(frozen=True, slots=True)
class SecurityRule:
    id: str
    severity: Severity
    confidence: float
    title: str
    body: str
    pattern: re.Pattern[str]  # must start on the added line (may run into the statement)
    unless: re.Pattern[str] | None = None  # the statement is fine when this matches it
    requires: re.Pattern[str] | None = None  # ...and only suspicious when this matches it


def _rule(
    rule_id: str,
    severity: Severity,
    confidence: float,
    title: str,
    body: str,
    pattern: str,
    unless: str | None = None,
    requires: str | None = None,
) -> SecurityRule:
    return SecurityRule(
        rule_id,
        severity,
        confidence,
        title,
        body,
        re.compile(pattern),
        re.compile(unless) if unless else None,
        re.compile(requires) if requires else None,
    )


_LITERAL_ARG = r"\s*[rbuRBU]?(?:\"[^\"\\{}%]*\"|'[^'\\{}%]*')\s*[,)]"  # one plain string

RULES: tuple[SecurityRule, ...] = (
    _rule(
        "shell-true", Severity.HIGH, 0.7,
        "Command run through the shell (shell=True)",
        "With shell=True the shell parses the command string, so any interpolated value can "
        "inject commands. Pass an argument list and leave shell=False.",
        r"\bshell\s*=\s*True\b",
    ),
    _rule(
        "os-system", Severity.HIGH, 0.7,
        "Built command passed to os.system/os.popen",
        "os.system and os.popen run their argument through the shell; a value built into it "
        "can inject commands. Use subprocess.run with an argument list.",
        rf"\bos\.(?:system|popen)\s*\((?!{_LITERAL_ARG})",
    ),
    _rule(
        "eval-exec", Severity.HIGH, 0.75,
        "eval/exec on a non-literal",
        "eval and exec run arbitrary code; on data an attacker can influence this is remote "
        "code execution. Parse the data instead (ast.literal_eval, json.loads).",
        rf"(?<![\w.])(?:eval|exec)\s*\((?!{_LITERAL_ARG})",
    ),
    _rule(
        "pickle-load", Severity.HIGH, 0.6,
        "Unpickling data (pickle/marshal/shelve/dill)",
        "Loading a pickle runs code chosen by whoever wrote the bytes. Only load data this "
        "program wrote itself and nobody else could touch; otherwise use JSON.",
        r"\b(?:c?[Pp]ickle|dill|marshal|jsonpickle)\.(?:loads?|Unpickler|decode)\s*\("
        r"|\bshelve\.open\s*\(",
    ),
    _rule(
        "yaml-load", Severity.HIGH, 0.8,
        "yaml.load without SafeLoader",
        "yaml.load with a full or unsafe loader can build arbitrary Python objects from the "
        "document. Use yaml.safe_load, or pass Loader=yaml.SafeLoader.",
        r"\byaml\.(?:unsafe_)?load(?:_all)?\s*\(",
        unless=r"\b(?:C?SafeLoader|BaseLoader)\b",
    ),
    _rule(
        "weak-password-hash", Severity.HIGH, 0.7,
        "MD5/SHA-1 used to hash a password",
        "Fast hashes like MD5 and SHA-1 are brute-forced cheaply. Hash passwords with a slow, "
        "salted KDF: hashlib.scrypt, bcrypt or argon2.",
        r"\bhashlib\.(?:md5|sha1)\s*\(|\bhashlib\.new\s*\(\s*[\"'](?:md5|sha1)[\"']",
        requires=r"(?i)pass(?:word|wd|phrase)?\b|passw|pwd|credential",
    ),
    _rule(
        "tls-verify-off", Severity.HIGH, 0.8,
        "TLS certificate verification disabled",
        "Without certificate checks anyone on the network path can impersonate the server "
        "and read or change the traffic. Keep verification on; pass a CA bundle if needed.",
        r"\bverify\s*=\s*False\b|\bssl\._create_unverified_context\s*\(|\bCERT_NONE\b"
        r"|\bcheck_hostname\s*=\s*False\b",
    ),
    _rule(
        "sql-built", Severity.HIGH, 0.8,
        "SQL built from strings passed to execute()",
        "Formatting values into SQL allows SQL injection. Pass them as query parameters "
        "(execute(sql, params)) and let the driver quote them.",
        # An f-string runs to its own closing quote: f"... = '{name}'" is caught too.
        r"\.(?:execute|executemany|executescript)\s*\(\s*(?:[rR]?[fF][rR]?"
        r"(?P<q>\"\"\"|'''|\"|')(?:(?!(?P=q)).)*?\{"
        r"|(?:\"[^\"]*\"|'[^']*')\s*(?:%|\+|\.format\s*\())",
    ),
    _rule(
        "sql-string-built", Severity.HIGH, 0.7,
        "SQL statement built by string formatting",
        "A query assembled from values with an f-string, % or + is open to SQL injection "
        "when it reaches execute(). Keep placeholders in the SQL and pass the values as "
        "query parameters.",
        # The usual two-line form: query = f"SELECT ... {x}" (or "..." % x), then execute(query).
        r"(?i:\b\w*(?:sql|query|stmt|statement)\w*)\s*=\s*(?:[rR]?[fF][rR]?"
        r"(?P<q>\"|')(?:(?!(?P=q)).)*\{|(?:\"[^\"]*\"|'[^']*')\s*(?:%|\+|\.format\s*\())",
        requires=r"\bSELECT\b.*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b"
        r"|\bDELETE\s+FROM\b",
    ),
    _rule(
        "mktemp", Severity.MEDIUM, 0.8,
        "tempfile.mktemp is race-prone",
        "mktemp returns a name that another process can create first (symlink attacks). Use "
        "tempfile.mkstemp, NamedTemporaryFile or TemporaryDirectory.",
        r"\btempfile\.mktemp\s*\(|(?<![\w.])mktemp\s*\(",
    ),
)  # fmt: skip


def review_security(files: Sequence[FileDiff]) -> list[Finding]:
    """One finding per rule and added line of a Python file where the rule matches."""
    findings: list[Finding] = []
    for file in files:
        if not file.path.endswith((".py", ".pyi")):
            continue
        for hunk in file.hunks:
            head = [ln for ln in hunk.lines if ln.kind is not LineKind.REMOVED]
            for i, line in enumerate(head):
                if line.kind is LineKind.ADDED and line.new_no is not None:
                    findings += _check(file.path, line.new_no, head, i)
    return findings


def _check(path: str, row: int, head: list[DiffLine], index: int) -> list[Finding]:
    line = head[index].text
    if line.lstrip().startswith("#"):
        return []
    statement = _statement(head, index)
    found = []
    for rule in RULES:
        match = rule.pattern.search(statement)
        if match is None or match.start() >= len(line):
            continue
        if rule.unless is not None and rule.unless.search(statement):
            continue
        if rule.requires is not None and not rule.requires.search(statement):
            continue
        found.append(_finding(path, row, rule))
    return found


def _statement(head: list[DiffLine], index: int) -> str:
    """The line, plus the following ones while its brackets stay open (a call's arguments)."""
    parts = [head[index].text]
    depth = _depth(parts[0])
    for ln in head[index + 1 : index + _STATEMENT_LINES]:
        if depth <= 0:
            break
        parts.append(ln.text)
        depth += _depth(ln.text)
    return "\n".join(parts)


def _depth(text: str) -> int:
    opened = text.count("(") + text.count("[") + text.count("{")
    return opened - text.count(")") - text.count("]") - text.count("}")


def _finding(path: str, row: int, rule: SecurityRule) -> Finding:
    return Finding(
        path=path,
        side=Side.RIGHT,
        start_line=row,
        end_line=row,
        category=Category.SECURITY,
        severity=rule.severity,
        confidence=rule.confidence,
        title=rule.title,
        body=rule.body,
        route=Route.SMALL,
        source=f"security:{rule.id}",
    )
