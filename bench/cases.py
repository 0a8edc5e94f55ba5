"""Labeled benchmark cases: the on-disk format, its validation and a loader."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from reviewers.models import Category, Side

CASE_FILE = "case.json"
DIFF_FILE = "pr.diff"
FILES_DIR = "files"
# What kind of context holds the evidence: the ContextBlock kinds of reviewers/snapshot.py.
EvidenceKind = Literal["enclosing", "definition", "caller", "guideline"]


class CaseError(Exception):
    """A case directory is missing a file or holds invalid data."""


class _Range(BaseModel):
    # extra="ignore": the shared real set carries lines_exist, in_diff, aacr, ... per label.
    model_config = ConfigDict(extra="ignore", frozen=True)

    path: str
    side: Literal["right", "left"]
    start_line: int
    end_line: int

    @field_validator("start_line", "end_line")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("line numbers start at 1")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.end_line < self.start_line:
            raise ValueError(f"end_line {self.end_line} < start_line {self.start_line}")
        return self


class EvidenceRecord(BaseModel):
    """A span of the head outside the diff that a reviewer must see to judge the label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    start_line: int
    end_line: int
    kind: EvidenceKind
    note: str = ""

    @field_validator("start_line", "end_line")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("line numbers start at 1")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> EvidenceRecord:
        if self.end_line < self.start_line:
            raise ValueError(f"end_line {self.end_line} < start_line {self.start_line}")
        return self


class LabelRecord(_Range):
    category: Category
    note: str
    evidence: list[EvidenceRecord] = []


class NegativeRecord(_Range):
    note: str | None = None
    category: Category | None = None


class CaseRecord(BaseModel):
    """case.json as stored; fields the scorer does not use are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    source: str
    repo: str
    base_commit: str
    head_commit: str
    title: str | None = None
    body: str | None = None
    labels: list[LabelRecord]
    negatives: list[NegativeRecord] = []


@dataclass(frozen=True, slots=True)
class Evidence:
    """Head lines outside the diff without which the label cannot be judged."""

    path: str
    start_line: int
    end_line: int
    kind: str  # EvidenceKind
    note: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    path: str
    side: Side
    start_line: int
    end_line: int
    category: Category
    note: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Negative:
    """A known wrong comment location: a bot comment matching it is a known false positive."""

    path: str
    side: Side
    start_line: int
    end_line: int
    note: str | None = None
    category: Category | None = None


@dataclass(frozen=True, slots=True)
class CaseMeta:
    source: str
    repo: str
    base_commit: str
    head_commit: str
    title: str | None
    body: str | None


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """Everything the reviewer may see of a case: never the labels."""

    diff_text: str
    files: Mapping[str, str]
    title: str | None
    body: str | None


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    directory: Path
    meta: CaseMeta
    diff_text: str
    files: Mapping[str, str]  # head path -> full head text (may be empty)
    labels: tuple[Label, ...]
    negatives: tuple[Negative, ...]

    @property
    def is_clean(self) -> bool:
        return not self.labels

    def review_input(self) -> ReviewInput:
        return ReviewInput(self.diff_text, self.files, self.meta.title, self.meta.body)


def _side(value: str) -> Side:
    return Side.RIGHT if value == "right" else Side.LEFT


def _read_record(directory: Path) -> CaseRecord:
    path = directory / CASE_FILE
    if not path.is_file():
        raise CaseError(f"case {directory}: missing {CASE_FILE}")
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError(
            f"case {directory}: {CASE_FILE} is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    try:
        return CaseRecord.model_validate(raw)
    except ValidationError as exc:
        case_id = raw.get("id", directory.name) if isinstance(raw, dict) else directory.name
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CaseError(f"case {case_id} ({directory}): invalid {CASE_FILE}: {problems}") from exc


def _read_files(directory: Path) -> Mapping[str, str]:
    root = directory / FILES_DIR
    if not root.is_dir():
        return MappingProxyType({})
    # Head files are context only; a stray non-UTF-8 byte must not make a case unloadable.
    files = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    return MappingProxyType(files)


def load_case(directory: Path) -> Case:
    """Load and validate one case directory."""
    record = _read_record(directory)
    diff_path = directory / DIFF_FILE
    if not diff_path.is_file():
        raise CaseError(f"case {record.id} ({directory}): missing {DIFF_FILE}")
    labels = tuple(
        Label(
            lb.path,
            _side(lb.side),
            lb.start_line,
            lb.end_line,
            lb.category,
            lb.note,
            tuple(Evidence(e.path, e.start_line, e.end_line, e.kind, e.note) for e in lb.evidence),
        )
        for lb in record.labels
    )
    negatives = tuple(
        Negative(ng.path, _side(ng.side), ng.start_line, ng.end_line, ng.note, ng.category)
        for ng in record.negatives
    )
    meta = CaseMeta(
        record.source,
        record.repo,
        record.base_commit,
        record.head_commit,
        record.title,
        record.body,
    )
    return Case(
        id=record.id,
        directory=directory,
        meta=meta,
        diff_text=diff_path.read_text(encoding="utf-8", errors="replace"),
        files=_read_files(directory),
        labels=labels,
        negatives=negatives,
    )


def _case_dirs(directory: Path) -> list[Path]:
    if (directory / CASE_FILE).is_file():
        return [directory]
    if not directory.is_dir():
        raise CaseError(f"case directory {directory} does not exist")
    # Files next to the cases (index.json, README.md) are not cases; hidden dirs neither.
    return sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_cases(dirs: Sequence[Path]) -> list[Case]:
    """Load every case under each path: a directory of cases or a single case directory."""
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for directory in dirs:
        for case_dir in _case_dirs(directory):
            case = load_case(case_dir)
            if case.id in seen:
                raise CaseError(f"case {case.id}: duplicate id in {seen[case.id]} and {case_dir}")
            seen[case.id] = case_dir
            cases.append(case)
    return cases
