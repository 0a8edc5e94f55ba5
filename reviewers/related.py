"""Code related to a hunk: its enclosing definition, what it uses, and who uses what it changes.

Each finder returns Candidates (a span of one file, a rank and a reason); the context engine
(reviewers/repocontext.py) ranks them, clips them against the hunks and fits them to the
budget. Ranks: enclosing code, then definitions of what the changed lines use (same file,
imported files, the repository-wide index), with call sites of changed signatures, removed
names and renamed keys between imported and indexed definitions, then call sites of
functions whose body changed.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass

from reviewers.models import Hunk, LineKind
from reviewers.repofiles import RepoFiles, distance
from reviewers.syntax import Definition, language_for

# Ranks, lower first.
ENCLOSING, OUTER, SAME_FILE, IMPORTED, PACKAGE, CHANGED_USE, INDEXED, NEARBY, BODY_CALLER = range(9)
_COMMENT_STARTS = ("#", "//", "/*", "*", "@", "--", ";;")
MAX_DOC_LINES = 12  # comment and decorator lines kept above a definition

CLASS_KINDS = frozenset(
    {
        "class_definition",
        "class_declaration",
        "abstract_class_declaration",
        "interface_declaration",
        "type_spec",
        "struct_item",
        "impl_item",
        "trait_item",
        "mod_item",
        "class",
        "module",
        "struct_specifier",
        "class_specifier",
        "record_declaration",
        "enum_declaration",
        "enum_item",
        "object_declaration",
        "trait_declaration",
        "protocol_declaration",
        "object_definition",
        "trait_definition",
        "struct_declaration",
    }
)
CONSTANT_KINDS = frozenset(
    {"assignment", "const_spec", "var_spec", "const_item", "static_item", "constant_declaration"}
)
CONSTRUCTORS = frozenset({"__init__", "constructor", "initialize", "__construct", "new"})
# Names so common that a repository-wide lookup by name finds the wrong thing more often
# than the right one; same-file and imported definitions of them are still shown.
_COMMON_WORDS = (
    "get set put add append extend update items keys values pop push close open read write",
    "join split format run start stop send call apply map filter find then catch error log",
    "info debug warn warning next copy clear remove delete insert sort reverse length size",
    "count index toString equals hashCode String Object Error Exception console Math JSON",
    "Promise Array Date make len cap new panic recover print println printf self this cls",
    "super main init test setUp tearDown",
)
COMMON_NAMES = frozenset(dir(builtins)) | {w for line in _COMMON_WORDS for w in line.split()}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span of one head file that may help judge hunk `hunk` of the call."""

    kind: str  # enclosing | definition | caller
    path: str
    start: int
    end: int
    head_end: int  # lines start..head_end are kept first (a signature); start-1: none
    focus: tuple[int, int]  # the lines that matter most (a call site, the hunk's edge)
    rank: int
    distance: int
    reason: str
    hunk: int
    max_lines: int
    required: int | None = None  # a line the block is useless without (the call site)


@dataclass(frozen=True, slots=True)
class HunkView:
    """A hunk as the finders see it: its file, its changed lines on the head side."""

    index: int
    hunk: Hunk

    @property
    def path(self) -> str:
        return self.hunk.path

    @property
    def span(self) -> tuple[int, int]:
        start = self.hunk.new_start
        return start, start + max(self.hunk.new_len, 1) - 1

    @property
    def added(self) -> list[int]:
        return [ln.new_no for ln in self.hunk.lines if ln.kind is LineKind.ADDED and ln.new_no]

    @property
    def anchors(self) -> list[int]:
        """Head lines standing for the change: added lines, or where lines were removed."""
        if self.added:
            return self.added
        lines = [ln.new_no for ln in self.hunk.lines if ln.new_no is not None]
        return lines[:1] or [self.hunk.new_start]

    @property
    def removed_text(self) -> list[str]:
        return [ln.text for ln in self.hunk.lines if ln.kind is LineKind.REMOVED]


def doc_start(files: RepoFiles, path: str, d: Definition) -> int:
    """The first line of the comments and decorators directly above a definition (its doc
    comment in Go, Java, JS, Rust; its decorators in Python), or its own first line."""
    lines = files.lines(path)
    start = d.start_line
    while start > 1 and d.start_line - start < MAX_DOC_LINES:
        above = lines[start - 2].strip() if start - 2 < len(lines) else ""
        if not above.startswith(_COMMENT_STARTS):
            break
        start -= 1
    return start


def is_function(d: Definition) -> bool:
    return d.kind not in CLASS_KINDS and d.kind not in CONSTANT_KINDS


def innermost(defs: Sequence[Definition], line: int, functions: bool = False) -> Definition | None:
    containing = [
        d
        for d in defs
        if d.start_line <= line <= d.end_line
        and d.kind not in CONSTANT_KINDS
        and (is_function(d) or not functions)
    ]
    return min(reversed(containing), key=lambda d: d.end_line - d.start_line, default=None)


# -- enclosing ------------------------------------------------------------------------------


def enclosing_candidates(files: RepoFiles, view: HunkView) -> list[Candidate]:
    defs = files.definitions(view.path)
    found: dict[Definition, None] = {}
    for line in view.anchors:
        inner = innermost(defs, line)
        if inner is not None:
            found[inner] = None
    out = []
    lo, hi = view.span
    for d in found:
        reason = f"encloses the change ({d.name})"
        start = doc_start(files, view.path, d)
        out.append(
            make_candidate("enclosing", view, d, (lo, hi), ENCLOSING, 0, reason, 80, start=start)
        )
        for outer in defs:  # the headers of what contains it: `class Repo(Base):`
            if outer.start_line < d.start_line and d.end_line <= outer.end_line:
                out.append(
                    Candidate(
                        "enclosing",
                        view.path,
                        outer.start_line,
                        outer.header_end,
                        outer.header_end,
                        (outer.start_line, outer.header_end),
                        OUTER,
                        0,
                        f"{d.name} is inside {outer.name}",
                        view.index,
                        4,
                    )
                )
    return out


def make_candidate(
    kind: str,
    view: HunkView,
    d: Definition,
    focus: tuple[int, int],
    rank: int,
    dist: int,
    reason: str,
    max_lines: int,
    path: str | None = None,
    required: int | None = None,
    start: int | None = None,
) -> Candidate:
    return Candidate(
        kind,
        path or view.path,
        start or d.start_line,
        d.end_line,
        d.header_end,
        focus,
        rank,
        dist,
        reason,
        view.index,
        max_lines,
        required,
    )


# -- definitions of what the change uses ----------------------------------------------------


def used_names(files: RepoFiles, view: HunkView) -> list[tuple[str, bool]]:
    """(name, called) for the identifiers on the added lines: callees first, then the rest."""
    added = set(view.added)
    if not added:
        return []
    called = [n for n, lines in files.call_lines(view.path).items() if added & set(lines)]
    first = {
        n: min(set(ls) & added) for n, ls in files.call_lines(view.path).items() if n in called
    }
    others = [n for n, lines in files.names(view.path).items() if added & set(lines)]
    own = {d.name for d in files.definitions(view.path) if d.start_line in added}
    ordered = sorted(called, key=lambda n: first[n])
    rest = [n for n in others if n not in first]
    return [(n, True) for n in ordered if n not in own] + [(n, False) for n in rest if n not in own]


def definition_candidates(files: RepoFiles, view: HunkView, limit: int = 14) -> list[Candidate]:
    """Definitions of what the added lines use, then (ranked NEARBY) of what the hunk's
    unchanged lines call: an early return after `lock.acquire()` is judged by acquire."""
    out: list[Candidate] = []
    defs = files.definitions(view.path)
    enclosing = {d for line in view.anchors if (d := innermost(defs, line))}
    params = _parameters(files, view)
    used = [(n, c) for n, c in used_names(files, view) if c or n not in params][:limit]
    nearby = [(n, True) for n in nearby_calls(files, view) if n not in {u for u, _ in used}]
    for order, (name, called) in enumerate(used + nearby[:limit]):
        if len(name) < 2:
            continue
        found = lookup(files, view, name, called, enclosing)
        near = order >= len(used)
        plain = not called and not _type_like(name)
        for path, d, found_rank in found[:2]:
            rank = max(found_rank, PACKAGE) if plain else found_rank  # callees and types first
            where = "this file" if path == view.path else path
            verb = "called next to" if near else ("called by" if called else "used by")
            reason = f"defines {name}, {verb} the change ({where})"
            dist = distance(view.path, path) * 100 + order + (rank * 1000 if near else 0)
            out += _definition(files, view, path, d, NEARBY if near else rank, dist, reason)
    return out


def lookup(
    files: RepoFiles, view: HunkView, name: str, called: bool, enclosing: set[Definition]
) -> list[tuple[str, Definition, int]]:
    """Where `name` is defined: the same file, then imports, then the repository index (for
    callees and type-like names). A plain lowercase name that is not called is only looked
    up at module level and in explicit imports: it is far more often a local or a field."""
    plain = not called and not _type_like(name)
    found = _same_file(files, view, name, enclosing, top_level=plain)
    found = found or _imported(files, view, name, explicit=plain)
    if not found and not plain and name not in COMMON_NAMES:
        found = _indexed(files, view, name)
    return found


def _definition(
    files: RepoFiles, view: HunkView, path: str, d: Definition, rank: int, dist: int, reason: str
) -> list[Candidate]:
    """A definition's candidate; for a class, its header and its constructor instead of the
    fields that open its body (a call `Limiter(n)` is judged by `Limiter.__init__`)."""
    start = doc_start(files, path, d)
    focus = (d.start_line, d.header_end)
    if d.kind not in CLASS_KINDS:
        return [
            make_candidate("definition", view, d, focus, rank, dist, reason, 40, path, start=start)
        ]
    inits = [
        c
        for c in files.definitions(path)
        if d.start_line < c.start_line
        and c.end_line <= d.end_line
        and (c.name in CONSTRUCTORS or c.kind == "constructor_declaration")
    ]
    if not inits:
        return [
            make_candidate("definition", view, d, focus, rank, dist, reason, 12, path, start=start)
        ]
    head = Definition(d.name, d.kind, d.start_line, d.header_end, d.header_end)
    out = [
        make_candidate("definition", view, head, focus, rank, dist, reason, 4, path, start=start)
    ]
    for init in inits[:2]:
        init_start = doc_start(files, path, init)
        init_focus = (init.start_line, init.header_end)
        out.append(
            make_candidate(
                "definition", view, init, init_focus, rank, dist, reason, 30, path, start=init_start
            )
        )
    return out


def _parameters(files: RepoFiles, view: HunkView) -> set[str]:
    """Names on the signature lines of the function(s) the change is in: its parameters
    (their lookup would find unrelated fields of the same name)."""
    defs = files.definitions(view.path)
    headers: set[int] = set()
    for line in view.anchors:
        d = innermost(defs, line, functions=True)
        if d is not None:
            headers |= set(range(d.start_line, d.header_end + 1))
    return {n for n, lines in files.names(view.path).items() if headers & set(lines)}


def nearby_calls(files: RepoFiles, view: HunkView) -> list[str]:
    """Callees on the unchanged lines around the change: the hunk's context lines and the
    rest of the function it is in, nearest the change first."""
    defs = files.definitions(view.path)
    lo, hi = view.span
    around = {ln.new_no for ln in view.hunk.lines if ln.kind is LineKind.CONTEXT and ln.new_no}
    for line in view.anchors:
        d = innermost(defs, line, functions=True)
        if d is not None:
            around |= set(range(d.start_line, d.end_line + 1)) - set(range(lo, hi + 1))
    added = set(view.added)
    gap: dict[str, int] = {}
    for name, lines in files.call_lines(view.path).items():
        for n in set(lines) & around - added:
            far = lo - n if n < lo else max(n - hi, 0)
            gap[name] = min(gap.get(name, far), far)
    return sorted(gap, key=lambda n: (gap[n], n))


def _type_like(name: str) -> bool:
    return name[:1].isupper()


def _same_file(
    files: RepoFiles,
    view: HunkView,
    name: str,
    enclosing: set[Definition],
    top_level: bool = False,
) -> list[tuple[str, Definition, int]]:
    added = set(view.added)
    classes = [d for d in files.definitions(view.path) if d.kind in CLASS_KINDS]
    return [
        (view.path, d, SAME_FILE)
        for d in files.defined(view.path, name)
        if d not in enclosing
        and not added.issuperset(range(d.start_line, d.end_line + 1))
        and not (top_level and any(c.start_line < d.start_line <= c.end_line for c in classes))
    ]


def _imported(
    files: RepoFiles, view: HunkView, name: str, explicit: bool = False
) -> list[tuple[str, Definition, int]]:
    """Definitions of `name` in the files the change's file imports (`explicit`: only an
    import that binds the name itself, `from m import name`)."""
    found = []
    for imp in files.imports(view.path):
        if explicit and imp.local != name:
            continue
        if imp.local == name and imp.original is not None:
            wanted, rank = (name if imp.original == "default" else imp.original), IMPORTED
        elif imp.local is None or imp.local != name:
            wanted, rank = name, PACKAGE if imp.implicit or imp.local is None else IMPORTED
        else:
            continue  # `import json`: the module itself, nothing to show
        for path in imp.paths[:40]:
            for d in files.defined(path, wanted):
                if imp.original == "default" or d.name == wanted:
                    found.append((path, d, rank))
        if found and imp.local == name:
            break
    return sorted(found, key=lambda f: (f[2], distance(view.path, f[0])))


def _indexed(files: RepoFiles, view: HunkView, name: str) -> list[tuple[str, Definition, int]]:
    language = language_for(view.path)
    if language is None:
        return []
    paths = [p for p in files.defining(name, language) if p != view.path]
    if len(paths) > 4:
        return []  # ambiguous: several unrelated things share the name
    paths.sort(key=lambda p: (distance(view.path, p), p))
    return [(p, d, INDEXED) for p in paths for d in files.defined(p, name)][:2]
