"""Release hygiene: the license matches pyproject, there is a way to report a vulnerability,
the changelog covers the version, and the docs' `@vN` references name its major."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_license_file_is_the_license_pyproject_declares() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_security_policy_says_how_to_report_privately() -> None:
    text = " ".join((ROOT / "SECURITY.md").read_text(encoding="utf-8").split())
    assert "**Report a vulnerability**" in text
    assert "do not open a public issue" in text


def test_changelog_has_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{PROJECT['version']}]" in text
    assert "## [Unreleased]" in text


def test_every_action_reference_names_the_current_major() -> None:
    major = PROJECT["version"].split(".")[0]
    files = [ROOT / "README.md", ROOT / "action.yml", *sorted((ROOT / "docs").glob("*.md"))]
    files += sorted((ROOT / ".github/workflows").glob("*.yml"))
    refs = {
        (path.name, ref)
        for path in files
        for ref in re.findall(r"/prbot@(v[0-9][^\s`'\"]*)", path.read_text(encoding="utf-8"))
    }
    assert refs, "the docs show how to use the Action"
    wrong = sorted((name, ref) for name, ref in refs if ref.split(".")[0] != f"v{major}")
    assert not wrong, f"references to another major than v{major}: {wrong}"
