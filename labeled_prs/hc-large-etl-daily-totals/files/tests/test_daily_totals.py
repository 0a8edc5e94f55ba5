import datetime as dt
from decimal import Decimal

from etl.ingest import Sale, Store, daily_totals

STORES = [Store("S1", "north", dt.date(2020, 1, 1)), Store("S2", "south", dt.date(2021, 5, 1))]


def sale(store: str, day: int, amount: str, qty: int = 1) -> Sale:
    return Sale(store, dt.date(2025, 3, day), "SKU", qty, Decimal(amount))


def test_totals_per_store_and_day() -> None:
    totals = daily_totals([sale("S1", 1, "10"), sale("S1", 1, "5", 2), sale("S2", 1, "7")], STORES)
    assert [(t.store_id, t.revenue, t.units) for t in totals] == [
        ("S1", Decimal("15"), 3),
        ("S2", Decimal("7"), 1),
    ]


def test_unknown_store_is_skipped() -> None:
    assert daily_totals([sale("S9", 1, "10")], STORES) == []


def test_first_day_average_is_its_own_revenue() -> None:
    (total,) = daily_totals([sale("S1", 1, "12.50")], STORES)
    assert total.revenue_7d_avg == Decimal("12.50")
