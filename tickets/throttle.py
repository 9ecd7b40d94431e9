"""Failed guesses in a sliding window: room passwords per (room, client address) (§17.16),
SIP PINs per call-in id and per client, invite codes per client.

:class:`Throttle` is what the routes use; with Redis configured every node and worker shares
one (:class:`tickets.throttle_redis.RedisThrottle`), so a guesser gains nothing by spreading
attempts over them; embedded, :class:`MemoryThrottle` holds them in the process.
"""

from __future__ import annotations

import dataclasses
import math
import time
import uuid
from collections import deque
from typing import Protocol

from starlette.requests import Request

from signaling.config import Settings
from signaling.errors import TOO_MANY_REQUESTS, Failure
from signaling.redis_client import Client
from tickets.throttle_redis import RedisThrottle

SWEEP_AT = 10_000  # keys


class Throttle(Protocol):
    """Attempts per ``(scope, subject)``: at most ``attempts`` count within ``window`` seconds;
    past that, attempts are refused (right or wrong, so guessing learns nothing) until the
    oldest leaves the window. An attempt counts *before* it is checked, so concurrent guesses
    cannot slip through together; one that turned out right is forgiven. Each method is one
    atomic step on the shared backend."""

    async def attempt(self, scope: str, subject: str, attempt_id: str) -> int | None:
        """Count an attempt (``attempt_id`` unique) and return None, or count nothing and
        return the seconds (>= 1) until one is allowed again."""

    async def forgive(self, scope: str, subject: str, attempt_id: str) -> None:
        """Uncount an attempt that succeeded."""


@dataclasses.dataclass(frozen=True)
class Throttles:
    """The throttles of the REST side."""

    password: Throttle  # per (room, client address)
    pin: Throttle  # per call-in id
    guess: Throttle  # per client address: SIP PINs and invite codes


def client_address(request: Request) -> str:
    """The socket peer, or the ``X-Forwarded-For`` client when the peer is one of
    ``SIGNALING_TRUSTED_PROXIES`` (uvicorn rewrites the scope only then)."""
    return request.client.host if request.client else "unknown"


#: What a guess refused by the per-client throttle answers.
GUESSES = Failure(
    TOO_MANY_REQUESTS,
    "this client address sent `SIGNALING_GUESS_ATTEMPTS` (default 20) unknown invite codes and "
    "PINs within `SIGNALING_PASSWORD_WINDOW` (default 60 s), on any node; `Retry-After` says "
    "when to try again (the code is not looked up meanwhile)",
)


async def attempt(throttle: Throttle, scope: str, subject: str) -> str:
    """Count an attempt and return its id, or refuse it with 429."""
    attempt_id = uuid.uuid4().hex
    wait = await throttle.attempt(scope, subject, attempt_id)
    if wait is not None:
        raise TOO_MANY_REQUESTS(headers={"Retry-After": str(wait)})
    return attempt_id


def build_throttles(settings: Settings, redis: Client | None, prefix: str) -> Throttles:
    """Throttles in this process (embedded) or shared through Redis."""

    def make(name: str, attempts: int) -> Throttle:
        window = settings.password_window
        if redis is None:
            return MemoryThrottle(attempts, window)
        return RedisThrottle(redis, prefix, attempts, window, name)

    return Throttles(
        password=make("password", settings.password_attempts),
        pin=make("pin", settings.password_attempts),
        guess=make("guess", settings.guess_attempts),
    )


class MemoryThrottle:
    """A :class:`Throttle` of one process (atomic: no awaits)."""

    def __init__(self, attempts: int, window: float) -> None:
        self._window = SlidingWindow(attempts, window)

    async def attempt(self, scope: str, subject: str, attempt_id: str) -> int | None:
        wait = self._window.retry_after(scope, subject)
        if wait is None:
            self._window.failed(scope, subject, attempt_id)
        return wait

    async def forgive(self, scope: str, subject: str, attempt_id: str) -> None:
        self._window.forget(scope, subject, attempt_id)


class SlidingWindow:
    """The in-memory rule of :class:`Throttle` (synchronous): failure times per key."""

    def __init__(self, attempts: int, window: float) -> None:
        self._attempts = attempts
        self._window = window
        self._failures: dict[tuple[str, str], deque[tuple[float, str]]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> deque[tuple[float, str]]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0][0] <= now - self._window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def retry_after(self, scope: str, subject: str) -> int | None:
        """Seconds until the next attempt is allowed, or None if it is allowed now."""
        now = time.monotonic()
        failures = self._recent((scope, subject), now)
        if len(failures) < self._attempts:
            return None
        return max(1, math.ceil(failures[0][0] + self._window - now))

    def failed(self, scope: str, subject: str, attempt_id: str = "") -> None:
        now = time.monotonic()
        if len(self._failures) >= SWEEP_AT:  # many subjects: drop the expired ones
            for key in list(self._failures):
                self._recent(key, now)
        key = (scope, subject)
        failures = self._recent(key, now)
        failures.append((now, attempt_id))
        self._failures[key] = failures

    def forget(self, scope: str, subject: str, attempt_id: str) -> None:
        failures = self._failures.get((scope, subject), deque())
        for entry in failures:
            if entry[1] == attempt_id:
                failures.remove(entry)
                return
