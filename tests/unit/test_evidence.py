"""bench.evidence: evidence recall read from the requests the frontier model was sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.cases import Case, load_case
from bench.evidence import PromptLog, evidence_of, score_evidence
from bench.scripted import ScriptedModel
from reviewers.llm.base import CompletionRequest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "labeled_prs" / "xf-py-charge-argument-order"
LABEL = 'def charge(amount_cents: int, customer_id: str, currency: str = "EUR") -> Charge:'
EVIDENCE = "payment = charge(cart.customer_id, total, cart.currency)"


def request(prompt: str) -> CompletionRequest:
    return CompletionRequest(system="You review code.", prompt=prompt, schema={})


def case() -> Case:
    return load_case(CASE)


def test_evidence_reaches_when_one_request_holds_the_label_and_its_evidence() -> None:
    prompt = (
        f">>> shop/checkout.py:12-12 caller: calls charge\n    {EVIDENCE}\n"
        f"### payments/gateway.py\n@@\n+18 {LABEL}\n"
    )
    [found] = evidence_of(case(), [request(prompt)])
    assert found.seen and found.reached == (True,) and found.complete
    assert found.carried_by == ("caller",) and found.kinds == ("caller",)


def test_evidence_in_another_request_does_not_count() -> None:
    label_only = request(f"### payments/gateway.py\n+18 {LABEL}\n")
    evidence_only = request(f"shop/checkout.py\n{EVIDENCE}\n")
    [found] = evidence_of(case(), [label_only, evidence_only])
    assert found.seen and found.reached == (False,) and not found.complete


def test_a_label_that_never_reached_the_frontier() -> None:
    [found] = evidence_of(case(), [request("nothing relevant")])
    assert not found.seen and not found.complete
    score = score_evidence([found])
    assert (score.labels, score.seen, score.reached, score.recall) == (1, 0, 0, 0.0)


def test_score_by_kind_and_by_carrier() -> None:
    with_block = request(
        f">>> shop/checkout.py:12-12 caller\n{EVIDENCE}\npayments/gateway.py {LABEL}"
    )
    unlabelled = request(f"{EVIDENCE}\npayments/gateway.py {LABEL}")
    reached = evidence_of(case(), [with_block]) + evidence_of(case(), [unlabelled])
    missed = evidence_of(case(), [request(f"payments/gateway.py {LABEL}")])
    score = score_evidence(reached + missed)
    assert score.to_json() == {
        "labels": 3,
        "seen": 3,
        "reached": 2,
        "recall": 2 / 3,
        "by_kind": {"caller": {"spans": 3, "reached": 2, "recall": 2 / 3}},
        "carried_by": {"caller": 1, "unlabelled": 1},
    }


def test_prompt_log_records_what_the_model_was_sent() -> None:
    log = PromptLog(ScriptedModel("scripted-frontier"))
    sent = request("hello")
    asyncio.run(log.complete(sent))
    assert log.requests == [sent] and log.model_id == "scripted-frontier"
