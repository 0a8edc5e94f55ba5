"""Which files of the repository a source file imports: Python, JS/TS, Go, Java, C/C++, Rust.

Pure: it reads import statements from text and resolves them against a list of repository
paths. Python uses the stdlib `ast` (exact); the other languages use line patterns, since an
import statement is one line of a fixed shape. Anything it cannot place in the repository
(the standard library, a package, a path alias) is left out, never guessed.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from reviewers.syntax import language_for


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module: the local name it is bound to, the name it had, its files."""

    local: str | None  # `b` in `from m import a as b`; None: everything (`*`, a package)
    original: str | None  # `a`; None: the module itself (`import m`)
    paths: tuple[str, ...]  # repository files that may define it, most likely first
    implicit: bool = False  # same package (Go, Java): visible without an import statement


class PathIndex:
    """Repository paths by directory and by suffix, for resolving module names to files."""

    def __init__(self, paths: Iterable[str], read: Callable[[str], str | None]) -> None:
        self.read = read  # the text of a path (go.mod names the module its imports start with)
        self.paths = sorted(set(paths))
        self._set = frozenset(self.paths)
        self._dirs: dict[str, list[str]] = {}
        self._named: dict[str, list[str]] = {}  # by file name, for suffix lookups
        for path in self.paths:
            self._dirs.setdefault(posixpath.dirname(path), []).append(path)
            self._named.setdefault(posixpath.basename(path), []).append(path)

    def exists(self, path: str) -> bool:
        return path in self._set

    def in_dir(self, directory: str) -> list[str]:
        return self._dirs.get(directory, [])

    def ending(self, suffix: str) -> list[str]:
        """Paths equal to `suffix` or ending in `/suffix`, shortest first."""
        name = suffix.rsplit("/", 1)[-1]
        hits = [p for p in self._named.get(name, []) if p == suffix or p.endswith("/" + suffix)]
        return sorted(hits, key=lambda p: (p.count("/"), p))

    def dirs_ending(self, suffix: str) -> list[str]:
        hits = [d for d in self._dirs if d == suffix or d.endswith("/" + suffix)]
        return sorted(hits, key=lambda d: (d.count("/"), d))


def imports_of(path: str, text: str, index: PathIndex) -> list[Import]:
    """The repository files `path` imports (and, for Go and Java, its own package's files)."""
    language = language_for(path)
    resolver = _RESOLVERS.get(language or "")
    return resolver(path, text, index) if resolver is not None else []


# -- Python ---------------------------------------------------------------------------------


def _python(path: str, text: str, index: PathIndex) -> list[Import]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                files = _python_module(alias.name, index, path)
                if files:
                    local = alias.asname or alias.name.split(".")[0]
                    found.append(Import(local, None, files))
        elif isinstance(node, ast.ImportFrom):
            found += _python_from(path, node, index)
    return found


def _python_from(path: str, node: ast.ImportFrom, index: PathIndex) -> list[Import]:
    if node.level:
        base = posixpath.dirname(path)
        for _ in range(node.level - 1):
            base = posixpath.dirname(base)
        module_dir = posixpath.join(base, *(node.module or "").split(".")) if node.module else base
        files = _python_file(module_dir, index)
    else:
        module = node.module or ""
        files = _python_module(module, index, path)
        module_dir = _python_package_dir(files)
    found = []
    for alias in node.names:
        if alias.name == "*":
            if files:
                found.append(Import(None, None, files))
            continue
        # `from pkg import name`: a name defined in pkg, or the submodule pkg/name.py.
        submodule = (
            _python_file(posixpath.join(module_dir, alias.name), index) if module_dir else []
        )
        paths = tuple(dict.fromkeys([*files, *submodule]))
        if paths:
            original = None if submodule and not files else alias.name
            found.append(Import(alias.asname or alias.name, original, paths))
    return found


def _python_file(stem: str, index: PathIndex) -> tuple[str, ...]:
    stem = posixpath.normpath(stem) if stem else stem
    for candidate in (f"{stem}.py", f"{stem}/__init__.py", f"{stem}.pyi"):
        if index.exists(candidate):
            return (candidate,)
    return ()


def _python_package_dir(files: Sequence[str]) -> str:
    if not files:
        return ""
    first = files[0]
    return posixpath.dirname(first) if first.endswith("__init__.py") else first[: -len(".py")]


def _python_module(module: str, index: PathIndex, importer: str) -> tuple[str, ...]:
    """`a.b` -> a/b.py or a/b/__init__.py under the root nearest the importing file."""
    stem = module.replace(".", "/")
    hits = [*index.ending(f"{stem}.py"), *index.ending(f"{stem}/__init__.py")]
    if not hits:
        return ()
    return (min(hits, key=lambda p: (_distance(p, importer), p)),)


def _distance(a: str, b: str) -> int:
    da, db = a.split("/")[:-1], b.split("/")[:-1]
    common = 0
    for x, y in zip(da, db, strict=False):
        if x != y:
            break
        common += 1
    return len(da) + len(db) - 2 * common


# -- JavaScript / TypeScript ----------------------------------------------------------------

_JS_FROM = re.compile(
    r"""^\s*(?:import|export)\s+(?P<what>[^'";]*?)\s*from\s*['"](?P<spec>[^'"]+)['"]""",
    re.M,
)
_JS_REQUIRE = re.compile(
    r"""(?:(?:const|let|var)\s+(?P<what>[\w${}\s,:]+?)\s*=\s*)?require\(\s*['"](?P<spec>[^'"]+)['"]\s*\)"""
)
_JS_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.ts")


def _javascript(path: str, text: str, index: PathIndex) -> list[Import]:
    found: list[Import] = []
    for pattern in (_JS_FROM, _JS_REQUIRE):
        for match in pattern.finditer(text):
            spec = match.group("spec")
            if not spec.startswith("."):
                continue  # a package or a path alias: not resolved
            files = _js_file(posixpath.join(posixpath.dirname(path), spec), index)
            if files:
                found += _js_bindings(match.group("what") or "", files)
    return found


def _js_file(target: str, index: PathIndex) -> tuple[str, ...]:
    target = posixpath.normpath(target)
    # `./util.js` in TypeScript sources names util.ts: try the stem with every extension.
    stem, ext = posixpath.splitext(target)
    stems = [target, stem] if ext in _JS_EXTENSIONS else [target]
    for base in stems:
        if index.exists(base) and base.endswith(_JS_EXTENSIONS):
            return (base,)
        for extension in _JS_EXTENSIONS:
            if index.exists(base + extension):
                return (base + extension,)
    for extension in _JS_EXTENSIONS:
        if index.exists(f"{target}/index{extension}"):
            return (f"{target}/index{extension}",)
    return ()


def _js_bindings(what: str, files: tuple[str, ...]) -> list[Import]:
    """`{a as b, c}`, `X`, `* as ns`, `X, {a}` -> one Import per local name."""
    what = what.replace("type ", "").strip()
    if not what or what == "*":
        return [Import(None, None, files)]
    found = []
    braces = re.search(r"\{([^}]*)\}", what)
    if braces:
        for part in braces.group(1).split(","):
            names = re.split(r"\s+as\s+|\s*:\s*", part.strip())
            if names and names[0]:
                found.append(Import(names[-1], names[0], files))
        what = what[: braces.start()] + what[braces.end() :]
    for part in what.split(","):
        part = part.strip()
        namespace = re.match(r"\*\s+as\s+(\w+)", part)
        if namespace:
            found.append(Import(namespace.group(1), None, files))
        elif re.fullmatch(r"[\w$]+", part):
            found.append(Import(part, "default", files))
    return found or [Import(None, None, files)]


# -- Go -------------------------------------------------------------------------------------

_GO_IMPORT_BLOCK = re.compile(r"^import\s*\((?P<body>.*?)^\)", re.M | re.S)
_GO_IMPORT_LINE = re.compile(
    r"""^\s*(?:import\s+)?(?P<alias>[\w.]+\s+)?"(?P<spec>[^"]+)"\s*$""", re.M
)
_GO_MODULE = re.compile(r"^module\s+(\S+)", re.M)


def _go(path: str, text: str, index: PathIndex) -> list[Import]:
    directory = posixpath.dirname(path)
    package = tuple(
        p for p in index.in_dir(directory) if p.endswith(".go") and not p.endswith("_test.go")
    )
    found = [Import(None, None, tuple(p for p in package if p != path), implicit=True)]
    specs = []
    for block in _GO_IMPORT_BLOCK.finditer(text):
        specs += list(_GO_IMPORT_LINE.finditer(block.group("body")))
    specs += [m for m in _GO_IMPORT_LINE.finditer(text) if m.group(0).lstrip().startswith("import")]
    for match in specs:
        spec = match.group("spec")
        files = _go_package(spec, index)
        if files:
            alias = (match.group("alias") or "").strip() or spec.rsplit("/", 1)[-1]
            found.append(Import(alias, None, files))
    return [imp for imp in found if imp.paths]


def _go_package(spec: str, index: PathIndex) -> tuple[str, ...]:
    for mod_path in index.ending("go.mod"):
        module = _go_module_name(index.read(mod_path) or "")
        if module and (spec == module or spec.startswith(module + "/")):
            root = posixpath.dirname(mod_path)
            directory = posixpath.join(root, spec[len(module) :].lstrip("/"))
            return tuple(
                p
                for p in index.in_dir(posixpath.normpath(directory) if directory else "")
                if p.endswith(".go") and not p.endswith("_test.go")
            )
    return ()


# -- Java (and Kotlin sources importing Java) -----------------------------------------------

_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;?", re.M)
_JAVA_IMPORT = re.compile(r"^\s*import\s+(?:static\s+)?([\w.]+?)(\.\*)?\s*;?\s*$", re.M)


def _java(path: str, text: str, index: PathIndex) -> list[Import]:
    ext = posixpath.splitext(path)[1]
    directory = posixpath.dirname(path)
    same = tuple(p for p in index.in_dir(directory) if p.endswith(ext) and p != path)
    found = [Import(None, None, same, implicit=True)] if same else []
    for match in _JAVA_IMPORT.finditer(text):
        dotted, star = match.group(1), match.group(2)
        parts = dotted.split(".")
        if star:
            for folder in index.dirs_ending("/".join(parts))[:1]:
                files = tuple(p for p in index.in_dir(folder) if p.endswith((".java", ".kt")))
                if files:
                    found.append(Import(None, None, files))
            continue
        # `a.b.C` or (static) `a.b.C.member`: the class file is the longest prefix that exists.
        for cut in range(len(parts), 0, -1):
            stem = "/".join(parts[:cut])
            files = tuple(index.ending(f"{stem}.java")[:1] or index.ending(f"{stem}.kt")[:1])
            if files:
                member = parts[cut] if cut < len(parts) else None
                found.append(Import(member or parts[cut - 1], member or parts[cut - 1], files))
                break
    return found


# -- C / C++ / Rust -------------------------------------------------------------------------

_C_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
_RUST_MOD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", re.M)


def _c(path: str, text: str, index: PathIndex) -> list[Import]:
    found = []
    for match in _C_INCLUDE.finditer(text):
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(path), match.group(1)))
        files = (relative,) if index.exists(relative) else tuple(index.ending(match.group(1))[:1])
        if files:
            found.append(Import(None, None, files))
    return found


def _rust(path: str, text: str, index: PathIndex) -> list[Import]:
    directory = posixpath.dirname(path)
    stem = posixpath.splitext(posixpath.basename(path))[0]
    own = directory if stem in ("mod", "lib", "main") else posixpath.join(directory, stem)
    found = []
    for match in _RUST_MOD.finditer(text):
        name = match.group(1)
        for candidate in (f"{own}/{name}.rs", f"{own}/{name}/mod.rs"):
            candidate = candidate.lstrip("/")
            if index.exists(candidate):
                found.append(Import(name, None, (candidate,)))
                break
    return found


@lru_cache(maxsize=64)
def _go_module_name(text: str) -> str | None:
    match = _GO_MODULE.search(text)
    return match.group(1) if match else None


_RESOLVERS: dict[str, Callable[[str, str, PathIndex], list[Import]]] = {
    "python": _python,
    "javascript": _javascript,
    "typescript": _javascript,
    "tsx": _javascript,
    "go": _go,
    "java": _java,
    "kotlin": _java,
    "c": _c,
    "cpp": _c,
    "rust": _rust,
}
