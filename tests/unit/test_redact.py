"""Secret patterns (each kind, positive and negative) and redaction that keeps line structure.

Sample secrets are assembled at run time so this file holds no secret-shaped literal.
"""

from __future__ import annotations

import pytest

from reviewers.redact import Redaction, redact
from reviewers.secrets import find_secrets, is_placeholder, shannon_entropy

AWS_ID = "AKIA" + "Z7QWERTYUIOPASDF"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzzKEYabc12"
GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0123456789_" + "abcdefghijklmnopqrstuvwxyz" * 2 + "0123456"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GOOGLE = "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
ANTHROPIC = "sk-ant-" + "api03-AbCdEf123456_GhIjKl789012-MnOpQr"
OPENAI = "sk-" + "proj-AbCdEf123456GhIjKl789012MnOpQr"
JWT = (
    "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PASSWORD = "k9#Tq2$wLx8!vRz5mP"
NPM = "npm_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
PYPI = "pypi-" + "AgEIcHlwaS5vcmcCJGQ5ZjBjZTJlLWFiY2QtNGVmMC05YjZkLTJhNzg5ZDQ3YzBhZQACKlsz"
SENDGRID = "SG." + "aB3dE5fG7hJ9kL1mN3pQ5r" + "." + "sT7uV9wX1yZ3aB5cD7eF9gH1iJ3kL5mN7oP9qR2sT4u"
TWILIO = "SK" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
AZURE = ("Zx9Kq2Lm4Np6Qr8St0Uv1Wx3Yz5Ab7Cd9Ef2Gh4Ij6Kl8Mn0Op1Qr3St5Uv7Wx9Yz2Ab4Cd6Ef8Gh0" * 2)[
    :86
] + "=="  # an account key is 64 bytes: 86 base64 characters and "=="
URL_PASSWORD = "S3cr3tPassw0rd9"
GITLAB = "glpat-" + "Ab3dE5fG7hJ9kL1mN3pQ"
SLACK_HOOK = "T0A1B2C3D/B0F1E2D3C/" + "Qx7Lm2Np9Rs4Tv6Wy8Za1Bc3"
KEY_BODY = ["MIIEowIBAAKCAQEAabcdefghijklmnopqrstuvwx", "qrstuvwxyz0123456789abcdefghABCDEFGH=="]
PRIVATE_KEY = "\n".join(
    ["-----BEGIN RSA " + "PRIVATE KEY-----", *KEY_BODY, "-----END RSA " + "PRIVATE KEY-----"]
)

POSITIVE = [
    ("aws-access-key-id", f'key_id = "{AWS_ID}"', AWS_ID),
    ("aws-secret-access-key", f'aws_secret_access_key = "{AWS_SECRET}"', AWS_SECRET),
    ("aws-secret-access-key", f"AWS_SECRET_KEY: {AWS_SECRET}", AWS_SECRET),
    ("github-token", f"token: {GITHUB}", GITHUB),
    ("github-token", f"export GH={GITHUB_PAT}", GITHUB_PAT),
    ("slack-token", f"SLACK = '{SLACK}'", SLACK),
    ("stripe-live-key", f"stripe.api_key = '{STRIPE}'", STRIPE),
    ("google-api-key", f"maps({GOOGLE})", GOOGLE),
    ("anthropic-api-key", f"client = Anthropic(api_key='{ANTHROPIC}')", ANTHROPIC),
    ("openai-api-key", f"OpenAI(api_key='{OPENAI}')", OPENAI),
    ("jwt", f"Authorization: Bearer {JWT}", JWT),
    ("private-key", f'KEY = """{PRIVATE_KEY}"""', PRIVATE_KEY),
    ("generic-secret", f'DB_PASSWORD = "{PASSWORD}"', PASSWORD),
    ("generic-secret", f'{{"password": "{PASSWORD}"}}', PASSWORD),
    ("generic-secret", f"client_secret: '{PASSWORD}'", PASSWORD),
    ("generic-secret", f'const secretKey = "{PASSWORD}";', PASSWORD),
    ("generic-secret", f'if Password == "{PASSWORD}":', PASSWORD),
    ("generic-secret", "API_KEY=k9Tq2wLx8vRz5mPa7", "k9Tq2wLx8vRz5mPa7"),
    ("npm-token", f"//registry.npmjs.org/:_authToken={NPM}", NPM),
    ("pypi-token", f"password = {PYPI}", PYPI),
    ("sendgrid-api-key", f"sg = SendGridAPIClient('{SENDGRID}')", SENDGRID),
    ("twilio-api-key", f"TWILIO_KEY_SID = '{TWILIO}'", TWILIO),
    ("azure-storage-key", f"DefaultEndpointsProtocol=https;AccountKey={AZURE};", AZURE),
    (
        "url-credentials",
        f"DB = 'postgres://admin:{URL_PASSWORD}@db.internal:5432/app'",
        URL_PASSWORD,
    ),
    ("url-credentials", "u = 'https://user:pa55w0rdXYZ@api.internal/v1'", "pa55w0rdXYZ"),
    ("gitlab-token", f"token: {GITLAB}", GITLAB),
    ("slack-webhook", f"hook = 'https://hooks.slack.com/services/{SLACK_HOOK}'", SLACK_HOOK),
]


@pytest.mark.parametrize(("kind", "text", "secret"), POSITIVE)
def test_each_kind_is_found(kind: str, text: str, secret: str) -> None:
    [match] = find_secrets(text)
    assert (match.kind, text[match.start : match.end]) == (kind, secret)


@pytest.mark.parametrize(("kind", "text", "secret"), POSITIVE)
def test_redaction_removes_the_secret(kind: str, text: str, secret: str) -> None:
    result = redact(text)
    assert result.count == 1
    assert result.kinds == (kind,)
    assert secret not in result.text
    for part in secret.split("\n"):
        assert part not in result.text
    assert f"[REDACTED:{kind}]" in result.text
    assert result.text.count("\n") == text.count("\n")


NEGATIVE = [
    ("placeholder word", 'password = "changeme-changeme-123"'),
    ("template", 'token = "${GITHUB_TOKEN_FROM_ENV}"'),
    ("angle placeholder", 'api_key = "<your-api-key-goes-here>"'),
    ("x placeholder", "SLACK = 'xoxb-xxxxxxxxxxxx-xxxxxxxxxxxx'"),
    ("env lookup", 'token = os.environ["GITHUB_TOKEN_VALUE_X"]'),
    ("getenv default", 'password = os.getenv("DB_PASSWORD_FOR_PRODUCTION")'),
    ("tokenizer is not a token", 'tokenizer_name = "bert-base-uncased-AbC123x"'),
    ("secretary is not a secret", 'secretary = "Jane-Doe-2024-Office-B"'),
    ("low entropy", 'secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1"'),
    ("short value", 'password = "Xy9!short"'),
    ("prose value", 'password_help = "Enter the password you chose earlier"'),
    ("css class not a key", 'cls = "sk-some-long-class-name-here"'),
    ("aws doc example", 'key = "AKIA' + 'IOSFODNN7EXAMPLE"'),
    ("a hash is not a secret", 'sha = "3f786850e387550fdab836ed7e6dc881de23001b"'),
    ("already redacted", 'password = "[REDACTED:generic-secret]"'),
    ("url without password", "see https://user@example.org/path"),
    ("url with template password", "postgres://admin:${DB_PASSWORD}@db/app"),
]


@pytest.mark.parametrize(("name", "text"), NEGATIVE, ids=[n for n, _ in NEGATIVE])
def test_negatives_are_left_alone(name: str, text: str) -> None:
    assert find_secrets(text) == []
    assert redact(text) == Redaction(text, 0, ())


def test_private_key_keeps_line_count_and_neighbours() -> None:
    text = f"before\nkey = '''{PRIVATE_KEY}'''\nafter\n"
    result = redact(text)
    assert result.text == (
        "before\nkey = '''[REDACTED:private-key]\n[REDACTED:private-key]\n"
        "[REDACTED:private-key]\n[REDACTED:private-key]'''\nafter\n"
    )
    assert result.text.splitlines()[0] == "before"


def test_private_key_without_end_line_redacts_its_body() -> None:
    text = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + "\n".join(KEY_BODY) + "\nnext = 1"
    result = redact(text)
    assert result.text == "\n".join(["[REDACTED:private-key]"] * 3) + "\nnext = 1"


def test_several_secrets_are_counted_and_kinds_sorted() -> None:
    text = f"a = '{GITHUB}'\nb = '{AWS_ID}'\nc = '{GITHUB}'\n"
    result = redact(text)
    assert result.count == 3
    assert result.kinds == ("aws-access-key-id", "github-token")
    assert result.text.count("\n") == 3


def test_specific_kind_wins_over_generic() -> None:
    [match] = find_secrets(f'github_token = "{GITHUB}"')
    assert match.kind == "github-token"


def test_redaction_is_idempotent() -> None:
    once = redact("\n".join(text for _, text, _ in POSITIVE))
    assert once.count == len(POSITIVE)
    assert redact(once.text) == Redaction(once.text, 0, ())


def test_no_secret_no_change() -> None:
    text = "def f(x):\n    return x + 1\n"
    assert redact(text) == Redaction(text, 0, ())


@pytest.mark.parametrize(
    ("value", "bits"), [("", 0.0), ("aaaa", 0.0), ("abab", 1.0), ("abcd", 2.0)]
)
def test_shannon_entropy(value: str, bits: float) -> None:
    assert shannon_entropy(value) == pytest.approx(bits)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("changeme", True), ("${X}", True), ("<token>", True), ("xxxx", True), ("k9Tq2wLx8v", False)],
)
def test_is_placeholder(value: str, expected: bool) -> None:
    assert is_placeholder(value) is expected


def test_long_unbroken_input_is_scanned_without_backtracking_blowup() -> None:
    # Correctness only (no timing): a long identifier full of keyword fragments and a BEGIN
    # line without an END line must still produce the right answer.
    text = "x" + "token" * 2000 + ' = "v"\n' + "-----BEGIN EC " + "PRIVATE KEY-----\n" + "a" * 5000
    kinds = [m.kind for m in find_secrets(text)]
    assert kinds == ["private-key"]


FAKES = [
    ("sequential", 'client = OpenAI(api_key="sk-' + 'abc12345-very-long-api-key")'),
    ("test word on the line", f'FAKE_TOKEN = "{GITHUB}"'),
    ("asserted on", f'token = "{GITHUB}"\nassert parse(header) == "{GITHUB}"'),
    ("dummy in the url", "url = 'postgres://dummy:Pa55w0rdQ@localhost/test'"),
]


@pytest.mark.parametrize(("name", "text"), FAKES, ids=[n for n, _ in FAKES])
def test_fake_looking_values_are_marked_but_still_redacted(name: str, text: str) -> None:
    matches = find_secrets(text)
    assert matches and all(m.fake for m in matches)
    assert redact(text).count == len(matches)


def test_a_real_looking_value_is_not_marked_fake() -> None:
    [match] = find_secrets(f'token = "{GITHUB}"')
    assert not match.fake


def test_a_prompt_leaves_without_any_of_the_secrets() -> None:
    """Every kind in one text, as a hunk would carry them into a prompt."""
    text = "\n".join(line for _, line, _ in POSITIVE)
    result = redact(text)
    for _, _, secret in POSITIVE:
        for part in secret.split("\n"):
            assert part not in result.text


def test_many_begin_lines_are_scanned_once_each() -> None:
    # Correctness of the linear scan: a run of BEGIN lines without END lines, then one key
    # whose END is far away (beyond the look-ahead bound), then a real key.
    begin = "-----BEGIN RSA " + "PRIVATE KEY-----"
    text = "\n".join([begin] * 3000) + "\n" + PRIVATE_KEY
    matches = find_secrets(text)
    assert matches[0].start == 0 and matches[-1].end == len(text)
    assert all(text.startswith(begin, m.start) for m in matches)
    assert "BEGIN" not in redact(text).text
    far = begin + "\n" + "x = 1\n" * 4000 + "-----END RSA " + "PRIVATE KEY-----"
    [near] = find_secrets(far)
    assert far[near.start : near.end] == begin
