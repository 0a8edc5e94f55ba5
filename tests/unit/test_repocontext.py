"""The context engine on small repositories: enclosing code, definitions, callers, budgets."""

from __future__ import annotations

import pytest

from reviewers.budget import estimate_tokens
from reviewers.repocontext import ContextBudget, RepoContext, gather_context
from reviewers.snapshot import ContextBlock, MappingSnapshot
from tests.unit.contextrepos import CountingSnapshot, covers, hunks_of


def line_of(text: str, snippet: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not in text")


def gather(
    files: dict[str, str], changes: dict[str, str], budget: ContextBudget | None = None
) -> list[ContextBlock]:
    """`changes`: path -> its base text; `files` holds the head texts."""
    hunks = hunks_of({p: (old, files[p]) for p, old in changes.items()})
    return RepoContext(MappingSnapshot(files)).gather(hunks, budget or ContextBudget())


def no_overlaps(blocks: list[ContextBlock]) -> bool:
    seen: set[tuple[str, int]] = set()
    for b in blocks:
        lines = {(b.path, n) for n in range(b.start_line, b.end_line + 1)}
        if lines & seen:
            return False
        seen |= lines
    return True


# -- enclosing: every language the parser knows ---------------------------------------------

LONG_BODY = 12  # lines of filler so the hunk sits in the middle of its function

ENCLOSING = {
    "python": (
        "svc/jobs.py",
        (
            "class Runner:\n"
            "    def run(self, jobs):\n"
            "{body}        total = 0\n"
            "{body}        return total\n"
        ),
        "        x{n} = {n}\n",
        "total = 0",
        "total = 1",
        "def run(self, jobs):",
    ),
    "javascript": (
        "src/jobs.js",
        (
            "export class Runner {{\n"
            "  run(jobs) {{\n"
            "{body}    let total = 0;\n"
            "{body}    return total;\n"
            "  }}\n"
            "}}\n"
        ),
        "    const x{n} = {n};\n",
        "let total = 0;",
        "let total = 1;",
        "run(jobs) {",
    ),
    "typescript": (
        "src/jobs.ts",
        (
            "export function run(jobs: string[]): number {{\n"
            "{body}  let total = 0;\n"
            "{body}  return total;\n"
            "}}\n"
        ),
        "  const x{n}: number = {n};\n",
        "let total = 0;",
        "let total = 1;",
        "export function run(jobs: string[]): number {",
    ),
    "go": (
        "jobs/run.go",
        (
            "package jobs\n"
            "\n"
            "func Run(jobs []string) int {{\n"
            "{body}\ttotal := 0\n"
            "{body}\treturn total\n"
            "}}\n"
        ),
        "\tx{n} := {n}\n\t_ = x{n}\n",
        "total := 0",
        "total := 1",
        "func Run(jobs []string) int {",
    ),
    "java": (
        "src/main/java/jobs/Runner.java",
        (
            "package jobs;\n"
            "\n"
            "public class Runner {{\n"
            "    int run(String[] jobs) {{\n"
            "{body}        int total = 0;\n"
            "{body}        return total;\n"
            "    }}\n"
            "}}\n"
        ),
        "        int x{n} = {n};\n",
        "int total = 0;",
        "int total = 1;",
        "int run(String[] jobs) {",
    ),
    "rust": (
        "src/jobs.rs",
        "pub fn run(jobs: &[String]) -> i32 {{\n{body}    let total = 0;\n{body}    total\n}}\n",
        "    let x{n} = {n};\n",
        "let total = 0;",
        "let total = 1;",
        "pub fn run(jobs: &[String]) -> i32 {",
    ),
    "ruby": (
        "lib/jobs.rb",
        "class Runner\n  def run(jobs)\n{body}    total = 0\n{body}    total\n  end\nend\n",
        "    x{n} = {n}\n",
        "total = 0",
        "total = 1",
        "def run(jobs)",
    ),
}


@pytest.mark.parametrize("language", sorted(ENCLOSING))
def test_enclosing_definition_in_every_language(language: str) -> None:
    path, shape, filler, before, after, header = ENCLOSING[language]
    body = "".join(filler.format(n=n) for n in range(LONG_BODY))
    old = shape.format(body=body)
    new = old.replace(before, after)
    blocks = gather({path: new}, {path: old}, ContextBudget(kinds=frozenset({"enclosing"})))
    assert blocks, f"{language}: no enclosing context"
    assert all(b.kind == "enclosing" for b in blocks)
    assert covers(blocks, path, line_of(new, header)), f"{language}: signature missing"
    changed = line_of(new, after)
    assert not any(covers([b], path, n) for b in blocks for n in range(changed - 3, changed + 4))
    assert no_overlaps(blocks)


def test_enclosing_shows_the_class_header_of_a_method() -> None:
    path, shape, filler, before, after, _ = ENCLOSING["python"]
    old = shape.format(body="".join(filler.format(n=n) for n in range(LONG_BODY)))
    new = old.replace(before, after)
    blocks = gather({path: new}, {path: old}, ContextBudget(kinds=frozenset({"enclosing"})))
    header = next(b for b in blocks if b.start_line == 1)  # merged with the method above
    assert header.text.startswith("class Runner:\n    def run(self, jobs):")
    assert "run is inside Runner" in header.reason and "encloses the change" in header.reason


def test_a_long_function_is_trimmed_to_its_signature_and_the_lines_near_the_hunk() -> None:
    body = "".join(f"    step_{n}()\n" for n in range(200))
    old = f"def main(argv):\n{body}    finish()\n{body}    return 0\n"
    new = old.replace("    finish()\n", "    finish(argv)\n")
    budget = ContextBudget(per_hunk_tokens=150, kinds=frozenset({"enclosing"}))
    assert budget.for_hunk(hunks_of({"cli.py": (old, new)})[0]) == 150
    blocks = gather({"cli.py": new}, {"cli.py": old}, budget)
    assert covers(blocks, "cli.py", 1)
    changed = line_of(new, "finish(argv)")
    assert covers(blocks, "cli.py", changed - 4) and not covers(blocks, "cli.py", 100)
    assert sum(estimate_tokens(b.text) for b in blocks) <= 150


# -- definitions of what the change uses ----------------------------------------------------

RATES = (
    "FEE = 2\n"
    "\n"
    "RATES = {\n"
    "    'EUR': 1.1,\n"
    "}\n"
    "\n"
    "\n"
    "def convert(amount, currency):\n"
    "    return amount * RATES[currency]\n"
)
CHARGE_OLD = "from billing.rates import convert\n\n\ndef charge(amount):\n    return amount\n"
CHARGE_NEW = (
    "from billing.rates import FEE, convert\n"
    "\n"
    "\n"
    "def charge(amount):\n"
    "    return convert(amount, 'EUR') + FEE\n"
)


def test_definitions_come_from_the_imported_module() -> None:
    files = {"billing/rates.py": RATES, "billing/charge.py": CHARGE_NEW}
    blocks = gather(
        files, {"billing/charge.py": CHARGE_OLD}, ContextBudget(kinds=frozenset({"definition"}))
    )
    assert covers(blocks, "billing/rates.py", line_of(RATES, "def convert"))
    assert covers(blocks, "billing/rates.py", line_of(RATES, "return amount * RATES"))
    assert covers(blocks, "billing/rates.py", 1)  # FEE, a constant the change uses
    assert all(b.kind == "definition" for b in blocks)
    assert "defines convert, called by the change" in next(
        b.reason for b in blocks if covers([b], "billing/rates.py", 9)
    )


def test_same_file_definitions_rank_before_imported_ones() -> None:
    local = (
        "def convert(amount, currency):\n    return amount\n\n\n" + CHARGE_NEW.split("\n\n\n", 1)[1]
    )
    head = "from billing.rates import FEE\n\n\n" + local
    base = "from billing.rates import FEE\n\n\n" + local.replace(
        "convert(amount, 'EUR') + FEE", "amount"
    )
    files = {"billing/rates.py": RATES, "billing/charge.py": head}
    budget = ContextBudget(per_hunk_tokens=40, kinds=frozenset({"definition"}))
    blocks = gather(files, {"billing/charge.py": base}, budget)
    assert [b.path for b in blocks] == ["billing/charge.py"]


def test_relative_python_imports_resolve() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/util.py": "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n",
        "pkg/core.py": "from .util import clamp\n\n\ndef level(x):\n    return clamp(x, 0, 9)\n",
    }
    old = "from .util import clamp\n\n\ndef level(x):\n    return x\n"
    blocks = gather(files, {"pkg/core.py": old})
    assert covers(blocks, "pkg/util.py", 1) and covers(blocks, "pkg/util.py", 2)


@pytest.mark.parametrize(
    ("files", "changed", "old", "where"),
    [
        pytest.param(
            {
                "web/src/lib/money.ts": (
                    "export function cents(value: number): number {\n"
                    "  return Math.round(value * 100);\n"
                    "}\n"
                ),
                "web/src/cart.ts": (
                    "import { cents } from './lib/money';\n"
                    "\n"
                    "export function total(items: number[]): number {\n"
                    "  return cents(items.reduce((a, b) => a + b, 0));\n"
                    "}\n"
                ),
            },
            "web/src/cart.ts",
            (
                "import { cents } from './lib/money';\n"
                "\n"
                "export function total(items: number[]): number {\n"
                "  return 0;\n"
                "}\n"
            ),
            ("web/src/lib/money.ts", 2),
            id="typescript-relative-import",
        ),
        pytest.param(
            {
                "lib/money.js": (
                    "function cents(value) {\n"
                    "  return Math.round(value * 100);\n"
                    "}\n"
                    "module.exports = { cents };\n"
                ),
                "cart.js": (
                    "const { cents } = require('./lib/money');\n"
                    "\n"
                    "function total(items) {\n"
                    "  return cents(items.length);\n"
                    "}\n"
                ),
            },
            "cart.js",
            (
                "const { cents } = require('./lib/money');\n"
                "\n"
                "function total(items) {\n"
                "  return 0;\n"
                "}\n"
            ),
            ("lib/money.js", 2),
            id="javascript-require",
        ),
        pytest.param(
            {
                "go.mod": "module example.com/shop\n\ngo 1.22\n",
                "internal/money/money.go": (
                    "package money\n"
                    "\n"
                    "// Cents converts to cents.\n"
                    "func Cents(v float64) int {\n"
                    "\treturn int(v * 100)\n"
                    "}\n"
                ),
                "cart/cart.go": (
                    "package cart\n"
                    "\n"
                    'import "example.com/shop/internal/money"\n'
                    "\n"
                    "func Total(v float64) int {\n"
                    "\treturn money.Cents(v)\n"
                    "}\n"
                ),
            },
            "cart/cart.go",
            (
                "package cart\n"
                "\n"
                'import "example.com/shop/internal/money"\n'
                "\n"
                "func Total(v float64) int {\n"
                "\treturn 0\n"
                "}\n"
            ),
            ("internal/money/money.go", 5),
            id="go-module-import",
        ),
        pytest.param(
            {
                "cart/helpers.go": (
                    "package cart\n\nfunc round(v float64) float64 {\n\treturn v\n}\n"
                ),
                "cart/cart.go": (
                    "package cart\n\nfunc Total(v float64) float64 {\n\treturn round(v)\n}\n"
                ),
            },
            "cart/cart.go",
            "package cart\n\nfunc Total(v float64) float64 {\n\treturn v\n}\n",
            ("cart/helpers.go", 4),
            id="go-same-package",
        ),
        pytest.param(
            {
                "src/main/java/com/acme/money/Money.java": (
                    "package com.acme.money;\n"
                    "\n"
                    "public final class Money {\n"
                    "    public static long cents(double v) {\n"
                    "        return Math.round(v * 100);\n"
                    "    }\n"
                    "}\n"
                ),
                "src/main/java/com/acme/cart/Cart.java": (
                    "package com.acme.cart;\n"
                    "\n"
                    "import com.acme.money.Money;\n"
                    "\n"
                    "public class Cart {\n"
                    "    long total(double v) {\n"
                    "        return Money.cents(v);\n"
                    "    }\n"
                    "}\n"
                ),
            },
            "src/main/java/com/acme/cart/Cart.java",
            (
                "package com.acme.cart;\n"
                "\n"
                "import com.acme.money.Money;\n"
                "\n"
                "public class Cart {\n"
                "    long total(double v) {\n"
                "        return 0;\n"
                "    }\n"
                "}\n"
            ),
            ("src/main/java/com/acme/money/Money.java", 5),
            id="java-import",
        ),
    ],
)
def test_definitions_across_files_in_other_languages(
    files: dict[str, str], changed: str, old: str, where: tuple[str, int]
) -> None:
    blocks = gather(files, {changed: old}, ContextBudget(kinds=frozenset({"definition"})))
    assert covers(blocks, *where), [b.label for b in blocks]


def test_a_method_defined_elsewhere_is_found_through_the_repository_index() -> None:
    files = {
        "store/locks.py": (
            "class LockTable:\n    def release_slot(self, key):\n        self.held.discard(key)\n"
        ),
        "jobs/worker.py": "def work(table, key):\n    table.release_slot(key)\n",
    }
    old = "def work(table, key):\n    pass\n"
    blocks = gather(files, {"jobs/worker.py": old})
    assert covers(blocks, "store/locks.py", 2) and covers(blocks, "store/locks.py", 3)


def test_ambiguous_common_names_are_not_looked_up_repository_wide() -> None:
    many = {f"m{i}/x.py": "def get(self):\n    return 1\n" for i in range(6)}
    files = {**many, "app.py": "def f(d):\n    return d.get('k')\n"}
    blocks = gather(files, {"app.py": "def f(d):\n    return None\n"})
    assert not blocks


# -- callers of what the change alters ------------------------------------------------------

CHARGE_SIG_OLD = "def charge(amount, currency):\n    return amount\n"
CHARGE_SIG_NEW = "def charge(currency, amount):\n    return amount\n"


def caller(name: str, call: str) -> str:
    return (
        f"from billing import charge\n"
        f"\n"
        f"\n"
        f"def {name}(cart):\n"
        f"    total = sum(cart)\n"
        f"    return {call}\n"
    )


def test_callers_of_a_changed_signature_nearest_first_and_bounded() -> None:
    files = {
        "billing/__init__.py": CHARGE_SIG_NEW,
        "billing/refunds.py": caller("refund", "charge(-total, 'EUR')"),
        "shop/checkout.py": caller("pay", "charge(total, 'EUR')"),
        "shop/api/v1.py": caller("api_pay", "charge(total, 'USD')"),
        "shop/api/v2.py": caller("api_pay2", "charge(total, 'GBP')"),
        "docs/notes.py": "# charge(amount, currency) is documented here\nTEXT = 'charge(1, 2)'\n",
    }
    budget = ContextBudget(
        kinds=frozenset({"caller"}), max_call_sites=3, per_hunk_tokens=5000, per_call_tokens=5000
    )
    blocks = gather(files, {"billing/__init__.py": CHARGE_SIG_OLD}, budget)
    assert [b.path for b in blocks] == ["billing/refunds.py", "shop/api/v1.py", "shop/checkout.py"]
    assert all("signature changed" in b.reason for b in blocks)
    assert not any(b.path == "docs/notes.py" for b in blocks)  # a comment and a string
    assert all(covers([b], b.path, 6) for b in blocks)  # the call line itself


def test_callers_of_a_changed_constructor_are_found_by_the_class_name() -> None:
    files = {
        "models.py": (
            "class Account:\n"
            "    def __init__(self, owner, limit):\n"
            "        self.owner = owner\n"
            "        self.limit = limit\n"
        ),
        "views.py": (
            "from models import Account\n"
            "\n"
            "\n"
            "def open_account(user):\n"
            "    return Account(user, 100)\n"
        ),
    }
    old = (
        "class Account:\n"
        "    def __init__(self, owner):\n"
        "        self.owner = owner\n"
        "        self.limit = 0\n"
    )
    blocks = gather(files, {"models.py": old}, ContextBudget(kinds=frozenset({"caller"})))
    assert covers(blocks, "views.py", 5)


def test_users_of_a_removed_function_are_shown() -> None:
    head = "def load_config(path):\n    return {}\n"
    base = "def load_settings(path):\n    return {}\n"
    files = {
        "conf.py": head,
        "main.py": (
            "from conf import load_settings\n\n\ndef main():\n    return load_settings('x')\n"
        ),
    }
    blocks = gather(files, {"conf.py": base}, ContextBudget(kinds=frozenset({"caller"})))
    assert covers(blocks, "main.py", 5)
    assert "removes or renames" in blocks[0].reason


def test_a_renamed_config_key_finds_its_readers_in_any_file() -> None:
    head = "DEFAULTS = {\n    'max_retries': 3,\n    'timeout': 10,\n}\n"
    base = "DEFAULTS = {\n    'retry_limit': 3,\n    'timeout': 10,\n}\n"
    files = {
        "settings.py": head,
        "worker.py": (
            "from settings import DEFAULTS\n"
            "\n"
            "\n"
            "def attempts(cfg):\n"
            "    return cfg.get('retry_limit', 1)\n"
        ),
        "deploy/values.yaml": "worker:\n  retry_limit: 5\n  image: app\n",
    }
    blocks = gather(files, {"settings.py": base}, ContextBudget(kinds=frozenset({"caller"})))
    assert covers(blocks, "worker.py", 5)
    assert any("'retry_limit'" in b.reason for b in blocks)


def test_users_of_a_changed_constant() -> None:
    files = {
        "limits.py": "TIMEOUT = 0.5  # seconds\n",
        "client.py": (
            "from limits import TIMEOUT\n\n\ndef wait(sock):\n    sock.settimeout(TIMEOUT * 1000)\n"
        ),
    }
    blocks = gather(
        files,
        {"limits.py": "TIMEOUT = 500  # milliseconds\n"},
        ContextBudget(kinds=frozenset({"caller"})),
    )
    assert covers(blocks, "client.py", 5)


# -- budgets, sharing, caching --------------------------------------------------------------


def many_callers() -> tuple[dict[str, str], dict[str, str]]:
    files = {"core.py": CHARGE_SIG_NEW}
    for i in range(12):
        files[f"use{i:02}.py"] = caller(f"pay{i}", f"charge(total, 'C{i}')")
    return files, {"core.py": CHARGE_SIG_OLD}


@pytest.mark.parametrize("per_call", [60, 150, 400])
def test_the_per_call_budget_holds(per_call: int) -> None:
    files, changes = many_callers()
    budget = ContextBudget(
        per_call_tokens=per_call,
        per_hunk_tokens=10_000,
        hunk_base_tokens=10_000,
        call_base_tokens=10_000,
        max_call_sites=12,
    )
    blocks = gather(files, changes, budget)
    assert blocks
    assert sum(estimate_tokens(b.text) for b in blocks) <= per_call


def test_the_per_review_budget_holds_across_calls() -> None:
    files, changes = many_callers()
    hunks = hunks_of({p: (old, files[p]) for p, old in changes.items()})
    context = RepoContext(MappingSnapshot(files))
    budget = ContextBudget(
        per_call_tokens=300, call_base_tokens=300, per_review_tokens=400, max_call_sites=12
    )
    calls = [context.gather(hunks, budget) for _ in range(6)]
    assert calls[0] and calls[1] and not calls[-1]
    assert context.spent <= 400
    shown = sum(estimate_tokens(b.text) for call in calls for b in call)
    assert shown <= 400


def test_blocks_are_shared_by_the_hunks_of_a_call_and_never_overlap_them() -> None:
    util = "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n"
    body = "".join(f"    step{n} = {n}\n" for n in range(20))
    base = (
        f"from util import clamp\n"
        f"\n"
        f"\n"
        f"def a(x):\n"
        f"{body}    return x\n"
        f"\n"
        f"\n"
        f"def b(x):\n"
        f"{body}    return x\n"
    )
    head = base.replace("    return x\n", "    return clamp(x, 0, 9)\n")
    files = {"util.py": util, "app.py": head}
    blocks = gather(files, {"app.py": base})
    hunks = hunks_of({"app.py": (base, head)})
    assert len(hunks) == 2
    assert [b.label for b in blocks if b.path == "util.py"] == ["util.py:1-2"]
    assert no_overlaps(blocks)
    for h in hunks:
        span = range(h.new_start, h.new_start + h.new_len)
        assert not any(covers(blocks, "app.py", n) for n in span)


def test_kinds_select_what_is_gathered() -> None:
    files, changes = many_callers()
    assert not gather(files, changes, ContextBudget(kinds=frozenset()))
    only = gather(files, changes, ContextBudget(kinds=frozenset({"definition"})))
    assert all(b.kind == "definition" for b in only)


def test_every_file_is_read_once_per_review() -> None:
    files, changes = many_callers()
    snapshot = CountingSnapshot(files)
    context = RepoContext(snapshot)
    hunks = hunks_of({p: (old, files[p]) for p, old in changes.items()})
    for _ in range(3):
        context.gather(hunks, ContextBudget(max_call_sites=12))
    assert snapshot.reads and max(snapshot.reads.values()) == 1


def test_no_snapshot_and_unreadable_files_give_no_context() -> None:
    hunks = hunks_of({"gone.py": ("x = 1\n", "x = 2\n")})
    assert gather_context(hunks, None, ContextBudget()) == []
    assert RepoContext(MappingSnapshot({})).gather(hunks, ContextBudget()) == []


def test_sources_of_the_diff_are_used_when_the_snapshot_lacks_them() -> None:
    files = {"util.py": "def clamp(x):\n    return x\n"}
    head = "from util import clamp\n\n\ndef f(x):\n    return clamp(x)\n"
    hunks = hunks_of({"app.py": ("from util import clamp\n\n\ndef f(x):\n    return x\n", head)})
    blocks = RepoContext(MappingSnapshot(files), {"app.py": head}).gather(hunks, ContextBudget())
    assert covers(blocks, "util.py", 1)


def test_doc_comments_and_decorators_come_with_a_definition() -> None:
    files = {
        "internal/pool/pool.go": (
            "package pool\n\n"
            "// Acquire takes the pool lock.\n"
            "// Release (release.go) gives it back.\n"
            "func Acquire() {\n\tmu.Lock()\n}\n"
        ),
        "internal/pool/user.go": "package pool\n\nfunc use() {\n\tAcquire()\n}\n",
    }
    old = "package pool\n\nfunc use() {\n}\n"
    blocks = gather(
        files, {"internal/pool/user.go": old}, ContextBudget(kinds=frozenset({"definition"}))
    )
    assert [b.label for b in blocks] == ["internal/pool/pool.go:3-7"]


def test_what_the_unchanged_lines_around_the_change_call_is_defined_too() -> None:
    files = {
        "locks.py": (
            'def claim(key):\n    """Claims never expire: release() them."""\n    return True\n'
        ),
        "done.py": "def finish(key):\n    release(key)\n",
        "run.py": (
            "from done import finish\nfrom locks import claim\n\n\n"
            "def run(key, skip):\n"
            "    if not claim(key):\n"
            "        return\n"
            "    if skip:\n"
            "        return\n"
            "    x = 1\n"
            "    y = 2\n"
            "    z = 3\n"
            "    w = 4\n"
            "    finish(key)\n"
        ),
    }
    old = files["run.py"].replace("    if skip:\n        return\n", "")
    blocks = gather(files, {"run.py": old}, ContextBudget(kinds=frozenset({"definition"})))
    assert covers(blocks, "locks.py", 2) and covers(blocks, "done.py", 2)
    reasons = [b.reason for b in blocks if b.path == "done.py"]
    assert reasons == ["defines finish, called next to the change (done.py)"]


def test_a_renamed_object_key_finds_readers_and_config_files() -> None:
    files = {
        "config/defaults.js": "module.exports = {\n  port: 80,\n  sessionTtlSeconds: 3600,\n};\n",
        "server/session.js": "function ttl(config) {\n  return config.sessionTtl * 1000;\n}\n",
        "deploy/values.yaml": "app:\n  sessionTtl: 7200\n",
        "notes.txt": "mySessionTtlX is something else\n",
    }
    old = files["config/defaults.js"].replace("sessionTtlSeconds", "sessionTtl")
    blocks = gather(files, {"config/defaults.js": old}, ContextBudget(kinds=frozenset({"caller"})))
    assert covers(blocks, "server/session.js", 2) and covers(blocks, "deploy/values.yaml", 2)
    assert not any(b.path == "notes.txt" for b in blocks)


def test_a_renamed_string_key_is_found_bare_in_a_properties_file() -> None:
    files = {
        "Keys.java": 'class Keys {\n  static final String TIMEOUT = "pay.timeout-ms";\n}\n',
        "app.properties": "server.port=80\npay.timeout.ms=2500\npay.timeout.msx=1\n",
    }
    old = files["Keys.java"].replace("pay.timeout-ms", "pay.timeout.ms")
    blocks = gather(files, {"Keys.java": old}, ContextBudget(kinds=frozenset({"caller"})))
    assert [b.label for b in blocks] == ["app.properties:1-5"] or covers(
        blocks, "app.properties", 2
    )
    assert "'pay.timeout.ms'" in blocks[0].reason


def test_a_hunk_gets_a_base_plus_a_share_per_changed_line() -> None:
    small = hunks_of({"a.py": ("x = 1\n", "x = 2\n")})[0]
    big = hunks_of({"a.py": ("".join(f"x{i} = 1\n" for i in range(40)), "")})[0]
    budget = ContextBudget(per_hunk_tokens=600, hunk_base_tokens=100, hunk_per_line_tokens=10)
    assert budget.for_hunk(small) == 100 + 10 * 2
    assert budget.for_hunk(big) == 500
    assert ContextBudget(per_hunk_tokens=300).for_hunk(big) == 300
    call = ContextBudget(per_call_tokens=1000, call_base_tokens=100, call_per_line_tokens=5)
    assert call.for_call([small, big]) == 100 + 5 * 42
    assert call.for_call([big] * 10) == 1000


def test_every_definition_gets_its_signature_before_any_gets_its_body() -> None:
    body = "".join(f"    step_{n} = {n}\n" for n in range(30))
    lib = f"def first(x):\n{body}    return x\n\n\ndef second(x):\n{body}    return x\n"
    head = "from lib import first, second\n\n\ndef f(x):\n    return first(second(x))\n"
    base = head.replace("first(second(x))", "x")
    budget = ContextBudget(hunk_base_tokens=130, kinds=frozenset({"definition"}))
    blocks = gather({"lib.py": lib, "app.py": head}, {"app.py": base}, budget)
    second = line_of(lib, "def second")
    assert covers(blocks, "lib.py", 1) and covers(blocks, "lib.py", second)
    assert not covers(blocks, "lib.py", 25)  # deep in first's body: the budget is spent
