"""Commands and events of the ``chat`` namespace (reference §9)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from signaling.wire import Timestamp

MAX_CONTENT_BYTES = 4096
MAX_TARGET_LENGTH = 255  # a participant id (36) or a group name of the user directory
Scope = Literal["global", "private", "group"]
#: Who sent a message: a participant's id, or ``system`` for one the room's backend posted by
#: REST (``POST /v1/rooms/{room_id}/chat``; global scope only, no participant has that id).
Source = Annotated[
    str,
    msgspec.Meta(
        description="The sender's participant id, or `system` for a message the room's "
        "backend posted by REST (`POST /v1/rooms/{room_id}/chat`: global scope only)."
    ),
]
#: A participant id (private) or a group name (group); longer ones make the command invalid.
Target = Annotated[str, msgspec.Meta(max_length=MAX_TARGET_LENGTH)]

# -- commands ------------------------------------------------------------------------------


class SendMessage(msgspec.Struct, tag_field="action", tag="send_message"):
    content: str
    scope: Scope
    target: Target | None = None  # private: a participant of the room, else dropped


class EnableChat(msgspec.Struct, tag_field="action", tag="enable_chat"):
    pass


class DisableChat(msgspec.Struct, tag_field="action", tag="disable_chat"):
    pass


class ClearHistory(msgspec.Struct, tag_field="action", tag="clear_history"):
    pass


class SetLastSeenTimestamp(msgspec.Struct, tag_field="action", tag="set_last_seen_timestamp"):
    timestamp: datetime  # RFC 3339; anything else makes the command invalid (dropped)
    scope: Scope
    target: Target | None = None  # private: a participant of the room, else ignored


Command = SendMessage | EnableChat | DisableChat | ClearHistory | SetLastSeenTimestamp

# -- events --------------------------------------------------------------------------------


class ChatMessage(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A stored message: a history entry (§9); ``message_sent`` carries the same fields but
    ``timestamp``, which is its envelope's."""

    id: str
    source: Source
    timestamp: Timestamp  # RFC 3339 with six fraction digits (§19.2)
    content: str
    scope: Scope
    target: str | None = None


class MessageSent(msgspec.Struct, tag_field="message", tag="message_sent", omit_defaults=True):
    id: str
    source: Source
    content: str
    scope: Scope
    target: str | None = None


class ChatEnabled(msgspec.Struct, tag_field="message", tag="chat_enabled"):
    issued_by: str


class ChatDisabled(msgspec.Struct, tag_field="message", tag="chat_disabled"):
    issued_by: str


class HistoryCleared(msgspec.Struct, tag_field="message", tag="history_cleared"):
    issued_by: str


ErrorCode = Literal[
    "chat_disabled",
    "insufficient_permissions",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = MessageSent | ChatEnabled | ChatDisabled | HistoryCleared | Error


class History(msgspec.Struct):
    """A history in the §19 shape: everything at once, no paging."""

    messages: list[ChatMessage]
    next_index: int | None = None


class GroupHistory(msgspec.Struct):
    name: str
    history: History


class PrivateHistory(msgspec.Struct):
    correspondent: str
    history: History


class LastSeen(msgspec.Struct):
    """What ``set_last_seen_timestamp`` recorded for one participant in one room."""

    global_: str | None = msgspec.field(default=None, name="global")
    private: dict[str, str] = {}
    group: dict[str, str] = {}


class ChatPeer(msgspec.Struct):
    groups: list[str] = []


class ChatJoinData(msgspec.Struct):
    enabled: bool
    room_history: History
    groups_history: list[GroupHistory]
    private_history: list[PrivateHistory]
    last_seen_timestamp_global: Timestamp | None
    last_seen_timestamps_private: dict[str, Timestamp]
    last_seen_timestamps_group: dict[str, Timestamp]
