"""The token bucket of the REST rate limits, pure and in whole microseconds (the Redis script
in :mod:`tickets.limits_redis` does the same arithmetic).

A bucket holds ``burst`` tokens and gets one back every ``interval``; its whole state is one
number, the time it is full again (``full_at``; a bucket nobody used, or one whose
``full_at`` has passed, is full). So a stored bucket can expire when it is full again, and
taking a token is moving ``full_at`` one interval later.
"""

from __future__ import annotations

import dataclasses

SECOND = 1_000_000  # microseconds


@dataclasses.dataclass(frozen=True)
class Rate:
    """``burst`` tokens, one back every ``interval`` microseconds."""

    interval: int
    burst: int

    @classmethod
    def per_second(cls, rate: float) -> Rate:
        """``rate`` tokens a second with a burst of twice that (at least one)."""
        return cls(interval=max(1, round(SECOND / rate)), burst=max(1, int(2 * rate)))

    def wait(self, full_at: int, now: int) -> int:
        """Microseconds from ``now`` until the bucket has a token (0: it has one now)."""
        return max(0, max(full_at, now) + self.interval - now - self.burst * self.interval)

    def take(self, full_at: int, now: int) -> int:
        """The bucket's ``full_at`` once a token is taken (check :meth:`wait` first)."""
        return max(full_at, now) + self.interval
