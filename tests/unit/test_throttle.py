"""tickets.throttle.SlidingWindow: failures per (room, client) in a sliding window."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

import tickets.throttle as throttle_module
from tickets.throttle import SlidingWindow


def test_fresh_client_may_try() -> None:
    assert SlidingWindow(5, 60.0).retry_after("room", "1.2.3.4") is None


def test_five_failures_then_retry_after() -> None:
    throttle = SlidingWindow(5, 60.0)
    for _ in range(4):
        throttle.failed("room", "1.2.3.4")
        assert throttle.retry_after("room", "1.2.3.4") is None
    throttle.failed("room", "1.2.3.4")
    retry = throttle.retry_after("room", "1.2.3.4")
    assert retry is not None
    assert 59 <= retry <= 60
    assert isinstance(retry, int)


def test_keys_are_per_room_and_client() -> None:
    throttle = SlidingWindow(5, 60.0)
    for _ in range(5):
        throttle.failed("room", "1.2.3.4")
    assert throttle.retry_after("room", "1.2.3.4") is not None
    assert throttle.retry_after("room", "5.6.7.8") is None
    assert throttle.retry_after("other-room", "1.2.3.4") is None


def test_retry_after_counts_down_to_the_oldest_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(throttle_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    throttle = SlidingWindow(3, 60.0)
    for step in range(3):
        now[0] = 1000.0 + step * 10
        throttle.failed("room", "c")
    now[0] = 1035.0
    assert throttle.retry_after("room", "c") == 25  # the first failure leaves at 1060
    now[0] = 1059.5
    assert throttle.retry_after("room", "c") == 1  # never 0 while refused
    now[0] = 1060.0
    assert throttle.retry_after("room", "c") is None  # oldest failure left the window
    now[0] = 1070.0  # the failures of 1000 and 1010 have left, 1020 is still in
    throttle.failed("room", "c")
    assert throttle.retry_after("room", "c") is None  # two failures in the window
    now[0] = 1075.0
    throttle.failed("room", "c")  # three again
    assert throttle.retry_after("room", "c") == 5  # the one of 1020 leaves at 1080


def test_window_expiry() -> None:
    throttle = SlidingWindow(5, 0.05)
    for _ in range(5):
        throttle.failed("room", "c")
    assert throttle.retry_after("room", "c") == 1
    time.sleep(0.08)
    assert throttle.retry_after("room", "c") is None
    throttle.failed("room", "c")  # the old failures no longer count
    assert throttle.retry_after("room", "c") is None
