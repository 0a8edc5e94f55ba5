import pytest

from blog.slugs import slugify


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello-world"),
        ("  spaces  everywhere ", "spaces-everywhere"),
        ("Crème brûlée", "creme-brulee"),
        ("already-a-slug", "already-a-slug"),
        ("---", ""),
        ("Ünïcödé and 123", "unicode-and-123"),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_truncates_without_trailing_dash() -> None:
    assert slugify("abc def", max_length=4) == "abc"


def test_slugify_empty() -> None:
    assert slugify("") == ""
