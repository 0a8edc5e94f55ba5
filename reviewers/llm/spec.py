"""Provider configuration (ModelSpec) and the factory that turns it into an LLM.

The vendor SDKs are imported by build_llm, not here: Settings, the CLI and the static-only
review import ModelSpec, and importing both SDKs costs seconds. Each provider needs its
extra: `prbot[anthropic]` or `prbot[openai]` (openai also serves openai-compatible).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewers.llm.base import LLM, LLMNotConfigured
from reviewers.llm.chain import FallbackLLM

Provider = Literal["anthropic", "openai", "openai-compatible"]

NO_KEY = "none"  # api_key_env value for servers that take no key (local llama.cpp, Ollama)
_DEFAULT_KEY_ENV: Mapping[Provider, str] = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openai-compatible": NO_KEY,
}
# Read from `env`, never from os.environ behind the caller's back. Note the forms: the
# Anthropic base URL has no /v1, the OpenAI one includes it.
_BASE_URL_ENV: Mapping[Provider, str] = {
    "anthropic": "ANTHROPIC_BASE_URL",
    "openai": "OPENAI_BASE_URL",
}
_DEFAULT_BASE_URL: Mapping[Provider, str] = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
}
# Sent as the bearer token when no key is needed: the openai SDK refuses to start without one.
_PLACEHOLDER_KEY = "not-needed"


class ModelSpec(BaseModel):
    """One model of a role's chain, as written in the config file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    model: str = Field(min_length=1)
    base_url: str | None = None  # required for openai-compatible (e.g. http://127.0.0.1:8080/v1)
    api_key_env: str | None = None  # env var holding the key; None: the provider's default
    timeout_s: float = Field(default=120.0, gt=0)  # per HTTP attempt
    max_retries: int = Field(default=3, ge=0)  # the SDK's own retries (429/5xx/529, timeouts)
    json_mode: Literal["json_schema", "json_object"] = "json_object"  # openai-compatible only

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}"


def _api_key(spec: ModelSpec, env: Mapping[str, str]) -> str:
    name = spec.api_key_env or _DEFAULT_KEY_ENV[spec.provider]
    if name.lower() == NO_KEY:
        return _PLACEHOLDER_KEY
    key = env.get(name, "").strip()
    if not key:
        raise LLMNotConfigured(f"{spec.label}: environment variable {name} is not set")
    return key


def _base_url(spec: ModelSpec, env: Mapping[str, str]) -> str:
    if spec.base_url:
        return spec.base_url
    if spec.provider == "openai-compatible":
        raise LLMNotConfigured(f"{spec.label}: an openai-compatible model needs a base_url")
    return env.get(_BASE_URL_ENV[spec.provider]) or _DEFAULT_BASE_URL[spec.provider]


def build_llm(spec: ModelSpec, env: Mapping[str, str]) -> LLM:
    """The provider for `spec`, with its SDK client; LLMNotConfigured if a key or URL is
    missing, or the provider's SDK (its extra) is not installed.

    No I/O: SDK clients connect on first use.
    """
    key, url = _api_key(spec, env), _base_url(spec, env)
    if spec.provider == "anthropic":
        return _anthropic_llm(spec, key, url)
    return _openai_llm(spec, key, url)


def _missing_sdk(spec: ModelSpec, package: str, error: ImportError) -> LLMNotConfigured:
    return LLMNotConfigured(
        f"{spec.label}: the {package} SDK is not installed (install prbot with its "
        f"`{package}` extra): {error}"
    )


def _anthropic_llm(spec: ModelSpec, key: str, url: str) -> LLM:
    try:
        import anthropic

        from reviewers.llm.anthropic import AnthropicLLM, SpendLimitGuard
    except ImportError as error:
        raise _missing_sdk(spec, "anthropic", error) from error
    client = anthropic.AsyncAnthropic(
        api_key=key,
        base_url=url,
        max_retries=spec.max_retries,
        timeout=spec.timeout_s,
        middleware=[SpendLimitGuard()],
    )
    return AnthropicLLM(client, spec.model)


def _openai_llm(spec: ModelSpec, key: str, url: str) -> LLM:
    try:
        import openai

        from reviewers.llm.compatible import OpenAICompatibleLLM
        from reviewers.llm.openai import OpenAIResponsesLLM
    except ImportError as error:
        raise _missing_sdk(spec, "openai", error) from error
    oai = openai.AsyncOpenAI(
        api_key=key, base_url=url, max_retries=spec.max_retries, timeout=spec.timeout_s
    )
    if spec.provider == "openai":
        return OpenAIResponsesLLM(oai, spec.model)
    return OpenAICompatibleLLM(oai, spec.model, json_mode=spec.json_mode)


def build_role(
    specs: Sequence[ModelSpec], env: Mapping[str, str], role: str = "model"
) -> FallbackLLM:
    """A fallback chain over the buildable specs; the others are listed in `.skipped`.

    Raises LLMNotConfigured, with every reason, when none can be built.
    """
    built: list[LLM] = []
    skipped: list[str] = []
    for spec in specs:
        try:
            built.append(build_llm(spec, env))
        except LLMNotConfigured as err:
            skipped.append(str(err))
    if not built:
        reasons = "; ".join(skipped) or "no models listed"
        raise LLMNotConfigured(f"{role} role not configured: {reasons}")
    return FallbackLLM(built, skipped=skipped)
