"""Slash commands in PR comments: parsing and the texts the bot answers with (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from bot.repoconfig import LoadedConfig
from bot.state import Spend

NAMES = ("review", "pause", "resume", "ignore", "cost", "config", "help")
# author_association is only a cheap pre-filter; the permission API decides.
TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
WRITE_PERMISSIONS = frozenset({"admin", "write"})  # "maintain" is reported as "write"
_COMMAND = re.compile(r"^/([A-Za-z][\w-]*)\b(.*)$")

HELP = """\
**prbot commands** (people with write access only):

| command | what it does |
|---|---|
| `/review` | review what changed since the last review (unchanged hunks cost nothing) |
| `/review full` | judge every hunk again, ignoring cached results |
| `/pause`, `/resume` | stop or restart automatic reviews of this pull request |
| `/ignore` | as a reply to a prbot comment: never post that finding again in this repository |
| `/ignore RULE` | never post findings of RULE (e.g. `ruff:F401`) in this repository |
| `/cost` | tokens and dollars spent on this pull request |
| `/config` | the effective configuration |
| `/help` | this table |

A 👎 reaction on a prbot comment works like `/ignore`.
"""


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # one of NAMES, or "unknown"
    args: tuple[str, ...] = ()
    raw: str = ""


def parse_command(body: str) -> Command | None:
    """The command on the comment's first non-blank line, or None for an ordinary comment."""
    for line in body.splitlines():
        text = line.strip()
        if not text:
            continue
        match = _COMMAND.match(text)
        if match is None:
            return None
        name = match.group(1).lower()
        args = tuple(match.group(2).split())
        return Command(name if name in NAMES else "unknown", args, text[:100])
    return None


def refusal(user: str) -> str:
    return f"@{user} prbot commands need write access to this repository."


def cost_text(spend: Spend) -> str:
    if spend.reviews == 0:
        return "prbot has not reviewed this pull request yet: $0.00."
    return (
        f"prbot spent **${spend.usd:.4f}** on this pull request over {spend.reviews} review(s) "
        f"({spend.tokens} tokens); the cache saved ${spend.saved_usd:.4f}."
    )


def config_text(loaded: LoadedConfig, roles: dict[str, str]) -> str:
    effective = loaded.config.model_dump(mode="json")
    lines = ["**Effective prbot configuration** (`.github/prbot.yml` on the base branch):", ""]
    if loaded.error:
        lines += [f"⚠️ {loaded.error}; defaults are used.", ""]
    lines += ["```yaml", yaml.safe_dump(effective, sort_keys=True).rstrip(), "```", ""]
    lines += [f"- {role} model: {model}" for role, model in roles.items()]
    return "\n".join(lines)
