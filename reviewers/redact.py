"""Secrets out of any text before it leaves the process, keeping its line structure."""

from __future__ import annotations

from dataclasses import dataclass

from reviewers.secrets import find_secrets


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    count: int  # secrets replaced
    kinds: tuple[str, ...]  # distinct kinds replaced, sorted


def placeholder(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def _mask(span: str, kind: str) -> str:
    """One placeholder per line of the span, so a multi-line key keeps its line count."""
    mark = placeholder(kind)
    return "\n".join(mark if segment.strip() else segment for segment in span.split("\n"))


def redact(text: str) -> Redaction:
    """Replace every secret that `reviewers.secrets` recognises by `[REDACTED:<kind>]`."""
    matches = find_secrets(text)
    if not matches:
        return Redaction(text, 0, ())
    pieces: list[str] = []
    position = 0
    for match in matches:
        pieces.append(text[position : match.start])
        pieces.append(_mask(text[match.start : match.end], match.kind))
        position = match.end
    pieces.append(text[position:])
    kinds = tuple(sorted({m.kind for m in matches}))
    return Redaction("".join(pieces), len(matches), kinds)
