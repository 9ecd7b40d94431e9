"""The waiting room (reference §5.1 step 4, §8.4, §17.2, §17.6, §17.14), shared by ``control``
(which holds joiners and lets accepted ones enter) and ``moderation`` (whose commands switch
it and accept people).

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
from signaling.wire import encode_event

if TYPE_CHECKING:
    from signaling.modules.control.module import ControlModule
    from signaling.node import Node
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
    def __init__(self, node: Node, control: ControlModule) -> None:
        self.node = node
        self.control = control

    async def enabled(self, room: str) -> bool:
        """The room's flag, initialised once from the room record (§5.1 step 4)."""
        record = await self.node.registry.get_room(room)
        default = record.waiting_room if record is not None else False
        return await self.node.state.init_flag(room, WAITING_ROOM_ENABLED, default)

    async def applies(self, session: Session, participant: Participant) -> bool:
        """Whether ``participant`` must wait; a SIP caller with ``lobby`` switches it on."""
        if participant.role == "moderator" or participant.kind == "recorder":
            return False
        if await self.node.store.get(_skip_key(participant.id)) is not None:
            return False
        if await self.enabled(session.room):
            return True
        if participant.kind != "sip":
            return False
        sip = await self.node.registry.get_sip_config(session.room)
        if sip is None or not sip.lobby:
            return False
        await self.set_enabled(session.room, True)
        return True

    async def set_enabled(self, room: str, enabled: bool) -> None:
        """Switch the flag; everyone joined (main and breakout rooms) hears of it, also when
        it did not change. Disabling accepts everyone waiting (§17.14)."""
        state = self.node.state
        was = await self.enabled(room)
        await state.set_flag(room, WAITING_ROOM_ENABLED, enabled)
        event = WaitingRoomEnabled() if enabled else WaitingRoomDisabled()
        try:
            await self.node.hub.publish(
                global_channel(room), Delivery(frame=encode_event(NAMESPACE, event))
            )
        except BACKEND_ERRORS:  # nobody heard of it: as it was
            await state.set_flag(room, WAITING_ROOM_ENABLED, was)
            raise
        if not enabled:
            for participant, accepted in await self.node.state.waiting(room):
                if not accepted:
                    await self.accept(room, participant.id)

    async def hold(self, session: Session, participant: Participant) -> None:
        """Count the joiner and keep it waiting (or tell it the room is full)."""
        node = self.node
        if not await node.state.hold(
            session.room, participant, limit=node.settings.participant_limit
        ):
            session.join_blocked = True
            self.control.send_join_blocked(session)
            return
        try:  # the moderators hear of it before the joiner is told it waits
            await self._tell_moderators(session.room, self._arrived(participant))
        except BACKEND_ERRORS:
            await node.state.unhold(session.room, participant.id)
            raise
        self._wait(session, participant)

    async def send_back(self, session: Session) -> None:
        """A joined participant goes back to waiting (``send_to_waiting_room``)."""
        participant = await self.node.state.move_to_waiting(
            session.room, session.breakout, session.id, self.control.now(), session.runner
        )
        if participant is None:
            return
        # it has moved already: the others must hear of it
        reliably = self.node.reliably
        await reliably(
            partial(
                self.control.announce_left,
                session.room,
                session.breakout,
                session.id,
                "sent_to_waiting_room",
            )
        )
        await self.control.leave_hooks(session)
        await reliably(partial(self._tell_moderators, session.room, self._arrived(participant)))
        self._wait(session, participant)

    def _arrived(self, participant: Participant) -> JoinedWaitingRoom:
        return JoinedWaitingRoom(
            id=participant.id, control=self.control.peer_data(participant, None)
        )

    def _wait(self, session: Session, participant: Participant) -> None:
        session.state = ConnState.WAITING
        session.data[NAMESPACE] = Held(participant)
        session.send(NAMESPACE, InWaitingRoom())

    async def accept(self, room: str, pid: str) -> bool:
        """Let one waiting participant in; True for exactly one caller across nodes."""
        if not await self.node.state.accept(room, pid):
            return False
        await self.node.store.put(_skip_key(pid), b"1", SKIP_TTL)
        accepted = Delivery(
            frame=encode_event(NAMESPACE, Accepted()),
            audience=Audience.PRESENT,
            namespace=NAMESPACE,
            signal={"accepted": True},
        )
        # accepted for good: the participant must hear of it
        await self.node.reliably(
            partial(self.node.hub.publish, participant_channel(room, pid), accepted)
        )
        return True

    def mark_accepted(self, session: Session) -> None:
        held = session.data.get(NAMESPACE)
        if session.state == ConnState.WAITING and isinstance(held, Held):
            held.accepted = True

    async def admit(self, session: Session) -> Participant | None:
        """An accepted session enters (``enter_room``); None if it may not."""
        held = session.data.get(NAMESPACE)
        if session.state != ConnState.WAITING or not isinstance(held, Held) or not held.accepted:
            return None
        if not await self.node.state.admit(session.room, session.id):
            return None
        gone = LeftWaitingRoom(id=session.id)
        await self.node.reliably(partial(self._tell_moderators, session.room, gone))
        del session.data[NAMESPACE]
        return held.participant

    async def leave(self, session: Session) -> None:
        """A waiting session closed: off the lists, uncounted, moderators told."""
        await self.forsake(session.room, session.id)

    async def forsake(self, room: str, pid: str) -> None:
        """Drop a waiting participant whose session is gone (closed, or its node died)."""
        if await self.node.state.unhold(room, pid):
            gone = LeftWaitingRoom(id=pid)
            await self.node.reliably(partial(self._tell_moderators, room, gone))

    async def forget(self, pid: str) -> None:
        """Clear the skip flag: the next join waits again (kick, ban, debrief)."""
        await self.node.store.delete(_skip_key(pid))

    async def refresh(self, pid: str) -> None:
        await self.node.store.refresh(_skip_key(pid), SKIP_TTL)

    async def listing(self, room: str) -> list[WaitingParticipant]:
        return [
            WaitingParticipant(
                id=participant.id,
                control=self.control.peer_data(participant, None),
                waiting_room_state="accepted" if accepted else "waiting",
            )
            for participant, accepted in await self.node.state.waiting(room)
        ]

    async def _tell_moderators(self, room: str, event: msgspec.Struct) -> None:
        await self.node.hub.publish(
            global_channel(room),
            Delivery(frame=encode_event(NAMESPACE, event), audience=Audience.MODERATORS),
        )
