"""What every REST handler gets (:class:`Api`: the server process, the throttles and the
rate limits), and the checks they share: the rate limit, the caller, the path's room and
invite, the creator rule, the ``InviteCode`` credential. Each check's failure is declared
beside it."""

from __future__ import annotations

import dataclasses
import re
from typing import Protocol

from starlette.requests import Request

from signaling.auth import ADMIN_ROLE, Authenticator, Principal
from signaling.config import Settings
from signaling.errors import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, ApiError, Failure
from signaling.modules.chat.types import ChatMessage
from signaling.modules.moderation.module import TargetCommand
from signaling.modules.moderation.types import Refusal
from signaling.profiles import user_profile
from signaling.registry import Invite, Registry, Room, UserProfile
from signaling.state import LiveState, Participant
from signaling.tariff import Tariff
from signaling.tokens import Tokens
from signaling.webhooks.records import Records
from signaling.wire import utcnow
from tickets.limits import Group, Limits
from tickets.throttle import Throttles, client_address

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
NOT_ADMIN_MESSAGE = f"this endpoint needs a token with the {ADMIN_ROLE!r} role"
#: :meth:`Api.admin`'s refusal.
NOT_ADMIN = Failure(
    FORBIDDEN, f"the token is valid but lacks the `{ADMIN_ROLE}` realm role", NOT_ADMIN_MESSAGE
)
NOT_ROOM_MANAGER = FORBIDDEN.saying(
    f"only the room's creator or a {ADMIN_ROLE!r} token may do this"
)
NOT_MANAGER = Failure(
    NOT_ROOM_MANAGER,
    f"the caller neither created the room nor has the `{ADMIN_ROLE}` role (another user, a "
    "call-in token, an `InviteCode`)",
)
#: :meth:`Api.manager`'s failures, in check order.
MANAGER_CREDENTIAL = (
    BAD_TOKEN,
    Failure(UNUSABLE_INVITE, "an `InviteCode` credential names no usable invite"),
)
#: :meth:`Api.managed_room`'s failures, in check order.
MANAGER_FAILURES = (*MANAGER_CREDENTIAL, ROOM_NOT_FOUND, NOT_MANAGER)
NO_SESSION = NOT_FOUND.saying("no meeting session runs in the room")
#: The failure of an endpoint acting on a room's running meeting session.
NO_RUNNING_SESSION = Failure(NO_SESSION, "no meeting session runs in the room")
#: :meth:`Api.invite`'s failure.
INVITE_NOT_FOUND = Failure(
    UNKNOWN_INVITE, "the room is unknown, or the invite is unknown or of another room"
)


class Moderation(Protocol):
    """The moderation module's actions as the REST side takes them: without an issuer, on a
    participant in any signaling room of the room (:mod:`signaling.modules.moderation`)."""

    async def find(self, room: str, pid: str, /) -> Participant | None:
        """A present participant of the room (main or breakout room); None otherwise."""

    async def moderate(
        self, room: str, command: TargetCommand, target: Participant, /
    ) -> Refusal | None:
        """Kick, ban or send back ``target`` as the moderator's command does; the refusal
        instead, if any (nothing done)."""

    async def accept(self, room: str, pid: str, /) -> bool:
        """Let a waiting participant in; False if it was not waiting."""

    async def end(self, room: str, /) -> bool:
        """End the running meeting session, everyone told and closed; False if none runs."""


class Chat(Protocol):
    """The chat module's action as the REST side takes it (:mod:`signaling.modules.chat`)."""

    async def post(self, room: str, content: str, /) -> ChatMessage | None:
        """Send ``content`` to the main room's global chat from the system source; None
        when the room's chat is disabled."""


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

    @property
    def moderation(self) -> Moderation | None:
        """None when the tariff disables the moderation module."""

    @property
    def chat(self) -> Chat | None:
        """None when the tariff disables the chat module."""


def canonical_uuid(value: str) -> str | None:
    """The lower-case form of a hyphenated UUID string, None for anything else."""
    return value.lower() if _UUID.fullmatch(value) else None


@dataclasses.dataclass(frozen=True)
class Api:
    """The server process, the throttles and the rate limits, with the checks the handlers
    share."""

    node: RestNode
    throttles: Throttles
    limits: Limits

    async def within_limit(self, request: Request, group: Group, *, bearer: bool) -> None:
        """Take a token of ``group`` for the client address and, where the endpoint takes a
        bearer token (``bearer``) and a valid one is given, for its subject; 429 otherwise."""
        subject = None
        if bearer and _scheme(request) == "bearer":
            caller = self._caller(request)
            subject = caller.sub if isinstance(caller, Principal) else None
        await self.limits.check(group, client_address(request), subject)

    def principal(self, request: Request) -> Principal:
        """The bearer token's caller; 401 otherwise."""
        caller = self._caller(request)
        if isinstance(caller, ApiError):
            raise caller
        return caller

    def _caller(self, request: Request) -> Principal | ApiError:
        """The bearer token's caller or why there is none, verified once per request."""
        if not hasattr(request.state, "caller"):
            header = request.headers.get("authorization")
            try:
                request.state.caller = self.node.authenticator.from_header(header)
            except ApiError as error:
                request.state.caller = error
        caller: Principal | ApiError = request.state.caller
        return caller

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

    def admin(self, request: Request) -> Principal:
        """A caller with the ``signaling-admin`` role: 401 for a bad token, 403 without it."""
        principal = self.principal(request)
        if ADMIN_ROLE not in principal.roles:
            raise FORBIDDEN(NOT_ADMIN_MESSAGE)
        return principal

    async def manager(self, request: Request) -> Principal | None:
        """The caller of an endpoint for a room's managers: the bearer token's, or None for a
        usable ``InviteCode`` (never a manager: the endpoint answers 403 once what it names
        exists); 401 for neither."""
        if _scheme(request) == "invitecode":
            await self.bearer_or_invite(request, None)
            return None
        return self.principal(request)

    async def managed_room(self, request: Request) -> Room:
        """The path's room, for its creator or a ``signaling-admin`` token: 401 without a
        valid credential, 404 for an unknown room, then 403 for anyone else (another user, a
        call-in token, a usable ``InviteCode``)."""
        principal = await self.manager(request)
        room = await self.room(request)
        if principal is None or not manages(principal, room):
            raise NOT_ROOM_MANAGER()
        return room

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
        credential = header.strip().partition(" ")[2]
        if _scheme(request) != "invitecode":
            self.principal(request)
            return
        code = canonical_uuid(credential.strip())
        invite = None if code is None else await self.node.registry.get_invite(code)
        if invite is None or not invite.usable(utcnow()):
            raise UNUSABLE_INVITE()
        if room_id is not None and invite.room != room_id:
            raise UNAUTHORIZED("the invite code is not for this room")


def manages(principal: Principal, room: Room | None) -> bool:
    """Whether ``principal`` created ``room`` or has the ``signaling-admin`` role (which
    manages every room, deleted ones too)."""
    return ADMIN_ROLE in principal.roles or (
        room is not None and room.created_by.id == principal.sub
    )


def _scheme(request: Request) -> str:
    """The ``Authorization`` header's scheme, lower-case (empty without one)."""
    return (request.headers.get("authorization") or "").strip().partition(" ")[0].lower()
