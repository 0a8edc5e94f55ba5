"""Stock movements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


def apply_movements(
    stock: Mapping[str, int], movements: Iterable[tuple[str, int]]
) -> dict[str, int]:
    levels: defaultdict[str, int] = defaultdict(int, stock)
    for sku, delta in movements:
        levels[sku] += delta
    return dict(levels)


def low_stock(levels: Mapping[str, int], threshold: int = 5) -> list[str]:
    return sorted(sku for sku, qty in levels.items() if qty <= threshold)
