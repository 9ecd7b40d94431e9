"""The ``breakout`` module (reference §11): a moderator opens breakout rooms with assignments;
clients move themselves (close, ``/start`` with ``breakout_room``, join). Each breakout room is
its own signaling room; the configuration lives with the parent room and its expiry is a
shared timer, so ``expired`` goes out once even if the starting node died.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.hub import Delivery, global_channel, room_channel
from signaling.modules import Errors, Module
from signaling.modules.breakout import core
from signaling.modules.breakout.types import (
    BreakoutPeer,
    Command,
    Config,
    ErrorCode,
    Event,
    Expired,
    JoinData,
    Joined,
    Left,
    Start,
    Stop,
    Stopped,
)
from signaling.session import ConnState
from signaling.state import Participant
from signaling.wire import encode_event, utcnow

if TYPE_CHECKING:
    from signaling.session import Session

NAMESPACE = "breakout"
error = Errors[ErrorCode](NAMESPACE)
CONFIG = "breakout"
_config = msgspec.json.Decoder(Config)


class Linger(msgspec.Struct):
    """Sessions in a breakout room close ``SIGNALING_BREAKOUT_LINGER`` seconds from now."""

    linger: bool = True


class BreakoutModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = JoinData
    personal_type = Config

    async def active(self, room: str) -> tuple[Config, bytes] | None:
        raw = await self.ctx.state.value(room, CONFIG)
        return None if raw is None else (_config.decode(raw), raw)

    async def breakout_rooms(self, room: str) -> list[str] | None:
        """The breakout rooms of the active configuration; None when none is active."""
        active = await self.active(room)
        return None if active is None else [r.id for r in active[0].rooms]

    async def on_command(self, session: Session, command: Any) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        match command:
            case Start():
                await self._start(session, command)
            case Stop():
                await self._stop(session)

    async def _start(self, session: Session, command: Start) -> None:
        if not command.rooms:
            return
        now = utcnow()
        state = self.ctx.state
        previous = await self.active(session.room)
        signaling_rooms = [None, *(r.id for r in previous[0].rooms)] if previous else [None]
        present = {  # assignments may only name participants of the room
            p.id
            for breakout in signaling_rooms
            for p in await state.participants(session.room, breakout)
            if p.left_at is None
        }
        config = core.configure(command, present, now, lambda: str(uuid.uuid4()))
        duration = command.duration
        if previous is not None:
            await state.unschedule(self._timer(session.room, previous[0].id))
        raw = msgspec.json.encode(config)
        await state.put_value(session.room, CONFIG, raw)
        if duration:
            await state.schedule(self._timer(session.room, config.id), time.time() + duration)
        try:
            await self.ctx.publish(
                global_channel(session.room),
                Delivery(namespace=NAMESPACE, personal=config),
            )
        except BACKEND_ERRORS:  # nobody heard of it: the previous configuration stays
            await self._restore(session.room, config, raw, previous)
            raise

    async def _restore(
        self, room: str, config: Config, raw: bytes, previous: tuple[Config, bytes] | None
    ) -> None:
        state = self.ctx.state
        await state.unschedule(self._timer(room, config.id))
        if previous is None:
            await state.take_value(room, CONFIG, raw)
            return
        await state.put_value(room, CONFIG, previous[1])
        if previous[0].expires is not None:
            expires = datetime.fromisoformat(previous[0].expires).timestamp()
            await state.schedule(self._timer(room, previous[0].id), expires)

    def render(self, session: Session, personal: Any) -> str | None:
        return encode_event(NAMESPACE, core.started(personal, session.id))

    async def _stop(self, session: Session) -> None:
        active = await self.active(session.room)
        if active is None or not await self._end(session.room, *active, Stopped()):
            error(session, "inactive")

    async def _end(self, room: str, config: Config, raw: bytes, event: Stopped | Expired) -> bool:
        """Delete the configuration and tell everyone, if nobody else ended it first."""
        state = self.ctx.state
        if not await state.take_value(room, CONFIG, raw):
            return False
        await state.unschedule(self._timer(room, config.id))
        ended = Delivery(frame=encode_event(NAMESPACE, event), namespace=NAMESPACE, signal=Linger())
        await self.ctx.reliably(partial(self.ctx.publish, global_channel(room), ended))
        return True

    @staticmethod
    def _timer(room: str, config_id: str) -> str:
        return f"{NAMESPACE}:{room}:{config_id}"

    async def on_timer(self, key: str) -> None:
        _, room, config_id = key.split(":")
        active = await self.active(room)
        if active is not None and active[0].id == config_id:
            await self._end(room, *active, Expired())

    async def on_signal(self, session: Session, signal: Any) -> None:
        if session.breakout is None:
            return
        at = asyncio.get_running_loop().time() + self.ctx.settings.breakout_linger
        session.set_timer(
            "breakout_linger", at, lambda: session.close(CloseCode.NORMAL, reason="breakout ended")
        )

    async def may_enter(self, session: Session) -> bool:
        if session.breakout is None:
            return True
        active = await self.active(session.room)
        return core.may_enter(None if active is None else active[0], session.breakout)

    async def on_joined(self, session: Session, participant: Participant) -> None:
        if session.breakout is None and await self.active(session.room) is None:
            return
        joined = Joined(**msgspec.structs.asdict(core.peer(participant, session.breakout)))
        await self._tell_other_rooms(session, joined)

    async def on_leave(self, session: Session) -> None:
        if session.state != ConnState.JOINED:
            return
        if session.breakout is None and await self.active(session.room) is None:
            return
        await self._tell_other_rooms(session, Left(breakout_room=session.breakout, id=session.id))

    async def _tell_other_rooms(self, session: Session, event: Joined | Left) -> None:
        await self.ctx.publish(
            global_channel(session.room),
            Delivery(
                frame=encode_event(NAMESPACE, event),
                skip=room_channel(session.room, session.breakout),
            ),
        )

    async def join_data(self, session: Session) -> Any:
        active = await self.active(session.room)
        if active is None:
            return None
        config = active[0]
        others: list[BreakoutPeer] = []
        for breakout in [None, *(r.id for r in config.rooms)]:
            if breakout == session.breakout:
                continue
            for participant in await self.ctx.state.participants(session.room, breakout):
                if participant.kind != "recorder":
                    others.append(core.peer(participant, breakout))
        return JoinData(
            current=session.breakout,
            expires=config.expires,
            rooms=config.rooms,
            participants=others,
        )
