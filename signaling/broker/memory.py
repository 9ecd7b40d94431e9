"""In-process :class:`~signaling.broker.Broker`. Brokers sharing one :class:`MemoryBus`
behave like nodes sharing one Redis (numbering, history and the sequencer included); a node
alone has a bus of its own (and nobody to forward to).

:meth:`MemoryBroker.cut` and :meth:`MemoryBroker.restore` break and mend one node's link to
the bus, and :meth:`MemoryBus.forget` loses a channel's numbering and history, as a Redis
restart without its data would: the contract suite uses them to prove gap repair and resync
on this backend as on Redis.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from signaling.broker.sequencer import (
    NO_EPOCH,
    Cursor,
    Handler,
    History,
    Resync,
    Sequencer,
    new_epoch,
    numbered,
    parse,
)
from signaling.errors import Refused

if TYPE_CHECKING:
    from signaling.state import Keep
    from signaling.state.memory import MemoryState


class _Channel:
    __slots__ = ("epoch", "history", "seq")

    def __init__(self, size: int) -> None:
        self.epoch = new_epoch()
        self.seq = 0
        self.history: deque[bytes] = deque(maxlen=size)


class MemoryBus:
    """The medium several in-process brokers share: subscribers, numbering, history."""

    def __init__(self, history_size: int = 1000) -> None:
        self.brokers: list[MemoryBroker] = []
        self.history_size = history_size
        self._channels: dict[str, _Channel] = {}

    def number(self, channel: str, body: bytes) -> bytes:
        """Give ``body`` the channel's next number and keep it in the history."""
        state = self._channels.get(channel)
        if state is None:
            state = self._channels[channel] = _Channel(self.history_size)
        state.seq += 1
        raw = numbered(state.epoch, state.seq, body)
        state.history.append(raw)
        return raw

    def head(self, channel: str) -> Cursor:
        state = self._channels.get(channel)
        return Cursor(NO_EPOCH, 0) if state is None else Cursor(state.epoch, state.seq)

    def history(self, channel: str, epoch: bytes, after: int) -> History:
        state = self._channels.get(channel)
        if state is None:
            return History(NO_EPOCH, 0, [])
        if epoch not in (NO_EPOCH, state.epoch):
            return History(state.epoch, state.seq, None)
        missing = state.seq - (after if epoch == state.epoch else 0)
        if missing > len(state.history):
            return History(state.epoch, state.seq, None)
        kept = list(state.history)[len(state.history) - missing :] if missing > 0 else []
        return History(state.epoch, state.seq, [parse(raw) for raw in kept])

    def forget(self, channel: str) -> None:
        """Lose the channel's numbering and history."""
        self._channels.pop(channel, None)


class MemoryBroker:
    """``state``: where publications keep (:class:`~signaling.state.Keep`), in the same step."""

    def __init__(self, bus: MemoryBus, state: MemoryState) -> None:
        self._state = state
        self._bus = bus
        self._bus.brokers.append(self)
        self._sequencer = Sequencer(self._fetch)
        self._linked = True

    @property
    def resyncs(self) -> int:
        return self._sequencer.resyncs

    def set_handlers(self, handler: Handler, resync: Resync) -> None:
        self._sequencer.set_handlers(handler, resync)

    async def start(self) -> None:
        return None

    async def publish(self, channel: str, data: bytes, keep: Keep | None = None) -> None:
        if keep is not None and not self._state.keep_now(keep):
            raise Refused(f"{channel}: the room's {keep.unless_off} is off")
        number, body = self._sequencer.publishing(data)
        raw = self._bus.number(channel, body)
        for broker in tuple(self._bus.brokers):
            if broker._linked:
                broker._sequencer.offer(channel, raw)
        await self._sequencer.delivered(number, channel, timeout=0)

    async def subscribe(self, channels: list[str]) -> None:
        for channel in channels:
            if not self._sequencer.is_subscribed(channel):
                self._sequencer.add(channel)
                self._sequencer.start(channel, self._bus.head(channel))

    async def unsubscribe(self, channels: list[str]) -> None:
        for channel in channels:
            self._sequencer.remove(channel)

    async def _fetch(self, channel: str, epoch: bytes, after: int) -> History:
        if not self._linked:
            raise ConnectionError("the link to the bus is cut")
        return self._bus.history(channel, epoch, after)

    def cut(self) -> None:
        """Stop receiving (what is published meanwhile is missed, as on a dead link)."""
        self._linked = False

    def restore(self) -> None:
        """Receive again and repair every channel from the bus's history."""
        self._linked = True
        self._sequencer.reconnected()

    async def close(self) -> None:
        await self._sequencer.close()
        if self in self._bus.brokers:
            self._bus.brokers.remove(self)
