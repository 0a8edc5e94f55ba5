"""Upload endpoint for pipeline definitions."""

from __future__ import annotations

import json

import yaml

from pipelines.http import JSONResponse, Request
from pipelines.model import PipelineError, pipeline_from_json, pipeline_from_yaml
from pipelines.store import PipelineStore


def upload_pipeline(request: Request, store: PipelineStore) -> JSONResponse:
    text = request.body.decode("utf-8")
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            pipeline = pipeline_from_json(text)
        else:
            pipeline = pipeline_from_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError, PipelineError) as exc:
        raise request.bad_request(str(exc)) from None
    store.save(pipeline)
    return JSONResponse({"name": pipeline.name, "steps": len(pipeline.steps)}, status=201)
