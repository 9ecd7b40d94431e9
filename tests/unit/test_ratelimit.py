"""signaling.ratelimit: the token bucket and the flood rule, with hypothesis."""

from __future__ import annotations

from itertools import accumulate

from hypothesis import given
from hypothesis import strategies as st

from signaling.ratelimit import FLOOD_GAP, Take, TokenBucket

RATES = st.floats(0.5, 50.0)
BURSTS = st.integers(1, 40)
GAPS = st.lists(st.floats(0.0, 2.0), max_size=200)


def times(gaps: list[float]) -> list[float]:
    return list(accumulate(gaps, initial=100.0))


@given(RATES, BURSTS, GAPS)
def test_never_more_than_the_burst_plus_the_refill(
    rate: float, burst: int, gaps: list[float]
) -> None:
    bucket = TokenBucket(rate, burst, 1e9, now=100.0)
    taken = 0
    for now in times(gaps):
        taken += bucket.take(now) is Take.TAKEN
        assert taken <= burst + (now - 100.0) * rate + 1e-6


@given(RATES, BURSTS, st.lists(st.floats(0.0, 1.0), max_size=100))
def test_a_client_within_the_rate_is_never_dropped(
    rate: float, burst: int, slack: list[float]
) -> None:
    bucket = TokenBucket(rate, burst, 1.0, now=0.0)
    now = 0.0
    for extra in slack:
        now += 1.0 / rate + extra + 1e-9  # (float sums fall short of a whole token)
        assert bucket.take(now) is Take.TAKEN


@given(BURSTS, st.floats(0.1, 5.0), st.floats(0.01, FLOOD_GAP))
def test_drops_closer_than_the_gap_close_after_the_flood_seconds(
    burst: int, flood: float, gap: float
) -> None:
    bucket = TokenBucket(0.0001, burst, flood, now=0.0)
    for _ in range(burst):
        assert bucket.take(0.0) is Take.TAKEN
    first_drop, now = 0.0, 0.0
    while True:
        taken = bucket.take(now)
        if now - first_drop >= flood:
            assert taken is Take.FLOODING
            return
        assert taken is Take.DROPPED
        now += gap


@given(st.floats(0.5, 3.0))
def test_a_pause_longer_than_the_gap_ends_the_flood(flood: float) -> None:
    bucket = TokenBucket(0.0001, 1, flood, now=0.0)
    assert bucket.take(0.0) is Take.TAKEN

    def drops(start: float) -> float:
        """Drops every 0.1 s for 90% of the flood time; the time of the last one."""
        now = start
        while now < start + flood * 0.9:
            assert bucket.take(now) is Take.DROPPED
            now += 0.1
        return now - 0.1

    last = drops(0.0)
    drops(last + FLOOD_GAP + 0.01)  # the client slowed down: a new flood starts here
    assert bucket.take(last + FLOOD_GAP + 0.01 + flood) is not Take.TAKEN
