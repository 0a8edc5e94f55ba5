"""Thumbnail generation for the media library."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from media.images import make_thumbnail

log = logging.getLogger(__name__)


@dataclass
class ThumbnailStats:
    done: int = 0
    bytes_written: int = 0
    failed: list[Path] = field(default_factory=list)


def generate_thumbnails(paths: list[Path], out_dir: Path, workers: int = 8) -> ThumbnailStats:
    """Render thumbnails in a thread pool (Pillow releases the GIL while decoding)."""
    stats = ThumbnailStats()

    def render(path: Path) -> None:
        target = out_dir / f"{path.stem}.webp"
        try:
            make_thumbnail(path, target)
        except OSError:
            log.exception("thumbnail failed for %s", path)
            stats.failed.append(path)
        else:
            stats.done += 1
            stats.bytes_written += target.stat().st_size

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(render, paths))
    return stats
