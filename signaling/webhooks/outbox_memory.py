"""The embedded :class:`~.outbox.Outbox`, filled by :class:`~signaling.state.memory.MemoryState`.

It lives in process memory beside the live state it describes: a crash of the embedded
server loses both. No method awaits before its change is done.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from typing import Any

from signaling.webhooks.events import OUTBOX_LIMIT, Entry, EntryName


class MemoryOutbox:
    def __init__(self, limit: int = OUTBOX_LIMIT) -> None:
        self._limit = limit
        self._entries: dict[str, list[Entry]] = defaultdict(list)
        self._numbers: dict[str, int] = defaultdict(int)
        self._cursors: dict[str, dict[str, int]] = defaultdict(dict)
        self._leases: dict[str, tuple[str, float]] = {}
        self._dropped: dict[str, int] = {}

    def emit(
        self, room: str, session: str | None, at: str, name: EntryName, data: dict[str, Any]
    ) -> None:
        """Append an event (called by the live state within its step)."""
        self._numbers[room] += 1
        data = {**data, "room_id": room, "session_id": session}
        entries = self._entries[room]
        entries.append(Entry(self._numbers[room], str(uuid.uuid4()), name, at, data))
        if len(entries) > self._limit:
            del entries[: len(entries) - self._limit]
            self._dropped[room] = entries[0].n - 1

    async def rooms(self) -> list[str]:
        return [room for room, entries in self._entries.items() if entries]

    async def entries(self, room: str, limit: int) -> list[Entry]:
        return list(self._entries.get(room, [])[:limit])

    async def cursors(self, room: str) -> dict[str, int]:
        return dict(self._cursors.get(room, {}))

    async def advance(self, room: str, consumer: str, n: int) -> None:
        cursors = self._cursors[room]
        cursors[consumer] = max(n, cursors.get(consumer, 0))

    async def trim(self, room: str, through: int) -> None:
        kept = [entry for entry in self._entries.get(room, []) if entry.n > through]
        if kept:
            self._entries[room] = kept
        else:
            self._entries.pop(room, None)
            self._cursors.pop(room, None)
            self._dropped.pop(room, None)
            self._dropped.pop(room, None)

    async def lease(self, room: str, holder: str, ttl: float) -> bool:
        now = time.monotonic()
        current = self._leases.get(room)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self._leases[room] = (holder, now + ttl)
        return True

    async def release(self, room: str, holder: str) -> None:
        if self._leases.get(room, ("", 0.0))[0] == holder:
            del self._leases[room]

    async def dropped_through(self, room: str) -> int:
        return self._dropped.get(room, 0)
