"""`prbot serve` and `prbot jobs`: the long-running server and its queue, from the shell."""

from __future__ import annotations

import argparse
import logging
import os
import time

import uvicorn

from bot.jobs import JobStatus, format_jobs
from bot.jobs_sqlite import SqliteJobQueue
from bot.server import build_server
from bot.settings import Settings


def add_server_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the webhook server and in-process workers")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=run_serve)

    jobs = sub.add_parser("jobs", help="list queued, running and failed jobs")
    jobs.add_argument("--status", choices=[s.value for s in JobStatus])
    jobs.add_argument("--retry", metavar="DELIVERY_ID", help="queue a failed job again")
    jobs.set_defaults(run=run_jobs)


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(settings_file=args.settings) if args.settings else Settings()


def run_serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = build_server(settings_from(args), os.environ)
    try:
        uvicorn.run(server.app, host=args.host, port=args.port, log_level="info")
    finally:
        server.state.close()
        server.github.close()
    return 0


def run_jobs(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with SqliteJobQueue(settings.jobs_path) as queue:
        if args.retry:
            if not queue.requeue(args.retry):
                print(f"prbot: no failed job {args.retry}")
                return 2
            print(f"queued {args.retry} again")
            return 0
        status = JobStatus(args.status) if args.status else None
        print(format_jobs(queue.list(status), now=time.time()))
    return 0
