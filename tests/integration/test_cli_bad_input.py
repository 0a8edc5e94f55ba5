"""`prbot review --diff -` fed what is not a diff: exit 2 and one clear line, never a clean
review; an empty diff stays a clean exit 0."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

GOOD = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
CONTEXT = (
    "*** x.py\t2024-01-01 00:00:00\n--- x.py\t2024-01-02 00:00:00\n***************\n"
    "*** 1 ****\n! a = 1\n--- 1 ----\n! a = 2\n"
)
ANSI = "".join(f"\x1b[1m{line}\x1b[m\n" for line in GOOD.splitlines())
BAD_INPUTS = {
    "plain text": (b"not a diff\n", "no file header"),
    "random binary": (random.Random(7).randbytes(4096), "binary data"),
    "JSON document": (json.dumps({"diff": GOOD}).encode(), "looks like a JSON document"),
    "context diff": (CONTEXT.encode(), "context diff (diff -c)"),
    "UTF-16 diff": (GOOD.encode("utf-16"), "UTF-16"),
    "ANSI-coloured diff": (ANSI.encode(), "git diff --no-color"),
    "HTML error page": (b"<!DOCTYPE html>\n<title>502 Bad Gateway</title>\n", "error page"),
}


@pytest.fixture(autouse=True)
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PRBOT_DATA_DIR", str(tmp_path / "data"))


def review_stdin(data: bytes, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return main(["review", "--diff", "-", "--fail-on", "info", *extra])


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_input_that_is_not_a_diff_exits_2_with_one_line(
    kind: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, says = BAD_INPUTS[kind]
    assert review_stdin(data, monkeypatch) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("prbot: error: not a unified diff: ")
    assert says in err


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_an_empty_diff_is_a_clean_review(
    data: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert review_stdin(data, monkeypatch, "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["coverage"]["files_total"] == 0


def test_the_same_diff_without_the_noise_is_reviewed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert review_stdin(GOOD.encode(), monkeypatch, "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["coverage"]["files_total"] == 1


def test_an_error_page_piped_into_a_ci_step_fails_it(tmp_path: Path) -> None:
    """The issue's own reproduction, through a real pipe into the installed command."""
    prbot = Path(sys.executable).with_name("prbot")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["PRBOT_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [str(prbot), "review", "--diff", "-", "--fail-on", "info"],
        input=b"not a diff\n",
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        "prbot: error: not a unified diff: no file header (a `diff --git` line or a "
        "`---`/`+++` pair) found; the input starts with 'not a diff'"
    ]
