"""Name what a text that holds no unified diff is, so the error says it in one line.

A CI step fed an error page, a binary, a JSON document or a `diff -c` must fail loudly:
parsed as a diff, each of them holds no file and would pass as a clean review.
"""

from __future__ import annotations

import re

_SAMPLE = 8192  # enough to recognise any of the kinds below
_CONTEXT_HUNK = re.compile(r"^\*{15}$", re.MULTILINE)  # diff -c's hunk separator
_CONTEXT_HEADER = re.compile(r"^\*\*\* \S.*\n--- \S", re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def describe_non_diff(raw: str | bytes, text: str) -> str:
    """Why `text` (decoded from `raw`) is not a unified diff, as one sentence."""
    head = raw[:_SAMPLE]
    sample = text[:_SAMPLE]
    if isinstance(head, bytes) and _is_utf16(head):
        return "the input is UTF-16 encoded; convert it to UTF-8 (git diff writes UTF-8)"
    if "\x00" in sample or sample.count("\ufffd") > len(sample) // 10:
        return "the input is binary data, not text"
    if _ANSI.search(sample):
        return "the input has ANSI colour codes; produce it with `git diff --no-color`"
    if _CONTEXT_HUNK.search(sample) or _CONTEXT_HEADER.search(sample):
        return "the input is a context diff (diff -c); use a unified diff (diff -u, git diff)"
    stripped = sample.lstrip()
    if stripped.startswith(("{", "[")):
        return "the input looks like a JSON document"
    if stripped[:15].lower().startswith(("<!doctype html", "<html", "<?xml")):
        return "the input looks like an HTML or XML page (an error page?)"
    first = stripped.partition("\n")[0][:60]
    return (
        f"no file header (a `diff --git` line or a `---`/`+++` pair) found; "
        f"the input starts with {first!r}"
    )


def _is_utf16(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    # No BOM: ASCII text in UTF-16 puts a NUL at every other byte.
    pairs = head[: 2 * (len(head) // 2)]
    if len(pairs) < 8:
        return False
    odd, even = pairs[1::2], pairs[0::2]
    return odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even)
