"""Redis :class:`~tickets.store.ExpiringStore`: every operation is one command or one script."""

from __future__ import annotations

from typing import Any

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

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def delete_if(self, key: str, value: bytes) -> bool:
        return bool(await self._delete_if(keys=[self._prefix + key], args=[value]))

    async def close(self) -> None:
        return None
