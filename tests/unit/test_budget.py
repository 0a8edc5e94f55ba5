"""Token estimates are conservative; packing respects the limit; big hunks are split."""

from reviewers.budget import Work, estimate_tokens, pack, split_hunk
from reviewers.models import Route
from tests.unit.build import file_diff, hunk


def test_estimate_is_above_chars_over_four() -> None:
    text = "def handler(request):\n    return request.json()\n" * 20
    assert estimate_tokens(text) > len(text) / 4


def work(tokens: int, name: str = "a.py") -> Work:
    h = hunk(name, 1, 1, "+x = 1")
    return Work(file_diff(name, h), h, Route.FRONTIER, "x", tokens, f"k{tokens}")


def test_pack_keeps_every_batch_under_the_limit_unless_alone() -> None:
    batches = pack([work(40), work(50), work(30), work(200), work(10)], max_tokens=100)
    assert [[w.tokens for w in b.items] for b in batches] == [[40, 50], [30], [200], [10]]
    # The oversized item travels alone rather than being cut silently.
    assert all(b.tokens <= 100 or len(b.items) == 1 for b in batches)


def test_split_hunk_keeps_true_line_numbers() -> None:
    lines = [" ctx0"] + [f"+add{i}" for i in range(5)] + ["-gone", " ctx1"]
    big = hunk("a.py", 10, 10, *lines)
    parts = split_hunk(big, max_lines=3)
    assert len(parts) == 3
    flattened = [ln for part in parts for ln in part.lines]
    assert flattened == list(big.lines)
    assert [p.new_start for p in parts] == [10, 13, 16]
    assert parts[2].old_start == 11 and parts[2].old_len == 2
    for part in parts:
        new_numbers = [ln.new_no for ln in part.lines if ln.new_no is not None]
        assert new_numbers == list(range(part.new_start, part.new_start + part.new_len))


def test_small_hunk_is_not_split() -> None:
    h = hunk("a.py", 1, 1, "+x")
    assert split_hunk(h, 10) == (h,)
