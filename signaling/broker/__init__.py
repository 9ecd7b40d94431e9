"""Cross-node messaging: publish bytes on a channel, receive what is published on channels
this node subscribed to.

Guarantees every implementation gives (the contract tests check them):

* Messages published by one node on one channel reach each subscribed node in publish
  order, each exactly once while both stay connected (fire-and-forget like Redis pub/sub:
  nothing is stored for nodes that are not subscribed at publish time).
* A node receives its own publications on channels it is subscribed to.
* ``subscribe`` and ``unsubscribe`` are reference-free and idempotent: the hub keeps the
  counting; the broker only mirrors the set of channels the node wants.
* The handler is called with ``(channel, data)`` from the event loop and must not block.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Handler = Callable[[str, bytes], None]


class Broker(Protocol):
    def set_handler(self, handler: Handler) -> None:
        """The one callback that receives every message for this node."""

    async def publish(self, channel: str, data: bytes) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def close(self) -> None: ...
