"""`prbot serve`, `prbot worker` and `prbot jobs`: the long-running server, its queue, workers.

Their arguments are declared in bot/cli.py; this module loads when one of them runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from bot.backends import is_redis, open_job_admin
from bot.jobs import JobStatus, QueueError, format_jobs
from bot.server import build_runtime, build_server, job_handler
from bot.settings import ConfigError, Settings


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(settings_file=args.settings) if args.settings else Settings()


def run_serve(args: argparse.Namespace) -> int:
    from bot.listener import serve
    from bot.logs import configure_logging, secret_values

    settings = settings_from(args)
    level = getattr(logging, settings.log_level)
    secrets = secret_values(settings, os.environ)
    configure_logging(json=settings.log_format == "json", level=level, secrets=secrets)
    server = build_server(settings, os.environ)
    try:
        serve(server.app, settings, args.host, args.port)
    finally:
        server.close()
    return 0


def run_jobs(args: argparse.Namespace) -> int:
    try:
        return list_or_retry(args)
    except QueueError as error:
        print(f"prbot: error: {error}", file=sys.stderr)
        return 2


def list_or_retry(args: argparse.Namespace) -> int:
    queue = open_job_admin(settings_from(args))
    try:
        if args.retry:
            if not queue.requeue(args.retry):
                print(f"prbot: no failed job {args.retry}")
                return 2
            print(f"queued {args.retry} again")
            return 0
        status = JobStatus(args.status) if args.status else None
        print(format_jobs(queue.list(status), now=time.time()))
    finally:
        queue.close()
    return 0


def run_worker(args: argparse.Namespace) -> int:
    """Workers on the redis backend's queue until SIGTERM or SIGINT; they build their
    clients through build_runtime, as `prbot serve` does. Start as many processes, on as
    many machines, as the load needs (docs/scaling.md)."""
    from bot.backends import redis_queue
    from bot.jobs_workers import WorkerPool
    from bot.logs import configure_logging, secret_values

    settings = settings_from(args)
    if not is_redis(settings):
        raise ConfigError(
            "prbot worker runs workers for backend = redis (PRBOT_BACKEND=redis); "
            "the embedded backend runs its workers inside prbot serve"
        )
    if args.concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    secrets = secret_values(settings, os.environ)
    level = getattr(logging, settings.log_level)
    configure_logging(json=settings.log_format == "json", level=level, secrets=secrets)
    runtime = build_runtime(settings, os.environ)
    queue = redis_queue(settings)
    pool = WorkerPool(
        queue,
        job_handler(runtime.context),
        args.concurrency,
        lease_seconds=settings.job_lease_seconds,
        poll_interval=settings.job_poll_seconds,
        grace=settings.shutdown_grace_seconds,
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        pool.start()
        stop.wait()
    finally:
        pool.stop()
        queue.close()
        runtime.close()
    return 0
