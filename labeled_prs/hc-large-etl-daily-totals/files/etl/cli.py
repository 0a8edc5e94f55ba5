"""etl command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.ingest import daily_totals, read_sales, write_totals
from etl.stores import load_stores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="etl")
    parser.add_argument("--version", action="store_true")
    sub = parser.add_subparsers(dest="command")
    daily = sub.add_parser("daily", help="aggregate POS exports into daily store totals")
    daily.add_argument("exports", nargs="+", type=Path)
    daily.add_argument("--stores", type=Path, required=True, help="stores.jsonl from the ERP")
    daily.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.version:
        print("etl 0.4.0")
        return 0
    if args.command == "daily":
        stores = load_stores(args.stores)
        n = write_totals(daily_totals(read_sales(args.exports), stores), args.out)
        print(f"{n} rows written to {args.out}", file=sys.stderr)
        return 0
    parser.print_help(sys.stderr)
    return 2
