"""The waiting room (reference §5.1 step 4, §8.4, §17.2, §17.6, §17.14) of the ``moderation``
module: its ``admit`` hook holds joiners, its ``release`` lets accepted ones enter, its
commands switch the room and accept people.

Lists and counts live in the room state; who was accepted lives there too (``accept`` wins
once across nodes). The skip flag of an accepted participant is an expiring key, so a
reconnect within ``SKIP_TTL`` seconds does not queue it again.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import msgspec

from signaling.errors import BACKEND_ERRORS
from signaling.hub import Audience, Delivery, global_channel, participant_channel
from signaling.modules import Admission
from signaling.modules.control.core import peer
from signaling.modules.moderation.core import never_waits
from signaling.modules.moderation.signal import ModerationSignal
from signaling.modules.moderation.types import (
    Accepted,
    InWaitingRoom,
    JoinedWaitingRoom,
    LeftWaitingRoom,
    WaitingParticipant,
    WaitingRoomDisabled,
    WaitingRoomEnabled,
)
from signaling.session import ConnState
from signaling.state import Participant
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.modules.context import ModuleContext
    from signaling.session import Session

WAITING_ROOM_ENABLED = "waiting_room_enabled"
SKIP_TTL = 120.0
NAMESPACE = "moderation"


class Held(msgspec.Struct):
    """``session.data`` of a waiting session."""

    participant: Participant
    accepted: bool = False


def _skip_key(pid: str) -> str:
    return f"skip_waiting_room:{pid}"


class WaitingRoom:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx

    async def enabled(self, room: str) -> bool:
        """The room's flag, initialised once from the room record (§5.1 step 4)."""
        record = await self.ctx.registry.get_room(room)
        default = record.waiting_room if record is not None else False
        return await self.ctx.state.init_flag(room, WAITING_ROOM_ENABLED, default)

    async def admit(self, session: Session, participant: Participant) -> Admission:
        """Hold the joiner if it must wait (counted, the moderators told), else let it in."""
        if not await self._applies(session, participant):
            return Admission.ENTER
        return await self._hold(session, participant)

    async def _applies(self, session: Session, participant: Participant) -> bool:
        """Whether ``participant`` must wait; a SIP caller with ``lobby`` switches it on."""
        if never_waits(participant):
            return False
        if await self.ctx.store.get(_skip_key(participant.id)) is not None:
            return False
        if await self.enabled(session.room):
            return True
        if participant.kind != "sip":
            return False
        sip = await self.ctx.registry.get_sip_config(session.room)
        if sip is None or not sip.lobby:
            return False
        await self.set_enabled(session.room, True)
        return True

    async def set_enabled(self, room: str, enabled: bool) -> None:
        """Switch the flag; everyone joined (main and breakout rooms) hears of it, also when
        it did not change. Disabling accepts everyone waiting (§17.14)."""
        state = self.ctx.state
        was = await self.enabled(room)
        await state.set_flag(room, WAITING_ROOM_ENABLED, enabled)
        event = WaitingRoomEnabled() if enabled else WaitingRoomDisabled()
        try:
            await self.ctx.publish(
                global_channel(room), Delivery(frame=encode_event(NAMESPACE, event))
            )
        except BACKEND_ERRORS:  # nobody heard of it: as it was
            await state.set_flag(room, WAITING_ROOM_ENABLED, was)
            raise
        if not enabled:
            for participant, accepted in await self.ctx.state.waiting(room):
                if not accepted:
                    await self.accept(room, participant.id)

    async def _hold(self, session: Session, participant: Participant) -> Admission:
        """Count the joiner and keep it waiting (or find the room full)."""
        state, limit = self.ctx.state, self.ctx.settings.participant_limit
        if not await state.hold(session.room, participant, limit=limit):
            return Admission.FULL
        try:  # the moderators hear of it before the joiner is told it waits
            await self._tell_moderators(session.room, _arrived(participant))
        except BACKEND_ERRORS:
            await state.unhold(session.room, participant.id)
            raise
        self._wait(session, participant)
        return Admission.HOLD

    async def send_back(self, session: Session) -> None:
        """A joined participant goes back to waiting (``send_to_waiting_room``)."""
        ctx = self.ctx
        participant = await ctx.state.move_to_waiting(
            session.room, session.breakout, session.id, format_timestamp(utcnow()), session.runner
        )
        if participant is None:
            return
        # it has moved already: the others must hear of it
        await ctx.reliably(
            partial(
                ctx.roster.announce_left,
                session.room,
                session.breakout,
                session.id,
                "sent_to_waiting_room",
            )
        )
        await ctx.joins.leave_hooks(session)
        await ctx.reliably(partial(self._tell_moderators, session.room, _arrived(participant)))
        self._wait(session, participant)

    def _wait(self, session: Session, participant: Participant) -> None:
        session.state = ConnState.WAITING
        session.data[NAMESPACE] = Held(participant)
        session.send(NAMESPACE, InWaitingRoom())

    async def accept(self, room: str, pid: str) -> bool:
        """Let one waiting participant in; True for exactly one caller across nodes."""
        if not await self.ctx.state.accept(room, pid):
            return False
        await self.ctx.store.put(_skip_key(pid), b"1", SKIP_TTL)
        accepted = Delivery(
            frame=encode_event(NAMESPACE, Accepted()),
            audience=Audience.PRESENT,
            namespace=NAMESPACE,
            signal=ModerationSignal(accepted=True),
        )
        # accepted for good: the participant must hear of it
        await self.ctx.reliably(partial(self.ctx.publish, participant_channel(room, pid), accepted))
        return True

    def mark_accepted(self, session: Session) -> None:
        held = session.data.get(NAMESPACE)
        if session.state == ConnState.WAITING and isinstance(held, Held):
            held.accepted = True

    async def release(self, session: Session) -> Participant | None:
        """An accepted session enters (``enter_room``); None if it may not."""
        held = session.data.get(NAMESPACE)
        if session.state != ConnState.WAITING or not isinstance(held, Held) or not held.accepted:
            return None
        if not await self.ctx.state.admit(session.room, session.id):
            return None
        gone = LeftWaitingRoom(id=session.id)
        await self.ctx.reliably(partial(self._tell_moderators, session.room, gone))
        del session.data[NAMESPACE]
        return held.participant

    async def forsake(self, room: str, pid: str) -> None:
        """Drop a waiting participant whose session is gone (closed, or its node died)."""
        if await self.ctx.state.unhold(room, pid):
            gone = LeftWaitingRoom(id=pid)
            await self.ctx.reliably(partial(self._tell_moderators, room, gone))

    async def forget(self, pid: str) -> None:
        """Clear the skip flag: the next join waits again (kick, ban, debrief)."""
        await self.ctx.store.delete(_skip_key(pid))

    async def refresh(self, pids: list[str]) -> None:
        await self.ctx.store.refresh_all([_skip_key(pid) for pid in pids], SKIP_TTL)

    async def listing(self, room: str) -> list[WaitingParticipant]:
        return [
            WaitingParticipant(
                id=participant.id,
                control=peer(participant),
                waiting_room_state="accepted" if accepted else "waiting",
            )
            for participant, accepted in await self.ctx.state.waiting(room)
        ]

    async def _tell_moderators(self, room: str, event: msgspec.Struct) -> None:
        await self.ctx.publish(
            global_channel(room),
            Delivery(frame=encode_event(NAMESPACE, event), audience=Audience.MODERATORS),
        )


def _arrived(participant: Participant) -> JoinedWaitingRoom:
    return JoinedWaitingRoom(id=participant.id, control=peer(participant))
