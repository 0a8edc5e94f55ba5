"""The edits bench.prgen makes to a real Python module: guards, return rewrites, comment cuts.

Each edit knows how many changed lines (added + deleted, as `git diff --numstat` counts them)
it costs, so a file can be edited to an exact size. Edits never touch the same line twice.
"""

from __future__ import annotations

import ast
import functools
import io
import random
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

GUARD_COST = 2  # if <arg> is None: / raise ValueError(...)
RETURN_COST = 3  # -return <expr>, +result = <expr>, +return result
COMMENT_COST = 1  # -# a whole-line comment
SEPARATOR = 2  # the blank lines before an appended function


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace lines [start, end) (0-based) of the original with `new`; start == end inserts."""

    start: int
    end: int
    new: tuple[str, ...]

    @property
    def cost(self) -> int:
        return (self.end - self.start) + len(self.new)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def guards(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    """One `if <first arg> is None: raise` guard per function with an argument, at the top of
    its body (after the docstring)."""
    found: list[Edit] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        names = [n for n in names if n not in ("self", "cls")]
        body = node.body
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # after the docstring
        if not names or not body or body[0].lineno <= node.lineno:
            continue
        first = body[0]
        decorated = getattr(first, "decorator_list", None)
        at = (decorated[0].lineno if decorated else first.lineno) - 1
        pad = _indent(lines[at])
        guard = (
            f"{pad}if {names[0]} is None:",
            f'{pad}    raise ValueError("{names[0]} is required")',
        )
        if lines[at].strip() != guard[0].strip():
            found.append(Edit(at, at, guard))
    return found


def return_rewrites(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    """`return <expr>` on one line -> `result = <expr>` + `return result`."""
    found: list[Edit] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        if node.end_lineno != node.lineno:
            continue
        line = lines[node.lineno - 1]
        text = line.strip()
        if not text.startswith("return ") or text == "return result" or ";" in text:
            continue
        if "#" in text:  # a trailing comment could also hold the word; keep it simple
            continue
        pad = _indent(line)
        expr = text[len("return ") :]
        found.append(
            Edit(node.lineno - 1, node.lineno, (f"{pad}result = {expr}", f"{pad}return result"))
        )
    return found


def comment_cuts(source: str) -> list[Edit]:
    """Whole-line comments (not the first line, which may be a shebang or coding line)."""
    found: list[Edit] = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    try:
        for tok in tokens:
            row, col = tok.start
            if tok.type == tokenize.COMMENT and row > 1 and not tok.line[:col].strip():
                found.append(Edit(row - 1, row, ()))
    except (tokenize.TokenError, SyntaxError):
        return []
    return found


def pick_edits(source: str, budget: int, rng: random.Random) -> tuple[list[Edit], int]:
    """Disjoint in-place edits costing exactly `budget` changed lines when the module has
    enough material; else as many as it has. Returns (edits, their total cost)."""
    lines = source.splitlines()
    tree = ast.parse(source)
    pools = [guards(tree, lines), return_rewrites(tree, lines), comment_cuts(source)]
    for pool in pools:
        rng.shuffle(pool)
    chosen: list[Edit] = []
    used: set[int] = set()
    spent = 0
    kind = 0
    while spent < budget and any(pools):
        pool = pools[kind % len(pools)]
        kind += 1
        while pool:
            edit = pool.pop()
            if spent + edit.cost > budget or _overlaps(edit, used):
                continue
            chosen.append(edit)
            used.update(range(edit.start - 1, max(edit.end, edit.start + 1) + 1))
            spent += edit.cost
            break
    return chosen, spent


def _overlaps(edit: Edit, used: set[int]) -> bool:
    # Edits on neighbouring lines would be one hunk, and a diff may pair their lines
    # differently than counted; keep a line of distance.
    return any(i in used for i in range(edit.start, max(edit.end, edit.start + 1)))


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    lines = source.splitlines()
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        lines[edit.start : edit.end] = edit.new
    return "\n".join(lines) + "\n"


@functools.cache
def top_level_functions(source: str) -> tuple[str, ...]:
    """The text of each top-level function (decorators included), in file order."""
    lines = source.splitlines()
    found: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            found.append("\n".join(lines[start - 1 : node.end_lineno]))
    return tuple(found)


def cut_points(source: str) -> list[int]:
    """Line counts at which the module can be cut after a top-level statement."""
    return [node.end_lineno for node in ast.parse(source).body if node.end_lineno]
