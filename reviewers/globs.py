"""Path globs with gitignore semantics (the `pathspec` library), compiled once per glob set.

- `*` and `?` match within one path segment, `[...]` is a character class;
- `**` matches any number of segments (`docs/**/*.md`, `**/fixtures/`);
- a glob without `/` matches a file or directory name at any depth (`*.min.js`, `vendor/`);
- a glob with a `/` before its end, or a leading `/`, is anchored at the repository root;
- a trailing `/` matches a directory, i.e. everything below it;
- a leading `!` re-includes what an earlier glob of the same set matched.
"""

from __future__ import annotations

from functools import lru_cache

import pathspec


class GlobSet:
    """Named globs matched together; `first` names the first glob (in order) that matches."""

    def __init__(self, globs: tuple[str, ...]) -> None:
        self.globs = globs
        self._all = pathspec.GitIgnoreSpec.from_lines(globs)

    def first(self, path: str) -> str | None:
        if not self.globs or not self._all.match_file(path):
            return None
        return next((g for g in self.globs if not g.startswith("!") and matches(path, g)), None)

    def __contains__(self, path: str) -> bool:
        return bool(self.globs) and self._all.match_file(path)


@lru_cache(maxsize=1024)
def _spec(glob: str) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([glob])


def matches(path: str, glob: str) -> bool:
    """One glob against one repository-relative POSIX path (each glob compiled once)."""
    return _spec(glob).match_file(path)
