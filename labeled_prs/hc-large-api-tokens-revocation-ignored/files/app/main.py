"""Application factory."""

from __future__ import annotations

from fastapi import FastAPI

from app import projects, tokens_routes, users


def create_app() -> FastAPI:
    app = FastAPI(title="acme")
    app.include_router(users.router)
    app.include_router(projects.router)
    app.include_router(tokens_routes.router)
    return app
