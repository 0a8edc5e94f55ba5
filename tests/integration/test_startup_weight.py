"""What the server and its clients carry: no model SDKs below bot.settings, startup objects frozen.

A full GC pass over the ~220,000 objects the SDKs, pydantic and FastAPI leave behind
stalled the event loop ~150 ms and pushed webhook acks past 100 ms (tests.perf.webhook).
"""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.app import create_app
from bot.jobs import Job
from bot.settings import Settings
from tests.fakes.servers import serve

SDKS = ("anthropic", "openai")


@pytest.mark.parametrize("module", ["bot.jobs", "bot.jobs_sqlite", "bot.logs"])
def test_the_job_and_log_modules_do_not_import_the_model_sdks(module: str) -> None:
    probe = f"import sys, {module}; print(sorted(m for m in {SDKS!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's objects go back to normal collection


async def no_op(job: Job) -> None:
    del job


@pytest.mark.usefixtures("unfrozen")
def test_a_started_app_has_frozen_its_startup_objects(tmp_path: Path) -> None:
    assert gc.get_freeze_count() == 0
    settings = Settings(webhook_secret=SecretStr("s3cret-for-tests"), data_dir=tmp_path)
    with serve(create_app(settings, handle=no_op)) as server:
        ready = httpx.get(f"{server.base_url}/readyz", timeout=5.0, trust_env=False)
        assert ready.status_code == 200
        assert gc.get_freeze_count() > 100_000
