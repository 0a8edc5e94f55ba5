"""SARIF output for GitHub code scanning: valid against the SARIF 2.1.0 schema, with stable
fingerprints, described rules, real rule ids for model findings and encoded paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from bot.output import format_review
from bot.sarif_output import FINGERPRINT_KEY, to_sarif
from reviewers.anchoring import fingerprint
from reviewers.models import (
    Category,
    Coverage,
    Finding,
    Review,
    ReviewComment,
    Route,
    Severity,
    Side,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests/schemas/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def finding(
    source: str,
    category: Category = Category.SECURITY,
    severity: Severity = Severity.HIGH,
    path: str = "app/users.py",
    side: Side = Side.RIGHT,
    line: int = 5,
) -> Finding:
    return Finding(
        path=path,
        side=side,
        start_line=line,
        end_line=line,
        category=category,
        severity=severity,
        confidence=0.9,
        title=f"{source} title",
        body="What is wrong, and how to put it right.",
        route=Route.FRONTIER,
        source=source,
    )


def comment(f: Finding, print_: str) -> ReviewComment:
    return ReviewComment(f, f.path, f.side, f.start_line, None, print_)


COMMENTS = (
    comment(finding("static:py-sql-built"), "aaaa000011112222"),
    comment(finding("secret:aws-access-key", severity=Severity.CRITICAL), "bbbb000011112222"),
    comment(finding("claude-sonnet-5-5"), "cccc000011112222"),
    comment(
        finding("gpt-6.1-sol", Category.DEFECT, Severity.MEDIUM, path="src/my file#1 é.py"),
        "dddd000011112222",
    ),
    comment(finding("claude-sonnet-5-5", severity=Severity.LOW, line=9), "eeee000011112222"),
    comment(
        finding("sarif:eslint/no-eval", Category.SECURITY, side=Side.LEFT, line=3),
        "ffff000011112222",
    ),
)
UNANCHORED = (finding("claude-haiku-5-5", Category.MAINTAINABILITY, Severity.INFO, line=40),)
REVIEW = Review(
    comments=COMMENTS,
    unanchored=UNANCHORED,
    coverage=Coverage(files_total=2, files_reviewed=2, hunks_by_route={}, lines_by_route={}),
    usage=(),
)


@pytest.fixture(scope="module")
def sarif() -> dict[str, Any]:
    text = format_review(REVIEW, "sarif")
    data: dict[str, Any] = json.loads(text)
    return data


def test_the_log_validates_against_the_sarif_2_1_0_schema(sarif: dict[str, Any]) -> None:
    Draft4Validator.check_schema(SCHEMA)
    errors = sorted(Draft4Validator(SCHEMA).iter_errors(sarif), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-schema-2.1.0.json")


def test_the_checker_would_see_an_invalid_log() -> None:
    broken = to_sarif(REVIEW)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(Draft4Validator(SCHEMA).iter_errors(broken))


def test_each_result_carries_its_findings_fingerprint(sarif: dict[str, Any]) -> None:
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in sarif["runs"][0]["results"]]
    expected = [c.fingerprint for c in COMMENTS] + [fingerprint(UNANCHORED[0], "")]
    assert prints == expected


def test_model_findings_get_a_rule_per_category_not_the_model_id(sarif: dict[str, Any]) -> None:
    results = sarif["runs"][0]["results"]
    ids = [r["ruleId"] for r in results]
    assert ids == [
        "static:py-sql-built",
        "secret:aws-access-key",
        "model/security",
        "model/defect",
        "model/security",
        "sarif:eslint/no-eval",
        "model/maintainability",
    ]
    assert results[2]["properties"]["model"] == "claude-sonnet-5-5"
    assert results[3]["properties"]["model"] == "gpt-6.1-sol"


def rules_by_id(sarif: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}


def test_every_rule_is_described_and_indexed(sarif: dict[str, Any]) -> None:
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip(), (rule["id"], key)
        assert rule["properties"]["tags"]
    sql = rules_by_id(sarif)["static:py-sql-built"]
    assert sql["shortDescription"]["text"] != sql["id"]  # the catalogue's title


def test_security_rules_are_tagged_and_scored_by_their_worst_result(
    sarif: dict[str, Any],
) -> None:
    rules = rules_by_id(sarif)
    scores = {
        rule_id: rule["properties"].get("security-severity") for rule_id, rule in rules.items()
    }
    assert scores == {
        "static:py-sql-built": "8.0",
        "secret:aws-access-key": "9.5",
        "model/security": "8.0",  # high and low results: the high one counts
        "model/defect": None,
        "sarif:eslint/no-eval": "8.0",
        "model/maintainability": None,
    }
    for rule_id, score in scores.items():
        tags = rules[rule_id]["properties"]["tags"]
        assert ("security" in tags) == (score is not None), rule_id
        if score is not None:
            assert 0.1 <= float(score) <= 10.0


def test_paths_are_percent_encoded_relative_uris(sarif: dict[str, Any]) -> None:
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    ]
    assert uris[3] == "src/my%20file%231%20%C3%A9.py"
    assert uris[0] == "app/users.py"
    bases = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"]
        for r in sarif["runs"][0]["results"]
    }
    assert bases == {"%SRCROOT%"}


def test_a_finding_on_a_removed_line_points_at_the_file_only(sarif: dict[str, Any]) -> None:
    removed = sarif["runs"][0]["results"][5]["locations"][0]["physicalLocation"]
    assert "region" not in removed
    kept = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert kept["region"] == {"startLine": 5, "endLine": 5}
