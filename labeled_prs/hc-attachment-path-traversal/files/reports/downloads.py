"""Report downloads."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse

from reports.auth import current_user
from reports.models import User
from reports.settings import ATTACHMENT_DIR, REPORT_DIR

router = APIRouter(prefix="/reports")


@router.get("/{report_id}.pdf")
def download_report(report_id: int, user: User = Depends(current_user)) -> FileResponse:
    path = Path(REPORT_DIR) / f"{report_id}.pdf"
    if not path.is_file():
        raise HTTPException(404, "no such report")
    return FileResponse(path, media_type="application/pdf")


@router.get("/{report_id}/attachments/{name}")
def download_attachment(
    report_id: int, name: str, user: User = Depends(current_user)
) -> FileResponse:
    path = os.path.join(ATTACHMENT_DIR, str(report_id), name)
    if not os.path.isfile(path):
        raise HTTPException(404, "no such attachment")
    return FileResponse(path, filename=name)
