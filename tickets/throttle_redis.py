"""Redis :class:`~tickets.throttle.Throttle`: one sorted set of attempt times per key, read
and written by one script per call, timed by the Redis server's clock (nodes may disagree)."""

from __future__ import annotations

from typing import Any

from signaling.redis_client import Client

# KEYS: the attempts of one (scope, subject) (sorted set: attempt id -> time in ms)
# ARGV: attempt id, window (ms), attempts allowed
# Returns -1 (counted) or the milliseconds until the oldest attempt leaves the window.
_ATTEMPT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ms, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], window)
  return -1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - ms
"""


class RedisThrottle:
    def __init__(
        self, client: Client, prefix: str, attempts: int, window: float, name: str
    ) -> None:
        self._redis = client
        self._prefix = f"{prefix}throttle:{name}:"
        self._attempts = attempts
        self._window_ms = max(1, round(window * 1000))
        self._attempt: Any = client.register_script(_ATTEMPT)

    def _key(self, scope: str, subject: str) -> str:
        return f"{self._prefix}{scope}:{subject}"

    async def attempt(self, scope: str, subject: str, attempt_id: str) -> int | None:
        args = [attempt_id, self._window_ms, self._attempts]
        wait = int(await self._attempt(keys=[self._key(scope, subject)], args=args))
        return None if wait < 0 else max(1, -(-wait // 1000))

    async def forgive(self, scope: str, subject: str, attempt_id: str) -> None:
        await self._redis.zrem(self._key(scope, subject), attempt_id)
