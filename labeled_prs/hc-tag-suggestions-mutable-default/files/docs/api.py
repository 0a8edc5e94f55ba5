"""Document endpoints."""

from __future__ import annotations

from docs.http import JSONResponse, Request
from docs.store import DocumentStore
from docs.tags import InvalidTag, suggest_tags, tag_document


def add_tags(request: Request, store: DocumentStore, doc_id: str) -> JSONResponse:
    doc = store.get(doc_id)
    if doc is None:
        raise request.not_found(doc_id)
    try:
        tag_document(doc, request.json()["tags"])
    except InvalidTag as exc:
        raise request.bad_request(f"invalid tag: {exc}") from None
    store.save(doc)
    return JSONResponse({"id": doc.id, "tags": sorted(doc.tags)})


def tag_suggestions(request: Request, store: DocumentStore, doc_id: str) -> JSONResponse:
    doc = store.get(doc_id)
    if doc is None:
        raise request.not_found(doc_id)
    return JSONResponse({"id": doc.id, "suggested": suggest_tags(doc.title, store.all_tags())})
