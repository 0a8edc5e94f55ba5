"""Dataset upload API."""

from __future__ import annotations

from pathlib import Path

from datasets.http import JSONResponse, Request
from datasets.verify import verify_upload

ALGORITHMS = {"sha256", "sha512", "blake2b"}


def complete_upload(request: Request, staging: Path) -> JSONResponse:
    body = request.json()
    algorithm = body.get("algorithm", "sha256")
    if algorithm not in ALGORITHMS:
        raise request.bad_request(f"unsupported checksum algorithm {algorithm}")
    path = staging / body["upload_id"]
    if not verify_upload(path, body["checksum"], algorithm):
        raise request.bad_request("checksum mismatch")
    return JSONResponse({"status": "verified"})
