"""In-process :class:`~signaling.broker.Broker`: publishing hands the message to the
handler at once, so one node delivers in publish order with no copying."""

from __future__ import annotations

from signaling.broker import Handler


class MemoryBroker:
    def __init__(self) -> None:
        self._channels: set[str] = set()
        self._handler: Handler | None = None

    def set_handler(self, handler: Handler) -> None:
        self._handler = handler

    async def publish(self, channel: str, data: bytes) -> None:
        if channel in self._channels and self._handler is not None:
            self._handler(channel, data)

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def close(self) -> None:
        self._channels.clear()
