"""The head tree as the core sees it: read-only text by path, and labelled context blocks.

bot/ builds a Snapshot (local git, or one archive download per repository and commit) and
hands it in; reviewers/ never does I/O to read the repository itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


class Snapshot(Protocol):
    def read(self, path: str) -> str | None:
        """The file's text at the reviewed head, or None (absent, binary or over the cap)."""
        ...

    def paths(self) -> Iterable[str]:
        """Every file path in the tree, repository-relative with forward slashes."""
        ...


class MappingSnapshot:
    """A Snapshot over texts already in memory (a benchmark case's files/, a test)."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = dict(files)

    def read(self, path: str) -> str | None:
        return self.files.get(path)

    def paths(self) -> Iterable[str]:
        return iter(self.files)


@dataclass(frozen=True, slots=True)
class ContextBlock:
    """Unchanged code or text shown to the model beside the hunks, labelled path:lines."""

    kind: str  # enclosing | definition | caller | guideline | pr-text
    path: str
    start_line: int  # 1-based, inclusive, on the head side
    end_line: int
    text: str  # the lines themselves, unnumbered
    reason: str = ""  # why it was picked, e.g. "defines parse_config, called at cli.py:12"

    @property
    def label(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"
