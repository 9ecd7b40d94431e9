"""The module interface: every namespace of /signaling is one :class:`Module`.

The session routes frames by namespace and knows no module by name; modules are listed once
in :data:`signaling.modules.catalog.MODULES`, read by the node and the AsyncAPI renderer. A
module declares its command and event types (msgspec tagged unions: the decoder and
``protocol/asyncapi.yaml`` are built from them), is built with a
:class:`~signaling.modules.context.ModuleContext` and implements the hooks it needs; the
defaults do nothing.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import msgspec

if TYPE_CHECKING:
    from signaling.modules.context import ModuleContext
    from signaling.session import Session
    from signaling.state import Participant

Code = TypeVar("Code", bound=str)


class Admission(enum.Enum):
    """What a module's ``admit`` decides about a joiner."""

    ENTER = "enter"  # it may go in (as far as this module is concerned)
    HOLD = "hold"  # the module holds it (and told it so); it enters on ``release``
    FULL = "full"  # no room for it now: ``join_blocked``, it may try again


class Errors(Generic[Code]):
    """Sends one namespace's ``error`` events; ``Code`` is its ``ErrorCode`` literal, so a
    misspelt code fails mypy."""

    __slots__ = ("namespace",)

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def __call__(self, session: Session, code: Code) -> None:
        session.send_error(self.namespace, code)


class Module:
    """Base class with no-op hooks. Subclasses set the class variables."""

    namespace: ClassVar[str]
    #: Tagged union of command structs; None hands the raw payload to ``on_command``.
    commands: ClassVar[Any] = None
    #: Tagged union of event structs the module sends (documentation and AsyncAPI).
    events: ClassVar[Any] = None
    #: The types of this module's ``join_success`` key and peer-data key (AsyncAPI).
    join_data_type: ClassVar[Any] = None
    peer_data_type: ClassVar[Any] = None
    #: Commands are handled before the participant has joined (control, echo, §4).
    before_join: ClassVar[bool] = False
    #: A payload that is not one of ``commands`` gets control ``invalid_json`` instead of
    #: being dropped silently (only control, §4 rule 2).
    reports_bad_payload: ClassVar[bool] = False
    #: Listed in the tariff's modules and switchable there (§17.4).
    in_tariff: ClassVar[bool] = True

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.decoder: msgspec.json.Decoder[Any] | None = (
            msgspec.json.Decoder(self.commands) if self.commands is not None else None
        )

    async def on_command(self, session: Session, command: Any) -> None:
        """Handle one decoded command of ``session``."""

    #: The type of ``Delivery.personal`` for this module: a delivery from another node is
    #: converted to it once, before the first recipient's ``render``.
    personal_type: ClassVar[Any] = None

    def render(self, session: Session, personal: Any) -> str | None:
        """The frame of a per-recipient delivery for ``session`` (``personal`` is of
        ``personal_type``); synchronous, so it keeps its place among the session's frames."""
        return None

    async def on_signal(self, session: Session, signal: Any) -> None:
        """Handle a delivery's ``signal`` addressed to this namespace on ``session``."""

    async def join_data(self, session: Session) -> Any:
        """This module's key in ``join_success``; None leaves the key out."""
        return None

    def peer_data(self, participant: Participant, viewer: Session | None) -> Any:
        """This module's key in a participant's public data as ``viewer`` sees it (None: a
        frame shared by every viewer); None leaves the key out."""
        return None

    async def peer_states(self, room: str, breakout: str | None, pids: list[str]) -> dict[str, Any]:
        """This module's key in the public data of participants ``pids`` when it lives in the
        room's state rather than in the participant record (read once per ``join_success`` or
        announcement); participants left out get no key."""
        return {}

    async def on_leave(self, session: Session) -> None:
        """The joined ``session`` is leaving its signaling room."""

    async def admit(self, session: Session, participant: Participant) -> Admission:
        """Whether ``participant`` (``join``) goes into the signaling room now, or this module
        holds it (the waiting room); asked before the room and ``may_enter`` are checked."""
        return Admission.ENTER

    async def release(self, session: Session) -> Participant | None:
        """The participant this module held for ``session``, now let in (``enter_room``);
        None if it holds none or may not let it in yet."""
        return None

    async def may_enter(self, session: Session) -> bool:
        """Whether ``session`` may join its signaling room at all (checked before
        ``join_success``); a refused session is closed with 1000."""
        return True

    async def on_joined(self, session: Session, participant: Participant) -> None:
        """``session`` has joined (after ``join_success`` and ``joined`` went out)."""

    async def on_timer(self, key: str) -> None:
        """A timer this module scheduled (its key starts with the namespace) fired; exactly
        one node calls this per scheduled key."""

    async def on_room_closed(self, room: str) -> None:
        """The parent room's live state was deleted (last one out, after the grace period)."""

    async def on_room_deleted(self, room: str) -> None:
        """The room was deleted on the REST side (its live state is deleted right after)."""

    async def on_presence_lost(self, room: str, breakout: str | None, pid: str) -> None:
        """A joined participant's node died: the sweeper marked it gone (no leave hook ran)."""

    async def on_held_lost(self, room: str, pid: str) -> None:
        """A participant waiting in ``room`` lost its node (no leave hook ran)."""

    async def on_refresh(self, sessions: list[Session]) -> None:
        """About every half resumption TTL, with every local joined session whose resumption
        is kept: refresh what must outlive a short disconnect (in a few round trips, not one
        per session)."""

    async def breakout_rooms(self, room: str) -> list[str] | None:
        """The room's active breakout room ids, if this module runs them (else None)."""
        return None
