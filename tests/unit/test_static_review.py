"""The static tier inside review_diff: secrets never reach a prompt, opt-outs are counted in
the summary, other tools' findings are anchored with the rest; no rule reads strings or
comments in any language."""

from __future__ import annotations

import pytest

from reviewers.cache import NoCache
from reviewers.models import Category, Finding, Route, Severity, Side
from reviewers.prompts import default_prompts_dir, load_prompts
from reviewers.review import Models, ReviewConfig, ReviewInput, review_diff
from reviewers.static import review_static
from tests.fakes.scripted_llm import ScriptedLLM, answer
from tests.unit.test_redact import POSITIVE
from tests.unit.test_static import added_file

PROMPTS = load_prompts(default_prompts_dir())


@pytest.mark.parametrize(("kind", "text", "secret"), POSITIVE, ids=[p[0] for p in POSITIVE])
async def test_no_kind_of_secret_reaches_the_prompt(kind: str, text: str, secret: str) -> None:
    frontier = ScriptedLLM("frontier-x", lambda _request: answer())
    source = f"def connect():\n    {text}\n    return None\n"
    files = (added_file("app/conn.py", *source.splitlines()),)
    await review_diff(
        ReviewInput(files, {"app/conn.py": source}),
        Models(frontier=frontier),
        PROMPTS,
        ReviewConfig(),
        NoCache(),
    )
    sent = "".join(r.system + r.shared + r.prompt for r in frontier.requests)
    assert frontier.requests, "the hunk went to the model"
    for part in secret.split("\n"):
        assert part not in sent
    assert f"[REDACTED:{kind}]" in sent


async def test_opt_outs_are_counted_in_the_summary() -> None:
    source = (
        "def f(blob):\n    return pickle.loads(blob)  # prbot: ignore[py-unsafe-deserialization]\n"
    )
    files = (added_file("app/store.py", *source.splitlines()),)
    review = await review_diff(
        ReviewInput(files, {"app/store.py": source}),
        Models(),
        PROMPTS,
        ReviewConfig(mode="static-only"),
        NoCache(),
    )
    assert review.comments == ()
    assert any("1 static finding(s) opted out" in note for note in review.notes)


async def test_findings_of_other_tools_are_anchored_and_deduped_with_the_rest() -> None:
    files = (added_file("web/app.js", "const a = 1;", "eval(input);"),)
    external = Finding(
        path="web/app.js",
        side=Side.RIGHT,
        start_line=2,
        end_line=2,
        category=Category.SECURITY,
        severity=Severity.HIGH,
        confidence=0.8,
        title="eval can be harmful.",
        body="ESLint no-eval",
        route=Route.SMALL,
        source="sarif:ESLint/no-eval",
    )
    review = await review_diff(
        ReviewInput(files, findings=(external, external)),
        Models(),
        PROMPTS,
        ReviewConfig(mode="static-only"),
        NoCache(),
    )
    # One comment per line and category: the tool's (more confident) finding stands for both.
    assert [(c.line, c.finding.source) for c in review.comments] == [(2, "sarif:ESLint/no-eval")]


SPELLED_OUT = [
    (
        "doc.go",
        'package m\n\n// db.Query("SELECT * FROM t WHERE a=" + x)\n'
        'var s = "InsecureSkipVerify: true"\n',
    ),
    (
        "Doc.java",
        'class D {\n  // st.executeQuery("SELECT * FROM t WHERE a=" + x);\n'
        '  String s = "Runtime.getRuntime().exec(\\"ls \\" + d)";\n}\n',
    ),
    ("doc.rb", '# Marshal.load(cookies[:x])\ns = "system(\\"ls #{dir}\\")"\n'),
    ("doc.php", '<?php\n// exec("ls " . $dir);\n$s = \'unserialize($_GET["x"])\';\n'),
    (
        "doc.ts",
        "/* db.query(`SELECT * FROM t WHERE a = ${a}`) */\n"
        'const s = "rejectUnauthorized: false";\n',
    ),
]


@pytest.mark.parametrize(("path", "source"), SPELLED_OUT, ids=[p for p, _ in SPELLED_OUT])
async def test_code_spelled_out_in_strings_and_comments_is_not_code(path: str, source: str) -> None:
    files = [added_file(path, *source.splitlines())]
    assert (await review_static(files, {path: source})).findings == ()
