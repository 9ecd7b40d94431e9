"""tickets.bucket: the REST rate limits' bucket, one number of state, decides exactly as a
bucket that counts its tokens (in exact fractions), with hypothesis."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import accumulate

from hypothesis import given
from hypothesis import strategies as st

from tickets.bucket import SECOND, Rate

RATES = st.builds(Rate, interval=st.integers(1, 5 * SECOND), burst=st.integers(1, 50))
GAPS = st.lists(st.integers(0, 3 * SECOND), max_size=150)
START = 10**15  # microseconds: about where a real clock is


class Counted:
    """The textbook bucket: ``burst`` tokens, refilled continuously, one taken per request."""

    def __init__(self, rate: Rate, now: int) -> None:
        self.rate = rate
        self.tokens = Fraction(rate.burst)
        self.at = now

    def take(self, now: int) -> int:
        """0 when a token was taken, else the microseconds until one is back."""
        refill = Fraction(now - self.at, self.rate.interval)
        self.tokens = min(Fraction(self.rate.burst), self.tokens + refill)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return math.ceil((1 - self.tokens) * self.rate.interval)


@given(RATES, GAPS)
def test_it_decides_and_waits_as_a_counted_bucket(rate: Rate, gaps: list[int]) -> None:
    counted = Counted(rate, START)
    full_at = 0  # never used: full
    for now in accumulate(gaps, initial=START):
        wait = rate.wait(full_at, now)
        assert wait == counted.take(now)
        if wait == 0:
            full_at = rate.take(full_at, now)


@given(RATES, st.integers(0, 10 * SECOND))
def test_after_the_wait_there_is_a_token_and_not_before(rate: Rate, late: int) -> None:
    now, full_at = START, 0
    while (wait := rate.wait(full_at, now)) == 0:
        full_at = rate.take(full_at, now)
    assert wait == rate.interval  # emptied at once: one interval until the next token
    assert rate.wait(full_at, now + wait - 1) > 0
    assert rate.wait(full_at, now + wait + late) == 0


@given(RATES)
def test_a_fresh_bucket_gives_its_burst_at_once(rate: Rate) -> None:
    full_at, taken = 0, 0
    while rate.wait(full_at, START) == 0:
        full_at = rate.take(full_at, START)
        taken += 1
    assert taken == rate.burst
    assert full_at == START + rate.burst * rate.interval  # full again when it expires


@given(st.floats(0.01, 1_000_000))
def test_per_second_bursts_twice_the_rate(per_second: float) -> None:
    rate = Rate.per_second(per_second)
    assert rate.burst == max(1, int(2 * per_second))
    assert abs(rate.interval - SECOND / per_second) <= 0.5
