"""In-process :class:`~signaling.store.ExpiringStore` for the embedded (single-node) backend."""

from __future__ import annotations

import time


class MemoryExpiringStore:
    """A dict of ``key -> (value, deadline)``; expired keys are dropped when touched or swept."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}
        self._writes = 0

    def _live(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item[0]

    def _set(self, key: str, value: bytes, ttl: float) -> None:
        self._data[key] = (value, time.monotonic() + ttl)
        self._writes += 1
        if self._writes % 1024 == 0:
            self._sweep()

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, deadline) in self._data.items() if deadline <= now]:
            del self._data[key]

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        self._set(key, value, ttl)

    async def put_new(self, key: str, value: bytes, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._set(key, value, ttl)
        return True

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def take(self, key: str) -> bytes | None:
        value = self._live(key)
        if value is not None:
            del self._data[key]
        return value

    async def refresh(self, key: str, ttl: float) -> bool:
        value = self._live(key)
        if value is None:
            return False
        self._set(key, value, ttl)
        return True

    async def refresh_if(self, key: str, value: bytes, ttl: float) -> bool:
        if self._live(key) != value:
            return False
        self._set(key, value, ttl)
        return True

    async def refresh_all(self, keys: list[str], ttl: float) -> list[bool]:
        return [await self.refresh(key, ttl) for key in keys]

    async def refresh_all_if(self, entries: list[tuple[str, bytes]], ttl: float) -> list[bool]:
        return [await self.refresh_if(key, value, ttl) for key, value in entries]

    async def get_all(self, keys: list[str]) -> list[bytes | None]:
        return [self._live(key) for key in keys]

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def delete_if(self, key: str, value: bytes) -> bool:
        if self._live(key) != value:
            return False
        del self._data[key]
        return True

    async def close(self) -> None:
        self._data.clear()
