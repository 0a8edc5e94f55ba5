"""Who uses what a change alters: call sites of a changed function, uses of a changed
constant, of a removed or renamed name, and of a string key the change renamed.

A text search (one regular expression per name, cached for the review) finds candidate
lines; the parser confirms each is a call or a use in code, not in a string or a comment.
Sites are ordered nearest first: the same file, the same directory, then by directory steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewers.models import LineKind
from reviewers.related import (
    _CLASS_KINDS,
    _CONSTANT_KINDS,
    _CONSTRUCTORS,
    BODY_CALLER,
    CHANGED_USE,
    Candidate,
    HunkView,
    _candidate,
    innermost,
)
from reviewers.repofiles import RepoFiles, defined_names, defines_pattern, distance, family
from reviewers.syntax import language_for

_STRING_KEY = re.compile(r"""(["'])([A-Za-z_][\w.\-]{2,60})\1""")


# -- callers and users of what the change alters --------------------------------------------


@dataclass(frozen=True, slots=True)
class Altered:
    name: str
    rank: int  # CHANGED_USE (signature, removed name, constant, key) or BODY_CALLER
    how: str  # for the reason: "signature changed", "removed or renamed", ...
    calls: bool  # look for calls (name(...)) rather than any use of the name
    skip: tuple[int, int] | None  # the definition's own lines (recursion is not a caller)
    literal: bool = False  # a string key: searched in every text file, not parsed


def altered(files: RepoFiles, views: Sequence[HunkView]) -> list[tuple[HunkView, Altered]]:
    out: list[tuple[HunkView, Altered]] = []
    for view in views:
        defs = files.definitions(view.path)
        added = set(view.added)
        seen: set[str] = set()
        for line in view.anchors:
            d = innermost(defs, line, functions=True)
            if d is None or d.name in seen:
                continue
            if added.issuperset(range(d.start_line, d.end_line + 1)):
                continue  # a new function: its callers are in the diff, if anywhere
            seen.add(d.name)
            name = d.name
            if name in _CONSTRUCTORS or d.kind == "constructor_declaration":
                owner = innermost([o for o in defs if o.kind in _CLASS_KINDS], d.start_line)
                name = owner.name if owner is not None else name
            signature = any(d.start_line <= ln <= d.header_end for ln in added)
            rank = CHANGED_USE if signature else BODY_CALLER
            how = "its signature changed" if signature else "its body changed"
            out.append((view, Altered(name, rank, how, True, (d.start_line, d.end_line))))
        for d in defs:
            touched = added & set(range(d.start_line, d.end_line + 1))
            if d.kind in _CONSTANT_KINDS and touched and d.name not in seen:
                seen.add(d.name)
                out.append((view, Altered(d.name, CHANGED_USE, "its value changed", False, None)))
        out += [(view, a) for a in _removed(files, view, seen)]
    return out


def _removed(files: RepoFiles, view: HunkView, seen: set[str]) -> list[Altered]:
    """Names the removed lines defined that the head no longer defines, and string keys the
    removed lines held that no added line holds (a renamed config key)."""
    language = language_for(view.path)
    out = []
    removed = "\n".join(view.removed_text)
    added_text = "\n".join(ln.text for ln in view.hunk.lines if ln.kind is LineKind.ADDED)
    if language is not None:
        for name in sorted(defined_names(defines_pattern(language), removed)):
            if name not in seen and not files.defined(view.path, name) and len(name) > 2:
                seen.add(name)
                out.append(
                    Altered(name, CHANGED_USE, "this change removes or renames it", False, None)
                )
    for match in _STRING_KEY.finditer(removed):
        key = match.group(2)
        if key not in added_text and key not in seen and not key.isdigit():
            seen.add(key)
            out.append(
                Altered(key, CHANGED_USE, "this change renames or drops the key", False, None, True)
            )
    return out


def caller_candidates(
    files: RepoFiles, views: Sequence[HunkView], max_sites: int = 4
) -> list[Candidate]:
    out: list[Candidate] = []
    spans = [(v.path, *v.span) for v in views]
    for view, change in altered(files, views):
        sites = _sites(files, view, change, spans)
        for path, line in sites[:max_sites]:
            out.append(_site_candidate(files, view, change, path, line))
    return out


def _sites(
    files: RepoFiles, view: HunkView, change: Altered, spans: Iterable[tuple[str, int, int]]
) -> list[tuple[str, int]]:
    name = re.escape(change.name)
    language = language_for(view.path) or ""
    if change.literal:
        pattern, paths, key = f"[\"']{name}[\"']", files.text_paths(), "*"
    else:
        pattern = rf"\b{name}\s*\(" if change.calls else rf"\b{name}\b"
        paths, key = (files.family_paths(language), family(language)) if language else ([], "")
    inside = list(spans)
    hits = []
    for path, line in files.search(pattern, paths, key=key):
        if any(p == path and lo <= line <= hi for p, lo, hi in inside):
            continue
        if path == view.path and change.skip and change.skip[0] <= line <= change.skip[1]:
            continue
        if not change.literal and not _confirmed(files, path, change, line):
            continue
        hits.append((path, line))
    hits.sort(key=lambda h: (distance(view.path, h[0]), h[0], h[1]))
    return hits


def _confirmed(files: RepoFiles, path: str, change: Altered, line: int) -> bool:
    """The parser agrees: a call (or a use of the name) in code, not in a string or comment."""
    table = files.call_lines(path) if change.calls else files.names(path)
    return line in table.get(change.name, ())


def _site_candidate(
    files: RepoFiles, view: HunkView, change: Altered, path: str, line: int
) -> Candidate:
    what = f"'{change.name}'" if change.literal else change.name
    verb = "calls" if change.calls else "uses"
    reason = f"{verb} {what} ({change.how} at {view.path}:{view.span[0]})"
    d = innermost(files.definitions(path), line, functions=True)
    dist = distance(view.path, path)
    if d is None:
        start, end = max(1, line - 3), line + 3
        return Candidate(
            "caller",
            path,
            start,
            end,
            start - 1,
            (line, line),
            change.rank,
            dist,
            reason,
            view.index,
            8,
            line,
        )
    return _candidate(
        "caller", view, d, (line, line), change.rank, dist, reason, 16, path, required=line
    )
