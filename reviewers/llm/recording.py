"""Record model answers keyed like the cache, so a benchmark rerun is reproducible and free.

One JSON file per request under a directory: `<key[:2]>/<key>.json` with the answer text,
token usage and answering model. The key covers the model id, the whole system prompt,
the whole user prompt and the schema, so any change to prompts or routing records anew.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from reviewers.llm.base import LLM, Completion, CompletionRequest
from reviewers.models import TokenUsage


class RecordingMissing(RuntimeError):
    """--replay-only and no recording for this request: fail fast rather than call out."""


def request_key(model_id: str, request: CompletionRequest) -> str:
    parts = [
        model_id,
        request.system,
        request.prompt,
        json.dumps(request.schema, sort_keys=True),
        request.schema_name,
        str(request.max_output_tokens),
    ]
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class RecordingLLM:
    """Replays a recorded answer when there is one; otherwise calls `inner` and records it."""

    def __init__(self, inner: LLM | None, directory: Path, model_id: str | None = None) -> None:
        if inner is None and model_id is None:
            raise ValueError("replay-only recording needs the model id it replays")
        self.inner = inner  # None: replay only
        self.directory = directory
        self._model_id = model_id or (inner.model_id if inner else "")
        self.replayed = 0
        self.recorded = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    def path_for(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    async def complete(self, request: CompletionRequest) -> Completion:
        key = request_key(self.model_id, request)
        path = self.path_for(key)
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.replayed += 1
            return Completion(data["text"], TokenUsage(**data["tokens"]), data["model"])
        if self.inner is None:
            raise RecordingMissing(
                f"no recording for {self.model_id} request {key[:12]} in {path.parent}"
            )
        completion = await self.inner.complete(request)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "text": completion.text,
            "tokens": asdict(completion.tokens),
            "model": completion.model,
        }
        path.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        self.recorded += 1
        return completion
