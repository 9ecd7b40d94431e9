"""Meeting sessions (issue 13): a room's sessions, one session, who took part. The room's
creator and ``signaling-admin`` service tokens may read them (others 403, unknown ids 404)."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.auth import ADMIN_ROLE, Principal
from signaling.errors import FORBIDDEN, NOT_FOUND, Failure
from signaling.webhooks.records import Attendance, FinishedPoll, MeetingSession, PollChoice
from tickets import examples
from tickets.access import MANAGER_CREDENTIAL, ROOM_NOT_FOUND, Api, canonical_uuid, manages
from tickets.declaration import BACKEND, INTERNAL, Answer, Endpoint
from tickets.http import PAGINATION, json_response, paginate

UNKNOWN_SESSION = NOT_FOUND.saying("unknown session")
NOT_READER = FORBIDDEN.saying("only the creator of the room may read its sessions")


class SessionList(msgspec.Struct, kw_only=True):
    """One page of a room's meeting sessions (newest first), and how many there are."""

    data: list[MeetingSession]
    total_count: int


class PollList(msgspec.Struct, kw_only=True):
    """A meeting session's finished polls, in the order they ended."""

    data: list[FinishedPoll]


class AttendanceList(msgspec.Struct, kw_only=True):
    """Who took part in a meeting session: one entry per join, in join order."""

    data: list[Attendance]


async def _may_read(api: Api, principal: Principal | None, room_id: str) -> None:
    """The room's creator or an admin token; 403 otherwise."""
    if principal is None or ADMIN_ROLE not in principal.roles:
        room = await api.node.registry.get_room(room_id)
        if principal is None or not manages(principal, room):
            raise NOT_READER()


async def managed_session(api: Api, request: Request) -> MeetingSession:
    """The path's meeting session, for its room's managers: 401 without a valid credential,
    404 for an unknown session, then 403 for anyone else."""
    principal = await api.manager(request)
    session_id = canonical_uuid(request.path_params["session_id"])
    found = None if session_id is None else await api.node.records.session(session_id)
    if found is None:
        raise UNKNOWN_SESSION()
    await _may_read(api, principal, found.room_id)
    return found


async def room_sessions(api: Api, request: Request) -> Response:
    principal = await api.manager(request)
    room_id = canonical_uuid(request.path_params["room_id"])
    room = None if room_id is None else await api.node.registry.get_room(room_id)
    if room_id is None or (room is None and not (principal and ADMIN_ROLE in principal.roles)):
        raise NOT_FOUND()
    await _may_read(api, principal, room_id)
    sessions = await api.node.records.sessions(room_id)
    return json_response(SessionList(data=paginate(request, sessions), total_count=len(sessions)))


async def get_session(api: Api, request: Request) -> Response:
    return json_response(await managed_session(api, request))


async def session_participants(api: Api, request: Request) -> Response:
    session = await managed_session(api, request)
    return json_response(AttendanceList(data=await api.node.records.attendances(session.id)))


async def session_polls(api: Api, request: Request) -> Response:
    session = await managed_session(api, request)
    return json_response(PollList(data=await api.node.records.polls(session.id)))


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
EXAMPLE_POLL = FinishedPoll(
    id=examples.POLL_ID,
    topic="Lunch at noon?",
    breakout_room=None,
    ended_at=examples.TIMESTAMP,
    choices=[PollChoice(id=0, content="yes", count=5), PollChoice(id=1, content="no", count=2)],
)
SESSION_NOT_FOUND = Failure(
    UNKNOWN_SESSION, "the session is unknown, or was purged after its retention"
)
NOT_SESSION_READER = Failure(
    NOT_READER,
    f"the caller neither created the session's room nor has the `{ADMIN_ROLE}` role (another "
    "user, a call-in token, an `InviteCode`)",
)
#: :func:`managed_session`'s failures, in check order.
SESSION_FAILURES = (*MANAGER_CREDENTIAL, SESSION_NOT_FOUND, NOT_SESSION_READER)

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
        (*MANAGER_CREDENTIAL, ROOM_NOT_FOUND, NOT_SESSION_READER, PAGINATION, BACKEND, INTERNAL),
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
        (*SESSION_FAILURES, BACKEND, INTERNAL),
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
        (*SESSION_FAILURES, BACKEND, INTERNAL),
    ),
    Endpoint(
        "GET",
        "/v1/sessions/{session_id}/polls",
        session_polls,
        "sessions",
        "List a meeting session's finished polls",
        "Every poll of the session that has ended (`done`: finished by a moderator or by its "
        "duration), in the order they ended, with its topic, its choices and their final "
        "counts; `breakout_room` names the breakout room it ran in (null: the main room). A "
        f"running poll is not listed. Kept as long as the session's record. {READERS}",
        "bearer",
        (Answer(200, "The finished polls.", PollList, PollList(data=[EXAMPLE_POLL])),),
        (*SESSION_FAILURES, BACKEND, INTERNAL),
    ),
)
