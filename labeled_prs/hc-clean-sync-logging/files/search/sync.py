"""Synchronise the product feed to the search index."""

from __future__ import annotations

import logging

from search.feed import fetch_products
from search.index import SearchIndex

log = logging.getLogger(__name__)


def sync(index: SearchIndex, feed_url: str) -> int:
    products = fetch_products(feed_url)
    log.info("fetched %d products from %s", len(products), feed_url)
    stale = index.ids() - {p.id for p in products}
    for product in products:
        index.upsert(product)
    for product_id in stale:
        index.delete(product_id)
    log.info("upserted %d, deleted %d", len(products), len(stale))
    return len(products)
