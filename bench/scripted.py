"""ScriptedModel: a deterministic in-process stand-in for a model (NOT a real reviewer).

It exists so the model configs (routed, frontier-only, small-only) can run offline: packing,
caching, token and $ accounting, anchoring and scoring all do their real work; only the
answer is canned. The rule, from the prompt alone:

- it reads the hunks in the prompt (`File: <path> (...)` headers, then `+ <new line> <text>`
  for added lines, as reviewers.context.render_hunk prints them);
- it flags each added line matching one of OBVIOUS_PATTERNS (eval/exec, pickle.loads,
  shell=True, verify=False) as one security finding (severity high, confidence 0.9);
- otherwise it answers {"findings": []}.

Usage is a deterministic estimate: input = estimate_tokens(system + prompt), output =
estimate_tokens(answer). perf_routing prices it like claude-sonnet-5-5 (frontier role) and
claude-haiku-5-5 (small role): see scripted_prices().
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from reviewers.budget import estimate_tokens
from reviewers.llm.base import Completion, CompletionRequest
from reviewers.llm.pricing import DEFAULT_PRICES, Price
from reviewers.models import TokenUsage
from reviewers.review import Models

SCRIPTED = "scripted"
FRONTIER_ID = "scripted-frontier"
SMALL_ID = "scripted-small"
PRICED_LIKE = {FRONTIER_ID: "claude-sonnet-5-5", SMALL_ID: "claude-haiku-5-5"}
OBVIOUS_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "eval/exec of dynamic code": re.compile(r"\b(?:eval|exec)\("),
    "pickle.loads of untrusted bytes": re.compile(r"\bpickle\.loads?\("),
    "shell=True in a subprocess call": re.compile(r"\bshell\s*=\s*True\b"),
    "TLS verification disabled": re.compile(r"\bverify\s*=\s*False\b"),
}
_FILE = re.compile(r"^File: (?P<path>.+) \((?:added|deleted|modified|renamed|copied)\)$")
_ADDED = re.compile(r"^\+ +(?P<no>\d+) (?P<text>.*)$")


def is_scripted(model_id: str | None) -> bool:
    return model_id is not None and model_id.startswith(SCRIPTED)


def scripted_findings(prompt: str) -> list[dict[str, Any]]:
    """The documented rule: one security finding per added line matching an obvious pattern."""
    findings: list[dict[str, Any]] = []
    path: str | None = None
    for line in prompt.splitlines():
        if header := _FILE.match(line):
            path = header.group("path")
            continue
        added = _ADDED.match(line)
        if added is None or path is None:
            continue
        for title, pattern in OBVIOUS_PATTERNS.items():
            if pattern.search(added.group("text")):
                no = int(added.group("no"))
                findings.append(_finding(path, no, title))
                break
    return findings


def _finding(path: str, line: int, title: str) -> dict[str, Any]:
    return {
        "path": path,
        "side": "RIGHT",
        "start_line": line,
        "end_line": line,
        "category": "security",
        "severity": "high",
        "confidence": 0.9,
        "title": title[:1].upper() + title[1:],
        "body": "Flagged by the scripted stand-in model's pattern rule (not a real review).",
        "suggestion": None,
    }


class ScriptedModel:
    """The model protocol, answered by scripted_findings; no I/O, no randomness."""

    def __init__(self, model_id: str = SCRIPTED) -> None:
        self._model_id = model_id
        self.calls = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    async def complete(self, request: CompletionRequest) -> Completion:
        self.calls += 1
        text = json.dumps({"findings": scripted_findings(request.prompt)}, sort_keys=True)
        tokens = TokenUsage(
            input_tokens=estimate_tokens(request.system + request.prompt),
            output_tokens=estimate_tokens(text),
        )
        return Completion(text=text, tokens=tokens, model=self._model_id)


def scripted_models() -> Models:
    """Both roles scripted, under distinct ids so each role can carry its own price."""
    return Models(small=ScriptedModel(SMALL_ID), frontier=ScriptedModel(FRONTIER_ID))


def scripted_prices() -> dict[str, Price]:
    """The scripted roles priced like the default Anthropic models of those roles."""
    return {model: DEFAULT_PRICES[like] for model, like in PRICED_LIKE.items()}
