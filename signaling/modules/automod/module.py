"""The ``automod`` module (supplement B): one talking-stick session per signaling room.

The session is one room-state value with a version; a step claims its version (stored only
where none is, so one node wins each version) and then writes the next one, so concurrent
steps on different nodes apply one after the other. The speaker's time limit and a watch
over the speaker (a dead node runs no leave hook, B.8-5) are shared timers any node fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, BackendUnavailable
from signaling.hub import Delivery, room_channel
from signaling.modules import Errors, Module
from signaling.modules.automod import core
from signaling.modules.automod.core import Outcome, Talk
from signaling.modules.automod.types import (
    Command,
    Edit,
    ErrorCode,
    Event,
    JoinData,
    Parameter,
    Select,
    Start,
    Stop,
    Yield,
)
from signaling.session import ConnState
from signaling.wire import encode_event

if TYPE_CHECKING:
    from signaling.session import Session
    from signaling.state import Participant

NAMESPACE = "automod"
error = Errors[ErrorCode](NAMESPACE)
ATTEMPTS = 20  # steps racing on one version: each retry sees a newer one
TURN_TTL = 5.0  # a step's turn expires this long after its node took it (a dead node)
TURN_WAIT = 3.0  # a step waits this long for its turn, then fails (service_unavailable)
WATCH_PERIOD = 1.0  # seconds between checks that the speaker is still there
_pick = random.SystemRandom().choice
Change = Callable[[Talk | None], Outcome | None]


class Slot(msgspec.Struct):
    """The stored value: the version and the running session (None: none runs)."""

    seq: int = 0
    talk: Talk | None = None


_slot = msgspec.json.Decoder(Slot)


def _name(breakout: str | None, *parts: str) -> str:
    return ":".join((NAMESPACE, breakout or "main", *parts))


def _timer(room: str, breakout: str | None, what: str, ident: str) -> str:
    return f"{NAMESPACE}:{room}:{breakout or 'main'}:{what}:{ident}"


def _limit(talk: Talk) -> str:
    return f"{talk.id}.{talk.turn}"


def running(change: Callable[[Talk], Outcome | None]) -> Change:
    """A step that does nothing while no session runs (B.2)."""
    return lambda talk: None if talk is None else change(talk)


class AutomodModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = JoinData

    async def _talk(self, room: str, breakout: str | None) -> Slot:
        raw = await self.ctx.state.value(room, _name(breakout))
        return Slot() if raw is None else _slot.decode(raw)

    async def _members(self, room: str, breakout: str | None) -> set[str]:
        """Present participants: the only ones a list may name (B.8-4)."""
        participants = await self.ctx.state.participants(room, breakout)
        return {p.id for p in participants if p.left_at is None}

    async def on_command(self, session: Session, command: Any) -> None:
        room, breakout = session.room, session.breakout
        specific = isinstance(command, Select) and command.how == "specific"
        if specific and None in (command.participant, command.keep_in_remaining):
            return  # an invalid payload (B.2)
        if isinstance(command, Yield):
            sender, successor = session.id, command.next
            change = running(lambda t: core.yield_turn(t, sender, successor, _pick))
            await self._step(room, breakout, change, session)
            return
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        members = await self._members(room, breakout)
        match command:
            case Start():
                await self._start(session, command, members)
            case Edit():
                lists = command.allow_list, command.playlist
                change = running(lambda t: core.edit(t, *lists, members))
                await self._step(room, breakout, change, session)
            case Stop():
                issuer = session.id
                await self._step(room, breakout, running(lambda t: core.stop(t, issuer)), session)
            case Select():
                how, pid, keep = command.how, command.participant, command.keep_in_remaining
                change = running(lambda t: core.select(t, how, pid, keep, members, _pick))
                await self._step(room, breakout, change, session)

    async def _start(self, session: Session, command: Start, members: set[str]) -> None:
        fields = {name: getattr(command, name) for name in Parameter.__struct_fields__}
        new = Talk(
            id=str(uuid.uuid4()),
            issued_by=session.id,
            parameter=Parameter(**fields),
            allow_list=list(command.allow_list or ()),
            playlist=list(command.playlist or ()),
        )
        change: Change = lambda t: core.start(t, new, members)  # noqa: E731
        await self._step(session.room, session.breakout, change, session)

    async def _step(
        self,
        room: str,
        breakout: str | None,
        change: Change,
        session: Session | None,
    ) -> Talk | None:
        """Apply ``change`` to the running session (or None) as one step and tell every
        member. A command's step is undone if its announcement fails; a hook's
        (``session`` None) is announced reliably. Returns the session after the step."""
        async with self._turn(room, breakout):
            return await self._step_alone(room, breakout, change, session)

    @contextlib.asynccontextmanager
    async def _turn(self, room: str, breakout: str | None) -> AsyncIterator[None]:
        """One step at a time per signaling room, on all nodes: a step's announcement goes
        out before the next step reads the session, so every member sees the steps in the
        order they were taken. The turn expires if its node dies."""
        store, key, token = self.ctx.store, _name(breakout, "turn", room), uuid.uuid4().bytes
        loop = asyncio.get_running_loop()
        give_up = loop.time() + TURN_WAIT
        while not await store.put_new(key, token, TURN_TTL):
            if loop.time() > give_up:
                raise BackendUnavailable("the talking stick is busy")
            await asyncio.sleep(0.005)
        try:
            yield
        finally:
            await store.delete_if(key, token)

    async def _step_alone(
        self,
        room: str,
        breakout: str | None,
        change: Change,
        session: Session | None,
    ) -> Talk | None:
        state = self.ctx.state
        for _ in range(ATTEMPTS):
            slot = await self._talk(room, breakout)
            outcome = change(slot.talk)
            if outcome is None:
                return slot.talk
            if outcome.error is not None:
                if session is not None:
                    error(session, outcome.error)
                return slot.talk
            if not outcome.events and outcome.talk == slot.talk:
                return slot.talk
            if not await state.put_new_value(room, _name(breakout, "step", str(slot.seq)), b""):
                continue  # another step took this version first
            after = Slot(slot.seq + 1, outcome.talk)
            await state.put_value(room, _name(breakout), msgspec.json.encode(after))
            try:
                await self._announce(room, breakout, outcome, session)
            except BACKEND_ERRORS:  # nobody heard of it: the previous session stays
                await self._restore(room, breakout, after, slot.talk)
                raise
            await self._arm(room, breakout, slot.talk, outcome.talk)
            return outcome.talk
        return None

    async def _announce(
        self, room: str, breakout: str | None, outcome: Outcome, session: Session | None
    ) -> None:
        publish, channel = self.ctx.publish, room_channel(room, breakout)
        for event in outcome.events:
            delivery = Delivery(frame=encode_event(NAMESPACE, event))
            if session is not None:
                await publish(channel, delivery)
            else:
                await self.ctx.reliably(partial(publish, channel, delivery))

    async def _restore(
        self, room: str, breakout: str | None, after: Slot, talk: Talk | None
    ) -> None:
        state = self.ctx.state
        if await state.put_new_value(room, _name(breakout, "step", str(after.seq)), b""):
            back = Slot(after.seq + 1, talk)
            await state.put_value(room, _name(breakout), msgspec.json.encode(back))

    async def _arm(
        self, room: str, breakout: str | None, before: Talk | None, after: Talk | None
    ) -> None:
        """Keep the shared timers in step: the watch while a session runs, the time limit of
        the current turn."""
        state = self.ctx.state
        if before is not None and (after is None or after.turn != before.turn):
            await state.unschedule(_timer(room, breakout, "limit", _limit(before)))
        if after is None:
            if before is not None:
                await state.unschedule(_timer(room, breakout, "watch", before.id))
            return
        if before is None:
            watch = time.time() + WATCH_PERIOD
            await state.schedule(_timer(room, breakout, "watch", after.id), watch)
        limit = after.parameter.time_limit
        if limit and after.speaker and (before is None or after.turn != before.turn):
            at = time.time() + limit / 1000
            await state.schedule(_timer(room, breakout, "limit", _limit(after)), at)

    async def on_timer(self, key: str) -> None:
        _, room, sroom, what, ident = key.split(":")
        breakout = None if sroom == "main" else sroom
        talk = (await self._talk(room, breakout)).talk
        if what == "limit":

            def expire(t: Talk) -> Outcome | None:
                if _limit(t) != ident or t.speaker is None:
                    return None
                return core.yield_turn(t, t.speaker, None, _pick)

            await self._step(room, breakout, running(expire), None)
            return
        if talk is None or talk.id != ident:
            return
        speaker = talk.speaker
        if speaker is not None and speaker not in await self._members(room, breakout):
            talk = await self._step(room, breakout, running(partial(_leave, speaker)), None)
        if talk is not None and talk.id == ident:
            await self.ctx.state.schedule(key, time.time() + WATCH_PERIOD)

    async def on_leave(self, session: Session) -> None:
        if session.state == ConnState.JOINED:
            change = running(partial(_leave, session.id))
            await self._step(session.room, session.breakout, change, None)

    async def join_data(self, session: Session) -> Any:
        """The session as it will be once ``on_joined`` has appended the joiner (B.4)."""
        talk = (await self._talk(session.room, session.breakout)).talk
        if talk is None:
            return None
        if session.kind != "recorder":
            talk = core.join(talk, session.id).talk or talk
        return JoinData(config=core.config(talk), speaker=talk.speaker)

    async def on_joined(self, session: Session, participant: Participant) -> None:
        if session.kind != "recorder":
            pid = session.id
            change = running(lambda t: core.join(t, pid))
            await self._step(session.room, session.breakout, change, None)


def _leave(pid: str, talk: Talk) -> Outcome:
    return core.leave(talk, pid, _pick)
