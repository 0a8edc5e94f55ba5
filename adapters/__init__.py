"""I/O adapters the pure core is handed as protocols (ruff as a `Linter`)."""
