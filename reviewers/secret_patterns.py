"""The secret kinds: one linear-time regex each (the kinds gitleaks and detect-secrets cover).

Every pattern is linear-time: bounded quantifiers, lookbehinds that only let a match start at
a token boundary, and no nested quantifiers over overlapping classes. Group "secret", when
present, is the part to redact; otherwise the whole match is. A private key's body is found
by reviewers.secrets without a regex (a bounded look-ahead per BEGIN line was quadratic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewers.models import Severity


@dataclass(frozen=True, slots=True)
class SecretPattern:
    name: str  # stable id, used in "[REDACTED:<name>]" and "secret:<name>"
    label: str  # human name for titles
    regex: re.Pattern[str]
    severity: Severity
    min_entropy: float = 0.0  # bits/char the secret must reach (generic patterns only)
    mixed: bool = False  # the secret must mix character classes (digits, cases, symbols)
    lowered: bool = False  # the regex runs on the ASCII-lower-cased text


def _pattern(
    name: str,
    label: str,
    regex: str,
    severity: Severity,
    entropy: float = 0.0,
    mixed: bool = False,
    lowered: bool = False,
) -> SecretPattern:
    return SecretPattern(name, label, re.compile(regex), severity, entropy, mixed, lowered)


# Matched against an ASCII-lower-cased copy of the text (same offsets): a case-insensitive
# alternation is an order of magnitude slower in `re`.  The lookahead keeps "tokenizer",
# "secretary" and the like out.
_GENERIC_NAME = (
    r"(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key"
    r"|auth_?key|client_?secret|credentials?)s?(?!i[sz]|ar[iy]|ion)"
)
_B = r"(?<![A-Za-z0-9_-])"  # a token starts here
_E = r"(?![A-Za-z0-9_-])"  # and ends here

PRIVATE_KEY_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
PRIVATE_KEY_END = re.compile(r"-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
# Without an END line: the BEGIN line and the base64 lines right after it.
PRIVATE_KEY_BODY = re.compile(
    r"[^\n]{0,200}(?:\n[ \t\"'+]{0,8}[A-Za-z0-9+/=]{16,100}[^\n]{0,8}){0,200}"
)
PRIVATE_KEY_SPAN = 16384  # an END line further than this from its BEGIN is not its END

SECRET_PATTERNS: tuple[SecretPattern, ...] = (
    _pattern("private-key", "private key", PRIVATE_KEY_BEGIN.pattern, Severity.CRITICAL),
    _pattern(
        "aws-access-key-id",
        "AWS access key id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
        Severity.CRITICAL,
    ),
    _pattern(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i:aws)[\w.-]{0,20}?(?i:secret)[\w.-]{0,20}[\"']?\s{0,4}"
        r"(?:=|:|=>)\s{0,4}[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        Severity.CRITICAL,
    ),
    _pattern(
        "github-token",
        "GitHub token",
        r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,242})"
        r"(?![A-Za-z0-9_])",
        Severity.CRITICAL,
    ),
    _pattern(
        "gitlab-token",
        "GitLab token",
        rf"{_B}gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{{20,50}}{_E}",
        Severity.CRITICAL,
    ),
    _pattern(
        "slack-token",
        "Slack token",
        r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}",
        Severity.CRITICAL,
    ),
    _pattern(
        "slack-webhook",
        "Slack webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows)/(?P<secret>T[A-Z0-9]{6,12}/"
        r"[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32})",
        Severity.HIGH,
    ),
    _pattern(
        "discord-webhook",
        "Discord webhook URL",
        r"https://(?:canary\.|ptb\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/"
        r"(?P<secret>[A-Za-z0-9_-]{60,80})",
        Severity.HIGH,
    ),
    _pattern(
        "stripe-live-key",
        "Stripe live secret key",
        r"(?<![A-Za-z0-9])(?:sk|rk)_live_[A-Za-z0-9]{16,247}",
        Severity.CRITICAL,
    ),
    _pattern(
        "google-api-key", "Google API key", rf"{_B}AIza[0-9A-Za-z_-]{{35}}{_E}", Severity.HIGH
    ),
    _pattern(
        "anthropic-api-key",
        "Anthropic API key",
        rf"{_B}sk-ant-[A-Za-z0-9_-]{{20,250}}",
        Severity.CRITICAL,
    ),
    _pattern(
        "openai-api-key",
        "OpenAI API key",
        rf"{_B}sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{{20,250}}",
        Severity.CRITICAL,
        mixed=True,  # keeps CSS classes and slugs like "sk-some-long-name" out
    ),
    _pattern("npm-token", "npm access token", rf"{_B}npm_[A-Za-z0-9]{{36}}{_E}", Severity.CRITICAL),
    _pattern(
        "pypi-token",
        "PyPI upload token",
        rf"{_B}pypi-AgE[A-Za-z0-9_-]{{50,400}}{_E}",
        Severity.CRITICAL,
    ),
    _pattern(
        "sendgrid-api-key",
        "SendGrid API key",
        rf"{_B}SG\.[A-Za-z0-9_-]{{22}}\.[A-Za-z0-9_-]{{43}}{_E}",
        Severity.CRITICAL,
    ),
    _pattern(
        "twilio-api-key",
        "Twilio API key",
        r"(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![0-9a-zA-Z])",
        Severity.HIGH,
    ),
    _pattern(
        "azure-storage-key",
        "Azure storage account key",
        r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)",
        Severity.CRITICAL,
    ),
    _pattern(
        "mailgun-api-key",
        "Mailgun API key",
        r"(?<![A-Za-z0-9])key-[0-9a-f]{32}(?![0-9a-z])",
        Severity.HIGH,
    ),
    _pattern(
        "mailchimp-api-key",
        "Mailchimp API key",
        r"(?<![A-Za-z0-9])[0-9a-f]{32}-us[0-9]{1,2}(?![0-9a-z])",
        Severity.HIGH,
    ),
    _pattern(
        "square-token",
        "Square access token",
        rf"{_B}sq0(?:atp|csp)-[0-9A-Za-z_-]{{22,43}}{_E}",
        Severity.CRITICAL,
    ),
    _pattern(
        "shopify-token",
        "Shopify access token",
        r"(?<![A-Za-z0-9])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])",
        Severity.CRITICAL,
    ),
    _pattern(
        "digitalocean-token",
        "DigitalOcean token",
        r"(?<![A-Za-z0-9])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])",
        Severity.CRITICAL,
    ),
    _pattern(
        "huggingface-token",
        "Hugging Face token",
        r"(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])",
        Severity.HIGH,
        mixed=True,
    ),
    _pattern(
        "databricks-token",
        "Databricks token",
        r"(?<![A-Za-z0-9])dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])",
        Severity.HIGH,
    ),
    _pattern(
        "telegram-bot-token",
        "Telegram bot token",
        r"(?<![0-9])[0-9]{8,10}:AA[0-9A-Za-z_-]{33}(?![0-9A-Za-z_-])",
        Severity.HIGH,
    ),
    _pattern(
        "age-secret-key", "age secret key", r"AGE-SECRET-KEY-1[0-9A-Z]{58}", Severity.CRITICAL
    ),
    _pattern(
        "jwt",
        "JSON Web Token",
        rf"{_B}eyJ[A-Za-z0-9_-]{{8,4096}}\.eyJ[A-Za-z0-9_-]{{8,8192}}\.[A-Za-z0-9_-]{{0,4096}}",
        Severity.HIGH,
    ),
    _pattern(
        "url-credentials",
        "password in a URL",
        # scheme://user:password@host — the password is what is redacted.
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@'\"`<>]{1,100}:"
        r"(?P<secret>[^\s:/@'\"`<>]{3,200})@[A-Za-z0-9\[]",
        Severity.HIGH,
    ),
    _pattern(
        "basic-auth-header",
        "HTTP Basic credentials",
        r"(?i:authorization)[\"']?\s{0,4}[:=,]\s{0,4}[\"']?(?i:basic)\s{1,4}"
        r"(?P<secret>[A-Za-z0-9+/]{12,400}={0,2})(?![A-Za-z0-9+/=])",
        Severity.HIGH,
    ),
    _pattern(
        "generic-secret",
        "hard-coded secret",
        # Starts at the name's keyword (whatever precedes it in the identifier): scanning for a
        # keyword is far cheaper than trying every identifier start.
        rf"{_GENERIC_NAME}[\w.-]{{0,40}}[\"']?\s{{0,4}}"
        r"(?::=|=>|==?|:)\s{0,4}[rbu]{0,2}(?P<q>[\"'`])(?P<secret>[^\"'`\s\\]{16,512})(?P=q)",
        Severity.HIGH,
        entropy=3.5,
        mixed=True,
        lowered=True,
    ),
    _pattern(
        "generic-secret",
        "hard-coded secret",
        # .env style: NAME=value, unquoted, last on its line. The name starts the line or
        # follows a blank or a diff marker: a rendered hunk ("+   12   API_KEY=...") too.
        r"(?m)(?<![^\s+-])(?:export[ \t]+)?[A-Z0-9_]{0,40}(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY"
        r"|ACCESS_?KEY|PRIVATE_?KEY)S?[A-Z0-9_]{0,40}=(?P<secret>[^\s\"'#$]{16,512})[ \t]*$",
        Severity.HIGH,
        entropy=3.5,
        mixed=True,
    ),
)
