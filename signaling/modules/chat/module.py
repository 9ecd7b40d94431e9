"""The ``chat`` module: global, private and group messages, their histories, the room-wide
chat switch and last-seen timestamps (reference §9, §19).

Histories are room-state lists named per signaling room: the global one, one per chat group,
and one per participant holding the private messages it sent or received.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, Refused
from signaling.hub import Delivery, group_channel, participant_channel, room_channel
from signaling.modules import Errors, Module
from signaling.modules.chat import core
from signaling.modules.chat.types import (
    MAX_CONTENT_BYTES,
    ChatDisabled,
    ChatEnabled,
    ChatJoinData,
    ChatMessage,
    ChatPeer,
    ClearHistory,
    Command,
    DisableChat,
    EnableChat,
    ErrorCode,
    Event,
    GroupHistory,
    History,
    HistoryCleared,
    LastSeen,
    MessageSent,
    PrivateHistory,
    Scope,
    SendMessage,
    SetLastSeenTimestamp,
)
from signaling.session import ConnState
from signaling.state import Keep, Participant
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.session import Session

NAMESPACE = "chat"
#: The ``source`` of a message the room's backend posted by REST (no participant's id).
SYSTEM_SOURCE = "system"
CHAT_ENABLED = "chat_enabled"
error = Errors[ErrorCode](NAMESPACE)
_message = msgspec.json.Decoder(ChatMessage)
_last_seen = msgspec.json.Decoder(LastSeen)


def _list(breakout: str | None, suffix: str) -> str:
    return f"chat:{breakout or 'main'}:{suffix}"


#: The history a meeting session's record keeps when it ends, if the room asks for it: the
#: main room's global chat.
KEPT_HISTORY = _list(None, "global")


def decode_history(items: Sequence[bytes | str]) -> list[ChatMessage]:
    """Stored messages (their JSON), as messages."""
    return [_message.decode(item) for item in items]


def _compose(
    source: str, content: str, scope: Scope, target: str | None
) -> tuple[ChatMessage, str]:
    """A new message (content cut to :data:`MAX_CONTENT_BYTES`) and its ``message_sent``
    frame."""
    moment = utcnow()
    message = ChatMessage(
        id=str(uuid.uuid4()),
        source=source,
        timestamp=format_timestamp(moment),
        content=core.truncate_utf8(content, MAX_CONTENT_BYTES),
        scope=scope,
        target=None if scope == "global" else target,
    )
    event = MessageSent(
        id=message.id,
        source=message.source,
        content=message.content,
        scope=message.scope,
        target=message.target,
    )
    return message, encode_event(NAMESPACE, event, moment)


class ChatModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = ChatJoinData
    peer_data_type = ChatPeer

    async def on_command(self, session: Session, command: Any) -> None:
        match command:
            case SendMessage():
                await self._send_message(session, command)
            case EnableChat() | DisableChat():
                await self._set_enabled(session, isinstance(command, EnableChat))
            case ClearHistory():
                await self._clear_history(session)
            case SetLastSeenTimestamp():
                if command.scope != "private" or await self._in_room(session, command.target):
                    self._set_last_seen(session, command)

    # -- messages --------------------------------------------------------------------------

    async def _send_message(self, session: Session, command: SendMessage) -> None:
        target = command.target
        scope = command.scope
        if not core.addressed(command.content, scope, target, session.groups):
            return
        message, frame = _compose(session.id, command.content, scope, target)
        keep = self._keep(
            session.room, session.breakout, core.histories(scope, session.id, target), message
        )
        channel: str | None = room_channel(session.room, session.breakout)
        if scope == "group":
            assert target is not None
            channel = group_channel(session.room, session.breakout, target)
        elif scope == "private":
            assert target is not None
            peer = await self.ctx.state.participant(session.room, session.breakout, target)
            if peer is None:
                return  # nothing is stored under a name that is not a participant's
            present = peer.left_at is None and target != session.id
            channel = participant_channel(session.room, target) if present else None
        # Delivered and kept in one step: a message in a history was received by everyone.
        try:
            if channel is not None:
                await self.ctx.publish(channel, Delivery(frame=frame), keep)
            elif not await self.ctx.state.keep(keep):
                raise Refused("the room's chat is disabled")
        except Refused:
            error(session, "chat_disabled")
            return
        if scope == "private":
            session.send_text(frame)

    def _keep(
        self, room: str, breakout: str | None, histories: list[str], message: ChatMessage
    ) -> Keep:
        """``message`` kept in ``histories`` (suffixes), unless the room's chat is disabled."""
        lists = tuple(_list(breakout, history) for history in histories)
        limit = self.ctx.settings.chat_history_limit
        return Keep(room, lists, msgspec.json.encode(message), limit, CHAT_ENABLED)

    # -- the REST side's actions ---------------------------------------------------------------

    async def post(self, room: str, content: str) -> ChatMessage | None:
        """Send ``content`` to the main room's global chat from :data:`SYSTEM_SOURCE`,
        delivered and kept like a participant's message; None (nothing sent) when the room's
        chat is disabled."""
        message, frame = _compose(SYSTEM_SOURCE, content, "global", None)
        keep = self._keep(room, None, ["global"], message)
        try:
            await self.ctx.publish(room_channel(room, None), Delivery(frame=frame), keep)
        except Refused:
            return None
        return message

    async def main_history(self, room: str) -> list[ChatMessage]:
        """The main room's global chat, oldest first."""
        return decode_history(await self.ctx.state.items(room, KEPT_HISTORY))

    async def _set_enabled(self, session: Session, enabled: bool) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        state = self.ctx.state
        was = await state.flag(session.room, CHAT_ENABLED, True)
        await state.set_flag(session.room, CHAT_ENABLED, enabled)
        event = ChatEnabled(session.id) if enabled else ChatDisabled(session.id)
        try:
            await self.ctx.publish(
                room_channel(session.room, session.breakout),
                Delivery(frame=encode_event("chat", event)),
            )
        except BACKEND_ERRORS:  # nobody heard of it: as it was
            await state.set_flag(session.room, CHAT_ENABLED, was)
            raise

    async def _clear_history(self, session: Session) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        await self.ctx.publish(
            room_channel(session.room, session.breakout),
            Delivery(frame=encode_event("chat", HistoryCleared(session.id))),
        )
        await self.ctx.reliably(
            partial(self.ctx.state.clear, session.room, _list(session.breakout, "global"))
        )

    async def _in_room(self, session: Session, target: str | None) -> bool:
        """Whether ``target`` names a participant (present or gone) of the session's room."""
        if target is None:
            return False
        return await self.ctx.state.participant(session.room, session.breakout, target) is not None

    # -- last seen ---------------------------------------------------------------------------

    def _set_last_seen(self, session: Session, command: SetLastSeenTimestamp) -> None:
        seen: LastSeen = session.data.setdefault(NAMESPACE, LastSeen())
        moment = format_timestamp(command.timestamp)
        core.note_last_seen(seen, command.scope, command.target, moment, session.groups)

    async def on_leave(self, session: Session) -> None:
        if session.state != ConnState.JOINED:
            return
        state = self.ctx.state
        seen = session.data.get("chat")
        if seen is not None:
            await state.put_value(
                session.room,
                _list(session.breakout, f"last_seen:{session.id}"),
                msgspec.json.encode(seen),
            )
        if session.groups:  # a group's history goes with its last member in the room (§15.1)
            others = [
                p
                for p in await state.participants(session.room, session.breakout)
                if p.left_at is None and p.id != session.id
            ]
            for group in session.groups:
                if not any(group in p.groups for p in others):
                    await state.clear(session.room, _list(session.breakout, f"group:{group}"))

    # -- join_success and peer data ----------------------------------------------------------

    async def join_data(self, session: Session) -> Any:
        state = self.ctx.state
        room = session.room
        limit = self.ctx.settings.chat_history_limit

        async def history(suffix: str) -> list[ChatMessage]:
            return [
                _message.decode(item)
                for item in await state.items(room, _list(session.breakout, suffix))
            ]

        private = await history(f"private:{session.id}")
        room_history = sorted(await history("global") + private, key=lambda m: m.timestamp)
        correspondents = core.correspondents(private, session.id)
        raw_seen = await state.value(room, _list(session.breakout, f"last_seen:{session.id}"))
        seen = _last_seen.decode(raw_seen) if raw_seen else LastSeen()
        session.data["chat"] = seen
        return ChatJoinData(
            enabled=await state.flag(room, CHAT_ENABLED, True),
            room_history=History(room_history[-limit:] if limit else []),
            groups_history=[
                GroupHistory(name=group, history=History(await history(f"group:{group}")))
                for group in session.groups
            ],
            private_history=[
                PrivateHistory(correspondent=other, history=History(messages))
                for other, messages in correspondents.items()
            ],
            last_seen_timestamp_global=seen.global_,
            last_seen_timestamps_private=dict(seen.private),
            last_seen_timestamps_group=dict(seen.group),
        )

    def peer_data(self, participant: Participant, viewer: Session | None) -> Any:
        if participant.kind != "user":
            return None
        shared = viewer.groups if viewer is not None else ()
        return ChatPeer(groups=[group for group in participant.groups if group in shared])
