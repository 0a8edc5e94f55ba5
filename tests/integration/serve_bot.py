"""Run the bot as its own process (for crash tests): `python -m tests.integration.serve_bot
SETTINGS_FILE PORT`, with zero write pacing so tests stay fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import uvicorn

from bot.server import build_server
from bot.settings import Settings
from tests.integration.bot_harness import fast_options


def main() -> None:
    settings = Settings(settings_file=Path(sys.argv[1]))
    server = build_server(settings, os.environ, fast_options(settings.github_url))
    uvicorn.run(server.app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")


if __name__ == "__main__":
    main()
