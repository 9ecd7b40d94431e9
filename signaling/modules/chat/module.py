"""The ``chat`` module: room-wide messages and their history (reference §9)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from signaling.hub import Delivery, room_channel
from signaling.modules import Module
from signaling.modules.chat.types import (
    MAX_CONTENT_BYTES,
    ChatDisabled,
    ChatEnabled,
    ChatJoinData,
    ChatPeer,
    ClearHistory,
    Command,
    DisableChat,
    EnableChat,
    Event,
    History,
    HistoryCleared,
    MessageSent,
    SendMessage,
)
from signaling.state import ChatMessage, Participant
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.node import Node
    from signaling.session import Session

CHAT_ENABLED = "chat_enabled"


def truncate_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode(errors="ignore")


class ChatModule(Module):
    namespace = "chat"
    commands = Command
    events = Event

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node

    async def on_command(self, session: Session, command: Any) -> None:
        match command:
            case SendMessage():
                await self._send_message(session, command)
            case EnableChat() | DisableChat():
                await self._set_enabled(session, isinstance(command, EnableChat))
            case ClearHistory():
                await self._clear_history(session)

    async def _send_message(self, session: Session, command: SendMessage) -> None:
        if not command.content:
            return
        state = self.node.state
        if not await state.flag(session.room, CHAT_ENABLED, True):
            session.send_error("chat", "chat_disabled")
            return
        moment = utcnow()
        message = ChatMessage(
            id=str(uuid.uuid4()),
            source=session.id,
            timestamp=format_timestamp(moment),
            content=truncate_utf8(command.content, MAX_CONTENT_BYTES),
            scope="global",
        )
        await state.add_chat_message(
            session.room, session.breakout, message, self.node.settings.chat_history_limit
        )
        event = MessageSent(
            id=message.id, source=message.source, content=message.content, scope=message.scope
        )
        await session.publish(
            room_channel(session.room, session.breakout),
            Delivery(frame=encode_event("chat", event, moment)),
        )

    async def _set_enabled(self, session: Session, enabled: bool) -> None:
        if session.role != "moderator":
            session.send_error("chat", "insufficient_permissions")
            return
        await self.node.state.set_flag(session.room, CHAT_ENABLED, enabled)
        event = ChatEnabled(session.id) if enabled else ChatDisabled(session.id)
        await session.publish(
            room_channel(session.room, session.breakout),
            Delivery(frame=encode_event("chat", event)),
        )

    async def _clear_history(self, session: Session) -> None:
        if session.role != "moderator":
            session.send_error("chat", "insufficient_permissions")
            return
        await self.node.state.clear_chat_history(session.room, session.breakout)
        await session.publish(
            room_channel(session.room, session.breakout),
            Delivery(frame=encode_event("chat", HistoryCleared(session.id))),
        )

    async def join_data(self, session: Session) -> Any:
        state = self.node.state
        return ChatJoinData(
            enabled=await state.flag(session.room, CHAT_ENABLED, True),
            room_history=History(await state.chat_history(session.room, session.breakout)),
        )

    def peer_data(self, participant: Participant) -> Any:
        return ChatPeer() if participant.kind == "user" else None
