"""HTTP handlers for the product catalogue."""

from __future__ import annotations

from dataclasses import asdict

from shop.api.http import JSONResponse, Request
from shop.api.pagination import page_count, page_slice
from shop.catalogue import Catalogue

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise request.bad_request(f"{name} must be an integer") from None


def list_products(request: Request, catalogue: Catalogue) -> JSONResponse:
    per_page = min(_int_param(request, "per_page", DEFAULT_LIMIT), MAX_LIMIT)
    page = _int_param(request, "page", 1)
    products = catalogue.search(request.query.get("q", ""))
    try:
        window = products[page_slice(page, per_page)]
    except ValueError as exc:
        raise request.bad_request(str(exc)) from None
    return JSONResponse(
        {
            "items": [asdict(p) for p in window],
            "total": len(products),
            "page": page,
            "pages": page_count(len(products), per_page),
            "per_page": per_page,
        }
    )


def get_product(request: Request, catalogue: Catalogue, sku: str) -> JSONResponse:
    product = catalogue.get(sku)
    if product is None:
        raise request.not_found(f"no product {sku}")
    return JSONResponse(asdict(product))
