import pytest

from api.ratelimit.window import SlidingWindowLimiter


class FakePipeline:
    def __init__(self, store: dict[str, dict[str, float]]) -> None:
        self._store = store
        self._ops: list[tuple] = []

    def zremrangebyscore(self, name, min, max):
        self._ops.append(("zrem", name, min, max))
        return self

    def zadd(self, name, mapping):
        self._ops.append(("zadd", name, mapping))
        return self

    def zcard(self, name):
        self._ops.append(("zcard", name))
        return self

    def expire(self, name, time):
        self._ops.append(("expire", name, time))
        return self

    def execute(self):
        out = []
        for op in self._ops:
            zset = self._store.setdefault(op[1], {})
            if op[0] == "zrem":
                for member in [m for m, s in zset.items() if op[2] <= s <= op[3]]:
                    del zset[member]
                out.append(0)
            elif op[0] == "zadd":
                zset.update(op[2])
                out.append(1)
            elif op[0] == "zcard":
                out.append(len(zset))
            else:
                out.append(True)
        return out


class FakeRedis:
    def __init__(self) -> None:
        self.store: dict[str, dict[str, float]] = {}

    def pipeline(self, transaction=True):
        return FakePipeline(self.store)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_up_to_the_limit_then_refuses() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(FakeRedis(), limit=3, window=10, clock=clock)
    decisions = [limiter.hit("1.2.3.4") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]


def test_window_slides() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(FakeRedis(), limit=1, window=10, clock=clock)
    assert limiter.hit("k").allowed
    clock.now += 10.5
    assert limiter.hit("k").allowed


def test_keys_are_independent() -> None:
    limiter = SlidingWindowLimiter(FakeRedis(), limit=1, window=10, clock=Clock())
    assert limiter.hit("a").allowed
    assert limiter.hit("b").allowed


@pytest.mark.parametrize(("limit", "window"), [(0, 10), (1, 0)])
def test_rejects_bad_configuration(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(FakeRedis(), limit=limit, window=window)
