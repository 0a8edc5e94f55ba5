"""ledger command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from ledger.db import open_ledger
from ledger.export import export_invoices, export_invoices_by_month


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ledger")
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="write all invoices to a CSV file")
    exp.add_argument("path", type=Path)
    exp.add_argument("--by-month", action="store_true", help="one file per month in PATH")
    args = parser.parse_args(argv)
    with open_ledger() as db:
        if args.command == "export" and args.by_month:
            paths = export_invoices_by_month(db.invoices(), args.path)
            print(f"wrote {len(paths)} files to {args.path}")
        elif args.command == "export":
            n = export_invoices(db.invoices(), args.path)
            print(f"wrote {n} invoices to {args.path}")
    return 0
