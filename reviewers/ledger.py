"""What a review spent, skipped and missed: the source of its coverage and cost figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reviewers.budget import Batch
from reviewers.llm.pricing import Price, cost_usd, price_for
from reviewers.models import (
    Coverage,
    Finding,
    Review,
    ReviewComment,
    Route,
    TokenUsage,
    Unreviewed,
    Usage,
)

if TYPE_CHECKING:
    from reviewers.cache import CachedHunk


class BudgetConfig(Protocol):
    @property
    def budget_usd(self) -> float | None: ...

    @property
    def budget_tokens(self) -> int | None: ...


@dataclass
class _Account:
    calls: int = 0
    tokens: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    cache_hits: int = 0
    saved_usd: float = 0.0


def share_tokens(tokens: TokenUsage, share: float) -> TokenUsage:
    return TokenUsage(
        round(tokens.input_tokens * share),
        round(tokens.output_tokens * share),
        round(tokens.cache_read_tokens * share),
        round(tokens.cache_write_tokens * share),
        round(tokens.reasoning_tokens * share),
    )


class Ledger:
    """Mutable accumulator owned by one review_diff call; turned into a frozen Review."""

    def __init__(
        self,
        files_total: int,
        prices: Mapping[str, Price],
        budget_usd: float | None = None,
        budget_tokens: int | None = None,
    ) -> None:
        self.files_total = files_total
        self.prices = prices
        self.budget_usd = budget_usd
        self.budget_tokens = budget_tokens
        self.accounts: dict[tuple[Route, str], _Account] = defaultdict(_Account)
        self.hunks: dict[Route, int] = defaultdict(int)
        self.lines: dict[Route, int] = defaultdict(int)
        self.unreviewed: list[Unreviewed] = []
        self.reviewable: set[str] = set()  # files with a hunk routed to a reviewer
        self.notes: list[str] = []
        self.dropped_outputs = 0
        self.unknown_prices: set[str] = set()
        self._reserved_usd = 0.0
        self._reserved_tokens = 0

    # --- routing and coverage ---
    def count(self, path: str, route: Route, changed: int) -> None:
        self.hunks[route] += 1
        self.lines[route] += changed
        if route is not Route.SKIP:
            self.reviewable.add(path)

    def skip(self, item: Unreviewed) -> None:
        self.unreviewed.append(item)

    def miss(self, item: Unreviewed) -> None:
        self.unreviewed.append(item)

    def miss_all(self, batch: Batch, route: Route, reason: str) -> None:
        seen = set()
        for item in batch.items:
            key = (item.file.path, item.hunk.index)
            if key not in seen:
                seen.add(key)
                self.miss(Unreviewed(item.file.path, item.hunk.index, route, reason))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def dropped(self, count: int) -> None:
        self.dropped_outputs += count

    # --- money ---
    def spent_usd(self) -> float:
        return sum(a.cost_usd for a in self.accounts.values())

    def spent_tokens(self) -> int:
        return sum(a.tokens.total for a in self.accounts.values())

    def reserve(self, model: str, input_tokens: int, output_tokens: int) -> bool:
        """Hold room for one call; False when it would break the budget."""
        usd = self._estimate_usd(model, input_tokens, output_tokens)
        tokens = input_tokens + output_tokens
        if self.budget_usd is not None and (
            self.spent_usd() + self._reserved_usd + usd > self.budget_usd
        ):
            return False
        if self.budget_tokens is not None and (
            self.spent_tokens() + self._reserved_tokens + tokens > self.budget_tokens
        ):
            return False
        self._reserved_usd += usd
        self._reserved_tokens += tokens
        return True

    def release(self, model: str, input_tokens: int, output_tokens: int) -> None:
        self._reserved_usd -= self._estimate_usd(model, input_tokens, output_tokens)
        self._reserved_tokens -= input_tokens + output_tokens

    def _estimate_usd(self, model: str, input_tokens: int, output_tokens: int) -> float:
        price = price_for(model, self.prices)
        if price is None:
            return 0.0
        return cost_usd(TokenUsage(input_tokens=input_tokens, output_tokens=output_tokens), price)

    def budget_reason(self, config: BudgetConfig) -> str:
        limits = []
        if config.budget_usd is not None:
            limits.append(f"${config.budget_usd:.2f}")
        if config.budget_tokens is not None:
            limits.append(f"{config.budget_tokens} tokens")
        return f"budget reached ({' / '.join(limits)})"

    def spend(
        self, route: Route, model: str, tokens: TokenUsage, cost: float, known: bool = True
    ) -> None:
        account = self.accounts[(route, model)]
        account.calls += 1
        account.tokens = account.tokens + tokens
        account.cost_usd += cost
        if not known:
            self.unknown_prices.add(model)

    def hit(self, route: Route, cached: CachedHunk) -> None:
        account = self.accounts[(route, cached.model)]
        account.cache_hits += 1
        account.saved_usd += cached.cost_usd

    # --- result ---
    def review(
        self, comments: tuple[ReviewComment, ...], unanchored: tuple[Finding, ...]
    ) -> Review:
        for model in sorted(self.unknown_prices):
            self.note(f"no price known for model {model}: its cost is counted as $0.")
        return Review(
            comments=comments,
            unanchored=unanchored,
            coverage=self.coverage(),
            usage=tuple(
                Usage(route, model, a.calls, a.tokens, a.cost_usd, a.cache_hits, a.saved_usd)
                for (route, model), a in sorted(self.accounts.items())
            ),
            dropped_outputs=self.dropped_outputs,
            notes=tuple(self.notes),
        )

    def coverage(self) -> Coverage:
        return Coverage(
            files_total=self.files_total,
            files_reviewed=len(self.reviewable - self._files_missed()),
            hunks_by_route=dict(self.hunks),
            lines_by_route=dict(self.lines),
            unreviewed=tuple(self.unreviewed),
        )

    def _files_missed(self) -> set[str]:
        """Files with a hunk that a reviewer was meant to see but did not."""
        return {u.path for u in self.unreviewed if u.route is not Route.SKIP}
