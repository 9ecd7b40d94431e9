"""The per-connection rate limit (reference §17.5), pure: a token bucket, and the flood that
closes a connection which keeps sending past it."""

from __future__ import annotations

import enum

FLOOD_GAP = 1.0  # drops closer together than this (seconds) are one flood


class Take(enum.Enum):
    """What becomes of one command."""

    TAKEN = "taken"  # it had a token: handle it
    DROPPED = "dropped"  # no token: drop it, tell the client ``rate_limit_exceeded``
    FLOODING = "flooding"  # no token for ``flood_seconds`` of drops: close with 1008


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second; every command takes one.

    A flood is a run of drops with less than :data:`FLOOD_GAP` between them; it ends when
    the client slows down, not when a refilled token lets one command through.
    """

    __slots__ = (
        "_burst",
        "_flood_seconds",
        "_flooding_since",
        "_last_drop",
        "_rate",
        "_refilled",
        "_tokens",
    )

    def __init__(self, rate: float, burst: int, flood_seconds: float, now: float) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._flood_seconds = flood_seconds
        self._tokens = float(burst)
        self._refilled = now
        self._flooding_since = 0.0
        self._last_drop: float | None = None

    def take(self, now: float) -> Take:
        """One command at monotonic time ``now`` (never earlier than the last call's)."""
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return Take.TAKEN
        if self._last_drop is None or now - self._last_drop > FLOOD_GAP:
            self._flooding_since = now
        self._last_drop = now
        if now - self._flooding_since >= self._flood_seconds:
            return Take.FLOODING
        return Take.DROPPED
