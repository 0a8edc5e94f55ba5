"""Security tests reuse the integration fixtures: the fake GitHub server, the App key (Redis comes
from tests/conftest.py)."""

from __future__ import annotations

from tests.integration.conftest import (  # noqa: F401 (fixtures, found by name)
    _github_session,
    app_key,
    fake_github,
    fake_github_url,
)
