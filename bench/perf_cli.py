"""How light the `prbot` command is: `python -m bench.perf_cli [--runs 10]`; prints Markdown.

Each command runs N times as a fresh process (as a CI step or a shell runs it), offline:
no model keys, a fresh data directory. Figures per command: wall seconds (min, median,
max) and peak resident memory of the process (ru_maxrss), next to the bare interpreter
(`python -c pass`) and `import pydantic` measured in the same run, so a slow machine shows
as a slow baseline. Targets (issue 11): `prbot --help` under 0.3 s; an offline review of
a one-file diff under 0.5 s and 60 MB.

RUST_BACKTRACE is removed from the children's environment unless --keep-rust-backtrace:
with it set, every error ast-grep raises internally (reviewers/syntax.py probes grammar
kinds that way) captures a backtrace, about 10 ms each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ONE_FILE = (
    "diff --git a/app/users.py b/app/users.py\n"
    "--- a/app/users.py\n+++ b/app/users.py\n"
    "@@ -1,6 +1,8 @@\n"
    " import sqlite3\n"
    "+import subprocess\n"
    " \n"
    " \n"
    " def find(conn, name):\n"
    "-    return conn.execute('SELECT id FROM users WHERE name = ?', (name,))\n"
    "+    subprocess.run(f'echo {name}', shell=True)\n"
    "+    return conn.execute(f\"SELECT id FROM users WHERE name = '{name}'\")\n"
    " \n"
)
TARGETS = {"prbot --help": (0.3, None), "prbot review (cold cache)": (0.5, 60.0)}


@dataclass(frozen=True)
class Figures:
    name: str
    seconds: list[float]
    peak_mb: float
    exit_codes: set[int]

    def row(self, floor: float) -> str:
        s = self.seconds
        target = TARGETS.get(self.name)
        verdict = ""
        if target is not None:
            seconds_ok = statistics.median(s) < target[0]
            memory_ok = target[1] is None or self.peak_mb < target[1]
            limit = f"< {target[0]} s" + (f", < {target[1]:.0f} MB" if target[1] else "")
            verdict = f"{limit}: {'met' if seconds_ok and memory_ok else 'MISSED'}"
        return (
            f"| {self.name} | {min(s):.3f} | {statistics.median(s):.3f} | {max(s):.3f} "
            f"| {statistics.median(s) / floor:.1f}x | {self.peak_mb:.1f} "
            f"| {','.join(map(str, sorted(self.exit_codes)))} | {verdict} |"
        )


def run_once(argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        list(argv), env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, child.returncode  # Linux: ru_maxrss in KiB


def measure(
    name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path, runs: int
) -> Figures:
    run_once(argv, env, cwd)  # warm the OS file cache and .pyc files; not counted
    results = [run_once(argv, env, cwd) for _ in range(runs)]
    return Figures(
        name,
        [r[0] for r in results],
        max(r[1] for r in results),
        {r[2] for r in results},
    )


def offline_env(data_dir: Path, keep_rust_backtrace: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env = {k: v for k, v in env.items() if not k.startswith("PRBOT_")}
    env["PRBOT_DATA_DIR"] = str(data_dir)
    if not keep_rust_backtrace:
        env.pop("RUST_BACKTRACE", None)
        env.pop("RUST_LIB_BACKTRACE", None)
    return env


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    parser.add_argument("--keep-rust-backtrace", action="store_true")
    args = parser.parse_args(argv)
    prbot = str(Path(sys.executable).with_name("prbot"))
    with tempfile.TemporaryDirectory(prefix="prbot-perf-cli-") as tmp:
        root = Path(tmp)
        diff = root / "one.diff"
        diff.write_text(ONE_FILE, encoding="utf-8")
        env = offline_env(root / "data", args.keep_rust_backtrace)
        review = [prbot, "review", "--diff", str(diff)]
        commands = [
            ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
            ("python -c 'import pydantic' (baseline)", [sys.executable, "-c", "import pydantic"]),
            ("prbot --help", [prbot, "--help"]),
            ("prbot --version", [prbot, "--version"]),
            ("prbot review (cold cache)", [*review, "--no-cache"]),
            ("prbot review (warm cache)", review),
        ]
        figures = [measure(name, cmd, env, root, args.runs) for name, cmd in commands]
    load = os.getloadavg()[0]
    print(f"{args.runs} runs each, {os.cpu_count()} CPUs, load average {load:.2f}")
    print(f"RUST_BACKTRACE {'kept' if args.keep_rust_backtrace else 'unset'} in the children\n")
    floor = statistics.median(figures[0].seconds)  # the bare interpreter
    print("| command | min s | median s | max s | / python | peak MB | exit | target (median) |")
    print("|---|---|---|---|---|---|---|---|")
    for f in figures:
        print(f.row(floor))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
