"""An in-process model that follows a script: for unit tests of the orchestrator.

Provider wire formats are tested against the HTTP fakes (llm_server.py); this one only
implements the protocol, like simonw/llm's MockModel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reviewers.llm.base import Completion, CompletionRequest
from reviewers.models import TokenUsage

Responder = Callable[[CompletionRequest], "str | dict[str, Any] | Exception"]


class ScriptedLLM:
    def __init__(self, model_id: str, responder: Responder, tokens: TokenUsage | None = None):
        self._model_id = model_id
        self.responder = responder
        self.tokens = tokens or TokenUsage(input_tokens=1000, output_tokens=100)
        self.requests: list[CompletionRequest] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        answer = self.responder(request)
        if isinstance(answer, Exception):
            raise answer
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Completion(text=text, tokens=self.tokens, model=self._model_id)


def answer(*findings: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid answer with the given findings (missing fields filled in)."""
    defaults = {
        "side": "RIGHT",
        "category": "defect",
        "severity": "high",
        "confidence": 0.9,
        "title": "Problem",
        "body": "Explanation.",
        "suggestion": None,
    }
    return {"findings": [{**defaults, **f} for f in findings]}
