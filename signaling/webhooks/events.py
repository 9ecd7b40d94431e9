"""The events of the outbox: their names, the stored entry, the notification body and its
signature.

An entry is written by the live state (the Lua snippet ``outbox.lua`` or
:meth:`MemoryOutbox.emit`) and never changes afterwards, so its body, its signature and its
id are the same on every retry and on every node.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any, Literal, get_args

import msgspec

if TYPE_CHECKING:
    from signaling.state import Participant

EventName = Literal[
    "session.started",
    "session.ended",
    "participant.joined",
    "participant.left",
    "participant.waiting",
    "room.deleted",
    "poll.done",
]
EVENT_NAMES: tuple[str, ...] = get_args(EventName)
#: An entry for the meeting records only, never posted to a webhook: the main room's global
#: chat as it was when its meeting session ended (``data.messages``: the stored messages' JSON
#: texts, oldest first), kept in the session's record if the room has ``chat_persistence``.
CHAT_KEPT = "chat.kept"
EntryName = EventName | Literal["chat.kept"]
#: Events kept per room outbox, so at most this many wait per room and webhook; past it the
#: oldest are dropped, and counted by each consumer that had not passed them.
OUTBOX_LIMIT = 10_000


class Entry(msgspec.Struct, frozen=True):
    """One event as stored: ``n`` orders it within its room's outbox."""

    n: int
    id: str
    event: EntryName
    timestamp: str
    data: dict[str, Any]  # room_id, session_id (null outside a session), the event's fields

    @property
    def room_id(self) -> str:
        return str(self.data["room_id"])

    @property
    def session_id(self) -> str | None:
        found = self.data.get("session_id")
        return None if found is None else str(found)


class Body(msgspec.Struct):
    """The JSON a receiver gets."""

    id: str
    event: str
    timestamp: str
    data: dict[str, Any]


_encode = msgspec.json.Encoder().encode
decode_entry = msgspec.json.Decoder(Entry).decode


def body(entry: Entry) -> bytes:
    """The exact bytes posted for ``entry`` (and signed)."""
    return _encode(Body(id=entry.id, event=entry.event, timestamp=entry.timestamp, data=entry.data))


def sign(secret: str, payload: bytes) -> str:
    """``X-Signature``: the lowercase hex HMAC-SHA256 of ``payload`` with ``secret``."""
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def participant_event(participant: Participant) -> dict[str, Any]:
    """The fields of a participant in its events (``outbox.lua`` forms the same)."""
    return {
        "participant_id": participant.id,
        "display_name": participant.display_name,
        "kind": participant.kind,
        "role": participant.role,
        "user_id": participant.user_id,
    }
