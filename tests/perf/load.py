"""Load test of the whole bot on loopback fakes (`python -m tests.perf.load`); prints Markdown.

The fake GitHub and a fake model (fixed latency, pattern findings) run in this process on
127.0.0.1. Per worker count W: fresh fakes, data dir (and Redis key prefix), W warm-up
reviews (token, clients, worker processes), then N signed `pull_request opened` deliveries
from a bounded client while the fake's state is polled for each PR's summary comment.
Every `--shared-every`-th PR changes the same hunk (the cache may answer); the rest differ.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bot import markers
from bot.settings import Settings
from tests.fakes.app_keys import AppKey, generate_app_key
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import DelayReply, FakeLLM, create_fake_llm_app
from tests.fakes.servers import ServerThread
from tests.fakes.webhook_sender import build_delivery, pull_request_payload
from tests.integration import bot_harness as harness
from tests.integration.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]
SQL = Rule(r"SELECT .*%", "SQL built by string formatting", "security")
WARMUP_FROM = 10_001  # warm-up PR numbers, apart from the measured ones
POLL_SECONDS = 0.02  # the end-to-end times are read at this granularity
# Each PR turns a parameterised query into string formatting: one FRONTIER hunk, one finding.
PATCH = (
    "@@ -1,5 +1,6 @@\n import sqlite3\n \n def find(conn, name):\n"
    '-    return conn.execute("SELECT * FROM {t} WHERE name = ?", (name,)).fetchone()\n'
    "+    query = \"SELECT * FROM {t} WHERE name = '%s'\" % name\n"
    "+    return conn.execute(query).fetchone()\n "
)
HEAD_TEXT = (
    "import sqlite3\n\ndef find(conn, name):\n"
    "    query = \"SELECT * FROM {t} WHERE name = '%s'\" % name\n"
    "    return conn.execute(query).fetchone()\n\n"
)
COLUMNS = "workers|ack p50 ms|ack p99 ms|review p50 s|review p95 s|review max s|wall s|reviews/s"
COLUMNS += "|scaling|lost|twice|model calls"


@dataclass(frozen=True, slots=True)
class Fakes:
    """The loopback servers every round shares."""

    github: FakeGitHub
    github_url: str
    llm: FakeLLM
    llm_url: str
    key: AppKey
    redis_url: str | None


@dataclass(frozen=True, slots=True)
class Ack:
    number: int
    sent_at: float  # time.monotonic() before the POST
    seconds: float  # the 202 round trip
    status: int  # 0: no HTTP answer


@dataclass(frozen=True, slots=True)
class Round:
    workers: int
    acks: tuple[float, ...]  # seconds, 202 answers only
    reviews: tuple[float, ...]  # send -> summary present, seconds
    wall: float  # first send -> last summary
    lost: int
    twice: int
    model_calls: int

    @property
    def throughput(self) -> float:
        return len(self.reviews) / self.wall if self.wall > 0 else 0.0


def head_sha(number: int) -> str:
    return hashlib.sha1(f"head-{number}".encode()).hexdigest()


def table_of(number: int, shared_every: int) -> str:
    return "users" if shared_every and number % shared_every == 0 else f"orders_{number}"


def seed(fake: FakeGitHub, numbers: Sequence[int], shared_every: int) -> None:
    owner, name = harness.REPO.split("/")
    fake.add_installation(harness.INSTALLATION, account=owner)
    fake.add_repo(owner, name, installation_id=harness.INSTALLATION)
    for number in numbers:
        table = table_of(number, shared_every)
        path, head = f"app/{table}.py", head_sha(number)
        files = [(path, "modified", PATCH.format(t=table), None)]
        fake.add_pull_request(owner, name, number, head, harness.BASE, files, f"Query {table}")
        fake.set_file_content(harness.REPO, head, path, HEAD_TEXT.format(t=table))


def post(client: httpx.Client, url: str, number: int) -> Ack:
    payload = pull_request_payload("opened", number, head_sha=head_sha(number))
    delivery = build_delivery("pull_request", payload, harness.SECRET.encode())
    start = time.monotonic()
    try:
        status = client.post(url, content=delivery.body, headers=delivery.headers).status_code
    except httpx.HTTPError:  # counted as lost, not fatal: the round goes on
        status = 0
    return Ack(number, start, time.monotonic() - start, status)


def posted(fake: FakeGitHub) -> tuple[Counter[int], Counter[int]]:
    """(summary comments, reviews) per PR number, read under the fake's own lock."""
    with fake.state.lock:
        comments = fake.state.issue_comments.values()
        summaries = Counter(c.number for c in comments if markers.is_summary(c.body))
        return summaries, Counter(r.number for r in fake.state.reviews.values())


def watch(fake: FakeGitHub, numbers: Sequence[int], deadline: float) -> dict[int, float]:
    """When each PR's summary was first seen (time.monotonic), until all are or the deadline."""
    done: dict[int, float] = {}
    while len(done) < len(numbers) and time.monotonic() < deadline:
        seen = posted(fake)[0].keys() & set(numbers)
        now = time.monotonic()
        done.update({number: now for number in seen - done.keys()})
        time.sleep(POLL_SECONDS)
    return done


@contextmanager
def worker_processes(settings: Settings, key: AppKey, workers: int, tmp: Path) -> Iterator[None]:
    """W `prbot worker --concurrency 1` processes, logs to a file."""
    values = settings.model_dump(mode="json", exclude={"settings_file"})
    values.update(webhook_secret=harness.SECRET, private_key=key.private_pem)
    settings_file = tmp / "settings.yaml"
    settings_file.write_text(yaml.safe_dump(values))
    env = {**os.environ, "TEST_ANTHROPIC_KEY": "test-key", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot.cli", "--settings", str(settings_file), "worker"]
    command += ["--concurrency", "1"]
    with (tmp / "worker.log").open("wb") as log:
        processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            for _ in range(workers)
        ]
        try:
            yield
        finally:
            for process in processes:
                process.terminate()  # running jobs get the shutdown grace
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


@contextmanager
def running(fakes: Fakes, workers: int, tmp: Path) -> Iterator[harness.RunningBot]:
    backend = harness.backend_settings("redis" if fakes.redis_url else "embedded", fakes.redis_url)
    settings = harness.settings_for(
        tmp, fakes.github_url, fakes.llm_url, fakes.key, workers=workers, **backend
    )
    with ExitStack() as stack:
        bot = stack.enter_context(
            harness.running_bot(settings, fakes.github_url, redis_workers=False)
        )
        if fakes.redis_url:
            stack.enter_context(worker_processes(settings, fakes.key, workers, tmp))
        yield bot


def run_round(fakes: Fakes, workers: int, args: argparse.Namespace) -> Round:
    fakes.github.reset()
    fakes.llm.reset()
    numbers = list(range(1, args.prs + 1))
    warm = list(range(WARMUP_FROM, WARMUP_FROM + workers))
    seed(fakes.github, numbers + warm, args.shared_every)
    limits = httpx.Limits(max_connections=args.senders)
    with (
        tempfile.TemporaryDirectory(prefix="prbot-load-") as tmp,
        running(fakes, workers, Path(tmp)) as bot,
        httpx.Client(timeout=10.0, limits=limits) as client,
        ThreadPoolExecutor(args.senders) as pool,
    ):
        list(pool.map(lambda number: post(client, bot.sender.url, number), warm))
        if len(watch(fakes.github, warm, time.monotonic() + args.timeout)) < len(warm):
            raise RuntimeError(f"W={workers}: warm-up reviews did not arrive (see worker.log)")
        calls_before = len(fakes.llm.requests)
        start = time.monotonic()
        futures = [pool.submit(post, client, bot.sender.url, number) for number in numbers]
        done = watch(fakes.github, numbers, start + args.timeout)
        acks = [future.result() for future in futures]
        settle = max(5.0, start + args.timeout - time.monotonic()) + time.monotonic()
        while not bot.idle() and time.monotonic() < settle:  # a late duplicate runs by now
            time.sleep(0.1)
        summaries, reviews = posted(fakes.github)
        calls = len(fakes.llm.requests) - calls_before
    sent = {ack.number: ack.sent_at for ack in acks}
    return Round(
        workers=workers,
        acks=tuple(ack.seconds for ack in acks if ack.status == 202),
        reviews=tuple(done[number] - sent[number] for number in sorted(done)),
        wall=(max(done.values()) - start) if done else float(args.timeout),
        lost=len(numbers) - len(done),
        twice=sum(summaries[n] > 1 or reviews[n] > 1 for n in numbers),
        model_calls=calls,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of all values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def row(r: Round, base: float) -> list[str]:
    acks = [f"{1000 * percentile(r.acks, q):.1f}" for q in (0.5, 0.99)]
    reviews = [f"{percentile(r.reviews, q):.2f}" for q in (0.5, 0.95, 1.0)]
    scaling = r.throughput / base if base else math.nan
    rates = [f"{r.wall:.2f}", f"{r.throughput:.2f}", f"{scaling:.2f}"]
    return [str(r.workers), *acks, *reviews, *rates, str(r.lost), str(r.twice), str(r.model_calls)]


def table(rounds: Sequence[Round]) -> str:
    """Markdown; scaling is throughput over the first round's (W=1 when listed first)."""
    lines = [COLUMNS.split("|"), ["---:"] * len(COLUMNS.split("|"))]
    lines += [row(r, rounds[0].throughput) for r in rounds]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.load", description=__doc__)
    add = parser.add_argument
    add("--backend", choices=("embedded", "redis"), default="embedded")
    add("--workers", type=int, nargs="+", default=[1, 2, 4])
    add("--prs", type=int, default=40)
    add("--model-latency", type=float, default=0.3, help="seconds per model call")
    add("--shared-every", type=int, default=5, help="every Kth PR shares a hunk; 0: none")
    add("--senders", type=int, default=8, help="concurrent webhook POSTs")
    add("--timeout", type=float, default=120.0, help="hard limit per round, seconds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.backend == "redis" and shutil.which("redis-server") is None:
        print("redis backend skipped: redis-server is not installed (apt-get install redis-server)")
        return 0
    key = generate_app_key()
    github = FakeGitHub(key.public_pem, app_id=harness.APP_ID)
    answer = pattern_reviewer(SQL)  # deterministic; DelayReply sleeps, so requests overlap
    llm = FakeLLM(responder=lambda api, body: DelayReply(args.model_latency, answer(api, body)))
    with ExitStack() as stack:
        github_server = stack.enter_context(ServerThread(github.app))
        llm_server = stack.enter_context(ServerThread(create_fake_llm_app(llm)))
        redis_url = None
        if args.backend == "redis":
            redis_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="prbot-redis-"))
            redis = RedisServer(Path(redis_dir)).start()
            stack.callback(redis.stop)
            redis_url = redis.url
        fakes = Fakes(github, github_server.base_url, llm, llm_server.base_url, key, redis_url)
        rounds = []
        for workers in args.workers:
            print(f"W={workers} ...", file=sys.stderr, flush=True)
            rounds.append(run_round(fakes, workers, args))
    shared = args.prs // args.shared_every if args.shared_every else 0
    print(
        f"backend {args.backend}, {args.prs} PRs ({shared} share one hunk), model latency "
        f"{args.model_latency} s, {args.senders} concurrent senders, loopback\n"
    )
    print(table(rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
