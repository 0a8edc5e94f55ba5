"""Evidence recall: did the lines a reviewer needs, outside the diff, reach the frontier model?

A label may carry evidence (bench/cases.py): head lines elsewhere in the repository without
which it cannot be judged. What reached the model is read from the requests the frontier
model was actually sent (PromptLog records them), not from what the context engine meant
to send: a label's evidence reached the prompt when one request holds both the label's own
lines and every non-blank line of every evidence span. Lines are compared stripped, so the
renderer's numbering and indentation do not matter. When the renderer labels its blocks
`>>> path:start-end kind`, the kind of block that carried each span is recorded too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.cases import Case, Evidence, Label
from reviewers.diff import parse_diff
from reviewers.llm.base import LLM, Completion, CompletionRequest
from reviewers.models import LineKind, Side

_BLOCK = re.compile(r"^>>> (?P<path>\S+):(?P<start>\d+)-(?P<end>\d+) (?P<kind>[\w-]+)", re.M)
NO_BLOCK = "unlabelled"


class PromptLog:
    """An LLM that records every request it is sent, then asks the wrapped one."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.requests: list[CompletionRequest] = []

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        return await self.inner.complete(request)


def request_text(request: CompletionRequest) -> str:
    return "\n".join((request.system, request.shared, request.prompt))


@dataclass(frozen=True, slots=True)
class LabelEvidence:
    """Whether one label's evidence reached the frontier prompt, and through which blocks."""

    case_id: str
    label: int  # index in the case's labels
    kinds: tuple[str, ...]  # the evidence spans' kinds
    seen: bool  # the label's own lines reached a frontier request
    reached: tuple[bool, ...]  # per span, in the same request as the label's lines
    carried_by: tuple[str, ...]  # per span: the kind of block that showed it, or NO_BLOCK

    @property
    def complete(self) -> bool:
        return self.seen and all(self.reached)


def stripped(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def label_lines(case: Case, label: Label) -> list[str]:
    if label.side is Side.RIGHT:
        head = case.files.get(label.path, "").splitlines()
        return stripped(head[label.start_line - 1 : label.end_line])
    removed = {
        ln.old_no: ln.text
        for fd in parse_diff(case.diff_text)
        if fd.path == label.path
        for h in fd.hunks
        for ln in h.lines
        if ln.kind is LineKind.REMOVED
    }
    return stripped(removed.get(n, "") for n in range(label.start_line, label.end_line + 1))


def span_lines(case: Case, evidence: Evidence) -> list[str]:
    head = case.files.get(evidence.path, "").splitlines()
    return stripped(head[evidence.start_line - 1 : evidence.end_line])


def holds(text: str, needles: Sequence[str]) -> bool:
    return bool(needles) and all(n in text for n in needles)


def carrier(text: str, evidence: Evidence) -> str:
    """The kind of the labelled block that covers the span's first line, if any."""
    for match in _BLOCK.finditer(text):
        if match.group("path") != evidence.path:
            continue
        if int(match.group("start")) <= evidence.start_line <= int(match.group("end")):
            return match.group("kind")
    return NO_BLOCK


def evidence_of(case: Case, requests: Sequence[CompletionRequest]) -> list[LabelEvidence]:
    texts = [request_text(r) for r in requests]
    out = []
    for index, label in enumerate(case.labels):
        if not label.evidence:
            continue
        own = label_lines(case, label)
        holding = [t for t in texts if label.path in t and holds(t, own)]
        spans = [span_lines(case, ev) for ev in label.evidence]
        best: tuple[bool, ...] = tuple(False for _ in spans)
        via: tuple[str, ...] = tuple(NO_BLOCK for _ in spans)
        for text in holding:  # the request that carried the most spans
            got = tuple(holds(text, lines) for lines in spans)
            if sum(got) > sum(best):
                best = got
                via = tuple(carrier(text, ev) for ev in label.evidence)
        kinds = tuple(ev.kind for ev in label.evidence)
        out.append(LabelEvidence(case.id, index, kinds, bool(holding), best, via))
    return out


@dataclass(frozen=True, slots=True)
class KindRecall:
    spans: int
    reached: int

    @property
    def recall(self) -> float | None:
        return self.reached / self.spans if self.spans else None


@dataclass(frozen=True, slots=True)
class EvidenceScore:
    labels: int  # labels with evidence
    seen: int  # of them, whose own lines reached a frontier request
    reached: int  # whose every evidence span reached that request too
    by_kind: dict[str, KindRecall] = field(default_factory=dict)  # by the evidence's kind
    carried: dict[str, int] = field(default_factory=dict)  # spans reached, by block kind

    @property
    def recall(self) -> float | None:
        return self.reached / self.labels if self.labels else None

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "seen": self.seen,
            "reached": self.reached,
            "recall": self.recall,
            "by_kind": {
                k: {"spans": v.spans, "reached": v.reached, "recall": v.recall}
                for k, v in sorted(self.by_kind.items())
            },
            "carried_by": dict(sorted(self.carried.items())),
        }


def score_evidence(items: Iterable[LabelEvidence]) -> EvidenceScore:
    items = list(items)
    spans: dict[str, list[int]] = {}
    carried: dict[str, int] = {}
    for item in items:
        for kind, got, via in zip(item.kinds, item.reached, item.carried_by, strict=True):
            tally = spans.setdefault(kind, [0, 0])
            tally[0] += 1
            tally[1] += got
            if got:
                carried[via] = carried.get(via, 0) + 1
    return EvidenceScore(
        labels=len(items),
        seen=sum(i.seen for i in items),
        reached=sum(i.complete for i in items),
        by_kind={k: KindRecall(n, r) for k, (n, r) in spans.items()},
        carried=carried,
    )
