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
# A slash command: prbot's own word, then nothing or whitespace ("/src/app.py" is a path).
_SLASH = re.compile(r"^/([A-Za-z][\w-]*)(?:\s+(.*))?$")

HELP = """\
**prbot commands** (people with write access only). Write them on the first line of a
comment, as `/review` or as {mention} (the unambiguous form when other bots that read
`/review` are installed):

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

A 👎 reaction on a prbot comment, from someone with write access, works like `/ignore`.
"""


def help_text(slug: str) -> str:
    return HELP.replace("{mention}", f"`@{slug} review`")


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # one of NAMES, or "unknown" (after a mention only)
    args: tuple[str, ...] = ()
    raw: str = ""
    mention: bool = False  # written as "@<slug> word" rather than "/word"


def first_line(body: str) -> str:
    return next((line.strip() for line in body.splitlines() if line.strip()), "")


def mention_of(slug: str) -> re.Pattern[str]:
    """`@slug` or `@slug[bot]` at the start of a line, as a whole word, any case."""
    return re.compile(rf"^@{re.escape(slug)}(?:\[bot\])?(?![\w-])\s*(.*)$", re.IGNORECASE)


def parse_command(body: str, slug: str) -> Command | None:
    """prbot's command on the comment's first non-blank line, or None.

    `/word` counts only when the word is one of prbot's commands: `/lgtm`, another bot's
    `/describe` or a path like `/src/app.py` are not addressed to prbot and get no answer.
    `@<slug> word` is addressed to prbot whatever follows, so an unknown word (or none)
    is answered with the help.
    """
    line = first_line(body)
    mentioned = mention_of(slug).match(line)
    if mentioned:
        words = mentioned.group(1).split()
        name = words[0].lower().removeprefix("/") if words else "help"
        known = name if name in NAMES else "unknown"
        return Command(known, tuple(words[1:]), line[:100], mention=True)
    slashed = _SLASH.match(line)
    if slashed is None or slashed.group(1).lower() not in NAMES:
        return None
    args = tuple((slashed.group(2) or "").split())
    return Command(slashed.group(1).lower(), args, line[:100])


def may_be_command(body: str) -> bool:
    """Cheap test before asking GitHub who prbot is: commands start with "/" or "@"."""
    return first_line(body).startswith(("/", "@"))


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
