"""CSV exports of the invoice ledger."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from ledger.models import Invoice

COLUMNS = ["number", "customer", "issued", "due", "total", "currency", "status"]


def invoice_row(inv: Invoice) -> list[str]:
    return [
        inv.number,
        inv.customer_name,
        inv.issued.isoformat(),
        inv.due.isoformat(),
        f"{inv.total:.2f}",
        inv.currency,
        inv.status.value,
    ]


def export_invoices(invoices: Iterable[Invoice], path: Path) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for inv in invoices:
            writer.writerow(invoice_row(inv))
            count += 1
    return count


class ExportAborted(RuntimeError):
    pass


def export_invoices_by_month(
    invoices: Iterable[Invoice], directory: Path, max_rows_per_file: int = 50_000
) -> list[Path]:
    """One CSV per issue month (ledger-YYYY-MM.csv); refuses to write oversized files."""
    directory.mkdir(parents=True, exist_ok=True)
    handles = {}
    writers = {}
    counts: dict[str, int] = {}
    for inv in sorted(invoices, key=lambda i: i.issued):
        month = inv.issued.strftime("%Y-%m")
        if month not in writers:
            fh = (directory / f"ledger-{month}.csv").open("w", newline="", encoding="utf-8")
            handles[month] = fh
            writers[month] = csv.writer(fh)
            writers[month].writerow(COLUMNS)
            counts[month] = 0
        if counts[month] >= max_rows_per_file:
            raise ExportAborted(f"more than {max_rows_per_file} invoices in {month}")
        writers[month].writerow(invoice_row(inv))
        counts[month] += 1
    for fh in handles.values():
        fh.close()
    return [directory / f"ledger-{m}.csv" for m in sorted(handles)]
