"""What a module may use of the process it runs in: the narrow :class:`ModuleContext`.

A module is built with a context and reaches nothing else of the node: not the hub, the
broker, the tokens nor the other modules. The node implements the Protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from signaling.config import Settings
    from signaling.hub import Delivery
    from signaling.join import Joins
    from signaling.registry import Room, SipConfig
    from signaling.roster import Roster
    from signaling.state import Keep, LiveState
    from signaling.store import ExpiringStore


class RoomLookups(Protocol):
    """The durable records a module may read."""

    async def get_room(self, room_id: str) -> Room | None: ...

    async def get_sip_config(self, room_id: str) -> SipConfig | None: ...


class ModuleContext(Protocol):
    """Everything a module may use."""

    @property
    def settings(self) -> Settings: ...

    @property
    def state(self) -> LiveState:
        """The live state of rooms, shared by every node (its shared timers included)."""

    @property
    def store(self) -> ExpiringStore:
        """Expiring keys shared by every node: flags that outlive a session, short locks."""

    @property
    def registry(self) -> RoomLookups: ...

    @property
    def roster(self) -> Roster:
        """What participants see of each other: ``joined``/``update``/``left`` announcements."""

    @property
    def joins(self) -> Joins:
        """The join pipeline: entering and leaving a signaling room."""

    async def publish(self, channel: str, delivery: Delivery, keep: Keep | None = None) -> None:
        """Hand ``delivery`` to every session on ``channel``, on every node (see the hub);
        with ``keep``, kept in the same step or refused (:class:`~signaling.errors.Refused`)."""

    async def reliably(self, announce: Callable[[], Awaitable[None]]) -> None:
        """Run ``announce`` now, or retry it in the background until the backend takes it."""
