"""Invoice documents."""

from __future__ import annotations

from dataclasses import dataclass

from billing.cache import BlobCache
from billing.render import render_pdf

DAY = 24 * 3600


@dataclass(frozen=True)
class Invoice:
    id: str
    version: int
    lines: tuple[tuple[str, int], ...]


def invoice_pdf(invoice: Invoice, cache: BlobCache) -> bytes:
    key = f"{invoice.id}:{invoice.version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    pdf = render_pdf(invoice.id, invoice.lines)
    cache.put(key, pdf, DAY)
    return pdf
