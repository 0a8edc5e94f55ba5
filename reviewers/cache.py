"""Per-hunk result cache: the same change, judged once, wherever and whenever it reappears.

Key = sha256(normalized hunk + file kind + route + prompt name@version + model id +
rule-set version + repo instructions). Normalized = line numbers and trailing whitespace
dropped, so a hunk repeated in two files or re-pushed unchanged hits. Values are the
validated findings with line offsets relative to the hunk, plus the usage and cost they
took the first time, so a hit can report what it saved. Stored as JSON, never pickle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import diskcache

from reviewers.models import Category, Finding, Hunk, Route, Severity, Side, TokenUsage

CACHE_FORMAT = "1"


@dataclass(frozen=True, slots=True)
class CachedFinding:
    side: Side
    start_offset: int  # relative to the hunk's start on that side
    end_offset: int
    category: Category
    severity: Severity
    confidence: float
    title: str
    body: str
    source: str
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class CachedHunk:
    findings: tuple[CachedFinding, ...]
    tokens: TokenUsage  # this hunk's share of the call that judged it
    cost_usd: float
    model: str


class ReviewCache(Protocol):
    def get(self, key: str) -> CachedHunk | None: ...

    def set(self, key: str, value: CachedHunk) -> None: ...


def normalize_hunk(hunk: Hunk) -> str:
    return "\n".join(f"{line.kind.value}{line.text.rstrip()}" for line in hunk.lines)


def cache_key(
    hunk: Hunk,
    file_kind: str,
    route: Route,
    prompt_ref: str,
    model_id: str,
    ruleset: str,
    instructions: str = "",
) -> str:
    parts = [
        CACHE_FORMAT,
        normalize_hunk(hunk),
        file_kind,
        route.value,
        prompt_ref,
        model_id,
        ruleset,
        instructions,
    ]
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def hunk_start(hunk: Hunk, side: Side) -> int:
    return hunk.new_start if side is Side.RIGHT else hunk.old_start


def to_cached(finding: Finding, hunk: Hunk) -> CachedFinding:
    start = hunk_start(hunk, finding.side)
    return CachedFinding(
        side=finding.side,
        start_offset=finding.start_line - start,
        end_offset=finding.end_line - start,
        category=finding.category,
        severity=finding.severity,
        confidence=finding.confidence,
        title=finding.title,
        body=finding.body,
        source=finding.source,
        replacement=finding.replacement,
    )


def from_cached(cached: CachedFinding, hunk: Hunk, route: Route) -> Finding:
    start = hunk_start(hunk, cached.side)
    return Finding(
        path=hunk.path,
        side=cached.side,
        start_line=start + cached.start_offset,
        end_line=start + cached.end_offset,
        category=cached.category,
        severity=cached.severity,
        confidence=cached.confidence,
        title=cached.title,
        body=cached.body,
        route=route,
        source=cached.source,
        replacement=cached.replacement,
    )


def dump_hunk(value: CachedHunk) -> str:
    return json.dumps(asdict(value), sort_keys=True)


def load_hunk(text: str) -> CachedHunk:
    data: dict[str, Any] = json.loads(text)
    findings = tuple(
        CachedFinding(
            **{
                **f,
                "side": Side(f["side"]),
                "category": Category(f["category"]),
                "severity": Severity(f["severity"]),
            }
        )
        for f in data["findings"]
    )
    return CachedHunk(findings, TokenUsage(**data["tokens"]), data["cost_usd"], data["model"])


class DiskCache:
    """The embedded default: a diskcache directory, safe across processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: diskcache.Cache | None = None

    def _open(self) -> diskcache.Cache:
        if self._cache is None:
            self._cache = diskcache.Cache(str(self.directory))
        return self._cache

    def get(self, key: str) -> CachedHunk | None:
        text = self._open().get(key)
        return None if text is None else load_hunk(text)

    def set(self, key: str, value: CachedHunk) -> None:
        self._open().set(key, dump_hunk(value))

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None


class NoCache:
    """`--no-cache`: every lookup misses and nothing is stored."""

    def get(self, key: str) -> CachedHunk | None:
        return None

    def set(self, key: str, value: CachedHunk) -> None:
        return None
