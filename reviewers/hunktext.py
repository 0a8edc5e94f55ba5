"""What kind of change a hunk makes, per file syntax: whitespace, comments, imports, format.

Used by triage to decide that a code hunk cannot change behaviour (and so may go SMALL).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from reviewers.models import DiffLine, LineKind


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Syntax:
    family: str  # "python" | "js" | "go" | "brace" (newlines free) | "docs" | "plain"
    comments: tuple[str, ...] = ()  # line-comment prefixes
    block: tuple[str, str] | None = None  # block-comment delimiters
    indented: bool = True  # leading whitespace may carry meaning


_C_BLOCK = ("/*", "*/")
_SYNTAXES = (
    (Syntax("python", ("#",)), ".py .pyi .pyw"),
    (Syntax("js", ("//",), _C_BLOCK, False), ".js .jsx .mjs .cjs .ts .tsx .mts .cts"),
    (Syntax("go", ("//",), _C_BLOCK, False), ".go"),
    (Syntax("brace", ("//",), _C_BLOCK, False), ".c .h .cc .cpp .cxx .hpp .hh .java .cs .rs"),
    (Syntax("brace", ("//", "#"), _C_BLOCK, False), ".php"),
    (Syntax("brace", (), _C_BLOCK, False), ".css .json"),
    (Syntax("brace", ("//",), _C_BLOCK, False), ".scss .less"),
    (Syntax("plain", ("//",), _C_BLOCK), ".kt .kts .swift .scala .dart .groovy .gradle"),
    (Syntax("plain", ("#",)), ".sh .bash .zsh .rb .pl .r .yaml .yml .toml .cfg .conf .mk .cmake"),
    (Syntax("plain", ("#", ";")), ".ini"),
    (Syntax("plain", ("#", "//"), _C_BLOCK), ".tf .hcl"),
    (Syntax("plain", ("--",), _C_BLOCK), ".sql .lua .hs"),
    (Syntax("plain", (), ("<!--", "-->")), ".html .htm .xml .vue .svelte .svg"),
)
_SYNTAX_BY_SUFFIX = {suffix: syn for syn, suffixes in _SYNTAXES for suffix in suffixes.split()}
_HASH_NAMES = {"makefile", "dockerfile", "containerfile", "gemfile", "rakefile", "vagrantfile"}
_DOCS_SYNTAX = Syntax("docs", indented=False)
_PLAIN = Syntax("plain")


def syntax_for(path: str, docs: bool = False) -> Syntax:
    """The comment syntax and whitespace rules of a path, by its suffix or name."""
    if docs:
        return _DOCS_SYNTAX
    name = PurePosixPath(path)
    if name.name.lower() in _HASH_NAMES:
        return _SYNTAX_BY_SUFFIX[".sh"]
    return _SYNTAX_BY_SUFFIX.get(name.suffix.lower(), _PLAIN)


def whitespace_only(before: list[str], after: list[str], syntax: Syntax) -> bool:
    """The hunk's old and new text are the same lines in the same order, apart from blank
    lines and trailing (and, where it carries no meaning, leading) whitespace."""
    if syntax.family == "docs":  # prose: reflowing a paragraph changes nothing
        return " ".join(before).split() == " ".join(after).split()
    strip = str.rstrip if syntax.indented else str.strip
    return [strip(t) for t in before if t.strip()] == [strip(t) for t in after if t.strip()]


_DIRECTIVE = re.compile(r"^(?:#!|//go:|// ?\+build|#.*coding[:=]|# ?cython:)")
_PY_DEF = re.compile(r"^(?:async\s+def|def|class)\b")
_PY_DOC = re.compile(r"^[rRuU]?(\"\"\"|''')")


def comment_only(old: list[DiffLine], new: list[DiffLine], syntax: Syntax) -> bool:
    """Every changed line is blank, a comment, or inside a docstring/block comment we can see."""
    if syntax.family != "python" and not syntax.comments and syntax.block is None:
        return False
    states: list[tuple[str | None, str | None]] = []
    for lines, kind, top in (
        (old, LineKind.REMOVED, bool(old) and old[0].old_no == 1),
        (new, LineKind.ADDED, bool(new) and new[0].new_no == 1),
    ):
        doc, state = _doc_lines([ln.text for ln in lines], syntax, top)
        if any(ln.kind is kind and i not in doc for i, ln in enumerate(lines)):
            return False
        states.append(state)
    # Both sides must end in the same state: a change that opens or closes a docstring or
    # comment moves the boundary between text and code.
    return states[0] == states[1]


def _doc_lines(
    texts: list[str], syntax: Syntax, top: bool
) -> tuple[set[int], tuple[str | None, str | None]]:
    """Indices of blank, comment and docstring lines.  The scan assumes the hunk starts in code:
    a hunk that starts inside a string or comment reads as code, which errs towards FRONTIER."""
    doc: set[int] = set()
    closing: str | None = None  # inside a docstring or block comment: its closing delimiter
    data: str | None = None  # inside a triple-quoted string that is data, not a docstring
    # A string statement is a docstring right after a def/class header (indented deeper than
    # it) or at the top of the module (not indented): -1 there, None when none may follow.
    header: int | None = -1 if top else None
    def_indent: int | None = None  # indentation of a def/class whose header is still open
    python = syntax.family == "python"
    for i, text in enumerate(texts):
        s = text.strip()
        indent = len(text) - len(text.lstrip())
        if closing is not None:
            end = s.find(closing)
            if end < 0 or _is_tail(s[end + len(closing) :], syntax):
                doc.add(i)
            closing = None if end >= 0 else closing
        elif data is not None:
            data = None if s.count(data) % 2 else data
        elif not s or (s.startswith(syntax.comments) and not _DIRECTIVE.match(s)):
            doc.add(i)
        elif (opener := _opener(s, syntax, python and _docstring_at(header, indent))) is not None:
            rest = s[len(opener[0]) :]
            end = rest.find(opener[1])
            if end < 0 or _is_tail(rest[end + len(opener[1]) :], syntax):
                doc.add(i)
            closing = opener[1] if end < 0 else None
            header = None
        elif python:
            def_indent = indent if _PY_DEF.match(s) else def_indent
            ends_header = s.split("#", 1)[0].rstrip().endswith(":")
            header = def_indent if def_indent is not None and ends_header else None
            def_indent = None if ends_header else def_indent
            data = next((q for q in ('"""', "'''") if s.count(q) % 2), None)
    return doc, (closing, data)


def _docstring_at(header: int | None, indent: int) -> bool:
    return header is not None and indent > header and (header >= 0 or indent == 0)


def _opener(s: str, syntax: Syntax, docstring_allowed: bool) -> tuple[str, str] | None:
    if syntax.block is not None and s.startswith(syntax.block[0]):
        return syntax.block
    if docstring_allowed:
        found = _PY_DOC.match(s)
        if found:
            return found.group(0), found.group(1)
    return None


def _is_tail(rest: str, syntax: Syntax) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith(syntax.comments) if syntax.comments else not rest


_IMPORT_LINE = re.compile(
    r"^\s*(?:from\s+[\w.]+\s+import\s|import\s|#include\s|using\s+[\w.]+\s*;|require\s)"
)
_IMPORT_OPEN = re.compile(r"^\s*(?:from\s+[\w.]+\s+)?import\b[^#]*[({]\s*$")


def import_reorder(old: list[DiffLine], new: list[DiffLine]) -> bool:
    """Only import lines changed, and the same ones came back in another order."""
    removed = _changed_imports(old, LineKind.REMOVED)
    added = _changed_imports(new, LineKind.ADDED)
    return removed is not None and added is not None and bool(removed) and removed == added


def _changed_imports(lines: list[DiffLine], kind: LineKind) -> list[str] | None:
    """The sorted changed lines, or None when one of them is not part of an import."""
    changed: list[str] = []
    group = False
    for ln in lines:
        inside = group or bool(_IMPORT_LINE.match(ln.text))
        if group:
            group = ")" not in ln.text and "}" not in ln.text
        elif _IMPORT_OPEN.match(ln.text):
            inside = group = True
        if ln.kind is kind and ln.text.strip():
            if not inside:
                return None
            changed.append(ln.text.strip())
    return sorted(changed)


_SQUASH = str.maketrans("", "", " \t\r\n\f\v'\",\\()")
_STRING = r"\"(?:[^\"\\\n]|\\[\s\S])*\"?|'(?:[^'\\\n]|\\[\s\S])*'?"
_TRIPLE = r"[rRbBuUfF]{0,2}(?:\"\"\"(?:[^\"\\]|\\[\s\S]|\"(?!\"\"))*(?:\"\"\"|\Z)" + (
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)|" + _STRING + ")"
)
_C_COMMENT = r"//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/|\Z)"
_COMMON = r"|(?P<nl>\n)|(?P<ws>[ \t\r\f\v]+)|(?P<word>\w+)|(?P<open>[(\[{])|(?P<close>[)\]}])"
_TOKENIZER = {"python": "python", "js": "c", "go": "c", "brace": "c"}
_TOKENS = {
    "python": re.compile(
        rf"(?P<str>{_TRIPLE})|(?P<com>#[^\n]*)|(?P<cont>\\\n){_COMMON}"
        r"|(?P<punct>[,;])|(?P<op>[^\w\s()\[\]{},;\"'#\\]+|\\)"
    ),
    "c": re.compile(
        rf"(?P<str>{_STRING}|`(?:[^`\\]|\\[\s\S])*`?)|(?P<com>{_C_COMMENT}){_COMMON}"
        r"|(?P<punct>[,;])|(?P<op>[^\w\s()\[\]{},;\"'`/\\]+|[/\\])"
    ),
}
_KEYWORDS = words("return in and or not is if else elif yield await lambda for while")
_RESTRICTED = frozenset(("return", "throw", "break", "continue", "yield"))  # JS's ASI


def formatting_only(lines: Sequence[DiffLine], syntax: Syntax) -> bool:
    """Same tokens once whitespace, quote style, optional trailing commas and (Python)
    redundant parentheses are ignored.  Only the span from the first to the last changed line
    is compared: the context before it may start inside a docstring or a bracket."""
    if syntax.family not in ("python", "js", "go", "brace"):
        return False
    changed = [i for i, ln in enumerate(lines) if ln.kind is not LineKind.CONTEXT]
    span = lines[changed[0] :] if changed else []
    before = "\n".join(ln.text for ln in span if ln.kind is not LineKind.ADDED)
    after = "\n".join(ln.text for ln in span if ln.kind is not LineKind.REMOVED)
    if before.translate(_SQUASH) != after.translate(_SQUASH):  # cheap necessary condition
        return False
    return _tokens(before, syntax.family) == _tokens(after, syntax.family)


def _tokens(text: str, family: str) -> list[str]:
    """A normalised token stream.  Newlines count where they are syntax: Python statement ends
    (with the indentation that follows), Go always, JS after return/throw/..., C directives."""
    raw = [(m.lastgroup, m.group()) for m in _TOKENS[_TOKENIZER[family]].finditer(text)]
    out: list[str] = []
    # Per open bracket: [lone trailing comma optional, commas].  Closers without an opener
    # mean the text starts inside brackets: open that many unknown groups up front.
    groups = [[0, 0] for _ in range(_underflow(raw))]
    indent, line_start, directive = "", True, False
    for kind, tok in raw:
        if kind == "ws" or kind == "cont":
            indent = tok if line_start else indent
            continue
        if kind == "nl":
            if _newline_counts(family, out, groups, directive):
                out.append("\n")
            indent, line_start, directive = "", True, False
            continue
        if family == "python" and line_start and not groups and kind != "com":
            if tok in _CONTINUATION and out and out[-1] == "\n":
                out.pop()  # we started inside brackets we cannot see
            else:
                out.append(f"<indent {indent!r}>")
        directive = directive or (line_start and tok.startswith("#"))
        line_start = False
        if kind == "str":
            tok = _quote(tok) if family in ("python", "js") else tok
        elif kind == "com":
            tok = " ".join(tok.split())
        elif kind == "open":
            after_value = bool(out) and (out[-1][-1:] in ")]\"'" or _is_name(out[-1]))
            # A lone trailing comma is optional in a call, a list/dict/set display or a brace
            # group; not in "(a,)" (a tuple) nor in "m[a,]" (a tuple subscript).
            optional = tok == "{" or (tok == "(") == after_value
            groups.append([int(optional), 0])
        elif kind == "close" and groups:
            lone_ok, commas = groups.pop()
            if out and out[-1] == "," and family != "brace" and (lone_ok or commas > 1):
                out.pop()
        elif tok == "," and groups:
            groups[-1][1] += 1
        out.append(tok)
    return _drop_redundant_parens(out) if family == "python" else out


def _underflow(raw: list[tuple[str | None, str]]) -> int:
    depth = lowest = 0
    for kind, _ in raw:
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            lowest = min(lowest, depth)
    return -lowest


# Parentheses that wrap everything after one of these up to the end of the statement (or
# its ":") are redundant; formatters add and remove them ("if (\n a and b\n):").  After the
# second set a comma inside is fine too ("x = (a, b)" is "x = a, b"); after the others it is
# not ("assert (x, msg)" is a non-empty tuple, always true).
_PAREN_HEADS = words("if elif while assert with await , : ->")
_TUPLE_PAREN_HEADS = words("= return yield in del import")
# A Python line cannot start with these: such a line continues the previous one.
_CONTINUATION = words("| & ^ % / // == != < > <= >= . and or is in -> =")


def _drop_redundant_parens(out: list[str]) -> list[str]:
    """Drop "(...)" right after a head keyword when it runs to the end of the statement.  A
    comma inside keeps them unless the head allows a bare tuple (see _TUPLE_PAREN_HEADS)."""
    pairs: list[tuple[int, int]] = []
    stack: list[list[int]] = []  # [index of the opener, commas directly inside]
    for i, tok in enumerate(out):
        if tok in ("(", "[", "{"):
            stack.append([i, 0])
        elif tok == "," and stack:
            stack[-1][1] += 1
        elif tok in (")", "]", "}") and stack:
            opened, commas = stack.pop()
            head = out[opened - 1] if opened > 0 else ""
            if out[opened] == "(" and (
                head in _TUPLE_PAREN_HEADS or (head in _PAREN_HEADS and commas == 0)
            ):
                pairs.append((opened, i))
    drop: set[int] = set()
    for i, j in pairs:
        end = out[j + 1] if j + 1 < len(out) else "\n"
        if j > i + 1 and end in ("\n", ":", "="):
            drop.update((i, j))
    return [tok for i, tok in enumerate(out) if i not in drop] if drop else out


def _newline_counts(family: str, out: list[str], groups: list[list[int]], directive: bool) -> bool:
    if not out or out[-1] == "\n":
        return False
    if family == "python":
        return not groups
    if family == "js":
        return out[-1] in _RESTRICTED
    return family == "go" or directive


def _is_name(tok: str) -> bool:
    return (tok[:1].isalpha() or tok[:1] == "_") and tok not in _KEYWORDS


_QUOTED = re.compile(r"([A-Za-z]*)(\"\"\"|'''|\"|')([\s\S]*)")


def _quote(tok: str) -> str:
    """One spelling per string literal: 'x' == "x", u"x" == "x", escaped quotes unescaped."""
    parts = _QUOTED.fullmatch(tok)
    if parts is None:
        return tok
    prefix, quote, body = parts.group(1).lower().replace("u", ""), parts.group(2), parts.group(3)
    body = body[: -len(quote)] if body.endswith(quote) else body
    if len(quote) == 3:
        return f"{prefix}'''{body}'''"
    return prefix + '"' + body.replace("\\'", "'").replace('\\"', '"') + '"'
