"""How long the static tier takes: a 300-file / 20,000-line diff, and the secret scan on a
648 KiB diff of private-key BEGIN lines (against the old look-ahead pattern, same run).

`python -m bench.perf_static` prints the figures; docs/performance.md records them.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable

from adapters.ruff import locate_ruff
from reviewers.diff import parse_diff
from reviewers.models import FileDiff
from reviewers.redact import redact
from reviewers.static import review_static

FILES = 300
LINES = 20_000

# One small module per language; a few lines in each are risky on purpose.
TEMPLATES = {
    "py": (
        "import subprocess\n\n\ndef run_{n}(name, cur):\n"
        "    subprocess.run(f'convert {{name}}', shell=True)\n"
        "    cur.execute(f\"SELECT * FROM t WHERE a = '{{name}}'\")\n"
        "    return [x * {n} for x in range(10)]\n\n\n"
    ),
    "js": (
        "function run{n}(db, name) {{\n"
        "  db.query(`SELECT * FROM t WHERE a = '${{name}}'`);\n"
        "  return [1, 2, 3].map((x) => x * {n});\n}}\n\n"
    ),
    "go": (
        "func Run{n}(db *sql.DB, name string) error {{\n"
        '\t_, err := db.Query("SELECT * FROM t WHERE a = \'" + name + "\'")\n'
        "\treturn err\n}}\n\n"
    ),
    "java": (
        "  int run{n}(Statement st, String name) throws Exception {{\n"
        '    st.executeQuery("SELECT * FROM t WHERE a = \'" + name + "\'");\n'
        "    return {n};\n  }}\n\n"
    ),
    "rb": 'def run_{n}(name)\n  system("ls #{{name}}")\n  {n}\nend\n\n',
    "php": (
        "function run{n}($db, $name) {{\n"
        "  return $db->query(\"SELECT * FROM t WHERE a = '$name'\");\n}}\n\n"
    ),
}
HEADERS = {"go": "package m\n\n", "java": "class M {\n", "php": "<?php\n"}
FOOTERS = {"java": "}\n"}


def module(ext: str, lines: int) -> str:
    body, n = HEADERS.get(ext, ""), 0
    while body.count("\n") < lines:
        body += TEMPLATES[ext].format(n=n)
        n += 1
    return body + FOOTERS.get(ext, "")


def synthetic_diff(files: int = FILES, lines: int = LINES) -> tuple[list[FileDiff], dict[str, str]]:
    """`files` new files in six languages, `lines` added lines in all."""
    exts = list(TEMPLATES)
    per_file = -(-lines // files)  # rounded up: at least `lines` in all
    sources: dict[str, str] = {}
    parts = []
    for i in range(files):
        ext = exts[i % len(exts)]
        path = f"src/pkg{i % 17}/mod{i}.{ext}"
        text = "".join(line + "\n" for line in module(ext, per_file).splitlines()[:per_file])
        sources[path] = text
        rows = text.splitlines()
        parts.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(rows)} @@\n" + "".join(f"+{r}\n" for r in rows)
        )
    return list(parse_diff("".join(parts).encode())), sources


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


OLD_PRIVATE_KEY = re.compile(  # the pattern before the linear scan (issue 11 item 4)
    r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
    r"(?:(?:(?!-----END)[\s\S]){0,16384}-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
    r"|[^\n]{0,200}(?:\n[ \t\"'+]{0,8}[A-Za-z0-9+/=]{16,100}[^\n]{0,8}){0,200})"
)


def main() -> None:
    files, sources = synthetic_diff()
    added = sum(len(h.added) for f in files for h in f.hunks)
    ruff = locate_ruff()
    result = asyncio.run(review_static(files, sources, ruff))  # warm: grammars, rule files
    tier = timed(lambda: asyncio.run(review_static(files, sources, ruff)))
    no_ruff = timed(lambda: asyncio.run(review_static(files, sources, None)))
    print(f"static tier: {len(files)} files, {added} added lines, {len(result.findings)} findings")
    print(f"  with ruff ({ruff.version}): {tier:.2f} s (median of 3)")
    print(f"  structural rules and secrets only: {no_ruff:.2f} s")
    begin = "+-----BEGIN RSA " + "PRIVATE KEY-----\n"
    text = begin * (648 * 1024 // len(begin))
    now = timed(lambda: redact(text))
    old = timed(lambda: list(OLD_PRIVATE_KEY.finditer(text)), repeat=1)
    print(f"secret scan, {len(text) // 1024} KiB of BEGIN lines: {now:.3f} s")
    print(f"  the old look-ahead pattern alone: {old:.2f} s ({old / now:.0f}x)")


if __name__ == "__main__":
    main()
