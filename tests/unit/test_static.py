"""The static tier: ruff (through the real adapter) and structural rules on added lines,
secrets, the path policy and opt-outs, the ruleset version."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from adapters.ruff import RuffRunner, locate_ruff
from bot.repoconfig import parse_repo_config
from reviewers.models import (
    Category,
    DiffLine,
    FileDiff,
    FileStatus,
    Hunk,
    LineKind,
    Route,
    Severity,
    Side,
)
from reviewers.static import (
    PathRule,
    RuffError,
    StaticPolicy,
    StaticResult,
    review_static,
    ruleset_version,
)

GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"  # assembled: no literal secret here


def file_diff(path: str, source: str, added: set[int]) -> FileDiff:
    """One hunk over the whole head file: rows in `added` are added lines, the rest context."""
    lines = []
    old_no = 1
    for row, text in enumerate(source.splitlines(), start=1):
        if row in added:
            lines.append(DiffLine(LineKind.ADDED, text, None, row))
        else:
            lines.append(DiffLine(LineKind.CONTEXT, text, old_no, row))
            old_no += 1
    hunk = Hunk(path, 0, 1, old_no - 1, 1, len(lines), "", tuple(lines))
    return FileDiff(path, None, FileStatus.MODIFIED, (hunk,))


def added_file(path: str, *rows: str) -> FileDiff:
    return file_diff(path, "\n".join(rows) + "\n", set(range(1, len(rows) + 1)))


@pytest.fixture(scope="module")
def ruff() -> RuffRunner:
    return locate_ruff()


# --- ruff through the adapter -----------------------------------------------------------------

SOURCE = "def f():\n    return undefined_one\n\n\ndef g():\n    return undefined_two\n"


async def test_ruff_reports_only_added_lines(ruff: RuffRunner) -> None:
    result = await review_static(
        [file_diff("pkg/mod.py", SOURCE, {6})], {"pkg/mod.py": SOURCE}, ruff
    )
    assert result.unchecked == ()
    [finding] = result.findings
    assert (finding.path, finding.side, finding.start_line, finding.end_line) == (
        "pkg/mod.py",
        Side.RIGHT,
        6,
        6,
    )
    assert (finding.source, finding.category, finding.severity) == (
        "static:py-undefined-name",
        Category.DEFECT,
        Severity.HIGH,
    )
    assert finding.route is Route.SMALL
    assert "undefined_two" in finding.title
    assert "ruff F821" in finding.body


async def test_same_problem_on_an_unchanged_line_is_silent(ruff: RuffRunner) -> None:
    files = [file_diff("pkg/mod.py", SOURCE, {1})]
    assert (await review_static(files, {"pkg/mod.py": SOURCE}, ruff)).findings == ()


async def test_a_safe_fix_on_its_own_line_becomes_a_replacement(ruff: RuffRunner) -> None:
    source = 'import os\nx = "a"\nif x is "a":\n    pass\n'
    result = await review_static([file_diff("m.py", source, {1, 3})], {"m.py": source}, ruff)
    found = {f.source: f for f in result.findings}
    assert set(found) == {"static:py-unused-import", "static:py-pyflakes"}
    assert found["static:py-unused-import"].replacement == ""  # delete the line
    assert found["static:py-unused-import"].severity is Severity.LOW
    assert found["static:py-pyflakes"].replacement == 'if x == "a":'


async def test_unused_import_in_a_package_init_is_a_reexport(ruff: RuffRunner) -> None:
    files = [file_diff("pkg/__init__.py", "import os\n", {1})]
    assert (await review_static(files, {"pkg/__init__.py": "import os\n"}, ruff)).findings == ()


async def test_a_syntax_error_is_blamed_on_the_last_added_line(ruff: RuffRunner) -> None:
    source = "x = 1\ndef g(\n"
    result = await review_static([file_diff("broken.py", source, {2})], {"broken.py": source}, ruff)
    [finding] = result.findings
    assert (finding.source, finding.start_line, finding.severity) == (
        "static:py-syntax-error",
        2,
        Severity.HIGH,
    )


async def test_noqa_on_the_line_is_honoured(ruff: RuffRunner) -> None:
    source = "def f(expr):\n    return eval(expr)  # noqa: S307\n"
    result = await review_static([file_diff("c.py", source, {2})], {"c.py": source}, ruff)
    assert result.findings == ()


async def test_python_without_source_or_without_ruff_is_unchecked(ruff: RuffRunner) -> None:
    files = [added_file("no_source.py", "x = undefined"), added_file("README.md", "text")]
    result = await review_static(files, {"README.md": "text\n"}, ruff)
    assert result == StaticResult((), ("no_source.py",))
    source = "x = undefined\n"
    unlinted = await review_static([added_file("a.py", "x = undefined")], {"a.py": source}, None)
    assert unlinted == StaticResult((), ("a.py",))


async def test_a_path_escaping_the_temp_dir_is_not_written(ruff: RuffRunner) -> None:
    diagnostics = await ruff.lint({"../escape.py": "x = undefined\n"}, ["F821"])
    assert diagnostics == []


def test_missing_executable_raises(tmp_path: Path) -> None:
    with pytest.raises(RuffError, match="could not run"):
        locate_ruff(str(tmp_path / "no-ruff"))


async def test_a_ruff_crash_raises_with_its_stderr(tmp_path: Path) -> None:
    fake = tmp_path / "ruff"
    fake.write_text("#!/bin/sh\necho 'boom: config exploded' >&2\nexit 2\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    files = [added_file("a.py", "x = 1")]
    with pytest.raises(RuffError, match="ruff exited 2: boom: config exploded"):
        await review_static(files, {"a.py": "x = 1\n"}, RuffRunner(str(fake), "ruff 0"))


async def test_an_unreadable_report_raises(tmp_path: Path) -> None:
    fake = tmp_path / "ruff"
    fake.write_text("#!/bin/sh\necho 'not json'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(RuffError, match="unreadable ruff report"):
        await RuffRunner(str(fake), "ruff 0").lint({"a.py": "x = 1\n"}, ["F"])


def test_the_runner_reports_the_installed_version(ruff: RuffRunner) -> None:
    assert ruff.version.startswith("ruff ")


def test_ruleset_version_follows_ruff_and_the_rule_files(ruff: RuffRunner) -> None:
    current = ruleset_version(ruff)
    assert ruff.version in current
    assert ruleset_version(RuffRunner(ruff.executable, "ruff 99.0.0")) != current
    assert ruleset_version(None) != current


# --- structural rules on the tier -------------------------------------------------------------


async def test_structural_rule_reports_on_the_first_added_line_of_the_call() -> None:
    source = (
        "def find(cur, name):\n    cur.execute(\n"
        "        f\"SELECT * FROM t WHERE a = '{name}'\"\n    )\n"
    )
    result = await review_static([file_diff("db.py", source, {2, 3, 4})], {"db.py": source})
    [finding] = result.findings
    assert (finding.source, finding.start_line, finding.end_line) == ("static:py-sql-built", 2, 2)
    assert finding.category is Category.SECURITY


async def test_structural_rules_run_on_hunks_when_the_source_is_missing() -> None:
    diff = file_diff("api.js", "const a = 1;\ndb.query(`SELECT * FROM t WHERE id = ${id}`);\n", {2})
    result = await review_static([diff], {})
    assert [(f.source, f.start_line) for f in result.findings] == [("static:js-sql-built", 2)]


async def test_rules_never_fire_on_code_spelled_out_in_strings_or_comments() -> None:
    source = (
        "# os.system('rm ' + path); cur.execute(f'SELECT * FROM t WHERE a = {x}')\n"
        "HELP = \"cur.execute(f'SELECT * FROM t WHERE a = {x}') and s.verify = False\"\n"
    )
    js = "// exec(`rm ${dir}`)\nconst s = 'db.query(\"SELECT * FROM t WHERE a=\" + a)';\n"
    files = [added_file("doc.py", *source.splitlines()), added_file("doc.js", *js.splitlines())]
    result = await review_static(files, {"doc.py": source, "doc.js": js})
    assert result.findings == ()


# --- policy -----------------------------------------------------------------------------------

RISKY = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"


async def test_security_rules_are_off_in_tests_but_errors_stay(ruff: RuffRunner) -> None:
    test_source = RISKY + "\n\ndef test_x():\n    assert undefined_name\n"
    files = [
        file_diff("app/store.py", RISKY, {5}),
        file_diff("tests/test_store.py", test_source, {5, 9}),
    ]
    sources = {"app/store.py": RISKY, "tests/test_store.py": test_source}
    result = await review_static(files, sources, ruff)
    assert [(f.path, f.source) for f in result.findings] == [
        ("app/store.py", "static:py-unsafe-deserialization"),
        ("tests/test_store.py", "static:py-undefined-name"),
    ]


async def test_fixtures_get_no_rules(ruff: RuffRunner) -> None:
    source = "x = undefined\nimport os\n"
    files = [file_diff("tests/data/cases/weird.py", source, {1, 2})]
    result = await review_static(files, {"tests/data/cases/weird.py": source}, ruff)
    assert result.findings == ()


async def test_per_path_overrides_and_disabled_rules(ruff: RuffRunner) -> None:
    files = [file_diff("legacy/store.py", RISKY, {5}), file_diff("app/store.py", RISKY, {5})]
    sources = {"legacy/store.py": RISKY, "app/store.py": RISKY}
    policy = StaticPolicy(paths=(PathRule(paths=("legacy/**",), kind="test"),))
    result = await review_static(files, sources, ruff, policy)
    assert [f.path for f in result.findings] == ["app/store.py"]
    off = StaticPolicy(disable=("py-unsafe-deserialization",))
    assert (await review_static(files, sources, ruff, off)).findings == ()
    assert (await review_static(files, sources, ruff, StaticPolicy(enabled=False))) == (
        StaticResult(())
    )


async def test_security_in_tests_can_be_turned_back_on(ruff: RuffRunner) -> None:
    files = [file_diff("tests/test_store.py", RISKY, {5})]
    policy = StaticPolicy(security_in_tests=True)
    result = await review_static(files, {"tests/test_store.py": RISKY}, ruff, policy)
    assert [f.source for f in result.findings] == ["static:py-unsafe-deserialization"]


async def test_ignore_comments_silence_one_rule_and_are_counted(ruff: RuffRunner) -> None:
    source = (
        "import pickle\n\n\ndef load(blob):\n"
        "    return pickle.loads(blob)  # prbot: ignore[py-unsafe-deserialization]\n"
        "\n\ndef load2(blob):\n    # prbot: ignore[py-eval]\n    return pickle.loads(blob)\n"
        f'TOKEN = "{GITHUB}"  # prbot: ignore[secret:github-token]\n'
    )
    result = await review_static(
        [file_diff("s.py", source, {5, 9, 10, 11})], {"s.py": source}, ruff
    )
    assert [(f.source, f.start_line) for f in result.findings] == [
        ("static:py-unsafe-deserialization", 10)
    ]
    assert result.opted_out == 2


# --- secrets ----------------------------------------------------------------------------------


async def test_a_secret_on_an_added_line_is_reported_without_echoing_it() -> None:
    files = [file_diff("settings.py", f'DEBUG = True\nTOKEN = "{GITHUB}"\n', {2})]
    [finding] = (await review_static(files, {})).findings
    assert (finding.source, finding.start_line, finding.end_line) == ("secret:github-token", 2, 2)
    assert (finding.category, finding.severity) == (Category.SECURITY, Severity.CRITICAL)
    assert finding.title == "Possible GitHub token committed"
    assert "rotate" in finding.body
    assert GITHUB not in finding.title + finding.body


async def test_a_secret_on_a_context_line_is_not_reported() -> None:
    files = [file_diff("settings.py", f'TOKEN = "{GITHUB}"\nDEBUG = True\n', {2})]
    assert (await review_static(files, {})).findings == ()


async def test_secrets_in_tests_are_reported_lower_and_fakes_not_at_all() -> None:
    fake = "sk-" + "abc12345-very-long-api-key"
    files = [
        added_file("tests/test_auth.py", f'TOKEN = "{GITHUB}"'),
        added_file("tests/test_client.py", f'client = OpenAI(api_key="{fake}")'),
        added_file("app/client.py", f'client = OpenAI(api_key="{fake}")'),
    ]
    result = await review_static(files, {})
    [finding] = result.findings
    assert (finding.path, finding.severity) == ("tests/test_auth.py", Severity.MEDIUM)
    assert finding.title.endswith("(in test code)")


async def test_a_secret_kind_can_be_disabled() -> None:
    files = [added_file("settings.py", f'TOKEN = "{GITHUB}"')]
    policy = StaticPolicy(disable=("secret:github-token",))
    assert (await review_static(files, {}, None, policy)).findings == ()


async def test_binary_and_deleted_files_are_skipped() -> None:
    binary = FileDiff("blob.bin", None, FileStatus.MODIFIED, (), is_binary=True)
    gone = FileDiff("old.py", None, FileStatus.DELETED, ())
    assert (await review_static([binary, gone], {})).findings == ()


async def test_bandit_nosec_opts_a_line_out_of_security_rules(ruff: RuffRunner) -> None:
    source = (
        "import pickle\n\n\ndef load(blob):\n    print(undefined_name)  # nosec\n"
        "    return pickle.loads(blob)  # nosec - our own cache file\n"
    )
    result = await review_static([file_diff("c.py", source, {5, 6})], {"c.py": source}, ruff)
    assert [f.source for f in result.findings] == ["static:py-undefined-name"]
    assert result.opted_out == 1


async def test_documentation_shows_example_values_but_a_provider_key_is_reported() -> None:
    example = 'SECRET_KEY = "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf"'
    files = [added_file("docs/config.rst", example), added_file("README.md", f"token: {GITHUB}")]
    result = await review_static(files, {})
    assert [(f.path, f.source) for f in result.findings] == [("README.md", "secret:github-token")]
    code = await review_static([added_file("app/settings.py", example)], {})
    assert [f.source for f in code.findings] == ["secret:generic-secret"]


async def test_keys_made_for_tests_are_fixtures() -> None:
    key = "\n".join(
        ["-----BEGIN RSA " + "PRIVATE KEY-----", "MIIEowIBAAKCAQEAabcdefghijklmnopqrstuvwx"]
    )
    files = [added_file("tests/keys/ca.pem", *key.splitlines())]
    assert (await review_static(files, {})).findings == ()
    shipped = [added_file("deploy/ca.pem", *key.splitlines())]
    assert [f.source for f in (await review_static(shipped, {})).findings] == ["secret:private-key"]


async def test_a_noqa_for_the_same_bandit_check_opts_a_structural_rule_out() -> None:
    source = (
        "import pickle\n\n\ndef load(blob, raw):\n"
        "    a = pickle.loads(blob)  # noqa: S301\n"
        "    b = pickle.loads(raw)  # noqa: E501\n"
        "    return a, b\n"
    )
    result = await review_static([file_diff("c.py", source, {5, 6})], {"c.py": source})
    assert [(f.source, f.start_line) for f in result.findings] == [
        ("static:py-unsafe-deserialization", 6)
    ]
    assert result.opted_out == 1


def test_the_static_section_of_the_repo_config_is_validated() -> None:
    good = parse_repo_config(
        "static:\n  disable: [py-eval]\n  tests: ['qa/**']\n"
        "  paths:\n    - paths: ['legacy/**']\n      kind: test\n"
    )
    assert good.error is None
    assert good.config.static.disable == ("py-eval",)
    assert good.config.static.kind_of("qa/check_login.py").value == "test"
    assert good.config.static.kind_of("legacy/store.py").value == "test"
    bad = parse_repo_config("static:\n  paths:\n    - kind: nonsense\n")
    assert bad.error is not None and "static.paths.0" in bad.error
    assert bad.config.static == StaticPolicy()
