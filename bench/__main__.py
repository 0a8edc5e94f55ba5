"""`python -m bench`: the benchmark's entry point (bench/cli.py)."""

from bench.cli import main

raise SystemExit(main())
