"""HTTP client for the card processor."""

from __future__ import annotations

from typing import Any

import httpx


class ProcessorError(RuntimeError):
    pass


class ProcessorClient:
    _default: ProcessorClient | None = None

    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=10)

    @classmethod
    def default(cls) -> ProcessorClient:
        if cls._default is None:
            cls._default = cls("https://processor.internal")
        return cls._default

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self._http.post(path, json=body)
        if reply.status_code >= 400:
            raise ProcessorError(reply.text)
        return reply.json()
