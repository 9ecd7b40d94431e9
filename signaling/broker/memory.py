"""In-process :class:`~signaling.broker.Broker`. Brokers sharing one :class:`MemoryBus`
behave like nodes sharing one Redis; a node alone has a bus of its own (and nobody to
forward to)."""

from __future__ import annotations

from signaling.broker import Handler


class MemoryBus:
    """The medium several in-process brokers share."""

    def __init__(self) -> None:
        self.brokers: list[MemoryBroker] = []


class MemoryBroker:
    def __init__(self, bus: MemoryBus | None = None) -> None:
        self._bus = bus or MemoryBus()
        self._bus.brokers.append(self)
        self._channels: set[str] = set()
        self._handler: Handler | None = None

    def set_handler(self, handler: Handler) -> None:
        self._handler = handler

    async def start(self) -> None:
        return None

    async def publish(self, channel: str, data: bytes) -> None:
        for broker in self._bus.brokers:
            if broker is not self and channel in broker._channels and broker._handler:
                broker._handler(channel, data)

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def close(self) -> None:
        self._channels.clear()
        if self in self._bus.brokers:
            self._bus.brokers.remove(self)
