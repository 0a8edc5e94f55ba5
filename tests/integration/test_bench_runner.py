"""The benchmark runner over the real openai-compatible provider and the fake model server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import openai
import pytest

from bench.cases import Case, load_cases
from bench.run import RunResult, record_models, run_benchmark_async
from reviewers.cache import NoCache
from reviewers.llm.compatible import OpenAICompatibleLLM
from reviewers.llm.pricing import Price
from reviewers.llm.recording import RecordingMissing
from reviewers.prompts import default_prompts_dir, load_prompts
from reviewers.review import Models, ReviewConfig
from tests.fakes.llm_server import AnswerReply, Api, FakeLLM, Reply, canonical_json, estimate_tokens

# The labeled case: calc/ops.py, 14 added lines, labels on lines 2 and 12.
OPS = [
    "def total(values):",
    "    return sum(values) - 1",
    "",
    "",
    "def mean(values):",
    "    count = len(values)",
    "    return total(values) / count",
    "",
    "",
    "def spread(values):",
    "    low = min(values)",
    "    high = max(values) + low",
    "    return high - low",
    "",
]
# The clean case: text/words.py, 4 added lines, no labels.
WORDS = ["def words(text):", "    parts = text.split()", "    return len(parts)", ""]
UNRECORDED = ["def double(x):", "    return x * 2", ""]
# Prices chosen so $ depends only on token totals: cache reads cost the same as input.
PRICES = {
    "fake-frontier": Price(input=1.0, output=2.0, cache_read=1.0, cache_write=1.0),
    "fake-small": Price(input=0.5, output=0.5, cache_read=0.5, cache_write=0.5),
}


def added_file_diff(path: str, lines: list[str]) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def write_case(
    root: Path, case_id: str, path: str, lines: list[str], labels: list[dict[str, Any]]
) -> None:
    directory = root / case_id
    directory.mkdir(parents=True)
    (directory / "pr.diff").write_text(added_file_diff(path, lines), encoding="utf-8")
    record = {
        "id": case_id,
        "source": "test",
        "repo": "octo/demo",
        "base_commit": "b" * 40,
        "head_commit": "a" * 40,
        "title": f"Add {path}",
        "body": "Small helper module.",
        "labels": labels,
    }
    (directory / "case.json").write_text(json.dumps(record), encoding="utf-8")


def label(path: str, line: int, note: str) -> dict[str, Any]:
    return {
        "path": path,
        "side": "right",
        "start_line": line,
        "end_line": line,
        "category": "defect",
        "note": note,
    }


def finding(path: str, line: int) -> dict[str, Any]:
    return {
        "path": path,
        "side": "RIGHT",
        "start_line": line,
        "end_line": line,
        "category": "defect",
        "severity": "high",
        "confidence": 0.9,
        "title": "Off by one",
        "body": "The result is off by one.",
        "suggestion": None,
    }


# The script: hit the label on ops.py line 2 (missing line 12); flag words.py line 2 (an FP).
SCRIPT = {"calc/ops.py": 2, "text/words.py": 2}


class Script:
    """The fake server's responder: answers by the file named in the prompt, keeps the texts."""

    def __init__(self) -> None:
        self.answers: list[str] = []

    def __call__(self, api: Api, body: Mapping[str, Any]) -> Reply:
        prompt = body["messages"][-1]["content"]
        found = [finding(p, n) for p, n in SCRIPT.items() if f"File: {p} (" in prompt]
        answer = {"findings": found}
        self.answers.append(json.dumps(answer))
        return AnswerReply(answer)


def expected_tokens(fake: FakeLLM, script: Script) -> tuple[int, int]:
    """The fake's own accounting of what it served: (prompt: system, user, format; answers)."""
    prompt = 0
    for request in fake.requests_to("chat"):
        body = request.body
        prompt += sum(estimate_tokens(m["content"]) for m in body["messages"])
        prompt += estimate_tokens(canonical_json(body["response_format"]))
    return prompt, sum(estimate_tokens(a) for a in script.answers)


def without_wall_time(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(data))
    for part in (out["cost"], *out["per_case"]):
        part.pop("wall_seconds", None)
        part.pop("wall_seconds_per_pr", None)
    return out


@pytest.fixture
def cases(tmp_path: Path) -> list[Case]:
    root = tmp_path / "cases"
    write_case(
        root,
        "c1-ops",
        "calc/ops.py",
        OPS,
        [
            label("calc/ops.py", 2, "total subtracts one"),
            label("calc/ops.py", 12, "high adds low"),
        ],
    )
    write_case(root, "c2-words", "text/words.py", WORDS, [])
    return load_cases([root])


@pytest.fixture
async def providers(fake_llm_url: str) -> AsyncIterator[Models]:
    client = openai.AsyncOpenAI(api_key="k", base_url=f"{fake_llm_url}/v1", max_retries=0)
    try:
        yield Models(
            small=OpenAICompatibleLLM(client, "fake-small"),
            frontier=OpenAICompatibleLLM(client, "fake-frontier"),
        )
    finally:
        await client.close()


async def run(cases: list[Case], models: Models) -> RunResult:
    prompts = load_prompts(default_prompts_dir())
    config = ReviewConfig(prices=PRICES)
    # frontier-only: every hunk goes to the frontier role, whatever triage decides.
    return await run_benchmark_async(cases, "frontier-only", models, prompts, config, NoCache())


async def test_scores_and_costs_are_exact(
    fake_llm: FakeLLM, providers: Models, cases: list[Case], tmp_path: Path
) -> None:
    script = Script()
    fake_llm.responder = script
    result = await run(cases, record_models(providers, tmp_path / "rec", replay_only=False))
    data = result.data

    micro = data["levels"]["located"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 1, 1)
    assert micro["precision"] == 0.5
    assert micro["recall"] == 0.5
    assert micro["f1"] == 0.5
    # chance: ops.py has 11 of 14 added lines within 3 of a label; words.py (clean) has 0.
    assert micro["chance"] == pytest.approx((11 / 14 + 0.0) / 2)
    assert micro["lift"] == pytest.approx(0.5 / ((11 / 14) / 2))
    assert data["comments_per_clean_pr"] == 1.0
    assert [(c["id"], c["located"]["tp"], c["located"]["fp"]) for c in data["per_case"]] == [
        ("c1-ops", 1, 0),
        ("c2-words", 0, 1),
    ]

    assert len(fake_llm.requests_to("chat")) == 2
    prompt_tokens, answer_tokens = expected_tokens(fake_llm, script)
    tokens = prompt_tokens + answer_tokens
    assert data["cost"]["tokens"] == tokens
    assert data["cost"]["usd"] == pytest.approx((prompt_tokens * 1.0 + answer_tokens * 2.0) / 1e6)
    assert data["cost"]["model_calls"] == 2
    assert data["cost"]["by_route"]["frontier"]["calls"] == 2
    assert data["cost"]["by_route"]["frontier"]["tokens"] == tokens
    assert data["cost"]["by_route"]["small"]["calls"] == 0
    assert data["models"] == {"small": "fake-small", "frontier": "fake-frontier"}
    assert sum(c["tokens"] for c in data["per_case"]) == tokens


async def test_replay_only_gives_the_same_json_without_traffic(
    fake_llm: FakeLLM, providers: Models, cases: list[Case], tmp_path: Path
) -> None:
    fake_llm.responder = Script()
    recordings = tmp_path / "rec"
    first = await run(cases, record_models(providers, recordings, replay_only=False))
    served = len(fake_llm.requests)

    # No provider at all: the model ids come from what was recorded.
    replayed = await run(cases, record_models(Models(), recordings, replay_only=True))

    assert len(fake_llm.requests) == served == 2
    assert without_wall_time(replayed.data) == without_wall_time(first.data)
    assert replayed.data["levels"]["located"]["micro"]["tp"] == 1


async def test_replay_only_names_the_case_without_a_recording(
    fake_llm: FakeLLM, providers: Models, cases: list[Case], tmp_path: Path
) -> None:
    fake_llm.responder = Script()
    recordings = tmp_path / "rec"
    await run(cases, record_models(providers, recordings, replay_only=False))
    write_case(tmp_path / "more", "c3-unrecorded", "calc/double.py", UNRECORDED, [])
    more = cases + load_cases([tmp_path / "more"])
    served = len(fake_llm.requests)

    with pytest.raises(RecordingMissing, match=r"^case c3-unrecorded: no recording for fake-fr"):
        await run(more, record_models(providers, recordings, replay_only=True))
    assert len(fake_llm.requests) == served
