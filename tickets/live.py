"""The live view of meetings (issue 14): who is in a room right now, and how many are in
every room. Read from the live state shared by every node, so any node answers for all."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.auth import ADMIN_ROLE
from signaling.state import Kind, LiveState, Participant, Role
from tickets import examples
from tickets.access import BAD_TOKEN, MANAGER_FAILURES, NOT_ADMIN, Api
from tickets.declaration import BACKEND, INTERNAL, Answer, Endpoint
from tickets.fields import Timestamp, UuidText
from tickets.http import json_response


class LiveParticipant(msgspec.Struct, kw_only=True):
    """A participant present in the main room (``breakout_room`` null) or a breakout room."""

    id: UuidText
    display_name: str
    kind: Kind
    role: Role
    breakout_room: UuidText | None
    joined_at: Timestamp
    hand_is_up: bool


class WaitingParticipant(msgspec.Struct, kw_only=True):
    """A participant in the waiting room, not yet accepted."""

    id: UuidText
    display_name: str
    kind: Kind


class LiveRoom(msgspec.Struct, kw_only=True):
    """A room right now: its running meeting session (null when none runs), who is present
    (``count`` of them; the main room first, each room in join order) and who waits."""

    session_id: UuidText | None
    count: int
    participants: list[LiveParticipant]
    waiting: list[WaitingParticipant]


class LiveCount(msgspec.Struct, kw_only=True):
    """Present participants over every room, and the rooms whose meeting session runs."""

    participants: int
    rooms: int


async def _present(state: LiveState, room: str) -> list[tuple[str | None, Participant]]:
    """(breakout room, participant) of everyone present in the room's signaling rooms."""
    breakouts = sorted(await state.breakouts(room), key=lambda b: (b is not None, b or ""))
    return [
        (breakout, participant)
        for breakout in breakouts
        for participant in await state.participants(room, breakout)
        if participant.left_at is None
    ]


async def room_live(api: Api, request: Request) -> Response:
    room = await api.managed_room(request)
    state = api.node.state
    present = [
        LiveParticipant(
            id=p.id,
            display_name=p.display_name,
            kind=p.kind,
            role=p.role,
            breakout_room=breakout,
            joined_at=p.joined_at,
            hand_is_up=p.hand_is_up,
        )
        for breakout, p in await _present(state, room.id)
    ]
    waiting = [
        WaitingParticipant(id=p.id, display_name=p.display_name, kind=p.kind)
        for p, accepted in await state.waiting(room.id)
        if not accepted
    ]
    session = await state.session(room.id)
    live = LiveRoom(session_id=session, count=len(present), participants=present, waiting=waiting)
    return json_response(live)


async def live_count(api: Api, request: Request) -> Response:
    api.admin(request)
    state = api.node.state
    participants = rooms = 0
    for room in await state.rooms():
        if await state.session(room) is not None:
            rooms += 1
            participants += len(await _present(state, room))
    return json_response(LiveCount(participants=participants, rooms=rooms))


MANAGERS = f"The room's creator and `{ADMIN_ROLE}` service tokens may read it."
EXAMPLE = LiveRoom(
    session_id=examples.SESSION_ID,
    count=1,
    participants=[
        LiveParticipant(
            id=examples.PARTICIPANT_ID,
            display_name="Alice Example",
            kind="user",
            role="moderator",
            breakout_room=None,
            joined_at=examples.TIMESTAMP,
            hand_is_up=False,
        )
    ],
    waiting=[WaitingParticipant(id=examples.WEBHOOK_ID, display_name="Carol", kind="guest")],
)

ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/rooms/{room_id}/live",
        room_live,
        "live",
        "Get who is in a room now",
        "The room's running meeting session (`session_id` null when none runs: no live "
        "state, or it was cleaned), everyone present in its main and breakout rooms "
        "(`breakout_room` null for the main room) and who waits in its waiting room to be "
        f"accepted (accepted ones that have not entered yet are not listed). {MANAGERS}",
        "bearer",
        (Answer(200, "The room now.", LiveRoom, EXAMPLE),),
        (*MANAGER_FAILURES, BACKEND, INTERNAL),
    ),
    Endpoint(
        "GET",
        "/v1/live/count",
        live_count,
        "live",
        "Count who is in meetings now",
        "Participants present in a main or breakout room, over every room, and the number "
        "of rooms whose meeting session runs (waiting participants are not counted).",
        "admin",
        (Answer(200, "The counts.", LiveCount, LiveCount(participants=12, rooms=3)),),
        (BAD_TOKEN, NOT_ADMIN, BACKEND, INTERNAL),
    ),
)
