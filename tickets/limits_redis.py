"""Redis :class:`~tickets.limits.Buckets`: one string per bucket (the microsecond it is full
again, :mod:`tickets.bucket`'s rule), timed by the Redis server's clock so nodes agree, and
expiring when the bucket is full again.

A request's buckets (its address's, its subject's) are taken one script per key, in the
order given, and a refusal gives back what the earlier keys gave. One script over both keys
would need them on one Redis Cluster slot, i.e. a hash tag shared by every bucket of a group:
all REST rate limiting of a cluster on one master. Per key they spread over the cluster like
the other records; the price is a round trip per key and, for a refused subject, a token of
the address missing for the moment until it is given back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from signaling.redis_client import Client
from tickets.bucket import Rate

# KEYS: one bucket (string: the microsecond it is full again; absent: full)
# ARGV: microseconds per token, burst
# Returns 0 (a token taken) or the microseconds until the bucket has one (nothing taken).
_TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local from = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local wait = from + interval - now - tonumber(ARGV[2]) * interval
if wait > 0 then
  return wait
end
local full_at = from + interval
redis.call('SET', KEYS[1], string.format('%d', full_at), 'PX', math.ceil((full_at - now) / 1000))
return 0
"""

# KEYS: one bucket, as above
# ARGV: microseconds per token
# Gives back a token taken earlier (a bucket that is full by then is deleted). Returns 0.
_GIVE_BACK = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local full_at = tonumber(redis.call('GET', KEYS[1]))
if full_at == nil then
  return 0
end
full_at = full_at - tonumber(ARGV[1])
if full_at <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%d', full_at), 'PX', math.ceil((full_at - now) / 1000))
end
return 0
"""


class RedisBuckets:
    def __init__(self, client: Client, prefix: str) -> None:
        self._prefix = f"{prefix}rate:"
        self._take: Any = client.register_script(_TAKE)
        self._give_back: Any = client.register_script(_GIVE_BACK)

    async def take(self, rate: Rate, keys: Sequence[str]) -> int:
        names = [self._prefix + key for key in keys]
        for index, name in enumerate(names):
            wait = int(await self._take(keys=[name], args=[rate.interval, rate.burst]))
            if wait > 0:
                for taken in names[:index]:
                    await self._give_back(keys=[taken], args=[rate.interval])
                return wait
        return 0
