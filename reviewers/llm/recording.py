"""Record model answers keyed like the cache, so a benchmark rerun is reproducible and free.

The core half: RecordingLLM and the request key. Where recordings live is a
`RecordingStore` handed in (adapters/recordings.py keeps one JSON file per request), so
no file I/O happens here. The key covers the model id and everything the model is sent
(system prompt, shared text, prompt, schema, output limit, reasoning), so any change to
prompts or routing records anew.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Protocol

from reviewers.llm.base import LLM, Completion, CompletionRequest
from reviewers.models import TokenUsage

Record = Mapping[str, Any]  # {"text": ..., "tokens": {...}, "model": ...}


class RecordingMissing(RuntimeError):
    """--replay-only and no recording for this request: fail fast rather than call out."""


class RecordingStore(Protocol):
    """Where recordings are kept; implementations do their I/O off the event loop."""

    async def load(self, key: str) -> Record | None: ...

    async def save(self, key: str, record: Record) -> None: ...

    def where(self, key: str) -> str: ...  # for messages: where the recording would be


def request_key(model_id: str, request: CompletionRequest) -> str:
    parts = [
        model_id,
        request.system,
        request.prompt,
        json.dumps(request.schema, sort_keys=True),
        request.schema_name,
        str(request.max_output_tokens),
    ]
    # Appended only when set, so recordings made before these fields existed still replay.
    if request.shared:
        parts.append(f"shared:{request.shared}")
    if request.reasoning != "off":
        parts.append(f"reasoning:{request.reasoning}")
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def to_record(completion: Completion) -> Record:
    return {"text": completion.text, "tokens": asdict(completion.tokens), "model": completion.model}


def from_record(record: Record) -> Completion:
    return Completion(record["text"], TokenUsage(**record["tokens"]), record["model"])


class RecordingLLM:
    """Replays a recorded answer when there is one; otherwise calls `inner` and records it."""

    def __init__(
        self, inner: LLM | None, store: RecordingStore, model_id: str | None = None
    ) -> None:
        if inner is None and model_id is None:
            raise ValueError("replay-only recording needs the model id it replays")
        self.inner = inner  # None: replay only
        self.store = store
        self._model_id = model_id or (inner.model_id if inner else "")
        self.replayed = 0
        self.recorded = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    async def complete(self, request: CompletionRequest) -> Completion:
        key = request_key(self.model_id, request)
        record = await self.store.load(key)
        if record is not None:
            self.replayed += 1
            return from_record(record)
        if self.inner is None:
            raise RecordingMissing(
                f"no recording for {self.model_id} request {key[:12]} in {self.store.where(key)}"
            )
        completion = await self.inner.complete(request)
        await self.store.save(key, to_record(completion))
        self.recorded += 1
        return completion
