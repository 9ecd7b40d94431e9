"""The start endpoints: a ticket for a user, a guest with an invite, or a SIP gateway
(reference §2.2–§2.4, §17.12, §17.16, §19.11)."""

from __future__ import annotations

import hmac
import re
import uuid
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from signaling.auth import CALL_IN_ROLE
from signaling.errors import ApiError, bad_request, not_found, validation_failed
from signaling.tokens import Identity
from signaling.wire import utcnow
from tickets.http import json_response, read_body
from tickets.throttle import Throttles, attempt, client_address

_TEN_DIGITS = re.compile(r"[0-9]{10}")


class StartBody(msgspec.Struct):
    breakout_room: str | None = None
    resumption: str | None = None


class InvitedStartBody(msgspec.Struct):
    invite_code: str
    password: str | None = None
    breakout_room: str | None = None
    resumption: str | None = None


class CallInStartBody(msgspec.Struct):
    id: str
    pin: str


class StartResponse(msgspec.Struct):
    ticket: str
    resumption: str


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def start_routes(node: Any, throttles: Throttles) -> list[BaseRoute]:
    """Routes for ``/v1/rooms/{id}/start``, ``start_invited`` and the call-in start."""

    async def room_or_404(room_id: str) -> Any:
        room = await node.registry.get_room(room_id.lower()) if is_uuid(room_id) else None
        if room is None:
            raise not_found("unknown room")
        return room

    async def check_breakout(room_id: str, breakout_room: str | None) -> None:
        if breakout_room is None:
            return
        rooms = await node.breakout_rooms(room_id)
        if rooms is None:
            raise ApiError(400, "no_breakout_rooms", "the room has no active breakout rooms")
        if breakout_room not in rooms:
            raise ApiError(400, "invalid_breakout_room_id", "no such breakout room")

    async def ticket(
        room_id: str, breakout_room: str | None, identity: Identity, resumption: str | None
    ) -> Response:
        await check_breakout(room_id, breakout_room)
        issued, token = await node.tokens.issue(
            room=room_id, breakout_room=breakout_room, identity=identity, resumption=resumption
        )
        return json_response(StartResponse(ticket=issued, resumption=token))

    async def start(request: Request) -> Response:
        principal = node.authenticator.from_header(request.headers.get("authorization"))
        room = await room_or_404(request.path_params["room_id"])
        body = await read_body(request, StartBody, empty_ok=True)
        if await node.state.is_banned(room.id, principal.sub):
            raise ApiError(403, "banned_from_room", "you are banned from this room")
        identity = Identity(
            kind="user",
            user_id=principal.sub,
            name=principal.name,
            email=principal.email,
            is_room_owner=room.created_by.id == principal.sub,
            groups=principal.groups,
        )
        return await ticket(room.id, body.breakout_room, identity, body.resumption)

    async def start_invited(request: Request) -> Response:
        room_id = request.path_params["room_id"]
        body = await read_body(request, InvitedStartBody)
        if not is_uuid(body.invite_code):
            raise validation_failed("invite_code", "Bad invite code format")
        client = client_address(request)
        guess = await attempt(throttles.guess, "invite", client)
        invite = await node.registry.get_invite(body.invite_code.lower())
        if invite is None or not invite.usable(utcnow()):
            raise not_found("unknown, revoked or expired invite code")
        await throttles.guess.forgive("invite", client, guess)
        if invite.room != room_id.lower():
            raise bad_request("Room id mismatch")
        room = await room_or_404(room_id)
        if room.password:
            tried = await attempt(throttles.password, room.id, client)
            given = (body.password or "").encode()
            if not hmac.compare_digest(given, room.password.encode()):
                raise ApiError(401, "wrong_room_password", "the room password is wrong")
            await throttles.password.forgive(room.id, client, tried)
        return await ticket(room.id, body.breakout_room, Identity(kind="guest"), body.resumption)

    async def call_in_start(request: Request) -> Response:
        principal = node.authenticator.from_header(request.headers.get("authorization"))
        principal.require_role(CALL_IN_ROLE)
        body = await read_body(request, CallInStartBody)
        for field, value in (("id", body.id), ("pin", body.pin)):
            if not _TEN_DIGITS.fullmatch(value):
                raise validation_failed(field, f"{field} must be exactly 10 digits")
        client = client_address(request)
        by_client = await attempt(throttles.guess, "pin", client)
        try:
            by_id = await attempt(throttles.pin, "call_in", body.id)
        except ApiError:
            await throttles.guess.forgive("pin", client, by_client)
            raise
        config = await node.registry.find_sip_config(body.id)
        if config is None or not hmac.compare_digest(config.password.encode(), body.pin.encode()):
            raise ApiError(400, "invalid_credentials", "unknown call-in id or wrong PIN")
        await throttles.guess.forgive("pin", client, by_client)
        await throttles.pin.forgive("call_in", body.id, by_id)
        room = await room_or_404(config.room)
        return await ticket(room.id, None, Identity(kind="sip"), None)

    return [
        Route("/v1/rooms/{room_id}/start", start, methods=["POST"]),
        Route("/v1/rooms/{room_id}/start_invited", start_invited, methods=["POST"]),
        Route("/v1/services/call_in/start", call_in_start, methods=["POST"]),
    ]
