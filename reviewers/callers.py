"""Who uses what a change alters: call sites of a changed function, uses of a changed
constant, of a removed or renamed name, and of a string key the change renamed.

A text search (one regular expression per name, cached for the review) finds candidate
lines; the parser confirms each is a call or a use in code, not in a string or a comment.
Sites are ordered nearest first: the same file, the same directory, then by directory steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewers.models import LineKind
from reviewers.related import (
    BODY_CALLER,
    CHANGED_USE,
    CLASS_KINDS,
    COMMON_NAMES,
    CONSTANT_KINDS,
    CONSTRUCTORS,
    Candidate,
    HunkView,
    innermost,
    make_candidate,
)
from reviewers.repofiles import RepoFiles, defined_names, defines_pattern, distance, family
from reviewers.syntax import language_for

CONFIG_SUFFIXES = (
    ".yml",
    ".yaml",
    ".json",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".properties",
    ".env",
)
MAX_KEYS = 8  # keys of one hunk's removed lines searched for
_OBJECT_KEY = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*:(?![:=])", re.M)
_NOT_KEYS = frozenset(
    [
        "else",
        "try",
        "finally",
        "except",
        "default",
        "case",
        "do",
        "public",
        "private",
        "protected",
        "static",
    ]
)
_STRING_KEY = re.compile(r"""(["'])([A-Za-z_][\w.\-]{2,60})\1""")


# -- callers and users of what the change alters --------------------------------------------


@dataclass(frozen=True, slots=True)
class Altered:
    name: str
    rank: int  # CHANGED_USE (signature, removed name, constant, key) or BODY_CALLER
    how: str  # for the reason: "signature changed", "removed or renamed", ...
    calls: bool  # look for calls (name(...)) rather than any use of the name
    skip: tuple[int, int] | None  # the definition's own lines (recursion is not a caller)
    literal: bool = False  # a string key: quoted in code of any language, not parsed
    key: bool = False  # a key (string or object key): also searched bare in config files


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
            if name in CONSTRUCTORS or d.kind == "constructor_declaration":
                owner = innermost([o for o in defs if o.kind in CLASS_KINDS], d.start_line)
                name = owner.name if owner is not None else name
            signature = any(d.start_line <= ln <= d.header_end for ln in added)
            rank = CHANGED_USE if signature else BODY_CALLER
            how = "its signature changed" if signature else "its body changed"
            out.append((view, Altered(name, rank, how, True, (d.start_line, d.end_line))))
        for d in defs:
            touched = added & set(range(d.start_line, d.end_line + 1))
            if d.kind in CONSTANT_KINDS and touched and d.name not in seen:
                seen.add(d.name)
                out.append((view, Altered(d.name, CHANGED_USE, "its value changed", False, None)))
        out += [(view, a) for a in _removed(files, view, seen)]
    return out


def _removed(files: RepoFiles, view: HunkView, seen: set[str]) -> list[Altered]:
    """Names the removed lines defined that the head no longer defines, and keys the removed
    lines held that no added line holds: string keys ('retry_limit') and object or config
    keys (`sessionTtl: 3600`), as a renamed setting is still read elsewhere."""
    language = language_for(view.path)
    out = []
    removed = "\n".join(view.removed_text)
    added_text = "\n".join(ln.text for ln in view.hunk.lines if ln.kind is LineKind.ADDED)
    if language is not None:
        for name in sorted(defined_names(defines_pattern(language), removed)):
            if name not in seen and not files.defined(view.path, name) and len(name) > 2:
                seen.add(name)
                how = "this change removes or renames it"
                out.append(Altered(name, CHANGED_USE, how, False, None))
    if language is None and not view.path.endswith(CONFIG_SUFFIXES):
        return out  # prose (docs, changelogs): its removed words are not keys
    how = "this change renames or drops the key"
    keys = [(m.group(2), True) for m in _STRING_KEY.finditer(removed)]
    keys += [(m.group(1), False) for m in _OBJECT_KEY.finditer(removed)]
    for key, quoted in keys[:MAX_KEYS]:
        gone = key not in added_text if quoted else not re.search(rf"\b{key}\b", added_text)
        if gone and key not in seen and not key.isdigit() and key not in _NOT_KEYS:
            seen.add(key)
            out.append(Altered(key, CHANGED_USE, how, False, None, literal=quoted, key=True))
    return out


def caller_candidates(
    files: RepoFiles, views: Sequence[HunkView], max_sites: int = 4
) -> list[Candidate]:
    out: list[Candidate] = []
    spans: dict[str, list[tuple[int, int]]] = {}
    for v in views:
        spans.setdefault(v.path, []).append(v.span)
    for view, change in altered(files, views):
        if change.rank == BODY_CALLER and change.name in COMMON_NAMES:
            continue  # `get` or `run` changed inside: their callers are everywhere
        for path, line in _sites(files, view, change, spans, max_sites):
            out.append(_site_candidate(files, view, change, path, line))
    return out


def _sites(
    files: RepoFiles,
    view: HunkView,
    change: Altered,
    spans: dict[str, list[tuple[int, int]]],
    limit: int,
) -> list[tuple[str, int]]:
    """The nearest `limit` call sites or uses: files are searched nearest first and only
    those holding the name's longest word are read."""
    name = re.escape(change.name)
    language = language_for(view.path) or ""
    searches: list[tuple[str, list[str], str, bool]] = []  # pattern, paths, word key, parse?
    if change.literal:
        code = [p for p in files.text_paths() if language_for(p)]
        searches.append((f"[\"']{name}[\"']", code, "*code", False))
    elif language:
        pattern = rf"\b{name}\s*\(" if change.calls else rf"\b{name}\b"
        searches.append((pattern, files.family_paths(language), family(language), True))
    if change.key:  # config files name keys bare: `retry_limit: 3`, `payment.timeout.ms=2500`
        config = [p for p in files.text_paths() if not language_for(p)]
        searches.append((rf"(?<![\w.-]){name}(?![\w-])", config, "*config", False))
    word = max(re.findall(r"[A-Za-z_$][\w$]*", change.name) or [change.name], key=len)
    hits: list[tuple[int, str, int]] = []
    for pattern, paths, key, parse in searches:
        found = 0
        for path in sorted(
            files.holding(word, paths, key), key=lambda p: (distance(view.path, p), p)
        ):
            if found >= limit:
                break
            shown = spans.get(path, [])
            for line in files.matching(pattern, path):
                if any(lo <= line <= hi for lo, hi in shown):
                    continue
                if path == view.path and change.skip and change.skip[0] <= line <= change.skip[1]:
                    continue
                if parse and not _confirmed(files, path, change, line):
                    continue
                hits.append((distance(view.path, path), path, line))
                found += 1
    hits.sort()
    return [(path, line) for _, path, line in hits[:limit]]


def _confirmed(files: RepoFiles, path: str, change: Altered, line: int) -> bool:
    """The parser agrees: a call (or a use of the name) in code, not in a string or comment."""
    table = files.call_lines(path) if change.calls else files.names(path)
    return line in table.get(change.name, ())


def _site_candidate(
    files: RepoFiles, view: HunkView, change: Altered, path: str, line: int
) -> Candidate:
    what = f"'{change.name}'" if change.key else change.name
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
    return make_candidate(
        "caller", view, d, (line, line), change.rank, dist, reason, 16, path, required=line
    )
