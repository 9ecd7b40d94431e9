"""The Redis :class:`~.outbox.Outbox`, filled by the live state's scripts (``outbox.lua``).

Keys of room ``R`` carry its hash tag: ``<prefix>outbox:{R}`` (a sorted set of entry JSON
scored by ``n``) and beside it ``:n`` (the counter), ``:cursors``, ``:lease`` and
``:dropped``. The outbox is outside ``<prefix>room:{R}:`` so it outlives the room's live
state. Every script touches the room's slot only.

``<prefix>outbox-hints`` lists the rooms that may have entries: a hint index like the live
state's room hints (:mod:`signaling.state.redis`), marked by the live state before and after
each script that emits, and dropped by :meth:`RedisOutbox.rooms` only for a room whose
outbox is gone and whose hint was not marked again meanwhile.
"""

from __future__ import annotations

from typing import Any

from signaling.redis_client import Client
from signaling.state.hints import UNMARK
from signaling.webhooks.events import Entry, decode_entry

_ADVANCE = """
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1') < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
"""
_TRIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3])
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


def outbox_hints_key(prefix: str) -> str:
    return f"{prefix}outbox-hints"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisOutbox:
    def __init__(self, client: Client, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._hints = outbox_hints_key(prefix)
        self._unmark = client.register_script(UNMARK)
        self._advance = client.register_script(_ADVANCE)
        self._trim = client.register_script(_TRIM)
        self._lease = client.register_script(_LEASE)
        self._release = client.register_script(_RELEASE)

    def _key(self, room: str, name: str = "") -> str:
        return outbox_key(self._prefix, room) + (f":{name}" if name else "")

    async def rooms(self) -> list[str]:
        hints: list[Any] = await self._redis.zrange(self._hints, 0, -1, withscores=True)
        async with self._redis.pipeline(transaction=False) as pipe:
            for room, _ in hints:
                pipe.exists(self._key(_text(room)))
            found = await pipe.execute()
        rooms = []
        for (room, score), exists in zip(hints, found, strict=True):
            if exists:
                rooms.append(_text(room))
            else:  # no entries: drop the hint unless an emitting script marked it meanwhile
                await self._unmark(keys=[self._hints], args=[_text(room), repr(score)])
        return rooms

    async def entries(self, room: str, limit: int) -> list[Entry]:
        raw: Any = await self._redis.zrange(self._key(room), 0, limit - 1)
        return [decode_entry(item) for item in raw]

    async def cursors(self, room: str) -> dict[str, int]:
        found: Any = await self._redis.hgetall(self._key(room, "cursors"))
        return {_text(consumer): int(n) for consumer, n in found.items()}

    async def advance(self, room: str, consumer: str, n: int) -> None:
        await self._advance(keys=[self._key(room, "cursors")], args=[consumer, n])

    async def trim(self, room: str, through: int) -> None:
        keys = [self._key(room), self._key(room, "cursors"), self._key(room, "dropped")]
        await self._trim(keys=keys, args=[through])

    async def lease(self, room: str, holder: str, ttl: float) -> bool:
        taken = await self._lease(keys=[self._key(room, "lease")], args=[holder, int(ttl * 1000)])
        return bool(taken)

    async def release(self, room: str, holder: str) -> None:
        await self._release(keys=[self._key(room, "lease")], args=[holder])

    async def dropped_through(self, room: str) -> int:
        return int(await self._redis.get(self._key(room, "dropped")) or 0)
