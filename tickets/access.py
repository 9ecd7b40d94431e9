"""What every REST handler gets (:class:`Api`: the server process and the throttles), and
the checks they share: the caller, the path's room and invite, the creator rule, the
``InviteCode`` credential. Each check's failure is declared beside it."""

from __future__ import annotations

import dataclasses
import re
from typing import Protocol

from starlette.requests import Request

from signaling.auth import Authenticator, Principal
from signaling.config import Settings
from signaling.errors import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, Failure
from signaling.profiles import user_profile
from signaling.registry import Invite, Registry, Room, UserProfile
from signaling.state import LiveState
from signaling.tariff import Tariff
from signaling.tokens import Tokens
from signaling.webhooks.records import Records
from signaling.wire import utcnow
from tickets.throttle import Throttles

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

UNKNOWN_INVITE = NOT_FOUND.saying("unknown invite")
UNUSABLE_INVITE = UNAUTHORIZED.saying("the invite code is unknown, revoked or expired")

#: :meth:`Api.principal`'s failure.
BAD_TOKEN = Failure(
    UNAUTHORIZED,
    "the bearer token is missing, malformed, expired or wrongly signed (or, with "
    "`SIGNALING_JWT_ISSUER`/`SIGNALING_JWT_AUDIENCE` set, wrongly addressed)",
    "invalid bearer token: Signature has expired",
)
#: :meth:`Api.room`'s failure.
ROOM_NOT_FOUND = Failure(NOT_FOUND, "the room is unknown (an id that is not a UUID is unknown too)")
#: :meth:`Api.own_room`'s failure after the room's.
NOT_CREATOR = Failure(
    FORBIDDEN, "the caller did not create the room (checked after the room exists)"
)
#: :meth:`Api.invite`'s failure.
INVITE_NOT_FOUND = Failure(
    UNKNOWN_INVITE, "the room is unknown, or the invite is unknown or of another room"
)


class RestNode(Protocol):
    """What the REST handlers need from the server process (:class:`signaling.node.Node`)."""

    settings: Settings
    authenticator: Authenticator
    registry: Registry
    state: LiveState
    tokens: Tokens
    tariff: Tariff
    records: Records
    draining: bool

    async def breakout_rooms(self, room: str, /) -> list[str] | None:
        """The ids of the room's active breakout rooms, None when it has none."""

    async def close_room(self, room: str, /) -> None:
        """Tell the room's live participants that it was deleted, and close them."""


def canonical_uuid(value: str) -> str | None:
    """The lower-case form of a hyphenated UUID string, None for anything else."""
    return value.lower() if _UUID.fullmatch(value) else None


@dataclasses.dataclass(frozen=True)
class Api:
    """The server process and the throttles, with the checks the handlers share."""

    node: RestNode
    throttles: Throttles

    def principal(self, request: Request) -> Principal:
        """The bearer token's caller; 401 otherwise."""
        return self.node.authenticator.from_header(request.headers.get("authorization"))

    def profile(self, principal: Principal) -> UserProfile:
        return user_profile(principal, self.node.settings.avatar_base_url)

    async def room(self, request: Request) -> Room:
        """The path's room; 404 when unknown or not a UUID."""
        room_id = canonical_uuid(request.path_params["room_id"])
        room = None if room_id is None else await self.node.registry.get_room(room_id)
        if room is None:
            raise NOT_FOUND()
        return room

    async def own_room(self, request: Request) -> tuple[Principal, Room]:
        """Caller and room, for endpoints only the creator may use (401, 404, then 403)."""
        principal = self.principal(request)
        room = await self.room(request)
        if room.created_by.id != principal.sub:
            raise FORBIDDEN()
        return principal, room

    async def invite(self, request: Request, room: Room) -> Invite:
        """The path's invite of ``room``; 404 otherwise."""
        code = canonical_uuid(request.path_params["invite_code"])
        invite = None if code is None else await self.node.registry.get_invite(code)
        if invite is None or invite.room != room.id:
            raise UNKNOWN_INVITE()
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
            raise UNUSABLE_INVITE()
        if room_id is not None and invite.room != room_id:
            raise UNAUTHORIZED("the invite code is not for this room")
