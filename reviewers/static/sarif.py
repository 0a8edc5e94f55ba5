"""Other linters' results in: SARIF 2.1.0 logs as findings on the diff's added lines.

Any tool that writes SARIF (eslint, golangci-lint, semgrep, CodeQL, mypy through a
converter) joins the same review: results outside the added lines are dropped, suppressed
ones too, duplicates (by the tool's fingerprint, else by rule, place and message) are kept
once, and each becomes a Finding anchored like the static tier's own.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewers.models import Category, FileDiff, Finding, LineKind, Route, Severity, Side

CONFIDENCE = 0.8  # a tool's result, not a guess; below the static tier's own top rules
_LEVELS = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW}


class SarifError(ValueError):
    """A SARIF log that is not JSON, not SARIF 2.1.0, or not of the expected shape."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Message(_Loose):
    text: str = ""


class _Region(_Loose):
    start_line: int | None = Field(None, alias="startLine", ge=1)
    end_line: int | None = Field(None, alias="endLine", ge=1)


class _Artifact(_Loose):
    uri: str = ""


class _Physical(_Loose):
    artifact_location: _Artifact = Field(alias="artifactLocation")
    region: _Region | None = None


class _Location(_Loose):
    physical_location: _Physical | None = Field(None, alias="physicalLocation")


class _Result(_Loose):
    rule_id: str | None = Field(None, alias="ruleId")
    rule_index: int | None = Field(None, alias="ruleIndex")
    level: str | None = None
    message: _Message = _Message()
    locations: list[_Location] = []
    partial_fingerprints: dict[str, str] = Field({}, alias="partialFingerprints")
    fingerprints: dict[str, str] = {}
    suppressions: list[dict[str, object]] = []
    baseline_state: str | None = Field(None, alias="baselineState")


class _Rule(_Loose):
    id: str
    help_uri: str | None = Field(None, alias="helpUri")
    properties: dict[str, object] = {}
    default_configuration: dict[str, object] = Field({}, alias="defaultConfiguration")


class _Driver(_Loose):
    name: str
    rules: list[_Rule] = []


class _Tool(_Loose):
    driver: _Driver


class _Run(_Loose):
    tool: _Tool
    results: list[_Result] | None = None


class _Log(_Loose):
    version: str
    runs: list[_Run]


@dataclass(frozen=True, slots=True)
class SarifInput:
    name: str  # where it came from (a file name), for error messages
    text: str


def read_sarif(source: SarifInput) -> _Log:
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as error:
        raise SarifError(f"{source.name}: not JSON: {error}") from error
    if not isinstance(data, dict):
        raise SarifError(f"{source.name}: not a SARIF log (a JSON object is expected)")
    if data.get("version") != "2.1.0":
        raise SarifError(f"{source.name}: SARIF version {data.get('version')!r}; 2.1.0 expected")
    try:
        return _Log.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SarifError(f"{source.name}: not valid SARIF at {where}: {first['msg']}") from error


def sarif_findings(sources: Iterable[SarifInput], files: Sequence[FileDiff]) -> list[Finding]:
    """Every result of every log that lands on an added line, once."""
    added = {f.path: _added(f) for f in files}
    findings: list[Finding] = []
    seen: set[str] = set()
    for source in sources:
        for run in read_sarif(source).runs:
            rules = {rule.id: rule for rule in run.tool.driver.rules}
            by_index = run.tool.driver.rules
            for result in run.results or []:
                if result.suppressions or result.baseline_state == "absent":
                    continue
                rule = _rule_of(result, rules, by_index)
                finding = _finding(run.tool.driver.name, result, rule, added)
                if finding is None:
                    continue
                key = _identity(run.tool.driver.name, result, finding)
                if key not in seen:
                    seen.add(key)
                    findings.append(finding)
    return findings


def _added(file: FileDiff) -> list[int]:
    return sorted(
        ln.new_no
        for hunk in file.hunks
        for ln in hunk.lines
        if ln.kind is LineKind.ADDED and ln.new_no is not None
    )


def _rule_of(result: _Result, rules: Mapping[str, _Rule], by_index: list[_Rule]) -> _Rule | None:
    if result.rule_id is not None and result.rule_id in rules:
        return rules[result.rule_id]
    if result.rule_index is not None and 0 <= result.rule_index < len(by_index):
        return by_index[result.rule_index]
    return None


def diff_path(uri: str, paths: Iterable[str]) -> str | None:
    """The diff path a SARIF artifact URI names: relative as it is, or an absolute one
    (file:///home/runner/work/repo/repo/src/a.js) by its longest matching tail."""
    parts = urlsplit(uri)
    path = unquote(parts.path if parts.scheme in ("file", "") else "").lstrip("./")
    if not path:
        return None
    known = set(paths)
    if path in known:
        return path
    tails = [p for p in known if path.endswith("/" + p)]
    return max(tails, key=len) if tails else None


def _finding(
    tool: str, result: _Result, rule: _Rule | None, added: Mapping[str, list[int]]
) -> Finding | None:
    for location in result.locations:
        physical = location.physical_location
        if physical is None or physical.region is None or physical.region.start_line is None:
            continue
        path = diff_path(physical.artifact_location.uri, added)
        if path is None:
            continue
        start = physical.region.start_line
        end = max(start, physical.region.end_line or start)
        rows = added[path]
        i = bisect.bisect_left(rows, start)
        if i < len(rows) and rows[i] <= end:
            return _to_finding(tool, result, rule, path, rows[i])
    return None


def _to_finding(tool: str, result: _Result, rule: _Rule | None, path: str, row: int) -> Finding:
    rule_id = result.rule_id or (rule.id if rule is not None else "result")
    severity, category = _grade(result, rule)
    text = result.message.text.strip() or rule_id
    help_uri = f"\n\n{rule.help_uri}" if rule is not None and rule.help_uri else ""
    return Finding(
        path=path,
        side=Side.RIGHT,
        start_line=row,
        end_line=row,
        category=category,
        severity=severity,
        confidence=CONFIDENCE,
        title=text.split("\n", 1)[0][:200],
        body=f"{tool} {rule_id}: {text}{help_uri}",
        route=Route.SMALL,
        source=f"sarif:{tool}/{rule_id}",
    )


def _grade(result: _Result, rule: _Rule | None) -> tuple[Severity, Category]:
    """GitHub's reading: security-severity (CVSS) for security rules, else the level."""
    properties = rule.properties if rule is not None else {}
    tags = properties.get("tags")
    security = isinstance(tags, list) and "security" in tags
    score = properties.get("security-severity")
    if score is not None:
        try:
            cvss = float(str(score))
        except ValueError:
            cvss = None
        if cvss is not None:
            return _cvss(cvss), Category.SECURITY
    default = rule.default_configuration.get("level") if rule is not None else None
    level = result.level or (default if isinstance(default, str) else None) or "warning"
    severity = _LEVELS.get(level, Severity.INFO)
    if security:
        return severity, Category.SECURITY
    return severity, Category.DEFECT if level == "error" else Category.MAINTAINABILITY


def _cvss(score: float) -> Severity:
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW


def _identity(tool: str, result: _Result, finding: Finding) -> str:
    """The tool's own fingerprint when it gives one, else rule, place and message."""
    prints = result.partial_fingerprints or result.fingerprints
    if prints:
        return tool + "\0" + "\0".join(f"{k}={v}" for k, v in sorted(prints.items()))
    return "\0".join((finding.source, finding.path, str(finding.start_line), finding.title))
