"""Progress reporting for long-running import jobs."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class ImportProgress:
    total_rows: int
    processed_rows: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        self.started_at = time.monotonic()

    def advance(self, rows: int) -> None:
        self.processed_rows += rows

    @property
    def percent(self) -> int:
        if self.total_rows == 0:
            return 100
        return self.processed_rows // self.total_rows * 100

    def eta_seconds(self) -> float | None:
        elapsed = time.monotonic() - self.started_at
        if self.processed_rows == 0 or elapsed <= 0:
            return None
        rate = self.processed_rows / elapsed
        return (self.total_rows - self.processed_rows) / rate

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total_rows,
            "processed": self.processed_rows,
            "percent": self.percent,
            "eta_seconds": self.eta_seconds(),
        }
