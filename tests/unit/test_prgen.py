"""bench.prgen: the pr-agent comparison PRs are exact in size, real, and reproducible."""

from __future__ import annotations

import ast
import random
import subprocess
from pathlib import Path

import pytest

from bench.prgen import (
    SPECS,
    GeneratedPR,
    GenerationError,
    Module,
    changed_lines,
    generate,
    generate_all,
    load_modules,
)
from bench.prgen_edits import apply_edits, comment_cuts, guards, pick_edits, return_rewrites

MODULE = '''"""A module."""

# a comment


def area(width, height):
    """Area."""
    # why
    return width * height


def greet(name):
    return "hi " + name
'''


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GeneratedPR]:
    out = tmp_path_factory.mktemp("prs")
    return {pr.spec.name: pr for pr in generate_all(out, ("small", "followup"))}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def test_each_pr_has_the_size_pr_agent_was_measured_on(generated: dict[str, GeneratedPR]) -> None:
    small, followup = generated["small"], generated["followup"]
    assert changed_lines(small.repo, "main", "pr") == (1, 58)
    assert changed_lines(followup.repo, "main", "pr~1") == (8, 572)  # the medium PR
    assert changed_lines(followup.repo, "pr~1", "pr") == (1, 24)  # the push
    status = git(followup.repo, "diff", "--name-status", "main...pr~1").split()
    assert status[0::2].count("M") == 5 and status[0::2].count("A") == 3


def test_the_base_holds_real_modules_and_the_head_still_parses(
    generated: dict[str, GeneratedPR],
) -> None:
    by_path = {m.path: m.text for m in load_modules()}
    repo = generated["followup"].repo
    originals = git(repo, "ls-tree", "-r", "--name-only", "main").split()
    for path in originals:
        assert git(repo, "show", f"main:{path}") == by_path[path]
    for path in git(repo, "diff", "--name-only", "main...pr").split():
        head = git(repo, "show", f"pr:{path}")
        ast.parse(head)
        if path not in originals:
            assert by_path[path].startswith(head)  # an added file: a real module, cut


def test_generation_is_reproducible(generated: dict[str, GeneratedPR], tmp_path: Path) -> None:
    again = generate(SPECS["small"], tmp_path)
    assert again.head_sha == generated["small"].head_sha


def test_an_existing_directory_is_refused(generated: dict[str, GeneratedPR]) -> None:
    with pytest.raises(FileExistsError):
        generate(SPECS["small"], generated["small"].repo.parent)


def test_too_few_sources_is_a_clear_error(tmp_path: Path) -> None:
    tiny = [Module("pkg/a.py", MODULE)]
    with pytest.raises(GenerationError):
        generate(SPECS["medium"], tmp_path, tiny)


def test_each_edit_costs_what_git_counts(tmp_path: Path) -> None:
    tree = ast.parse(MODULE)
    lines = MODULE.splitlines()
    edits = [*guards(tree, lines), *return_rewrites(tree, lines), *comment_cuts(MODULE)]
    assert {e.cost for e in edits} == {1, 2, 3}
    for index, edit in enumerate(edits):
        repo = tmp_path / str(index)
        repo.mkdir()
        (repo / "m.py").write_text(MODULE)
        git(repo, "init", "-q")
        git(repo, "add", ".")
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
        (repo / "m.py").write_text(apply_edits(MODULE, [edit]))
        added, deleted, _ = git(repo, "diff", "--numstat").split("\t")
        assert int(added) + int(deleted) == edit.cost, edit


def test_picked_edits_are_exact_when_the_module_has_the_material() -> None:
    edits, cost = pick_edits(MODULE, 5, random.Random(1))
    assert cost == 5 and sum(e.cost for e in edits) == 5
    ast.parse(apply_edits(MODULE, edits))
    _, most = pick_edits(MODULE, 100, random.Random(1))
    assert most < 100  # not enough material: the caller sees the shortfall
