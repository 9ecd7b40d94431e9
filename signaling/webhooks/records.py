"""The durable records of this package: webhook subscriptions and meeting sessions.

:class:`Records` is the interface; ``records_sqlite.py`` (embedded) and ``records_redis.py``
implement it. Sessions are written only by :meth:`Records.apply`, which the deliverer calls
with every settled outbox entry in order; applying an entry again changes nothing (a node
that died before confirming it: the next one applies it once more).

How an entry changes the sessions: ``session.started`` creates the session;
``participant.joined`` adds one attendance (keyed by the event id) and raises
``max_concurrent`` to the number of open attendances; ``participant.left`` closes the
participant's open attendance; ``poll.done`` adds the finished poll; ``chat.kept`` stores the
session's chat (the deliverer passes it on only for rooms that keep their chat);
``session.ended`` sets ``ended_at`` and closes any attendance still open. Entries outside a
session, and other events, change nothing.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from signaling.webhooks.events import Entry, EventName


class Webhook(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    url: str
    events: list[EventName]
    secret: str
    created_at: str  # RFC 3339: events older than their webhook are not sent to it


class MeetingSession(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    room_id: str
    started_at: str
    ended_at: str | None
    participant_count: int  # distinct participants
    max_concurrent: int


class Attendance(msgspec.Struct, frozen=True, kw_only=True):
    """One join of a participant, until it left."""

    participant_id: str
    display_name: str
    kind: str
    role: str
    joined_at: str
    left_at: str | None = None
    leave_reason: str | None = None


class PollChoice(msgspec.Struct, frozen=True):
    id: int
    content: str
    count: int  # the final count


class FinishedPoll(msgspec.Struct, frozen=True, kw_only=True):
    """A poll as it ended (``done``): its choices with their final counts."""

    id: str
    topic: str
    breakout_room: str | None
    ended_at: str
    choices: list[PollChoice]


def finished_poll(entry: Entry) -> FinishedPoll:
    """The poll a ``poll.done`` entry reports."""
    data = entry.data
    counts = {result["id"]: result["count"] for result in data["results"]}
    return FinishedPoll(
        id=data["poll_id"],
        topic=data["topic"],
        breakout_room=data["breakout_room"],
        ended_at=entry.timestamp,
        choices=[
            PollChoice(
                id=choice["id"], content=choice["content"], count=counts.get(choice["id"], 0)
            )
            for choice in data["choices"]
        ],
    )


class Records(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # -- webhooks ----------------------------------------------------------------------------

    async def add_webhook(self, webhook: Webhook) -> None: ...

    async def webhook(self, webhook_id: str) -> Webhook | None: ...

    async def webhooks(self) -> list[Webhook]:
        """Every webhook, oldest first."""

    async def replace_webhook(self, webhook: Webhook) -> bool:
        """Store ``webhook`` over the one with its id; False if there is none."""

    async def remove_webhook(self, webhook_id: str) -> bool: ...

    # -- meeting sessions ------------------------------------------------------------------------

    async def apply(self, entry: Entry) -> None:
        """Record what ``entry`` says (see the module docstring); idempotent."""

    async def sessions(self, room_id: str) -> list[MeetingSession]:
        """The room's sessions, newest first."""

    async def session(self, session_id: str) -> MeetingSession | None: ...

    async def attendances(self, session_id: str) -> list[Attendance]:
        """One per join, in join order."""

    async def polls(self, session_id: str) -> list[FinishedPoll]:
        """The session's finished polls, in the order they ended."""

    async def chat(self, session_id: str) -> list[str] | None:
        """The kept chat of an ended session (the stored messages' JSON, oldest first); None
        if none is kept."""

    async def delete_chat(self, session_id: str) -> bool:
        """Forget the session's kept chat; False if none was kept."""

    async def purge(self, ended_before: str) -> None:
        """Forget the sessions that ended before the RFC 3339 time ``ended_before``."""
