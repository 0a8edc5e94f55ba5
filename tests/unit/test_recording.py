"""Recorded answers replay for free; replay-only fails fast on a missing one."""

from pathlib import Path

import pytest

from reviewers.llm.base import CompletionRequest
from reviewers.llm.recording import RecordingLLM, RecordingMissing
from reviewers.models import TokenUsage
from tests.fakes.scripted_llm import ScriptedLLM

REQUEST = CompletionRequest(system="rules", prompt="diff", schema={"type": "object"})


async def test_record_then_replay_without_calling(tmp_path: Path) -> None:
    inner = ScriptedLLM("m1", lambda r: {"findings": []}, TokenUsage(10, 2))
    first = await RecordingLLM(inner, tmp_path).complete(REQUEST)
    again_inner = ScriptedLLM("m1", lambda r: {"findings": ["different"]})
    replayer = RecordingLLM(again_inner, tmp_path)
    second = await replayer.complete(REQUEST)
    assert second == first
    assert again_inner.requests == [] and replayer.replayed == 1


async def test_replay_only_fails_fast_on_a_new_request(tmp_path: Path) -> None:
    replayer = RecordingLLM(None, tmp_path, model_id="m1")
    with pytest.raises(RecordingMissing, match="no recording for m1 request"):
        await replayer.complete(REQUEST)


async def test_prompt_change_records_anew(tmp_path: Path) -> None:
    inner = ScriptedLLM("m1", lambda r: {"findings": []})
    recorder = RecordingLLM(inner, tmp_path)
    await recorder.complete(REQUEST)
    await recorder.complete(CompletionRequest(system="rules v2", prompt="diff", schema={}))
    assert len(inner.requests) == 2 and recorder.recorded == 2
