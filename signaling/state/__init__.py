"""Live room state shared by every node: participants, counters, flags, chat, bans.

:class:`LiveState` is the interface; ``memory.py`` implements it for one process. Every
method is one atomic step for all nodes (a Lua script or MULTI/EXEC on Redis, plain code
between awaits in memory), so two nodes racing on a join, a leave or the last-one-out
cleanup can never both win.

Vocabulary: ``room`` is the parent room id; a *signaling room* is the main room (``breakout``
None) or one breakout room of it. Participants are kept per signaling room and never
removed while the room's state lives (``left_at`` marks those gone, reference §5.2); the
participant *count* is per parent room and counts present and waiting participants (§5.3).
Roles are stored per parent room, so they survive reconnects and breakout moves (§6).
"""

from __future__ import annotations

from typing import Literal, Protocol

import msgspec

Role = Literal["guest", "user", "moderator"]
Kind = Literal["user", "guest", "sip", "recorder"]
LeaveReason = Literal["quit", "timeout", "kicked", "banned", "sent_to_waiting_room"]


class Participant(msgspec.Struct, kw_only=True):
    """One participant of one signaling room: identity plus its control peer data."""

    id: str
    display_name: str
    role: Role
    kind: Kind
    user_id: str | None = None
    avatar_url: str | None = None
    is_room_owner: bool = False
    hand_is_up: bool = False
    hand_updated_at: str
    joined_at: str
    left_at: str | None = None
    runner: str = ""  # the session that holds this record; a stale session cannot leave it


class ChatMessage(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A stored chat message (history entry, §9)."""

    id: str
    source: str
    timestamp: str  # RFC 3339 with six fraction digits (§19.2)
    content: str
    scope: str
    target: str | None = None


class JoinResult(msgspec.Struct, frozen=True):
    """The outcome of :meth:`LiveState.join`."""

    blocked: bool
    participant: Participant | None = None  # as stored (stored role and name win)
    closes_at: str | None = None


class LiveState(Protocol):
    async def join(
        self,
        room: str,
        breakout: str | None,
        participant: Participant,
        *,
        limit: int,
        closes_at: str | None,
        counted: bool,
    ) -> JoinResult:
        """Atomically: refuse if ``limit`` (0 = none) is reached and ``counted`` is false;
        else count the participant (unless ``counted``: already counted in the waiting room;
        or still present: a resumed session taking over its stale record),
        store it as present in the signaling room (a role stored room-wide wins over the given
        one), and set the parent room's ``closes_at`` if not set yet."""

    async def leave(self, room: str, breakout: str | None, pid: str, at: str, runner: str) -> bool:
        """Mark a present participant gone and uncount it, if the record still belongs to the
        session ``runner`` (a resumed session may have taken it over); False otherwise."""

    async def participants(self, room: str, breakout: str | None) -> list[Participant]:
        """Everyone ever joined to the signaling room, in join order."""

    async def participant(
        self, room: str, breakout: str | None, pid: str
    ) -> Participant | None: ...

    async def set_hand(
        self, room: str, breakout: str | None, pid: str, up: bool, at: str
    ) -> Participant | None:
        """Raise or lower a present participant's hand."""

    async def set_role(
        self, room: str, breakout: str | None, pid: str, role: Role
    ) -> Participant | None:
        """Store ``role`` room-wide and on the participant's record in the signaling room."""

    async def count(self, room: str) -> int:
        """Present and waiting participants of the parent room, breakout rooms included."""

    async def flag(self, room: str, name: str, default: bool) -> bool: ...

    async def set_flag(self, room: str, name: str, value: bool) -> None: ...

    async def add_chat_message(
        self, room: str, breakout: str | None, message: ChatMessage, limit: int
    ) -> None:
        """Append to the signaling room's global history, keeping the newest ``limit``."""

    async def chat_history(self, room: str, breakout: str | None) -> list[ChatMessage]:
        """The global history, oldest first."""

    async def clear_chat_history(self, room: str, breakout: str | None) -> None: ...

    async def is_banned(self, room: str, user_id: str) -> bool: ...

    async def ban(self, room: str, user_id: str) -> None: ...

    async def breakout_rooms(self, room: str) -> list[str] | None:
        """Ids of the active breakout configuration's rooms; None when none is active."""

    async def rooms(self) -> list[str]:
        """Parent rooms that have live state."""

    async def breakouts(self, room: str) -> list[str | None]:
        """The signaling rooms of a parent room that have participants (None = main room)."""

    async def empty_rooms(self, since: float) -> list[str]:
        """Parent rooms whose count dropped to 0 at or before unix time ``since``."""

    async def delete_if_empty(self, room: str) -> bool:
        """Delete every key of the parent room if its count is 0; True if deleted."""

    async def delete_room(self, room: str) -> bool:
        """Delete every key of the parent room unconditionally (room deleted via REST);
        True if there was any."""

    async def ping(self) -> None:
        """Raise if the backend is unreachable (health checks)."""

    async def close(self) -> None: ...
