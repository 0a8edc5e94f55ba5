"""Price ticker: fan out exchange prices to websocket clients."""

from __future__ import annotations

import asyncio
import json
import logging

from websockets.exceptions import ConnectionClosed

log = logging.getLogger(__name__)

SEND_TIMEOUT = 2.0
DROP_ERRORS = (TimeoutError, ConnectionError, ConnectionClosed)


class Ticker:
    def __init__(self) -> None:
        self._clients: set = set()

    def register(self, ws) -> None:
        self._clients.add(ws)

    def unregister(self, ws) -> None:
        self._clients.discard(ws)

    async def broadcast(self, prices: dict[str, float]) -> None:
        """Send to all clients concurrently; drop clients that are too slow or gone."""
        message = json.dumps(prices)
        clients = list(self._clients)
        results = await asyncio.gather(
            *(self._send(ws, message) for ws in clients), return_exceptions=True
        )
        for ws, result in zip(clients, results, strict=True):
            if isinstance(result, DROP_ERRORS):
                log.info("dropping client %s: %r", getattr(ws, "remote_address", "?"), result)
                self.unregister(ws)
            elif isinstance(result, BaseException):
                raise result

    async def _send(self, ws, message: str) -> None:
        async with asyncio.timeout(SEND_TIMEOUT):
            await ws.send(message)
