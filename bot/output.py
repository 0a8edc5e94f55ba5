"""The CLI's output formats for one Review: text, markdown, json and SARIF 2.1.0."""

from __future__ import annotations

import json
from typing import Any

from bot.cli import installed_version
from bot.sarif_output import to_sarif
from reviewers.models import Finding, Review
from reviewers.render import render_comment, render_summary

FORMATS = ("text", "markdown", "json", "sarif")


def format_review(review: Review, fmt: str) -> str:
    if fmt == "text":
        return to_text(review)
    if fmt == "markdown":
        return to_markdown(review)
    if fmt == "json":
        return json.dumps(to_json(review), indent=2, sort_keys=True)
    if fmt == "sarif":
        return json.dumps(to_sarif(review, installed_version()), indent=2)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def to_text(review: Review) -> str:
    lines = []
    for c in review.comments:
        f = c.finding
        span = f"{c.start_line}-{c.line}" if c.start_line else f"{c.line}"
        lines.append(f"{c.path}:{span} [{f.severity.value}/{f.category.value}] {f.title}")
        lines.append(f"    {' '.join(f.body.split())}  ({f.source})")
    for f in review.unanchored:
        lines.append(f"{f.path}:{f.start_line} (not in diff) [{f.severity.value}] {f.title}")
    lines.append("")
    lines.append(render_summary(review))
    return "\n".join(lines)


def to_markdown(review: Review) -> str:
    parts = [render_summary(review)]
    for c in review.comments:
        span = f"{c.start_line}-{c.line}" if c.start_line else f"{c.line}"
        parts.append(f"#### `{c.path}:{span}` ({c.side.value})\n\n{render_comment(c)}")
    return "\n\n".join(parts)


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "side": f.side.value,
        "start_line": f.start_line,
        "end_line": f.end_line,
        "category": f.category.value,
        "severity": f.severity.value,
        "confidence": f.confidence,
        "title": f.title,
        "body": f.body,
        "route": f.route.value,
        "source": f.source,
        "replacement": f.replacement,
    }


def to_json(review: Review) -> dict[str, Any]:
    cov = review.coverage
    return {
        "comments": [
            {
                **finding_json(c.finding),
                "line": c.line,
                "start_line": c.start_line,
                "anchored_side": c.side.value,
                "fingerprint": c.fingerprint,
            }
            for c in review.comments
        ],
        "unanchored": [finding_json(f) for f in review.unanchored],
        "coverage": {
            "files_total": cov.files_total,
            "files_reviewed": cov.files_reviewed,
            "hunks_by_route": {r.value: n for r, n in cov.hunks_by_route.items()},
            "lines_by_route": {r.value: n for r, n in cov.lines_by_route.items()},
            "unreviewed": [
                {"path": u.path, "hunk": u.hunk, "route": u.route.value, "reason": u.reason}
                for u in cov.unreviewed
            ],
        },
        "usage": [
            {
                "route": u.route.value,
                "model": u.model,
                "calls": u.calls,
                "input_tokens": u.tokens.input_tokens,
                "output_tokens": u.tokens.output_tokens,
                "cache_read_tokens": u.tokens.cache_read_tokens,
                "cache_write_tokens": u.tokens.cache_write_tokens,
                "reasoning_tokens": u.tokens.reasoning_tokens,  # part of output_tokens
                "cost_usd": round(u.cost_usd, 6),
                "cache_hits": u.cache_hits,
                "saved_usd": round(u.saved_usd, 6),
            }
            for u in review.usage
        ],
        "cost_usd": round(review.cost_usd, 6),
        "dropped_outputs": review.dropped_outputs,
        "notes": list(review.notes),
    }
