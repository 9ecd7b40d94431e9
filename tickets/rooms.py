"""Room records (``opentalk-rest-api.txt``; reference §17.16, §19.12): list, create, read,
change, delete, and a room's tariff and calendar event.

Any authenticated user may read a room, and only its creator sees ``password``; only the
creator may change or delete it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling import registry, schedule
from signaling.errors import NOT_FOUND, VALIDATION_FAILED, Failure, FieldError
from signaling.registry import MAX_DURATION, MIN_DURATION, UserProfile
from signaling.tariff import Tariff
from signaling.wire import format_timestamp, utcnow
from tickets import examples
from tickets.access import (
    BAD_TOKEN,
    NOT_CREATOR,
    ROOM_NOT_FOUND,
    UNUSABLE_INVITE,
    Api,
    canonical_uuid,
)
from tickets.declaration import BACKEND, CREATOR_ONLY, INTERNAL, NO_CONTENT, Answer, Endpoint
from tickets.fields import Duration, Moment, Timestamp, UuidText, in_utc
from tickets.http import (
    PAGINATION,
    IntQuery,
    body_failures,
    json_response,
    no_content,
    paginate,
    read_body,
)

log = logging.getLogger(__name__)

Password = Annotated[str, msgspec.Meta(max_length=255)]
NO_EVENT = NOT_FOUND.saying("this room has no event")
STARTING_WITHIN = IntQuery(
    "starting_within",
    "Only the rooms whose `starts_at` lies between now and this many minutes from now "
    "(1..10080, a week).",
    1,
    10_080,
    60,
)
BAD_SCHEDULE = Failure(
    VALIDATION_FAILED,
    "`starts_at` is not an RFC 3339 timestamp with an offset, or `duration` is not an integer "
    f"in {MIN_DURATION}..{MAX_DURATION}",
    invalid=FieldError(
        field="duration",
        code="invalid_value",
        message=f"Expected `int` <= {MAX_DURATION} - at `$.duration`",
    ),
)


class Room(msgspec.Struct, kw_only=True):
    """A room. ``password`` is shown to the room's creator only (null when the room has
    none) and left out for everyone else. ``starts_at`` and ``duration`` (minutes) schedule
    it; null: not set."""

    id: UuidText
    created_by: UserProfile
    created_at: Timestamp
    password: str | msgspec.UnsetType | None = msgspec.UNSET
    waiting_room: bool
    chat_persistence: bool
    starts_at: Timestamp | None
    duration: Duration | None

    @classmethod
    def of(cls, room: registry.Room, *, with_password: bool) -> Room:
        return cls(
            id=room.id,
            created_by=room.created_by,
            created_at=format_timestamp(room.created_at),
            password=room.password if with_password else msgspec.UNSET,
            waiting_room=room.waiting_room,
            chat_persistence=room.chat_persistence,
            starts_at=None if room.starts_at is None else format_timestamp(room.starts_at),
            duration=room.duration,
        )


class PostRoomBody(msgspec.Struct):
    """A new room."""

    enable_sip: bool
    password: Password | None = None
    waiting_room: bool = False
    chat_persistence: bool = False
    starts_at: Moment | None = None
    duration: Duration | None = None


class PatchRoomBody(msgspec.Struct):
    """The fields to change; absent fields stay as they are, null clears `password`,
    `starts_at` and `duration`."""

    password: Password | msgspec.UnsetType | None = msgspec.UNSET
    waiting_room: bool | msgspec.UnsetType = msgspec.UNSET
    chat_persistence: bool | msgspec.UnsetType = msgspec.UNSET
    starts_at: Moment | msgspec.UnsetType | None = msgspec.UNSET
    duration: Duration | msgspec.UnsetType | None = msgspec.UNSET


def _password(value: str | None) -> str | None:
    """An empty password means no password (the start calls treat both alike)."""
    return value or None


async def list_rooms(api: Api, request: Request) -> Response:
    principal = api.principal(request)
    within = STARTING_WITHIN.read(request)
    rooms = await api.node.registry.rooms_created_by(principal.sub)
    if within is not None:
        now = utcnow()
        rooms = [room for room in rooms if schedule.starts_within(now, room.starts_at, within)]
    return json_response([Room.of(room, with_password=True) for room in paginate(request, rooms)])


async def create_room(api: Api, request: Request) -> Response:
    principal = api.principal(request)
    body = await read_body(request, PostRoomBody)
    room = await api.node.registry.create_room(
        api.profile(principal),
        _password(body.password),
        body.waiting_room,
        chat_persistence=body.chat_persistence,
        starts_at=None if body.starts_at is None else in_utc("starts_at", body.starts_at),
        duration=body.duration,
    )
    if body.enable_sip:
        await api.node.registry.put_sip_config(room.id, password=None, lobby=None)
    return json_response(Room.of(room, with_password=True), 201)


async def get_room(api: Api, request: Request) -> Response:
    principal = api.principal(request)
    room = await api.room(request)
    return json_response(Room.of(room, with_password=room.created_by.id == principal.sub))


async def patch_room(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    body = await read_body(request, PatchRoomBody)
    password = body.password
    if password is not msgspec.UNSET:
        password = _password(password)
    starts_at = body.starts_at
    if isinstance(starts_at, datetime):
        starts_at = in_utc("starts_at", starts_at)
    updated = await api.node.registry.update_room(
        room.id,
        password=password,
        waiting_room=body.waiting_room,
        chat_persistence=body.chat_persistence,
        starts_at=starts_at,
        duration=body.duration,
    )
    if updated is None:
        raise NOT_FOUND()
    return json_response(Room.of(updated, with_password=True))


async def delete_room(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    if not await api.node.registry.delete_room(room.id):
        raise NOT_FOUND()
    try:
        await api.node.close_room(room.id)
    except Exception:
        # The record is gone either way; the live participants are cleaned up with the room.
        log.exception("closing the deleted room %s failed", room.id)
    return no_content()


async def room_tariff(api: Api, request: Request) -> Response:
    await api.bearer_or_invite(request, canonical_uuid(request.path_params["room_id"]))
    await api.room(request)
    return json_response(api.node.tariff)


async def room_event(api: Api, request: Request) -> Response:
    """We have no calendar: always 404, but only after a valid credential (§19.12)."""
    await api.bearer_or_invite(request, None)
    raise NO_EVENT()


ROOM = "/v1/rooms/{room_id}"
EXAMPLE = Room(
    id=examples.ROOM_ID,
    created_by=examples.PROFILE,
    created_at=examples.TIMESTAMP,
    password=examples.PASSWORD,
    waiting_room=False,
    chat_persistence=False,
    starts_at="2030-01-01T09:00:00.000000Z",
    duration=60,
)

ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/rooms",
        list_rooms,
        "rooms",
        "List the caller's rooms",
        "The rooms the caller created, oldest first, one page at a time (with their "
        "passwords: the caller is their creator); with `starting_within`, only those "
        "scheduled to start within that many minutes.",
        "bearer",
        (Answer(200, "One page of rooms.", list[Room], [EXAMPLE]),),
        (BAD_TOKEN, STARTING_WITHIN.failure, PAGINATION, BACKEND, INTERNAL),
        paginated=True,
        query=(STARTING_WITHIN,),
    ),
    Endpoint(
        "POST",
        "/v1/rooms",
        create_room,
        "rooms",
        "Create a room",
        "A new room created by the caller. An empty `password` means none. With "
        "`enable_sip` the room also gets a SIP config (random call-in id and PIN, lobby off). "
        "`starts_at` (RFC 3339 with an offset) and `duration` (minutes, 1..1440) schedule it.",
        "bearer",
        (Answer(201, "The new room (with its password).", Room, EXAMPLE),),
        (BAD_TOKEN, *body_failures(required=True), BAD_SCHEDULE, BACKEND, INTERNAL),
        PostRoomBody,
        body_example=PostRoomBody(enable_sip=False, password=examples.PASSWORD),
    ),
    Endpoint(
        "GET",
        ROOM,
        get_room,
        "rooms",
        "Get a room",
        "Any authenticated user may read a room; only its creator sees `password`.",
        "bearer",
        (Answer(200, "The room.", Room, EXAMPLE),),
        (BAD_TOKEN, ROOM_NOT_FOUND, BACKEND, INTERNAL),
    ),
    Endpoint(
        "PATCH",
        ROOM,
        patch_room,
        "rooms",
        "Change a room",
        f"Change the given fields (`password` null or empty removes it; null clears "
        f"`starts_at` and `duration`). {CREATOR_ONLY} "
        "Checks, in order: token, room, creator, body.",
        "bearer",
        (Answer(200, "The changed room (with its password).", Room, EXAMPLE),),
        (
            BAD_TOKEN,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            *body_failures(required=True),
            BAD_SCHEDULE,
            BACKEND,
            INTERNAL,
        ),
        PatchRoomBody,
        body_example=PatchRoomBody(password=None, waiting_room=True),
    ),
    Endpoint(
        "DELETE",
        ROOM,
        delete_room,
        "rooms",
        "Delete a room",
        f"Delete the room with its invites and SIP config; its live participants get "
        f"`room_deleted` and are disconnected. {CREATOR_ONLY}",
        "bearer",
        (NO_CONTENT,),
        (BAD_TOKEN, ROOM_NOT_FOUND, NOT_CREATOR, BACKEND, INTERNAL),
    ),
    Endpoint(
        "GET",
        f"{ROOM}/tariff",
        room_tariff,
        "tariffs",
        "Get a room's tariff",
        "The tariff of the room (the one configured tariff, the object `join_success` "
        "carries as `tariff`). Accepts a bearer token or `Authorization: InviteCode <code>` "
        "with a usable invite of this room.",
        "bearer_or_invite",
        (Answer(200, "The tariff.", Tariff),),
        (
            Failure(
                UNUSABLE_INVITE,
                "no valid bearer token, and no `InviteCode` of a usable invite of this room",
            ),
            ROOM_NOT_FOUND,
            BACKEND,
            INTERNAL,
        ),
    ),
    Endpoint(
        "GET",
        f"{ROOM}/event",
        room_event,
        "events",
        "Get a room's calendar event",
        "There is no calendar: once the credential is valid the answer is always 404 "
        "(reference §19.12). Accepts a bearer token or `Authorization: InviteCode <code>` with "
        "any usable invite, and never answers 401 or 403 to one.",
        "bearer_or_invite",
        (),
        (
            Failure(
                UNUSABLE_INVITE, "no valid bearer token, and no `InviteCode` of a usable invite"
            ),
            Failure(NO_EVENT, "always, once the credential is valid"),
            BACKEND,
            INTERNAL,
        ),
    ),
)
