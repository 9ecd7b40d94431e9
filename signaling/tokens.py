"""Start tickets, resumption tokens and runner locks (reference §2.5, §2.6, §15.1).

* A **ticket** (64 chars, ``{room_id}#{27 alnum}``) is stored for ``ticket_ttl`` seconds and
  consumed atomically by the WebSocket handshake: single use; used and expired look alike.
* A **resumption token** (64 alnum) becomes valid when its session is established, lives
  ``resumption_ttl`` seconds and is refreshed while the session runs; a start call that
  presents it for the same room and participant keeps the participant id.
* A **runner lock** per participant id marks a live session (TTL, ownership-checked release),
  so a resumption cannot take over an id that is still connected.
"""

from __future__ import annotations

import asyncio
import secrets
import string
import time
import uuid
from typing import Literal

import msgspec

from signaling.config import Settings
from signaling.errors import SESSION_RUNNING
from signaling.store import ExpiringStore

Kind = Literal["user", "guest", "sip", "recorder"]

TICKET_LENGTH = 64
RUNNER_WAIT = 3.0  # §19.10: how long a start call waits for a closing session's lock
_ALNUM = string.ascii_letters + string.digits


def random_alnum(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    """Who a ticket is for. Guests are all equal: for them the resumption token is the secret."""

    kind: Kind
    user_id: str | None = None
    name: str = ""  # profile name (users; used when ``join`` has no display name)
    email: str | None = None
    is_room_owner: bool = False
    groups: tuple[str, ...] = ()  # chat groups (registered users only)


class TicketData(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: str
    resuming: bool
    participant: Identity
    room: str
    breakout_room: str | None
    resumption: str


class ResumptionData(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: str
    participant: Identity
    room: str
    breakout_room: str | None


class Tokens:
    """Issue and redeem tickets; keep resumption tokens and runner locks."""

    def __init__(self, store: ExpiringStore, settings: Settings) -> None:
        self._store = store
        self._ticket_ttl = settings.ticket_ttl
        self.resumption_ttl = settings.resumption_ttl
        # The runner lock doubles as the presence record of §15.5: it expires
        # SIGNALING_PRESENCE_TTL after the node holding the session stopped refreshing it.
        self.runner_ttl = settings.presence_ttl

    async def issue(
        self,
        *,
        room: str,
        breakout_room: str | None,
        identity: Identity,
        resumption: str | None,
    ) -> tuple[str, str]:
        """Pick the participant id (resumed when ``resumption`` is valid for this room and
        identity, §2.6), store a ticket and return ``(ticket, new resumption token)``.

        Raises:
            ApiError: 400 ``session_running`` when the resumed id is still connected.
        """
        participant_id, resuming = await self._resume(room, identity, resumption)
        ticket = f"{room}#{random_alnum(TICKET_LENGTH - len(room) - 1)}"
        if len(ticket) != TICKET_LENGTH:
            ticket = random_alnum(TICKET_LENGTH)
        data = TicketData(
            participant_id=participant_id,
            resuming=resuming,
            participant=identity,
            room=room,
            breakout_room=breakout_room,
            resumption=random_alnum(64),
        )
        await self._store.put(f"ticket={ticket}", msgspec.json.encode(data), self._ticket_ttl)
        return ticket, data.resumption

    async def resumes(self, room: str, identity: Identity, token: str | None) -> bool:
        """Whether ``token`` is a resumption token of this room and identity (of a participant
        that was in the room): :meth:`issue` would keep its participant id. Consumes nothing."""
        return await self._resumable(room, identity, token) is not None

    async def _resumable(
        self, room: str, identity: Identity, token: str | None
    ) -> ResumptionData | None:
        if not token or identity.kind in ("sip", "recorder"):
            return None
        raw = await self._store.get(f"resumption={token}")
        if raw is None:
            return None
        data = msgspec.json.decode(raw, type=ResumptionData)
        same = (
            data.participant.kind == identity.kind and data.participant.user_id == identity.user_id
        )
        return data if data.room == room and same else None

    async def _resume(self, room: str, identity: Identity, token: str | None) -> tuple[str, bool]:
        fresh = str(uuid.uuid4()), False
        data = await self._resumable(room, identity, token)
        if data is None:
            return fresh
        key = f"resumption={token}"
        deadline = time.monotonic() + RUNNER_WAIT
        while await self.runner_active(data.participant_id):
            if time.monotonic() >= deadline:
                raise SESSION_RUNNING()
            await asyncio.sleep(0.05)
        if await self._store.take(key) is None:
            return fresh  # another start call won the race for this token
        return data.participant_id, True

    async def redeem(self, ticket: str) -> TicketData | None:
        """Consume a ticket; None when unknown, expired or already used."""
        if len(ticket) != TICKET_LENGTH:
            return None
        raw = await self._store.take(f"ticket={ticket}")
        return None if raw is None else msgspec.json.decode(raw, type=TicketData)

    async def activate_resumption(self, ticket: TicketData) -> None:
        """Make the ticket's resumption token valid now that its session is established."""
        data = ResumptionData(
            participant_id=ticket.participant_id,
            participant=ticket.participant,
            room=ticket.room,
            breakout_room=ticket.breakout_room,
        )
        await self._store.put_new(
            f"resumption={ticket.resumption}", msgspec.json.encode(data), self.resumption_ttl
        )

    async def refresh_resumption(self, token: str) -> bool:
        """Extend a running session's token; False if a newer start call consumed it."""
        return (await self.refresh_resumptions([token]))[0]

    async def refresh_resumptions(self, tokens: list[str]) -> list[bool]:
        """:meth:`refresh_resumption` of many tokens in a few round trips."""
        keys = [f"resumption={token}" for token in tokens]
        return await self._store.refresh_all(keys, self.resumption_ttl)

    async def acquire_runner(
        self, participant_id: str, tries: int = 10, pause: float = 0.3
    ) -> str | None:
        """Take the participant's runner lock; returns the owner token, None if still held."""
        owner = uuid.uuid4().hex
        for attempt in range(tries):
            if await self._store.put_new(
                f"runner:{participant_id}", owner.encode(), self.runner_ttl
            ):
                return owner
            if attempt + 1 < tries:
                await asyncio.sleep(pause)
        return None

    async def refresh_runner(self, participant_id: str, owner: str) -> bool:
        """Extend the lock; if it lapsed meanwhile (a stalled node), take it back unless a
        newer session of the participant holds it. False: the session lost its id."""
        return (await self.refresh_runners([(participant_id, owner)]))[0]

    async def refresh_runners(self, held: list[tuple[str, str]]) -> list[bool]:
        """:meth:`refresh_runner` of many ``(participant_id, owner)`` in a few round trips
        (and one more per lapsed lock)."""
        entries = [(f"runner:{pid}", owner.encode()) for pid, owner in held]
        kept = await self._store.refresh_all_if(entries, self.runner_ttl)
        for index, refreshed in enumerate(kept):
            if not refreshed:
                kept[index] = await self._store.put_new(*entries[index], self.runner_ttl)
        return kept

    async def release_runner(self, participant_id: str, owner: str) -> None:
        await self._store.delete_if(f"runner:{participant_id}", owner.encode())

    async def runner_active(self, participant_id: str) -> bool:
        return (await self.runners_active([participant_id]))[0]

    async def runners_active(self, participant_ids: list[str]) -> list[bool]:
        """:meth:`runner_active` of many participants in a few round trips."""
        found = await self._store.get_all([f"runner:{pid}" for pid in participant_ids])
        return [value is not None for value in found]
