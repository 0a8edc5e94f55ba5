"""N workers on one queue, on an event loop of their own in a thread of their own.

Reviews never run on the loop that answers POST /webhook: the static pass, the cache and
the recordings are synchronous in places, and a review sharing the intake's loop stalled
every ack queued behind it. `prbot serve` (embedded backend) and `prbot worker` (redis
backend) both run their workers through this class.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from bot.jobs import Handle, JobQueue, default_worker_id, run_worker
from bot.metrics import Metrics

log = logging.getLogger(__name__)


class WorkerPool:
    """`count` run_worker tasks; start() and stop() may be called from any thread."""

    def __init__(
        self,
        queue: JobQueue,
        handle: Handle | None,
        count: int,
        *,
        lease_seconds: float = 60.0,
        poll_interval: float = 0.5,
        grace: float = 10.0,
        metrics: Metrics | None = None,
        name: str = "prbot-workers",
    ) -> None:
        self.queue = queue
        self.handle = handle
        self.count = count if handle is not None else 0
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.grace = grace
        self.metrics = metrics
        self.name = name
        self.tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stopping = False

    def start(self) -> None:
        if self.handle is None or self.count == 0:
            return
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            self._started.set()  # start() returns even if the workers never began
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _main(self) -> None:
        assert self.handle is not None
        self._stop = asyncio.Event()
        self.tasks = [
            asyncio.create_task(
                run_worker(
                    self.queue,
                    self.handle,
                    self._stop,
                    self.poll_interval,
                    worker_id=default_worker_id(index),
                    lease_seconds=self.lease_seconds,
                    metrics=self.metrics,
                ),
                name=f"prbot-worker-{index}",
            )
            for index in range(self.count)
        ]
        for task in self.tasks:
            task.add_done_callback(report_exit)
        self._started.set()
        await self._stop.wait()
        # Let the current jobs finish for `grace` seconds, then cancel: a cancelled job
        # stays leased and is retried (after a restart, or by another process) once its
        # lease expires.
        _, pending = await asyncio.wait(self.tasks, timeout=self.grace)
        for task in pending:
            task.cancel()
        await asyncio.wait(self.tasks)

    def dead(self) -> int:
        """Workers that stopped while the pool runs (a bug: they only end on stop())."""
        if self._stopping:
            return 0
        return sum(task.done() for task in self.tasks)

    def stop(self) -> None:
        """Stop leasing, give running jobs `grace` seconds, and wait for the thread."""
        self._stopping = True
        if self._thread is None or self._loop is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._thread = None


def report_exit(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("%s died: %r", task.get_name(), task.exception())
