"""Cross-node messaging: a node publishes bytes on a channel; every *other* node subscribed
to that channel receives them.

Guarantees every implementation gives (the contract tests check them):

* Every publication on a channel gets the channel's next sequence number and is kept in the
  channel's short history in the same atomic step that publishes it (``sequencer.py``).
* Each subscribed node — the publisher included — hands every publication on a channel to
  the handler **exactly once and in channel order**, the same order on every node, across
  lost connections, resubscriptions, duplicated or reordered arrivals, as long as the
  history still covers what it missed (it reads the missing range and delivers it before
  anything newer). When it does not (trimmed, expired, or Redis came back without its data),
  the node calls ``resync(channel)`` once for that gap and goes on from the channel's head:
  the hub then closes the channel's sessions with 1012 so their clients resume into a fresh
  ``join_success``.
* ``subscribe`` returns once the subscription is active: everything published after it
  returns reaches the handler (or a resync); after ``unsubscribe`` nothing more does (what
  was still in transit is dropped). Both are idempotent; the hub does the counting.
* ``publish`` returns once the publication went out and, where this node is subscribed to
  the channel, was handed to its own handler (or after a short wait; it is handed over when
  it arrives). It raises only when the publication did not go out as far as the node can
  tell; should it have gone out after all, it reaches every handler when it shows up, so
  every node converges.
* ``publish(channel, data, keep)`` also keeps ``keep``'s item in its room's lists
  (:meth:`signaling.state.LiveState.keep`) in the same atomic step: both happen or neither.
  While the keep's flag is off it raises :class:`~signaling.errors.Refused` and nothing goes
  out. The keep's room is the channel's.
* The handler is called with ``(channel, data)`` from the event loop and must not block.
"""

from __future__ import annotations

from typing import Protocol

from signaling.broker.sequencer import Handler, Resync
from signaling.state import Keep


class Broker(Protocol):
    @property
    def resyncs(self) -> int:
        """How many unrepairable gaps this node has met (each one a resync)."""

    def set_handlers(self, handler: Handler, resync: Resync) -> None:
        """The callbacks for every other node's publication and for a lost range."""

    async def start(self) -> None: ...

    async def publish(self, channel: str, data: bytes, keep: Keep | None = None) -> None: ...

    async def subscribe(self, channels: list[str]) -> None: ...

    async def unsubscribe(self, channels: list[str]) -> None: ...

    async def close(self) -> None: ...
