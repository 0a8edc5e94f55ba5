"""Syntax trees for every language ast-grep bundles: definitions, calls, names, code-only text.

One parser for the whole core (context engine, routing, static rules): ast-grep-py ships
tree-sitter grammars compiled in, so nothing is downloaded at run time. Lines here are
1-based and inclusive, like the diff's; ast-grep's own positions are 0-based.
A file that does not parse still yields a tree (with ERROR nodes); callers get what the
parser recovered, never an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # ast-grep is imported on first parse, not when the core is imported
    from ast_grep_py import SgNode

# File extension -> ast-grep language name.
LANGUAGES: Final[dict[str, str]] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".java": "java",
    ".rb": "ruby",
    ".php": "php",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".swift": "swift",
    ".scala": "scala",
    ".lua": "lua",
    ".sh": "bash",
    ".bash": "bash",
    ".ex": "elixir",
    ".exs": "elixir",
}

# Node kinds that define something a reviewer may need to see (function, method, type).
DEFINITION_KINDS: Final[frozenset[str]] = frozenset(
    {
        # python
        "function_definition",
        "class_definition",
        # javascript / typescript
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
        "method_definition",
        "interface_declaration",
        "type_alias_declaration",
        "enum_declaration",
        # go
        "method_declaration",
        "type_spec",
        # java / c#
        "constructor_declaration",
        "record_declaration",
        "struct_declaration",
        # ruby
        "method",
        "singleton_method",
        "class",
        "module",
        # php
        "trait_declaration",
        # rust
        "function_item",
        "impl_item",
        "struct_item",
        "enum_item",
        "trait_item",
        "mod_item",
        # c / c++
        "struct_specifier",
        "class_specifier",
        # kotlin / swift / scala
        "object_declaration",
        "protocol_declaration",
        "object_definition",
        "trait_definition",
        "function_signature",
    }
)

# JS/TS `const f = (x) => ...` and `const f = function () {...}` define functions too.
_FUNCTION_VALUES: Final = frozenset({"arrow_function", "function_expression", "function"})

CALL_KINDS: Final[frozenset[str]] = frozenset(
    {
        "call",  # python, ruby
        "call_expression",  # js/ts, go, rust, c/c++, kotlin, swift
        "new_expression",  # js/ts
        "method_invocation",  # java
        "object_creation_expression",  # java, php, c#
        "function_call_expression",  # php
        "member_call_expression",  # php
        "scoped_call_expression",  # php
        "invocation_expression",  # c#
        "macro_invocation",  # rust
    }
)

IDENTIFIER_KINDS: Final[frozenset[str]] = frozenset(
    {
        "identifier",
        "type_identifier",
        "field_identifier",
        "property_identifier",
        "constant",  # ruby
        "name",  # php
        "simple_identifier",  # kotlin, swift
    }
)

_STRING_KINDS: Final[frozenset[str]] = frozenset(
    {
        "string",
        "string_literal",
        "raw_string_literal",
        "interpreted_string_literal",
        "template_string",
        "encapsed_string",
        "heredoc",
        "heredoc_body",
        "nowdoc",
        "text_block",
        "char_literal",
        "character_literal",
        "regex",
        "line_string_literal",
        "multi_line_string_literal",
        "verbatim_string_literal",
        "interpolated_string_expression",
    }
)


_COMMENT_KINDS: Final[frozenset[str]] = frozenset(
    {"comment", "line_comment", "block_comment", "doc_comment", "multiline_comment"}
)


def language_for(path: str) -> str | None:
    """The ast-grep language of a path by its extension, or None when no grammar fits."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return LANGUAGES.get(name[dot:].lower()) if dot > 0 else None


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    kind: str  # the grammar's node kind, e.g. function_definition
    start_line: int  # 1-based, inclusive
    end_line: int
    header_end: int  # last line of the signature (before the body)


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # the callee's last name: `self.client.get(x)` -> "get"
    line: int


@dataclass(frozen=True, slots=True)
class Tree:
    """A parsed file: its text, language and root node."""

    text: str
    language: str
    root: SgNode

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def parse(text: str, language: str) -> Tree:
    from ast_grep_py import SgRoot

    return Tree(text, language, SgRoot(text, language).root())


def parse_path(path: str, text: str) -> Tree | None:
    language = language_for(path)
    return parse(text, language) if language else None


def first_line(node: SgNode) -> int:
    return node.range().start.line + 1


def last_line(node: SgNode) -> int:
    end = node.range().end
    # A node that ends at column 0 ends on the line before (a trailing newline).
    return end.line if end.column == 0 and end.line > node.range().start.line else end.line + 1


def find_kinds(node: SgNode, language: str, kinds: frozenset[str]) -> list[SgNode]:
    """Nodes of any of the kinds this language's grammar has (unknown kinds are errors)."""
    return node.find_all(any=[{"kind": kind} for kind in _known_kinds(language, kinds)])


@lru_cache(maxsize=256)
def _known_kinds(language: str, kinds: frozenset[str]) -> tuple[str, ...]:
    from ast_grep_py import SgRoot

    probe = SgRoot("", language).root()
    known = []
    for kind in sorted(kinds):
        try:
            probe.find(kind=kind)
        except RuntimeError:  # ast-grep: "Kind `x` is invalid" for this grammar
            continue
        known.append(kind)
    return tuple(known) or ("ERROR",)


def definitions(tree: Tree) -> list[Definition]:
    """Every function, method and type definition in the file, outermost first."""
    found = []
    for node in find_kinds(tree.root, tree.language, DEFINITION_KINDS):
        name = definition_name(node)
        if name:
            found.append(_definition(node, name))
    for node in find_kinds(tree.root, tree.language, frozenset({"variable_declarator"})):
        value, target = node.field("value"), node.field("name")
        if value is not None and target is not None and value.kind() in _FUNCTION_VALUES:
            found.append(_definition(node, target.text()))
    found.sort(key=lambda d: (d.start_line, -d.end_line))
    return found


# Named values a change may read: module and class constants, top-level variables.
_BINDING_KINDS: Final[frozenset[str]] = frozenset(
    {
        "assignment",  # python (left = identifier)
        "variable_declarator",  # js/ts top level, java/c# fields
        "const_spec",  # go
        "var_spec",  # go
        "const_item",  # rust
        "static_item",  # rust
        "constant_declaration",  # php class constants
    }
)

# A binding under one of these is a local variable, not a constant anyone else reads.
_FUNCTION_KINDS: Final[frozenset[str]] = frozenset(
    {
        "function_definition",
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
        "method_declaration",
        "constructor_declaration",
        "function_item",
        "arrow_function",
        "function_expression",
        "function",
        "lambda",
        "lambda_expression",
        "method",
        "singleton_method",
        "func_literal",
        "local_variable_declaration",
    }
)


def constants(tree: Tree) -> list[Definition]:
    """Named values bound outside any function (module, class or package level), in order.

    `MAX_RETRIES = 3`, `export const LIMIT = 5`, Go `const A = 1`, a Java field. The span
    covers the whole statement, so a multi-line dict or object literal comes with it.
    """
    found = []
    for node in find_kinds(tree.root, tree.language, _BINDING_KINDS):
        target = node.field("left") if node.kind() == "assignment" else node.field("name")
        if target is None or target.kind() not in IDENTIFIER_KINDS:
            continue
        value = node.field("value") if node.kind() == "variable_declarator" else None
        if value is not None and value.kind() in _FUNCTION_VALUES:
            continue  # a function: definitions() has it
        if _inside_function(node):
            continue
        statement = node.parent() if node.kind() == "assignment" else node
        span = statement if statement is not None else node
        found.append(
            Definition(
                target.text(), node.kind(), first_line(span), last_line(span), first_line(span)
            )
        )
    return found


def _inside_function(node: SgNode) -> bool:
    parent = node.parent()
    while parent is not None:
        if parent.kind() in _FUNCTION_KINDS:
            return True
        parent = parent.parent()
    return False


def _definition(node: SgNode, name: str) -> Definition:
    body = node.field("body")
    start = first_line(node)
    header_end = max(start, first_line(body) - 1) if body is not None else start
    return Definition(name, node.kind(), start, last_line(node), header_end)


def definition_name(node: SgNode) -> str | None:
    named = node.field("name")
    if named is not None:
        return named.text()
    # C and C++: the name hides in the declarator chain (pointer -> function -> identifier).
    declarator = node.field("declarator")
    while declarator is not None:
        if declarator.kind() in IDENTIFIER_KINDS:
            return declarator.text()
        inner = declarator.field("declarator")
        if inner is None:
            found = next(iter(_identifiers_in(declarator)), None)
            return found.text() if found is not None else None
        declarator = inner
    return None


def enclosing(tree: Tree, start_line: int, end_line: int | None = None) -> Definition | None:
    """The innermost definition that contains the lines, or None at top level."""
    end_line = start_line if end_line is None else end_line
    containing = [
        d for d in definitions(tree) if d.start_line <= start_line and end_line <= d.end_line
    ]
    # Ties (same span) go to the later, i.e. inner, definition.
    return min(reversed(containing), key=lambda d: d.end_line - d.start_line, default=None)


def calls(tree: Tree, start_line: int = 1, end_line: int | None = None) -> list[Call]:
    """Call sites within the lines (all of the file by default), with the callee's name."""
    last = end_line if end_line is not None else len(tree.text.splitlines()) + 1
    found = []
    for node in find_kinds(tree.root, tree.language, CALL_KINDS):
        line = first_line(node)
        if start_line <= line <= last:
            name = callee_name(node)
            if name:
                found.append(Call(name, line))
    return found


def callee_name(node: SgNode) -> str | None:
    for field in ("function", "name", "method", "constructor", "type", "macro"):
        target = node.field(field)
        if target is not None:
            return last_identifier(target)
    return None


def last_identifier(node: SgNode) -> str | None:
    """`a.b.c` -> "c"; `pkg::f` -> "f"; an identifier is its own text."""
    if node.kind() in IDENTIFIER_KINDS:
        return node.text()
    for field in ("attribute", "property", "field", "name"):
        part = node.field(field)
        if part is not None and part.kind() in IDENTIFIER_KINDS:
            return part.text()
    names = _identifiers_in(node)
    return names[-1].text() if names else None


def _identifiers_in(node: SgNode) -> list[SgNode]:
    """Identifier leaves under a node, in source order (a walk: the node has no language)."""
    found: list[SgNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind() in IDENTIFIER_KINDS:
            found.append(current)
            continue
        stack.extend(reversed(current.children()))
    return found


def names_used(tree: Tree, start_line: int, end_line: int) -> list[str]:
    """Identifiers on the lines, in order of first appearance (no duplicates)."""
    seen: dict[str, None] = {}
    for node in find_kinds(tree.root, tree.language, IDENTIFIER_KINDS):
        if start_line <= first_line(node) <= end_line:
            seen.setdefault(node.text(), None)
    return list(seen)


def literal_spans(tree: Tree) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of every string literal and comment, outermost only."""
    spans = []
    for node in find_kinds(tree.root, tree.language, _STRING_KINDS):
        if not _inside_literal(node):
            r = node.range()
            spans.append((r.start.index, r.end.index))
    for node in find_kinds(tree.root, tree.language, _COMMENT_KINDS):
        r = node.range()
        spans.append((r.start.index, r.end.index))
    yield from sorted(spans)


def _inside_literal(node: SgNode) -> bool:
    parent = node.parent()
    while parent is not None:
        if parent.kind() in _STRING_KINDS:
            return True
        parent = parent.parent()
    return False


def code_only(tree: Tree) -> str:
    """The text with string literals and comments blanked (spaces), line breaks kept.

    Risk rules match this, so `"shell=True"` in a string or a comment is not code.
    """
    chars = list(tree.text)
    for start, end in literal_spans(tree):
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
