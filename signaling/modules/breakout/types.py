"""Commands and events of the ``breakout`` namespace (reference §11, §19.4)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from signaling.state import Kind, Role
from signaling.wire import Timestamp

# -- commands (moderator-only) --------------------------------------------------------------


MAX_DURATION = 86_400  # seconds, as for polls (§19.6); beyond it the command is invalid
#: A participant id.
Assignee = Annotated[str, msgspec.Meta(max_length=64)]


class RoomSpec(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(max_length=255)]
    assignments: Annotated[list[Assignee], msgspec.Meta(max_length=1000)] = []


class Start(msgspec.Struct, tag_field="action", tag="start"):
    rooms: Annotated[list[RoomSpec], msgspec.Meta(max_length=100)]
    duration: Annotated[int, msgspec.Meta(ge=0, le=MAX_DURATION)] | None = None  # None: open end


class Stop(msgspec.Struct, tag_field="action", tag="stop"):
    pass


Command = Start | Stop

# -- events --------------------------------------------------------------------------------


class BreakoutRoom(msgspec.Struct):
    id: str
    name: str


class Started(msgspec.Struct, tag_field="message", tag="started"):
    rooms: list[BreakoutRoom]
    expires: Timestamp | None
    assignment: str | None


class Stopped(msgspec.Struct, tag_field="message", tag="stopped"):
    pass


class Expired(msgspec.Struct, tag_field="message", tag="expired"):
    pass


class BreakoutPeer(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A participant of another room: ``joined`` without ``message``, and the entries of
    ``join_success.breakout.participants``."""

    breakout_room: str | None  # always sent: null is the main room
    id: str
    display_name: str
    role: Role
    avatar_url: str | None = None
    participation_kind: Kind
    joined_at: Timestamp
    left_at: Timestamp | None


class Joined(BreakoutPeer, tag_field="message", tag="joined"):
    pass


class Left(msgspec.Struct, tag_field="message", tag="left"):
    breakout_room: str | None
    id: str


ErrorCode = Literal[
    "inactive",
    "insufficient_permissions",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = Started | Stopped | Expired | Joined | Left | Error


class Config(msgspec.Struct):
    """The active breakout configuration of a parent room."""

    id: str
    rooms: list[BreakoutRoom]
    started: Timestamp
    expires: Timestamp | None
    assignments: dict[str, str]


class JoinData(msgspec.Struct):
    current: str | None
    expires: Timestamp | None
    rooms: list[BreakoutRoom]
    participants: list[BreakoutPeer]
