"""Minimal RSS 2.0 / Atom parser for the reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin
from xml.etree import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"


class FeedParseError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: datetime | None


@dataclass(frozen=True)
class Feed:
    title: str
    entries: tuple[Entry, ...]


def _text(node: ElementTree.Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def _rss_date(raw: str) -> datetime | None:
    try:
        return parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        return None


def _atom_date(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None


def _parse_rss(channel: ElementTree.Element, base_url: str) -> Feed:
    entries = []
    for item in channel.findall("item"):
        link = urljoin(base_url, _text(item.find("link")))
        entry_id = _text(item.find("guid")) or link
        entries.append(
            Entry(entry_id, _text(item.find("title")), link, _rss_date(_text(item.find("pubDate"))))
        )
    return Feed(_text(channel.find("title")), tuple(entries))


def _parse_atom(root: ElementTree.Element, base_url: str) -> Feed:
    entries = []
    for item in root.findall(f"{ATOM}entry"):
        link_node = item.find(f"{ATOM}link[@rel='alternate']") or item.find(f"{ATOM}link")
        link = urljoin(base_url, link_node.get("href", "")) if link_node is not None else base_url
        entries.append(
            Entry(
                _text(item.find(f"{ATOM}id")) or link,
                _text(item.find(f"{ATOM}title")),
                link,
                _atom_date(_text(item.find(f"{ATOM}updated"))),
            )
        )
    return Feed(_text(root.find(f"{ATOM}title")), tuple(entries))


def parse_feed(content: bytes, base_url: str) -> Feed:
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise FeedParseError(str(exc)) from None
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise FeedParseError("rss without channel")
        return _parse_rss(channel, base_url)
    if root.tag == f"{ATOM}feed":
        return _parse_atom(root, base_url)
    raise FeedParseError(f"unknown feed format: {root.tag}")
