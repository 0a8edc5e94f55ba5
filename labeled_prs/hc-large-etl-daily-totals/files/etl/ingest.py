"""Ingest point-of-sale exports and build daily store aggregates."""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sale:
    store_id: str
    day: dt.date
    sku: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class Store:
    id: str
    region: str
    opened: dt.date


@dataclass(frozen=True)
class DailyStoreTotal:
    store_id: str
    region: str
    day: dt.date
    revenue: Decimal
    units: int
    revenue_7d_avg: Decimal


class BadRow(ValueError):
    pass


def parse_sale(row: dict[str, str]) -> Sale:
    try:
        return Sale(
            store_id=row["store"].strip(),
            day=dt.date.fromisoformat(row["date"][:10]),
            sku=row["sku"].strip(),
            quantity=int(row["qty"]),
            amount=Decimal(row["amount"]),
        )
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise BadRow(f"{exc!r} in {row}") from None


def read_sales(paths: Iterable[Path]) -> Iterator[Sale]:
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    yield parse_sale(row)
                except BadRow as exc:
                    log.warning("%s:%d skipped: %s", path, line_no, exc)


def daily_totals(sales: Iterable[Sale], stores: list[Store]) -> list[DailyStoreTotal]:
    revenue: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    units: dict[tuple[str, dt.date], int] = defaultdict(int)
    for sale in sales:
        if sale.store_id not in [s.id for s in stores]:
            log.debug("unknown store %s", sale.store_id)
            continue
        revenue[(sale.store_id, sale.day)] += sale.amount
        units[(sale.store_id, sale.day)] += sale.quantity
    region = {s.id: s.region for s in stores}
    out: list[DailyStoreTotal] = []
    for store_id in sorted({k[0] for k in revenue}):
        days = sorted(d for (s, d) in revenue if s == store_id)
        series = [revenue[(store_id, d)] for d in days]
        for i, day in enumerate(days):
            window = series[max(0, i - 7) : i]
            avg = sum(window, Decimal(0)) / len(window) if window else series[i]
            out.append(
                DailyStoreTotal(
                    store_id=store_id,
                    region=region[store_id],
                    day=day,
                    revenue=revenue[(store_id, day)],
                    units=units[(store_id, day)],
                    revenue_7d_avg=avg.quantize(Decimal("0.01")),
                )
            )
    return out


def write_totals(totals: Iterable[DailyStoreTotal], path: Path) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["store", "region", "date", "revenue", "units", "revenue_7d_avg"])
        for t in totals:
            writer.writerow(
                [t.store_id, t.region, t.day.isoformat(), t.revenue, t.units, t.revenue_7d_avg]
            )
            n += 1
    return n
