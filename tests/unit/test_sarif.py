"""SARIF intake: results of other tools as findings on the diff's added lines, deduped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewers.models import Category, DiffLine, FileDiff, FileStatus, Hunk, LineKind, Severity
from reviewers.static.sarif import SarifError, SarifInput, diff_path, sarif_findings


def diff(path: str, added: range, context: range = range(0)) -> FileDiff:
    rows = sorted([*added, *context])
    lines = tuple(
        DiffLine(LineKind.ADDED, f"line {r}", None, r)
        if r in added
        else DiffLine(LineKind.CONTEXT, f"line {r}", r, r)
        for r in rows
    )
    hunk = Hunk(path, 0, rows[0], len(context), rows[0], len(rows), "", lines)
    return FileDiff(path, None, FileStatus.MODIFIED, (hunk,))


def result(uri: str, line: int, rule: str = "no-eval", **extra: Any) -> dict[str, Any]:
    return {
        "ruleId": rule,
        "level": extra.pop("level", "error"),
        "message": {"text": extra.pop("text", f"{rule} here")},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}
        ],
        **extra,
    }


def log(tool: str, results: list[dict[str, Any]], rules: list[dict[str, Any]] | None = None) -> str:
    driver: dict[str, Any] = {"name": tool, "rules": rules or []}
    return json.dumps(
        {"version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    )


FILES = [diff("src/app.js", range(10, 13), range(5, 10)), diff("pkg/server.go", range(1, 4))]


def test_results_on_added_lines_become_findings() -> None:
    text = log("ESLint", [result("src/app.js", 11), result("src/app.js", 6), result("other.js", 1)])
    [finding] = sarif_findings([SarifInput("eslint.sarif", text)], FILES)
    assert (finding.path, finding.start_line, finding.source) == (
        "src/app.js",
        11,
        "sarif:ESLint/no-eval",
    )
    assert (finding.severity, finding.category) == (Severity.HIGH, Category.DEFECT)
    assert finding.title == "no-eval here"


def test_absolute_file_uris_and_ranges_are_matched() -> None:
    uri = "file:///home/runner/work/repo/repo/pkg/server.go"
    spanning = result(uri, 1)
    spanning["locations"][0]["physicalLocation"]["region"] = {"startLine": 0 + 1, "endLine": 9}
    [finding] = sarif_findings([SarifInput("g.sarif", log("golangci-lint", [spanning]))], FILES)
    assert (finding.path, finding.start_line) == ("pkg/server.go", 1)
    assert diff_path("src%2Fapp.js", ["src/app.js"]) == "src/app.js"
    assert diff_path("./src/app.js", ["src/app.js"]) == "src/app.js"
    assert diff_path("https://example.org/src/app.js", ["src/app.js"]) is None


def test_duplicates_by_fingerprint_and_by_place_are_kept_once() -> None:
    prints = {"primaryLocationLineHash": "abc:1"}
    first = result("src/app.js", 10, partialFingerprints=prints)
    again = result("src/app.js", 10, partialFingerprints=prints)
    plain = result("src/app.js", 12)
    texts = [
        SarifInput("a.sarif", log("semgrep", [first, plain])),
        SarifInput("b.sarif", log("semgrep", [again, plain])),
    ]
    assert [f.start_line for f in sarif_findings(texts, FILES)] == [10, 12]


def test_suppressed_and_absent_results_are_dropped() -> None:
    suppressed = result("src/app.js", 10, suppressions=[{"kind": "inSource"}])
    absent = result("src/app.js", 11, baselineState="absent")
    assert sarif_findings([SarifInput("s", log("t", [suppressed, absent]))], FILES) == []


def test_security_severity_and_tags_grade_a_result() -> None:
    rules = [
        {"id": "sqli", "properties": {"security-severity": "9.8", "tags": ["security"]}},
        {"id": "xss", "properties": {"tags": ["security"]}},
        {"id": "style", "helpUri": "https://example.org/style"},
    ]
    results = [
        result("src/app.js", 10, "sqli"),
        result("src/app.js", 11, "xss", level="warning"),
        result("src/app.js", 12, "style", level="note"),
    ]
    found = sarif_findings([SarifInput("s", log("CodeQL", results, rules))], FILES)
    assert [(f.severity, f.category) for f in found] == [
        (Severity.CRITICAL, Category.SECURITY),
        (Severity.MEDIUM, Category.SECURITY),
        (Severity.LOW, Category.MAINTAINABILITY),
    ]
    assert found[2].body.endswith("https://example.org/style")


BAD = [
    ("not json", "{", "not JSON"),
    ("not an object", "[1, 2]", "JSON object"),
    ("wrong version", json.dumps({"version": "2.0.0", "runs": []}), "2.1.0 expected"),
    ("no runs", json.dumps({"version": "2.1.0"}), "not valid SARIF at runs"),
    ("no tool name", json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}), "name"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_log_is_a_clear_error(name: str, text: str, message: str) -> None:
    with pytest.raises(SarifError, match=r"^lint\.sarif: ") as caught:
        sarif_findings([SarifInput("lint.sarif", text)], FILES)
    assert message in str(caught.value)


def test_a_run_without_results_is_fine() -> None:
    text = json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]})
    assert sarif_findings([SarifInput("empty", text)], FILES) == []
