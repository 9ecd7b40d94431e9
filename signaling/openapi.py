"""The OpenAPI 3.1 description of the REST routes, generated from the msgspec types.

:func:`build_document` describes every HTTP route of a real app (built with
:func:`signaling.app.create_app` from default settings in a temporary data dir, never
started) and raises when a served route has no description, or a description names a route
the app does not serve, so the document cannot drift from the router. Request bodies are the
routes' own structs and so are the responses where the routes encode a struct; the records
the routes build as dicts by hand (rooms, invites, SIP configs, ``users/me``, invite
verification, health) are mirrored by the structs below (:data:`RECORDS`), which the unit
tests hold against the view functions and the routes. :data:`OPERATIONS` lists, per route,
every status it can answer and, for errors, every ``code`` with when it is sent.

``signaling openapi`` writes ``protocol/openapi.yaml`` (a unit test fails when that file and
the code disagree); the server serves the same document as JSON at ``GET /v1/openapi.json``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
import tempfile
import typing
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from signaling.asyncapi import _package_version, _prose, to_json
from signaling.auth import ADMIN_ROLE, CALL_IN_ROLE
from signaling.config import Settings
from signaling.tariff import Tariff
from signaling.webhooks.events import EVENT_NAMES, EventName
from signaling.webhooks.records import Attendance, MeetingSession
from tickets.http import MAX_BODY
from tickets.meetings import PatchWebhookBody, PostWebhookBody
from tickets.profiles import avatar_url
from tickets.records import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    PatchRoomBody,
    PostInviteBody,
    PostRoomBody,
    PutInviteBody,
    PutSipBody,
    VerifyBody,
)
from tickets.registry import SIP_ID_LENGTH, SIP_PIN_LENGTH, UserProfile
from tickets.routes import CallInStartBody, InvitedStartBody, StartBody, StartResponse

OPENAPI_VERSION = "3.1.0"
#: Where the app serves this document.
OPENAPI_PATH = "/v1/openapi.json"
SCHEMAS = "#/components/schemas/"
BEARER = "bearer"
INVITE_CODE = "inviteCode"

# -- response records the routes build by hand -------------------------------------------------

Timestamp = Annotated[
    datetime,
    msgspec.Meta(tz=True, description="RFC 3339 in UTC with six fraction digits and `Z`."),
]
Digits10 = Annotated[str, msgspec.Meta(pattern="^[0-9]{10}$")]


class Room(msgspec.Struct, kw_only=True):
    """A room. ``password`` is shown to the room's creator only (null when the room has
    none) and left out for everyone else."""

    id: uuid.UUID
    created_by: UserProfile
    created_at: Timestamp
    password: str | msgspec.UnsetType | None = msgspec.UNSET
    waiting_room: bool


class Invite(msgspec.Struct, kw_only=True):
    """An invite code of a room. A revoked invite stays listed with ``active`` false;
    ``expiration`` null means it never expires."""

    invite_code: uuid.UUID
    created: Timestamp
    created_by: UserProfile
    updated: Timestamp
    updated_by: UserProfile
    room: uuid.UUID
    active: bool
    expiration: Timestamp | None


class SipConfig(msgspec.Struct, kw_only=True):
    """A room's SIP call-in config: the call-in id and PIN a caller dials, each exactly 10
    ASCII digits, and whether callers wait in the lobby."""

    room: uuid.UUID
    sip_id: Digits10
    password: Digits10
    lobby: bool


class CurrentUser(msgspec.Struct, kw_only=True):
    """The caller as ``GET /v1/users/me`` shows it: the profile from the bearer token's claims
    (``sub`` → ``id``, ``name`` → ``display_name``, ``given_name``/``family_name`` →
    ``firstname``/``lastname``, the libravatar URL of ``email``; empty strings where a claim is
    missing) plus fixed values: ``language`` is ``en``, ``tariff_status`` ``default`` and
    ``used_storage`` 0."""

    id: str
    email: str
    title: str
    firstname: str
    lastname: str
    display_name: str
    avatar_url: str
    language: str
    tariff_status: str
    used_storage: Annotated[int, msgspec.Meta(ge=0)]


class InviteVerification(msgspec.Struct, kw_only=True):
    """The room of a usable invite code, and whether ``start_invited`` needs its password."""

    room_id: uuid.UUID
    password_required: bool


class Health(msgspec.Struct, kw_only=True):
    """The node is up and its live-state backend answers."""

    status: Literal["ok"]
    backend: Literal["embedded", "redis"]


class HealthDegraded(msgspec.Struct, kw_only=True):
    """The live-state backend does not answer (why goes to the server's log only)."""

    status: Literal["degraded"]


class Error(msgspec.Struct, kw_only=True):
    """Every REST error (reference §2.1): a stable machine-readable ``code`` and a human
    ``message``."""

    code: str
    message: str


class FieldError(msgspec.Struct, kw_only=True):
    """One invalid value: the body field or query parameter (``body`` for the body as a
    whole), ``invalid_value`` (or ``empty`` for a body that changes nothing) and what is
    wrong."""

    field: str
    code: Literal["invalid_value", "empty"]
    message: str


class ValidationError(msgspec.Struct, kw_only=True):
    """422: a value has the wrong type, is missing or breaks a constraint."""

    code: Literal["validation_failed"]
    message: str
    errors: list[FieldError]


class Webhook(msgspec.Struct, kw_only=True):
    """A webhook: where its events are posted, and which. Its secret is never shown."""

    id: uuid.UUID
    url: str
    events: list[EventName]
    created_at: Timestamp


class WebhookList(msgspec.Struct, kw_only=True):
    """One page of webhooks, and how many there are."""

    data: list[Webhook]
    total_count: int


class SessionList(msgspec.Struct, kw_only=True):
    """One page of a room's meeting sessions (newest first), and how many there are."""

    data: list[MeetingSession]
    total_count: int


class AttendanceList(msgspec.Struct, kw_only=True):
    """Who took part in a meeting session: one entry per join, in join order."""

    data: list[Attendance]


#: What each hand-built record mirrors, for the unit tests.
RECORDS: tuple[type[msgspec.Struct], ...] = (
    Webhook,
    WebhookList,
    Room,
    Invite,
    SipConfig,
    CurrentUser,
    InviteVerification,
    Health,
    HealthDegraded,
)

# -- examples ----------------------------------------------------------------------------------

EXAMPLE_TIMESTAMP = "2024-03-10T16:52:54.873753Z"
EXAMPLE_ROOM = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
EXAMPLE_INVITE = "b2a6f7a2-5f1c-4a8e-9d56-0f5c8a2e7d11"
EXAMPLE_BREAKOUT_ROOM = "3f2a1c44-0000-4000-8000-0000000000b1"
EXAMPLE_TICKET = f"{EXAMPLE_ROOM}#Qm3r8ZkLa0pTn2XcVb7Yw1sHd9J"
EXAMPLE_RESUMPTION = "pX0w2l8K3m9QzT6rJ1yB4nV7cF5hD0gS8aE2uL6iO3kW9xR1tY7qZ4bN5mC8vA0j"
EXAMPLE_EMAIL = "alice@example.org"
EXAMPLE_PROFILE: dict[str, Any] = {
    "id": "alice",
    "email": EXAMPLE_EMAIL,
    "title": "",
    "firstname": "Alice",
    "lastname": "Example",
    "display_name": "Alice Example",
    "avatar_url": avatar_url(Settings().avatar_base_url, EXAMPLE_EMAIL),
}
EXAMPLE_ROOM_RECORD: dict[str, Any] = {
    "id": EXAMPLE_ROOM,
    "created_by": EXAMPLE_PROFILE,
    "created_at": EXAMPLE_TIMESTAMP,
    "password": "secret123",
    "waiting_room": False,
}
EXAMPLE_INVITE_RECORD: dict[str, Any] = {
    "invite_code": EXAMPLE_INVITE,
    "created": EXAMPLE_TIMESTAMP,
    "created_by": EXAMPLE_PROFILE,
    "updated": EXAMPLE_TIMESTAMP,
    "updated_by": EXAMPLE_PROFILE,
    "room": EXAMPLE_ROOM,
    "active": True,
    "expiration": "2030-01-01T00:00:00.000000Z",
}
EXAMPLE_SIP: dict[str, Any] = {
    "room": EXAMPLE_ROOM,
    "sip_id": "0123456789",
    "password": "9876543210",
    "lobby": False,
}
EXAMPLE_ME: dict[str, Any] = {
    **EXAMPLE_PROFILE,
    "language": "en",
    "tariff_status": "default",
    "used_storage": 0,
}
EXAMPLE_START = {"ticket": EXAMPLE_TICKET, "resumption": EXAMPLE_RESUMPTION}
EXAMPLE_WEBHOOK = "0b9e3a44-6a1f-4d6e-8f0a-2c3d4e5f6a7b"
EXAMPLE_SESSION = "9d1c7e20-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
EXAMPLE_WEBHOOK_RECORD: dict[str, Any] = {
    "id": EXAMPLE_WEBHOOK,
    "url": "https://crm.example.org/hooks/meetings",
    "events": ["participant.joined", "participant.left"],
    "created_at": EXAMPLE_TIMESTAMP,
}
EXAMPLE_SESSION_RECORD: dict[str, Any] = {
    "id": EXAMPLE_SESSION,
    "room_id": EXAMPLE_ROOM,
    "started_at": EXAMPLE_TIMESTAMP,
    "ended_at": None,
    "participant_count": 2,
    "max_concurrent": 2,
}
EXAMPLE_ATTENDANCE: dict[str, Any] = {
    "participant_id": "1b7c3f4e-2d5a-4e6b-9c8d-0f1e2d3c4b5a",
    "display_name": "Alice Example",
    "kind": "user",
    "role": "moderator",
    "joined_at": EXAMPLE_TIMESTAMP,
    "left_at": None,
    "leave_reason": None,
}

# -- errors ------------------------------------------------------------------------------------

#: Every error ``code`` a REST route sends: its status and a typical message.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "Room id mismatch"),
    "invalid_json": (400, "The request body is not valid JSON"),
    "invalid_content_type": (400, "the body must be application/json"),
    "invalid_credentials": (400, "unknown call-in id or wrong PIN"),
    "no_breakout_rooms": (400, "the room has no active breakout rooms"),
    "invalid_breakout_room_id": (400, "no such breakout room"),
    "session_running": (400, "the session of the given resumption token is still running"),
    "unauthorized": (401, "missing Authorization header"),
    "wrong_room_password": (401, "the room password is wrong"),
    "forbidden": (403, "only the creator of the room may do this"),
    "banned_from_room": (403, "you are banned from this room"),
    "not_found": (404, "unknown room"),
    "payload_too_large": (413, f"request bodies are limited to {MAX_BODY} bytes"),
    "validation_failed": (422, "Some provided values are invalid"),
    "too_many_requests": (429, "too many failed attempts; try again later"),
    "internal_server_error": (500, "internal server error"),
    "service_unavailable": (503, "the backend is unreachable; retry shortly"),
}


@dataclasses.dataclass(frozen=True)
class Failure:
    """An error answer of one route: its ``code``, when it is sent and a sample message."""

    code: str
    when: str
    message: str | None = None
    field: str = "body"

    @property
    def status(self) -> int:
        return ERROR_CODES[self.code][0]


@dataclasses.dataclass(frozen=True)
class Answer:
    """A non-error answer (or the health check's own 503): status, body type and example."""

    status: int
    description: str
    body: Any = None
    example: Any = None


Outcome = Failure | Answer


@dataclasses.dataclass(frozen=True)
class Operation:
    """One method of one route."""

    method: str
    path: str  # as the router has it (convertors included)
    handler: str  # the endpoint's name, checked against the router
    operation_id: str
    tag: str
    summary: str
    description: str
    auth: Literal["none", "bearer", "call_in", "admin", "bearer_or_invite"]
    outcomes: tuple[Outcome, ...]
    body: type | None = None
    body_required: bool = True
    body_example: Any = None
    paginated: bool = False


def _body_failures(*, required: bool) -> tuple[Failure, ...]:
    empty = "" if not required else ", or is empty"
    return (
        Failure(
            "invalid_json", f"the body is not JSON{empty}", "The request body is not valid JSON"
        ),
        Failure(
            "invalid_content_type",
            "a body comes with a `Content-Type` that is neither `application/json` nor a "
            "`+json` type (no `Content-Type` counts as JSON)",
        ),
        Failure("payload_too_large", f"the body is longer than {MAX_BODY} bytes"),
        Failure(
            "validation_failed",
            "the body is not an object, a required field is missing or a field has the wrong "
            "type (`errors[].field` names it)",
        ),
    )


UNAUTHORIZED = Failure(
    "unauthorized",
    "the bearer token is missing, malformed, expired or wrongly signed (or, with "
    "`SIGNALING_JWT_ISSUER`/`SIGNALING_JWT_AUDIENCE` set, wrongly addressed)",
    "invalid bearer token: Signature has expired",
)
ROOM_NOT_FOUND = Failure(
    "not_found", "the room is unknown (an id that is not a UUID is unknown too)", "unknown room"
)
NOT_CREATOR = Failure(
    "forbidden",
    "the caller did not create the room (checked after the room exists)",
    "only the creator of the room may do this",
)
BACKEND = Failure(
    "service_unavailable",
    "the shared backend (Redis) is unreachable; retry after `Retry-After` seconds",
)
INTERNAL = Failure("internal_server_error", "an unexpected fault in the server (a bug)")
GUESSES = Failure(
    "too_many_requests",
    "this client address sent `SIGNALING_GUESS_ATTEMPTS` (default 20) unknown invite codes and "
    "PINs within `SIGNALING_PASSWORD_WINDOW` (default 60 s), on any node; `Retry-After` says "
    "when to try again (the code is not looked up meanwhile)",
)
PAGINATION = Failure(
    "validation_failed",
    f"`per_page` is not an integer in 1..{MAX_PER_PAGE}, or `page` not an integer >= 1",
    field="per_page",
)
BREAKOUT = (
    Failure(
        "no_breakout_rooms",
        "`breakout_room` is given but the room has no active breakout rooms",
    ),
    Failure(
        "invalid_breakout_room_id",
        "`breakout_room` is not one of the room's active breakout rooms",
    ),
    Failure(
        "session_running",
        "`resumption` belongs to a session of this participant that still runs 3 s later "
        "(the token is not consumed; an unknown, expired or foreign token is ignored)",
    ),
)
START_OK = Answer(
    200,
    "A single-use ticket for the `/signaling` WebSocket (64 characters, valid for "
    "`SIGNALING_TICKET_TTL`, default 30 s) and a fresh resumption token.",
    StartResponse,
    EXAMPLE_START,
)
NO_CONTENT = Answer(204, "Done; no body.")
ROOM = "/v1/rooms/{room_id}"
INVITE = f"{ROOM}/invites/{{invite_code}}"
CREATOR_ONLY = "Only the room's creator may do this."
EVENT_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNKNOWN_INVITE = Failure(
    "not_found",
    "the room is unknown, or the invite is unknown or of another room",
    "unknown invite",
)
NOT_ADMIN = Failure(
    "forbidden",
    f"the token is valid but lacks the `{ADMIN_ROLE}` realm role",
    f"this endpoint needs a token with the '{ADMIN_ROLE}' role",
)
WEBHOOK = "/v1/webhooks/{webhook_id}"
WEBHOOK_NOT_FOUND = Failure(
    "not_found",
    "the webhook is unknown (an id that is not a UUID is unknown too)",
    "unknown webhook",
)
WEBHOOK_VALUES = Failure(
    "validation_failed",
    "`url` is not an absolute http or https URL, an event name is unknown, `events` is empty "
    "or `secret` is empty or blank (`errors[].field` names it)",
    field="url",
)
SESSION_READERS = f"The room's creator and `{ADMIN_ROLE}` service tokens may read it."
SESSION_NOT_FOUND = Failure(
    "not_found", "the session is unknown, or was purged after its retention", "unknown session"
)
NOT_SESSION_READER = Failure(
    "forbidden",
    f"the caller neither created the session's room nor has the `{ADMIN_ROLE}` role",
    "only the creator of the room may read its sessions",
)
NO_SIP_CONFIG = Failure(
    "not_found", "the room is unknown, or has no SIP config", "the room has no SIP config"
)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/healthz",
        "healthz",
        "healthz",
        "meta",
        "Health check",
        "Whether this node and its live-state backend (embedded, or Redis) are usable. "
        "No authentication.",
        "none",
        (
            Answer(200, "The node is healthy.", Health, {"status": "ok", "backend": "embedded"}),
            Answer(
                503,
                "The live-state backend does not answer.",
                HealthDegraded,
                {"status": "degraded"},
            ),
        ),
    ),
    Operation(
        "GET",
        OPENAPI_PATH,
        "openapi_json",
        "openapi",
        "meta",
        "This document",
        "The OpenAPI description of the REST routes (this document, as JSON; "
        "`signaling openapi` prints it as YAML). No authentication.",
        "none",
        (
            Answer(
                200,
                "The OpenAPI 3.1 document.",
                dict[str, Any],
                {"openapi": OPENAPI_VERSION, "info": {"title": "…"}, "paths": {}},
            ),
        ),
    ),
    Operation(
        "POST",
        f"{ROOM}/start",
        "start",
        "start",
        "start",
        "Start a room as a registered user",
        "A ticket for the `/signaling` WebSocket as the bearer token's user (reference §2.2). "
        "Any authenticated user may start an existing room; the creator becomes its "
        "moderator. The body is optional (an empty body counts as `{}`); unknown fields "
        "(e.g. a `password`) are ignored. Checks, in order: token, room, body, ban, breakout "
        "room, resumption.",
        "bearer",
        (
            START_OK,
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            *_body_failures(required=False),
            Failure("banned_from_room", "the user is banned from the room"),
            *BREAKOUT,
            BACKEND,
            INTERNAL,
        ),
        StartBody,
        body_required=False,
        body_example={"breakout_room": None, "resumption": EXAMPLE_RESUMPTION},
    ),
    Operation(
        "POST",
        f"{ROOM}/start_invited",
        "start_invited",
        "start_invited",
        "start",
        "Start a room as a guest with an invite code",
        "A guest ticket for the `/signaling` WebSocket (reference §2.3). No authentication: "
        "an `Authorization` header is ignored. Checks, in order: body, invite code format, "
        "invite, its room, password (only when the room has one: constant-time compare; "
        "failures are throttled per room and client address), breakout room, resumption. "
        "Bans are not checked (they are per user id).",
        "none",
        (
            START_OK,
            *_body_failures(required=True),
            Failure(
                "validation_failed",
                "`invite_code` is not a UUID",
                field="invite_code",
            ),
            Failure(
                "not_found",
                "the invite is unknown, revoked or expired, or its room no longer exists",
                "unknown, revoked or expired invite code",
            ),
            Failure("bad_request", "the invite belongs to another room", "Room id mismatch"),
            Failure(
                "too_many_requests",
                "this client address sent `SIGNALING_GUESS_ATTEMPTS` (default 20) unknown "
                "invite codes and PINs, or (the room has a password) "
                "`SIGNALING_PASSWORD_ATTEMPTS` (default 5) wrong passwords, within "
                "`SIGNALING_PASSWORD_WINDOW` (default 60 s), on any node; `Retry-After` says "
                "when to try again (right or wrong, nothing is checked meanwhile)",
            ),
            Failure(
                "wrong_room_password",
                "the room has a password and `password` is missing or differs "
                "(a password sent for a room without one is ignored)",
            ),
            *BREAKOUT,
            BACKEND,
            INTERNAL,
        ),
        InvitedStartBody,
        body_example={
            "invite_code": EXAMPLE_INVITE,
            "password": "secret123",
            "breakout_room": None,
            "resumption": None,
        },
    ),
    Operation(
        "POST",
        "/v1/services/call_in/start",
        "call_in_start",
        "call_in_start",
        "start",
        "Start a room for a SIP caller",
        "A `sip` ticket for a call-in gateway (reference §2.4): the caller's call-in id and "
        f"PIN select the room. Needs a service bearer token whose `realm_access.roles` "
        f"include `{CALL_IN_ROLE}`. Never a breakout room; resumption is not offered.",
        "call_in",
        (
            START_OK,
            UNAUTHORIZED,
            Failure(
                "forbidden",
                f"the token is valid but lacks the `{CALL_IN_ROLE}` realm role",
                f"this endpoint needs a token with the '{CALL_IN_ROLE}' role",
            ),
            *_body_failures(required=True),
            Failure(
                "validation_failed",
                "`id` or `pin` is not exactly 10 ASCII digits",
                field="id",
            ),
            Failure(
                "too_many_requests",
                "`SIGNALING_PASSWORD_ATTEMPTS` (default 5) failed attempts for this call-in id, or "
                "`SIGNALING_GUESS_ATTEMPTS` (default 20) failed PINs and invite codes from this "
                "client address, within `SIGNALING_PASSWORD_WINDOW` (default 60 s), on any node; "
                "`Retry-After` says when to try again (the PIN is not checked meanwhile)",
            ),
            Failure("invalid_credentials", "no room has this call-in id, or the PIN is wrong"),
            Failure(
                "not_found",
                "the call-in config's room was deleted meanwhile",
                "unknown room",
            ),
            BACKEND,
            INTERNAL,
        ),
        CallInStartBody,
        body_example={"id": "0123456789", "pin": "9876543210"},
    ),
    Operation(
        "GET",
        "/v1/rooms",
        "list_rooms",
        "list_rooms",
        "rooms",
        "List the caller's rooms",
        "The rooms the caller created, oldest first, one page at a time (with their "
        "passwords: the caller is their creator).",
        "bearer",
        (
            Answer(200, "One page of rooms.", list[Room], [EXAMPLE_ROOM_RECORD]),
            UNAUTHORIZED,
            PAGINATION,
            BACKEND,
            INTERNAL,
        ),
        paginated=True,
    ),
    Operation(
        "POST",
        "/v1/rooms",
        "create_room",
        "create_room",
        "rooms",
        "Create a room",
        "A new room created by the caller. An empty `password` means none. With "
        "`enable_sip` the room also gets a SIP config (random call-in id and PIN, lobby off).",
        "bearer",
        (
            Answer(201, "The new room (with its password).", Room, EXAMPLE_ROOM_RECORD),
            UNAUTHORIZED,
            *_body_failures(required=True),
            BACKEND,
            INTERNAL,
        ),
        PostRoomBody,
        body_example={"enable_sip": False, "password": "secret123", "waiting_room": False},
    ),
    Operation(
        "GET",
        ROOM,
        "get_room",
        "get_room",
        "rooms",
        "Get a room",
        "Any authenticated user may read a room; only its creator sees `password`.",
        "bearer",
        (
            Answer(200, "The room.", Room, EXAMPLE_ROOM_RECORD),
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "PATCH",
        ROOM,
        "patch_room",
        "patch_room",
        "rooms",
        "Change a room",
        f"Change the given fields (`password` null or empty removes it). {CREATOR_ONLY} "
        "Checks, in order: token, room, creator, body.",
        "bearer",
        (
            Answer(200, "The changed room (with its password).", Room, EXAMPLE_ROOM_RECORD),
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            *_body_failures(required=True),
            BACKEND,
            INTERNAL,
        ),
        PatchRoomBody,
        body_example={"password": None, "waiting_room": True},
    ),
    Operation(
        "DELETE",
        ROOM,
        "delete_room",
        "delete_room",
        "rooms",
        "Delete a room",
        f"Delete the room with its invites and SIP config; its live participants get "
        f"`room_deleted` and are disconnected. {CREATOR_ONLY}",
        "bearer",
        (NO_CONTENT, UNAUTHORIZED, ROOM_NOT_FOUND, NOT_CREATOR, BACKEND, INTERNAL),
    ),
    Operation(
        "GET",
        f"{ROOM}/invites",
        "list_invites",
        "list_invites",
        "invites",
        "List a room's invites",
        f"The room's invites (revoked ones too), oldest first, one page at a time. {CREATOR_ONLY}",
        "bearer",
        (
            Answer(200, "One page of invites.", list[Invite], [EXAMPLE_INVITE_RECORD]),
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            PAGINATION,
            BACKEND,
            INTERNAL,
        ),
        paginated=True,
    ),
    Operation(
        "POST",
        f"{ROOM}/invites",
        "create_invite",
        "create_invite",
        "invites",
        "Create an invite",
        f"A new invite code for the room; the body is optional (no `expiration`: the invite "
        f"never expires). A timestamp without an offset is UTC. {CREATOR_ONLY}",
        "bearer",
        (
            Answer(201, "The new invite.", Invite, EXAMPLE_INVITE_RECORD),
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            *_body_failures(required=False),
            Failure(
                "validation_failed",
                "`expiration` is not an RFC 3339 timestamp or does not lie in the future",
                field="expiration",
            ),
            BACKEND,
            INTERNAL,
        ),
        PostInviteBody,
        body_required=False,
        body_example={"expiration": "2030-01-01T00:00:00Z"},
    ),
    Operation(
        "GET",
        INVITE,
        "get_invite",
        "get_invite",
        "invites",
        "Get an invite",
        CREATOR_ONLY,
        "bearer",
        (
            Answer(200, "The invite.", Invite, EXAMPLE_INVITE_RECORD),
            UNAUTHORIZED,
            UNKNOWN_INVITE,
            NOT_CREATOR,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "PUT",
        INVITE,
        "put_invite",
        "put_invite",
        "invites",
        "Change an invite's expiration",
        f"Set (or, with null, remove) the invite's expiration; a revoked invite stays "
        f"revoked. {CREATOR_ONLY}",
        "bearer",
        (
            Answer(200, "The changed invite.", Invite, EXAMPLE_INVITE_RECORD),
            UNAUTHORIZED,
            UNKNOWN_INVITE,
            NOT_CREATOR,
            *_body_failures(required=True),
            Failure(
                "validation_failed",
                "`expiration` is not an RFC 3339 timestamp or does not lie in the future",
                field="expiration",
            ),
            BACKEND,
            INTERNAL,
        ),
        PutInviteBody,
        body_example={"expiration": None},
    ),
    Operation(
        "DELETE",
        INVITE,
        "delete_invite",
        "delete_invite",
        "invites",
        "Revoke an invite",
        f"The invite becomes inactive (it stays listed, with `active` false). {CREATOR_ONLY}",
        "bearer",
        (
            NO_CONTENT,
            UNAUTHORIZED,
            UNKNOWN_INVITE,
            NOT_CREATOR,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "POST",
        "/v1/invite/verify",
        "verify_invite",
        "verify_invite",
        "invites",
        "Verify an invite code",
        "Which room a usable invite code opens and whether it needs a password (the web "
        "app's guest landing page). No authentication: an `Authorization` header, valid or "
        "not, is ignored.",
        "none",
        (
            Answer(
                200,
                "The invite is usable.",
                InviteVerification,
                {"room_id": EXAMPLE_ROOM, "password_required": True},
            ),
            *_body_failures(required=True),
            Failure("validation_failed", "`invite_code` is not a UUID", field="invite_code"),
            GUESSES,
            Failure(
                "not_found",
                "the invite is unknown, revoked or expired, or its room no longer exists",
                "unknown, revoked or expired invite code",
            ),
            BACKEND,
            INTERNAL,
        ),
        VerifyBody,
        body_example={"invite_code": EXAMPLE_INVITE},
    ),
    Operation(
        "GET",
        f"{ROOM}/sip",
        "get_sip",
        "get_sip",
        "sip",
        "Get a room's SIP config",
        CREATOR_ONLY,
        "bearer",
        (
            Answer(200, "The SIP config.", SipConfig, EXAMPLE_SIP),
            UNAUTHORIZED,
            NO_SIP_CONFIG,
            NOT_CREATOR,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "PUT",
        f"{ROOM}/sip",
        "put_sip",
        "put_sip",
        "sip",
        "Create or change a room's SIP config",
        "Give `password` (the PIN) and/or `lobby`. Creating a config draws a unique random "
        f"call-in id (and a random PIN when none is given; lobby off by default). "
        f"{CREATOR_ONLY}",
        "bearer",
        (
            Answer(200, "The changed SIP config.", SipConfig, EXAMPLE_SIP),
            Answer(201, "The new SIP config.", SipConfig, EXAMPLE_SIP),
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            *_body_failures(required=True),
            Failure(
                "validation_failed",
                "neither `password` nor `lobby` is given (`errors[].code` `empty`), or "
                "`password` is not exactly 10 ASCII digits",
                field="password",
            ),
            BACKEND,
            INTERNAL,
        ),
        PutSipBody,
        body_example={"password": "9876543210", "lobby": True},
    ),
    Operation(
        "DELETE",
        f"{ROOM}/sip",
        "delete_sip",
        "delete_sip",
        "sip",
        "Delete a room's SIP config",
        CREATOR_ONLY,
        "bearer",
        (
            NO_CONTENT,
            UNAUTHORIZED,
            NO_SIP_CONFIG,
            NOT_CREATOR,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "GET",
        f"{ROOM}/tariff",
        "room_tariff",
        "room_tariff",
        "tariffs",
        "Get a room's tariff",
        "The tariff of the room (the one configured tariff, the object `join_success` "
        "carries as `tariff`). Accepts a bearer token or `Authorization: InviteCode <code>` "
        "with a usable invite of this room.",
        "bearer_or_invite",
        (
            Answer(200, "The tariff.", Tariff, None),
            Failure(
                "unauthorized",
                "no valid bearer token, and no `InviteCode` of a usable invite of this room",
                "the invite code is unknown, revoked or expired",
            ),
            ROOM_NOT_FOUND,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "GET",
        f"{ROOM}/event",
        "room_event",
        "room_event",
        "events",
        "Get a room's calendar event",
        "There is no calendar: once the credential is valid the answer is always 404 "
        "(reference §19.12). Accepts a bearer token or `Authorization: InviteCode <code>` with "
        "any usable invite, and never answers 401 or 403 to one.",
        "bearer_or_invite",
        (
            Failure(
                "unauthorized",
                "no valid bearer token, and no `InviteCode` of a usable invite",
                "the invite code is unknown, revoked or expired",
            ),
            Failure("not_found", "always, once the credential is valid", "this room has no event"),
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "GET",
        "/v1/users/me",
        "me",
        "me",
        "users",
        "Get the caller's profile",
        "The caller's profile, from the bearer token's claims (reference §19.12).",
        "bearer",
        (
            Answer(200, "The caller.", CurrentUser, EXAMPLE_ME),
            UNAUTHORIZED,
            INTERNAL,
        ),
    ),
    Operation(
        "GET",
        "/v1/users/me/tariff",
        "my_tariff",
        "my_tariff",
        "tariffs",
        "Get the caller's tariff",
        "The one configured tariff (the object `join_success` carries as `tariff`).",
        "bearer",
        (Answer(200, "The tariff.", Tariff, None), UNAUTHORIZED, INTERNAL),
    ),
    *(
        Operation(
            method,
            "/v1/events/{anything:path}",
            "no_events",
            f"no_events_{method.lower()}",
            "events",
            "Events (none)",
            "There is no calendar: every path below `/v1/events/` answers 404 JSON, "
            "whatever the method, credential or body.",
            "none",
            (Failure("not_found", "always", "there are no events"), INTERNAL),
        )
        for method in EVENT_METHODS
    ),
    Operation(
        "GET",
        "/v1/webhooks",
        "list_webhooks",
        "list_webhooks",
        "webhooks",
        "List the webhooks",
        "Every webhook, oldest first, one page at a time (`total_count` counts them all).",
        "admin",
        (
            Answer(
                200,
                "One page of webhooks.",
                WebhookList,
                {"data": [EXAMPLE_WEBHOOK_RECORD], "total_count": 1},
            ),
            UNAUTHORIZED,
            NOT_ADMIN,
            PAGINATION,
            BACKEND,
            INTERNAL,
        ),
        paginated=True,
    ),
    Operation(
        "POST",
        "/v1/webhooks",
        "create_webhook",
        "create_webhook",
        "webhooks",
        "Create a webhook",
        "From now on every event named in `events` ("
        + ", ".join(f"`{e}`" for e in EVENT_NAMES)
        + ") is posted to `url`, signed with `secret` (README, Webhooks). Repeated names "
        "count once.",
        "admin",
        (
            Answer(201, "The new webhook (without its secret).", Webhook, EXAMPLE_WEBHOOK_RECORD),
            UNAUTHORIZED,
            NOT_ADMIN,
            *_body_failures(required=True),
            WEBHOOK_VALUES,
            BACKEND,
            INTERNAL,
        ),
        PostWebhookBody,
        body_example={
            "url": "https://crm.example.org/hooks/meetings",
            "events": ["participant.joined", "participant.left"],
            "secret": "a long random string",
        },
    ),
    Operation(
        "GET",
        WEBHOOK,
        "get_webhook",
        "get_webhook",
        "webhooks",
        "Get a webhook",
        "The webhook, without its secret.",
        "admin",
        (
            Answer(200, "The webhook.", Webhook, EXAMPLE_WEBHOOK_RECORD),
            UNAUTHORIZED,
            NOT_ADMIN,
            WEBHOOK_NOT_FOUND,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "PATCH",
        WEBHOOK,
        "patch_webhook",
        "patch_webhook",
        "webhooks",
        "Change a webhook",
        "Replace the given fields; the others stay. Events already waiting are sent with the "
        "changed URL, secret and events.",
        "admin",
        (
            Answer(200, "The changed webhook.", Webhook, EXAMPLE_WEBHOOK_RECORD),
            UNAUTHORIZED,
            NOT_ADMIN,
            WEBHOOK_NOT_FOUND,
            *_body_failures(required=True),
            WEBHOOK_VALUES,
            BACKEND,
            INTERNAL,
        ),
        PatchWebhookBody,
        body_example={"events": ["session.started", "session.ended"]},
    ),
    Operation(
        "DELETE",
        WEBHOOK,
        "delete_webhook",
        "delete_webhook",
        "webhooks",
        "Delete a webhook",
        "No event is posted to it any more, also none that was waiting.",
        "admin",
        (NO_CONTENT, UNAUTHORIZED, NOT_ADMIN, WEBHOOK_NOT_FOUND, BACKEND, INTERNAL),
    ),
    Operation(
        "GET",
        f"{ROOM}/sessions",
        "room_sessions",
        "room_sessions",
        "sessions",
        "List a room's meeting sessions",
        "The room's meeting sessions, newest first, one page at a time. A session starts "
        "with the first join into a room without live state and ends when the live state "
        "is cleaned (`SIGNALING_ROOM_GRACE_PERIOD` after the last one left) or the room is "
        "deleted; records are kept `SIGNALING_SESSION_RETENTION` seconds (30 days) after "
        f"the end. {SESSION_READERS} An admin token may also read a deleted room's sessions.",
        "bearer",
        (
            Answer(
                200,
                "One page of sessions.",
                SessionList,
                {"data": [EXAMPLE_SESSION_RECORD], "total_count": 1},
            ),
            UNAUTHORIZED,
            ROOM_NOT_FOUND,
            NOT_SESSION_READER,
            PAGINATION,
            BACKEND,
            INTERNAL,
        ),
        paginated=True,
    ),
    Operation(
        "GET",
        "/v1/sessions/{session_id}",
        "get_session",
        "get_session",
        "sessions",
        "Get a meeting session",
        "`ended_at` is null while it runs; `participant_count` counts distinct participants "
        "(a resumption and a breakout move keep the id), `max_concurrent` the most present "
        f"at once. {SESSION_READERS}",
        "bearer",
        (
            Answer(200, "The session.", MeetingSession, EXAMPLE_SESSION_RECORD),
            UNAUTHORIZED,
            SESSION_NOT_FOUND,
            NOT_SESSION_READER,
            BACKEND,
            INTERNAL,
        ),
    ),
    Operation(
        "GET",
        "/v1/sessions/{session_id}/participants",
        "session_participants",
        "session_participants",
        "sessions",
        "List a meeting session's participants",
        "One entry per join, in join order: a participant who left and came back has two; a "
        "breakout move is no leave. `leave_reason` is `quit`, `timeout`, `kicked`, `banned`, "
        "`sent_to_waiting_room` or `room_deleted`; null (with `left_at` the session's end) "
        f"for those still there when the session ended. {SESSION_READERS}",
        "bearer",
        (
            Answer(200, "The participants.", AttendanceList, {"data": [EXAMPLE_ATTENDANCE]}),
            UNAUTHORIZED,
            SESSION_NOT_FOUND,
            NOT_SESSION_READER,
            BACKEND,
            INTERNAL,
        ),
    ),
)


# -- the document ------------------------------------------------------------------------------


def served_routes() -> tuple[list[tuple[str, str, str]], Tariff]:
    """``(path, method, endpoint name)`` of every HTTP route of a real app (the automatic
    ``HEAD`` of a ``GET`` left out), and that app's tariff. The app is built from default
    settings in a temporary data dir and never started."""
    from signaling.app import create_app  # the app serves this module's route

    with tempfile.TemporaryDirectory(prefix="signaling-openapi-") as data_dir:
        app = create_app(Settings(data_dir=data_dir))
        routes: list[tuple[str, str, str]] = []
        for route in app.http.routes:
            if not isinstance(route, Route) or not route.methods:
                raise TypeError(f"cannot describe the route {route!r}")
            for method in sorted(route.methods):
                if method == "HEAD" and "GET" in route.methods:
                    continue
                routes.append((route.path, method, route.name))
        return routes, app.node.tariff


def openapi_path(path: str) -> str:
    """The OpenAPI path template of a router path (convertors dropped)."""
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*):[A-Za-z_]+\}", r"{\1}", path)


def build_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every REST route, as plain JSON-like data.

    Raises:
        RuntimeError: a served route is not described, or a description names a route
            (or endpoint) the app does not serve.
    """
    served, tariff = served_routes()
    _check_coverage(served)
    schemas = _schemas()
    tariff_example = msgspec.to_builtins(tariff)

    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        item = paths.setdefault(openapi_path(op.path), {})
        params = _path_parameters(op.path)
        if params and "parameters" not in item:
            item["parameters"] = params
        item[op.method.lower()] = _operation(op, tariff_example)

    tags = sorted({op.tag for op in OPERATIONS})
    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "OpenTalk-compatible signaling: REST API",
            "version": _package_version(),
            "summary": "Tickets for the /signaling WebSocket, and the records a frontend manages.",
            "description": _description(),
            "license": {
                "name": "EUPL-1.2",
                "url": "https://interoperable-europe.ec.europa.eu/collection/eupl",
            },
        },
        "servers": [
            {
                "url": "http://localhost:11311",
                "description": "`signaling serve` (or `make run`) with its defaults.",
            }
        ],
        "tags": [{"name": tag, "description": TAG_DESCRIPTIONS[tag]} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": (
                        "`Authorization: Bearer <JWT>`: HS256 with `SIGNALING_JWT_SECRET` (or "
                        "the embedded dev secret; `signaling dev-token` issues one), or "
                        "RS256/ES256 from `SIGNALING_JWKS_FILE`. Claims: `sub` (the user id), "
                        "`exp`, optional `name`/`preferred_username`, `email`, `given_name`, "
                        "`family_name`, `groups`; service tokens carry Keycloak-style "
                        f"`realm_access.roles` (`{CALL_IN_ROLE}` for SIP gateways)."
                    ),
                },
                INVITE_CODE: {
                    "type": "http",
                    "scheme": "InviteCode",
                    "description": (
                        "`Authorization: InviteCode <invite code>`: a usable (active, "
                        "unexpired) invite code, as the web app sends for guests."
                    ),
                },
            },
        },
    }
    # A copy: nothing a consumer changes may reach the module's constants.
    return copy.deepcopy(document)


TAG_DESCRIPTIONS = {
    "events": "Calendar stubs: there is no calendar, these answer 404.",
    "invites": "Invite codes of a room (guest access).",
    "meta": "Health and this description.",
    "rooms": "Room records.",
    "sessions": "Meeting sessions of rooms and who took part.",
    "sip": "SIP call-in configs of rooms.",
    "start": "Tickets for the `/signaling` WebSocket.",
    "tariffs": "The configured tariff.",
    "users": "The caller.",
    "webhooks": "Signed notifications of what happens in rooms (README, Webhooks).",
}


def _check_coverage(served: list[tuple[str, str, str]]) -> None:
    described = {(op.path, op.method): op.handler for op in OPERATIONS}
    if len(described) != len(OPERATIONS):
        raise RuntimeError("an operation is described twice")
    serving = {(path, method): name for path, method, name in served}
    missing = sorted(set(serving) - set(described))
    stale = sorted(set(described) - set(serving))
    wrong = sorted(
        (key, described[key], serving[key])
        for key in set(serving) & set(described)
        if described[key] != serving[key]
    )
    problems = [f"not described: {method} {path}" for path, method in missing]
    problems += [f"described but not served: {method} {path}" for path, method in stale]
    problems += [
        f"{method} {path} is served by {actual!r}, described as {expected!r}"
        for (path, method), expected, actual in wrong
    ]
    if problems:
        raise RuntimeError(
            "the OpenAPI description and the router disagree:\n" + "\n".join(problems)
        )


def _path_parameters(path: str) -> list[dict[str, Any]]:
    out = []
    for name in re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z_]+)?\}", path):
        out.append(PATH_PARAMETERS[name])
    return out


PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "room_id": {
        "name": "room_id",
        "in": "path",
        "required": True,
        "description": "The room's id, a UUID (anything else is an unknown room: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": EXAMPLE_ROOM,
    },
    "invite_code": {
        "name": "invite_code",
        "in": "path",
        "required": True,
        "description": "The invite code, a UUID (anything else is an unknown invite: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": EXAMPLE_INVITE,
    },
    "webhook_id": {
        "name": "webhook_id",
        "in": "path",
        "required": True,
        "description": "The webhook's id, a UUID (anything else is an unknown webhook: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": EXAMPLE_WEBHOOK,
    },
    "session_id": {
        "name": "session_id",
        "in": "path",
        "required": True,
        "description": "The session's id, a UUID (anything else is an unknown session: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": EXAMPLE_SESSION,
    },
    "anything": {
        "name": "anything",
        "in": "path",
        "required": True,
        "description": "Any path below `/v1/events/` (slashes included).",
        "schema": {"type": "string"},
        "example": "upcoming",
    },
}

PAGINATION_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": f"Items per page, 1..{MAX_PER_PAGE}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
        "example": 10,
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "The page, from 1; a page past the end is empty.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
        "example": 1,
    },
]

_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "none": [],
    "bearer": [{BEARER: []}],
    "call_in": [{BEARER: [CALL_IN_ROLE]}],
    "admin": [{BEARER: [ADMIN_ROLE]}],
    "bearer_or_invite": [{BEARER: []}, {INVITE_CODE: []}],
}


def _operation(op: Operation, tariff_example: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": op.summary,
        "description": op.description,
        "security": _SECURITY[op.auth],
    }
    if op.paginated:
        out["parameters"] = PAGINATION_PARAMETERS
    if op.body is not None:
        out["requestBody"] = {
            "required": op.body_required,
            "description": (
                "JSON (`application/json` or another `+json` type)."
                + ("" if op.body_required else " Optional: an empty body counts as `{}`.")
            ),
            "content": {
                "application/json": {
                    "schema": _schema_ref(op.body),
                    "example": op.body_example,
                }
            },
        }
    out["responses"] = _responses(op, tariff_example)
    return out


def _responses(op: Operation, tariff_example: Any) -> dict[str, Any]:
    answers = {o.status: o for o in op.outcomes if isinstance(o, Answer)}
    failures: dict[int, list[Failure]] = {}
    for outcome in op.outcomes:
        if isinstance(outcome, Failure):
            if outcome.status in answers:
                raise RuntimeError(f"{op.operation_id}: {outcome.status} is described twice")
            failures.setdefault(outcome.status, []).append(outcome)
    out: dict[str, Any] = {}
    for status in sorted({*answers, *failures}):
        if status in answers:
            out[str(status)] = _answer(answers[status], tariff_example)
        else:
            out[str(status)] = _failure_response(status, failures[status])
    return out


def _answer(answer: Answer, tariff_example: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": answer.description}
    if answer.body is not None:
        example = tariff_example if answer.body is Tariff else answer.example
        response["content"] = {
            "application/json": {"schema": _schema_ref(answer.body), "example": example}
        }
    return response


def _failure_response(status: int, failures: list[Failure]) -> dict[str, Any]:
    by_code: dict[str, list[Failure]] = {}
    for failure in failures:
        by_code.setdefault(failure.code, []).append(failure)
    lines = [
        f"- `{code}`: " + "; or ".join(f.when for f in group) + "."
        for code, group in by_code.items()
    ]
    if status == 422:
        schema: dict[str, Any] = {"$ref": SCHEMAS + "ValidationError"}
        examples = {
            f"{f.field}": {
                "summary": f.when,
                "value": {
                    "code": "validation_failed",
                    "message": ERROR_CODES["validation_failed"][1],
                    "errors": [
                        {
                            "field": f.field,
                            "code": "empty" if "`empty`" in f.when else "invalid_value",
                            "message": _FIELD_MESSAGES.get(f.field, "Expected `bool`, got `str`"),
                        }
                    ],
                },
            }
            for f in failures
        }
    else:
        schema = {
            "allOf": [
                {"$ref": SCHEMAS + "Error"},
                {"properties": {"code": {"enum": list(by_code)}}},
            ]
        }
        examples = {
            code: {
                "summary": group[0].when,
                "value": {
                    "code": code,
                    "message": group[0].message or ERROR_CODES[code][1],
                },
            }
            for code, group in by_code.items()
        }
    response: dict[str, Any] = {
        "description": "\n".join(lines),
        "content": {"application/json": {"schema": schema, "examples": examples}},
    }
    headers = _error_headers(status, by_code)
    if headers:
        response["headers"] = headers
    return response


_FIELD_MESSAGES = {
    "invite_code": "Bad invite code format",
    "id": "id must be exactly 10 digits",
    "per_page": "per_page must be 1..100",
    "expiration": "the expiration must lie in the future",
    "password": "the PIN must be exactly 10 ASCII digits",
}


def _error_headers(status: int, by_code: dict[str, list[Failure]]) -> dict[str, Any]:
    if status == 401 and "unauthorized" in by_code:
        return {
            "WWW-Authenticate": {
                "description": "`Bearer` (with `unauthorized`).",
                "required": set(by_code) == {"unauthorized"},
                "schema": {"type": "string", "const": "Bearer"},
            }
        }
    if status in (429, 503):
        return {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return {}


def _schema_ref(t: Any) -> dict[str, Any]:
    """The schema of a body type: a component reference, or an array/object of them."""
    if isinstance(t, type) and issubclass(t, msgspec.Struct):
        return {"$ref": SCHEMAS + t.__name__}
    origin = typing.get_origin(t)
    if origin is list:
        (item,) = typing.get_args(t)
        return {"type": "array", "items": _schema_ref(item)}
    if origin is dict:
        return {"type": "object"}
    raise TypeError(f"cannot describe the body type {t!r}")


def _body_structs(types: list[Any]) -> list[type[msgspec.Struct]]:
    out: list[type[msgspec.Struct]] = []
    for t in types:
        args = typing.get_args(t)
        for candidate in (t, *args):
            is_struct = isinstance(candidate, type) and issubclass(candidate, msgspec.Struct)
            if is_struct and candidate not in out:
                out.append(candidate)
    return out


def _schemas() -> dict[str, Any]:
    """``components/schemas``: one :func:`msgspec.json.schema_components` call over every
    request and response struct, tightened where the routes check more than the types."""
    requests = _body_structs([op.body for op in OPERATIONS if op.body is not None])
    responses = _body_structs(
        [o.body for op in OPERATIONS for o in op.outcomes if isinstance(o, Answer) and o.body]
    )
    responses += [Error, ValidationError]
    roots = requests + [t for t in responses if t not in requests]
    _, raw = msgspec.json.schema_components(roots, ref_template=SCHEMAS + "{name}")
    for name in raw:
        if not re.fullmatch(r"[A-Za-z0-9]+", name):
            raise RuntimeError(f"two structs are called like {name!r}: rename one")
    schemas: dict[str, Any] = {name: _clean(value) for name, value in raw.items()}

    # Response-only structs: exactly their fields, every field present unless it may be
    # left out (omit_defaults, or UNSET).
    request_names = {cls.__name__ for cls in _reachable(requests)}
    for cls in _reachable(responses):
        if cls.__name__ in request_names:
            continue
        schema = schemas[cls.__name__]
        schema["additionalProperties"] = False
        if not cls.__struct_config__.omit_defaults:
            schema["required"] = [
                f.encode_name for f in msgspec.structs.fields(cls) if f.default is not msgspec.UNSET
            ]

    for (component, field), extra in _REQUEST_CONSTRAINTS.items():
        prop = schemas[component]["properties"][field]
        constraints = dict(extra)
        description = constraints.pop("description", None)
        target = next((o for o in prop.get("anyOf", []) if o.get("type") == "string"), prop)
        target.update(constraints)
        if description is not None:
            schemas[component]["properties"][field] = {"description": description, **prop}
    sip = schemas[PutSipBody.__name__]
    sip["anyOf"] = [{"required": ["password"]}, {"required": ["lobby"]}]
    for name, description in _COMPONENT_DESCRIPTIONS.items():
        if "description" not in schemas[name]:
            schemas[name] = {
                "title": schemas[name].pop("title", name),
                "description": description,
                **schemas[name],
            }
    return schemas


#: For the structs without a docstring.
_COMPONENT_DESCRIPTIONS: dict[str, str] = {
    StartBody.__name__: "The optional body of `start`; unknown fields are ignored.",
    InvitedStartBody.__name__: "A guest's start: the invite code, and the room password if "
    "the room has one.",
    CallInStartBody.__name__: "What the caller dialled.",
    StartResponse.__name__: "A ticket for the `/signaling` WebSocket (64 characters, single "
    "use) and a fresh resumption token (64 characters).",
    PostRoomBody.__name__: "A new room.",
    PatchRoomBody.__name__: "The fields to change; absent fields stay as they are.",
    PostInviteBody.__name__: "A new invite; absent or null `expiration`: it never expires.",
    PutInviteBody.__name__: "The invite's new expiration; null: it never expires.",
    VerifyBody.__name__: "The invite code to check.",
    PutSipBody.__name__: "The SIP config's new PIN and/or lobby flag.",
    Tariff.__name__: "The configured tariff (the object `join_success` carries as `tariff`): "
    "its quotas and the modules it enables.",
    "ModuleFeatures": "The features of an enabled module (none so far).",
}


#: What the routes check beyond the body types (before a lookup: anything else is 422).
_REQUEST_CONSTRAINTS: dict[tuple[str, str], dict[str, Any]] = {
    (InvitedStartBody.__name__, "invite_code"): {"format": "uuid"},
    (VerifyBody.__name__, "invite_code"): {"format": "uuid"},
    (CallInStartBody.__name__, "id"): {
        "pattern": f"^[0-9]{{{SIP_ID_LENGTH}}}$",
        "description": "The call-in id the caller dialled: 10 ASCII digits.",
    },
    (CallInStartBody.__name__, "pin"): {
        "pattern": f"^[0-9]{{{SIP_PIN_LENGTH}}}$",
        "description": "The PIN the caller dialled: 10 ASCII digits.",
    },
    (PutSipBody.__name__, "password"): {
        "pattern": f"^[0-9]{{{SIP_PIN_LENGTH}}}$",
        "description": "The PIN: 10 ASCII digits.",
    },
    (PostInviteBody.__name__, "expiration"): {
        "format": "date-time",
        "description": "RFC 3339; without an offset it is UTC; must lie in the future.",
    },
    (PutInviteBody.__name__, "expiration"): {
        "format": "date-time",
        "description": "RFC 3339; without an offset it is UTC; must lie in the future.",
    },
    **{
        (body.__name__, "breakout_room"): {
            "description": "A breakout room id (UUID) of the room; absent or null: the main room.",
        }
        for body in (StartBody, InvitedStartBody)
    },
    **{
        (body.__name__, "resumption"): {
            "description": "The resumption token of an earlier start call, to keep the "
            "participant id (reference §2.6).",
        }
        for body in (StartBody, InvitedStartBody)
    },
    (InvitedStartBody.__name__, "password"): {
        "description": "The room password; needed only when the room has one.",
    },
}


def _reachable(roots: list[type[msgspec.Struct]]) -> list[type[msgspec.Struct]]:
    """Every struct class reachable from ``roots``, each once, in a stable order."""
    seen: list[type[msgspec.Struct]] = []

    def walk(t: Any) -> None:
        if isinstance(t, type) and issubclass(t, msgspec.Struct):
            if t not in seen:
                seen.append(t)
                for field in msgspec.structs.fields(t):
                    walk(field.type)
            return
        for arg in typing.get_args(t):
            walk(arg)

    for cls in roots:
        walk(cls)
    return seen


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _prose(item) if key == "description" and isinstance(item, str) else _clean(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _description() -> str:
    codes = "\n".join(
        f"| {status} | `{code}` |"
        for code, (status, _) in sorted(ERROR_CODES.items(), key=lambda item: (item[1][0], item[0]))
    )
    return f"""\
The REST side of an OpenTalk-compatible conference server: tickets for the `/signaling`
WebSocket (described by `protocol/asyncapi.yaml`), and the records a frontend manages
(rooms, invites, SIP call-in configs, the caller's profile and tariff).

## Conventions

- Bodies are JSON both ways (`application/json`; a request body may also be any `+json`
  type). Unknown body fields are ignored. Timestamps are RFC 3339 in UTC with six fraction
  digits and `Z`; ids are UUID strings, user ids the bearer token's `sub`.
- Every error is `{{"code", "message"}}` JSON; a 422 `validation_failed` also lists
  `errors[]` of `{{"field", "code", "message"}}`. Each operation lists the statuses it
  answers and, per status, every `code` with when it is sent.
- Any path that is not a route answers 404 `not_found`, and a route called with a method it
  does not have 405 `method_not_allowed` (both JSON). Every `GET` also answers `HEAD`. A
  path with a trailing slash is redirected (307) to the path without it.
- 503 `service_unavailable` (with `Retry-After`) means the shared backend (Redis) is
  unreachable; 500 `internal_server_error` is a bug. Neither is a client mistake.
- CORS (preflight `OPTIONS`, `Authorization` and `Content-Type` allowed) is on only for the
  origins in `SIGNALING_CORS_ORIGINS`.

## Error codes

| Status | `code` |
|---|---|
{codes}
"""


# -- serving -----------------------------------------------------------------------------------


@functools.cache
def document_json() -> bytes:
    """The document as served (built once per process)."""
    return to_json(build_document()).encode()


async def openapi_json(request: Request) -> Response:
    """``GET /v1/openapi.json``: this document. No authentication."""
    return Response(document_json(), media_type="application/json")


def openapi_route() -> BaseRoute:
    return Route(OPENAPI_PATH, openapi_json, methods=["GET"])
