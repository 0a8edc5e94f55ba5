"""Triage: every routing rule, its reason, and the glob semantics."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from reviewers.globs import GlobSet, matches
from reviewers.models import DiffLine, FileDiff, FileStatus, Hunk, LineKind, Route, RouteDecision
from reviewers.triage import TriageRules, classify_file, classify_hunk, compiled, route_file


def make_file(
    path: str,
    lines: list[str],
    *,
    start: int = 1,
    section: str = "",
    status: FileStatus = FileStatus.MODIFIED,
) -> FileDiff:
    """One-hunk FileDiff from lines written as in a diff: "+added", "-removed", " context"."""
    old_no = new_no = start
    built = []
    for raw in lines:
        kind = LineKind(raw[:1])
        built.append(
            DiffLine(
                kind,
                raw[1:],
                None if kind is LineKind.ADDED else old_no,
                None if kind is LineKind.REMOVED else new_no,
            )
        )
        old_no += kind is not LineKind.ADDED
        new_no += kind is not LineKind.REMOVED
    hunk = Hunk(path, 0, start, old_no - start, start, new_no - start, section, tuple(built))
    return FileDiff(path, None, status, (hunk,))


def route(
    path: str, lines: list[str], rules: TriageRules | None = None, section: str = ""
) -> tuple[Route, str]:
    file = make_file(path, lines, section=section)
    decision = classify_hunk(file, file.hunks[0], rules or TriageRules())
    return decision.route, decision.reason


SKIP, SMALL, FRONTIER = Route.SKIP, Route.SMALL, Route.FRONTIER
SAME = "syntax unchanged (formatting, comments, docstrings)"

HUNK_CASES = [
    # whitespace
    ("trailing spaces", "app.py", ["-x = 1   ", "+x = 1"], SKIP, "whitespace-only"),
    ("blank lines only", "app.py", [" x = 1", "+", "+"], SKIP, "whitespace-only"),
    ("js re-indent", "app.js", ["-  foo();", "+      foo();"], SKIP, "whitespace-only"),
    ("python dedent changes meaning", "app.py",
     [" if a:", "     b()", "-    c()", "+c()"], FRONTIER, "code"),
    ("docs reflow", "README.md", ["-Some words", "-more words.", "+Some words more words."],
     SKIP, "whitespace-only"),
    # deletions
    ("deletion-only", "app.py", [" x = 1", "-y = compute()", " z = 2"], SKIP, "deletion-only"),
    ("deletion removes an auth check", "views.py",
     [" def view(request):", "-    if not request.user.is_authenticated:",
      "-        raise PermissionDenied", "     return render()"],
     FRONTIER, "deletion removes if"),
    ("deletion removes a risky call", "views.py", ["-    check_csrf(request)"],
     FRONTIER, "risk: csrf"),
    ("deletion of a comment", "app.py", ["-# checks the lock"], SKIP, "deletion-only"),
    ("deletion removes a guard", "app.py",
     ["-    if value is None:", "-        return default"], FRONTIER, "deletion removes if"),
    ("deletion in tests", "tests/test_app.py", ["-    assert x == 1"], SKIP, "deletion-only"),
    # risk patterns: on code (calls, imports, decorators), never on strings, comments, nouns
    ("subprocess call", "app.py", ['+    subprocess.run(["prog"])'], FRONTIER, "risk: subprocess"),
    ("risky import", "app.py", ["+import hashlib"], FRONTIER, "risk: hashlib"),
    ("go import path", "main.go", ["+import \"os/exec\""], FRONTIER, "code"),
    ("decorator", "views.py", ["+@login_required", " def view(request):"], FRONTIER, "risk: login"),
    ("camelCase call", "src/a.ts", ["+  const t = getAuthToken();"], FRONTIER, "risk: auth"),
    ("os.system shape", "app.py", ["+    os.system(cmd)"], FRONTIER, "risk: os.system"),
    ("shell=True shape", "app.py", ["+    run(cmd, shell=True)"], FRONTIER, "risk: shell=True"),
    ("eval in code", "app.js", ["+  eval(x);"], FRONTIER, "risk: eval/exec"),
    ("SQL string", "db.py", ['+    q = "SELECT name FROM users"'], FRONTIER, "risk: SQL"),
    ("pickle", "io.py", ["+    data = pickle.loads(blob)"], FRONTIER, "risk: pickle"),
    ("yaml.load", "io.py", ["+    yaml.load(f)"], FRONTIER, "risk: yaml.load"),
    ("open(", "io.py", ['+    open(name, "w")'], FRONTIER, "risk: open("),
    ("requests call", "net.py", ["+    requests.get(u)"], FRONTIER, "risk: requests"),
    ("a noun is not a risk", "app.py", ["+    token = parse(session.text)"], FRONTIER, "code"),
    ("a URL literal is not a risk", "app.py", ['+    HOME = "https://example.com"'],
     FRONTIER, "code"),
    ("risk words in a string", "app.py", ['+    msg = "run subprocess.run with shell=True"'],
     FRONTIER, "code"),
    ("risk words in a comment", "app.py", ["+# the password is hashed with hashlib", "+x = 1"],
     FRONTIER, "code"),
    ("section header is not read", "app.py", ["+    x = 1"], FRONTIER, "code"),
    ("author is not auth", "book.py", ["+    book.set_author(x)"], FRONTIER, "code"),
    # test files: no risk vocabulary, SMALL with the test-quality prompt
    ("tests with subprocess", "tests/test_cli.py", ['+    subprocess.run(["prog"])'],
     SMALL, "test file"),
    ("test file inside a def login", "tests/test_a.py", ["+    x = 1"], SMALL, "test file"),
    ("test open(", "tests/test_io.py", ['+    open(name, "w")'], SMALL, "test file"),
    ("ts spec", "src/__tests__/a.test.ts", ["+  const t = getAuthToken();"], SMALL, "test file"),
    # config: risky settings only
    ("TLS off in config", "config.yaml", ["+verify_ssl: false"], FRONTIER,
     "risk: TLS verification off"),
    ("npm install script", "package.json", ['+    "postinstall": "node x.js",'], FRONTIER,
     "risk: install script"),
    ("URL in config", "config.yaml", ["+api: https://api.example.com"], SMALL, "config"),
    ("eval text in config", "conf.toml", ['+expr = "eval(x)"'], SMALL, "config"),
    # small
    ("docs ignore risk words", "docs/guide.rst", ["+Set the password at https://x.org"],
     SMALL, "docs"),
    ("config", "pyproject.toml", ["-line-length = 88", "+line-length = 100"], SMALL, "config"),
    ("requirements are config", "requirements-dev.txt", ["+pytest==8.0"], SMALL, "config"),
    ("tests only", "tests/test_math.py", ["+    assert add(1, 2) == 3"], SMALL, "test file"),
    ("go test file", "pkg/add_test.go", ["+\tif add(1, 2) != 3 {"], SMALL, "test file"),
    ("comment", "app.py", ["-# old words", "+# new words"], SMALL, SAME),
    ("one-line docstring", "app.py",
     [" def f(x):", '-    """Old doc."""', '+    """New doc."""', "     return x"],
     SMALL, SAME),
    ("multi-line docstring", "app.py",
     [" def f(", "     x: int,", " ) -> int:", '     """Summary.', "-    old line", "+    new line",
      '     """', "     return x"],
     SMALL, SAME),
    ("module docstring", "app.py", ['-"""Old."""', '+"""New."""', " import os"],
     SMALL, SAME),
    ("docstring start not visible", "app.py",
     ["     more text", "-    old line", "+    new line", '     """'], FRONTIER, "code"),
    ("code after a closing quote", "app.py",
     ["     text", '     """', "-    x = 1", "+    x = 2", ' def g():', '     """Doc."""'],
     FRONTIER, "code"),
    ("data string is not a docstring", "app.py",
     [' TEMPLATE = """', "-# old", "+# new", ' """'], FRONTIER, "code"),
    ("shebang", "tool.py", ["-#!/usr/bin/env python2", "+#!/usr/bin/env python3"],
     FRONTIER, "code"),
    ("js block comment", "app.js", [" /**", "- * Old.", "+ * New.", " */"],
     SMALL, SAME),
    ("C deref is not a comment", "a.c", ["-*p = 1;", "+*p = 2;"], FRONTIER, "code"),
    ("go directive", "main.go", ["-//go:build linux", "+//go:build darwin"], FRONTIER, "code"),
    ("import reordering", "app.py", ["-import sys", "-import json", "+import json", "+import sys"],
     SMALL, "import reordering"),
    ("import group reordering", "app.py",
     [" from x import (", "-    b,", "     c,", "+    b,", " )"], SMALL, "import reordering"),
    ("call argument reordering", "app.py",
     [" foo(", "-    b,", "     c,", "+    b,", " )"], FRONTIER, "code"),
    ("new import", "app.py", ["-import json", "+import json", "+import yaml"], FRONTIER, "code"),
    ("quotes and spaces", "app.py", ["-x = {'a': 1,'b': 2}", '+x = {"a": 1, "b": 2}'],
     SMALL, SAME),
    ("re-wrapped call", "app.py", ["-foo(a, b)", "+foo(", "+    a,", "+    b,", "+)"],
     SMALL, SAME),
    ("js re-wrap", "app.ts", ["-f(a, 'b');", '+f(', "+  a,", '+  "b",', "+);"],
     SMALL, SAME),
    ("redundant parens", "app.py",
     ["-if a and b:", "+if (", "+    a", "+    and b", "+):", "     pass"],
     SMALL, SAME),
    ("import parens", "app.py",
     ["-from m import a, b", "+from m import (", "+    a,", "+    b,", "+)"],
     SMALL, SAME),
    ("assert tuple parens", "app.py", ["-assert x, msg", "+assert (x, msg)"], FRONTIER, "code"),
    ("signature continued, no head text", "app.py",
     ["     a: int,", "-    b: float | None = None,", "+    b: float", "+    | None = None,",
      "     c: int = 0,", " ) -> None:"], FRONTIER, "code"),
    ("docstring dedented out of the body", "app.py",
     [" def f(x):", '-    """Doc."""', '+"""Doc."""', "     return x"], FRONTIER, "code"),
    ("docstring closed early", "app.py",
     [" def f(x):", '     """Summary.', "-    more", '+    """', "     return x"],
     FRONTIER, "code"),
    ("import comma dropped", "app.py",
     [" from m import (", "-    a,", "+    a", "     b,", " )"], FRONTIER, "code"),
    ("one-tuple comma", "app.py", ["-x = (a,)", "+x = (a)"], FRONTIER, "code"),
    ("subscript comma", "app.py", ["-v = m[a,]", "+v = m[a]"], FRONTIER, "code"),
    ("space inside a string", "app.py", ['-x = "a b"', '+x = "a  b"'], FRONTIER, "code"),
    ("js return newline", "app.js", ["-return x;", "+return", "+x;"], FRONTIER, "code"),
    ("shell spacing matters", "run.sh", ["-a=b", "+a = b"], FRONTIER, "code"),
    ("code", "app.py", ["+total = price * qty"], FRONTIER, "code"),
    ("unknown file kind is code", "Dockerfile", ["-FROM python:3.11", "+FROM python:3.12"],
     FRONTIER, "code"),
    ("workflow", ".github/workflows/ci.yml", ["+    - run: make"], FRONTIER,
     "frontier path (.github/workflows/)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "lines", "expected", "reason"),
    [case[1:] for case in HUNK_CASES],
    ids=[case[0] for case in HUNK_CASES],
)
def test_classify_hunk(path: str, lines: list[str], expected: Route, reason: str) -> None:
    section = "def check_password(user):" if path in ("tests/test_a.py", "app.py") else ""
    assert route(path, lines, section=section) == (expected, reason)


RULES = TriageRules(ignore=("fixtures/**/*.json",), frontier=("vendor/ok/",), small=("scripts/**",))


@pytest.mark.parametrize(
    ("path", "lines", "expected", "reason"),
    [
        ("scripts/gen.py", ["+x = 1"], SMALL, "small path (scripts/**)"),
        ("scripts/gen.py", ["+os.system(cmd)"], FRONTIER, "risk: os.system"),
        ("vendor/ok/x.py", ["+# a comment"], FRONTIER, "frontier path (vendor/ok/)"),
        ("vendor/ok/y.py", ["-x = 1 ", "+x = 1"], FRONTIER, "frontier path (vendor/ok/)"),
    ],
)  # fmt: skip
def test_rules_globs_in_hunks(path: str, lines: list[str], expected: Route, reason: str) -> None:
    assert route(path, lines, RULES) == (expected, reason)


def _file(path: str, **changes: Any) -> FileDiff:
    return dataclasses.replace(make_file(path, ["+x = 1"]), **changes)


FILE_CASES = [
    ("poetry.lock", {}, TriageRules(), "lock file (poetry.lock)"),
    ("web/yarn.lock", {}, TriageRules(), "lock file (yarn.lock)"),
    ("go.sum", {}, TriageRules(), "lock file (go.sum)"),
    ("vendor/lib/x.go", {}, TriageRules(), "vendored (vendor/)"),
    ("web/node_modules/a/index.js", {}, TriageRules(), "vendored (node_modules/)"),
    ("api/foo_pb2.py", {}, TriageRules(), "generated (*_pb2.py)"),
    ("ui/api.generated.ts", {}, TriageRules(), "generated (*.generated.*)"),
    ("static/app.min.js", {}, TriageRules(), "minified (*.min.js)"),
    ("static/app.js.map", {}, TriageRules(), "minified (*.map)"),
    ("dist/pkg.js", {}, TriageRules(), "build output (/dist/)"),
    ("prbot.egg-info/PKG-INFO", {}, TriageRules(), "build output (*.egg-info/)"),
    ("pkg/__pycache__/m.cpython-311.pyc", {}, TriageRules(), "build output (__pycache__/)"),
    ("logo.png", {}, TriageRules(), "binary (*.png)"),
    ("blob.dat", {"is_binary": True}, TriageRules(), "binary file"),
    ("app.py", {"status": FileStatus.DELETED}, TriageRules(), "deleted file"),
    ("new.py", {"status": FileStatus.RENAMED, "old_path": "old.py", "hunks": ()}, TriageRules(),
     "rename only"),
    ("run.sh", {"old_mode": "100644", "new_mode": "100755", "hunks": ()}, TriageRules(),
     "mode change only"),
    ("fixtures/a/b.json", {}, RULES, "ignored path (fixtures/**/*.json)"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "changes", "rules", "reason"), FILE_CASES)
def test_classify_file_skips(
    path: str, changes: dict[str, Any], rules: TriageRules, reason: str
) -> None:
    assert classify_file(_file(path, **changes), rules) == RouteDecision(Route.SKIP, reason)


@pytest.mark.parametrize(
    "path",
    ["src/build/steps.py", "app.py", "vendor/ok/x.py", "docs/index.md", "tests/test_a.py"],
)
def test_classify_file_leaves_hunks_to_classify(path: str) -> None:
    assert classify_file(_file(path), RULES) is None


@pytest.mark.parametrize(
    ("path", "first_line", "reason"),
    [
        ("gen/models.py", "# @generated by codegen", "generated (@generated marker)"),
        ("x.go", "// Code generated by protoc. DO NOT EDIT.", "generated (DO NOT EDIT marker)"),
    ],
)  # fmt: skip
def test_generated_marker(path: str, first_line: str, reason: str) -> None:
    file = make_file(path, [f"+{first_line}", "+x = 1"])
    assert classify_file(file, TriageRules()) == RouteDecision(Route.SKIP, reason)


def test_marker_below_the_header_is_ignored() -> None:
    file = make_file("app.py", ["+# DO NOT EDIT this list by hand"], start=40)
    assert classify_file(file, TriageRules()) is None


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("*.py", "a/b/c.py", True),
        ("*.py", "c.pyc", False),
        ("/build/", "build/x.js", True),
        ("/build/", "src/build/x.py", False),
        ("vendor/", "a/vendor/b/c.go", True),
        ("vendor/", "vendor", False),
        ("docs/**/*.md", "docs/a/b/c.md", True),
        ("docs/**/*.md", "docs/c.md", True),
        ("docs/**/*.md", "x/docs/c.md", False),
        ("src/*.py", "src/a/b.py", False),
        ("**/fixtures/", "a/b/fixtures/x.json", True),
        ("test_?.py", "pkg/test_a.py", True),
        ("[!a]*.txt", "b.txt", True),
        ("[!a]*.txt", "a.txt", False),
        ("*.egg-info", "prbot.egg-info/PKG-INFO", True),
    ],
)
def test_glob_semantics(glob: str, path: str, expected: bool) -> None:
    assert matches(path, glob) is expected


def test_rules_are_compiled_once() -> None:
    assert compiled(TriageRules(small=("a/",))) is compiled(TriageRules(small=("a/",)))


def test_globset_names_the_first_match_and_honours_negation() -> None:
    globs = GlobSet(("*.py", "!tests/*.py", "src/"))
    assert globs.first("a/b.py") == "*.py"
    assert globs.first("tests/a.py") is None
    assert globs.first("src/x.go") == "src/"
    assert "src/x.go" in globs and "tests/a.py" not in globs


SIGNATURE_HEAD = (
    "def f(\n    a: int,\n    b: float\n    | None = None,\n    c: int = 0,\n) -> None:\n"
    "    return None\n"
)


def test_head_text_makes_the_syntax_comparison_exact() -> None:
    lines = ["     a: int,", "-    b: float | None = None,", "+    b: float", "+    | None = None,",
             "     c: int = 0,", " ) -> None:"]  # fmt: skip
    file = make_file("app.py", lines, start=2)
    decision = classify_hunk(file, file.hunks[0], TriageRules(), SIGNATURE_HEAD)
    assert decision == RouteDecision(SMALL, SAME)


def test_head_text_that_disagrees_with_the_diff_falls_back_to_the_hunk() -> None:
    file = make_file("app.py", ["-x = {'a': 1}", '+x = {"a": 1}'])
    decision = classify_hunk(file, file.hunks[0], TriageRules(), "y = 2\n")
    assert decision == RouteDecision(SMALL, SAME)


def test_a_real_change_beside_a_reformat_in_the_same_function_is_code() -> None:
    head = "def f(a):\n    x = g(\n        a,\n    )\n    return x + 2\n"
    file = make_file("app.py", [" def f(a):", "-    x = g(a)", "+    x = g(", "+        a,",
                                "+    )", "-    return x + 1", "+    return x + 2"])  # fmt: skip
    assert classify_hunk(file, file.hunks[0], TriageRules(), head).route is FRONTIER


def test_equivalent_hunks_may_be_skipped() -> None:
    rules = TriageRules(equivalent=SKIP)
    assert route("app.py", ["-x = {'a': 1}", '+x = {"a": 1}'], rules) == (SKIP, SAME)
    # Import reordering is not formatting: it stays SMALL.
    assert route(
        "app.py", ["-import sys", "-import json", "+import json", "+import sys"], rules
    ) == (
        SMALL,
        "import reordering",
    )


def test_the_allowlist_removes_a_repository_name_from_the_risk_words() -> None:
    lines = ["+    client = httpx.Client()"]
    assert route("src/app.py", lines) == (FRONTIER, "risk: httpx")
    assert route("src/app.py", lines, TriageRules(allow=("httpx",))) == (FRONTIER, "code")
    assert route("scripts/x.py", lines, TriageRules(small=("scripts/",), allow=("httpx",))) == (
        SMALL,
        "small path (scripts/)",
    )


def test_a_frontier_glob_claims_test_files() -> None:
    rules = TriageRules(frontier=("tests/security/",))
    assert route("tests/security/test_x.py", ["+    x = 1"], rules) == (
        FRONTIER,
        "frontier path (tests/security/)",
    )


NEW_FILE = [
    '+"""A new module."""',
    "+import os",
    "+",
    "+",
    "+def read(name):",
    "+    with open(name) as f:",
    "+        return f.read()",
    "+",
    "+",
    "+@cache",
    "+def double(x):",
    '+    """Twice x."""',
    "+    return 2 * x",
]


def test_a_new_file_is_routed_per_top_level_definition() -> None:
    file = make_file("pkg/new.py", NEW_FILE, status=FileStatus.ADDED)
    head = "\n".join(t[1:] for t in NEW_FILE) + "\n"
    routed = route_file(file, TriageRules(), head)
    assert [(r.hunk.new_start, r.hunk.new_len, r.decision) for r in routed] == [
        (1, 4, RouteDecision(FRONTIER, "code")),
        (5, 5, RouteDecision(FRONTIER, "risk: open(")),
        (10, 4, RouteDecision(FRONTIER, "code")),
    ]
    # Every changed line is routed exactly once.
    assert sum(r.hunk.new_len for r in routed) == len(NEW_FILE)


def test_a_new_test_file_with_open_is_small_throughout() -> None:
    file = make_file("tests/test_new.py", NEW_FILE, status=FileStatus.ADDED)
    assert {r.decision for r in route_file(file, TriageRules())} == {
        RouteDecision(SMALL, "test file")
    }
