"""Redis :class:`~signaling.store.ExpiringStore`: every operation is one command or one script;
the ``*_all`` ones send theirs in pipelines of :data:`BATCH` (a round trip per batch). A cluster
pipeline refuses scripts: there ``refresh_all_if`` sends a batch's scripts at once instead."""

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
        self._delete_if: Any = client.register_script(_DELETE_IF)

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

        async def queue(pipe: Any, key: str) -> None:
            pipe.pexpire(self._prefix + key, ms)

        return [bool(r) for r in await self._batched(keys, queue)]

    async def refresh_all_if(self, entries: list[tuple[str, bytes]], ttl: float) -> list[bool]:
        ms = _ms(ttl)

        async def queue(pipe: Any, entry: tuple[str, bytes]) -> Any:
            return await self._refresh_if(
                keys=[self._prefix + entry[0]], args=[entry[1], ms], client=pipe
            )

        if isinstance(self._redis, RedisCluster):
            results: list[Any] = []
            for start in range(0, len(entries), CLUSTER_BATCH):
                batch = entries[start : start + CLUSTER_BATCH]
                results += await asyncio.gather(*(queue(self._redis, entry) for entry in batch))
            return [bool(r) for r in results]
        return [bool(r) for r in await self._batched(entries, queue)]

    async def get_all(self, keys: list[str]) -> list[bytes | None]:
        async def queue(pipe: Any, key: str) -> None:
            pipe.get(self._prefix + key)

        return await self._batched(keys, queue)

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
