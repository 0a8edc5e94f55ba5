"""A fake Anthropic + OpenAI model server (one FastAPI app) for tests: scripted, recording.

Wire formats served on 127.0.0.1 (run it with tests.fakes.servers.ServerThread):
  Anthropic  POST /v1/messages, POST /v1/messages/count_tokens   (base_url without /v1)
  OpenAI     POST /v1/responses, POST /v1/responses/input_tokens,
             POST /v1/chat/completions                          (base_url with /v1)

Each answering request takes the next scripted reply (FakeLLM.enqueue), else asks the
responder, else answers {"findings": []}. A request the real API would refuse is refused
first, with the vendor's 400 (tests/fakes/llm_rules.py). Usage is reported the way each API
reports it, from deterministic counts (estimate_tokens: ceil(chars / 4) per text segment):
prompt caching as documented, per model (tests/fakes/llm_cache.py: Anthropic's breakpoints
and per-model minimums; OpenAI's automatic 1,024-token minimum, 128-token steps, cached
tokens inside input_tokens), and reasoning when asked for (Anthropic thinking blocks and
output_tokens_details.thinking_tokens; OpenAI reasoning items and reasoning_tokens), both
inside output_tokens.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes import llm_anthropic, llm_openai
from tests.fakes.llm_cache import estimate_tokens
from tests.fakes.llm_state import (
    EMPTY_ANSWER,
    REASONING_TOKENS,
    Answer,
    AnswerReply,
    Api,
    DelayReply,
    ErrorReply,
    FakeLLM,
    RecordedRequest,
    RefusalReply,
    Reply,
    Responder,
    TextReply,
    canonical_json,
    overloaded,
    rate_limited,
    server_error,
    spend_limit,
)

__all__ = [
    "EMPTY_ANSWER", "REASONING_TOKENS", "Answer", "AnswerReply", "Api", "DelayReply",
    "ErrorReply", "FakeLLM", "RecordedRequest", "RefusalReply", "Reply", "Responder",
    "TextReply", "canonical_json", "create_fake_llm_app", "estimate_tokens", "overloaded",
    "rate_limited", "server_error", "spend_limit",
]  # fmt: skip


def create_fake_llm_app(fake: FakeLLM) -> FastAPI:
    """The ASGI app serving `fake`'s state."""
    app = FastAPI(title="fake LLM")

    @app.post("/v1/messages")
    async def messages(request: Request) -> JSONResponse:
        return await llm_anthropic.messages(fake, request)

    @app.post("/v1/messages/count_tokens")
    async def count_tokens(request: Request) -> JSONResponse:
        return await llm_anthropic.count_tokens(fake, request)

    @app.post("/v1/responses")
    async def responses(request: Request) -> JSONResponse:
        return await llm_openai.responses_create(fake, request)

    @app.post("/v1/responses/input_tokens")
    async def input_tokens(request: Request) -> JSONResponse:
        return await llm_openai.responses_count(fake, request)

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        return await llm_openai.chat_create(fake, request)

    return app
