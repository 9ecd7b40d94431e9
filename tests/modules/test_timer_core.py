"""The pure rules of the timer module (reference §12, supplement C.2): a countdown ends its
duration after the start unless that is past 9999-12-31T23:59:59Z; a stopwatch has no end;
stop and ready statuses apply only to the running timer (ready statuses only with the ready
check on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.timer.core import (
    LATEST,
    InvalidDuration,
    applies,
    deadline,
    is_valid,
    takes_ready_status,
)
from signaling.modules.timer.types import Start, Timer

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
LEFT = int((LATEST - NOW).total_seconds())


@given(st.one_of(st.integers(min_value=0, max_value=LEFT + 10), st.integers(min_value=0)))
def test_a_countdown_ends_after_its_duration_or_is_invalid(duration: int) -> None:
    command = Start(kind="countdown", duration=duration)
    assert is_valid(command)
    if duration > LEFT:
        with pytest.raises(InvalidDuration):
            deadline(command, NOW)
    else:
        assert deadline(command, NOW) == NOW + timedelta(seconds=duration)


@given(st.one_of(st.none(), st.integers(min_value=0)))
def test_a_stopwatch_never_ends_and_a_countdown_needs_a_duration(duration: int | None) -> None:
    assert deadline(Start(kind="stopwatch", duration=duration), NOW) is None
    assert is_valid(Start(kind="countdown", duration=duration)) is (duration is not None)


@given(st.sampled_from(["t1", "t2"]), st.booleans(), st.booleans())
def test_commands_apply_only_to_the_running_timer(
    timer_id: str, running: bool, ready_check: bool
) -> None:
    timer = Timer(timer_id="t1", started_at="x", kind="stopwatch", ready_check_enabled=ready_check)
    current = timer if running else None
    assert applies(current, timer_id) is (running and timer_id == "t1")
    assert takes_ready_status(current, timer_id) is (running and timer_id == "t1" and ready_check)
