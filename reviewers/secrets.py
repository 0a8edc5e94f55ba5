"""Find secrets in text, for prompt redaction and the static secret reviewer.

Linear in the input: every pattern is bounded (reviewers.secret_patterns), and a private
key's END line is found by one pass over all END lines, not a look-ahead per BEGIN line.
Obvious placeholders are never matches. Values that merely look fake (sequential runs,
"test"/"fake"/"dummy" beside them, the same value asserted on) are matches marked `fake`:
redaction still removes them, the reviewer does not comment on them.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass

from reviewers.secret_patterns import (
    PRIVATE_KEY_BEGIN,
    PRIVATE_KEY_BODY,
    PRIVATE_KEY_END,
    PRIVATE_KEY_SPAN,
    SECRET_PATTERNS,
    SecretPattern,
)

__all__ = ["SECRET_PATTERNS", "SecretMatch", "SecretPattern", "find_secrets", "pattern_named"]

_PLACEHOLDER_WORDS = (
    "changeme", "change_me", "xxx", "example", "placeholder", "your", "dummy", "redacted",
    "insert", "replace", "fixme", "todo", "sample", "fake", "****",
)  # fmt: skip
_FAKE_VALUE_WORDS = ("test", "mock", "fake", "dummy", "example", "sample", "secret", "password")
_FAKE_NEARBY = re.compile(
    r"(?i)\b(?:test|tests|testing|fake|dummy|mock|example|sample|placeholder|not[ _-]?real)\b"
    r"|(?i:test|fake|dummy|mock)_|_(?i:test|fake|dummy|mock)\b"
)
_ASSERTION = re.compile(r"\bassert|\bexpect\s*\(|\bshould\b|assertEquals?\b|\.toBe\(|\.to\.eq")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Sample credentials from providers' own documentation (AWS's S3 request-signing guide),
# which tests and docs copy: not anybody's key.
KNOWN_EXAMPLES = frozenset({"0PN5J17HBGZHT7JJ3X82", "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"})
_SEQUENTIAL_RUN = 5  # "12345", "abcde": random keys almost never hold such a run
_NEARBY = 200  # characters either side of a value that count as "its line"
_ASSERT_WINDOW = 4096  # how far away an assertion on the same value is looked for


@dataclass(frozen=True, slots=True)
class SecretMatch:
    kind: str  # SecretPattern.name
    start: int  # span of the secret itself within the scanned text
    end: int
    fake: bool = False  # looks like a test value: redacted, but not worth a comment


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


def has_sequential_run(value: str, length: int = _SEQUENTIAL_RUN) -> bool:
    """A run of `length` characters each one above the last ("12345", "abcde")."""
    run = 1
    for a, b in zip(value, value[1:], strict=False):
        run = run + 1 if ord(b) - ord(a) == 1 and a.isalnum() and b.isalnum() else 1
        if run >= length:
            return True
    return False


def looks_fake(text: str, start: int, end: int) -> bool:
    """Heuristics, no verification: the value or its line says it is not a real secret."""
    value = text[start:end]
    lowered = value.lower()
    if (
        value in KNOWN_EXAMPLES
        or has_sequential_run(value)
        or any(w in lowered for w in _FAKE_VALUE_WORDS)
    ):
        return True
    if _FAKE_NEARBY.search(_line(text, start, end).replace(value, " ")):
        return True
    return _asserted(text, start, end)


def _line(text: str, start: int, end: int) -> str:
    """The line around start..end, at most _NEARBY characters either side (bounded work)."""
    lo, hi = max(0, start - _NEARBY), min(len(text), end + _NEARBY)
    line_start = text.rfind("\n", lo, start) + 1 or lo
    line_end = text.find("\n", end, hi)
    return text[line_start : line_end if line_end >= 0 else hi]


def _asserted(text: str, start: int, end: int) -> bool:
    """The value appears, near here, on a line that asserts on it (a test's expected value)."""
    value = text[start:end]
    lo, hi = max(0, start - _ASSERT_WINDOW), min(len(text), end + _ASSERT_WINDOW)
    position = text.find(value, lo, hi)
    while position >= 0:
        if _ASSERTION.search(_line(text, position, position + len(value))):
            return True
        position = text.find(value, position + len(value), hi)
    return False


def _is_mixed(value: str) -> bool:
    """At least two of lower case, upper case and digits: random keys have them, words do not."""
    lower = any(c.islower() for c in value)
    upper = any(c.isupper() for c in value)
    digit = any(c.isdigit() for c in value)
    return lower + upper + digit >= 2


def _accept(pattern: SecretPattern, value: str) -> bool:
    if is_placeholder(value) or "EXAMPLE" in value:
        return False
    if pattern.mixed and not _is_mixed(value):
        return False
    return shannon_entropy(value) >= pattern.min_entropy


def private_keys(text: str) -> list[tuple[int, int]]:
    """Spans of private keys: BEGIN to its END line, else BEGIN and the base64 lines after."""
    ends = [(m.start(), m.end()) for m in PRIVATE_KEY_END.finditer(text)]
    end_starts = [s for s, _ in ends]
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        begin = PRIVATE_KEY_BEGIN.search(text, position)
        if begin is None:
            return spans
        i = bisect.bisect_left(end_starts, begin.end())
        if i < len(ends) and ends[i][0] - begin.end() <= PRIVATE_KEY_SPAN:
            stop = ends[i][1]
        else:
            body = PRIVATE_KEY_BODY.match(text, begin.end())
            stop = body.end() if body is not None else begin.end()
        spans.append((begin.start(), stop))
        position = stop


def find_secrets(text: str) -> list[SecretMatch]:
    """Every secret in `text`, sorted by position, without overlaps (specific kinds win)."""
    found: list[tuple[int, int, int, str]] = [
        (start, -end, 0, "private-key") for start, end in private_keys(text)
    ]
    lowered = text.translate(_ASCII_LOWER)
    for rank, pattern in enumerate(SECRET_PATTERNS):
        if pattern.name == "private-key":
            continue
        group = "secret" if "secret" in pattern.regex.groupindex else 0
        for m in pattern.regex.finditer(lowered if pattern.lowered else text):
            start, end = m.span(group)
            if _accept(pattern, text[start:end]):
                found.append((start, -end, rank, pattern.name))
    found.sort()
    kept: list[SecretMatch] = []
    for start, neg_end, _, kind in found:
        if kept and start < kept[-1].end:
            continue
        fake = kind != "private-key" and looks_fake(text, start, -neg_end)
        kept.append(SecretMatch(kind, start, -neg_end, fake))
    return kept


def pattern_named(name: str) -> SecretPattern:
    """The first pattern with this name (for labels and severities)."""
    for pattern in SECRET_PATTERNS:
        if pattern.name == name:
            return pattern
    raise KeyError(f"unknown secret kind: {name}")
