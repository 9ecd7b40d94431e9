"""The scheduled-room rules (signaling/schedule.py), proven without sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from signaling import schedule
from signaling.registry import MAX_DURATION, MIN_DURATION

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2029, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC)
)
limits = st.integers(0, 7 * 86_400)
durations = st.none() | st.integers(MIN_DURATION, MAX_DURATION)


def test_closes_at_by_case() -> None:
    assert schedule.closes_at(NOW, 0, None, None) is None
    assert schedule.closes_at(NOW, 0, NOW + timedelta(hours=5), None) is None
    assert schedule.closes_at(NOW, 3600, None, None) == NOW + timedelta(hours=1)
    assert schedule.closes_at(NOW, 0, None, 30) == NOW + timedelta(minutes=30)
    start = NOW - timedelta(minutes=10)
    assert schedule.closes_at(NOW, 0, start, 30) == NOW + timedelta(minutes=20)
    assert schedule.closes_at(NOW, 600, start, 30) == NOW + timedelta(minutes=10)  # tariff
    assert schedule.closes_at(NOW, 3600, start, 30) == NOW + timedelta(minutes=20)


@given(now=moments, limit=limits, starts_at=st.none() | moments, duration=durations)
def test_closes_at_is_the_earliest_cap(
    now: datetime, limit: int, starts_at: datetime | None, duration: int | None
) -> None:
    got = schedule.closes_at(now, limit, starts_at, duration)
    caps = []
    if limit:
        caps.append(now + timedelta(seconds=limit))
        assert got is not None and got <= now + timedelta(seconds=limit)
    if duration is not None:
        cap = (starts_at or now) + timedelta(minutes=duration)
        caps.append(cap)
        assert got is not None and got <= cap
    assert got == (min(caps) if caps else None)


@given(now=moments, starts_at=moments, early=st.integers(0, 86_400))
def test_too_early_exactly_before_the_window(
    now: datetime, starts_at: datetime, early: int
) -> None:
    opens = schedule.opens_at(starts_at, early)
    assert opens == starts_at - timedelta(seconds=early)
    assert schedule.too_early(now, starts_at, early) is (now < opens)


def test_too_early_at_the_edges() -> None:
    assert schedule.too_early(NOW, NOW + timedelta(seconds=601), 600)
    assert not schedule.too_early(NOW, NOW + timedelta(seconds=600), 600)
    assert not schedule.too_early(NOW, NOW, 0)
    assert not schedule.too_early(NOW, NOW - timedelta(days=1), 0)  # started long ago


@given(now=moments, starts_at=st.none() | moments, minutes=st.integers(1, 10_080))
def test_starts_within_the_window_only(
    now: datetime, starts_at: datetime | None, minutes: int
) -> None:
    inside = starts_at is not None and now <= starts_at <= now + timedelta(minutes=minutes)
    assert schedule.starts_within(now, starts_at, minutes) is inside


def test_starts_within_at_the_edges() -> None:
    assert schedule.starts_within(NOW, NOW, 1)
    assert schedule.starts_within(NOW, NOW + timedelta(minutes=1), 1)
    assert not schedule.starts_within(NOW, NOW + timedelta(minutes=1, microseconds=1), 1)
    assert not schedule.starts_within(NOW, NOW - timedelta(microseconds=1), 1)
    assert not schedule.starts_within(NOW, None, 10_080)
