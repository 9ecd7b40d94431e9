"""The ``polls`` module (reference §10, §19.6): one running poll per signaling room.

The poll is a room-state value (created only if none runs, deleted by whoever ends it first:
``finish`` or the expiry timer, so ``done`` goes out exactly once); votes are a map of
participant → current choices, so a re-vote replaces and concurrent votes on different nodes
never double-count. A duration is a shared timer any node may fire.
"""

from __future__ import annotations

import time
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS
from signaling.hub import Delivery, room_channel
from signaling.modules import Errors, Module
from signaling.modules.polls.core import apply_vote, tally, validate
from signaling.modules.polls.types import (
    Choice,
    Command,
    Done,
    ErrorCode,
    Event,
    Finish,
    LiveUpdate,
    Poll,
    Result,
    Start,
    Started,
    Vote,
)
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.session import Session

NAMESPACE = "polls"
error = Errors[ErrorCode](NAMESPACE)
_poll = msgspec.json.Decoder(Poll)
_choices = msgspec.json.Decoder(list[int])


def _config(breakout: str | None) -> str:
    return f"polls:{breakout or 'main'}"


def _votes(breakout: str | None, poll_id: str) -> str:
    return f"polls:{breakout or 'main'}:{poll_id}:votes"


def _timer(room: str, breakout: str | None, poll_id: str) -> str:
    return f"{NAMESPACE}:{room}:{breakout or 'main'}:{poll_id}"


class PollsModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = Poll

    async def on_command(self, session: Session, command: Any) -> None:
        match command:
            case Start():
                await self._start(session, command)
            case Vote():
                await self._vote(session, command)
            case Finish():
                await self._finish(session, command.id)

    async def _running(self, room: str, breakout: str | None) -> tuple[Poll, bytes] | None:
        raw = await self.ctx.state.value(room, _config(breakout))
        return None if raw is None else (_poll.decode(raw), raw)

    async def _start(self, session: Session, command: Start) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        if await self._running(session.room, session.breakout) is not None:
            error(session, "still_running")
            return
        invalid = validate(command)
        if invalid is not None:
            error(session, invalid)
            return
        moment = utcnow()
        poll = Poll(
            id=str(uuid.uuid4()),
            topic=command.topic,
            live=command.live,
            multiple_choice=command.multiple_choice,
            choices=[Choice(id=i, content=text) for i, text in enumerate(command.choices)],
            started=format_timestamp(moment),
            duration=command.duration or 0,
        )
        state = self.ctx.state
        if not await state.put_new_value(
            session.room, _config(session.breakout), msgspec.json.encode(poll)
        ):
            error(session, "still_running")
            return
        if poll.duration:
            await state.schedule(
                _timer(session.room, session.breakout, poll.id), time.time() + poll.duration
            )
        started = Started(
            id=poll.id,
            topic=poll.topic,
            live=poll.live,
            multiple_choice=poll.multiple_choice,
            choices=poll.choices,
            duration=poll.duration,
        )
        try:
            await self.ctx.publish(
                room_channel(session.room, session.breakout),
                Delivery(frame=encode_event(NAMESPACE, started, moment)),
            )
        except BACKEND_ERRORS:  # nobody heard of it: no poll runs
            await state.unschedule(_timer(session.room, session.breakout, poll.id))
            await state.take_value(
                session.room, _config(session.breakout), msgspec.json.encode(poll)
            )
            raise

    async def _vote(self, session: Session, command: Vote) -> None:
        running = await self._running(session.room, session.breakout)
        if running is None or running[0].id != command.poll_id:
            error(session, "invalid_poll_id")
            return
        poll = running[0]
        if command.choice_id is not None:
            choices = [command.choice_id]
        else:
            choices = list(command.choice_ids or [])
        if len(set(choices)) > 1 and not poll.multiple_choice:
            error(session, "multiple_choices_not_allowed")
            return
        if any(not 0 <= choice < len(poll.choices) for choice in choices):
            error(session, "invalid_choice_id")
            return
        state = self.ctx.state
        name = _votes(session.breakout, poll.id)
        await state.set_entry(
            session.room, name, session.id, msgspec.json.encode(sorted(set(choices)))
        )
        if poll.live:  # the vote counts: the room must see the new results
            results = await self._results(session.room, session.breakout, poll)
            update = Delivery(
                frame=encode_event(NAMESPACE, LiveUpdate(id=poll.id, results=results))
            )
            channel = room_channel(session.room, session.breakout)
            await self.ctx.reliably(partial(self.ctx.publish, channel, update))

    async def _results(self, room: str, breakout: str | None, poll: Poll) -> list[Result]:
        entries = await self.ctx.state.entries(room, _votes(breakout, poll.id))
        votes: dict[str, list[int]] = {}
        for participant, raw in entries.items():
            votes = apply_vote(votes, participant, _choices.decode(raw))
        counts = tally(len(poll.choices), votes)
        return [Result(id=i, count=count) for i, count in enumerate(counts)]

    async def _finish(self, session: Session, poll_id: str) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        running = await self._running(session.room, session.breakout)
        if (
            running is None
            or running[0].id != poll_id
            or not await self._end(session.room, session.breakout, *running)
        ):
            error(session, "invalid_poll_id")

    async def _end(self, room: str, breakout: str | None, poll: Poll, raw: bytes) -> bool:
        """Delete the poll and send ``done`` (and the ``poll.done`` webhook event with the
        deletion), if nobody else ended it first."""
        state = self.ctx.state
        results = await self._results(room, breakout, poll)
        notice = {
            "poll_id": poll.id,
            "topic": poll.topic,
            "breakout_room": breakout,
            "choices": msgspec.to_builtins(poll.choices),
            "results": msgspec.to_builtins(results),
        }
        if not await state.take_value(room, _config(breakout), raw, ("poll.done", notice)):
            return False
        await state.unschedule(_timer(room, breakout, poll.id))
        done = Delivery(frame=encode_event(NAMESPACE, Done(id=poll.id, results=results)))
        await self.ctx.reliably(partial(self.ctx.publish, room_channel(room, breakout), done))
        return True

    async def on_timer(self, key: str) -> None:
        _, room, sroom, poll_id = key.split(":")
        breakout = None if sroom == "main" else sroom
        running = await self._running(room, breakout)
        if running is not None and running[0].id == poll_id:
            await self._end(room, breakout, *running)

    async def join_data(self, session: Session) -> Any:
        running = await self._running(session.room, session.breakout)
        return None if running is None else running[0]
