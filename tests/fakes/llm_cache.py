"""Prompt caching as the vendors document it, for the fake model server's `usage`.

Anthropic (explicit breakpoints): a prefix ends at each block carrying `cache_control`
(a top-level `cache_control` adds one at the end of the prompt), in the order tools ->
system -> messages. A prefix shorter than the model's minimum is never cached, silently.
A request reads the longest prefix an earlier request cached, writes the rest up to its
last cacheable breakpoint, and pays the base rate for what follows:
input_tokens + cache_read_input_tokens + cache_creation_input_tokens = the whole prompt.

OpenAI (automatic): the longest prefix shared with an earlier request to the same model is
read from the cache once it is at least 1,024 tokens, in steps of 128 tokens; cached tokens
are counted inside input_tokens. From the GPT-5.6 family on, the cacheable part of a prompt
that was not read is reported (and billed) as cache writes.

Token counts are the fake's estimate (ceil(chars / 4) per text segment).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Minimum cacheable prefix per model family, longest prefix first. Anthropic's per-model
# figures (../shared/reference/github-and-llm-apis.md section 5: Opus 5 512, Sonnet 5 and
# Opus 4.8 1,024, Haiku 4.5 and Opus 4.5-4.6 4,096; the 5.5 models take their family's).
ANTHROPIC_MINIMUMS: Mapping[str, int] = {
    "claude-opus-4-5": 4096,
    "claude-opus-4-6": 4096,
    "claude-opus-4-8": 1024,
    "claude-opus-5": 512,
    "claude-sonnet": 1024,
    "claude-haiku": 4096,
}
ANTHROPIC_DEFAULT_MINIMUM = 1024
OPENAI_MINIMUM = 1024
OPENAI_STEP = 128
OPENAI_WRITE_BILLING = ("gpt-5.6", "gpt-6", "gpt-7")  # families that report cache writes


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


def anthropic_minimum(model: str) -> int:
    matches = [key for key in ANTHROPIC_MINIMUMS if model.startswith(key)]
    return ANTHROPIC_MINIMUMS[max(matches, key=len)] if matches else ANTHROPIC_DEFAULT_MINIMUM


@dataclass(frozen=True, slots=True)
class CacheUse:
    uncached: int  # billed at the base input rate
    read: int
    written: int

    @property
    def total(self) -> int:
        return self.uncached + self.read + self.written


class PromptCache:
    """What the fake's earlier requests left in the vendors' prompt caches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._prefixes: set[str] = set()  # Anthropic: hashes of cached prefixes
        self._streams: dict[tuple[str, str], list[str]] = {}  # OpenAI: earlier prompts

    def clear(self) -> None:
        with self._lock:
            self._prefixes.clear()
            self._streams.clear()

    def anthropic(
        self, model: str, segments: Sequence[tuple[str, bool]], minimum: int | None
    ) -> CacheUse:
        """`segments`: (text, ends a cacheable prefix) in cache order."""
        floor = anthropic_minimum(model) if minimum is None else minimum
        sizes = [estimate_tokens(text) for text, _ in segments]
        total = sum(sizes)
        ends = [i + 1 for i, (_, marked) in enumerate(segments) if marked]
        eligible = [(end, sum(sizes[:end])) for end in ends if sum(sizes[:end]) >= max(1, floor)]
        keys = {end: _digest([model, *(t for t, _ in segments[:end])]) for end, _ in eligible}
        with self._lock:
            read = max((size for end, size in eligible if keys[end] in self._prefixes), default=0)
            self._prefixes.update(keys.values())
        last = eligible[-1][1] if eligible else 0
        written = max(0, last - read)
        return CacheUse(uncached=total - read - written, read=read, written=written)

    def openai(
        self, api: str, model: str, segments: Sequence[str], minimum: int | None
    ) -> CacheUse:
        floor = OPENAI_MINIMUM if minimum is None else minimum
        total = sum(estimate_tokens(text) for text in segments)
        stream = "\x00".join(segments)
        with self._lock:
            earlier = self._streams.setdefault((api, model), [])
            shared = max((len(os.path.commonprefix([stream, e])) for e in earlier), default=0)
            earlier.append(stream)
        read = _steps(min(estimate_tokens(stream[:shared]) if shared else 0, total), floor)
        cacheable = _steps(total, floor)
        written = max(0, cacheable - read) if model.startswith(OPENAI_WRITE_BILLING) else 0
        return CacheUse(uncached=total - read - written, read=read, written=written)


def _steps(tokens: int, floor: int) -> int:
    """The part of a `tokens`-long prefix that caching covers: nothing below the minimum,
    then whole 128-token steps."""
    if tokens < max(1, floor):
        return 0
    return tokens // OPENAI_STEP * OPENAI_STEP if floor else tokens


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()
