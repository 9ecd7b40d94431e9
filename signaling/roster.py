"""What every participant sees of every other (reference §5.1, §7): a participant's public
data, assembled from every module's peer hooks, and the ``joined``/``update``/``left``
announcements of the control namespace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.hub import Delivery, room_channel
from signaling.modules.control.types import Left
from signaling.state import LeaveReason, Participant
from signaling.wire import encode_event

if TYPE_CHECKING:
    from signaling.modules import Module
    from signaling.session import Session

NAMESPACE = "control"
HIDDEN_KINDS = {"recorder"}  # in the room, but nobody is told of them


class Announcement(msgspec.Struct):
    """A ``joined``/``update`` rendered per recipient."""

    message: str
    participant: Participant
    states: dict[str, Any] = {}  # peer data kept in room state, by namespace


class Roster:
    """Public data and announcements over the node's modules."""

    def __init__(
        self,
        modules: Mapping[str, Module],
        publish: Callable[[str, Delivery], Awaitable[None]],
    ) -> None:
        self._modules = modules
        self._publish = publish

    def public_data(
        self,
        participant: Participant,
        viewer: Session | None,
        states: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``{"id", <namespace>: <peer data>…}``: a participant as ``viewer`` sees it, with
        the peer data ``states`` that modules keep in room state (see ``peer_states``)."""
        data: dict[str, Any] = {"id": participant.id}
        for module in self._modules.values():
            peer = module.peer_data(participant, viewer)
            if peer is not None:
                data[module.namespace] = peer
        if states:
            data.update(states)
        return data

    async def stored_peer_data(
        self, room: str, breakout: str | None, pids: list[str]
    ) -> dict[str, dict[str, Any]]:
        """Participant id → namespace → the peer data modules keep in room state."""
        found: dict[str, dict[str, Any]] = {}
        for module in self._modules.values():
            for pid, state in (await module.peer_states(room, breakout, pids)).items():
                found.setdefault(pid, {})[module.namespace] = state
        return found

    async def announce(
        self, room: str, breakout: str | None, participant: Participant, message: str
    ) -> None:
        """Publish ``joined`` or ``update`` for ``participant`` to the others in its room; per
        recipient when it has chat groups (each sees only the groups they share)."""
        channel = room_channel(room, breakout)
        joined_seq = participant.seq if message == "joined" else None
        states = (await self.stored_peer_data(room, breakout, [participant.id])).get(
            participant.id, {}
        )
        if participant.groups:
            personal = Announcement(message=message, participant=participant, states=states)
            delivery = Delivery(
                exclude=participant.id,
                namespace=NAMESPACE,
                personal=personal,
                joined_seq=joined_seq,
            )
        else:
            frame = encode_event(
                NAMESPACE, {"message": message, **self.public_data(participant, None, states)}
            )
            delivery = Delivery(frame=frame, exclude=participant.id, joined_seq=joined_seq)
        await self._publish(channel, delivery)

    def render(self, session: Session, announcement: Announcement) -> str:
        """The frame of a per-recipient ``announce`` for ``session``."""
        data = self.public_data(announcement.participant, session, announcement.states)
        return encode_event(NAMESPACE, {"message": announcement.message, **data})

    async def announce_left(
        self, room: str, breakout: str | None, pid: str, reason: LeaveReason
    ) -> None:
        """Publish ``left`` for ``pid`` to the others in its signaling room."""
        frame = encode_event(NAMESPACE, Left(id=pid, reason=reason))
        await self._publish(room_channel(room, breakout), Delivery(frame=frame, exclude=pid))
