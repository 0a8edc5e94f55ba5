"""House rule 1: dependencies flow bot/ -> reviewers/, never back; reviewers/ stays pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# reviewers/llm/ providers may import the vendor SDKs; nothing in reviewers/ may import
# the I/O shell, the web framework or the GitHub client.
FORBIDDEN = {
    "reviewers": {"bot", "bench", "fastapi", "starlette", "uvicorn", "github", "celery", "redis"},
    "bench": {"fastapi", "starlette", "uvicorn"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_direction(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offenders = {
        str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN[package]) for f in files
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"forbidden imports: {offenders}"


def test_checker_sees_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom bot.app import create_app\nfrom . import sibling\n")
    assert imported_roots(bad) == {"os", "bot"}
