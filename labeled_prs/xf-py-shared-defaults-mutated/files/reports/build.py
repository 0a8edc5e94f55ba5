"""Build weekly reports."""

from __future__ import annotations

from typing import Any

from reports.options import default_options


def build_report(
    rows: list[dict[str, Any]], overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    options = default_options()
    options.update(overrides or {})
    total = sum(r["amount"] for r in rows if options["include_refunds"] or r["amount"] > 0)
    return {"currency": options["currency"], "total": total}
