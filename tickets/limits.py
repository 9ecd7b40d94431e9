"""REST rate limits: a token bucket per route group and client address, and one per route
group and bearer subject; a request takes a token from each of its buckets or is refused
with 429 ``too_many_requests`` before anything is done.

:class:`Limits` is what the routes use (:meth:`tickets.access.Api.within_limit`); with Redis
configured every node and worker shares the buckets
(:class:`tickets.limits_redis.RedisBuckets`), embedded :class:`MemoryBuckets` holds them in
the process. The guessing throttles (passwords, PINs, invite codes) are
:mod:`tickets.throttle`'s, counted on top of these.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time
from collections.abc import Mapping, Sequence
from typing import Protocol

from signaling.config import Settings
from signaling.errors import TOO_MANY_REQUESTS, Failure
from signaling.redis_client import Client
from tickets.bucket import SECOND, Rate
from tickets.limits_redis import RedisBuckets

SWEEP_AT = 10_000  # buckets a process holds before it drops the full ones

LIMITED = TOO_MANY_REQUESTS.saying("too many requests; try again after Retry-After seconds")


class Group(enum.Enum):
    """The routes that share one rate (``SIGNALING_REST_RATE_<GROUP>``)."""

    READ = "read"  # every GET (and HEAD)
    WRITE = "write"  # every other method that creates, changes or deletes a record
    START = "start"  # the calls that issue a ticket for ``/signaling``

    @property
    def setting(self) -> str:
        """The name of this group's setting (requests per second)."""
        return f"rest_rate_{self.value}"

    @property
    def failure(self) -> Failure:
        """What an endpoint of this group declares for its refusals."""
        return RATE_LIMITED[self]


_WHAT = {Group.READ: "GETs", Group.WRITE: "record writes", Group.START: "start calls"}
#: The 429 every limited endpoint can answer, per group.
RATE_LIMITED = {
    group: Failure(
        LIMITED,
        f"over the rate limit of {_WHAT[group]}, `SIGNALING_{group.setting.upper()}` (default "
        f"{getattr(Settings(), group.setting):g} a second) per client address and per bearer "
        "subject; nothing was done",
    )
    for group in Group
}


class Buckets(Protocol):
    """Token buckets by key, each of ``rate``. :meth:`take` is all or nothing: it takes one
    token from every bucket it names, or none (on Redis a token taken from an earlier key is
    given back at once, so a concurrent request may see it missing for that moment)."""

    async def take(self, rate: Rate, keys: Sequence[str]) -> int:
        """One token from each bucket of ``keys`` and 0, or nothing taken and the
        microseconds until the empty bucket has a token again."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """The rate of each limited group (a group without one is not limited) and the buckets."""

    rates: Mapping[Group, Rate]
    buckets: Buckets

    async def check(self, group: Group, address: str, subject: str | None) -> None:
        """Take a token for a request of ``group`` from ``address`` (and bearer ``subject``),
        or raise 429 with ``Retry-After`` (whole seconds, at least 1)."""
        rate = self.rates.get(group)
        if rate is None:
            return
        keys = [f"{group.value}:addr:{address}"]
        if subject is not None:
            keys.append(f"{group.value}:sub:{subject}")
        wait = await self.buckets.take(rate, keys)
        if wait > 0:
            raise LIMITED(headers={"Retry-After": str(max(1, math.ceil(wait / SECOND)))})


def build_limits(settings: Settings, redis: Client | None, prefix: str) -> Limits:
    """The limits of ``settings`` (a rate of 0 turns its group off), in this process
    (embedded) or shared through Redis."""
    rates = {
        group: Rate.per_second(rate)
        for group in Group
        if (rate := getattr(settings, group.setting)) > 0
    }
    buckets: Buckets = MemoryBuckets() if redis is None else RedisBuckets(redis, prefix)
    return Limits(rates, buckets)


class MemoryBuckets:
    """:class:`Buckets` of one process (all or nothing: no awaits)."""

    def __init__(self) -> None:
        self._full_at: dict[str, int] = {}
        self._sweep_at = SWEEP_AT

    async def take(self, rate: Rate, keys: Sequence[str]) -> int:
        now = time.monotonic_ns() // 1000
        if len(self._full_at) >= self._sweep_at:  # amortised: the next sweep waits longer
            self._full_at = {key: at for key, at in self._full_at.items() if at > now}
            self._sweep_at = max(SWEEP_AT, 2 * len(self._full_at))
        wait = max(rate.wait(self._full_at.get(key, now), now) for key in keys)
        if wait == 0:
            for key in keys:
                self._full_at[key] = rate.take(self._full_at.get(key, now), now)
        return wait
