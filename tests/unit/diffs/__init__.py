"""Sample diffs (real `git diff` output) and a hypothesis strategy for random git diffs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

HERE = Path(__file__).parent
# One expected diff line: (marker, text, old line number, new line number).
Line = tuple[str, str, int | None, int | None]


@dataclass(frozen=True)
class SpecFile:
    """What a generated diff must parse into."""

    path: str
    status: str  # FileStatus value
    hunks: tuple[tuple[Line, ...], ...]


@dataclass(frozen=True)
class SpecDiff:
    text: str
    files: tuple[SpecFile, ...]


_WORDS = st.sampled_from(["x = 1", "", "  return y", "\tif a:", "-- sql", "++i;", "@x", "é"])


@st.composite
def _modified_hunks(draw: st.DrawFn, path: str) -> tuple[list[str], tuple[tuple[Line, ...], ...]]:
    out: list[str] = []
    hunks: list[tuple[Line, ...]] = []
    old = new = 1
    for _ in range(draw(st.integers(1, 4))):
        gap = draw(st.integers(0 if not hunks else 1, 8))  # hunks never touch
        old, new = old + gap, new + gap
        marks = draw(st.lists(st.sampled_from("+- "), min_size=1, max_size=10))
        lines: list[Line] = []
        body: list[str] = []
        o, n = old, new
        for mark in marks:
            text = draw(_WORDS)
            body.append(f"{mark}{text}\n")
            lines.append((mark, text, None if mark == "+" else o, None if mark == "-" else n))
            o += mark != "+"
            n += mark != "-"
        old_len, new_len = o - old, n - new
        # git names the line before the hunk when a side is empty
        old_start = old if old_len else old - 1
        new_start = new if new_len else new - 1
        out.append(f"@@ -{old_start},{old_len} +{new_start},{new_len} @@ def f{len(hunks)}():\n")
        out += body
        hunks.append(tuple(lines))
        old, new = o, n
    return out, tuple(hunks)


@st.composite
def _file(draw: st.DrawFn, path: str) -> tuple[str, SpecFile]:
    status = draw(st.sampled_from(["modified", "added", "deleted"]))
    head = f"diff --git a/{path} b/{path}\n"
    if status == "modified":
        body, hunks = draw(_modified_hunks(path))
        text = head + f"index 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n"
        return text + "".join(body), SpecFile(path, status, hunks)
    texts = draw(st.lists(_WORDS, min_size=1, max_size=8))
    count = len(texts)
    if status == "added":
        lines: tuple[Line, ...] = tuple(("+", t, None, i) for i, t in enumerate(texts, 1))
        text = head + f"new file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{count} @@\n"
        return text + "".join(f"+{t}\n" for t in texts), SpecFile(path, status, (lines,))
    lines = tuple(("-", t, i, None) for i, t in enumerate(texts, 1))
    text = head + f"deleted file mode 100644\n--- a/{path}\n+++ /dev/null\n@@ -1,{count} +0,0 @@\n"
    return text + "".join(f"-{t}\n" for t in texts), SpecFile(path, status, (lines,))


@st.composite
def git_diffs(draw: st.DrawFn) -> SpecDiff:
    """A random multi-file git diff and the FileDiff shape it must parse into."""
    count = draw(st.integers(1, 4))
    parts = [draw(_file(f"pkg/f{i}.py")) for i in range(count)]
    return SpecDiff("".join(t for t, _ in parts), tuple(f for _, f in parts))
