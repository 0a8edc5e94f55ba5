"""Secret patterns shared by prompt redaction and the static secret reviewer."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from reviewers.models import Severity

# Every pattern is linear-time: bounded quantifiers, lookbehinds that only let a match start at
# a token boundary, and no nested quantifiers over overlapping classes.  Group "secret", when
# present, is the part to redact; otherwise the whole match is.

_PLACEHOLDER_WORDS = (
    "changeme", "change_me", "xxx", "example", "placeholder", "your", "dummy", "redacted",
    "insert", "replace", "fixme", "todo", "sample", "fake", "****",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SecretPattern:
    name: str  # stable id, used in "[REDACTED:<name>]" and "secret:<name>"
    label: str  # human name for titles
    regex: re.Pattern[str]
    severity: Severity
    min_entropy: float = 0.0  # bits/char the secret must reach (generic patterns only)
    mixed: bool = False  # the secret must mix character classes (digits, cases, symbols)
    lowered: bool = False  # the regex runs on the ASCII-lower-cased text


@dataclass(frozen=True, slots=True)
class SecretMatch:
    kind: str  # SecretPattern.name
    start: int  # span of the secret itself within the scanned text
    end: int


def _pattern(
    name: str,
    label: str,
    regex: str,
    severity: Severity,
    entropy: float = 0.0,
    mixed: bool = False,
    lowered: bool = False,
) -> SecretPattern:
    return SecretPattern(name, label, re.compile(regex), severity, entropy, mixed, lowered)


# Matched against an ASCII-lower-cased copy of the text (same offsets): a case-insensitive
# alternation is an order of magnitude slower in `re`.  The lookahead keeps "tokenizer",
# "secretary" and the like out.
_GENERIC_NAME = (
    r"(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key"
    r"|auth_?key|client_?secret|credentials?)s?(?!i[sz]|ar[iy]|ion)"
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


SECRET_PATTERNS: tuple[SecretPattern, ...] = (
    _pattern(
        "private-key",
        "private key",
        # Up to the END line when it is there; else the BEGIN line and the base64 lines after it.
        r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
        r"(?:(?:(?!-----END)[\s\S]){0,16384}-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
        r"|[^\n]{0,200}(?:\n[ \t\"'+]{0,8}[A-Za-z0-9+/=]{16,100}[^\n]{0,8}){0,200})",
        Severity.CRITICAL,
    ),
    _pattern(
        "aws-access-key-id",
        "AWS access key id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
        Severity.CRITICAL,
    ),
    _pattern(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i:aws)[\w.-]{0,20}?(?i:secret)[\w.-]{0,20}[\"']?\s{0,4}"
        r"(?:=|:|=>)\s{0,4}[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        Severity.CRITICAL,
    ),
    _pattern(
        "github-token",
        "GitHub token",
        r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,242})"
        r"(?![A-Za-z0-9_])",
        Severity.CRITICAL,
    ),
    _pattern(
        "slack-token",
        "Slack token",
        r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}",
        Severity.CRITICAL,
    ),
    _pattern(
        "stripe-live-key",
        "Stripe live secret key",
        r"(?<![A-Za-z0-9])(?:sk|rk)_live_[A-Za-z0-9]{16,247}",
        Severity.CRITICAL,
    ),
    _pattern(
        "google-api-key",
        "Google API key",
        r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
        Severity.HIGH,
    ),
    _pattern(
        "anthropic-api-key",
        "Anthropic API key",
        r"(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,250}",
        Severity.CRITICAL,
    ),
    _pattern(
        "openai-api-key",
        "OpenAI API key",
        r"(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,250}",
        Severity.CRITICAL,
        mixed=True,  # keeps CSS classes and slugs like "sk-some-long-name" out
    ),
    _pattern(
        "jwt",
        "JSON Web Token",
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}"
        r"\.[A-Za-z0-9_-]{0,4096}",
        Severity.HIGH,
    ),
    _pattern(
        "generic-secret",
        "hard-coded secret",
        # Starts at the name's keyword (whatever precedes it in the identifier): scanning for a
        # keyword is far cheaper than trying every identifier start.
        rf"{_GENERIC_NAME}[\w.-]{{0,40}}[\"']?\s{{0,4}}"
        r"(?::=|=>|==?|:)\s{0,4}[rbu]{0,2}(?P<q>[\"'`])(?P<secret>[^\"'`\s\\]{16,512})(?P=q)",
        Severity.HIGH,
        entropy=3.5,
        mixed=True,
        lowered=True,
    ),
    _pattern(
        "generic-secret",
        "hard-coded secret",
        # .env style: NAME=value, unquoted, alone on its line.
        r"(?m)^[ \t]*(?:export[ \t]+)?[A-Z0-9_]{0,40}(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY"
        r"|ACCESS_?KEY|PRIVATE_?KEY)S?[A-Z0-9_]{0,40}=(?P<secret>[^\s\"'#$]{16,512})[ \t]*$",
        Severity.HIGH,
        entropy=3.5,
        mixed=True,
    ),
)


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """True for obvious stand-ins: templates, env lookups, redactions, repeated characters."""
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS):
        return True
    if "${" in value or "{{" in value or "%(" in value or (value[:1] == "<" and value[-1:] == ">"):
        return True
    if "environ" in lowered or "getenv" in lowered:
        return True
    return len(set(value)) <= 3


def _is_mixed(value: str) -> bool:
    """At least two of lower case, upper case and digits: random keys have them, words do not."""
    lower = any(c.islower() for c in value)
    upper = any(c.isupper() for c in value)
    digit = any(c.isdigit() for c in value)
    return lower + upper + digit >= 2


def _accept(pattern: SecretPattern, value: str) -> bool:
    if pattern.name == "private-key":
        return True
    if is_placeholder(value) or "EXAMPLE" in value:
        return False
    if pattern.mixed and not _is_mixed(value):
        return False
    return shannon_entropy(value) >= pattern.min_entropy


def find_secrets(text: str) -> list[SecretMatch]:
    """Every secret in `text`, sorted by position, without overlaps (specific kinds win)."""
    found: list[tuple[int, int, int, str]] = []
    lowered = text.translate(_ASCII_LOWER)
    for rank, pattern in enumerate(SECRET_PATTERNS):
        for m in pattern.regex.finditer(lowered if pattern.lowered else text):
            group = "secret" if "secret" in pattern.regex.groupindex else 0
            start, end = m.span(group)
            if _accept(pattern, text[start:end]):
                found.append((start, -end, rank, pattern.name))
    found.sort()
    kept: list[SecretMatch] = []
    for start, neg_end, _, kind in found:
        if kept and start < kept[-1].end:
            continue
        kept.append(SecretMatch(kind, start, -neg_end))
    return kept


def pattern_named(name: str) -> SecretPattern:
    """The first pattern with this name (for labels and severities)."""
    for pattern in SECRET_PATTERNS:
        if pattern.name == name:
            return pattern
    raise KeyError(f"unknown secret kind: {name}")
