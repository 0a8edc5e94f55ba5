"""Dependency graph of build targets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


class CycleError(ValueError):
    pass


class TargetGraph:
    def __init__(self, edges: Iterable[tuple[str, str]]) -> None:
        self._deps: dict[str, set[str]] = defaultdict(set)
        self._rdeps: dict[str, set[str]] = defaultdict(set)
        for target, dep in edges:
            self._deps[target].add(dep)
            self._rdeps[dep].add(target)

    def deps(self, target: str) -> set[str]:
        return set(self._deps.get(target, ()))

    def affected_by(self, changed: Iterable[str]) -> list[str]:
        """Every target that transitively depends on a changed one, in BFS order."""
        queue = list(changed)
        seen = set(queue)
        order: list[str] = []
        while queue:
            node = queue.pop(0)
            order.append(node)
            for parent in sorted(self._rdeps.get(node, ())):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return order

    def to_dot(self) -> str:
        edges = [
            f'  "{target}" -> "{dep}";'
            for target in sorted(self._deps)
            for dep in sorted(self._deps[target])
        ]
        return "digraph targets {\n" + "\n".join(edges) + "\n}\n"
