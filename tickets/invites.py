"""Invite codes of a room (guest access; reference §17.1, §19.11): list, create, read,
change, revoke, and the guest landing page's check of a code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling import registry
from signaling.errors import NOT_FOUND, VALIDATION_FAILED, Failure, FieldError, validation_failed
from signaling.registry import UnknownRoomError, UserProfile
from signaling.wire import format_timestamp, utcnow
from tickets import examples
from tickets.access import (
    BAD_TOKEN,
    INVITE_NOT_FOUND,
    NOT_CREATOR,
    ROOM_NOT_FOUND,
    UNKNOWN_INVITE,
    Api,
    canonical_uuid,
)
from tickets.declaration import BACKEND, CREATOR_ONLY, INTERNAL, NO_CONTENT, Answer, Endpoint
from tickets.fields import Timestamp, UuidText
from tickets.http import PAGINATION, body_failures, json_response, no_content, paginate, read_body
from tickets.throttle import GUESSES, attempt, client_address

#: An unusable invite code, for a guest.
UNUSABLE = NOT_FOUND.saying("unknown, revoked or expired invite code")
BAD_CODE = FieldError(field="invite_code", code="invalid_value", message="Bad invite code format")
IN_THE_PAST = FieldError(
    field="expiration", code="invalid_value", message="the expiration must lie in the future"
)

Expiration = Annotated[
    Annotated[datetime, msgspec.Meta(extra_json_schema={"format": "date-time"})] | None,
    msgspec.Meta(description="RFC 3339; without an offset it is UTC; must lie in the future."),
]


class Invite(msgspec.Struct, kw_only=True):
    """An invite code of a room. A revoked invite stays listed with ``active`` false;
    ``expiration`` null means it never expires."""

    invite_code: UuidText
    created: Timestamp
    created_by: UserProfile
    updated: Timestamp
    updated_by: UserProfile
    room: UuidText
    active: bool
    expiration: Timestamp | None

    @classmethod
    def of(cls, invite: registry.Invite) -> Invite:
        return cls(
            invite_code=invite.invite_code,
            created=format_timestamp(invite.created),
            created_by=invite.created_by,
            updated=format_timestamp(invite.updated),
            updated_by=invite.updated_by,
            room=invite.room,
            active=invite.active,
            expiration=None if invite.expiration is None else format_timestamp(invite.expiration),
        )


class InviteVerification(msgspec.Struct, kw_only=True):
    """The room of a usable invite code, and whether ``start_invited`` needs its password."""

    room_id: UuidText
    password_required: bool


class PostInviteBody(msgspec.Struct):
    """A new invite; absent or null `expiration`: it never expires."""

    expiration: Expiration = None


class PutInviteBody(msgspec.Struct):
    """The invite's new expiration; null: it never expires."""

    expiration: Expiration


class VerifyBody(msgspec.Struct):
    """The invite code to check."""

    invite_code: Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]


def _future(expiration: datetime | None) -> datetime | None:
    """A tz-aware expiration (naive ones are UTC) that lies in the future, or None."""
    if expiration is None:
        return None
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    try:
        expiration = expiration.astimezone(UTC)
    except OverflowError:
        raise validation_failed("expiration", "the expiration is out of range") from None
    if expiration <= utcnow():
        raise IN_THE_PAST.error()
    return expiration


async def list_invites(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    invites = await api.node.registry.invites_of_room(room.id)
    return json_response([Invite.of(invite) for invite in paginate(request, invites)])


async def create_invite(api: Api, request: Request) -> Response:
    principal, room = await api.own_room(request)
    body = await read_body(request, PostInviteBody, empty_ok=True)
    expiration = _future(body.expiration)
    try:
        invite = await api.node.registry.create_invite(room.id, api.profile(principal), expiration)
    except UnknownRoomError:
        raise NOT_FOUND() from None
    return json_response(Invite.of(invite), 201)


async def get_invite(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    return json_response(Invite.of(await api.invite(request, room)))


async def put_invite(api: Api, request: Request) -> Response:
    principal, room = await api.own_room(request)
    invite = await api.invite(request, room)
    body = await read_body(request, PutInviteBody)
    expiration = _future(body.expiration)
    updated = await api.node.registry.update_invite(
        invite.invite_code, api.profile(principal), expiration
    )
    if updated is None:
        raise UNKNOWN_INVITE()
    return json_response(Invite.of(updated))


async def delete_invite(api: Api, request: Request) -> Response:
    principal, room = await api.own_room(request)
    invite = await api.invite(request, room)
    if await api.node.registry.revoke_invite(invite.invite_code, api.profile(principal)):
        return no_content()
    raise UNKNOWN_INVITE()


async def verify_invite(api: Api, request: Request) -> Response:
    """No authentication: an Authorization header, valid or not, is ignored (§19.11)."""
    body = await read_body(request, VerifyBody)
    code = canonical_uuid(body.invite_code)
    if code is None:
        raise BAD_CODE.error()
    client = client_address(request)
    guess = await attempt(api.throttles.guess, "invite", client)
    invite = await api.node.registry.get_invite(code)
    room = None
    if invite is not None and invite.usable(utcnow()):
        room = await api.node.registry.get_room(invite.room)
    if room is None:
        raise UNUSABLE()
    await api.throttles.guess.forgive("invite", client, guess)
    return json_response(
        InviteVerification(room_id=room.id, password_required=room.password is not None)
    )


INVITES = "/v1/rooms/{room_id}/invites"
INVITE = f"{INVITES}/{{invite_code}}"
EXAMPLE = Invite(
    invite_code=examples.INVITE_CODE,
    created=examples.TIMESTAMP,
    created_by=examples.PROFILE,
    updated=examples.TIMESTAMP,
    updated_by=examples.PROFILE,
    room=examples.ROOM_ID,
    active=True,
    expiration="2030-01-01T00:00:00.000000Z",
)
BAD_EXPIRATION = Failure(
    VALIDATION_FAILED,
    "`expiration` is not an RFC 3339 timestamp or does not lie in the future",
    invalid=IN_THE_PAST,
)
#: An unusable invite code, for a guest (also ``start_invited``'s).
UNUSABLE_CODE = Failure(
    UNUSABLE, "the invite is unknown, revoked or expired, or its room no longer exists"
)
#: A code that is not a UUID (also ``start_invited``'s).
MALFORMED_CODE = Failure(VALIDATION_FAILED, "`invite_code` is not a UUID", invalid=BAD_CODE)

ENDPOINTS = (
    Endpoint(
        "GET",
        INVITES,
        list_invites,
        "invites",
        "List a room's invites",
        f"The room's invites (revoked ones too), oldest first, one page at a time. {CREATOR_ONLY}",
        "bearer",
        (Answer(200, "One page of invites.", list[Invite], [EXAMPLE]),),
        (BAD_TOKEN, ROOM_NOT_FOUND, NOT_CREATOR, PAGINATION, BACKEND, INTERNAL),
        paginated=True,
    ),
    Endpoint(
        "POST",
        INVITES,
        create_invite,
        "invites",
        "Create an invite",
        f"A new invite code for the room; the body is optional (no `expiration`: the invite "
        f"never expires). A timestamp without an offset is UTC. {CREATOR_ONLY}",
        "bearer",
        (Answer(201, "The new invite.", Invite, EXAMPLE),),
        (
            BAD_TOKEN,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            *body_failures(required=False),
            BAD_EXPIRATION,
            BACKEND,
            INTERNAL,
        ),
        PostInviteBody,
        body_required=False,
        body_example={"expiration": "2030-01-01T00:00:00Z"},
    ),
    Endpoint(
        "GET",
        INVITE,
        get_invite,
        "invites",
        "Get an invite",
        CREATOR_ONLY,
        "bearer",
        (Answer(200, "The invite.", Invite, EXAMPLE),),
        (BAD_TOKEN, INVITE_NOT_FOUND, NOT_CREATOR, BACKEND, INTERNAL),
    ),
    Endpoint(
        "PUT",
        INVITE,
        put_invite,
        "invites",
        "Change an invite's expiration",
        f"Set (or, with null, remove) the invite's expiration; a revoked invite stays "
        f"revoked. {CREATOR_ONLY}",
        "bearer",
        (Answer(200, "The changed invite.", Invite, EXAMPLE),),
        (
            BAD_TOKEN,
            INVITE_NOT_FOUND,
            NOT_CREATOR,
            *body_failures(required=True),
            BAD_EXPIRATION,
            BACKEND,
            INTERNAL,
        ),
        PutInviteBody,
        body_example=PutInviteBody(expiration=None),
    ),
    Endpoint(
        "DELETE",
        INVITE,
        delete_invite,
        "invites",
        "Revoke an invite",
        f"The invite becomes inactive (it stays listed, with `active` false). {CREATOR_ONLY}",
        "bearer",
        (NO_CONTENT,),
        (BAD_TOKEN, INVITE_NOT_FOUND, NOT_CREATOR, BACKEND, INTERNAL),
    ),
    Endpoint(
        "POST",
        "/v1/invite/verify",
        verify_invite,
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
                InviteVerification(room_id=examples.ROOM_ID, password_required=True),
            ),
        ),
        (*body_failures(required=True), MALFORMED_CODE, GUESSES, UNUSABLE_CODE, BACKEND, INTERNAL),
        VerifyBody,
        body_example=VerifyBody(invite_code=examples.INVITE_CODE),
    ),
)
