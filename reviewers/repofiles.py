"""One review's read-only view of the head tree: texts, parses, imports and name lookups, cached.

Everything is computed on first use and kept for the review: a file is parsed at most once,
a pattern is searched over the tree at most once, and the repository-wide index of
definition names is built only when a name is not found nearer (same file, imports).
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from reviewers.imports import Import, PathIndex, imports_of
from reviewers.snapshot import Snapshot
from reviewers.syntax import (
    IDENTIFIER_KINDS,
    Definition,
    Tree,
    calls,
    constants,
    definitions,
    find_kinds,
    first_line,
    language_for,
    parse,
)


@dataclass(frozen=True, slots=True)
class IndexLimits:
    """Bounds on the repository-wide work one review may do."""

    max_files: int = 6000  # files of one language scanned by text searches and the index
    max_bytes: int = 40_000_000  # text scanned per language
    max_file_bytes: int = 400_000  # larger files are not parsed (generated, vendored, data)


# A definition-shaped line, per language family: the name it defines is the last group.
_DEFINES: dict[str, re.Pattern[str]] = {
    "python": re.compile(
        r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=\n]*)?=[^=]", re.M
    ),
    "javascript": re.compile(
        r"(?:function\s*\*?|class|interface|type|enum)\s+([\w$]+)"
        r"|(?:const|let|var)\s+([\w$]+)\s*="
        r"|^\s*(?:(?:public|private|protected|static|async|readonly|get|set)\s+)*"
        r"([\w$]+)\s*\([^)\n]*\)\s*(?::[^{\n]*)?\{",
        re.M,
    ),
    "go": re.compile(
        r"^func\s+(?:\([^)]*\)\s*)?(\w+)|^type\s+(\w+)|^(?:const|var)\s+(\w+)|^\t(\w+)\s+(?:\w+\s+)?=",
        re.M,
    ),
    "java": re.compile(
        r"(?:class|interface|enum|record)\s+(\w+)"
        r"|^\s*(?:(?:public|protected|private|static|final|abstract|synchronized|default)\s+)*"
        r"[\w<>\[\]?,.]+(?:<[^>]*>)?\s+(\w+)\s*\(",
        re.M,
    ),
}
_GENERIC_DEFINES = re.compile(
    r"\b(?:def|class|function|func|fn|interface|struct|enum|trait|module|sub|type)\s+(\w+)"
)
_FAMILY = {"typescript": "javascript", "tsx": "javascript", "kotlin": "java"}
_NEWLINE = re.compile("\n")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_KEYWORDS = frozenset({"if", "for", "while", "switch", "return", "new", "catch", "else", "do"})


def family(language: str) -> str:
    """Languages that import one another's files (TS and JS, Java and Kotlin) search together."""
    return _FAMILY.get(language, language)


class RepoFiles:
    """Texts by path (the diff's own head sources first, then the snapshot), parsed on demand."""

    def __init__(
        self,
        snapshot: Snapshot | None,
        sources: Mapping[str, str] | None = None,
        limits: IndexLimits | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.sources = dict(sources or {})
        self.limits = limits or IndexLimits()
        self._texts: dict[str, str | None] = {}
        self._trees: dict[str, Tree | None] = {}
        self._defs: dict[str, list[Definition]] = {}
        self._imports: dict[str, list[Import]] = {}
        self._paths: list[str] | None = None
        self._index: PathIndex | None = None
        self._by_family: dict[str, list[str]] = {}
        self._names: dict[str, dict[str, list[str]]] = {}
        self._matches: dict[tuple[str, str], list[int]] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._starts: dict[str, list[int]] = {}
        self._names_at: dict[str, dict[str, list[int]]] = {}
        self._by_name: dict[str, dict[str, list[Definition]]] = {}
        self._words: dict[str, dict[str, list[str]]] = {}
        self._calls_at: dict[str, dict[str, list[int]]] = {}

    # -- texts and trees ----------------------------------------------------------------

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            text = self.sources.get(path)
            if text is None and self.snapshot is not None:
                text = self.snapshot.read(path)
            self._texts[path] = text
        return self._texts[path]

    def lines(self, path: str) -> list[str]:
        text = self.text(path)
        return text.splitlines() if text is not None else []

    def tree(self, path: str) -> Tree | None:
        if path not in self._trees:
            text = self.text(path)
            language = language_for(path)
            too_big = text is not None and len(text) > self.limits.max_file_bytes
            self._trees[path] = (
                parse(text, language) if text is not None and language and not too_big else None
            )
        return self._trees[path]

    @property
    def parsed(self) -> int:
        """How many files this review has parsed."""
        return sum(1 for tree in self._trees.values() if tree is not None)

    def definitions(self, path: str) -> list[Definition]:
        """Functions, methods, types and constants of a file, outermost first."""
        if path not in self._defs:
            tree = self.tree(path)
            found = definitions(tree) + constants(tree) if tree is not None else []
            found.sort(key=lambda d: (d.start_line, -d.end_line))
            self._defs[path] = found
        return self._defs[path]

    def defined(self, path: str, name: str) -> list[Definition]:
        if path not in self._by_name:
            table: dict[str, list[Definition]] = {}
            for d in self.definitions(path):
                table.setdefault(d.name, []).append(d)
            self._by_name[path] = table
        return self._by_name[path].get(name, [])

    def names(self, path: str) -> dict[str, list[int]]:
        """Every identifier of the code (never of strings or comments) -> its lines."""
        if path not in self._names_at:
            tree = self.tree(path)
            found: dict[str, list[int]] = {}
            if tree is not None:
                for node in find_kinds(tree.root, tree.language, IDENTIFIER_KINDS):
                    found.setdefault(node.text(), []).append(first_line(node))
            self._names_at[path] = found
        return self._names_at[path]

    def call_lines(self, path: str) -> dict[str, list[int]]:
        """Callee name -> the lines where a call to it starts."""
        if path not in self._calls_at:
            tree = self.tree(path)
            found: dict[str, list[int]] = {}
            for call in calls(tree) if tree is not None else []:
                found.setdefault(call.name, []).append(call.line)
            self._calls_at[path] = found
        return self._calls_at[path]

    # -- the tree's paths ---------------------------------------------------------------

    def paths(self) -> list[str]:
        if self._paths is None:
            listed = list(self.snapshot.paths()) if self.snapshot is not None else []
            self._paths = sorted(set(listed) | set(self.sources))
        return self._paths

    def path_index(self) -> PathIndex:
        if self._index is None:
            self._index = PathIndex(self.paths(), self.text)
        return self._index

    def imports(self, path: str) -> list[Import]:
        if path not in self._imports:
            text = self.text(path)
            self._imports[path] = imports_of(path, text, self.path_index()) if text else []
        return self._imports[path]

    def family_paths(self, language: str) -> list[str]:
        """Files of the language's family, bounded by count and bytes (shortest paths first)."""
        key = family(language)
        if key not in self._by_family:
            picked: list[str] = []
            total = 0
            candidates = [
                p for p in self.paths() if key == "*" or family(language_for(p) or "") == key
            ]
            for path in sorted(candidates, key=lambda p: (p.count("/"), p)):
                if len(picked) >= self.limits.max_files:
                    break
                size = len(self.text(path) or "")
                if size > self.limits.max_file_bytes or total + size > self.limits.max_bytes:
                    continue
                picked.append(path)
                total += size
            self._by_family[key] = sorted(picked)
        return self._by_family[key]

    def text_paths(self) -> list[str]:
        """Every path (any type: code, config, docs), bounded like one language's files."""
        return self.family_paths("*")

    # -- searches -------------------------------------------------------------------------

    def matching(self, pattern: str, path: str) -> list[int]:
        """1-based lines of `path` where `pattern` matches (each line once), cached."""
        key = (pattern, path)
        if key not in self._matches:
            text = self.text(path) or ""
            compiled = self._patterns.get(pattern) or re.compile(pattern)
            self._patterns[pattern] = compiled
            starts = self._line_starts(path, text)
            found = {bisect.bisect_right(starts, m.start()) for m in compiled.finditer(text)}
            self._matches[key] = sorted(found)
        return self._matches[key]

    def _line_starts(self, path: str, text: str) -> list[int]:
        if path not in self._starts:
            self._starts[path] = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        return self._starts[path]

    def holding(self, word: str, paths: list[str], key: str) -> list[str]:
        """Which of `paths` hold `word` as a word: one tokenizing pass per path set, so a
        search for a name reads only the files it can match in."""
        if key not in self._words:
            index: dict[str, list[str]] = {}
            for path in paths:
                for token in set(_WORD.findall(self.text(path) or "")):
                    index.setdefault(token, []).append(path)
            self._words[key] = index
        return self._words[key].get(word, [])

    def defining(self, name: str, language: str) -> list[str]:
        """Files of the language's family with a definition-shaped line for `name`."""
        key = family(language)
        if key not in self._names:
            self._names[key] = self._name_index(key)
        return self._names[key].get(name, [])

    def _name_index(self, key: str) -> dict[str, list[str]]:
        pattern = defines_pattern(key)
        index: dict[str, list[str]] = {}
        for path in self.family_paths(key):
            for name in defined_names(pattern, self.text(path) or ""):
                index.setdefault(name, []).append(path)
        return index


def defines_pattern(language: str) -> re.Pattern[str]:
    """The definition-shaped-line pattern of a language's family."""
    return _DEFINES.get(family(language), _GENERIC_DEFINES)


def defined_names(pattern: re.Pattern[str], text: str) -> set[str]:
    """Names that definition-shaped lines of `text` define (a prefilter: parse to confirm)."""
    names = set()
    for match in pattern.finditer(text):
        name = next((g for g in reversed(match.groups()) if g), None)
        if name and name not in _KEYWORDS:
            names.add(name)
    return names


def distance(a: str, b: str) -> int:
    """0 for the same file, 1 for the same directory, then one per directory step apart."""
    if a == b:
        return 0
    da, db = posixpath.dirname(a).split("/"), posixpath.dirname(b).split("/")
    common = 0
    for x, y in zip(da, db, strict=False):
        if x != y:
            break
        common += 1
    return 1 + (len(da) - common) + (len(db) - common)
