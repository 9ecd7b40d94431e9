"""The node's registry of local sessions by channel, and local fan-out.

An event is published once per audience as a :class:`Delivery` on one channel: every node
subscribed to the channel, the publishing one included, decodes it once when it comes back
numbered, so all nodes hand one channel's deliveries to their sessions in the same order.
Each local session whose state and role match the audience gets the same pre-encoded frame.
The node subscribes to a channel on the broker while at least one local session needs it.

Channels (reference §15.3, one Redis channel per routing key):

* :func:`room_channel` — everyone in one signaling room (main room or one breakout room);
* :func:`global_channel` — everyone of a parent room: main, breakout and waiting room;
* :func:`participant_channel` — the session(s) of one participant id in a parent room;
* :func:`group_channel` — the members of one chat group in one signaling room.

Each carries its parent room's hash tag ``{room}``: on a Redis Cluster a room's channels,
their histories and its live state share one slot.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.broker import Broker
from signaling.errors import CloseCode
from signaling.metrics import Metrics
from signaling.state import Keep
from signaling.transport import text_frame

if TYPE_CHECKING:
    from signaling.session import Session

log = logging.getLogger(__name__)


class Audience(enum.IntEnum):
    """Which sessions on a channel receive a delivery."""

    JOINED = 0  # sessions in state Joined
    MODERATORS = 1  # joined sessions whose role is moderator at delivery time
    PRESENT = 2  # sessions in state Waiting or Joined
    ANY = 3  # every session on the channel, whatever its state


class Delivery(msgspec.Struct, array_like=True, omit_defaults=True):
    """What travels on a channel: a frame for the audience and/or a signal for a module.

    ``frame`` is a complete text frame, written as-is. Where the content differs per
    recipient (shared chat groups in ``joined``), ``personal`` is data the module named by
    ``namespace`` renders into each recipient's frame, synchronously and in order. ``signal``
    is module data the receiving sessions hand to that module (for instance "change your
    role", "close now"); it is handled after the frame is queued.
    """

    frame: str | None = None
    audience: Audience = Audience.JOINED
    exclude: str | None = None
    namespace: str | None = None
    signal: Any = None
    personal: Any = None
    skip: str | None = None  # a room channel whose sessions do not get it (breakout joined/left)
    joined_seq: int | None = None  # a ``joined``'s join counter: a session whose own join
    # came later listed that participant in its join_success already and drops it


def room_channel(room: str, breakout: str | None) -> str:
    return f"room:{{{room}}}" if breakout is None else f"room:{{{room}}}:{breakout}"


def group_channel(room: str, breakout: str | None, group: str) -> str:
    """The members of one chat group in one signaling room."""
    return f"{room_channel(room, breakout)}:group:{group}"


def global_channel(room: str) -> str:
    return f"global:{{{room}}}"


def participant_channel(room: str, pid: str) -> str:
    return f"participant:{{{room}}}:{pid}"


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Delivery)


class Hub:
    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self.metrics = Metrics()  # the process's figures; sessions add to them
        self._channels: dict[str, set[Session]] = {}
        self._subscribing: dict[str, asyncio.Future[None]] = {}  # subscriptions under way
        self._own: dict[bytes, Delivery] = {}  # this node's publications on their way back
        self.idle = asyncio.Event()  # set while no local session is attached
        self.idle.set()
        broker.set_handlers(self._on_message, self._on_resync)

    def sessions(self) -> list[Session]:
        """Every local session that is attached to at least one channel."""
        return list({s for members in self._channels.values() for s in members})

    async def attach(self, session: Session, channels: list[str]) -> None:
        """Make ``session`` receive what is published on ``channels`` from now on."""
        new = [channel for channel in channels if channel not in self._channels]
        joining = {self._subscribing[c] for c in channels if c in self._subscribing}
        for channel in channels:
            self._channels.setdefault(channel, set()).add(session)
        self.idle.clear()
        done = asyncio.get_running_loop().create_future()
        for channel in new:
            self._subscribing[channel] = done
        try:
            await self._broker.subscribe(new)
            for other in joining:  # another session's subscription to a channel we share
                await asyncio.shield(other)
        except BaseException:
            await self.detach(session, channels)
            raise
        finally:
            for channel in new:
                if self._subscribing.get(channel) is done:
                    del self._subscribing[channel]
            done.set_result(None)

    async def detach(self, session: Session, channels: list[str]) -> None:
        gone = []
        for channel in channels:
            members = self._channels.get(channel)
            if members is None:
                continue
            members.discard(session)
            if not members:
                del self._channels[channel]
                gone.append(channel)
        if not self._channels:
            self.idle.set()
        if gone:
            await self._broker.unsubscribe(gone)

    async def publish(self, channel: str, delivery: Delivery, keep: Keep | None = None) -> None:
        """Send one delivery to every session on ``channel``, on every node, in the channel's
        order; returns once the local sessions have it. A delivery the broker refuses reaches
        nobody, so the command fails as a whole. With ``keep``, its item is kept in the same
        step (:meth:`signaling.broker.Broker.publish`; :class:`~signaling.errors.Refused`)."""
        data = _encoder.encode(delivery)
        if channel not in self._channels:
            await self._broker.publish(channel, data, keep)
            return
        # It comes back to this node numbered: hand over the object, not a decoded copy.
        self._own[data] = delivery
        try:
            await self._broker.publish(channel, data, keep)
        finally:
            self._own.pop(data, None)

    def _deliver(self, channel: str, delivery: Delivery) -> None:
        members = self._channels.get(channel)
        if members:
            wire = None if delivery.frame is None else text_frame(delivery.frame)  # once
            for session in tuple(members):
                session.deliver(delivery, wire)

    def _on_message(self, channel: str, data: bytes) -> None:
        if channel not in self._channels:
            return
        delivery = self._own.pop(data, None)
        if delivery is None:
            try:
                delivery = _decoder.decode(data)
            except msgspec.DecodeError:
                log.error("dropping an undecodable delivery on %s", channel)
                return
        self._deliver(channel, delivery)

    def _on_resync(self, channel: str) -> None:
        """Deliveries on ``channel`` were lost for good: its sessions reconnect and resume."""
        for session in tuple(self._channels.get(channel, ())):
            session.close(CloseCode.RESTART, reason="missed room events")
