"""Case loader errors, and the integrity of every case in labeled_prs/."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from bench.cases import Case, CaseError, ReviewInput, load_case, load_cases
from reviewers.diff import parse_diff
from reviewers.models import Category, FileStatus, LineKind, Side

ROOT = Path(__file__).resolve().parents[2]
LABELED = ROOT / "labeled_prs"
SHARED_REAL = ROOT.parent / "shared" / "labeled_prs_real"  # beside the checkout

DIFF = """\
diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,2 +1,3 @@
 import os
+x = 1
 y = 2
"""


def good_case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "demo-1",
        "source": "handwritten",
        "repo": "prbot/labeled-cases",
        "base_commit": "a" * 40,
        "head_commit": "b" * 40,
        "title": "Add x",
        "labels": [
            {
                "path": "app.py",
                "side": "right",
                "start_line": 2,
                "end_line": 2,
                "category": "defect",
                "note": "x is wrong",
                "lines_exist": True,  # extra fields of the shared set are ignored
            }
        ],
        "grader_only": {"fix_subject": "ignored"},
    }
    case.update(overrides)
    return case


def write_case(directory: Path, data: dict[str, Any] | str, diff: str | None = DIFF) -> Path:
    directory.mkdir(parents=True)
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    (directory / "case.json").write_text(text)
    if diff is not None:
        (directory / "pr.diff").write_text(diff)
    return directory


def test_load_case_reads_everything(tmp_path: Path) -> None:
    d = write_case(
        tmp_path / "demo-1",
        good_case(negatives=[{"path": "app.py", "side": "left", "start_line": 1, "end_line": 1}]),
    )
    (d / "files").mkdir()
    (d / "files" / "app.py").write_text("import os\nx = 1\ny = 2\n")
    case = load_case(d)
    assert case.id == "demo-1"
    assert case.meta.title == "Add x" and case.meta.body is None
    assert case.diff_text == DIFF
    assert dict(case.files) == {"app.py": "import os\nx = 1\ny = 2\n"}
    assert [(lb.side, lb.start_line, lb.category) for lb in case.labels] == [
        (Side.RIGHT, 2, Category.DEFECT)
    ]
    assert [(n.side, n.note, n.category) for n in case.negatives] == [(Side.LEFT, None, None)]
    assert not case.is_clean


def test_review_input_never_carries_labels(tmp_path: Path) -> None:
    case = load_case(write_case(tmp_path / "demo-1", good_case()))
    assert [f.name for f in dataclasses.fields(ReviewInput)] == [
        "diff_text",
        "files",
        "title",
        "body",
    ]
    assert case.review_input() == ReviewInput(DIFF, {}, "Add x", None)


def broken_label(**changes: Any) -> dict[str, Any]:
    label = dict(good_case()["labels"][0])
    label.update(changes)
    return good_case(labels=[label])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (broken_label(end_line=1), ["demo-1", "labels.0", "end_line 1 < start_line 2"]),
        (broken_label(category="style"), ["demo-1", "labels.0.category"]),
        (broken_label(side="RIGHT"), ["demo-1", "labels.0.side"]),
        (broken_label(start_line=0), ["demo-1", "labels.0.start_line"]),
        (broken_label(note=None), ["demo-1", "labels.0.note"]),
        ({k: v for k, v in good_case().items() if k != "labels"}, ["demo-1", "labels"]),
        (
            {k: v for k, v in good_case().items() if k != "id"},
            ["broken-dir", "id", "Field required"],
        ),
        (
            good_case(negatives=[{"path": "a", "side": "right", "start_line": 5, "end_line": 4}]),
            ["demo-1", "negatives.0"],
        ),
        ('{"id": "demo-1",\n "labels": [,]}', ["broken-dir", "not valid JSON", "line 2"]),
        ("[1, 2]", ["broken-dir", "<root>"]),
    ],
)
def test_broken_case_names_case_and_field(
    tmp_path: Path, data: dict[str, Any] | str, expected: list[str]
) -> None:
    d = write_case(tmp_path / "broken-dir", data)
    with pytest.raises(CaseError) as info:
        load_case(d)
    for part in expected:
        assert part in str(info.value)


def test_missing_diff_names_the_case(tmp_path: Path) -> None:
    d = write_case(tmp_path / "dir", good_case(), diff=None)
    with pytest.raises(CaseError, match=r"case demo-1 .*missing pr\.diff"):
        load_case(d)


def test_missing_case_json(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaseError, match=r"empty: missing case\.json"):
        load_case(tmp_path / "empty")


def test_load_cases_accepts_a_set_or_a_single_case(tmp_path: Path) -> None:
    root = tmp_path / "set"
    write_case(root / "b", good_case(id="b"))
    write_case(root / "a", good_case(id="a"))
    (root / "index.json").write_text("{}")
    (root / "README.md").write_text("# cases")
    single = write_case(tmp_path / "single", good_case(id="c"))
    assert [c.id for c in load_cases([root, single])] == ["a", "b", "c"]


def test_load_cases_rejects_duplicate_ids(tmp_path: Path) -> None:
    write_case(tmp_path / "x" / "one", good_case())
    write_case(tmp_path / "y" / "two", good_case())
    with pytest.raises(CaseError, match="demo-1: duplicate id"):
        load_cases([tmp_path / "x", tmp_path / "y"])


def test_load_cases_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="does not exist"):
        load_cases([tmp_path / "nope"])


@pytest.mark.skipif(not SHARED_REAL.is_dir(), reason="shared real set not present")
def test_shared_real_set_loads_in_place() -> None:
    cases = load_cases([SHARED_REAL])
    assert len(cases) == 13
    assert sum(len(c.labels) for c in cases) == 22
    assert sum(len(c.negatives) for c in cases) == 9


CASE_DIRS = sorted(p for p in LABELED.iterdir() if p.is_dir()) if LABELED.is_dir() else []
CATEGORIES_NEEDED = {c.value for c in Category}


def test_labeled_prs_has_enough_cases() -> None:
    cases = load_cases([LABELED])
    assert len(cases) >= 40
    assert sum(1 for c in cases if c.is_clean) >= 10
    assert {lb.category.value for c in cases for lb in c.labels} == CATEGORIES_NEEDED
    assert all(c.meta.source == "handwritten" for c in cases)


def changed(case: Case) -> dict[tuple[str, Side], dict[int, str]]:
    """(path, side) -> line number -> text, for every added (RIGHT) / removed (LEFT) line."""
    out: dict[tuple[str, Side], dict[int, str]] = {}
    for fd in parse_diff(case.diff_text):
        for hunk in fd.hunks:
            for ln in hunk.lines:
                if ln.kind is LineKind.ADDED and ln.new_no is not None:
                    out.setdefault((fd.path, Side.RIGHT), {})[ln.new_no] = ln.text
                elif ln.kind is LineKind.REMOVED and ln.old_no is not None:
                    out.setdefault((fd.path, Side.LEFT), {})[ln.old_no] = ln.text
    return out


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_labeled_case_integrity(case_dir: Path) -> None:
    case = load_case(case_dir)
    assert case.id == case_dir.name
    lines = changed(case)
    diff = parse_diff(case.diff_text)
    # files/ holds the full head version of every file the diff leaves in the head; a case
    # whose labels carry evidence holds the whole head tree (the evidence is elsewhere).
    head_paths = {fd.path for fd in diff if fd.status is not FileStatus.DELETED}
    if any(lb.evidence for lb in case.labels):
        assert head_paths <= set(case.files)
    else:
        assert set(case.files) == head_paths
    for (path, side), by_no in lines.items():
        if side is Side.RIGHT:
            head = case.files[path].split("\n")
            for no, text in by_no.items():
                assert head[no - 1] == text, f"{path}:{no} differs between pr.diff and files/"
    for lb in case.labels:
        where = f"{lb.path}:{lb.start_line}-{lb.end_line} ({lb.side})"
        if lb.side is Side.RIGHT:
            assert lb.end_line <= len(case.files[lb.path].splitlines()), f"{where} past EOF"
        missing = [
            no
            for no in range(lb.start_line, lb.end_line + 1)
            if no not in lines.get((lb.path, lb.side), {})
        ]
        assert not missing, f"{where}: lines {missing} are not changed lines of the diff"
        assert len(lb.note) > 20, f"{where}: the note must say what is wrong"


def hunk_spans(case: Case) -> dict[str, list[range]]:
    """Head-side lines every hunk shows (context included), by path."""
    spans: dict[str, list[range]] = {}
    for fd in parse_diff(case.diff_text):
        for h in fd.hunks:
            spans.setdefault(fd.path, []).append(range(h.new_start, h.new_start + h.new_len))
    return spans


EVIDENCE_DIRS = [p for p in CASE_DIRS if '"evidence"' in (p / "case.json").read_text()]


@pytest.mark.parametrize("case_dir", EVIDENCE_DIRS, ids=[p.name for p in EVIDENCE_DIRS])
def test_evidence_lies_outside_the_diff(case_dir: Path) -> None:
    case = load_case(case_dir)
    spans = hunk_spans(case)
    for lb in case.labels:
        assert lb.evidence, f"{case.id}: a cross-file label without evidence"
        for ev in lb.evidence:
            where = f"{case.id} {ev.path}:{ev.start_line}-{ev.end_line}"
            lines = case.files[ev.path].splitlines()
            assert ev.end_line <= len(lines), f"{where} past EOF"
            assert any(lines[n - 1].strip() for n in range(ev.start_line, ev.end_line + 1))
            for span in spans.get(ev.path, []):
                assert not set(span) & set(range(ev.start_line, ev.end_line + 1)), (
                    f"{where} is inside a hunk: the diff shows it already"
                )


def test_cross_file_cases_cover_languages_and_kinds() -> None:
    cases = [load_case(p) for p in EVIDENCE_DIRS]
    assert len(cases) >= 15
    suffixes = {lb.path.rsplit(".", 1)[-1] for c in cases for lb in c.labels}
    assert {"py", "ts", "js", "go", "java"} <= suffixes
    kinds = {ev.kind for c in cases for lb in c.labels for ev in lb.evidence}
    assert {"definition", "caller"} <= kinds


def test_evidence_is_validated(tmp_path: Path) -> None:
    label = dict(good_case()["labels"][0])
    label["evidence"] = [{"path": "lib.py", "start_line": 3, "end_line": 2, "kind": "caller"}]
    with pytest.raises(CaseError, match="labels.0.evidence.0"):
        load_case(write_case(tmp_path / "e1", good_case(labels=[label])))
    label["evidence"] = [{"path": "lib.py", "start_line": 1, "end_line": 2, "kind": "rumour"}]
    with pytest.raises(CaseError, match="labels.0.evidence.0.kind"):
        load_case(write_case(tmp_path / "e2", good_case(labels=[label])))
    label["evidence"] = [{"path": "lib.py", "start_line": 1, "end_line": 2, "kind": "caller"}]
    case = load_case(write_case(tmp_path / "e3", good_case(labels=[label])))
    assert [(e.path, e.start_line, e.kind) for e in case.labels[0].evidence] == [
        ("lib.py", 1, "caller")
    ]
