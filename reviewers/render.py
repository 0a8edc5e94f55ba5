"""Markdown for the review summary and for each inline comment."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from reviewers.models import (
    Finding,
    Review,
    ReviewComment,
    Route,
    Severity,
    Side,
    Unreviewed,
    Usage,
)

SEVERITY_ICON = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}
FINGERPRINT_MARKER = "<!-- prbot:fp={} -->"
REVIEWER_MARKER = "<!-- prbot:by={} -->"  # which reviewer found it: decides when it may resolve
# Finding.source prefixes of the static tier (reviewers/static) and of SARIF input.
STATIC_REVIEWERS = ("ruff", "static", "secret", "sarif")
MODEL_REVIEWERS = ("small", "frontier")
MAX_LISTED = 20  # files listed per reason in the coverage section


def fence_for(text: str) -> str:
    """A backtick fence longer than any run inside the text, so it cannot close early."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def reviewer_of(finding: Finding) -> str:
    """The static reviewer's name ("ruff", ...) or the model route that produced a finding."""
    family = finding.source.partition(":")[0]
    return family if ":" in finding.source and family in STATIC_REVIEWERS else finding.route.value


def render_comment(comment: ReviewComment) -> str:
    finding = comment.finding
    parts = [_headline(finding), "", finding.body.strip()]
    if finding.replacement is not None and comment.side is Side.RIGHT:
        parts += ["", *suggestion_block(finding.replacement)]
    parts += [
        "",
        _footer(finding),
        REVIEWER_MARKER.format(reviewer_of(finding)),
        FINGERPRINT_MARKER.format(comment.fingerprint),
    ]
    return "\n".join(parts)


def suggestion_block(replacement: str) -> list[str]:
    """The ```suggestion lines that replace the commented lines with `replacement`.

    GitHub replaces the commented lines with the block's lines exactly, so a deletion is an
    empty block (a block holding one empty line would leave a blank line behind). One
    trailing newline ends the last line; "\n" alone is one blank line.
    """
    fence = fence_for(replacement)
    body = [replacement.removesuffix("\n")] if replacement else []
    return [f"{fence}suggestion", *body, fence]


def _headline(finding: Finding) -> str:
    icon = SEVERITY_ICON[finding.severity]
    label = f"{finding.severity.value.capitalize()} · {finding.category.value}"
    return f"{icon} **{label}**: {finding.title.strip()}"


def _footer(finding: Finding) -> str:
    return (
        f"<sub>prbot · {finding.route.value} · {finding.source} · "
        f"confidence {finding.confidence:.2f}</sub>"
    )


def render_summary(review: Review, marker: str = "") -> str:
    lines = ["## prbot review", "", _headline_counts(review), ""]
    if review.unanchored:
        lines += ["### Findings not placed inline", ""]
        lines += [_unanchored_line(f) for f in review.unanchored]
        lines.append("")
    lines += _coverage_section(review)
    lines += _cost_section(review.usage)
    if review.dropped_outputs:
        lines += [f"- {review.dropped_outputs} model answer(s) failed the schema and were dropped."]
    lines += [f"- {note}" for note in review.notes]
    if marker:
        lines += ["", marker]
    return "\n".join(lines).rstrip() + "\n"


def _headline_counts(review: Review) -> str:
    findings = review.findings
    if not findings:
        counts = "No findings"
    else:
        by = Counter(f.severity for f in findings)
        ordered = sorted(by, key=lambda s: s.rank, reverse=True)
        counts = f"**{len(findings)} finding(s)**: " + ", ".join(
            f"{by[s]} {s.value}" for s in ordered
        )
    cov = review.coverage
    cost = sum(u.cost_usd for u in review.usage)
    return f"{counts} · reviewed {cov.files_reviewed}/{cov.files_total} files · ${cost:.4f}"


def _unanchored_line(finding: Finding) -> str:
    where = f"`{finding.path}:{finding.start_line}`"
    if finding.end_line != finding.start_line:
        where = f"`{finding.path}:{finding.start_line}-{finding.end_line}`"
    body = " ".join(finding.body.split())
    return f"- {where} {_headline(finding)}: {body}"


def _coverage_section(review: Review) -> list[str]:
    cov = review.coverage
    routes = ", ".join(
        f"{cov.hunks_by_route.get(r, 0)} {r.value}"
        for r in (Route.FRONTIER, Route.SMALL, Route.SKIP)
    )
    lines = [
        "### Coverage",
        "",
        f"- Reviewed {cov.files_reviewed}/{cov.files_total} files (hunks: {routes}).",
    ]
    skipped = [u for u in cov.unreviewed if u.route is Route.SKIP]
    missed = [u for u in cov.unreviewed if u.route is not Route.SKIP]
    if skipped:
        reasons = Counter(u.reason for u in skipped)
        listed = "; ".join(f"{reason} ({n})" for reason, n in reasons.most_common())
        lines.append(f"- Skipped by design: {listed}.")
    for reason, items in _group(missed).items():
        files = sorted({u.path for u in items})
        shown = ", ".join(f"`{p}`" for p in files[:MAX_LISTED])
        more = f" and {len(files) - MAX_LISTED} more" if len(files) > MAX_LISTED else ""
        lines.append(f"- **Not reviewed** ({reason}): {len(items)} hunk(s) in {shown}{more}.")
    return [*lines, ""]


def _group(items: Sequence[Unreviewed]) -> dict[str, list[Unreviewed]]:
    grouped: dict[str, list[Unreviewed]] = defaultdict(list)
    for item in items:
        grouped[item.reason].append(item)
    return grouped


def _cost_section(usage: Sequence[Usage]) -> list[str]:
    if not usage:
        return ["### Cost", "", "- No model calls: $0.00.", ""]
    lines = [
        "### Cost",
        "",
        "| route | model | calls | input | cached input | output | $ | cache hits | saved $ |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for u in usage:
        t = u.tokens
        lines.append(
            f"| {u.route.value} | {u.model} | {u.calls} | {t.input_tokens} | "
            f"{t.cache_read_tokens} | {t.output_tokens} | {u.cost_usd:.4f} | {u.cache_hits} | "
            f"{u.saved_usd:.4f} |"
        )
    return [*lines, ""]
