"""reviewers.guidelines: the useful sections of CONTRIBUTING, within a budget, never the PR's."""

from __future__ import annotations

from reviewers.budget import estimate_tokens
from reviewers.guidelines import repository_guidelines, sections
from reviewers.snapshot import MappingSnapshot

CONTRIBUTING = """# Contributing to shop

Thanks for helping!

## Getting started

Run `make setup`.

## Code style

- Money is always integer cents, never floats.
- Every public function has type hints.

## Error handling

Never swallow exceptions; log them with `log.exception`.

```
# not a heading inside a code fence
```

## License

MIT.
"""

RST = """Contributing
============

Coding conventions
------------------

Use snake_case.

Reporting a bug
---------------

Open an issue.
"""


def test_markdown_and_rst_sections() -> None:
    assert [s.title for s in sections(CONTRIBUTING.splitlines())] == [
        "Contributing to shop",
        "Getting started",
        "Code style",
        "Error handling",
        "License",
    ]
    assert [(s.title, s.start) for s in sections(RST.splitlines())] == [
        ("Contributing", 1),
        ("Coding conventions", 4),
        ("Reporting a bug", 9),
    ]


def test_only_the_sections_a_reviewer_can_apply() -> None:
    found = repository_guidelines(MappingSnapshot({"CONTRIBUTING.md": CONTRIBUTING}), [])
    assert [b.reason for b in found.blocks] == [
        "Code style (CONTRIBUTING.md)",
        "Error handling (CONTRIBUTING.md)",
    ]
    style = found.blocks[0]
    assert style.kind == "guideline" and style.label == "CONTRIBUTING.md:9-12"
    assert style.text.endswith("type hints.")
    assert "code fence" in found.blocks[1].text


def test_rst_and_other_locations() -> None:
    found = repository_guidelines(MappingSnapshot({".github/CONTRIBUTING.rst": RST}), [])
    assert [b.text.splitlines()[0] for b in found.blocks] == ["Coding conventions"]


def test_the_budget_cuts_a_long_section() -> None:
    long = "## Code style\n\n" + "".join(f"- rule number {n} applies.\n" for n in range(400))
    found = repository_guidelines(MappingSnapshot({"CONTRIBUTING.md": long}), [], max_tokens=200)
    assert len(found.blocks) == 1
    assert estimate_tokens(found.blocks[0].text) <= 200
    assert found.blocks[0].start_line == 1


def test_a_guideline_file_the_pr_changes_is_not_used() -> None:
    snapshot = MappingSnapshot({"CONTRIBUTING.md": CONTRIBUTING})
    found = repository_guidelines(snapshot, ["CONTRIBUTING.md"])
    assert found.blocks == ()
    assert found.notes == (
        "CONTRIBUTING.md is changed by this pull request: not used as review guidance.",
    )


def test_no_snapshot_or_no_file() -> None:
    assert repository_guidelines(None, []).blocks == ()
    assert repository_guidelines(MappingSnapshot({"README.md": "# x"}), []).blocks == ()
