"""The recordings file store: one JSON file per request, `<dir>/<key[:2]>/<key>.json`.

The core sees it as a `RecordingStore` (reviewers/llm/recording.py); reads and writes run in
a worker thread so the event loop awaiting the review keeps serving.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from reviewers.llm.recording import Record


class FileRecordingStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def where(self, key: str) -> str:
        return str(self.path_for(key).parent)

    async def load(self, key: str) -> Record | None:
        return await asyncio.to_thread(self._read, self.path_for(key))

    async def save(self, key: str, record: Record) -> None:
        await asyncio.to_thread(self._write, self.path_for(key), record)

    @staticmethod
    def _read(path: Path) -> Record | None:
        if not path.is_file():
            return None
        data: Record = json.loads(path.read_text(encoding="utf-8"))
        return data

    @staticmethod
    def _write(path: Path, record: Record) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        partial.replace(path)  # a crash mid-write leaves no half recording to replay
