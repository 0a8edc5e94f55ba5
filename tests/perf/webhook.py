"""Webhook intake under load: `python -m tests.perf.webhook --count 2000 --rate 200`.

Starts the real server (uvicorn on 127.0.0.1, in a subprocess) with in-process workers
running a no-op handler, sends signed deliveries at a fixed rate from an async httpx
client, some of them redeliveries, then reports ack latency, lost deliveries and duplicates.
Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.jobs import Job, JobStatus
from bot.jobs_sqlite import SqliteJobQueue
from tests.fakes import webhook_sender as gh
from tests.fakes.webhook_sender import Delivery, build_delivery

HOST = "127.0.0.1"


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    acked: list[Delivery] = field(default_factory=list)  # first sends answered "queued"
    unique: set[str] = field(default_factory=set)
    redeliveries: int = 0
    requeued_redeliveries: int = 0  # a redelivery answered "queued": a duplicate
    errors: Counter[str] = field(default_factory=Counter)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(data_dir: Path, secret: str, workers: int) -> Iterator[str]:
    """The app under uvicorn on loopback, in a subprocess; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "PRBOT_WEBHOOK_SECRET": secret,
        "PRBOT_DATA_DIR": str(data_dir),
        "PRBOT_WORKERS": str(workers),
        "PRBOT_BENCH_RUNS": str(data_dir / "runs.txt"),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "tests.perf.webhook:create_bench_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://{HOST}:{port}"
    try:
        wait_healthy(base_url, proc)
        yield base_url
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see server.log")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1.0, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {base_url} not ready after {timeout:.0f} s")


def new_delivery(rng: random.Random, secret: bytes) -> Delivery:
    """A realistic mix: PR opened / pushed / commented on, over 50 pull requests."""
    number = rng.randrange(1, 51)
    kind = rng.random()
    if kind < 0.5:
        head = f"{rng.getrandbits(160):040x}"
        return build_delivery(
            "pull_request", gh.pull_request_payload("synchronize", number, head_sha=head), secret
        )
    if kind < 0.7:
        return build_delivery("pull_request", gh.pull_request_payload("opened", number), secret)
    if kind < 0.9:
        return build_delivery("issue_comment", gh.issue_comment_payload("/review", number), secret)
    return build_delivery(
        "pull_request_review_comment", gh.review_comment_payload(number=number), secret
    )


async def send_one(
    client: httpx.AsyncClient, delivery: Delivery, redelivery: bool, tally: Tally
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post("/webhook", content=delivery.body, headers=delivery.headers)
    except httpx.HTTPError as error:
        tally.errors[type(error).__name__] += 1
        return
    tally.latencies_ms.append((time.perf_counter() - started) * 1000)
    tally.statuses[response.status_code] += 1
    if response.status_code != 202:
        return
    queued = response.json().get("queued") is True
    if redelivery:
        tally.requeued_redeliveries += queued
    elif queued:
        tally.acked.append(delivery)


async def send_all(
    base_url: str, secret: bytes, count: int, rate: float, redeliver: float, deadline: float
) -> Tally:
    """Send `count` requests, one every 1/rate s; a share of them resend an acked delivery."""
    rng, tally = random.Random(7), Tally()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=10.0, trust_env=False
    ) as client:
        tasks: list[asyncio.Task[None]] = []
        start = time.perf_counter()
        for i in range(count):
            if time.monotonic() > deadline:
                tally.errors["not sent: time limit"] += count - i
                break
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            redelivery = bool(tally.acked) and rng.random() < redeliver
            if redelivery:
                delivery = rng.choice(tally.acked)
                tally.redeliveries += 1
            else:
                delivery = new_delivery(rng, secret)
                tally.unique.add(delivery.delivery_id)
            tasks.append(asyncio.create_task(send_one(client, delivery, redelivery, tally)))
        await asyncio.gather(*tasks)
    return tally


def create_bench_app() -> object:
    """The server's app (`uvicorn --factory tests.perf.webhook:create_bench_app`): settings
    from PRBOT_*, in-process workers running a no-op handler that appends each delivery
    id it runs to $PRBOT_BENCH_RUNS, so duplicates show."""
    # Imported here: only the server process needs the web app.
    from bot.app import create_app
    from bot.settings import Settings

    runs = Path(os.environ["PRBOT_BENCH_RUNS"])

    async def handle(job: Job) -> None:
        with runs.open("a") as log:  # one short append per run: nothing buffered is lost
            log.write(job.delivery_id + "\n")

    return create_app(Settings(), handle=handle)


def read_runs(path: Path) -> Counter[str]:
    return Counter(path.read_text().split()) if path.exists() else Counter()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def wait_drained(queue: SqliteJobQueue, deadline: float) -> float:
    started = time.monotonic()
    while queue.depth() > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    return time.monotonic() - started


def report(
    tally: Tally, queue: SqliteJobQueue, runs: Counter[str], seconds: float, drain_s: float
) -> int:
    records = queue.list()
    by_status = Counter(r.status.value for r in records)
    stored = {r.delivery_id for r in records}
    lost = len(tally.unique - stored)
    duplicates = sum(n - 1 for n in runs.values() if n > 1) + tally.requeued_redeliveries
    unfinished = by_status[JobStatus.QUEUED] + by_status[JobStatus.RUNNING]
    lat = tally.latencies_ms
    sent = len(tally.unique) + tally.redeliveries
    print(
        f"sent {sent} requests in {seconds:.1f} s ({sent / seconds:.0f}/s): "
        f"{len(tally.unique)} unique deliveries, {tally.redeliveries} redeliveries"
    )
    print(
        f"responses: {dict(sorted(tally.statuses.items()))}; client errors: "
        f"{dict(tally.errors) or 'none'}"
    )
    print(
        f"ack latency ms: p50 {percentile(lat, 0.50):.1f}  p95 {percentile(lat, 0.95):.1f}  "
        f"p99 {percentile(lat, 0.99):.1f}  max {max(lat, default=0.0):.1f}"
    )
    print(
        f"queue rows {len(records)}: {dict(sorted(by_status.items()))}; drained "
        f"{drain_s:.1f} s after the last send; handler runs {sum(runs.values())}"
    )
    print(f"lost deliveries: {lost} (expect 0)")
    print(f"duplicates: {duplicates} (expect 0)")
    print(f"left unfinished: {unfinished} (expect 0)")
    return 0 if lost == duplicates == unfinished == 0 and not tally.errors else 1


def run(count: int, rate: float, redeliver: float, workers: int) -> int:
    secret = secrets.token_hex(16)
    limit = time.monotonic() + count / rate * 2 + 60  # the whole run stops by then
    with tempfile.TemporaryDirectory(prefix="prbot-perf-") as tmp:
        data_dir = Path(tmp)
        with (
            running_server(data_dir, secret, workers) as base_url,
        ):
            started = time.perf_counter()
            tally = asyncio.run(send_all(base_url, secret.encode(), count, rate, redeliver, limit))
            seconds = time.perf_counter() - started
            with SqliteJobQueue(data_dir / "jobs.sqlite3") as queue:
                drain_s = wait_drained(queue, limit)
                return report(tally, queue, read_runs(data_dir / "runs.txt"), seconds, drain_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="requests to send (max 20000)")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument(
        "--redeliver",
        type=float,
        default=0.05,
        help="share of requests that resend an acked delivery",
    )
    parser.add_argument("--workers", type=int, default=2, help="no-op worker tasks")
    args = parser.parse_args(argv)
    if not 0 < args.count <= 20000 or not 0 < args.rate <= 2000:
        parser.error("--count must be in 1..20000 and --rate in (0, 2000]")
    return run(args.count, args.rate, args.redeliver, args.workers)


if __name__ == "__main__":
    raise SystemExit(main())
