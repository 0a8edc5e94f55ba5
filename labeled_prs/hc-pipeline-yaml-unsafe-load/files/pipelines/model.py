"""Pipeline definitions: a list of named steps with parameters."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import yaml


class PipelineError(ValueError):
    pass


@dataclass(frozen=True)
class Step:
    name: str
    uses: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Pipeline:
    name: str
    steps: tuple[Step, ...]


def pipeline_from_dict(data: dict[str, object]) -> Pipeline:
    try:
        steps = tuple(
            Step(s["name"], s["uses"], dict(s.get("with", {})))  # type: ignore[index]
            for s in data["steps"]  # type: ignore[union-attr]
        )
        return Pipeline(str(data["name"]), steps)
    except (KeyError, TypeError) as exc:
        raise PipelineError(f"invalid pipeline definition: {exc}") from None


def pipeline_from_yaml(text: str) -> Pipeline:
    """Parse a pipeline file uploaded through the UI or pushed to the repo."""
    data = yaml.load(text, Loader=yaml.Loader)
    if not isinstance(data, dict):
        raise PipelineError("a pipeline file must be a mapping")
    return pipeline_from_dict(data)


def pipeline_from_json(text: str) -> Pipeline:
    return pipeline_from_dict(json.loads(text))
