"""The REST records a frontend manages: rooms, invites, SIP configs, the user's own profile and
the tariff (``opentalk-rest-api.txt``; reference §17.1, §17.16, §17.17, §19.11, §19.12).

Only a room's creator may change or delete it, manage its invites or read/change its SIP
config (others: 403 ``forbidden``); any authenticated user may read a room, and only the
creator sees its ``password``. Ids in paths that are not UUIDs are unknown (404). Every error
is an :class:`~signaling.errors.ApiError` rendered as JSON.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from signaling.auth import Authenticator, Principal
from signaling.config import Settings
from signaling.errors import (
    ApiError,
    forbidden,
    not_found,
    unauthorized,
    validation_failed,
)
from signaling.tariff import Tariff
from signaling.wire import format_timestamp, utcnow
from tickets.http import error_response, json_response, read_body
from tickets.profiles import user_profile
from tickets.registry import (
    Invite,
    Registry,
    Room,
    SipConfig,
    UnknownRoomError,
    UserProfile,
    is_digits,
)
from tickets.throttle import Throttles, attempt, client_address

log = logging.getLogger(__name__)

T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100

Password = Annotated[str, msgspec.Meta(max_length=255)]


class RecordNode(Protocol):
    """What the record routes need from the server process."""

    @property
    def settings(self) -> Settings: ...

    @property
    def authenticator(self) -> Authenticator: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def tariff(self) -> Tariff: ...

    async def close_room(self, room_id: str, /) -> None:
        """Tell the room's live participants that it was deleted, and close them."""


# -- request bodies ----------------------------------------------------------------------------


class PostRoomBody(msgspec.Struct):
    enable_sip: bool
    password: Password | None = None
    waiting_room: bool = False


class PatchRoomBody(msgspec.Struct):
    password: Password | msgspec.UnsetType | None = msgspec.UNSET
    waiting_room: bool | msgspec.UnsetType = msgspec.UNSET


class PostInviteBody(msgspec.Struct):
    expiration: datetime | None = None


class PutInviteBody(msgspec.Struct):
    expiration: datetime | None


class VerifyBody(msgspec.Struct):
    invite_code: str


class PutSipBody(msgspec.Struct):
    password: str | msgspec.UnsetType = msgspec.UNSET
    lobby: bool | msgspec.UnsetType = msgspec.UNSET


# -- views -------------------------------------------------------------------------------------


def room_view(room: Room, *, with_password: bool) -> dict[str, Any]:
    """The room record; ``password`` only for the creator (§17.16)."""
    view: dict[str, Any] = {
        "id": room.id,
        "created_by": room.created_by,
        "created_at": format_timestamp(room.created_at),
    }
    if with_password:
        view["password"] = room.password
    view["waiting_room"] = room.waiting_room
    return view


def invite_view(invite: Invite) -> dict[str, Any]:
    return {
        "invite_code": invite.invite_code,
        "created": format_timestamp(invite.created),
        "created_by": invite.created_by,
        "updated": format_timestamp(invite.updated),
        "updated_by": invite.updated_by,
        "room": invite.room,
        "active": invite.active,
        "expiration": None if invite.expiration is None else format_timestamp(invite.expiration),
    }


def sip_view(config: SipConfig) -> dict[str, Any]:
    return {
        "room": config.room,
        "sip_id": config.sip_id,
        "password": config.password,
        "lobby": config.lobby,
    }


# -- helpers -----------------------------------------------------------------------------------


def canonical_uuid(value: str) -> str | None:
    """The lower-case form of a hyphenated UUID string, None for anything else."""
    return value.lower() if _UUID.fullmatch(value) else None


def _password(value: str | None) -> str | None:
    """An empty password means no password (the start calls treat both alike)."""
    return value or None


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
        raise validation_failed("expiration", "the expiration must lie in the future")
    return expiration


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        if not raw.isascii():
            raise ValueError(raw)
        value = int(raw.strip(), 10)
    except ValueError:
        raise validation_failed(name, f"{name} must be an integer") from None
    if value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise validation_failed(name, f"{name} must be {bound}")
    return value


def paginate(request: Request, items: list[T]) -> list[T]:
    """One page of ``items`` per the ``per_page`` (1..100, default 30) and ``page`` (>= 1,
    default 1) query parameters; 422 for bad values."""
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int_param(request, "page", 1, 1, None)
    start = (page - 1) * per_page
    return items[start : start + per_page]


def api(endpoint: Endpoint) -> Endpoint:
    """Render :class:`ApiError` as JSON even where the app has no handler for it."""

    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as error:
            return error_response(error)

    wrapped.__name__ = endpoint.__name__
    wrapped.__doc__ = endpoint.__doc__
    return wrapped


def _no_content() -> Response:
    return Response(status_code=204)


# -- routes ------------------------------------------------------------------------------------


class _Records:
    def __init__(self, node: RecordNode, throttles: Throttles) -> None:
        self.node = node
        self.throttles = throttles

    # authentication and lookups

    def principal(self, request: Request) -> Principal:
        return self.node.authenticator.from_header(request.headers.get("authorization"))

    def profile(self, principal: Principal) -> UserProfile:
        return user_profile(principal, self.node.settings.avatar_base_url)

    async def room(self, request: Request) -> Room:
        """The path's room; 404 when unknown or not a UUID."""
        room_id = canonical_uuid(request.path_params["room_id"])
        room = None if room_id is None else await self.node.registry.get_room(room_id)
        if room is None:
            raise not_found("unknown room")
        return room

    async def own_room(self, request: Request) -> tuple[Principal, Room]:
        """Caller and room, for endpoints only the creator may use (401, 404, then 403)."""
        principal = self.principal(request)
        room = await self.room(request)
        if room.created_by.id != principal.sub:
            raise forbidden("only the creator of the room may do this")
        return principal, room

    async def invite(self, request: Request, room: Room) -> Invite:
        code = canonical_uuid(request.path_params["invite_code"])
        invite = None if code is None else await self.node.registry.get_invite(code)
        if invite is None or invite.room != room.id:
            raise not_found("unknown invite")
        return invite

    async def bearer_or_invite(self, request: Request, room_id: str | None) -> None:
        """Accept a valid bearer token, or ``InviteCode <code>`` of a usable invite (of
        ``room_id`` when given); 401 otherwise."""
        header = request.headers.get("authorization") or ""
        scheme, _, credential = header.strip().partition(" ")
        if scheme.lower() != "invitecode":
            self.node.authenticator.from_header(header or None)
            return
        code = canonical_uuid(credential.strip())
        invite = None if code is None else await self.node.registry.get_invite(code)
        if invite is None or not invite.usable(utcnow()):
            raise unauthorized("the invite code is unknown, revoked or expired")
        if room_id is not None and invite.room != room_id:
            raise unauthorized("the invite code is not for this room")

    # rooms

    async def list_rooms(self, request: Request) -> Response:
        principal = self.principal(request)
        rooms = await self.node.registry.rooms_created_by(principal.sub)
        page = paginate(request, rooms)
        return json_response([room_view(room, with_password=True) for room in page])

    async def create_room(self, request: Request) -> Response:
        principal = self.principal(request)
        body = await read_body(request, PostRoomBody)
        registry = self.node.registry
        room = await registry.create_room(
            self.profile(principal), _password(body.password), body.waiting_room
        )
        if body.enable_sip:
            await registry.put_sip_config(room.id, password=None, lobby=None)
        return json_response(room_view(room, with_password=True), 201)

    async def get_room(self, request: Request) -> Response:
        principal = self.principal(request)
        room = await self.room(request)
        is_creator = room.created_by.id == principal.sub
        return json_response(room_view(room, with_password=is_creator))

    async def patch_room(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        body = await read_body(request, PatchRoomBody)
        password = body.password
        if password is not msgspec.UNSET:
            password = _password(password)
        updated = await self.node.registry.update_room(
            room.id, password=password, waiting_room=body.waiting_room
        )
        if updated is None:
            raise not_found("unknown room")
        return json_response(room_view(updated, with_password=True))

    async def delete_room(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        if not await self.node.registry.delete_room(room.id):
            raise not_found("unknown room")
        try:
            await self.node.close_room(room.id)
        except Exception:
            # The record is gone either way; the live participants are cleaned up with the room.
            log.exception("closing the deleted room %s failed", room.id)
        return _no_content()

    async def room_tariff(self, request: Request) -> Response:
        room_id = canonical_uuid(request.path_params["room_id"])
        await self.bearer_or_invite(request, room_id)
        await self.room(request)
        return json_response(self.node.tariff)

    async def room_event(self, request: Request) -> Response:
        """We have no calendar: always 404, but only after a valid credential (§19.12)."""
        await self.bearer_or_invite(request, None)
        raise not_found("this room has no event")

    # invites

    async def list_invites(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        invites = await self.node.registry.invites_of_room(room.id)
        return json_response([invite_view(invite) for invite in paginate(request, invites)])

    async def create_invite(self, request: Request) -> Response:
        principal, room = await self.own_room(request)
        body = await read_body(request, PostInviteBody, empty_ok=True)
        expiration = _future(body.expiration)
        try:
            invite = await self.node.registry.create_invite(
                room.id, self.profile(principal), expiration
            )
        except UnknownRoomError:
            raise not_found("unknown room") from None
        return json_response(invite_view(invite), 201)

    async def get_invite(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        return json_response(invite_view(await self.invite(request, room)))

    async def put_invite(self, request: Request) -> Response:
        principal, room = await self.own_room(request)
        invite = await self.invite(request, room)
        body = await read_body(request, PutInviteBody)
        expiration = _future(body.expiration)
        updated = await self.node.registry.update_invite(
            invite.invite_code, self.profile(principal), expiration
        )
        if updated is None:
            raise not_found("unknown invite")
        return json_response(invite_view(updated))

    async def delete_invite(self, request: Request) -> Response:
        principal, room = await self.own_room(request)
        invite = await self.invite(request, room)
        if await self.node.registry.revoke_invite(invite.invite_code, self.profile(principal)):
            return _no_content()
        raise not_found("unknown invite")

    async def verify_invite(self, request: Request) -> Response:
        """No authentication: an Authorization header, valid or not, is ignored (§19.11)."""
        body = await read_body(request, VerifyBody)
        code = canonical_uuid(body.invite_code)
        if code is None:
            raise validation_failed("invite_code", "Bad invite code format")
        client = client_address(request)
        guess = await attempt(self.throttles.guess, "invite", client)
        registry = self.node.registry
        invite = await registry.get_invite(code)
        room = None
        if invite is not None and invite.usable(utcnow()):
            room = await registry.get_room(invite.room)
        if room is None:
            raise not_found("unknown, revoked or expired invite code")
        await self.throttles.guess.forgive("invite", client, guess)
        return json_response({"room_id": room.id, "password_required": room.password is not None})

    # SIP

    async def get_sip(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        config = await self.node.registry.get_sip_config(room.id)
        if config is None:
            raise not_found("the room has no SIP config")
        return json_response(sip_view(config))

    async def put_sip(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        body = await read_body(request, PutSipBody)
        if body.password is msgspec.UNSET and body.lobby is msgspec.UNSET:
            raise validation_failed("body", "give password and/or lobby", code="empty")
        password = None if body.password is msgspec.UNSET else body.password
        if password is not None and not is_digits(password, 10):
            raise validation_failed("password", "the PIN must be exactly 10 ASCII digits")
        lobby = None if body.lobby is msgspec.UNSET else body.lobby
        try:
            config, created = await self.node.registry.put_sip_config(
                room.id, password=password, lobby=lobby
            )
        except UnknownRoomError:
            raise not_found("unknown room") from None
        return json_response(sip_view(config), 201 if created else 200)

    async def delete_sip(self, request: Request) -> Response:
        _, room = await self.own_room(request)
        if not await self.node.registry.delete_sip_config(room.id):
            raise not_found("the room has no SIP config")
        return _no_content()

    # the caller

    async def me(self, request: Request) -> Response:
        profile = self.profile(self.principal(request))
        return json_response(
            {
                "id": profile.id,
                "email": profile.email,
                "title": profile.title,
                "firstname": profile.firstname,
                "lastname": profile.lastname,
                "display_name": profile.display_name,
                "avatar_url": profile.avatar_url,
                "language": "en",
                "tariff_status": "default",
                "used_storage": 0,
            }
        )

    async def my_tariff(self, request: Request) -> Response:
        self.principal(request)
        return json_response(self.node.tariff)

    async def no_events(self, request: Request) -> Response:
        raise not_found("there are no events")


def record_routes(node: RecordNode, throttles: Throttles) -> list[BaseRoute]:
    """The routes of rooms, invites, SIP configs, ``users/me``, tariffs and the event stubs."""
    r = _Records(node, throttles)

    def route(path: str, endpoint: Endpoint, *methods: str) -> Route:
        return Route(path, api(endpoint), methods=list(methods))

    room = "/v1/rooms/{room_id}"
    return [
        route("/v1/rooms", r.list_rooms, "GET"),
        route("/v1/rooms", r.create_room, "POST"),
        route(room, r.get_room, "GET"),
        route(room, r.patch_room, "PATCH"),
        route(room, r.delete_room, "DELETE"),
        route(f"{room}/invites", r.list_invites, "GET"),
        route(f"{room}/invites", r.create_invite, "POST"),
        route(f"{room}/invites/{{invite_code}}", r.get_invite, "GET"),
        route(f"{room}/invites/{{invite_code}}", r.put_invite, "PUT"),
        route(f"{room}/invites/{{invite_code}}", r.delete_invite, "DELETE"),
        route("/v1/invite/verify", r.verify_invite, "POST"),
        route(f"{room}/sip", r.get_sip, "GET"),
        route(f"{room}/sip", r.put_sip, "PUT"),
        route(f"{room}/sip", r.delete_sip, "DELETE"),
        route(f"{room}/tariff", r.room_tariff, "GET"),
        route(f"{room}/event", r.room_event, "GET"),
        route("/v1/users/me", r.me, "GET"),
        route("/v1/users/me/tariff", r.my_tariff, "GET"),
        route("/v1/events/{anything:path}", r.no_events, "GET", "POST", "PUT", "PATCH", "DELETE"),
    ]
