"""Celery on Redis: the app factory, the one task `prbot.run_delivery`, and the enqueue side.

The webhook process publishes; `prbot worker` processes run the task, which leads each
delivery through the same process_job() and handlers as the embedded workers. Job state
(dedupe, per-PR lock, supersede, attempts, failures) lives in bot.redis_jobs; Celery only
carries the message. Late acks and reject-on-worker-lost: a worker that dies mid-job
leaves its message unacknowledged, and Redis hands it to another worker once the
visibility timeout has passed.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from celery import Celery, Task
from celery.exceptions import Reject
from kombu.exceptions import OperationalError

from bot.jobs import Handle, Job, JobRecord, JobStatus, QueueError, default_worker_id, process_job
from bot.redis_jobs import RedisJobs, job_from_json, job_to_json
from bot.settings import Settings

log = logging.getLogger(__name__)

TASK_NAME = "prbot.run_delivery"


def create_celery(settings: Settings) -> Celery:
    """A Celery app for settings.redis_url. Builds no connection: Celery connects lazily."""
    app = Celery("prbot", set_as_current=False)
    app.conf.update(
        broker_url=settings.redis_url,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2.0,
        broker_transport_options={
            # Longer than the longest review (and retry countdown): a message unacked for
            # longer is handed to another worker even while the first still runs it.
            "visibility_timeout": settings.celery_visibility_seconds,
            "unacked_restore_interval": settings.celery_restore_seconds,
            "unacked_restore_throttle": 1,  # kombu scans only every Nth sweep otherwise
            "global_keyprefix": settings.redis_prefix,
            "socket_connect_timeout": 2.0,
            "socket_timeout": 5.0,
        },
        # The webhook answers GitHub within 10 s: give up publishing in well under that.
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],  # never pickle
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A running review survives a broker blip; its message is redelivered and dropped
        # by the job record ("completed") or waits for the lock ("busy").
        worker_cancel_long_running_tasks_on_connection_loss=False,
        # The nameless exchange routes by queue name and needs no binding kept in Redis,
        # so publishing still reaches the queue after Redis lost its data.
        task_default_queue=settings.celery_queue,
        task_default_exchange="",
        task_default_routing_key=settings.celery_queue,
        worker_enable_remote_control=False,
        worker_send_task_events=False,
        worker_hijack_root_logger=False,  # `prbot worker` sets up logging as `serve` does
    )
    return app


class CeleryJobQueue:
    """bot.jobs.JobQueue for the redis backend: records in Redis, messages through Celery.

    lease() finds nothing: Celery delivers the jobs to its workers, which then call
    renew/complete/fail like the embedded workers do (through process_job)."""

    def __init__(self, jobs: RedisJobs, app: Celery, queue_name: str) -> None:
        self.jobs = jobs
        self.app = app
        self.queue_name = queue_name

    def publish(self, job: Job) -> None:
        try:
            self.app.send_task(TASK_NAME, args=[job_to_json(job)], queue=self.queue_name)
        except OperationalError as error:
            raise QueueError(f"cannot publish delivery {job.delivery_id}: {error}") from error

    def enqueue(self, job: Job) -> bool:
        if not self.jobs.claim(job):
            return False
        try:
            self.publish(job)
        except QueueError:
            try:
                self.jobs.release(job.delivery_id)  # so GitHub's redelivery is not a duplicate
            except QueueError as error:
                log.warning(
                    "delivery %s: unpublished claim kept %.0fs: %s",
                    job.delivery_id,
                    self.jobs.claim_seconds,
                    error,
                )
            raise
        try:
            self.jobs.confirm(job)
        except QueueError as error:
            # The message is out and will run; only the dedupe window stays short.
            log.warning("delivery %s queued, record not confirmed: %s", job.delivery_id, error)
        return True

    def lease(self, worker_id: str, lease_seconds: float) -> Job | None:
        return None

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        return self.jobs.renew(job_id, attempt, lease_seconds)

    def complete(self, job_id: str, attempt: int | None = None) -> bool:
        return self.jobs.complete(job_id, attempt)

    def fail(self, job_id: str, reason: str, retry: bool, attempt: int | None = None) -> bool:
        return self.jobs.fail(job_id, reason, retry, attempt)

    def cancel_key(self, key: str) -> int:
        return self.jobs.cancel_key(key)

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]:
        return self.jobs.list(status)

    def depth(self) -> int:
        return self.jobs.depth()

    def requeue(self, job_id: str) -> bool:
        """Give a failed job a fresh set of attempts and publish it again."""
        job = self.jobs.requeue(job_id)
        if job is None:
            return False
        self.publish(job)
        return True

    def close(self) -> None:
        self.jobs.close()
        self.app.close()


@dataclass
class ProcessLocal:
    """What a worker process builds once: the handler (its clients), and a loop per thread."""

    pid: int
    handle: Handle
    loops: threading.local
    opened: builtins.list[asyncio.AbstractEventLoop]


class DeliveryRunner:
    """The body of `prbot.run_delivery`, in a worker process."""

    def __init__(
        self,
        queue: CeleryJobQueue,
        make_handle: Callable[[], Handle],
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.queue = queue
        self.make_handle = make_handle
        self.lease_seconds = settings.job_lease_seconds
        self.busy_retry = settings.celery_lock_retry_seconds
        self.clock = clock
        self._local: ProcessLocal | None = None
        self._lock = threading.Lock()

    def local(self) -> ProcessLocal:
        """Built on first use in each process: a prefork child must not reuse its parent's
        connections, so nothing built before the fork is kept."""
        with self._lock:
            if self._local is None or self._local.pid != os.getpid():
                handle = self.make_handle()
                self._local = ProcessLocal(os.getpid(), handle, threading.local(), [])
            return self._local

    def loop(self) -> asyncio.AbstractEventLoop:
        # One long-lived loop per thread: the async model clients stay bound to one loop.
        local = self.local()
        if getattr(local.loops, "loop", None) is None:
            local.loops.loop = asyncio.new_event_loop()
            with self._lock:
                local.opened.append(local.loops.loop)
        loop: asyncio.AbstractEventLoop = local.loops.loop
        return loop

    def close(self) -> None:
        """Close the loops this process opened (once its worker threads have stopped)."""
        with self._lock:
            if self._local is not None and self._local.pid == os.getpid():
                for loop in self._local.opened:
                    loop.close()
                self._local.opened.clear()

    def run(self, task: Task[Any, Any], job_json: str) -> str:
        job = job_from_json(job_json)
        try:
            return self._run(task, job)
        except QueueError as down:
            # Requeue the message; if Redis is gone it stays unacked there and comes back
            # after the visibility timeout. Either way the delivery is not lost.
            log.error("delivery %s: redis unavailable: %s", job.delivery_id, down)
            raise Reject(str(down), requeue=True) from down

    def _run(self, task: Task[Any, Any], job: Job) -> str:
        jobs = self.queue.jobs
        begin = jobs.begin(job.delivery_id, worker_id(), self.lease_seconds)
        if begin.outcome == "missing":  # Redis lost the record (restarted without AOF)
            jobs.claim(job)
            jobs.confirm(job)
            begin = jobs.begin(job.delivery_id, worker_id(), self.lease_seconds)
        if begin.outcome in ("busy", "early"):
            delay = self.busy_retry if begin.outcome == "busy" else begin.delay
            raise task.retry(countdown=delay, max_retries=None)
        if begin.outcome != "run":
            log.info("delivery %s is %s: not run", job.delivery_id, begin.outcome)
            return begin.outcome
        leased = replace(job, attempt=begin.attempt)
        handle = self.local().handle
        self.loop().run_until_complete(process_job(self.queue, handle, leased, self.lease_seconds))
        status, due = jobs.status(job.delivery_id)
        if status is JobStatus.QUEUED:  # failed, retried after the backoff
            raise task.retry(countdown=max(0.0, due - self.clock()), max_retries=None)
        return status.value if status else "missing"


def worker_id() -> str:
    return default_worker_id(threading.get_ident() % 10_000)


def register_delivery_task(app: Celery, runner: DeliveryRunner) -> Task[Any, Any]:
    """Register `prbot.run_delivery(job_json)` on the app, run by `runner`."""

    # shared=False: a shared task would be added to every Celery app created later.
    @app.task(name=TASK_NAME, bind=True, max_retries=None, acks_late=True, shared=False)
    def run_delivery(task: Task[Any, Any], job_json: str) -> str:
        return runner.run(task, job_json)

    result: Task[Any, Any] = run_delivery
    return result


def start_worker(app: Celery, queue_name: str, concurrency: int, pool: str) -> int:
    """Run a Celery worker in this process until it is told to stop; its exit code."""
    worker = app.Worker(
        hostname=f"prbot-{os.getpid()}@{socket.gethostname()}",
        concurrency=concurrency,
        pool_cls=pool,
        queues=[queue_name],
        loglevel="INFO",
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        optimization="fair",
    )
    worker.start()
    return int(getattr(worker, "exitcode", 0) or 0)
