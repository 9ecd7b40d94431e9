"""Meeting sessions (issue 13): a room's sessions, one session, who took part. The room's
creator and ``signaling-admin`` service tokens may read them (others 403, unknown ids 404)."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.auth import ADMIN_ROLE, Principal
from signaling.errors import FORBIDDEN, NOT_FOUND, Failure
from signaling.webhooks.records import Attendance, MeetingSession
from tickets import examples
from tickets.access import BAD_TOKEN, ROOM_NOT_FOUND, Api, canonical_uuid
from tickets.declaration import BACKEND, INTERNAL, Answer, Endpoint
from tickets.http import PAGINATION, json_response, paginate

UNKNOWN_SESSION = NOT_FOUND.saying("unknown session")
NOT_READER = FORBIDDEN.saying("only the creator of the room may read its sessions")


class SessionList(msgspec.Struct, kw_only=True):
    """One page of a room's meeting sessions (newest first), and how many there are."""

    data: list[MeetingSession]
    total_count: int


class AttendanceList(msgspec.Struct, kw_only=True):
    """Who took part in a meeting session: one entry per join, in join order."""

    data: list[Attendance]


async def _may_read(api: Api, principal: Principal, room_id: str) -> None:
    """The room's creator or an admin token; 403 otherwise."""
    if ADMIN_ROLE in principal.roles:
        return
    room = await api.node.registry.get_room(room_id)
    if room is None or room.created_by.id != principal.sub:
        raise NOT_READER()


async def _session(api: Api, request: Request) -> MeetingSession:
    principal = api.principal(request)
    session_id = canonical_uuid(request.path_params["session_id"])
    found = None if session_id is None else await api.node.records.session(session_id)
    if found is None:
        raise UNKNOWN_SESSION()
    await _may_read(api, principal, found.room_id)
    return found


async def room_sessions(api: Api, request: Request) -> Response:
    principal = api.principal(request)
    room_id = canonical_uuid(request.path_params["room_id"])
    room = None if room_id is None else await api.node.registry.get_room(room_id)
    if room_id is None or (room is None and ADMIN_ROLE not in principal.roles):
        raise NOT_FOUND()
    await _may_read(api, principal, room_id)
    sessions = await api.node.records.sessions(room_id)
    return json_response(SessionList(data=paginate(request, sessions), total_count=len(sessions)))


async def get_session(api: Api, request: Request) -> Response:
    return json_response(await _session(api, request))


async def session_participants(api: Api, request: Request) -> Response:
    session = await _session(api, request)
    return json_response(AttendanceList(data=await api.node.records.attendances(session.id)))


READERS = f"The room's creator and `{ADMIN_ROLE}` service tokens may read it."
EXAMPLE = MeetingSession(
    id=examples.SESSION_ID,
    room_id=examples.ROOM_ID,
    started_at=examples.TIMESTAMP,
    ended_at=None,
    participant_count=2,
    max_concurrent=2,
)
EXAMPLE_ATTENDANCE = Attendance(
    participant_id=examples.PARTICIPANT_ID,
    display_name="Alice Example",
    kind="user",
    role="moderator",
    joined_at=examples.TIMESTAMP,
)
SESSION_NOT_FOUND = Failure(
    UNKNOWN_SESSION, "the session is unknown, or was purged after its retention"
)
NOT_SESSION_READER = Failure(
    NOT_READER, f"the caller neither created the session's room nor has the `{ADMIN_ROLE}` role"
)

ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/rooms/{room_id}/sessions",
        room_sessions,
        "sessions",
        "List a room's meeting sessions",
        "The room's meeting sessions, newest first, one page at a time. A session starts "
        "with the first join into a room without live state and ends when the live state "
        "is cleaned (`SIGNALING_ROOM_GRACE_PERIOD` after the last one left), it is ended "
        "(`POST /v1/rooms/{room_id}/end`) or the room is deleted; records are kept "
        "`SIGNALING_SESSION_RETENTION` seconds (30 days) after "
        f"the end. {READERS} An admin token may also read a deleted room's sessions.",
        "bearer",
        (
            Answer(
                200,
                "One page of sessions.",
                SessionList,
                SessionList(data=[EXAMPLE], total_count=1),
            ),
        ),
        (BAD_TOKEN, ROOM_NOT_FOUND, NOT_SESSION_READER, PAGINATION, BACKEND, INTERNAL),
        paginated=True,
    ),
    Endpoint(
        "GET",
        "/v1/sessions/{session_id}",
        get_session,
        "sessions",
        "Get a meeting session",
        "`ended_at` is null while it runs; `participant_count` counts distinct participants "
        "(a resumption and a breakout move keep the id), `max_concurrent` the most present "
        f"at once. {READERS}",
        "bearer",
        (Answer(200, "The session.", MeetingSession, EXAMPLE),),
        (BAD_TOKEN, SESSION_NOT_FOUND, NOT_SESSION_READER, BACKEND, INTERNAL),
    ),
    Endpoint(
        "GET",
        "/v1/sessions/{session_id}/participants",
        session_participants,
        "sessions",
        "List a meeting session's participants",
        "One entry per join, in join order: a participant who left and came back has two; a "
        "breakout move is no leave. `leave_reason` is `quit`, `timeout`, `kicked`, `banned`, "
        "`sent_to_waiting_room`, `ended` or `room_deleted`; null (with `left_at` the session's "
        "end) "
        f"for those still there when the session ended. {READERS}",
        "bearer",
        (
            Answer(
                200, "The participants.", AttendanceList, AttendanceList(data=[EXAMPLE_ATTENDANCE])
            ),
        ),
        (BAD_TOKEN, SESSION_NOT_FOUND, NOT_SESSION_READER, BACKEND, INTERNAL),
    ),
)
