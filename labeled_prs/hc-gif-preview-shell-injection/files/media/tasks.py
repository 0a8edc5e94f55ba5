"""Background tasks for uploads."""

from __future__ import annotations

from pathlib import Path

from media.convert import to_gif_preview, to_mp4
from media.queue import task


@task("media.transcode")
def transcode(upload_path: str) -> str:
    src = Path(upload_path)
    return str(to_mp4(src, src.with_suffix(".mp4")))


@task("media.preview")
def preview(upload_path: str, start: str = "0") -> str:
    """`start` comes from the upload form's "preview from" field (e.g. "00:00:12")."""
    src = Path(upload_path)
    return str(to_gif_preview(src, src.parent / "previews", start=start))
