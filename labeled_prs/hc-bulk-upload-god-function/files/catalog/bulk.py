"""Bulk product upload."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from catalog.models import Product
from catalog.store import ProductStore


def parse_price(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"bad price {raw!r}") from None


def handle_bulk_upload(store: ProductStore, mailer, metrics, user, raw: bytes, dry_run=False):
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","
    )
    errors = []
    products = []
    seen = set()
    for i, row in enumerate(reader, start=2):
        sku = (row.get("sku") or "").strip().upper()
        if not sku:
            errors.append(f"line {i}: missing sku")
            continue
        if sku in seen:
            errors.append(f"line {i}: duplicate sku {sku}")
            continue
        seen.add(sku)
        name = (row.get("name") or "").strip()
        if not name:
            errors.append(f"line {i}: missing name")
            continue
        try:
            price = parse_price(row.get("price") or "")
        except ValueError as exc:
            errors.append(f"line {i}: {exc}")
            continue
        stock_raw = (row.get("stock") or "0").strip()
        if not stock_raw.isdigit():
            errors.append(f"line {i}: bad stock {stock_raw!r}")
            continue
        products.append(Product(sku=sku, name=name, price=price, stock=int(stock_raw)))
    if errors and not dry_run:
        mailer.send(user.email, "Your product upload failed", "\n".join(errors[:50]))
        metrics.incr("bulk_upload.failed")
        return {"ok": False, "errors": errors}
    if dry_run:
        return {"ok": not errors, "errors": errors, "would_create": len(products)}
    created = updated = 0
    for p in products:
        if store.get(p.sku) is None:
            store.insert(p)
            created += 1
        else:
            store.update(p)
            updated += 1
    mailer.send(user.email, "Your product upload is done", f"{created} created, {updated} updated")
    metrics.incr("bulk_upload.ok")
    metrics.gauge("bulk_upload.rows", len(products))
    return {"ok": True, "created": created, "updated": updated}
