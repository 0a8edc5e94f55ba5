"""Media conversion jobs."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

FFMPEG = "ffmpeg"


class ConversionFailed(RuntimeError):
    pass


def to_mp4(source: Path, target: Path) -> Path:
    cmd = [FFMPEG, "-y", "-i", str(source), "-c:v", "libx264", "-preset", "fast", str(target)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise ConversionFailed(result.stderr[-2000:])
    return target


def to_gif_preview(source: Path, out_dir: Path, start: str = "0", seconds: int = 4) -> Path:
    """A short looping GIF preview, named after the uploaded file."""
    target = out_dir / f"{source.stem}.gif"
    cmd = (
        f"{FFMPEG} -y -ss {start} -t {seconds} -i '{source}' "
        f"-vf 'fps=12,scale=480:-1:flags=lanczos' '{target}'"
    )
    log.info("rendering preview: %s", cmd)
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ConversionFailed(result.stderr[-2000:])
    return target
