import random

from consumer.retry import RetryPolicy


def test_delay_doubles_and_caps() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=5, jitter=False)
    assert [policy.delay(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def test_jitter_stays_within_the_capped_delay() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=5)
    rng = random.Random(42)
    for attempt in range(1, 8):
        cap = min(5, 2 ** (attempt - 1))
        assert all(0 <= policy.delay(attempt, rng) <= cap for _ in range(100))


def test_should_retry() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.should_retry(n) for n in (1, 2, 3)] == [True, True, False]
