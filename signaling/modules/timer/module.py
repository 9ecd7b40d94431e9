"""The ``timer`` module (reference §12, supplement C): one timer per signaling room.

The timer is a room-state value (created only if none runs, deleted by whoever ends it first:
``stop`` or the expiry, so ``stopped`` goes out exactly once); a countdown's end is a shared
timer any node may fire. Ready statuses are a map per timer id, so a stop drops them all.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS
from signaling.hub import Delivery, room_channel
from signaling.modules import Errors, Module
from signaling.modules.timer.core import (
    InvalidDuration,
    applies,
    deadline,
    is_valid,
    takes_ready_status,
)
from signaling.modules.timer.types import (
    Command,
    ErrorCode,
    Event,
    JoinData,
    Start,
    Started,
    Stop,
    Stopped,
    Timer,
    TimerPeer,
    UpdatedReadyStatus,
    UpdateReadyStatus,
)
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.session import Session

NAMESPACE = "timer"
error = Errors[ErrorCode](NAMESPACE)
_timer = msgspec.json.Decoder(Timer)
_TRUE, _FALSE = b"true", b"false"


def _value(breakout: str | None) -> str:
    return f"timer:{breakout or 'main'}"


def _ready(breakout: str | None, timer_id: str) -> str:
    return f"timer:{breakout or 'main'}:{timer_id}:ready"


def _expiry(room: str, breakout: str | None, timer_id: str) -> str:
    return f"{NAMESPACE}:{room}:{breakout or 'main'}:{timer_id}"


class TimerModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = JoinData
    peer_data_type = TimerPeer

    async def on_command(self, session: Session, command: Any) -> None:
        match command:
            case Start():
                await self._start(session, command)
            case Stop():
                await self._stop(session, command)
            case UpdateReadyStatus():
                await self._ready_status(session, command)

    async def _running(self, room: str, breakout: str | None) -> tuple[Timer, bytes] | None:
        raw = await self.ctx.state.value(room, _value(breakout))
        return None if raw is None else (_timer.decode(raw), raw)

    async def _start(self, session: Session, command: Start) -> None:
        if not is_valid(command):
            return  # a countdown without duration: an invalid payload (§4)
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        moment = utcnow()
        try:
            ends_at = deadline(command, moment)
        except InvalidDuration:
            error(session, "invalid_duration")
            return
        timer = Timer(
            timer_id=str(uuid.uuid4()),
            started_at=format_timestamp(moment),
            kind=command.kind,
            ends_at=None if ends_at is None else format_timestamp(ends_at),
            title=command.title,
            style=command.style,
            ready_check_enabled=command.enable_ready_check,
        )
        state, room, breakout = self.ctx.state, session.room, session.breakout
        raw = msgspec.json.encode(timer)
        if not await state.put_new_value(room, _value(breakout), raw):
            error(session, "timer_already_running")
            return
        expiry = _expiry(room, breakout, timer.timer_id)
        if ends_at is not None:
            await state.schedule(expiry, ends_at.timestamp())
        started = Started(**msgspec.structs.asdict(timer))
        try:
            await self.ctx.publish(
                room_channel(room, breakout),
                Delivery(frame=encode_event(NAMESPACE, started, moment)),
            )
        except BACKEND_ERRORS:  # nobody heard of it: no timer runs
            await state.unschedule(expiry)
            await state.take_value(room, _value(breakout), raw)
            raise

    async def _stop(self, session: Session, command: Stop) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        running = await self._running(session.room, session.breakout)
        if running is None or not applies(running[0], command.timer_id):
            return
        stopped = Stopped(
            timer_id=command.timer_id,
            kind="by_moderator",
            participant_id=session.id,
            reason=command.reason,
        )
        await self._end(session.room, session.breakout, running[1], stopped)

    async def _end(self, room: str, breakout: str | None, raw: bytes, event: Stopped) -> None:
        """Delete the timer and send ``stopped``, if nobody else ended it first."""
        state = self.ctx.state
        if not await state.take_value(room, _value(breakout), raw):
            return
        await state.unschedule(_expiry(room, breakout, event.timer_id))
        delivery = Delivery(frame=encode_event(NAMESPACE, event))
        await self.ctx.reliably(partial(self.ctx.publish, room_channel(room, breakout), delivery))

    async def on_timer(self, key: str) -> None:
        _, room, sroom, timer_id = key.split(":")
        breakout = None if sroom == "main" else sroom
        running = await self._running(room, breakout)
        if running is not None and running[0].timer_id == timer_id:
            await self._end(room, breakout, running[1], Stopped(timer_id=timer_id, kind="expired"))

    async def _ready_status(self, session: Session, command: UpdateReadyStatus) -> None:
        running = await self._running(session.room, session.breakout)
        if running is None or not takes_ready_status(running[0], command.timer_id):
            return
        state, name = self.ctx.state, _ready(session.breakout, command.timer_id)
        previous = (await state.entries(session.room, name)).get(session.id, _FALSE)
        await state.set_entry(session.room, name, session.id, _TRUE if command.status else _FALSE)
        event = UpdatedReadyStatus(
            timer_id=command.timer_id, participant_id=session.id, status=command.status
        )
        try:
            await self.ctx.publish(
                room_channel(session.room, session.breakout),
                Delivery(frame=encode_event(NAMESPACE, event)),
            )
        except BACKEND_ERRORS:  # nobody saw it: the previous status stays
            await state.set_entry(session.room, name, session.id, previous)
            raise

    async def on_leave(self, session: Session) -> None:
        running = await self._running(session.room, session.breakout)
        if running is not None and running[0].ready_check_enabled:
            name = _ready(session.breakout, running[0].timer_id)
            await self.ctx.state.set_entry(session.room, name, session.id, _FALSE)

    async def peer_states(self, room: str, breakout: str | None, pids: list[str]) -> dict[str, Any]:
        """``{"ready_status": …}`` of everyone while a timer with the ready check runs."""
        running = await self._running(room, breakout)
        if running is None or not running[0].ready_check_enabled:
            return {}
        entries = await self.ctx.state.entries(room, _ready(breakout, running[0].timer_id))
        return {pid: TimerPeer(ready_status=entries.get(pid) == _TRUE) for pid in pids}

    async def join_data(self, session: Session) -> Any:
        running = await self._running(session.room, session.breakout)
        if running is None:
            return None
        timer = running[0]
        ready: bool | None = None
        if timer.ready_check_enabled:
            entries = await self.ctx.state.entries(
                session.room, _ready(session.breakout, timer.timer_id)
            )
            ready = entries.get(session.id) == _TRUE
        return JoinData(**msgspec.structs.asdict(timer), ready_status=ready)
