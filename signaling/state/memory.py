"""In-process :class:`~signaling.state.LiveState` for the embedded backend.

No method awaits anything before it has finished its change, so each one is atomic with
respect to every other coroutine of the process. Records handed out are copies, as they
would be from Redis. Webhook events go into the :class:`MemoryOutbox` in the same code.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from signaling.state import (
    EndReason,
    JoinResult,
    Keep,
    LeaveReason,
    Notice,
    Participant,
    Role,
)
from signaling.webhooks.events import EntryName, participant_event
from signaling.webhooks.outbox_memory import MemoryOutbox
from signaling.wire import format_timestamp, utcnow


def _copy(participant: Participant) -> Participant:
    """Callers get copies: the stored records change only through this class."""
    return msgspec.structs.replace(participant)


@dataclass
class _SignalingRoom:
    participants: dict[str, Participant] = field(default_factory=dict)


@dataclass
class _Held:
    participant: Participant
    accepted: bool = False


@dataclass
class _Room:
    count: int = 0
    seq: int = 0  # join counter
    closes_at: str | None = None  # fixed by the session's first join; "" = no limit
    rooms: dict[str | None, _SignalingRoom] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    bans: set[str] = field(default_factory=set)
    lists: dict[str, list[bytes]] = field(default_factory=dict)
    values: dict[str, bytes] = field(default_factory=dict)
    maps: dict[str, dict[str, bytes]] = field(default_factory=dict)
    held: dict[str, _Held] = field(default_factory=dict)  # the waiting room, in arrival order
    session: str | None = None  # the meeting session's id


class MemoryState:
    def __init__(self, outbox: MemoryOutbox | None = None, *, kept: str | None = None) -> None:
        self.outbox = outbox or MemoryOutbox()
        self._kept = kept
        self._rooms: dict[str, _Room] = {}
        self._empty_since: dict[str, float] = {}
        self._timers: dict[str, float] = {}

    def _room(self, room: str) -> _Room:
        state = self._rooms.get(room)
        if state is None:
            state = self._rooms[room] = _Room()
        return state

    def _sroom(self, room: str, breakout: str | None) -> _SignalingRoom:
        rooms = self._room(room).rooms
        sroom = rooms.get(breakout)
        if sroom is None:
            sroom = rooms[breakout] = _SignalingRoom()
        return sroom

    def _present(self, room: str, breakout: str | None, pid: str) -> Participant | None:
        state = self._rooms.get(room)
        sroom = state.rooms.get(breakout) if state else None
        found = sroom.participants.get(pid) if sroom else None
        return found if found is not None and found.left_at is None else None

    def _elsewhere(self, room: str, breakout: str | None, pid: str) -> bool:
        """Present in another signaling room of the parent (a breakout move)."""
        rooms = self._rooms[room].rooms
        return any(self._present(room, other, pid) for other in rooms if other != breakout)

    def _start_session(self, state: _Room, room: str, at: str) -> None:
        if state.session is None:
            state.session = str(uuid.uuid4())
            self.outbox.emit(room, state.session, at, "session.started", {"started_at": at})

    def _emit(self, room: str, at: str, name: EntryName, data: dict[str, Any]) -> None:
        """Emit an event of the room's session (None if it has none)."""
        state = self._rooms.get(room)
        self.outbox.emit(room, state.session if state else None, at, name, data)

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
        state = self._room(room)
        records = self._sroom(room, breakout).participants
        if record_limit and participant.id not in records and len(records) >= record_limit:
            return JoinResult(blocked=True)
        present = self._present(room, breakout, participant.id) is not None
        uncounted = not counted and not present
        if uncounted and limit and state.count >= limit:
            return JoinResult(blocked=True)
        if uncounted:
            state.count += 1
        self._empty_since.pop(room, None)
        if state.closes_at is None:
            state.closes_at = closes_at or ""
        state.seq += 1
        stored = msgspec.structs.replace(
            participant,
            role=state.roles.setdefault(participant.id, participant.role),
            left_at=None,
            seq=state.seq,
        )
        self._sroom(room, breakout).participants[participant.id] = stored
        self._start_session(state, room, stored.joined_at)
        if not (present or self._elsewhere(room, breakout, stored.id)):
            data = {**participant_event(stored), "joined_at": stored.joined_at}
            self._emit(room, stored.joined_at, "participant.joined", data)
        return JoinResult(
            blocked=False, participant=_copy(stored), closes_at=state.closes_at or None
        )

    async def leave(
        self,
        room: str,
        breakout: str | None,
        pid: str,
        at: str,
        runner: str,
        reason: LeaveReason = "quit",
    ) -> bool:
        present = self._present(room, breakout, pid)
        if present is None or present.runner != runner:
            return False
        present.left_at = at
        present.hand_is_up = False
        state = self._rooms[room]
        state.count -= 1
        if state.count <= 0:
            self._empty_since[room] = time.time()
        if not self._elsewhere(room, breakout, pid):
            data = {**participant_event(present), "left_at": at, "leave_reason": reason}
            self._emit(room, at, "participant.left", data)
        return True

    async def participants(self, room: str, breakout: str | None) -> list[Participant]:
        state = self._rooms.get(room)
        sroom = state.rooms.get(breakout) if state else None
        return [_copy(p) for p in sroom.participants.values()] if sroom else []

    async def participant(self, room: str, breakout: str | None, pid: str) -> Participant | None:
        state = self._rooms.get(room)
        sroom = state.rooms.get(breakout) if state else None
        found = sroom.participants.get(pid) if sroom else None
        return None if found is None else _copy(found)

    async def set_hand(
        self, room: str, breakout: str | None, pid: str, up: bool, at: str
    ) -> Participant | None:
        present = self._present(room, breakout, pid)
        if present is not None:
            present.hand_is_up = up
            present.hand_updated_at = at
        return None if present is None else _copy(present)

    async def set_role(
        self, room: str, breakout: str | None, pid: str, role: Role
    ) -> Participant | None:
        present = self._present(room, breakout, pid)
        if present is not None:
            self._rooms[room].roles[pid] = role
            present.role = role
        return None if present is None else _copy(present)

    async def set_display_name(
        self, room: str, breakout: str | None, pid: str, name: str
    ) -> Participant | None:
        present = self._present(room, breakout, pid)
        if present is not None:
            present.display_name = name
        return None if present is None else _copy(present)

    async def count(self, room: str) -> int:
        state = self._rooms.get(room)
        return state.count if state else 0

    async def flag(self, room: str, name: str, default: bool) -> bool:
        state = self._rooms.get(room)
        return state.flags.get(name, default) if state else default

    async def set_flag(self, room: str, name: str, value: bool) -> None:
        self._room(room).flags[name] = value

    async def append(self, room: str, name: str, item: bytes, limit: int) -> None:
        self.keep_now(Keep(room, (name,), item, limit))

    async def keep(self, keep: Keep) -> bool:
        return self.keep_now(keep)

    def keep_now(self, keep: Keep) -> bool:
        """:meth:`keep` without a wait (the memory broker's publish runs it in its step)."""
        found = self._rooms.get(keep.room)
        if found is not None and keep.unless_off and not found.flags.get(keep.unless_off, True):
            return False
        lists = self._room(keep.room).lists
        for name in keep.lists:
            items = lists.setdefault(name, [])
            items.append(keep.item)
            del items[: max(0, len(items) - keep.limit)]
        return True

    async def items(self, room: str, name: str) -> list[bytes]:
        state = self._rooms.get(room)
        return list(state.lists.get(name, ())) if state else []

    async def clear(self, room: str, name: str) -> None:
        state = self._rooms.get(room)
        if state is not None:
            state.lists.pop(name, None)

    async def put_value(self, room: str, name: str, value: bytes) -> None:
        self._room(room).values[name] = value

    async def value(self, room: str, name: str) -> bytes | None:
        state = self._rooms.get(room)
        return state.values.get(name) if state else None

    async def put_new_value(self, room: str, name: str, value: bytes) -> bool:
        values = self._room(room).values
        if name in values:
            return False
        values[name] = value
        return True

    async def take_value(
        self, room: str, name: str, expected: bytes, notice: Notice | None = None
    ) -> bool:
        state = self._rooms.get(room)
        if state is None or state.values.get(name) != expected:
            return False
        del state.values[name]
        if notice is not None:
            self._emit(room, format_timestamp(utcnow()), *notice)
        return True

    async def set_entry(self, room: str, name: str, key: str, value: bytes) -> None:
        self._room(room).maps.setdefault(name, {})[key] = value

    async def entries(self, room: str, name: str) -> dict[str, bytes]:
        state = self._rooms.get(room)
        return dict(state.maps.get(name, {})) if state else {}

    async def schedule(self, key: str, at: float) -> None:
        self._timers[key] = at

    async def unschedule(self, key: str) -> None:
        self._timers.pop(key, None)

    async def due(self, now: float) -> list[str]:
        return [key for key, at in self._timers.items() if at <= now]

    async def claim(self, key: str) -> bool:
        return self._timers.pop(key, None) is not None

    async def init_flag(self, room: str, name: str, value: bool) -> bool:
        return self._room(room).flags.setdefault(name, value)

    async def hold(self, room: str, participant: Participant, *, limit: int) -> bool:
        state = self._room(room)
        if participant.id in state.held:
            return True
        if limit and state.count >= limit:
            return False
        state.count += 1
        self._empty_since.pop(room, None)
        state.held[participant.id] = _Held(_copy(participant))
        at = format_timestamp(utcnow())
        self._start_session(state, room, at)
        self._emit(room, at, "participant.waiting", participant_event(participant))
        return True

    async def move_to_waiting(
        self, room: str, breakout: str | None, pid: str, at: str, runner: str
    ) -> Participant | None:
        present = self._present(room, breakout, pid)
        if present is None or present.runner != runner:
            return None
        present.left_at = at
        present.hand_is_up = False
        held = msgspec.structs.replace(present, left_at=None)
        self._rooms[room].held[pid] = _Held(held)
        data = {**participant_event(held), "left_at": at, "leave_reason": "sent_to_waiting_room"}
        self._emit(room, at, "participant.left", data)
        self._emit(room, at, "participant.waiting", participant_event(held))
        return _copy(held)

    async def accept(self, room: str, pid: str) -> bool:
        state = self._rooms.get(room)
        held = state.held.get(pid) if state else None
        if held is None or held.accepted:
            return False
        held.accepted = True
        return True

    async def admit(self, room: str, pid: str) -> bool:
        state = self._rooms.get(room)
        held = state.held.get(pid) if state else None
        if state is None or held is None or not held.accepted:
            return False
        del state.held[pid]
        return True

    async def unhold(self, room: str, pid: str) -> bool:
        state = self._rooms.get(room)
        if state is None or state.held.pop(pid, None) is None:
            return False
        state.count -= 1
        if state.count <= 0:
            self._empty_since[room] = time.time()
        return True

    async def waiting(self, room: str) -> list[tuple[Participant, bool]]:
        state = self._rooms.get(room)
        held = list(state.held.values()) if state else []
        return [(_copy(h.participant), False) for h in held if not h.accepted] + [
            (_copy(h.participant), True) for h in held if h.accepted
        ]

    async def is_banned(self, room: str, user_id: str) -> bool:
        state = self._rooms.get(room)
        return state is not None and user_id in state.bans

    async def ban(self, room: str, user_id: str) -> None:
        self._room(room).bans.add(user_id)

    async def unban(self, room: str, user_id: str) -> None:
        state = self._rooms.get(room)
        if state is not None:
            state.bans.discard(user_id)

    async def rooms(self) -> list[str]:
        return list(self._rooms)

    async def breakouts(self, room: str) -> list[str | None]:
        state = self._rooms.get(room)
        return list(state.rooms) if state else []

    async def empty_rooms(self, since: float) -> list[str]:
        return [room for room, at in self._empty_since.items() if at <= since]

    async def delete_if_empty(self, room: str) -> bool:
        state = self._rooms.get(room)
        if state is not None and state.count > 0:
            self._empty_since.pop(room, None)
            return False
        return self._delete(room, "empty")

    async def end_session(self, room: str) -> bool:
        state = self._rooms.get(room)
        return state is not None and state.session is not None and self._delete(room, "ended")

    async def delete_room(self, room: str) -> bool:
        return self._delete(room, "room_deleted")

    async def session(self, room: str) -> str | None:
        state = self._rooms.get(room)
        return None if state is None else state.session

    def _delete(self, room: str, reason: EndReason) -> bool:
        at = format_timestamp(utcnow())
        state = self._rooms.get(room)
        if state is not None and state.session is not None:
            gone = {"left_at": at, "leave_reason": reason}
            for sroom in state.rooms.values() if reason != "empty" else ():
                for p in sroom.participants.values():
                    if p.left_at is None:
                        self._emit(room, at, "participant.left", {**participant_event(p), **gone})
            kept = state.lists.get(self._kept, []) if self._kept else []
            if kept:
                self._emit(room, at, "chat.kept", {"messages": [item.decode() for item in kept]})
            self._emit(room, at, "session.ended", {"ended_at": at, "reason": reason})
        if reason == "room_deleted":
            self._emit(room, at, "room.deleted", {"deleted_at": at})
        self._empty_since.pop(room, None)
        return self._rooms.pop(room, None) is not None

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._rooms.clear()
