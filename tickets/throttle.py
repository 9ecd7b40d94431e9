"""Failed room-password attempts per (room, client address) in a sliding window (§17.16)."""

from __future__ import annotations

import math
import time
from collections import deque


class PasswordThrottle:
    """After ``attempts`` failures within ``window`` seconds, further attempts are refused
    (whether or not the password would be right, so guessing learns nothing) until the oldest
    failure leaves the window."""

    def __init__(self, attempts: int, window: float) -> None:
        self._attempts = attempts
        self._window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def retry_after(self, room: str, client: str) -> int | None:
        """Seconds until the next attempt is allowed, or None if it is allowed now."""
        now = time.monotonic()
        failures = self._recent((room, client), now)
        if len(failures) < self._attempts:
            return None
        return max(1, math.ceil(failures[0] + self._window - now))

    def failed(self, room: str, client: str) -> None:
        now = time.monotonic()
        key = (room, client)
        failures = self._recent(key, now)
        failures.append(now)
        self._failures[key] = failures
