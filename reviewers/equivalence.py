"""Equivalence: does a hunk leave the syntax tree as it was, apart from formatting and comments?

Python uses the stdlib `ast` (docstrings and other bare string statements dropped, so
quotes, parentheses, trailing commas, line breaks, comments and docstrings are all
invisible). With the file's head text the base text is rebuilt from the diff and both
whole files are parsed: the statements the change touches, within the innermost function
or class around it, must dump the same. Without it, the hunk's own lines are parsed,
dedented as one block; a fragment that does not parse is never called equivalent.
Other languages the parser knows compare the tree-sitter trees of the hunk's two sides,
comments left out (leaf texts and tree shape, so `return\\nx` is not `return x` in JS).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from reviewers.models import FileDiff, Hunk, LineKind
from reviewers.syntax import parse

if TYPE_CHECKING:
    from ast_grep_py import SgNode

# Languages whose leading whitespace carries no meaning (a re-indent is whitespace-only).
FREE_INDENT = frozenset(
    {"javascript", "typescript", "tsx", "go", "java", "c", "cpp", "csharp", "rust", "php"}
)
_COMMENTS = frozenset({"comment", "line_comment", "block_comment", "doc_comment"})
_STRINGS = frozenset(
    {"string", "string_literal", "raw_string_literal", "interpreted_string_literal",
     "template_string", "encapsed_string", "heredoc", "char_literal", "character_literal"}
)  # fmt: skip
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True, slots=True)
class Span:
    """Changed lines of one side, inclusive; an empty span (hi = lo - 1) is an insertion point."""

    lo: int
    hi: int


def whitespace_only(
    before: Sequence[str], after: Sequence[str], *, prose: bool, free: bool
) -> bool:
    """Old and new are the same lines, apart from blank lines and trailing (and, where it
    means nothing, leading) whitespace; prose may also be re-flowed."""
    if prose:
        return " ".join(before).split() == " ".join(after).split()
    strip = str.strip if free else str.rstrip
    return [strip(t) for t in before if t.strip()] == [strip(t) for t in after if t.strip()]


SAME = "syntax unchanged (formatting, comments, docstrings)"
REORDERED = "import reordering"
# Comments that are not comments: interpreter lines, encodings, build constraints.
_DIRECTIVE = re.compile(r"^\s*(?:#!|//go:|// ?\+build|#.*coding[:=]|# ?cython:)")


def same_syntax(file: FileDiff, hunk: Hunk, language: str | None, head: str | None) -> str | None:
    """SAME or REORDERED when the hunk changes nothing but formatting, comments, docstrings
    or the order of imports; None otherwise (or when it cannot tell)."""
    if language is None or any(
        ln.kind is not LineKind.CONTEXT and _DIRECTIVE.match(ln.text) for ln in hunk.lines
    ):
        return None
    if language == "python":
        return _python_same(file, hunk, head)
    base = base_text(file, head) if head is not None else None
    if head is not None and base is not None:
        # Whole files: a comment whose opening line is outside the hunk is still a comment.
        old_range = (hunk.old_start, hunk.old_start + hunk.old_len - 1)
        new_range = (hunk.new_start, hunk.new_start + hunk.new_len - 1)
        same = _leaves(base, language, old_range) == _leaves(head, language, new_range)
    else:
        old, new = _side_text(hunk, LineKind.ADDED), _side_text(hunk, LineKind.REMOVED)
        same = _shape(parse(old, language).root) == _shape(parse(new, language).root)
    return SAME if same else None


def _leaves(text: str, language: str, lines: tuple[int, int]) -> list[str]:
    """The file's leaves (string literals whole, comments left out) that start on the lines,
    each with its parent's kind: `return\nx` and `return x` differ in JS by the parent."""
    lo, hi = lines
    return [leaf for line, leaf in _file_leaves(text, language) if lo <= line <= hi]


@lru_cache(maxsize=8)
def _file_leaves(text: str, language: str) -> tuple[tuple[int, str], ...]:
    found: list[tuple[int, str]] = []
    stack = [parse(text, language).root]
    while stack:
        node = stack.pop()
        kind = node.kind()
        if kind in _COMMENTS:
            continue
        children = node.children()
        if not children or kind in _STRINGS:
            parent = node.parent()
            context = parent.kind() if parent is not None else ""
            found.append((node.range().start.line + 1, _unquote(f"{kind}:{node.text()}") + context))
            continue
        stack.extend(reversed(children))
    return tuple(found)


def spans(hunk: Hunk) -> tuple[Span, Span]:
    """(old, new) changed-line spans in file line numbers."""
    old = [ln.old_no for ln in hunk.lines if ln.kind is LineKind.REMOVED and ln.old_no]
    new = [ln.new_no for ln in hunk.lines if ln.kind is LineKind.ADDED and ln.new_no]
    return _span(hunk, old, "old"), _span(hunk, new, "new")


def _span(hunk: Hunk, numbers: list[int], side: str) -> Span:
    if numbers:
        return Span(min(numbers), max(numbers))
    # Nothing changed on this side: the insertion point is after the last line numbered
    # on this side before the first change.
    point = hunk.old_start if side == "old" else hunk.new_start
    for ln in hunk.lines:
        if ln.kind is not LineKind.CONTEXT:
            break
        point = (ln.old_no if side == "old" else ln.new_no) or point
        point += 1
    return Span(point, point - 1)


def base_text(file: FileDiff, head: str) -> str | None:
    """The base version of a file rebuilt from its head text and diff; None if they disagree."""
    lines = head.split("\n")
    out: list[str] = []
    cursor = 0  # head lines consumed
    for hunk in file.hunks:
        begin = hunk.new_start - 1 if hunk.new_len else hunk.new_start
        if begin < cursor:
            return None
        out += lines[cursor:begin]
        cursor = begin
        for ln in hunk.lines:
            if ln.kind is not LineKind.REMOVED:
                if cursor >= len(lines) or lines[cursor].rstrip("\r") != ln.text.rstrip("\r"):
                    return None
                cursor += 1
            if ln.kind is not LineKind.ADDED:
                out.append(ln.text)
    return "\n".join(out + lines[cursor:])


def _python_same(file: FileDiff, hunk: Hunk, head: str | None) -> str | None:
    old_span, new_span = spans(hunk)
    if head is not None:
        base = base_text(file, head)
        old_tree = _module(base) if base is not None else None
        new_tree = _module(head)
        if old_tree is not None and new_tree is not None:
            return _compare(_unit(old_tree.body, old_span), _unit(new_tree.body, new_span))
    return _python_fragment_same(hunk)


def _python_fragment_same(hunk: Hunk) -> str | None:
    """The hunk alone: both sides, or else the span from the first to the last change."""
    changed = [i for i, ln in enumerate(hunk.lines) if ln.kind is not LineKind.CONTEXT]
    if not changed:
        return SAME
    for lines in (hunk.lines, hunk.lines[changed[0] : changed[-1] + 1]):
        old = [ln.text for ln in lines if ln.kind is not LineKind.ADDED]
        new = [ln.text for ln in lines if ln.kind is not LineKind.REMOVED]
        # One dedent for both sides: moving code out of a block is not formatting.
        indent = min((len(t) - len(t.lstrip()) for t in old + new if t.strip()), default=0)
        old_tree = _module("\n".join(t[indent:] for t in old))
        new_tree = _module("\n".join(t[indent:] for t in new))
        if old_tree is not None and new_tree is not None:
            return _compare(old_tree.body, new_tree.body)
    return None


def _compare(old: list[ast.stmt], new: list[ast.stmt]) -> str | None:
    if _dump(old) == _dump(new):
        return SAME
    imports = (ast.Import, ast.ImportFrom)
    only_imports = bool(old) and all(isinstance(s, imports) for s in old + new)
    if only_imports and sorted(map(_import_key, old)) == sorted(map(_import_key, new)):
        return REORDERED
    return None


def _import_key(stmt: ast.stmt) -> str:
    names = sorted(ast.dump(a) for a in getattr(stmt, "names", []))
    return (
        f"{type(stmt).__name__}:{getattr(stmt, 'module', '')}:{getattr(stmt, 'level', 0)}:{names}"
    )


@lru_cache(maxsize=32)
def _module(text: str) -> ast.Module | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        _drop_bare_strings(node)
    return tree


def _drop_bare_strings(node: ast.AST) -> None:
    """Docstrings and other string statements do nothing: leave them out of the tree."""
    for name in ("body", "orelse", "finalbody"):
        body = getattr(node, name, None)
        if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
            continue
        kept = [s for s in body if not _bare_string(s)]
        if len(kept) != len(body):
            setattr(node, name, kept or ([] if name != "body" else [ast.Pass()]))


def _bare_string(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _start(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _unit(body: list[ast.stmt], span: Span) -> list[ast.stmt]:
    """The statements the span touches, inside the innermost function or class around it."""
    hit = [s for s in body if _start(s) <= span.hi and (s.end_lineno or s.lineno) >= span.lo]
    if len(hit) == 1 and isinstance(hit[0], _SCOPES):
        inner = hit[0].body
        # Descend only when the change is all inside the body (past any docstring).
        if not isinstance(inner[0], ast.Pass) and span.lo >= _start(inner[0]):
            return _unit(inner, span)
    return hit


def _dump(stmts: list[ast.stmt]) -> list[str]:
    return [ast.dump(s) for s in stmts]


def _side_text(hunk: Hunk, leave_out: LineKind) -> str:
    return "\n".join(ln.text for ln in hunk.lines if ln.kind is not leave_out)


def _shape(root: SgNode) -> list[str]:
    """The tree's walk, with trailing commas (optional in every list these grammars have)
    and the quote style of plain string literals left out."""
    walk = list(_walk(root))
    kept = []
    for i, item in enumerate(walk):
        if item == ",:,":
            following = next((w for w in walk[i + 1 :] if w != ")"), "")
            if following in ("):)", "]:]", "}:}"):
                continue
        kept.append(_unquote(item))
    return kept


def _unquote(item: str) -> str:
    kind, _, text = item.partition(":")
    if kind in _STRINGS and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        body = text[1:-1]
        if "\\" not in body and "'" not in body and '"' not in body:
            return f"{kind}:'{body}'"
    return item


def _walk(node: SgNode) -> Iterator[str]:
    """Pre-order kinds, with the text of leaves and string literals; comments left out."""
    kind = node.kind()
    if kind in _COMMENTS:
        return
    children = node.children()
    if not children or kind in _STRINGS:
        yield f"{kind}:{node.text()}"
        return
    yield kind
    for child in children:
        yield from _walk(child)
    yield ")"
