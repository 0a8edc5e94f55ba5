"""Read the SARIF files given to `prbot review --sarif` / the Action's `sarif` input."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.settings import ConfigError
from reviewers.models import FileDiff, Finding
from reviewers.static.sarif import SarifError, SarifInput, sarif_findings


class SarifFileError(ConfigError):
    """A --sarif file that cannot be read or is not SARIF 2.1.0 (a usage error: exit 2)."""


def read_sarif_files(paths: Iterable[Path]) -> tuple[SarifInput, ...]:
    inputs = []
    for path in paths:
        try:
            inputs.append(SarifInput(str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            raise SarifFileError(f"--sarif {path}: cannot read: {error}") from error
    return tuple(inputs)


def merged_findings(inputs: Sequence[SarifInput], files: Sequence[FileDiff]) -> tuple[Finding, ...]:
    """The results on the diff's added lines; a malformed log is a SarifFileError."""
    try:
        return tuple(sarif_findings(inputs, files))
    except SarifError as error:
        raise SarifFileError(f"--sarif {error}") from error
