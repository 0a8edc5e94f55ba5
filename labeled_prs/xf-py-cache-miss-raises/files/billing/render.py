"""PDF rendering."""

from __future__ import annotations


def render_pdf(invoice_id: str, lines: tuple[tuple[str, int], ...]) -> bytes:
    body = "\n".join(f"{name}: {cents / 100:.2f}" for name, cents in lines)
    return f"%PDF-1.4 invoice {invoice_id}\n{body}".encode()
