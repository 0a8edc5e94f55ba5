"""Create and restore project backups (tar.gz with a manifest)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "MANIFEST.tsv"
META = "backup.json"
EXCLUDE_DIRS = {".git", "__pycache__", ".venv", "node_modules", ".mypy_cache"}


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    files: int
    bytes: int
    created: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def iter_files(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDE_DIRS)
        for name in sorted(filenames):
            yield Path(dirpath) / name


def create_backup(root: Path, dest_dir: Path, label: str = "") -> BackupInfo:
    root = root.resolve()
    if not root.is_dir():
        raise BackupError(f"{root} is not a directory")
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{root.name}-{stamp}{'-' + label if label else ''}.tar.gz"
    target = dest_dir / name
    manifest = ""
    total = 0
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        for path in iter_files(root):
            rel = path.relative_to(root).as_posix()
            size = path.stat().st_size
            manifest += f"{rel}\t{size}\t{_sha256(path)}\n"
            tar.add(path, arcname=f"files/{rel}", recursive=False)
            total += size
            count += 1
        _add_bytes(tar, MANIFEST, manifest.encode())
        meta = {"root": root.name, "created": time.time(), "files": count, "bytes": total}
        _add_bytes(tar, META, json.dumps(meta).encode())
    return BackupInfo(target, count, total, meta["created"])


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    with tempfile.NamedTemporaryFile() as tmp:
        tmp.write(data)
        tmp.flush()
        tar.add(tmp.name, arcname=name)


def read_manifest(archive: Path) -> dict[str, tuple[int, str]]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive} has no manifest")
        entries = {}
        for line in member.read().decode().splitlines():
            rel, size, digest = line.split("\t")
            entries[rel] = (int(size), digest)
    return entries


def restore_backup(archive: Path, dest: Path, verify: bool = True) -> int:
    """Restore into `dest` (which must not exist); returns the number of files."""
    if dest.exists():
        raise BackupError(f"{dest} already exists")
    staging = Path(tempfile.mkdtemp(prefix="restore-", dir=dest.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging)
        files_dir = staging / "files"
        if verify:
            for rel, (size, digest) in read_manifest(archive).items():
                path = files_dir / rel
                if path.stat().st_size != size or _sha256(path) != digest:
                    raise BackupError(f"checksum mismatch for {rel}")
        files_dir.rename(dest)
        return sum(1 for _ in iter_files(dest))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
