"""reviewers.syntax on real grammars: definitions, enclosing, calls, names, code-only text."""

from __future__ import annotations

import pytest

from reviewers.syntax import (
    calls,
    code_only,
    constants,
    definitions,
    enclosing,
    language_for,
    names_used,
    parse,
)

PYTHON = '''class Client:
    """Talks to the API."""

    def get(self, path):
        return self.session.request("GET", path)


def fetch(url,
          retries=3):
    return Client().get(url)  # one call
'''


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b.py", "python"),
        ("x.TSX", "tsx"),
        ("main.go", "go"),
        ("lib/x.rb", "ruby"),
        ("Makefile", None),
        (".bashrc", None),
        ("README.md", None),
    ],
)
def test_language_by_extension(path: str, language: str | None) -> None:
    assert language_for(path) == language


def test_python_definitions_with_signature_ends() -> None:
    found = [
        (d.name, d.start_line, d.end_line, d.header_end)
        for d in definitions(parse(PYTHON, "python"))
    ]
    assert found == [("Client", 1, 5, 1), ("get", 4, 5, 4), ("fetch", 8, 10, 9)]


def test_enclosing_is_the_innermost_definition() -> None:
    tree = parse(PYTHON, "python")
    inner = enclosing(tree, 5)
    assert inner is not None and inner.name == "get"
    outer = enclosing(tree, 2)
    assert outer is not None and outer.name == "Client"
    assert enclosing(tree, 7) is None


def test_calls_name_the_callee_not_the_receiver() -> None:
    tree = parse(PYTHON, "python")
    assert [(c.name, c.line) for c in calls(tree)] == [("request", 5), ("get", 10), ("Client", 10)]
    assert [c.name for c in calls(tree, 10, 10)] == ["get", "Client"]


def test_names_used_on_lines_in_order() -> None:
    assert names_used(parse(PYTHON, "python"), 10, 10) == ["Client", "get", "url"]


def test_code_only_blanks_strings_and_comments_and_keeps_lines() -> None:
    text = 'x = run("shell=True")  # shell=True\ny = "é"\n'
    masked = code_only(parse(text, "python"))
    assert "shell" not in masked
    assert masked.splitlines()[0].startswith("x = run(")
    assert len(masked) == len(text) and masked.count("\n") == 2


@pytest.mark.parametrize(
    ("language", "source", "names", "callees"),
    [
        (
            "javascript",
            "const load = (p) => fs.readFileSync(p); // c\nclass K { m(y) { return this.h(y) } }\n",
            ["load", "K", "m"],
            ["readFileSync", "h"],
        ),
        (
            "go",
            "package a\nfunc (s *S) M(x int) int { return g(x) }\ntype S struct{ A int }\n",
            ["M", "S"],
            ["g"],
        ),
        ("java", "class A {\n  int f(int x) { return g(x); }\n}\n", ["A", "f"], ["g"]),
        ("ruby", "class K\n  def f(x)\n    g(x)\n  end\nend\n", ["K", "f"], ["g"]),
        ("php", "<?php\nfunction f($x) { return $this->g($x); }\n", ["f"], ["g"]),
        ("rust", "fn f(x: i32) -> i32 { g(x) }\nstruct S { a: i32 }\n", ["f", "S"], ["g"]),
        ("c", "static int *make(int x) { return g(x); }\n", ["make"], ["g"]),
        (
            "typescript",
            "interface I { a: number }\nexport function f(x: number) { return g(x) }\n",
            ["I", "f"],
            ["g"],
        ),
    ],
)
def test_other_languages(language: str, source: str, names: list[str], callees: list[str]) -> None:
    tree = parse(source, language)
    assert [d.name for d in definitions(tree)] == names
    assert [c.name for c in calls(tree)] == callees


def test_broken_source_still_yields_what_parsed() -> None:
    tree = parse("def ok():\n    return 1\n\ndef broken(:\n", "python")
    assert "ok" in [d.name for d in definitions(tree)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "python",
            (
                "MAX = 3\n"
                "DEFAULTS = {\n"
                "    'a': 1,\n"
                "}\n"
                "\n"
                "\n"
                "def f():\n"
                "    local = 2\n"
                "\n"
                "\n"
                "class A:\n"
                "    LIMIT = 2\n"
            ),
            [("MAX", 1, 1), ("DEFAULTS", 2, 4), ("LIMIT", 12, 12)],
        ),
        (
            "typescript",
            "export const LIMIT = 5;\nconst f = () => 1;\nfunction g() {\n  const z = 1;\n}\n",
            [("LIMIT", 1, 1)],
        ),
        (
            "go",
            "package x\n\nconst (\n\tA = 1\n)\n\nvar C = 3\n\nfunc f() {\n\tvar d = 1\n}\n",
            [("A", 4, 4), ("C", 7, 7)],
        ),
        (
            "java",
            "class K {\n  static final int MAX = 3;\n  void m() {\n    int q = 1;\n  }\n}\n",
            [("MAX", 2, 2)],
        ),
    ],
)
def test_constants_outside_functions(
    language: str, text: str, expected: list[tuple[str, int, int]]
) -> None:
    found = [(d.name, d.start_line, d.end_line) for d in constants(parse(text, language))]
    assert found == expected
