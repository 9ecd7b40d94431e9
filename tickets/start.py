"""The start endpoints: a ticket for a user, a guest with an invite, or a SIP gateway
(reference §2.2–§2.4, §17.12, §17.16, §19.11)."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling import schedule
from signaling.auth import CALL_IN_ROLE
from signaling.errors import (
    BAD_REQUEST,
    BANNED_FROM_ROOM,
    FORBIDDEN,
    INVALID_BREAKOUT_ROOM_ID,
    INVALID_CREDENTIALS,
    NO_BREAKOUT_ROOMS,
    NOT_FOUND,
    NOT_STARTED_YET,
    SESSION_RUNNING,
    TOO_MANY_REQUESTS,
    VALIDATION_FAILED,
    WRONG_ROOM_PASSWORD,
    ApiError,
    Failure,
    FieldError,
    validation_failed,
)
from signaling.registry import SIP_ID_LENGTH, SIP_PIN_LENGTH, Room, is_digits
from signaling.tokens import Identity
from signaling.wire import format_timestamp, utcnow
from tickets import examples
from tickets.access import BAD_TOKEN, ROOM_NOT_FOUND, Api
from tickets.declaration import BACKEND, INTERNAL, Answer, Endpoint
from tickets.http import body_failures, json_response, read_body
from tickets.invites import BAD_CODE, MALFORMED_CODE, UNUSABLE, UNUSABLE_CODE
from tickets.throttle import attempt, client_address

BREAKOUT_ROOM = "A breakout room id (UUID) of the room; absent or null: the main room."
RESUMPTION = (
    "The resumption token of an earlier start call, to keep the participant id (reference §2.6)."
)
MISMATCH = BAD_REQUEST.saying("Room id mismatch")


class StartBody(msgspec.Struct):
    """The optional body of `start`; unknown fields are ignored."""

    breakout_room: Annotated[str | None, msgspec.Meta(description=BREAKOUT_ROOM)] = None
    resumption: Annotated[str | None, msgspec.Meta(description=RESUMPTION)] = None


class InvitedStartBody(msgspec.Struct):
    """A guest's start: the invite code, and the room password if the room has one."""

    invite_code: Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]
    password: Annotated[
        str | None,
        msgspec.Meta(description="The room password; needed only when the room has one."),
    ] = None
    breakout_room: Annotated[str | None, msgspec.Meta(description=BREAKOUT_ROOM)] = None
    resumption: Annotated[str | None, msgspec.Meta(description=RESUMPTION)] = None


class CallInStartBody(msgspec.Struct):
    """What the caller dialled."""

    id: Annotated[
        str,
        msgspec.Meta(
            description="The call-in id the caller dialled: 10 ASCII digits.",
            extra_json_schema={"pattern": f"^[0-9]{{{SIP_ID_LENGTH}}}$"},
        ),
    ]
    pin: Annotated[
        str,
        msgspec.Meta(
            description="The PIN the caller dialled: 10 ASCII digits.",
            extra_json_schema={"pattern": f"^[0-9]{{{SIP_PIN_LENGTH}}}$"},
        ),
    ]


class StartResponse(msgspec.Struct):
    """A ticket for the `/signaling` WebSocket (64 characters, single use) and a fresh
    resumption token (64 characters)."""

    ticket: str
    resumption: str


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _room_or_404(api: Api, room_id: str) -> Room:
    room = await api.node.registry.get_room(room_id.lower()) if is_uuid(room_id) else None
    if room is None:
        raise NOT_FOUND()
    return room


async def _ticket(
    api: Api, room: Room, breakout_room: str | None, identity: Identity, resumption: str | None
) -> Response:
    """A ticket into ``room``; a newcomer (no breakout move, no resumption) is refused while
    the room's ``starts_at`` is more than ``SIGNALING_EARLY_JOIN`` seconds away."""
    room_id = room.id
    early_join = api.node.settings.early_join
    if (
        room.starts_at is not None
        and schedule.too_early(utcnow(), room.starts_at, early_join)
        and breakout_room is None
        and not await api.node.tokens.resumes(room_id, identity, resumption)
    ):
        starts_at = format_timestamp(room.starts_at)
        opens_at = format_timestamp(schedule.opens_at(room.starts_at, early_join))
        raise NOT_STARTED_YET(f"the room starts at {starts_at}; joining opens at {opens_at}")
    if breakout_room is not None:
        rooms = await api.node.breakout_rooms(room_id)
        if rooms is None:
            raise NO_BREAKOUT_ROOMS()
        if breakout_room not in rooms:
            raise INVALID_BREAKOUT_ROOM_ID()
    issued, token = await api.node.tokens.issue(
        room=room_id, breakout_room=breakout_room, identity=identity, resumption=resumption
    )
    return json_response(StartResponse(ticket=issued, resumption=token))


async def start(api: Api, request: Request) -> Response:
    principal = api.principal(request)
    room = await _room_or_404(api, request.path_params["room_id"])
    body = await read_body(request, StartBody, empty_ok=True)
    if await api.node.state.is_banned(room.id, principal.sub):
        raise BANNED_FROM_ROOM()
    identity = Identity(
        kind="user",
        user_id=principal.sub,
        name=principal.name,
        email=principal.email,
        is_room_owner=room.created_by.id == principal.sub,
        groups=principal.groups,
    )
    return await _ticket(api, room, body.breakout_room, identity, body.resumption)


async def start_invited(api: Api, request: Request) -> Response:
    room_id = request.path_params["room_id"]
    body = await read_body(request, InvitedStartBody)
    if not is_uuid(body.invite_code):
        raise BAD_CODE.error()
    client = client_address(request)
    guess = await attempt(api.throttles.guess, "invite", client)
    invite = await api.node.registry.get_invite(body.invite_code.lower())
    if invite is None or not invite.usable(utcnow()):
        raise UNUSABLE()
    await api.throttles.guess.forgive("invite", client, guess)
    if invite.room != room_id.lower():
        raise MISMATCH()
    room = await _room_or_404(api, room_id)
    if room.password:
        tried = await attempt(api.throttles.password, room.id, client)
        given = (body.password or "").encode()
        if not hmac.compare_digest(given, room.password.encode()):
            raise WRONG_ROOM_PASSWORD()
        await api.throttles.password.forgive(room.id, client, tried)
    return await _ticket(api, room, body.breakout_room, Identity(kind="guest"), body.resumption)


async def call_in_start(api: Api, request: Request) -> Response:
    principal = api.principal(request)
    principal.require_role(CALL_IN_ROLE)
    body = await read_body(request, CallInStartBody)
    for field, value in (("id", body.id), ("pin", body.pin)):
        if not is_digits(value, SIP_ID_LENGTH if field == "id" else SIP_PIN_LENGTH):
            raise validation_failed(field, f"{field} must be exactly 10 digits")
    client = client_address(request)
    throttles = api.throttles
    by_client = await attempt(throttles.guess, "pin", client)
    try:
        by_id = await attempt(throttles.pin, "call_in", body.id)
    except ApiError:
        await throttles.guess.forgive("pin", client, by_client)
        raise
    config = await api.node.registry.find_sip_config(body.id)
    if config is None or not hmac.compare_digest(config.password.encode(), body.pin.encode()):
        raise INVALID_CREDENTIALS()
    await throttles.guess.forgive("pin", client, by_client)
    await throttles.pin.forgive("call_in", body.id, by_id)
    room = await _room_or_404(api, config.room)
    return await _ticket(api, room, None, Identity(kind="sip"), None)


OK = Answer(
    200,
    "A single-use ticket for the `/signaling` WebSocket (64 characters, valid for "
    "`SIGNALING_TICKET_TTL`, default 30 s) and a fresh resumption token.",
    StartResponse,
    StartResponse(
        ticket=f"{examples.ROOM_ID}#Qm3r8ZkLa0pTn2XcVb7Yw1sHd9J", resumption=examples.RESUMPTION
    ),
)
#: The failures of :func:`_ticket` with a breakout room and a resumption token.
BREAKOUT = (
    Failure(
        NO_BREAKOUT_ROOMS, "`breakout_room` is given but the room has no active breakout rooms"
    ),
    Failure(
        INVALID_BREAKOUT_ROOM_ID, "`breakout_room` is not one of the room's active breakout rooms"
    ),
    Failure(
        SESSION_RUNNING,
        "`resumption` belongs to a session of this participant that still runs 3 s later "
        "(the token is not consumed; an unknown, expired or foreign token is ignored)",
    ),
)

#: The failure of :func:`_ticket` for a newcomer to a scheduled room that has not opened yet.
NOT_STARTED = Failure(
    NOT_STARTED_YET,
    "the room's `starts_at` is more than `SIGNALING_EARLY_JOIN` (default 600) seconds away "
    "(a breakout move or a resumption of a participant who was in the room is let through); "
    "the message names `starts_at`",
    "the room starts at 2030-01-01T09:00:00.000000Z; joining opens at 2030-01-01T08:50:00.000000Z",
)

ENDPOINTS = (
    Endpoint(
        "POST",
        "/v1/rooms/{room_id}/start",
        start,
        "start",
        "Start a room as a registered user",
        "A ticket for the `/signaling` WebSocket as the bearer token's user (reference §2.2). "
        "Any authenticated user may start an existing room; the creator becomes its "
        "moderator. The body is optional (an empty body counts as `{}`); unknown fields "
        "(e.g. a `password`) are ignored. Checks, in order: token, room, body, ban, start time, "
        "breakout room, resumption.",
        "bearer",
        (OK,),
        (
            BAD_TOKEN,
            ROOM_NOT_FOUND,
            *body_failures(required=False),
            Failure(BANNED_FROM_ROOM, "the user is banned from the room"),
            NOT_STARTED,
            *BREAKOUT,
            BACKEND,
            INTERNAL,
        ),
        StartBody,
        body_required=False,
        body_example=StartBody(resumption=examples.RESUMPTION),
        starts=True,
    ),
    Endpoint(
        "POST",
        "/v1/rooms/{room_id}/start_invited",
        start_invited,
        "start",
        "Start a room as a guest with an invite code",
        "A guest ticket for the `/signaling` WebSocket (reference §2.3). No authentication: "
        "an `Authorization` header is ignored. Checks, in order: body, invite code format, "
        "invite, its room, password (only when the room has one: constant-time compare; "
        "failures are throttled per room and client address), start time, breakout room, "
        "resumption. "
        "Bans are not checked (they are per user id).",
        "none",
        (OK,),
        (
            *body_failures(required=True),
            MALFORMED_CODE,
            UNUSABLE_CODE,
            Failure(MISMATCH, "the invite belongs to another room"),
            Failure(
                TOO_MANY_REQUESTS,
                "this client address sent `SIGNALING_GUESS_ATTEMPTS` (default 20) unknown "
                "invite codes and PINs, or (the room has a password) "
                "`SIGNALING_PASSWORD_ATTEMPTS` (default 5) wrong passwords, within "
                "`SIGNALING_PASSWORD_WINDOW` (default 60 s), on any node; `Retry-After` says "
                "when to try again (right or wrong, nothing is checked meanwhile)",
            ),
            Failure(
                WRONG_ROOM_PASSWORD,
                "the room has a password and `password` is missing or differs "
                "(a password sent for a room without one is ignored)",
            ),
            NOT_STARTED,
            *BREAKOUT,
            BACKEND,
            INTERNAL,
        ),
        InvitedStartBody,
        body_example=InvitedStartBody(invite_code=examples.INVITE_CODE, password=examples.PASSWORD),
        starts=True,
    ),
    Endpoint(
        "POST",
        "/v1/services/call_in/start",
        call_in_start,
        "start",
        "Start a room for a SIP caller",
        "A `sip` ticket for a call-in gateway (reference §2.4): the caller's call-in id and "
        f"PIN select the room. Needs a service bearer token whose `realm_access.roles` "
        f"include `{CALL_IN_ROLE}`. Never a breakout room; resumption is not offered.",
        "call_in",
        (OK,),
        (
            BAD_TOKEN,
            Failure(
                FORBIDDEN,
                f"the token is valid but lacks the `{CALL_IN_ROLE}` realm role",
                f"this endpoint needs a token with the '{CALL_IN_ROLE}' role",
            ),
            *body_failures(required=True),
            Failure(
                VALIDATION_FAILED,
                "`id` or `pin` is not exactly 10 ASCII digits",
                invalid=FieldError(
                    field="id", code="invalid_value", message="id must be exactly 10 digits"
                ),
            ),
            Failure(
                TOO_MANY_REQUESTS,
                "`SIGNALING_PASSWORD_ATTEMPTS` (default 5) failed attempts for this call-in id, or "
                "`SIGNALING_GUESS_ATTEMPTS` (default 20) failed PINs and invite codes from this "
                "client address, within `SIGNALING_PASSWORD_WINDOW` (default 60 s), on any node; "
                "`Retry-After` says when to try again (the PIN is not checked meanwhile)",
            ),
            Failure(INVALID_CREDENTIALS, "no room has this call-in id, or the PIN is wrong"),
            Failure(NOT_FOUND, "the call-in config's room was deleted meanwhile"),
            NOT_STARTED,
            BACKEND,
            INTERNAL,
        ),
        CallInStartBody,
        body_example=CallInStartBody(id=examples.SIP_ID, pin=examples.PIN),
        starts=True,
    ),
)
