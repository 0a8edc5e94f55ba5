"""The I/O shell: HTTP in, GitHub out, queue, CLI. No review logic lives here."""
