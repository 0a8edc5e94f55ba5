"""Render one hunk for a prompt: numbered lines plus the enclosing function when known."""

from __future__ import annotations

import re

from reviewers.models import FileDiff, Hunk, LineKind

MAX_CONTEXT_LINES = 40  # lines of enclosing code shown above a hunk
_DEF = re.compile(r"^(\s*)(?:async\s+def|def|class)\s+\w")


def indentation(text: str) -> int:
    return len(text) - len(text.lstrip())


def enclosing_context(source: str, hunk: Hunk) -> list[tuple[int, str]]:
    """Lines from the enclosing def/class header down to the hunk, numbered (new side).

    Only for Python-like sources; returns [] when the hunk starts at top level.
    """
    lines = source.splitlines()
    first = hunk.new_start - 1  # 0-based index of the hunk's first new line
    changed = [ln.text for ln in hunk.lines if ln.kind is not LineKind.REMOVED and ln.text.strip()]
    if not changed or first <= 0 or first > len(lines):
        return []
    level = indentation(changed[0])
    for index in range(first - 1, max(-1, first - 1 - 400), -1):
        match = _DEF.match(lines[index])
        if match and len(match.group(1)) < level:
            start = index
            break
    else:
        return []
    picked = list(range(start, first))
    if len(picked) > MAX_CONTEXT_LINES:
        picked = [start, *range(first - MAX_CONTEXT_LINES + 1, first)]
    return [(i + 1, lines[i]) for i in picked]


def render_hunk(file: FileDiff, hunk: Hunk, source: str | None) -> str:
    """The hunk as the model sees it: RIGHT lines by new number, removed lines as L<old>."""
    header = (
        f"File: {file.path} ({file.status.value})\n"
        f"Hunk @@ -{hunk.old_start},{hunk.old_len} +{hunk.new_start},{hunk.new_len} @@ "
        f"{hunk.section}".rstrip()
    )
    out = [header]
    if source is not None and file.path.endswith(".py"):
        context = enclosing_context(source, hunk)
        if context:
            out.append("Enclosing code above the hunk (unchanged):")
            out.extend(f"  {no:>6} {text}" for no, text in context)
    out.append("Diff:")
    for line in hunk.lines:
        if line.kind is LineKind.REMOVED:
            out.append(f"- L{line.old_no:<5} {line.text}")
        else:
            marker = "+" if line.kind is LineKind.ADDED else " "
            out.append(f"{marker} {line.new_no:>6} {line.text}")
    return "\n".join(out)
