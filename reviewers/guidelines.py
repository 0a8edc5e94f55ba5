"""The repository's own review guidelines (CONTRIBUTING), picked for the stable prompt prefix.

Only the sections a reviewer can apply (style, conventions, errors, tests, security, ...) are
kept, within a token budget; setup, licensing and community sections are left out. A
guideline file the pull request itself changes is not used: its text would be the PR
author's, and guidance must come from the maintainers (as .github/prbot.yml comes from the
base branch).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from reviewers.budget import BYTES_PER_TOKEN, estimate_tokens
from reviewers.snapshot import ContextBlock, Snapshot

GUIDELINE_PATHS = (
    "CONTRIBUTING.md",
    ".github/CONTRIBUTING.md",
    "docs/CONTRIBUTING.md",
    "CONTRIBUTING.rst",
    ".github/CONTRIBUTING.rst",
    "docs/CONTRIBUTING.rst",
    "CONTRIBUTING.txt",
    "CONTRIBUTING",
)
DEFAULT_MAX_TOKENS = 800
_USEFUL = re.compile(
    r"style|code|coding|review|convention|guideline|standard|test|error|exception|secur|"
    r"log|naming|type|lint|design|api|pattern|practice|performance|compat|depend|docstring",
    re.I,
)
_NOT_USEFUL = re.compile(
    r"licen|conduct|communit|contact|release|changelog|sponsor|support|donat|question|"
    r"report(?:ing)? (?:a )?bug|issue|install|setup|set up|getting started|thank|credit",
    re.I,
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")


@dataclass(frozen=True, slots=True)
class Guidelines:
    blocks: tuple[ContextBlock, ...]
    notes: tuple[str, ...] = ()  # e.g. a guideline file the PR changes was not used


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    start: int  # 1-based, the heading line
    end: int


def sections(lines: list[str]) -> list[Section]:
    """Markdown (`## Title`) and reStructuredText (Title / -----) sections of a document."""
    starts: list[tuple[int, str]] = []
    fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence:
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            starts.append((i + 1, heading.group(1)))
        elif i > 0 and _RST_UNDERLINE.match(line) and _underlines(line, lines[i - 1]):
            starts.append((i, lines[i - 1].strip()))
    out = []
    for index, (start, title) in enumerate(starts):
        end = starts[index + 1][0] - 1 if index + 1 < len(starts) else len(lines)
        out.append(Section(title, start, end))
    return out


def _underlines(line: str, title: str) -> bool:
    return bool(title.strip()) and len(line.strip()) >= len(title.strip()) - 1


def repository_guidelines(
    snapshot: Snapshot | None, changed: Collection[str], max_tokens: int = DEFAULT_MAX_TOKENS
) -> Guidelines:
    """The useful sections of the first guideline file found, within `max_tokens`."""
    if snapshot is None:
        return Guidelines(())
    for path in GUIDELINE_PATHS:
        text = snapshot.read(path)
        if text is None:
            continue
        if path in changed:
            note = f"{path} is changed by this pull request: not used as review guidance."
            return Guidelines((), (note,))
        return Guidelines(tuple(pick_sections(path, text.splitlines(), max_tokens)))
    return Guidelines(())


def pick_sections(path: str, lines: list[str], max_tokens: int) -> list[ContextBlock]:
    blocks: list[ContextBlock] = []
    left = max_tokens
    for section in sections(lines):
        if not _USEFUL.search(section.title) or _NOT_USEFUL.search(section.title):
            continue
        end = section.end
        while end >= section.start and not lines[end - 1].strip():
            end -= 1
        # Whole sections while they fit; a long one is cut to what fits, from its heading.
        size, last = 0, section.start - 1
        for n in range(section.start, end + 1):
            size += len(lines[n - 1].encode("utf-8", "surrogatepass")) + 1
            if size / BYTES_PER_TOKEN + 4 > left:
                break
            last = n
        end = last
        if end <= section.start:
            break
        text = _text(lines, section.start, end)
        blocks.append(
            ContextBlock("guideline", path, section.start, end, text, f"{section.title} ({path})")
        )
        left -= estimate_tokens(text)
    return blocks


def _text(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start - 1 : end])
