"""A fallback chain: the first model that answers serves the role.

Any model error moves on to the next entry:
- LLMUnavailable (network, timeout, 429/5xx/529 after the SDK's own retries): the next
  provider is likely up.
- LLMAccountRejected (bad or missing key, no permission, unknown model for this account,
  spend limit): the next entry is usually another vendor or key.
- Any other LLMRejected (400 invalid request, 413, 422): vendors' request rules differ (what
  one API refuses, another accepts), so the next entry is worth a try too.
An answer after a failure carries notes saying which model failed, why, and which answered
(Completion.notes: the review's summary shows them). If every entry fails, an error of the
last one's kind is raised naming every failure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, runtime_checkable

from reviewers.llm.base import (
    LLM,
    Completion,
    CompletionRequest,
    LLMError,
    LLMNotConfigured,
    LLMRejected,
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
        """The first successful completion; Completion.model names the model that answered,
        and its notes say why any model before it did not."""
        failures: list[tuple[str, LLMError]] = []
        for llm in self._chain:
            try:
                completion = await llm.complete(request)
            except LLMError as err:
                log.warning("model %s failed, trying the next one: %s", llm.model_id, err)
                failures.append((llm.model_id, err))
                continue
            notes = tuple(
                f"{model} failed ({type(err).__name__}: {err.reason}); {completion.model} "
                "answered instead"
                for model, err in failures
            )
            return replace(completion, notes=completion.notes + notes) if notes else completion
        last = failures[-1][1]  # the chain is never empty
        if len(failures) == 1:
            raise last
        every = "; ".join(f"{model}: {err.reason}" for model, err in failures)
        raise type(last)(f"every model of the chain failed: {every}", last.request_id) from last
