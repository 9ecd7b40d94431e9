"""Redis :class:`~signaling.store.ExpiringStore`: every operation is one command or one script;
the ``*_all`` ones handle :data:`BATCH` keys per command (one script over all of them, or
``MGET``), so the background duties cost a few commands however many sessions a node has. On
a Redis Cluster the keys of a batch lie on many slots: there they go one command per key in
pipelines, and a batch's refresh scripts at once (a cluster pipeline refuses scripts)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from redis.asyncio.cluster import RedisCluster

from signaling.redis_client import Client

_REFRESH_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: the keys; ARGV: their expected values, then the TTL in ms. Returns 1/0 per key.
_REFRESH_ALL_IF = """
local ms, out = ARGV[#ARGV], {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('GET', key) == ARGV[i] and redis.call('PEXPIRE', key, ms) or 0
end
return out
"""
# KEYS: the keys; ARGV: the TTL in ms. Returns 1/0 per key.
_REFRESH_ALL = """
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('PEXPIRE', key, ARGV[1])
end
return out
"""
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


BATCH = 1000
#: Scripts a cluster's ``refresh_all_if`` has in flight at once (within every pool's size).
CLUSTER_BATCH = 32
T = TypeVar("T")


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisExpiringStore:
    def __init__(self, client: Client, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._refresh_if: Any = client.register_script(_REFRESH_IF)
        self._refresh_all_if: Any = client.register_script(_REFRESH_ALL_IF)
        self._refresh_all: Any = client.register_script(_REFRESH_ALL)
        self._delete_if: Any = client.register_script(_DELETE_IF)
        self._cluster = isinstance(client, RedisCluster)

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        await self._redis.set(self._prefix + key, value, px=_ms(ttl))

    async def put_new(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(await self._redis.set(self._prefix + key, value, px=_ms(ttl), nx=True))

    async def get(self, key: str) -> bytes | None:
        value: Any = await self._redis.get(self._prefix + key)
        return value  # type: ignore[no-any-return]

    async def take(self, key: str) -> bytes | None:
        value: Any = await self._redis.getdel(self._prefix + key)
        return value  # type: ignore[no-any-return]

    async def refresh(self, key: str, ttl: float) -> bool:
        return bool(await self._redis.pexpire(self._prefix + key, _ms(ttl)))

    async def refresh_if(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(await self._refresh_if(keys=[self._prefix + key], args=[value, _ms(ttl)]))

    async def refresh_all(self, keys: list[str], ttl: float) -> list[bool]:
        ms = _ms(ttl)
        if not self._cluster:
            replies = await self._per_batch(
                keys, lambda batch: self._refresh_all(keys=self._keys(batch), args=[ms])
            )
            return [bool(r) for r in replies]

        async def queue(pipe: Any, key: str) -> None:
            pipe.pexpire(self._prefix + key, ms)

        return [bool(r) for r in await self._batched(keys, queue)]

    async def refresh_all_if(self, entries: list[tuple[str, bytes]], ttl: float) -> list[bool]:
        ms = _ms(ttl)
        if not self._cluster:

            def refresh(batch: Sequence[tuple[str, bytes]]) -> Awaitable[Any]:
                keys = self._keys([key for key, _ in batch])
                called: Awaitable[Any] = self._refresh_all_if(
                    keys=keys, args=[*(v for _, v in batch), ms]
                )
                return called

            return [bool(r) for r in await self._per_batch(entries, refresh)]
        results: list[Any] = []
        for start in range(0, len(entries), CLUSTER_BATCH):
            batch = entries[start : start + CLUSTER_BATCH]
            results += await asyncio.gather(
                *(self._refresh_if(keys=[self._prefix + k], args=[v, ms]) for k, v in batch)
            )
        return [bool(r) for r in results]

    async def get_all(self, keys: list[str]) -> list[bytes | None]:
        if not self._cluster:
            return await self._per_batch(keys, lambda batch: self._redis.mget(self._keys(batch)))

        async def queue(pipe: Any, key: str) -> None:
            pipe.get(self._prefix + key)

        return await self._batched(keys, queue)

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [self._prefix + key for key in keys]

    async def _per_batch(
        self, items: Sequence[T], command: Callable[[Sequence[T]], Awaitable[Any]]
    ) -> list[Any]:
        """One ``command(batch)`` per :data:`BATCH` items, its replies concatenated."""
        results: list[Any] = []
        for start in range(0, len(items), BATCH):
            results += await command(items[start : start + BATCH])
        return results

    async def _batched(
        self, items: Sequence[T], queue: Callable[[Any, T], Awaitable[None]]
    ) -> list[Any]:
        """``queue(pipeline, item)`` for every item, :data:`BATCH` per round trip."""
        results: list[Any] = []
        for start in range(0, len(items), BATCH):
            async with self._redis.pipeline(transaction=False) as pipe:
                for item in items[start : start + BATCH]:
                    await queue(pipe, item)
                results += await pipe.execute()
        return results

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def delete_if(self, key: str, value: bytes) -> bool:
        return bool(await self._delete_if(keys=[self._prefix + key], args=[value]))

    async def close(self) -> None:
        return None
