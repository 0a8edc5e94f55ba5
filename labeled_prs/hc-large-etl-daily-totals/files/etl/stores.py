"""Store master data (exported nightly from the ERP as JSON lines)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from etl.ingest import Store


def load_stores(path: Path) -> list[Store]:
    stores = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("status") == "closed":
                continue
            stores.append(
                Store(rec["id"], rec.get("region", "unknown"), dt.date.fromisoformat(rec["opened"]))
            )
    return stores
