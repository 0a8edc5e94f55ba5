"""Versioned prompt templates loaded from prompts/, and the untrusted-data framing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml


class PromptError(ValueError):
    """A prompt file is missing or has no valid name/version header."""


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    version: str
    system: str

    @property
    def ref(self) -> str:
        """`name@version`: part of every cache key, so a prompt change invalidates the cache."""
        return f"{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class PromptSet:
    small: Prompt
    frontier: Prompt


def parse_prompt(text: str, origin: str) -> Prompt:
    """Parse a prompt file: a `---` YAML header with name and version, then the system text."""
    parts = text.split("---\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise PromptError(f"{origin}: expected a '---' header with name and version")
    header = yaml.safe_load(parts[1])
    if not isinstance(header, dict) or not header.get("name") or not header.get("version"):
        raise PromptError(f"{origin}: header needs 'name' and 'version'")
    body = parts[2].strip()
    if not body:
        raise PromptError(f"{origin}: empty prompt body")
    return Prompt(name=str(header["name"]), version=str(header["version"]), system=body)


def load_prompts(directory: Path) -> PromptSet:
    def load(stem: str) -> Prompt:
        path = directory / f"{stem}.md"
        if not path.is_file():
            raise PromptError(f"prompt file not found: {path}")
        return parse_prompt(path.read_text(encoding="utf-8"), str(path))

    return PromptSet(small=load("small"), frontier=load("frontier"))


def default_prompts_dir() -> Path:
    """prompts/ beside the packages: the source checkout, the editable install and the image.

    Wheels ship prompts/ as package data beside reviewers/ (pyproject.toml), so the same
    relative path holds in site-packages; the top-level prompts/ stays the only source.
    """
    return Path(__file__).resolve().parent.parent / "prompts"


def frame_untrusted(kind: str, text: str) -> str:
    """Wrap PR-authored text in tags whose id the author cannot predict or close early.

    The id is derived from the content itself, so it is stable (cache keys and provider
    prompt caching still work) yet cannot be written into that same content.
    """
    tag_id = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f'<untrusted-data kind="{kind}" id="{tag_id}">\n{text}\n</untrusted-data id="{tag_id}">'
