"""The Redis :class:`~.outbox.Outbox`, filled by the live state's scripts (``outbox.lua``).

Keys of room ``R`` carry its hash tag: ``<prefix>outbox:{R}`` (a sorted set of entry JSON
scored by ``n``) and beside it ``:n`` (the counter), ``:cursors``, ``:lease`` and
``:dropped``; ``<prefix>outboxes`` is the set of rooms with entries. The outbox is outside
``<prefix>room:{R}:`` so it outlives the room's live state.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from signaling.webhooks.events import Entry, decode_entry

_ADVANCE = """
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
"""
_TRIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
end
"""
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
"""


def outbox_key(prefix: str, room: str) -> str:
    return f"{prefix}outbox:{{{room}}}"


def outboxes_key(prefix: str) -> str:
    return f"{prefix}outboxes"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisOutbox:
    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._index = outboxes_key(prefix)
        self._advance = client.register_script(_ADVANCE)
        self._trim = client.register_script(_TRIM)
        self._lease = client.register_script(_LEASE)
        self._release = client.register_script(_RELEASE)

    def _key(self, room: str, name: str = "") -> str:
        return outbox_key(self._prefix, room) + (f":{name}" if name else "")

    async def rooms(self) -> list[str]:
        return [_text(room) for room in await self._redis.smembers(self._index)]

    async def entries(self, room: str, limit: int) -> list[Entry]:
        raw: Any = await self._redis.zrange(self._key(room), 0, limit - 1)
        return [decode_entry(item) for item in raw]

    async def cursors(self, room: str) -> dict[str, int]:
        found: Any = await self._redis.hgetall(self._key(room, "cursors"))
        return {_text(consumer): int(n) for consumer, n in found.items()}

    async def advance(self, room: str, consumer: str, n: int) -> None:
        await self._advance(keys=[self._key(room, "cursors")], args=[consumer, n])

    async def trim(self, room: str, through: int) -> None:
        await self._trim(
            keys=[self._key(room), self._key(room, "cursors"), self._index], args=[through, room]
        )

    async def lease(self, room: str, holder: str, ttl: float) -> bool:
        taken = await self._lease(keys=[self._key(room, "lease")], args=[holder, int(ttl * 1000)])
        return bool(taken)

    async def release(self, room: str, holder: str) -> None:
        await self._release(keys=[self._key(room, "lease")], args=[holder])

    async def take_dropped(self, room: str) -> int:
        return int(await self._redis.getdel(self._key(room, "dropped")) or 0)
