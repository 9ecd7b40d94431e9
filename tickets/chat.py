"""Chat by REST (issue 14): a room's backend posts into the main room's global chat and
exports it, from the running meeting session or, for rooms with ``chat_persistence``, from
an ended session's record (and deletes that)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.errors import (
    CHAT_DISABLED,
    NOT_FOUND,
    Failure,
    validation_failed,
)
from signaling.modules.chat.module import KEPT_HISTORY, SYSTEM_SOURCE, decode_history
from signaling.modules.chat.types import MAX_CONTENT_BYTES, ChatMessage
from signaling.webhooks.records import MeetingSession
from tickets import examples
from tickets.access import MANAGER_FAILURES, NO_RUNNING_SESSION, NO_SESSION, Api
from tickets.declaration import BACKEND, INTERNAL, NO_CONTENT, Answer, Endpoint
from tickets.fields import Timestamp, UuidText
from tickets.http import ChoiceQuery, body_failures, json_response, no_content, read_body
from tickets.sessions import SESSION_FAILURES, managed_session

NO_KEPT_CHAT = NOT_FOUND.saying("no chat is kept for this meeting session")


class PostChatBody(msgspec.Struct):
    """A message for everyone in the main room."""

    content: Annotated[str, msgspec.Meta(min_length=1)]


class PostedMessage(msgspec.Struct, kw_only=True):
    """The posted message: its id and time, as its history entry carries them."""

    id: UuidText
    timestamp: Timestamp


class ExportedMessage(msgspec.Struct, kw_only=True):
    """A message of the global chat; ``display_name`` is the sender's (null for a message
    posted by REST, whose ``source`` is ``system``)."""

    id: UuidText
    source: str
    display_name: str | None
    content: str
    timestamp: Timestamp


class ChatExport(msgspec.Struct, kw_only=True):
    """The main room's global chat, oldest first."""

    data: list[ExportedMessage]


def _line(message: ExportedMessage) -> str:
    """``[timestamp] name: content``; a backslash, CR or LF in the content is escaped (``\\\\``,
    ``\\r``, ``\\n``), so each message is one line."""
    content = message.content.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
    return f"[{message.timestamp}] {message.display_name or message.source}: {content}\n"


def _export(form: str, messages: list[ChatMessage], names: dict[str, str], name: str) -> Response:
    """The messages in the format ``form`` (``name`` names the download)."""
    exported = [
        ExportedMessage(
            id=m.id,
            source=m.source,
            display_name=names.get(m.source),
            content=m.content,
            timestamp=m.timestamp,
        )
        for m in messages
    ]
    if form == "json":
        return json_response(ChatExport(data=exported))
    return Response(
        "".join(_line(message) for message in exported),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="chat-{name}.txt"'},
    )


async def _live(api: Api, room: str) -> tuple[list[ChatMessage], dict[str, str]]:
    """The running session's global chat and the names of everyone who joined it."""
    state = api.node.state
    names = {
        p.id: p.display_name
        for breakout in await state.breakouts(room)
        for p in await state.participants(room, breakout)
    }
    return decode_history(await state.items(room, KEPT_HISTORY)), names


async def post_chat_message(api: Api, request: Request) -> Response:
    room = await api.managed_room(request)
    body = await read_body(request, PostChatBody)
    if len(body.content.encode()) > MAX_CONTENT_BYTES:
        raise validation_failed("content", f"content must be at most {MAX_CONTENT_BYTES} bytes")
    chat = api.node.chat
    if chat is None:
        raise CHAT_DISABLED("the tariff disables the chat module")
    if await api.node.state.session(room.id) is None:
        raise NO_SESSION()
    message = await chat.post(room.id, body.content)
    if message is None:
        raise CHAT_DISABLED()
    return json_response(PostedMessage(id=message.id, timestamp=message.timestamp), 201)


async def export_room_chat(api: Api, request: Request) -> Response:
    room = await api.managed_room(request)
    form = FORMAT.read(request)
    if await api.node.state.session(room.id) is None:
        raise NO_SESSION()
    return _export(form, *await _live(api, room.id), room.id)


async def _running(api: Api, session: MeetingSession) -> bool:
    return session.ended_at is None and await api.node.state.session(session.room_id) == session.id


async def export_session_chat(api: Api, request: Request) -> Response:
    session = await managed_session(api, request)
    form = FORMAT.read(request)
    if await _running(api, session):
        return _export(form, *await _live(api, session.room_id), session.id)
    kept = await api.node.records.chat(session.id)
    if kept is None:
        raise NO_KEPT_CHAT()
    names = {
        a.participant_id: a.display_name for a in await api.node.records.attendances(session.id)
    }
    return _export(form, decode_history(kept), names, session.id)


async def delete_session_chat(api: Api, request: Request) -> Response:
    session = await managed_session(api, request)
    if not await api.node.records.delete_chat(session.id):
        raise NO_KEPT_CHAT()
    return no_content()


MANAGERS = "The room's creator and `signaling-admin` service tokens may do this."
FORMAT = ChoiceQuery(
    "format",
    '`json` (default): `{"data": [...]}`; `txt`: one `[timestamp] name: content` line per '
    "message (backslash, CR and LF in the content escaped as `\\\\`, `\\r`, `\\n`; the name "
    "is the source for a message without a sender's name).",
    ("json", "txt"),
    "txt",
)
BAD_FORMAT = FORMAT.failure
EXAMPLE = ChatExport(
    data=[
        ExportedMessage(
            id=examples.MESSAGE_ID,
            source=examples.PARTICIPANT_ID,
            display_name="Alice Example",
            content="Hello all!",
            timestamp=examples.TIMESTAMP,
        )
    ]
)
EXAMPLE_TEXT = f"[{examples.TIMESTAMP}] Alice Example: Hello all!\n"
NO_CHAT = Failure(
    NO_KEPT_CHAT,
    "the session has ended and its chat was not kept (the room's `chat_persistence` was off "
    "when it ended, the chat was empty, or it was deleted)",
)
EXPORT_ANSWER = Answer(200, "The chat.", ChatExport, EXAMPLE, EXAMPLE_TEXT)
ENDPOINTS = (
    Endpoint(
        "POST",
        "/v1/rooms/{room_id}/chat",
        post_chat_message,
        "chat",
        "Post a chat message",
        "A global chat message to everyone in the main room of the running meeting session "
        f"(`message_sent` with `source` `{SYSTEM_SOURCE}`, no participant's id), kept in its "
        "history like any other (`join_success` of later joiners shows it). `content`: 1 to "
        f"{MAX_CONTENT_BYTES} bytes of UTF-8. {MANAGERS}",
        "bearer",
        (
            Answer(
                201,
                "Sent.",
                PostedMessage,
                PostedMessage(id=examples.MESSAGE_ID, timestamp=examples.TIMESTAMP),
            ),
        ),
        (
            *MANAGER_FAILURES,
            *body_failures(required=True),
            Failure(
                CHAT_DISABLED,
                "the room's chat is disabled (a moderator's `disable_chat`), or the tariff "
                "disables the chat module",
            ),
            NO_RUNNING_SESSION,
            BACKEND,
            INTERNAL,
        ),
        PostChatBody,
        body_example=PostChatBody(content="The meeting ends in 5 minutes."),
    ),
    Endpoint(
        "GET",
        "/v1/rooms/{room_id}/chat/export",
        export_room_chat,
        "chat",
        "Export the running session's chat",
        "The main room's global chat of the running meeting session, oldest first (what "
        f"`join_success` would show; a moderator's `clear_history` empties it). {MANAGERS}",
        "bearer",
        (EXPORT_ANSWER,),
        (*MANAGER_FAILURES, BAD_FORMAT, NO_RUNNING_SESSION, BACKEND, INTERNAL),
        query=(FORMAT,),
    ),
    Endpoint(
        "GET",
        "/v1/sessions/{session_id}/chat/export",
        export_session_chat,
        "chat",
        "Export a meeting session's chat",
        "The main room's global chat of the session: while it runs, as "
        "`GET /v1/rooms/{room_id}/chat/export`; after it ended, as kept in its record, which "
        "happens only if the room had `chat_persistence` on when it ended (kept as long as "
        f"the session's record). {MANAGERS}",
        "bearer",
        (EXPORT_ANSWER,),
        (*SESSION_FAILURES, BAD_FORMAT, NO_CHAT, BACKEND, INTERNAL),
        query=(FORMAT,),
    ),
    Endpoint(
        "DELETE",
        "/v1/sessions/{session_id}/chat",
        delete_session_chat,
        "chat",
        "Delete a meeting session's kept chat",
        f"Forget the chat kept in an ended session's record. {MANAGERS}",
        "bearer",
        (NO_CONTENT,),
        (*SESSION_FAILURES, NO_CHAT, BACKEND, INTERNAL),
    ),
)
