"""What every handler receives: built once by the server, passed down, never global."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.github import GitHubClient
from bot.pipeline import Pipeline
from bot.reviewing import PullReviewer
from bot.settings import Settings
from bot.state import StateStore


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    pipeline: Pipeline
    state: StateStore
    client_for: Callable[[int], GitHubClient]  # installation id -> client

    def reviewer(self, installation_id: int) -> PullReviewer:
        return self.reviewer_for(self.client_for(installation_id))

    def reviewer_for(self, client: GitHubClient) -> PullReviewer:
        return PullReviewer(client, self.pipeline, self.state)

    def role_names(self) -> dict[str, str]:
        """Which model serves each role, for /config (names only, never keys or URLs)."""
        models = self.pipeline.models
        return {
            "small": models.small.model_id if models.small else "static reviewers (no model)",
            "frontier": models.frontier.model_id if models.frontier else "not configured",
        }
