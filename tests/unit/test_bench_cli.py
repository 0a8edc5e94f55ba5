"""`python -m bench ...` end to end in-process: run, compare, routing, mine and their exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main

# tools/run.py, added: the static shell=True rule flags line 5; line 11 holds a second label.
RUN_PY = [
    "import subprocess",
    "",
    "",
    "def run(command):",
    "    return subprocess.run(command, shell=True, check=True)",
    "",
    "",
    "def names(items):",
    "    out = []",
    "    for item in items:",
    "        out.append(item.name)",
    "    return out",
]


def added_file_diff(path: str, lines: list[str]) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def label(line: int, category: str) -> dict[str, Any]:
    note = f"{category} problem"
    return {
        "path": "tools/run.py",
        "side": "right",
        "start_line": line,
        "end_line": line,
        "category": category,
        "note": note,
    }


def write_case(root: Path, case_id: str, diff: str, labels: list[dict[str, Any]]) -> Path:
    directory = root / case_id
    directory.mkdir(parents=True)
    (directory / "pr.diff").write_text(diff, encoding="utf-8")
    record = {
        "id": case_id,
        "source": "test",
        "repo": "octo/demo",
        "base_commit": "b" * 40,
        "head_commit": "a" * 40,
        "labels": labels,
    }
    (directory / "case.json").write_text(json.dumps(record), encoding="utf-8")
    return directory


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    labels = [label(5, "security"), label(11, "defect")]
    write_case(root, "s1-shell", added_file_diff("tools/run.py", RUN_PY), labels)
    return root


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The data dir (cache) inside tmp_path, set as the server's would be: PRBOT_DATA_DIR."""
    monkeypatch.setenv("PRBOT_DATA_DIR", str(tmp_path / "data"))
    return []


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def without_wall_time(data: dict[str, Any]) -> dict[str, Any]:
    for part in (data["cost"], *data["per_case"]):
        part.pop("wall_seconds", None)
        part.pop("wall_seconds_per_pr", None)
    return data


def test_run_static_only_writes_json_and_report(
    cases: Path, settings: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = [*settings, "run", "--cases", str(cases), "--config", "static-only"]
    code = main([*argv, "--out", str(out), "--no-cache"])

    assert code == 0
    data = read(out / "static-only.json")
    micro = data["levels"]["located"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 0, 1)
    assert (micro["precision"], micro["recall"]) == (1.0, 0.5)
    # 12 added lines, 11 of them within 3 lines of a label (lines 2-12; line 1 is not).
    assert micro["chance"] == pytest.approx(11 / 12)
    assert data["config"] == "static-only"
    assert data["cost"]["model_calls"] == 0
    assert data["routing"]["lines_by_route"] == {"skip": 0, "small": 0, "frontier": 12}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| static-only | 100.0% [100.0%, 100.0%] | 91.7% | 1.09 |" in report
    stdout = capsys.readouterr().out
    assert "static-only: P 100.0% (chance 91.7%, lift 1.09) R 50.0%" in stdout
    assert (out / "plot.png").is_file() or "no plot: " in stdout


def test_scripted_model_records_then_replays(
    cases: Path, settings: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = tmp_path / "rec"
    argv = [*settings, "run", "--cases", str(cases), "--config", "routed"]
    argv += ["--model", "scripted", "--recordings", str(rec), "--no-cache"]

    assert main([*argv, "--out", str(tmp_path / "o1")]) == 0
    first = capsys.readouterr().out
    assert main([*argv, "--replay-only", "--out", str(tmp_path / "o2")]) == 0
    second = capsys.readouterr().out

    assert "recordings (frontier): 0 replayed, 1 recorded" in first
    assert "recordings (frontier): 1 replayed, 0 recorded" in second
    one, two = read(tmp_path / "o1" / "routed.json"), read(tmp_path / "o2" / "routed.json")
    assert without_wall_time(one) == without_wall_time(two)
    assert one["models"] == {"small": "scripted-small", "frontier": "scripted-frontier"}
    assert one["cost"]["by_route"]["frontier"]["calls"] == 1
    assert one["cost"]["usd"] > 0  # priced like claude-sonnet-5-5
    report = (tmp_path / "o1" / "report.md").read_text(encoding="utf-8")
    assert "| routed (scripted model, not a real review) |" in report


def test_all_configs_write_one_json_each(cases: Path, settings: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = [*settings, "run", "--cases", str(cases), "--all-configs"]
    assert main([*argv, "--model", "scripted", "--no-cache", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.glob("*.json"))
    assert names == ["frontier-only.json", "routed.json", "small-only.json", "static-only.json"]
    calls = {n: read(out / n)["cost"]["model_calls"] for n in names}
    assert calls == {
        "frontier-only.json": 1,
        "routed.json": 1,
        "small-only.json": 1,
        "static-only.json": 0,
    }


def run_json(tmp_path: Path, name: str, precision: float, recall: float) -> Path:
    micro = {"precision": precision, "recall": recall, "chance": 0.3, "lift": precision / 0.3}
    path = tmp_path / name
    path.write_text(json.dumps({"levels": {"located": {"micro": micro}}}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("new_precision", "new_recall", "expected"),
    [
        (0.80, 0.40, 0),  # equal
        (0.79, 0.40, 0),  # a drop within --max-drop
        (0.70, 0.40, 1),  # precision dropped 10 pts
        (0.80, 0.35, 1),  # recall dropped 5 pts
        (0.95, 0.60, 0),  # better
    ],
)
def test_compare_exit_codes(
    tmp_path: Path, new_precision: float, new_recall: float, expected: int
) -> None:
    old = run_json(tmp_path, "old.json", 0.80, 0.40)
    new = run_json(tmp_path, "new.json", new_precision, new_recall)
    assert main(["compare", str(old), str(new), "--max-drop", "0.02"]) == expected


def test_compare_unreadable_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = run_json(tmp_path, "old.json", 0.8, 0.4)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["compare", str(old), str(bad)]) == 2
    assert "bad.json is not JSON" in capsys.readouterr().err


def test_routing_prints_recall_and_line_shares(
    cases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["routing", "--cases", str(cases)]) == 0
    out = capsys.readouterr().out
    # subprocess is a risk pattern: the one hunk, and both labels, go frontier.
    assert "labels reaching frontier): 2/2 = 100.0%" in out
    assert "changed lines by route (12 lines):" in out
    assert "  frontier      12  100.0%" in out


BROKEN_HUNK = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,4 @@\n+one\n"


@pytest.mark.parametrize(
    ("diff", "labels", "message"),
    [
        (added_file_diff("tools/run.py", RUN_PY), [label(5, "bug")], "invalid case.json"),
        (BROKEN_HUNK, [], "invalid pr.diff"),
    ],
)
@pytest.mark.parametrize("command", ["run", "routing"])
def test_broken_case_exits_2_naming_it(
    tmp_path: Path,
    settings: list[str],
    capsys: pytest.CaptureFixture[str],
    diff: str,
    labels: list[dict[str, Any]],
    message: str,
    command: str,
) -> None:
    write_case(tmp_path / "cases", "s9-broken", diff, labels)
    argv = [*settings, command, "--cases", str(tmp_path / "cases")]
    if command == "run":
        argv += ["--config", "static-only", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bench: error: case s9-broken")
    assert message in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--replay-only"], "--replay-only needs --recordings DIR"),
        (["--cases", "/nonexistent/cases"], "case directory /nonexistent/cases does not exist"),
    ],
)
def test_run_usage_errors_exit_2(
    cases: Path,
    settings: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    argv = [*settings, "run", "--cases", str(cases), "--out", str(tmp_path / "o")]
    assert main([*argv, *extra]) == 2
    assert message in capsys.readouterr().err


def test_mine_outside_a_git_repository_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["mine", "--repo", str(tmp_path), "--out", str(tmp_path / "o")])
    assert code == 2
    assert capsys.readouterr().err.startswith("bench: error: ")
