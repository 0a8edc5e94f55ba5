"""Static reviewers: ruff on real temp files, secret findings, regex security rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

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
from reviewers.static import RULESET_VERSION, RuffError, StaticResult, review_static
from reviewers.static.ruff import review_ruff
from reviewers.static.secrets import review_secrets
from reviewers.static.security import RULES, review_security

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
    count = len(lines)
    hunk = Hunk(path, 0, 1, old_no - 1, 1, count, "", tuple(lines))
    return FileDiff(path, None, FileStatus.MODIFIED, (hunk,))


def added_file(path: str, *rows: str) -> FileDiff:
    return file_diff(path, "\n".join(rows) + "\n", set(range(1, len(rows) + 1)))


# --- ruff -------------------------------------------------------------------------------------

SOURCE = "def f():\n    return undefined_one\n\n\ndef g():\n    return undefined_two\n"


def test_ruff_reports_only_added_lines() -> None:
    files = [file_diff("pkg/mod.py", SOURCE, {6})]
    result = review_ruff(files, {"pkg/mod.py": SOURCE})
    assert result.unchecked == ()
    [finding] = result.findings
    assert (finding.path, finding.side, finding.start_line, finding.end_line) == (
        "pkg/mod.py",
        Side.RIGHT,
        6,
        6,
    )
    assert (finding.source, finding.category, finding.severity) == (
        "ruff:F821",
        Category.DEFECT,
        Severity.HIGH,
    )
    assert finding.route is Route.SMALL
    assert "undefined_two" in finding.title


def test_ruff_same_problem_on_unchanged_line_is_silent() -> None:
    files = [file_diff("pkg/mod.py", SOURCE, {1})]
    assert review_ruff(files, {"pkg/mod.py": SOURCE}).findings == ()


def test_ruff_fix_on_own_line_becomes_replacement() -> None:
    source = 'import os\nx = "a"\nif x is "a":\n    pass\n'
    files = [file_diff("m.py", source, {1, 3})]
    found = {f.source: f for f in review_ruff(files, {"m.py": source}).findings}
    assert set(found) == {"ruff:F401", "ruff:F632"}
    assert found["ruff:F401"].replacement == ""  # delete the line
    assert found["ruff:F401"].category is Category.MAINTAINABILITY
    assert found["ruff:F632"].replacement == 'if x == "a":'


def test_ruff_skips_reexports_in_init() -> None:
    source = "import os\n"
    files = [file_diff("pkg/__init__.py", source, {1})]
    assert review_ruff(files, {"pkg/__init__.py": source}).findings == ()


def test_ruff_syntax_error_blamed_on_last_added_line() -> None:
    source = "x = 1\ndef g(\n"
    files = [file_diff("broken.py", source, {2})]
    [finding] = review_ruff(files, {"broken.py": source}).findings
    assert (finding.source, finding.start_line, finding.severity) == (
        "ruff:invalid-syntax",
        2,
        Severity.HIGH,
    )


def test_ruff_unchecked_without_source_or_with_unsafe_path() -> None:
    files = [
        added_file("no_source.py", "x = undefined"),
        added_file("../escape.py", "x = undefined"),
        added_file("README.md", "text"),
    ]
    sources = {"../escape.py": "x = undefined\n", "README.md": "text\n"}
    result = review_ruff(files, sources)
    assert result == StaticResult((), ("../escape.py", "no_source.py"))


def test_ruff_missing_executable_raises(tmp_path: Path) -> None:
    files = [added_file("a.py", "x = 1")]
    with pytest.raises(RuffError, match="could not run"):
        review_ruff(files, {"a.py": "x = 1\n"}, ruff=str(tmp_path / "no-ruff"))


def test_ruff_crash_raises_with_stderr(tmp_path: Path) -> None:
    fake = tmp_path / "ruff"
    fake.write_text("#!/bin/sh\necho 'boom: config exploded' >&2\nexit 2\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    files = [added_file("a.py", "x = 1")]
    with pytest.raises(RuffError, match="ruff exited 2: boom: config exploded"):
        review_ruff(files, {"a.py": "x = 1\n"}, ruff=str(fake))


# --- secrets ----------------------------------------------------------------------------------


def test_secret_on_added_line_is_reported_without_echoing_it() -> None:
    files = [file_diff("settings.py", f'DEBUG = True\nTOKEN = "{GITHUB}"\n', {2})]
    [finding] = review_secrets(files)
    assert (finding.source, finding.start_line, finding.end_line) == ("secret:github-token", 2, 2)
    assert (finding.category, finding.severity) == (Category.SECURITY, Severity.CRITICAL)
    assert finding.title == "Possible GitHub token committed"
    assert "rotate" in finding.body
    assert GITHUB not in finding.title + finding.body


def test_secret_on_context_line_is_not_reported() -> None:
    files = [file_diff("settings.py", f'TOKEN = "{GITHUB}"\nDEBUG = True\n', {2})]
    assert review_secrets(files) == []


def test_multi_line_key_spans_its_added_lines() -> None:
    key = [
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "MIIEowIBAAKCAQEAabcdefghijklmnop",
        "-----END RSA " + "PRIVATE KEY-----",
    ]
    files = [file_diff("id_rsa", "\n".join(["# key", *key]) + "\n", {2, 3, 4})]
    [finding] = review_secrets(files)
    assert (finding.source, finding.start_line, finding.end_line) == ("secret:private-key", 2, 4)


def test_removed_secret_is_not_reported() -> None:
    line = DiffLine(LineKind.REMOVED, f'TOKEN = "{GITHUB}"', 1, None)
    hunk = Hunk("a.py", 0, 1, 1, 1, 0, "", (line,))
    assert review_secrets([FileDiff("a.py", None, FileStatus.MODIFIED, (hunk,))]) == []


# --- security rules ---------------------------------------------------------------------------

SECURITY_CASES = [
    ("shell-true", 'subprocess.run(cmd, shell=True)', True),
    ("shell-true", 'subprocess.run(["ls", path], shell=False)', False),
    ("os-system", 'os.system(f"rm {path}")', True),
    ("os-system", 'os.system("make clean")', False),
    ("eval-exec", "value = eval(user_input)", True),
    ("eval-exec", 'value = eval("1 + 2")', False),
    ("eval-exec", "value = ast.literal_eval(text)", False),
    ("eval-exec", "model.eval()", False),
    ("pickle-load", "obj = pickle.loads(blob)", True),
    ("pickle-load", "blob = pickle.dumps(obj)", False),
    ("yaml-load", "cfg = yaml.load(stream)", True),
    ("yaml-load", "cfg = yaml.load(stream, Loader=yaml.SafeLoader)", False),
    ("yaml-load", "cfg = yaml.safe_load(stream)", False),
    ("weak-password-hash", "digest = hashlib.md5(password.encode()).hexdigest()", True),
    ("weak-password-hash", "etag = hashlib.md5(body).hexdigest()", False),
    ("tls-verify-off", "requests.get(url, verify=False)", True),
    ("tls-verify-off", "requests.get(url, verify=True)", False),
    ("sql-built", 'cur.execute(f"SELECT * FROM t WHERE id = {uid}")', True),
    ("sql-built", 'cur.execute("SELECT * FROM t WHERE id = %s" % uid)', True),
    ("sql-built", 'cur.execute("SELECT * FROM t WHERE id = " + uid)', True),
    ("sql-built", 'cur.execute("SELECT * FROM t WHERE id = %s", (uid,))', False),
    ("sql-built", "conn.execute(f\"SELECT 1 FROM t WHERE n = '{name}'\")", True),
    ("sql-built", "conn.execute(f'SELECT 1 FROM t WHERE n = \"{name}\"')", True),
    ("sql-built", "conn.execute(f\"SELECT 1 FROM t WHERE n = 'x'\", {})", False),
    ("sql-string-built", "query = \"SELECT * FROM users WHERE name = '%s'\" % name", True),
    ("sql-string-built", "sql = f\"DELETE FROM jobs WHERE id = {job_id}\"", True),
    ("sql-string-built", "query = \"UPDATE t SET a = \" + value", True),
    ("sql-string-built", "query = \"SELECT * FROM users WHERE name = ?\"", False),
    ("sql-string-built", "message = f\"Select a file from {folder}\"", False),
    ("sql-string-built", "query_text = f\"search for {term}\"", False),
    ("mktemp", "name = tempfile.mktemp()", True),
    ("mktemp", "fd, name = tempfile.mkstemp()", False),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "line", "flagged"), SECURITY_CASES)
def test_security_rule(rule: str, line: str, flagged: bool) -> None:
    findings = review_security([added_file("app.py", line)])
    assert [f.source for f in findings] == ([f"security:{rule}"] if flagged else [])


def test_security_rule_follows_call_onto_next_lines() -> None:
    multi = added_file(
        "app.py", "cfg = yaml.load(", "    stream,", "    Loader=yaml.SafeLoader,", ")"
    )
    assert review_security([multi]) == []
    sql = added_file("app.py", "cur.execute(", '    f"DELETE FROM t WHERE id = {uid}"', ")")
    assert [(f.source, f.start_line) for f in review_security([sql])] == [("security:sql-built", 1)]


def test_security_ignores_comments_context_and_other_languages() -> None:
    assert review_security([added_file("app.py", "# never use shell=True here")]) == []
    assert review_security([file_diff("app.py", "os.system(cmd)\nx = 1\n", {2})]) == []
    assert review_security([added_file("run.js", "exec(cmd, {shell: true}, verify=False)")]) == []


def test_security_finding_fields() -> None:
    [finding] = review_security([added_file("app.py", "x = 1", "obj = pickle.loads(blob)")])
    rule = next(r for r in RULES if r.id == "pickle-load")
    assert finding.path == "app.py"
    assert (finding.start_line, finding.end_line, finding.side) == (2, 2, Side.RIGHT)
    assert (finding.category, finding.severity, finding.route) == (
        Category.SECURITY,
        rule.severity,
        Route.SMALL,
    )
    assert (finding.title, finding.body) == (rule.title, rule.body)


# --- all together -----------------------------------------------------------------------------


def test_review_static_runs_all_three() -> None:
    source = f'import sys\nTOKEN = "{GITHUB}"\nos.system(f"rm {{x}}")\n'
    files = [file_diff("app.py", source, {1, 2, 3}), added_file("other.py", "y = 1")]
    result = review_static(files, {"app.py": source})
    assert [(f.start_line, f.source) for f in result.findings] == [
        (1, "ruff:F401"),
        (2, "secret:github-token"),
        (3, "ruff:F821"),
        (3, "ruff:F821"),
        (3, "security:os-system"),
    ]
    assert result.unchecked == ("other.py",)


def test_ruleset_version_names_every_reviewer() -> None:
    assert RULESET_VERSION == "ruff-1+secrets-1+security-2"
