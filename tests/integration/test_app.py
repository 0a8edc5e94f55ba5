"""The real app under uvicorn on 127.0.0.1, fed by the fake GitHub webhook sender."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.app import create_app
from bot.events import Event
from bot.jobs import Job, JobStatus
from bot.jobs_sqlite import SqliteJobQueue
from bot.settings import ConfigError, Settings
from bot.webhook import sign
from tests.fakes import webhook_sender as gh
from tests.fakes.servers import serve
from tests.fakes.webhook_sender import WebhookSender, build_delivery
from tests.integration.bot_harness import wait_for

SECRET = b"s3cret-for-tests"
CAP = 64 * 1024


class Recorder:
    """The `handle` callable: records each job's event; runs in the workers' thread."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.handled = threading.Condition()
        self.called = threading.Event()
        self.blocking = False

    async def __call__(self, job: Job) -> None:
        with self.handled:
            self.events.append(job.to_event())
            self.handled.notify_all()
        self.called.set()
        if self.blocking:
            await asyncio.Event().wait()  # never set: stays mid-job until cancelled

    def wait_for(self, count: int) -> list[Event]:
        """Until `count` jobs were handled (the bound only ends a hung test)."""
        with self.handled:
            done = self.handled.wait_for(lambda: len(self.events) >= count, timeout=120)
        assert done, f"{len(self.events)} of {count} handled"
        return self.events


def settings_for(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "webhook_secret": SecretStr(SECRET.decode()),
        "data_dir": tmp_path,
        "max_body_bytes": CAP,
        "workers": 2,
        "job_poll_seconds": 0.02,
        "shutdown_grace_seconds": 0.2,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[SqliteJobQueue]:
    with SqliteJobQueue(tmp_path / "jobs.sqlite3") as opened:
        yield opened


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sender(tmp_path: Path, queue: SqliteJobQueue, recorder: Recorder) -> Iterator[WebhookSender]:
    app = create_app(settings_for(tmp_path), handle=recorder, queue=queue)
    with serve(app) as server, WebhookSender(server.base_url, SECRET) as client:
        yield client


def states(queue: SqliteJobQueue) -> dict[str, tuple[str | None, str]]:
    return {r.delivery_id: (r.key, r.status.value) for r in queue.list()}


def test_signed_delivery_is_handled_once_and_redelivery_is_not(
    sender: WebhookSender, recorder: Recorder, queue: SqliteJobQueue
) -> None:
    first = sender.send("pull_request", gh.pull_request_payload("opened", number=9))
    assert first.response.status_code == 202
    assert first.response.json() == {"queued": True, "delivery": first.delivery.delivery_id}
    [event] = recorder.wait_for(1)
    assert (event.name, event.action, event.delivery_id, event.installation_id) == (
        "pull_request",
        "opened",
        first.delivery.delivery_id,
        gh.INSTALLATION_ID,
    )
    assert event.pull_request().pull_request.number == 9

    again = sender.resend(first.delivery)
    assert again.status_code == 202
    assert again.json() == {
        "queued": False,
        "duplicate": True,
        "delivery": first.delivery.delivery_id,
    }
    # Refused at the door: one row, finished, nothing queued that could run it again.
    wait_for(lambda: queue.depth() == 0, what="the job to finish")
    assert states(queue) == {first.delivery.delivery_id: (f"{gh.REPO}#9", "completed")}
    assert queue.depth() == 0
    assert len(recorder.events) == 1


def test_ping_is_answered_and_not_queued(sender: WebhookSender, queue: SqliteJobQueue) -> None:
    sent = sender.send("ping", gh.ping_payload())
    assert sent.response.status_code == 200
    assert sent.response.json() == {"pong": True, "delivery": sent.delivery.delivery_id}
    assert queue.list() == []


def tamper(body: bytes) -> bytes:
    return body.replace(b'"opened"', b'"closed"')


@pytest.mark.parametrize(
    ("secret", "change_body", "drop_signature", "detail"),
    [
        (b"wrong secret", None, False, "X-Hub-Signature-256 does not match the body"),
        (SECRET, tamper, False, "X-Hub-Signature-256 does not match the body"),
        (SECRET, None, True, "missing X-Hub-Signature-256 header"),
    ],
)
def test_bad_signature_is_401(
    sender: WebhookSender,
    queue: SqliteJobQueue,
    secret: bytes,
    change_body: Callable[[bytes], bytes] | None,
    drop_signature: bool,
    detail: str,
) -> None:
    delivery = build_delivery("pull_request", gh.pull_request_payload("opened"), secret)
    body = change_body(delivery.body) if change_body else delivery.body
    headers = dict(delivery.headers)
    if drop_signature:
        del headers["X-Hub-Signature-256"]
    response = sender.post_raw(body, headers)
    assert response.status_code == 401
    assert response.json() == {"error": "bad_signature", "detail": detail}
    assert queue.list() == []


@pytest.mark.parametrize(
    ("drop_header", "body", "detail"),
    [
        ("X-GitHub-Event", b"{}", "missing X-GitHub-Event header"),
        ("X-GitHub-Delivery", b"{}", "missing X-GitHub-Delivery header"),
        (None, b'{"action": ', "body is not valid JSON: Expecting value: line 1 column 12"),
        (None, b"[]", "body is JSON list, expected an object"),
        (
            None,
            b'{"action": "opened", "repository": {"full_name": 5}, "pull_request": {}}',
            "pull_request delivery d-400 is not a valid Subject",
        ),
    ],
)
def test_malformed_delivery_is_400_with_a_clear_body(
    sender: WebhookSender, queue: SqliteJobQueue, drop_header: str | None, body: bytes, detail: str
) -> None:
    headers = build_delivery("pull_request", {}, SECRET, delivery_id="d-400").headers
    headers["X-Hub-Signature-256"] = sign(SECRET, body)
    if drop_header:
        del headers[drop_header]
    response = sender.post_raw(body, headers)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_delivery"
    assert response.json()["detail"].startswith(detail)
    assert queue.list() == []


def test_body_over_the_cap_is_413(sender: WebhookSender, queue: SqliteJobQueue) -> None:
    payload = gh.pull_request_payload("opened", body="x" * CAP)
    delivery = build_delivery("pull_request", payload, SECRET)
    response = sender.post(delivery)
    assert response.status_code == 413
    assert response.json() == {
        "error": "too_large",
        "detail": f"Content-Length {len(delivery.body)} exceeds the {CAP}-byte limit",
    }
    assert queue.list() == []


def test_streamed_body_over_the_cap_is_413_without_reading_it_all(sender: WebhookSender) -> None:
    """No Content-Length (chunked): the stream is cut at the cap."""

    def chunks() -> Iterator[bytes]:
        for _ in range(CAP // 1024 + 8):
            yield b" " * 1024

    headers = build_delivery("pull_request", {}, SECRET).headers
    response = sender.client.post(sender.url, content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["detail"] == f"body exceeds the {CAP}-byte limit"


def test_body_at_the_cap_is_accepted(sender: WebhookSender) -> None:
    payload = gh.installation_payload()
    payload["padding"] = ""
    size = len(build_delivery("installation", payload, SECRET).body)
    payload["padding"] = "x" * (CAP - size)
    delivery = build_delivery("installation", payload, SECRET)
    assert len(delivery.body) == CAP
    assert sender.post(delivery).status_code == 202


def test_keys_supersede_and_close_through_http(tmp_path: Path, queue: SqliteJobQueue) -> None:
    app = create_app(settings_for(tmp_path), handle=None, queue=queue)  # no workers: inspect
    with serve(app) as server, WebhookSender(server.base_url, SECRET) as client:
        opened = client.send("pull_request", gh.pull_request_payload("opened")).delivery
        push = client.send("pull_request", gh.pull_request_payload("synchronize")).delivery
        command = client.send("issue_comment", gh.issue_comment_payload("/review")).delivery
        reply = client.send("pull_request_review_comment", gh.review_comment_payload()).delivery
        other = client.send("pull_request", gh.pull_request_payload("opened", number=13)).delivery
        install = client.send("installation", gh.installation_payload()).delivery
        closed = client.send("pull_request", gh.pull_request_payload("closed")).delivery
    pr12, pr13 = f"{gh.REPO}#12", f"{gh.REPO}#13"
    assert states(queue) == {
        opened.delivery_id: (pr12, "superseded"),
        push.delivery_id: (pr12, "cancelled"),
        command.delivery_id: (pr12, "cancelled"),
        reply.delivery_id: (pr12, "cancelled"),
        other.delivery_id: (pr13, "queued"),
        install.delivery_id: (None, "queued"),
        closed.delivery_id: (pr12, "queued"),  # its own handler may clean up
    }


def test_health_and_readiness(tmp_path: Path, queue: SqliteJobQueue) -> None:
    app = create_app(settings_for(tmp_path), handle=Recorder(), queue=queue)
    with serve(app) as server, httpx.Client(base_url=server.base_url) as client:
        assert client.get("/healthz").json() == {"ok": True}
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"ready": True, "depth": 0, "workers": 2})
        queue.close()  # storage gone
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["ready"] is False
        assert "is not open" in down.json()["error"]
        assert client.get("/healthz").status_code == 200
        with WebhookSender(server.base_url, SECRET) as sender:
            refused = sender.send("pull_request", gh.pull_request_payload("opened"))
        assert refused.response.status_code == 503
        assert refused.response.json()["error"] == "queue_unavailable"


def test_app_opens_its_own_queue_under_data_dir(tmp_path: Path, recorder: Recorder) -> None:
    app = create_app(settings_for(tmp_path / "data"), handle=recorder)
    assert not (tmp_path / "data").exists()  # building the app does no I/O
    with serve(app) as server, WebhookSender(server.base_url, SECRET) as client:
        client.send("installation", gh.installation_payload())
        recorder.wait_for(1)
    with SqliteJobQueue(tmp_path / "data" / "jobs.sqlite3") as reopened:
        assert [r.status for r in reopened.list()] == [JobStatus.COMPLETED]


def test_job_running_at_shutdown_stays_leased(tmp_path: Path, queue: SqliteJobQueue) -> None:
    recorder = Recorder()
    recorder.blocking = True
    app = create_app(settings_for(tmp_path, job_lease_seconds=30), handle=recorder, queue=queue)
    with serve(app) as server, WebhookSender(server.base_url, SECRET) as client:
        client.send("pull_request", gh.pull_request_payload("opened"))
        assert recorder.called.wait(10)
    [record] = queue.list()  # the server stopped within its grace period
    assert (record.status, record.attempts) == (JobStatus.RUNNING, 1)
    # Its lease was left as the last renewal set it (30 s), not released.
    assert record.lease_expires_at == pytest.approx(record.updated_at + 30)


@pytest.mark.parametrize("secret", [None, ""])
def test_refuses_to_start_without_a_secret(tmp_path: Path, secret: str | None) -> None:
    settings = settings_for(tmp_path, webhook_secret=None if secret is None else SecretStr(secret))
    with pytest.raises(ConfigError, match="no webhook secret: set PRBOT_WEBHOOK_SECRET"):
        create_app(settings)


def test_unsigned_dev_mode_accepts_and_warns_loudly(
    tmp_path: Path, queue: SqliteJobQueue, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path, webhook_secret=None, allow_unsigned_dev=True)
    caplog.set_level(logging.WARNING, logger="bot.app")
    with serve(create_app(settings, queue=queue)) as server:
        startup = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
        assert startup == [
            "UNSIGNED WEBHOOKS ACCEPTED: no webhook secret is set and allow_unsigned_dev is on. "
            "Anyone who can reach this server can enqueue work. Never run this way in production."
        ]
        with WebhookSender(server.base_url, secret=None) as client:
            sent = client.send("pull_request", gh.pull_request_payload("opened"))
    assert sent.response.status_code == 202
    assert caplog.records[-1].levelno == logging.WARNING
    assert caplog.records[-1].getMessage() == (
        f"UNSIGNED delivery {sent.delivery.delivery_id} accepted (allow_unsigned_dev)"
    )
    assert [r.delivery_id for r in queue.list()] == [sent.delivery.delivery_id]


def test_secret_wins_over_the_dev_flag(tmp_path: Path, queue: SqliteJobQueue) -> None:
    settings = settings_for(tmp_path, allow_unsigned_dev=True)
    with (
        serve(create_app(settings, queue=queue)) as server,
        WebhookSender(server.base_url, secret=None) as client,
    ):
        sent = client.send("pull_request", gh.pull_request_payload("opened"))
    assert sent.response.status_code == 401


# --- settings -----------------------------------------------------------------------------


def test_settings_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "prbot.toml"
    toml.write_text('workers = 5\napp_id = "from-file"\ngithub_url = "http://127.0.0.1:1"\n')
    monkeypatch.setenv("PRBOT_SETTINGS_FILE", str(toml))
    monkeypatch.setenv("PRBOT_APP_ID", "from-env")
    monkeypatch.setenv("PRBOT_WEBHOOK_SECRET", "env-secret")
    settings = Settings(workers=1)
    assert (settings.workers, settings.app_id, settings.github_url) == (
        1,  # explicit
        "from-env",  # environment over file
        "http://127.0.0.1:1",  # file over default
    )
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "env-secret"
    assert "env-secret" not in repr(settings)
    assert settings.max_body_bytes == 25 * 1024 * 1024
    assert settings.jobs_path == Path(".prbot") / "jobs.sqlite3"


def test_settings_from_yaml_file(tmp_path: Path) -> None:
    yaml = tmp_path / "prbot.yaml"
    yaml.write_text("workers: 3\nallow_unsigned_dev: true\ndata_dir: /var/lib/prbot\n")
    settings = Settings(settings_file=yaml)
    assert (settings.workers, settings.allow_unsigned_dev, settings.data_dir) == (
        3,
        True,
        Path("/var/lib/prbot"),
    )


@pytest.mark.parametrize(
    ("name", "text", "error", "message"),
    [
        ("missing.toml", None, ConfigError, "does not exist"),
        ("prbot.ini", "workers = 2", ConfigError, "expected a .toml, .yaml or .yml"),
        ("typo.toml", "wrokers = 2", ValueError, "wrokers"),
        ("negative.toml", "workers = -1", ValueError, "greater than or equal to 0"),
    ],
)
def test_bad_settings_files(
    tmp_path: Path, name: str, text: str | None, error: type[Exception], message: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(error, match=message):
        Settings(settings_file=path)
