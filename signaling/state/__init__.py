"""Live room state shared by every node: participants, counters, flags, chat, bans.

:class:`LiveState` is the interface; ``memory.py`` implements it for one process. Every
method is one atomic step for all nodes (a Lua script or MULTI/EXEC on Redis, plain code
between awaits in memory), so two nodes racing on a join, a leave or the last-one-out
cleanup can never both win.

Modules keep their own data in per-room lists and values (``append``/``items``,
``put_value``/``value``) whose names they choose; everything goes with the room's state.

Vocabulary: ``room`` is the parent room id; a *signaling room* is the main room (``breakout``
None) or one breakout room of it. Participants are kept per signaling room and never
removed while the room's state lives (``left_at`` marks those gone, reference §5.2); the
participant *count* is per parent room and counts present and waiting participants (§5.3).
Roles are stored per parent room, so they survive reconnects and breakout moves (§6).

Webhook events (:mod:`signaling.webhooks`) are written into the room's outbox by the step
that makes them true: ``join``, ``leave``, ``hold``, ``move_to_waiting``, the two deletions
and ``take_value`` with a ``notice``. The room's meeting session starts with the first
``join`` or ``hold`` into a room without state and ends with its deletion (one of the three
deletions: :data:`EndReason`). An implementation built with ``kept=<list name>`` puts that
list's items into a ``chat.kept`` entry when a session ends with items in it (the meeting
records keep them for rooms that ask for it).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, Protocol

import msgspec

from signaling.webhooks.events import EventName

Role = Literal["guest", "user", "moderator"]
Kind = Literal["user", "guest", "sip", "recorder"]
LeaveReason = Literal["quit", "timeout", "kicked", "banned", "sent_to_waiting_room"]
#: Why a meeting session ended (``session.ended``): the grace period after the last one left,
#: an ``end`` by REST, or the room's deletion.
EndReason = Literal["empty", "ended", "room_deleted"]
Notice = tuple[EventName, dict[str, Any]]  # an event a module has written with its change


class Participant(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One participant of one signaling room: identity plus its control peer data.

    Stored as JSON without default values (the Lua scripts re-encode it, and Lua's cjson
    cannot tell an empty list from an empty object)."""

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
    groups: list[str] = []  # chat groups (registered users)
    seq: int = 0  # the parent room's join counter at this join: orders joins across nodes


class Keep(NamedTuple):
    """One item kept in some of a room's lists (:meth:`LiveState.keep`, or with a publication:
    :meth:`signaling.broker.Broker.publish`), refused while the room's flag ``unless_off`` is
    off (flags are on by default)."""

    room: str
    lists: tuple[str, ...]
    item: bytes
    limit: int  # each list keeps its newest ``limit`` items (0: none)
    unless_off: str | None = None


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
        record_limit: int = 0,
    ) -> JoinResult:
        """Atomically: refuse if ``limit`` (0 = none) is reached and ``counted`` is false, or
        if the signaling room holds ``record_limit`` (0 = none) records and this is a new one;
        else count the participant (unless ``counted``: already counted in the waiting room;
        or still present: a resumed session taking over its stale record),
        store it as present in the signaling room (a role stored room-wide wins over the given
        one) with the next value of the parent room's join counter as ``seq``,
        and fix the parent room's ``closes_at`` (None: no limit) at its first join: every later
        join until the room's keys are deleted (the session ended) gets that one. Emits
        ``session.started`` if no session runs, ``participant.joined`` unless the participant
        is present already (a resumed session, or a breakout move)."""

    async def leave(
        self,
        room: str,
        breakout: str | None,
        pid: str,
        at: str,
        runner: str,
        reason: LeaveReason = "quit",
    ) -> bool:
        """Mark a present participant gone and uncount it, if the record still belongs to the
        session ``runner`` (a resumed session may have taken it over); False otherwise.
        Emits ``participant.left`` with ``reason`` unless present in another signaling room."""

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

    async def set_display_name(
        self, room: str, breakout: str | None, pid: str, name: str
    ) -> Participant | None:
        """Rename a present participant."""

    async def count(self, room: str) -> int:
        """Present and waiting participants of the parent room, breakout rooms included."""

    async def flag(self, room: str, name: str, default: bool) -> bool: ...

    async def set_flag(self, room: str, name: str, value: bool) -> None: ...

    async def append(self, room: str, name: str, item: bytes, limit: int) -> None:
        """Append to the parent room's list ``name``, keeping the newest ``limit`` items."""

    async def keep(self, keep: Keep) -> bool:
        """Append ``keep.item`` to each of its lists, unless its flag is off (False: refused,
        nothing kept)."""

    async def items(self, room: str, name: str) -> list[bytes]:
        """The list ``name``, oldest first (empty if it does not exist)."""

    async def clear(self, room: str, name: str) -> None: ...

    async def put_value(self, room: str, name: str, value: bytes) -> None:
        """Store a value under ``name`` until the room's state is deleted."""

    async def value(self, room: str, name: str) -> bytes | None: ...

    async def put_new_value(self, room: str, name: str, value: bytes) -> bool:
        """Store a value only if ``name`` holds none; True if this call stored it."""

    async def take_value(
        self, room: str, name: str, expected: bytes, notice: Notice | None = None
    ) -> bool:
        """Delete ``name`` if it still holds ``expected``; True for exactly one caller, whose
        ``notice`` is emitted with the deletion."""

    async def set_entry(self, room: str, name: str, key: str, value: bytes) -> None:
        """Set ``key`` of the room's map ``name`` (one write: concurrent writers of different
        keys never lose each other's entries)."""

    async def entries(self, room: str, name: str) -> dict[str, bytes]: ...

    # -- timers: shared by all nodes, each fires once (one node claims it) -------------------

    async def schedule(self, key: str, at: float) -> None:
        """Fire ``key`` at unix time ``at`` (rescheduling replaces the time)."""

    async def unschedule(self, key: str) -> None: ...

    async def due(self, now: float) -> list[str]:
        """Keys whose time has come (not yet claimed)."""

    async def claim(self, key: str) -> bool:
        """Take a due key off the schedule; True for exactly one caller, who fires it."""

    async def init_flag(self, room: str, name: str, value: bool) -> bool:
        """Set the flag only if it was never set; returns its value."""

    # -- the waiting room (§8.4): held participants are counted, but in no signaling room --

    async def hold(self, room: str, participant: Participant, *, limit: int) -> bool:
        """Count ``participant`` and put it on the waiting list; False if ``limit`` (0 = none)
        is reached. Emits ``participant.waiting`` (and ``session.started``)."""

    async def move_to_waiting(
        self, room: str, breakout: str | None, pid: str, at: str, runner: str
    ) -> Participant | None:
        """A present participant leaves its signaling room for the waiting list, staying
        counted; returns its record, None if it was not present with that runner. Emits
        ``participant.left`` (``sent_to_waiting_room``) and ``participant.waiting``."""

    async def accept(self, room: str, pid: str) -> bool:
        """Move a waiting participant to the accepted list; True for exactly one caller."""

    async def admit(self, room: str, pid: str) -> bool:
        """Take an accepted participant off the lists (it stays counted) to join; False if it
        was not accepted."""

    async def unhold(self, room: str, pid: str) -> bool:
        """Take a waiting or accepted participant off the lists and uncount it."""

    async def waiting(self, room: str) -> list[tuple[Participant, bool]]:
        """The waiting list, then the accepted ones (``True``), each in arrival order."""

    async def is_banned(self, room: str, user_id: str) -> bool: ...

    async def ban(self, room: str, user_id: str) -> None: ...

    async def unban(self, room: str, user_id: str) -> None:
        """Take a ban back (a ban whose kick could not be announced)."""

    async def rooms(self) -> list[str]:
        """Parent rooms that have live state."""

    async def breakouts(self, room: str) -> list[str | None]:
        """The signaling rooms of a parent room that have participants (None = main room)."""

    async def empty_rooms(self, since: float) -> list[str]:
        """Parent rooms whose count dropped to 0 at or before unix time ``since``."""

    async def delete_if_empty(self, room: str) -> bool:
        """Delete every key of the parent room if its count is 0; True if deleted. Emits
        ``session.ended`` (reason ``empty``)."""

    async def end_session(self, room: str) -> bool:
        """Delete every key of the parent room if its meeting session runs, whoever is in it
        (``end`` via REST); True if it did. Emits ``participant.left`` (``ended``) for
        everyone present, then ``session.ended`` (reason ``ended``)."""

    async def delete_room(self, room: str) -> bool:
        """Delete every key of the parent room unconditionally (room deleted via REST);
        True if there was any. Emits ``participant.left`` (``room_deleted``) for everyone
        present, ``session.ended`` (reason ``room_deleted``), then ``room.deleted``."""

    async def session(self, room: str) -> str | None:
        """The id of the parent room's running meeting session; None when none runs."""

    async def ping(self) -> None:
        """Raise if the backend is unreachable (health checks)."""

    async def close(self) -> None: ...
