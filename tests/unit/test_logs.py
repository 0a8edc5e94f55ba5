"""Structured logs: JSON lines with the delivery's context, and no secret ever written."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.logs import (
    CONFIGURED_SECRET,
    CONTEXT_FIELDS,
    PrbotHandler,
    build_handler,
    configure_logging,
    current_context,
    literal_secrets,
    log_context,
    repo_and_pr,
    secret_values,
)
from bot.settings import Settings
from reviewers.llm.spec import ModelSpec

WEBHOOK_SECRET = "whsec-Qm4v9ZtL2pX8"
AWS_KEY = "AKIAQ3EGRSTUVWXYZ234"
GITHUB_TOKEN = "ghs_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
ANTHROPIC_KEY = "sk-ant-api03-Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of our own writing through a prbot handler into a string."""
    stream = io.StringIO()
    logger = logging.getLogger("tests.logs.capture")
    handler = build_handler(stream, json=True, secrets=[WEBHOOK_SECRET, PEM])
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_carries_the_bound_context(
    capture: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = capture
    with log_context(delivery="d-1", installation=7, repo="octo/demo", pr=12):
        logger.info("reviewed %d file(s)\nsecond line", 3)
    logger.warning("outside")
    first, second = lines(stream)
    assert set(first) == {"time", "level", "logger", "message", *CONTEXT_FIELDS}
    assert (first["level"], first["logger"], first["message"]) == (
        "INFO",
        "tests.logs.capture",
        "reviewed 3 file(s)\nsecond line",
    )
    assert (first["delivery"], first["installation"], first["repo"], first["pr"]) == (
        "d-1",
        7,
        "octo/demo",
        12,
    )
    assert str(first["time"]).endswith("+00:00")
    assert len(stream.getvalue().splitlines()) == 2  # the newline stayed inside the JSON
    assert set(second) == {"time", "level", "logger", "message"}


def test_contexts_nest_and_unwind() -> None:
    assert current_context() == {}
    with log_context(delivery="outer", installation=1):
        with log_context(repo="o/r", pr=3):
            assert current_context() == {
                "delivery": "outer",
                "installation": 1,
                "repo": "o/r",
                "pr": 3,
            }
        with log_context(delivery="inner"):
            assert current_context() == {"delivery": "inner", "installation": 1}
        assert current_context() == {"delivery": "outer", "installation": 1}
    assert current_context() == {}


async def test_the_context_follows_tasks_and_threads(
    capture: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = capture

    async def job(delivery: str) -> None:
        with log_context(delivery=delivery):
            await asyncio.sleep(0)
            await asyncio.to_thread(logger.info, "in a thread")
            await asyncio.gather(asyncio.to_thread(logger.info, "in a gathered thread"))

    await asyncio.gather(job("a"), job("b"))
    seen = sorted((str(entry["delivery"]), str(entry["message"])) for entry in lines(stream))
    assert seen == [
        ("a", "in a gathered thread"),
        ("a", "in a thread"),
        ("b", "in a gathered thread"),
        ("b", "in a thread"),
    ]


def test_extra_fields_win_over_the_context(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    with log_context(delivery="ambient"):
        logger.info("explicit", extra={"delivery": "given"})
    assert lines(stream)[0]["delivery"] == "given"


@pytest.mark.parametrize(
    ("secret", "kind"),
    [
        (WEBHOOK_SECRET, CONFIGURED_SECRET),
        (PEM, CONFIGURED_SECRET),
        (PEM.splitlines()[1], CONFIGURED_SECRET),  # one line of the key, alone
        (AWS_KEY, "[REDACTED:aws-access-key-id]"),
        (GITHUB_TOKEN, "[REDACTED:github-token]"),
        (ANTHROPIC_KEY, "[REDACTED:anthropic-api-key]"),
    ],
)
def test_secrets_are_scrubbed_from_messages_and_arguments(
    capture: tuple[logging.Logger, io.StringIO], secret: str, kind: str
) -> None:
    logger, stream = capture
    logger.error("in the format " + secret)
    logger.error("as an argument: %s", secret)
    logger.error("in a mapping: %(value)s", {"value": f"token={secret}"})
    out = stream.getvalue()
    assert secret not in out
    for line in secret.splitlines():
        assert line.strip() not in out or len(line.strip()) < 16
    assert [str(e["message"]).count(kind) >= 1 for e in lines(stream)] == [True, True, True]


def test_secrets_are_scrubbed_from_tracebacks(
    capture: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = capture
    try:
        raise RuntimeError(f"upstream said: Authorization: token {GITHUB_TOKEN} ({WEBHOOK_SECRET})")
    except RuntimeError:
        logger.exception("call failed")
    [entry] = lines(stream)
    assert "RuntimeError: upstream said" in str(entry["exception"])
    assert GITHUB_TOKEN not in stream.getvalue() and WEBHOOK_SECRET not in stream.getvalue()


def test_a_message_whose_arguments_do_not_fit_still_logs(
    capture: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = capture
    logger.info("two %s %s", AWS_KEY)
    [entry] = lines(stream)
    assert str(entry["message"]).startswith("two %s %s (")
    assert AWS_KEY not in stream.getvalue()


def test_literal_secrets_are_distinct_longest_first_and_skip_tiny_values() -> None:
    assert literal_secrets(["abc", "", "  padded-secret  ", "longer-secret-value", "abc"]) == (
        "longer-secret-value",
        "padded-secret",
    )
    pem_parts = literal_secrets([PEM])
    assert pem_parts[0] == PEM
    assert set(pem_parts[1:]) == {line for line in PEM.splitlines() if len(line) >= 16}


def test_secret_values_gathers_every_secret_the_server_holds(tmp_path: Path) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(PEM)
    settings = Settings(
        webhook_secret=SecretStr(WEBHOOK_SECRET),
        private_key=SecretStr("inline-pem-text"),
        private_key_path=key_file,
        github_url="https://user:gh-url-password@ghe.example/api/v3",
        small_models=[ModelSpec(provider="openai", model="m", api_key_env="SMALL_KEY")],
        frontier_models=[ModelSpec(provider="anthropic", model="f")],
    )
    env = {
        "SMALL_KEY": "sk-small-123456",
        "ANTHROPIC_API_KEY": ANTHROPIC_KEY,
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "UNRELATED": "not-a-secret",
    }
    assert sorted(secret_values(settings, env)) == sorted(
        [
            WEBHOOK_SECRET,
            "inline-pem-text",
            "gh-url-password",
            PEM,
            ANTHROPIC_KEY,
            GITHUB_TOKEN,
            "sk-small-123456",
        ]
    )


def test_text_format_appends_the_context() -> None:
    stream = io.StringIO()
    handler = build_handler(stream, json=False, secrets=[WEBHOOK_SECRET])
    record = logging.LogRecord(
        "prbot.x", logging.WARNING, __file__, 1, "hi %s", (WEBHOOK_SECRET,), None
    )
    with log_context(delivery="d-9", pr=4):
        handler.handle(record)
    line = stream.getvalue().strip()
    assert line.endswith(f" WARNING prbot.x hi {CONFIGURED_SECRET} [delivery=d-9 pr=4]")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("octo/demo#12", ("octo/demo", 12)),
        ("o/r#x", ("o/r", None)),
        ("weird#name/r#3", ("weird#name/r", 3)),
        (None, (None, None)),
        ("", (None, None)),
        ("no-number", (None, None)),
    ],
)
def test_repo_and_pr_from_a_job_key(
    key: str | None, expected: tuple[str | None, int | None]
) -> None:
    assert repo_and_pr(key) == expected


def test_configure_logging_installs_one_root_handler_and_replaces_it() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        first = io.StringIO()
        configure_logging(json=True, level="debug", secrets=[WEBHOOK_SECRET], stream=first)
        second = io.StringIO()
        configure_logging(json=True, level=logging.INFO, secrets=[WEBHOOK_SECRET], stream=second)
        assert sum(isinstance(h, PrbotHandler) for h in root.handlers) == 1
        assert root.level == logging.INFO
        logging.getLogger("tests.logs.root").info("started with %s", WEBHOOK_SECRET)
        logging.getLogger("some.sdk").debug("hidden at INFO")
        assert first.getvalue() == ""
        [entry] = lines(second)
        assert entry["logger"] == "tests.logs.root"
        assert entry["message"] == f"started with {CONFIGURED_SECRET}"
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(False)
