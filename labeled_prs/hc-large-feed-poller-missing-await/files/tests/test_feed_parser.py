from datetime import timezone

import pytest

from feeds.parser import FeedParseError, parse_feed

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Blog</title>
<item><title>One</title><link>/posts/1</link><guid>urn:1</guid>
<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>
<item><title>Two</title><link>https://blog.example.com/posts/2</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom blog</title>
<entry><id>tag:1</id><title>First</title><link rel="alternate" href="/a/1"/>
<updated>2025-03-04T10:00:00Z</updated></entry>
</feed>"""


def test_rss() -> None:
    feed = parse_feed(RSS, "https://blog.example.com/feed")
    assert feed.title == "Blog"
    assert [e.id for e in feed.entries] == ["urn:1", "https://blog.example.com/posts/2"]
    assert feed.entries[0].link == "https://blog.example.com/posts/1"
    assert feed.entries[0].published is not None
    assert feed.entries[0].published.tzinfo == timezone.utc
    assert feed.entries[1].published is None


def test_atom() -> None:
    feed = parse_feed(ATOM, "https://atom.example.com/")
    assert feed.title == "Atom blog"
    assert feed.entries[0].link == "https://atom.example.com/a/1"
    assert feed.entries[0].published is not None


@pytest.mark.parametrize("content", [b"not xml", b"<html></html>", b"<rss></rss>"])
def test_rejects(content: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(content, "https://x.example.com/")
