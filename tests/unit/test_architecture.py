"""House rule 1: bot/ -> adapters/ -> reviewers/; bench/ -> reviewers/, adapters/ (and bot/'s
posting path only); reviewers/ -> nothing of ours; nothing imports tests/. Checked edge by
edge, both ways.

Every import statement counts, a function-level (lazy) one too: lazy only moves the cost.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("bot", "reviewers", "bench", "adapters", "tests")

# What each package may import of ours (itself aside). Absent: never.
ALLOWED: dict[str, set[str]] = {
    "bot": {"reviewers", "adapters"},
    "bench": {"reviewers", "adapters", "bot"},  # bot: POSTING_PATH only
    "adapters": {"reviewers"},  # I/O the pure core is handed as protocols (ruff)
    "reviewers": set(),
}
# bench may replay how a review is posted (anchors checked, a 422 moved into the body),
# and nothing else of the server: not its settings, queue, app or handlers.
POSTING_PATH = frozenset(
    {"bot.posting", "bot.github", "bot.github_types", "bot.github_transport", "bot.markers"}
)
# Libraries the pure core never touches (reviewers/llm/ providers may import the SDKs).
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "reviewers": {"fastapi", "starlette", "uvicorn", "github", "celery", "redis"},
    "bench": {"fastapi", "starlette", "uvicorn", "celery", "redis"},
    "adapters": {"fastapi", "starlette", "uvicorn", "github", "celery", "redis"},
    "bot": set(),
}


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported anywhere in the file (relative imports are its own)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def edges(package: str) -> dict[str, set[str]]:
    """file -> the modules of other packages of ours (and libraries) it imports."""
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    return {str(f.relative_to(ROOT)): imported_modules(f) for f in files}


def violations(package: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for file, modules in edges(package).items():
        bad = sorted(
            m
            for m in modules
            if not allowed(package, m) and (m.split(".")[0] in OURS or is_library(package, m))
        )
        if bad:
            found[file] = bad
    return found


def is_library(package: str, module: str) -> bool:
    return module.split(".")[0] in FORBIDDEN_LIBRARIES[package]


def allowed(package: str, module: str) -> bool:
    root = module.split(".")[0]
    if root == package:
        return True
    if root not in OURS:
        return root not in FORBIDDEN_LIBRARIES[package]
    if root not in ALLOWED[package]:
        return False
    if package == "bench" and root == "bot":
        # `from bot.github import GitHubClient` names bot.github and bot.github.GitHubClient.
        return any(module == m or module.startswith(m + ".") for m in POSTING_PATH)
    return True


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    assert not violations(package), f"forbidden imports: {violations(package)}"


@pytest.mark.parametrize(
    ("importer", "imported", "expected"),
    [
        ("bot", "reviewers", True),
        ("reviewers", "bot", False),
        ("bench", "reviewers", True),
        ("reviewers", "bench", False),
        ("reviewers", "adapters", False),
        ("adapters", "reviewers", True),
        ("adapters", "bot", False),
        ("bot", "adapters", True),
        ("bench", "adapters", True),
        ("bot", "bench", False),
        ("bench", "bot.posting", True),
        ("bench", "bot.settings", False),
        ("bench", "bot.jobs", False),
        ("bench", "bot.app", False),
        ("bot", "tests", False),
        ("bench", "tests", False),
        ("reviewers", "tests", False),
        ("reviewers", "fastapi", False),
        ("bench", "uvicorn", False),
        ("bot", "fastapi", True),
        ("bot", "adapters", True),
        ("bench", "adapters", True),
        ("adapters", "reviewers", True),
        ("adapters", "bot", False),
        ("reviewers", "adapters", False),
    ],
)
def test_each_direction_is_allowed_or_refused(importer: str, imported: str, expected: bool) -> None:
    assert allowed(importer, f"{imported}.x" if "." not in imported else imported) is expected


def test_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom bot.app import create_app\nfrom . import sibling\n"
        "def later():\n    import bench.cli\n"
    )
    assert imported_modules(bad) == {"os", "bot.app", "bot.app.create_app", "bench.cli"}


@pytest.mark.parametrize("package", ["reviewers", "bench", "adapters"])
def test_importing_a_package_loads_nothing_it_may_not(package: str) -> None:
    """The same rule at run time, transitively: every module of the package imported in a
    fresh interpreter, then the server modules that came with them are listed."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / package).rglob("*.py")
        if p.name != "__main__.py"
    )
    probe = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{OURS!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    bad = [m for m in loaded if m.split(".")[0] != package and not allowed(package, m)]
    assert not bad, f"importing {package}/ loads {bad}"
