"""Recorded answers replay for free; replay-only fails fast on a missing one; the file store
lives outside the core (adapters/recordings.py)."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.recordings import FileRecordingStore
from reviewers.llm.base import CompletionRequest
from reviewers.llm.recording import RecordingLLM, RecordingMissing, request_key
from reviewers.models import TokenUsage
from tests.fakes.scripted_llm import ScriptedLLM

REQUEST = CompletionRequest(system="rules", prompt="diff", schema={"type": "object"})


async def test_record_then_replay_without_calling(tmp_path: Path) -> None:
    inner = ScriptedLLM("m1", lambda r: {"findings": []}, TokenUsage(10, 2, reasoning_tokens=1))
    first = await RecordingLLM(inner, FileRecordingStore(tmp_path)).complete(REQUEST)
    again_inner = ScriptedLLM("m1", lambda r: {"findings": ["different"]})
    replayer = RecordingLLM(again_inner, FileRecordingStore(tmp_path))
    second = await replayer.complete(REQUEST)
    assert second == first and second.tokens.reasoning_tokens == 1
    assert again_inner.requests == [] and replayer.replayed == 1
    key = request_key("m1", REQUEST)
    stored = json.loads((tmp_path / key[:2] / f"{key}.json").read_text())
    assert stored["model"] == "m1" and not list(tmp_path.rglob("*.partial"))


async def test_replay_only_fails_fast_on_a_new_request(tmp_path: Path) -> None:
    replayer = RecordingLLM(None, FileRecordingStore(tmp_path), model_id="m1")
    with pytest.raises(RecordingMissing, match=f"no recording for m1 request .* in {tmp_path}/"):
        await replayer.complete(REQUEST)


async def test_prompt_change_records_anew(tmp_path: Path) -> None:
    inner = ScriptedLLM("m1", lambda r: {"findings": []})
    recorder = RecordingLLM(inner, FileRecordingStore(tmp_path))
    await recorder.complete(REQUEST)
    await recorder.complete(CompletionRequest(system="rules v2", prompt="diff", schema={}))
    assert len(inner.requests) == 2 and recorder.recorded == 2


def test_the_key_covers_everything_the_model_is_sent() -> None:
    keys = {
        request_key("m1", REQUEST),
        request_key("m2", REQUEST),
        request_key("m1", replace(REQUEST, shared="the PR text")),
        request_key("m1", replace(REQUEST, reasoning="high")),
        request_key("m1", replace(REQUEST, max_output_tokens=99)),
    }
    assert len(keys) == 5
