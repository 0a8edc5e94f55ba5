"""backup command line: create, list, verify and restore backups."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from backup.archive import BackupError, create_backup, read_manifest, restore_backup

DEFAULT_DEST = Path.home() / ".local" / "share" / "backups"


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def cmd_create(args: argparse.Namespace) -> int:
    info = create_backup(args.root, args.dest, args.label)
    print(f"{info.path} ({info.files} files, {_human(info.bytes)})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    archives = sorted(args.dest.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in archives:
        mtime = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
        print(f"{mtime}  {_human(path.stat().st_size):>10}  {path.name}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    entries = read_manifest(args.archive)
    print(f"{args.archive}: manifest lists {len(entries)} files")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    n = restore_backup(args.archive, args.target, verify=not args.no_verify)
    print(f"restored {n} files into {args.target}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backup")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="back up a project directory")
    create.add_argument("root", type=Path)
    create.add_argument("--label", default="")
    create.set_defaults(func=cmd_create)
    lst = sub.add_parser("list", help="list backups, newest first")
    lst.set_defaults(func=cmd_list)
    verify = sub.add_parser("verify", help="check that an archive has a readable manifest")
    verify.add_argument("archive", type=Path)
    verify.set_defaults(func=cmd_verify)
    restore = sub.add_parser("restore", help="restore an archive into a new directory")
    restore.add_argument("archive", type=Path)
    restore.add_argument("target", type=Path)
    restore.add_argument("--no-verify", action="store_true")
    restore.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 1
