"""Prompt tokens of model requests, and the comparison with pr-agent that issue 9 targets.

Counted per request body the model server received, whatever the API: every text the model
reads (system prompt / instructions, every message, and the answer schema, which the
vendors bill as input: Anthropic's tool definitions, OpenAI's response format), each
segment encoded alone and summed. The runner is tests/perf/prompt_tokens.py
(`make bench-tokens`), which reviews the bench.prgen pull requests against the fake model
server; this module is the pure half: counting, the linear fit, the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

Count = Callable[[str], int]

# pr-agent measured the same way (issue 9, ../shared/reference/peer-bots.md section (e)):
# prompt tokens of `review` and of `review` + `improve`, and the files its prompts covered.
PR_AGENT_REVIEW = {"small": 1762, "medium": 11299, "large": 30985}
PR_AGENT_REVIEW_IMPROVE = {"small": 3893, "medium": 22759, "large": 72462}
PR_AGENT_FILES = {"small": "1/1", "medium": "8/8", "large": "35/60"}
PR_AGENT_FOLLOWUP_SHARE = 1.03
# prbot when issue 9 was filed (routed, cold), for the before/after line.
PRBOT_BEFORE = {"small": 1660, "medium": 15854, "large": 109979}
PRBOT_BEFORE_FOLLOWUP_SHARE = 0.138
# Issue 9's targets.
TARGET_PER_LINE = 15.0
TARGET_MEDIUM_RATIO = 0.35  # of pr-agent review+improve, with repository context
TARGET_LARGE_RATIO = 0.8
TARGET_FOLLOWUP_SHARE = 0.08


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _content_texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    texts: list[str] = []
    for block in content or []:
        if not isinstance(block, Mapping):
            continue
        text = block.get("text")
        texts.append(text if isinstance(text, str) else _json(block))
    return texts


def request_texts(api: str, body: Mapping[str, Any]) -> list[str]:
    """The texts of one request that the model reads, in the order it reads them."""
    texts: list[str] = []
    if api == "anthropic":
        texts += [_json(tool) for tool in body.get("tools") or []]
        system = body.get("system")
        texts += _content_texts(system) if system else []
        for message in body.get("messages") or []:
            texts += _content_texts(message.get("content"))
        fmt = (body.get("output_config") or {}).get("format")
        texts += [_json(fmt)] if fmt else []
    elif api == "responses":
        texts += [body["instructions"]] if body.get("instructions") else []
        items = body.get("input")
        if isinstance(items, str):
            texts.append(items)
        else:
            for item in items or []:
                texts += _content_texts(item.get("content"))
        fmt = (body.get("text") or {}).get("format")
        texts += [_json(fmt)] if fmt else []
    elif api == "chat":
        for message in body.get("messages") or []:
            texts += _content_texts(message.get("content"))
        texts += [_json(tool) for tool in body.get("tools") or []]
        texts += [_json(body["response_format"])] if body.get("response_format") else []
    else:
        raise ValueError(f"unknown API {api!r}")
    return [t for t in texts if t]


def prompt_tokens(api: str, body: Mapping[str, Any], count: Count) -> int:
    return sum(count(text) for text in request_texts(api, body))


@dataclass(frozen=True, slots=True)
class PRFigures:
    name: str
    changed_lines: int
    files: int
    calls: int
    tokens: int  # prompt tokens counted from the request bodies
    files_reviewed: int  # the review's own coverage (files_reviewed / files_total)
    files_in_prompt: int  # changed files whose path appears in some request
    reported_input: int = 0  # what the fake's usage reported: uncached + cache read + write
    cache_read: int = 0
    cache_write: int = 0
    cost_usd: float = 0.0

    @property
    def per_line(self) -> float:
        return self.tokens / self.changed_lines if self.changed_lines else 0.0


class Measured(NamedTuple):
    """One run over the PRs: a row per PR, and the follow-up with its first review."""

    rows: list[PRFigures]
    followup: PRFigures | None
    first: PRFigures | None


def linear_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares (intercept, slope) of y over x."""
    n = len(points)
    if n < 2:
        raise ValueError("a fit needs at least two points")
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        raise ValueError("a fit needs two different x values")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - slope * mean_x, slope


def _ratio(value: int, base: int | None) -> str:
    return f"{value / base:.2f}x" if base else "-"


def report(
    figures: Sequence[PRFigures], followup: PRFigures | None, first: PRFigures | None
) -> str:
    """The printed comparison: one row per PR, the fit, the follow-up share, the targets."""
    header = (
        "| PR | changed lines | files | calls | prompt tokens | per line | files reviewed "
        "| files in prompt | pr-agent review / +improve | ratio to review / +improve "
        "| prbot before | usage input (cache read / write) | $ |"
    )
    rows = [header, "|" + "---|" * 13]
    for f in figures:
        review = PR_AGENT_REVIEW.get(f.name)
        both = PR_AGENT_REVIEW_IMPROVE.get(f.name)
        agent = f"{review:,} / {both:,}" if review and both else "-"
        rows.append(
            f"| {f.name} | {f.changed_lines:,} | {f.files} | {f.calls} | {f.tokens:,} "
            f"| {f.per_line:.1f} | {f.files_reviewed}/{f.files} "
            f"| {f.files_in_prompt}/{f.files} | {agent} "
            f"| {_ratio(f.tokens, review)} / {_ratio(f.tokens, both)} "
            f"| {PRBOT_BEFORE.get(f.name, 0):,} | {f.reported_input:,} "
            f"({f.cache_read:,} / {f.cache_write:,}) "
            f"| {f.cost_usd:.4f} |"
        )
    lines = ["\n".join(rows), ""]
    fitted = [(float(f.changed_lines), float(f.tokens)) for f in figures if f.changed_lines]
    if len(fitted) >= 2:
        intercept, slope = linear_fit(fitted)
        lines.append(
            f"linear fit: {intercept:,.0f} + {slope:.1f} tokens per changed line "
            f"(target <= {TARGET_PER_LINE:.0f} per line without repository context; "
            f"pr-agent review ~692 + 18.5; prbot before ~79 + 27.4)"
        )
    if followup is not None and first is not None and first.tokens:
        share = followup.tokens / first.tokens
        lines.append(
            f"follow-up push (+{followup.changed_lines} lines, warm cache): {followup.tokens:,} "
            f"tokens in {followup.calls} calls = {share:.1%} of the first review "
            f"({first.tokens:,}); target <= {TARGET_FOLLOWUP_SHARE:.0%}, pr-agent "
            f"{PR_AGENT_FOLLOWUP_SHARE:.0%}, prbot before {PRBOT_BEFORE_FOLLOWUP_SHARE:.1%}"
        )
    by_name = {f.name: f for f in figures}
    for name, target in (("medium", TARGET_MEDIUM_RATIO), ("large", TARGET_LARGE_RATIO)):
        row = by_name.get(name)
        if row is not None:
            ratio = row.tokens / PR_AGENT_REVIEW_IMPROVE[name]
            lines.append(
                f"{name}: {ratio:.2f}x pr-agent review+improve, {row.files_reviewed}/{row.files} "
                f"files reviewed (target <= {target}x at full coverage)"
            )
    return "\n".join(lines)


def paths_in_prompts(paths: Iterable[str], texts: Iterable[str]) -> int:
    """How many of `paths` appear in any of the texts."""
    joined = "\n".join(texts)
    return sum(1 for path in paths if path in joined)


def baseline_report(now: Measured, before: Measured) -> str:
    """Prompt tokens now against another prbot revision, on the same PRs in the same run."""
    rows = ["| PR | prompt tokens | at the baseline | ratio | calls | at the baseline |"]
    rows.append("|---|---|---|---|---|---|")
    pairs = list(zip(now.rows, before.rows, strict=True))
    if now.first and before.first and now.followup and before.followup:
        pairs += [(now.first, before.first), (now.followup, before.followup)]
    for new, old in pairs:
        rows.append(
            f"| {new.name} | {new.tokens:,} | {old.tokens:,} | {_ratio(new.tokens, old.tokens)} "
            f"| {new.calls} | {old.calls} |"
        )
    return "\n".join(rows)
