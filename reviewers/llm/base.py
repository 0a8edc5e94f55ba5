"""The one-method model protocol every provider implements, and its error tree.

    LLMError
     +-- LLMUnavailable   network error, timeout, 429/5xx/529 after the SDK's retries
     +-- LLMRejected      the provider refused the request (auth, bad request, spend limit)
     +-- LLMNotConfigured no provider is configured for a role

A model answer that parses but fails the schema is not an exception: the caller
drops it and counts it (see reviewers.findings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from reviewers.models import TokenUsage

Reasoning = Literal["off", "low", "medium", "high"]


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    system: str  # stable prefix: instructions, rules; identical across calls (prompt caching)
    prompt: str  # the variable part, last: the delimited, untrusted diff
    schema: Mapping[str, Any]  # JSON schema the answer must follow
    schema_name: str = "submit_review"
    max_output_tokens: int = 2048
    # Stable across the calls of one review (the PR text): sent after `system`, before
    # `prompt`, as a second cacheable prefix. Empty: nothing between them.
    shared: str = ""
    # Room to think before answering, on each vendor's supported path; "off" answers at once.
    reasoning: Reasoning = "off"


@dataclass(frozen=True, slots=True)
class Completion:
    text: str  # the JSON answer as text
    tokens: TokenUsage
    model: str  # the model that answered (in a fallback chain, maybe not the first)
    # What the review's summary should say about this answer, e.g. why a fallback model
    # answered instead of the first one (FallbackLLM).
    notes: tuple[str, ...] = ()


class LLM(Protocol):
    @property
    def model_id(self) -> str: ...

    async def complete(self, request: CompletionRequest) -> Completion: ...


class LLMError(Exception):
    """Base of every model-layer error. `reason` is the message without the provider's
    request id (stable across calls, for the review summary); str() carries both."""

    def __init__(self, reason: str, request_id: str | None = None) -> None:
        self.reason = reason
        self.request_id = request_id
        super().__init__(f"{reason} (request id {request_id})" if request_id else reason)


class LLMUnavailable(LLMError):
    """The provider could not answer in time, even after retries."""


class LLMRejected(LLMError):
    """The provider refused the request; retrying will not help."""


class LLMNotConfigured(LLMError):
    """No provider is configured for the requested role."""
