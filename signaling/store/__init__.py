"""Short-lived keys with TTLs: tickets, resumption tokens, runner locks.

:class:`ExpiringStore` is a deliberately small key/value interface whose every operation is
atomic, so that the memory implementation (one process) and a Redis implementation (many
nodes) give the same guarantees: ``take`` hands a value to exactly one caller, ``put_new``
succeeds for exactly one caller while the key lives, ``delete_if`` only deletes the owner's
value. Expired keys behave exactly like absent ones.
"""

from __future__ import annotations

from typing import Protocol


class ExpiringStore(Protocol):
    async def put(self, key: str, value: bytes, ttl: float) -> None:
        """Set ``key`` to ``value``, expiring after ``ttl`` seconds."""

    async def put_new(self, key: str, value: bytes, ttl: float) -> bool:
        """Set ``key`` only if absent; True if this call set it."""

    async def get(self, key: str) -> bytes | None: ...

    async def take(self, key: str) -> bytes | None:
        """Get and delete in one step: at most one caller receives the value."""

    async def refresh(self, key: str, ttl: float) -> bool:
        """Give a live key a new TTL; False if it is gone."""

    async def refresh_if(self, key: str, value: bytes, ttl: float) -> bool:
        """Give ``key`` a new TTL only while it still holds ``value``."""

    async def refresh_all(self, keys: list[str], ttl: float) -> list[bool]:
        """:meth:`refresh` of every key in a few round trips (each one atomic, not all)."""

    async def refresh_all_if(self, entries: list[tuple[str, bytes]], ttl: float) -> list[bool]:
        """:meth:`refresh_if` of every ``(key, value)`` in a few round trips."""

    async def get_all(self, keys: list[str]) -> list[bytes | None]:
        """:meth:`get` of every key in a few round trips."""

    async def delete(self, key: str) -> None: ...

    async def delete_if(self, key: str, value: bytes) -> bool:
        """Delete ``key`` only if it holds ``value`` (ownership-checked release)."""

    async def close(self) -> None: ...
