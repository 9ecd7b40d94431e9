"""The outbox of every room: the webhook events its live state emitted, until delivered.

The live state appends (``signaling/state``); any node's :class:`~.delivery.Deliverer`
reads. Guarantees, on every backend:

* a room's entries are numbered in the order of the steps that emitted them (``n`` only
  grows, also across the room's sessions);
* an entry goes only through :meth:`Outbox.trim` at or below a number every consumer has
  passed, or as one of the oldest when the room holds more than
  :data:`~.events.OUTBOX_LIMIT` (see :meth:`Outbox.dropped_through`: each consumer counts
  what it lost), so at most that many wait per room and consumer (each webhook);
* a consumer's cursor never goes back (a node that lost its lease cannot undo the progress
  of the one that took it over);
* one holder at a time owns a room's lease, until it releases it or ``ttl`` passes without a
  renewal (a node killed mid-delivery: another one takes over what was not confirmed).
"""

from __future__ import annotations

from typing import Protocol

from signaling.webhooks.events import Entry


class Outbox(Protocol):
    async def rooms(self) -> list[str]:
        """Rooms whose outbox holds entries."""

    async def entries(self, room: str, limit: int) -> list[Entry]:
        """The oldest ``limit`` entries of the room, oldest first."""

    async def cursors(self, room: str) -> dict[str, int]:
        """Consumer → the number of the last entry it is done with."""

    async def advance(self, room: str, consumer: str, n: int) -> None:
        """Move ``consumer``'s cursor to ``n`` unless it is there or further already (a
        consumer without a cursor gets one, also at 0)."""

    async def trim(self, room: str, through: int) -> None:
        """Drop the entries up to ``through``; a room left empty goes out of
        :meth:`rooms` and its cursors and :meth:`dropped_through` are forgotten."""

    async def lease(self, room: str, holder: str, ttl: float) -> bool:
        """Take or renew the room's lease for ``ttl`` seconds; False if another holds it."""

    async def release(self, room: str, holder: str) -> None:
        """Give the lease back if ``holder`` still has it."""

    async def dropped_through(self, room: str) -> int:
        """The number of the newest entry dropped for the bound (0: none): a consumer whose
        cursor is below it lost the entries in between."""
