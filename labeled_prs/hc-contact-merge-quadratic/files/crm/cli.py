"""crm command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from crm.contacts import merge_contacts, read_contacts
from crm.store import ContactStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm")
    parser.add_argument("csv", type=Path)
    parser.add_argument("--merge", action="store_true", help="keep existing contacts")
    args = parser.parse_args(argv)
    store = ContactStore.open_default()
    incoming = read_contacts(args.csv)
    if args.merge:
        store.replace_all(merge_contacts(store.all(), incoming))
    else:
        store.replace_all(list(incoming))
    return 0
