"""One Review as a SARIF 2.1.0 log that GitHub code scanning accepts and tracks.

What code scanning uses, and where it comes from here:
- partialFingerprints: the finding's fingerprint (reviewers/anchoring.py), which survives
  line shifts, so an alert stays one alert across pushes instead of closing and reopening;
- a rule per check with a short and full description, help, `properties.tags` and, for
  security rules, `security-severity` (GitHub's scale: >= 9.0 critical, 7.0-8.9 high,
  4.0-6.9 medium, 0.1-3.9 low);
- a real rule id for model findings, `model/<category>` (the model that found it is a
  property of the result, not a rule);
- artifact URIs relative to the repository root, percent-encoded.
Upload: docs/deploy.md, "Code scanning (SARIF)".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from reviewers.anchoring import fingerprint
from reviewers.models import Category, Finding, Review, Severity, Side
from reviewers.static.rules import StaticRule, catalogue

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/OWNER/prbot"
FINGERPRINT_KEY = "prbotFindingFingerprint/v1"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 3.0,
    Severity.INFO: 1.0,
}
MODEL_RULE_TEXT = {
    Category.DEFECT: "A change that can make the code misbehave",
    Category.SECURITY: "A change that weakens security",
    Category.PERFORMANCE: "A change that makes the code slower or heavier than it needs to be",
    Category.MAINTAINABILITY: "A change that makes the code harder to read or change safely",
    Category.FORMATTING: "Formatting or style that departs from the code around it",
}


@dataclass
class Rule:
    """A reportingDescriptor, and the highest severity of its results in this log."""

    id: str
    short: str
    full: str
    help: str
    tags: list[str]
    help_uri: str | None = None
    severities: list[Severity] = field(default_factory=list)

    def descriptor(self) -> dict[str, Any]:
        properties: dict[str, Any] = {"tags": sorted(set(self.tags))}
        if "security" in self.tags and self.severities:
            worst = max(self.severities, key=lambda s: s.rank)
            properties["security-severity"] = f"{SECURITY_SEVERITY[worst]:.1f}"
        descriptor: dict[str, Any] = {
            "id": self.id,
            "name": self.id,
            "shortDescription": {"text": self.short},
            "fullDescription": {"text": self.full},
            "help": {"text": self.help, "markdown": self.help},
            "properties": properties,
        }
        if self.help_uri:
            descriptor["helpUri"] = self.help_uri
        return descriptor


def rule_id(finding: Finding) -> str:
    namespace, colon, _ = finding.source.partition(":")
    if colon and namespace in ("static", "secret", "ruff", "sarif"):
        return finding.source
    return f"model/{finding.category.value}"  # source is the model's id


def rule_for(finding: Finding, static: dict[str, StaticRule]) -> Rule:
    ident = rule_id(finding)
    tags = [finding.category.value]
    if finding.category is Category.SECURITY:
        tags.append("security")
    namespace, _, name = ident.partition(":")
    if namespace == "static" and name in static:
        known = static[name]
        tags += ["security"] if known.category is Category.SECURITY else []
        return Rule(
            ident,
            known.title,
            f"{known.title}. {known.fix}",
            known.fix + "".join(f"\n\n- {ref}" for ref in known.references),
            tags,
            help_uri=next((r for r in known.references if r.startswith("https://")), None),
        )
    if namespace == "secret":
        kind = name.replace("-", " ")
        return Rule(
            ident,
            f"Secret in the change: {kind}",
            f"A {kind} appears on an added line. prbot redacts it before any prompt leaves.",
            "Treat it as leaked: revoke or rotate it, since removing it from the code does "
            "not remove it from git history. Load it from the environment or a secret store.",
            [*tags, "security", "secret"],
        )
    if ident.startswith("model/"):
        text = MODEL_RULE_TEXT[finding.category]
        return Rule(
            ident,
            f"{text} (model review)",
            f"{text}, as judged by a model reviewing the changed hunk with its context. "
            "The result's `model` property names the model.",
            "Read the finding's message: it says what is wrong and how to put it right.",
            [*tags, "model"],
        )
    return Rule(
        ident,
        f"{ident} ({finding.category.value})",
        f"Reported by {ident}: {finding.category.value}.",
        "See the tool that reported it.",
        tags,
    )


def to_sarif(review: Review, version: str = "unknown") -> dict[str, Any]:
    static = {rule.id: rule for rule in catalogue()}
    rules: dict[str, Rule] = {}
    results = []
    for finding, print_ in located(review):
        rule = rules.setdefault(rule_id(finding), rule_for(finding, static))
        rule.severities.append(finding.severity)
        results.append(result(finding, print_, list(rules).index(rule.id)))
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "prbot",
                        "semanticVersion": version,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule.descriptor() for rule in rules.values()],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
                "results": results,
            }
        ],
    }


def located(review: Review) -> Iterator[tuple[Finding, str]]:
    """Each finding with its fingerprint; anchored ones keep the fingerprint they were
    posted with, unanchored ones get one from their finding alone."""
    for comment in review.comments:
        yield comment.finding, comment.fingerprint
    for finding in review.unanchored:
        yield finding, fingerprint(finding, "")


def result(finding: Finding, print_: str, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"}
    physical: dict[str, Any] = {"artifactLocation": location}
    text = f"{finding.title}\n\n{finding.body}"
    if finding.side is Side.RIGHT:
        end = max(finding.end_line, finding.start_line)
        physical["region"] = {"startLine": finding.start_line, "endLine": end}
    else:  # a removed line: not in the scanned (head) file, so the file is the location
        text += f"\n\n(On removed line {finding.start_line} of the base version.)"
    return {
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
        "properties": {
            "category": finding.category.value,
            "severity": finding.severity.value,
            "confidence": finding.confidence,
            "route": finding.route.value,
            "source": finding.source,
            **({"model": finding.source} if rule_id(finding).startswith("model/") else {}),
        },
    }
