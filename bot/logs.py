"""Structured logs: one JSON object per line, the delivery's context on each record, no secrets.

    configure_logging(json=True, level="INFO", secrets=secret_values(settings, os.environ))

    with log_context(delivery=job.delivery_id, installation=job.installation_id):
        log.info("...")  # -> {"time": ..., "level": "INFO", ..., "delivery": "72d3..."}

The context lives in a contextvar: set by the job runner around each job, it follows the
job into asyncio tasks and `asyncio.to_thread` calls, which copy the current context.
Redaction happens in a handler filter, so every line is scrubbed whatever logger wrote it
(ours, uvicorn's, the SDKs'): the configured secrets verbatim, then every pattern of
reviewers.secrets (AWS keys, GitHub tokens, private keys, ...).
"""

from __future__ import annotations

import json as jsonlib
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Final
from urllib.parse import urlsplit

from pydantic import SecretStr

from reviewers.redact import redact

if TYPE_CHECKING:
    # Only a type here. bot.settings imports both model SDKs (~3,700 modules, ~160,000
    # objects), and everything importing bot.jobs imports this module: the worker, the
    # CLI and the webhook benchmark's client, whose every full GC pass then scanned them.
    from bot.settings import Settings

CONTEXT_FIELDS: Final = ("delivery", "installation", "repo", "pr")
CONFIGURED_SECRET: Final = "[REDACTED:configured-secret]"
MIN_SECRET_CHARS: Final = 4  # shorter values would mangle every line and protect nothing
MIN_SECRET_LINE_CHARS: Final = 16  # lines of a multi-line secret (a PEM body) hidden alone
MODEL_KEY_ENVS: Final = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GITHUB_TOKEN")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s %(message)s"

_EMPTY: Mapping[str, str | int] = MappingProxyType({})
_context: ContextVar[Mapping[str, str | int]] = ContextVar("prbot_log_context", default=_EMPTY)


@contextmanager
def log_context(
    *,
    delivery: str | None = None,
    installation: int | None = None,
    repo: str | None = None,
    pr: int | None = None,
) -> Iterator[None]:
    """Add these fields (those not None) to every record logged inside the block."""
    given = {"delivery": delivery, "installation": installation, "repo": repo, "pr": pr}
    merged = {**_context.get(), **{k: v for k, v in given.items() if v is not None}}
    token = _context.set(MappingProxyType(merged))
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, str | int]:
    return dict(_context.get())


def repo_and_pr(key: str | None) -> tuple[str | None, int | None]:
    """("owner/repo", 12) from a job key "owner/repo#12"; (None, None) otherwise."""
    if not key or "#" not in key:
        return None, None
    repo, _, number = key.rpartition("#")
    return (repo, int(number)) if number.isdigit() else (repo, None)


class ContextFilter(logging.Filter):
    """Copy the current log context onto the record (fields set with extra= win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class RedactingFilter(logging.Filter):
    """Scrub secrets from the message, arguments and traceback before any handler formats them.

    The record is rewritten in place (msg formatted, args dropped), so other handlers on
    the same logger, pytest's caplog included, see the scrubbed text too.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.literals = literal_secrets(secrets)
        self._traceback = logging.Formatter()

    def scrub(self, text: str) -> str:
        for literal in self.literals:
            text = text.replace(literal, CONFIGURED_SECRET)
        return redact(text).text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(message_of(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def message_of(record: logging.LogRecord) -> str:
    """The formatted message; a call whose arguments do not fit its format still logs."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return f"{record.msg!s} {record.args!r}"


def literal_secrets(secrets: Iterable[str]) -> tuple[str, ...]:
    """Distinct values to hide verbatim, longest first; a multi-line one also line by line."""
    found: set[str] = set()
    for secret in secrets:
        value = secret.strip()
        if len(value) >= MIN_SECRET_CHARS:
            found.add(value)
        if "\n" in value:
            lines = (line.strip() for line in value.splitlines())
            found.update(line for line in lines if len(line) >= MIN_SECRET_LINE_CHARS)
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


def secret_values(settings: Settings, env: Mapping[str, str]) -> tuple[str, ...]:
    """Every secret the server holds: SecretStr settings, the key file, the models' API keys."""
    fields = [getattr(settings, name) for name in type(settings).model_fields]
    values = [v.get_secret_value() for v in fields if isinstance(v, SecretStr)]
    # A password inside a URL setting (redis://:password@host/0) is a secret too.
    values += [url_password(v) for v in fields if isinstance(v, str) and "://" in v]
    if settings.private_key_path is not None:
        values.append(read_quietly(settings.private_key_path))
    key_envs = {spec.api_key_env for spec in settings.small_models + settings.frontier_models}
    for name in sorted({*MODEL_KEY_ENVS, *(n for n in key_envs if n)}):
        values.append(env.get(name, ""))
    return tuple(v for v in values if v)


def url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:  # a malformed URL is reported by whoever connects with it
        return ""


def read_quietly(path: Path) -> str:
    # Startup reports an unreadable key file itself (bot.server.private_key); not our job.
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message_of(record),
        }
        entry.update(context_of(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return jsonlib.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The classic line, with the context appended as key=value pairs."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{k}={v}" for k, v in context_of(record).items())
        if not fields:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{fields}]{newline}{rest}"


def context_of(record: logging.LogRecord) -> dict[str, object]:
    """The context fields carried by the record, else those of the formatting context."""
    ambient = _context.get()
    found = {name: getattr(record, name, ambient.get(name)) for name in CONTEXT_FIELDS}
    return {name: value for name, value in found.items() if value is not None}


class PrbotHandler(logging.StreamHandler[IO[str]]):
    """The handler configure_logging installs; a marker class so reconfiguring replaces it."""


def build_handler(
    stream: IO[str] | None = None, *, json: bool = True, secrets: Iterable[str] = ()
) -> logging.Handler:
    """A stream handler with the context and redaction filters and the chosen format."""
    handler = PrbotHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    return handler


def configure_logging(
    json: bool,
    level: int | str,
    *,
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every logger's records through one redacting handler on the root logger."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, PrbotHandler)]:
        root.removeHandler(old)
    handler = build_handler(stream, json=json, secrets=secrets)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.captureWarnings(True)  # warnings become records too, so they are JSON and scrubbed
    return handler
