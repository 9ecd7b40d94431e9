"""Cross-node messaging: a node publishes bytes on a channel; every *other* node subscribed
to that channel receives them.

Guarantees every implementation gives (the contract tests check them):

* Messages published by one node on one channel reach each other subscribed node in publish
  order, each exactly once while both stay connected (fire-and-forget like Redis pub/sub:
  nothing is stored for nodes that are not subscribed at publish time).
* A node never receives its own publications: the hub has already delivered them to its
  local sessions, which keeps local delivery immediate and in order.
* ``subscribe`` and ``unsubscribe`` are idempotent; the hub does the counting.
* The handler is called with ``(channel, data)`` from the event loop and must not block.
* A broker that loses its connection reconnects and resubscribes by itself; what was
  published meanwhile is lost (the failure model in DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Handler = Callable[[str, bytes], None]


class Broker(Protocol):
    def set_handler(self, handler: Handler) -> None:
        """The one callback that receives every message from other nodes."""

    async def start(self) -> None: ...

    async def publish(self, channel: str, data: bytes) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def close(self) -> None: ...
