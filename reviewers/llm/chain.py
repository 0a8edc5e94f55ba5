"""A fallback chain: the first model that answers serves the role.

When the chain moves on:
- LLMUnavailable (network, timeout, 429/5xx/529 after the SDK's own retries): the next
  provider is likely up, so try it.
- LLMAccountRejected (bad or missing key, no permission, unknown model for this account,
  spend limit): the refusal is about this account, and the next entry is usually another
  vendor or key, so try it.
- Any other LLMRejected (400 invalid request, 413 too large, 422): the request itself is at
  fault and would fail the same way elsewhere, so it is re-raised at once.
If every entry fails, the last error is raised; earlier ones are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from reviewers.llm.base import (
    LLM,
    Completion,
    CompletionRequest,
    LLMError,
    LLMNotConfigured,
    LLMRejected,
    LLMUnavailable,
)

log = logging.getLogger(__name__)


class LLMAccountRejected(LLMRejected):
    """The provider refused this account (auth, permission, model access, spend limit)."""


@runtime_checkable
class Closable(Protocol):
    """Providers own an SDK client with a connection pool; whoever built them closes them."""

    async def aclose(self) -> None: ...


class FallbackLLM:
    """Try each model in order; `skipped` records configured models that could not be built."""

    def __init__(self, chain: Sequence[LLM], skipped: Sequence[str] = ()) -> None:
        if not chain:
            raise LLMNotConfigured("a fallback chain needs at least one model")
        self._chain = tuple(chain)
        self._skipped = tuple(skipped)

    @property
    def model_id(self) -> str:
        return self._chain[0].model_id

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(llm.model_id for llm in self._chain)

    @property
    def skipped(self) -> tuple[str, ...]:
        return self._skipped

    async def aclose(self) -> None:
        for llm in self._chain:
            if isinstance(llm, Closable):
                await llm.aclose()

    async def complete(self, request: CompletionRequest) -> Completion:
        """The first successful completion; Completion.model names the model that answered."""
        last: LLMError | None = None
        for llm in self._chain:
            try:
                return await llm.complete(request)
            except (LLMUnavailable, LLMAccountRejected) as err:
                log.warning("model %s failed, trying the next one: %s", llm.model_id, err)
                last = err
        assert last is not None  # the chain is never empty
        raise last
