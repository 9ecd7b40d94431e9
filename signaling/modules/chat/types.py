"""Commands and events of the ``chat`` namespace (reference §9)."""

from __future__ import annotations

from typing import Literal

import msgspec

from signaling.state import ChatMessage

MAX_CONTENT_BYTES = 4096

# -- commands ------------------------------------------------------------------------------


class SendMessage(msgspec.Struct, tag_field="action", tag="send_message"):
    content: str
    scope: Literal["global"] = "global"


class EnableChat(msgspec.Struct, tag_field="action", tag="enable_chat"):
    pass


class DisableChat(msgspec.Struct, tag_field="action", tag="disable_chat"):
    pass


class ClearHistory(msgspec.Struct, tag_field="action", tag="clear_history"):
    pass


Command = SendMessage | EnableChat | DisableChat | ClearHistory

# -- events --------------------------------------------------------------------------------


class MessageSent(msgspec.Struct, tag_field="message", tag="message_sent", omit_defaults=True):
    id: str
    source: str
    content: str
    scope: str
    target: str | None = None


class ChatEnabled(msgspec.Struct, tag_field="message", tag="chat_enabled"):
    issued_by: str


class ChatDisabled(msgspec.Struct, tag_field="message", tag="chat_disabled"):
    issued_by: str


class HistoryCleared(msgspec.Struct, tag_field="message", tag="history_cleared"):
    issued_by: str


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: Literal[
        "chat_disabled", "insufficient_permissions", "service_unavailable", "internal_error"
    ]


Event = MessageSent | ChatEnabled | ChatDisabled | HistoryCleared | Error


class History(msgspec.Struct):
    """A history in the §19 shape: everything at once, no paging."""

    messages: list[ChatMessage]
    next_index: int | None = None


class ChatPeer(msgspec.Struct):
    groups: list[str] = []


class ChatJoinData(msgspec.Struct):
    enabled: bool
    room_history: History
    groups_history: list[dict[str, object]] = []
    private_history: list[dict[str, object]] = []
    last_seen_timestamp_global: str | None = None
    last_seen_timestamps_private: dict[str, str] = {}
    last_seen_timestamps_group: dict[str, str] = {}
