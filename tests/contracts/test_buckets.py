"""The Buckets contract of the REST rate limits (tickets/limits.py), run against every
backend; and the Redis buckets' keys expire when the bucket is full again."""

from __future__ import annotations

import asyncio
import uuid

from tests.contracts.conftest import _redis_backend
from tickets.bucket import SECOND, Rate
from tickets.limits import Buckets
from tickets.limits_redis import RedisBuckets

RATE = Rate(interval=SECOND // 10, burst=5)  # 10 a second, bursts of 5
MARGIN = 0.02  # seconds: a sleep's and a round trip's slack


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def _empty(buckets: Buckets, key: str) -> int:
    """Take every token of ``key``; the wait its next request is told."""
    for _ in range(RATE.burst):
        assert await buckets.take(RATE, [key]) == 0
    wait = await buckets.take(RATE, [key])
    assert wait > 0
    return wait


async def test_a_full_bucket_gives_its_burst_then_the_wait(buckets: Buckets) -> None:
    wait = await _empty(buckets, _key())
    assert 0 < wait <= RATE.interval


async def test_after_the_wait_one_token_is_back(buckets: Buckets) -> None:
    key = _key()
    wait = await _empty(buckets, key)
    await asyncio.sleep(wait / SECOND + MARGIN)
    assert await buckets.take(RATE, [key]) == 0
    assert await buckets.take(RATE, [key]) > 0  # the next is an interval later


async def test_keys_are_independent(buckets: Buckets) -> None:
    await _empty(buckets, _key())
    assert await buckets.take(RATE, [_key()]) == 0


async def test_a_request_takes_from_every_bucket(buckets: Buckets) -> None:
    a, b = _key(), _key()
    for _ in range(RATE.burst):
        assert await buckets.take(RATE, [a, b]) == 0
    assert await buckets.take(RATE, [a]) > 0
    assert await buckets.take(RATE, [b]) > 0


async def test_a_refused_request_takes_from_no_bucket(buckets: Buckets) -> None:
    full, empty = _key(), _key()
    await _empty(buckets, empty)
    assert await buckets.take(RATE, [full, empty]) > 0  # the empty one second
    assert await buckets.take(RATE, [empty, full]) > 0  # and first
    await _empty(buckets, full)  # all its tokens are still there


async def test_a_redis_bucket_expires_when_it_is_full_again() -> None:
    async with _redis_backend(cluster=False) as backend:
        buckets = RedisBuckets(backend.client, backend.prefix)
        key = _key()
        await _empty(buckets, key)
        name = f"{backend.prefix}rate:{key}"
        ttl = await backend.client.pttl(name)
        assert RATE.burst * RATE.interval / 1000 - 50 < ttl <= RATE.burst * RATE.interval / 1000
        other = _key()
        assert await buckets.take(RATE, [other, key]) > 0  # its token given back: full
        assert await backend.client.exists(f"{backend.prefix}rate:{other}") == 0
        await asyncio.sleep(RATE.burst * RATE.interval / SECOND + MARGIN)
        assert await backend.client.exists(name) == 0
