"""``GET /signaling``: the ticket handshake (reference §3) and the session that follows.

A plain ASGI endpoint (no router or middleware frames stay alive for the connection's
lifetime: they would cost memory on every idle socket). Rejections are plain HTTP responses
with a JSON error body, sent before the upgrade.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.types import Receive, Scope, Send

from signaling.errors import (
    BACKEND_ERRORS,
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    INVALID_PROTOCOL,
    INVALID_TICKET,
    MISSING_PROTOCOL,
    MISSING_TICKET,
    NOT_FOUND,
    SERVICE_UNAVAILABLE,
    ApiError,
    Failure,
)
from signaling.session import Session
from signaling.tokens import TICKET_LENGTH, TicketData
from signaling.transport import LINK_EXTENSION, Link
from signaling.wire import LEGACY_SUBPROTOCOL, SUBPROTOCOL, TICKET_PREFIX

if TYPE_CHECKING:
    from signaling.node import Node

log = logging.getLogger(__name__)

UNREDEEMABLE = INVALID_TICKET.saying("the ticket is unknown, expired or used")
ROOM_GONE = NOT_FOUND.saying("the room no longer exists")
STILL_RUNNING = INTERNAL_SERVER_ERROR.saying("the participant's session is still running")

#: The plain-HTTP rejections of the upgrade request, in the order they are checked.
REJECTIONS = (
    Failure(FORBIDDEN, "`Origin` not allowed (only with `SIGNALING_WEBSOCKET_ORIGINS` set)"),
    Failure(MISSING_PROTOCOL, "no `Sec-WebSocket-Protocol` header"),
    Failure(INVALID_PROTOCOL, f"`{SUBPROTOCOL}` not listed"),
    Failure(MISSING_TICKET, f"no `{TICKET_PREFIX}<ticket>` item"),
    Failure(INVALID_TICKET, f"ticket length is not {TICKET_LENGTH}"),
    Failure(UNREDEEMABLE, "ticket unknown, expired or already used"),
    Failure(ROOM_GONE, "the room no longer exists"),
    Failure(STILL_RUNNING, "the participant's previous session still runs"),
    Failure(SERVICE_UNAVAILABLE, "the shared backend is unreachable (`Retry-After: 1`)"),
)


def parse_protocols(header_values: list[str]) -> tuple[str, str]:
    """The chosen subprotocol and the ticket from ``Sec-WebSocket-Protocol``.

    Raises:
        ApiError: 400 ``missing_protocol`` / ``invalid_protocol``, 401 ``missing_ticket`` /
            ``invalid_ticket`` (wrong length), in the reference's order.
    """
    if not header_values:
        raise MISSING_PROTOCOL()
    items = [item.strip() for value in header_values for item in value.split(",")]
    if SUBPROTOCOL in items:
        protocol = SUBPROTOCOL
    elif LEGACY_SUBPROTOCOL in items:
        protocol = LEGACY_SUBPROTOCOL
    else:
        raise INVALID_PROTOCOL()
    tickets = [item[len(TICKET_PREFIX) :] for item in items if item.startswith(TICKET_PREFIX)]
    if not tickets:
        raise MISSING_TICKET()
    if len(tickets[0]) != TICKET_LENGTH:
        raise INVALID_TICKET()
    return protocol, tickets[0]


async def _admit(scope: Scope, node: Node) -> tuple[Link, str, TicketData, str]:
    """The handshake's checks (the rejections above, in order): the link, the subprotocol,
    the redeemed ticket and the runner lock. Its own function, so that what it reads of the
    request is not kept for the session's whole life."""
    link = scope.get("extensions", {}).get(LINK_EXTENSION)
    if not isinstance(link, Link):
        raise INTERNAL_SERVER_ERROR("run the server with `signaling serve`")
    if node.draining:
        raise SERVICE_UNAVAILABLE("this node is shutting down; connect to another one")
    headers = scope["headers"]
    origins = node.settings.websocket_origins
    origin = next((v.decode("latin-1") for k, v in headers if k == b"origin"), None)
    if origins and origin not in origins:
        raise FORBIDDEN("this Origin may not open /signaling")
    values = [v.decode("latin-1") for k, v in headers if k == b"sec-websocket-protocol"]
    protocol, ticket_text = parse_protocols(values)
    ticket = await node.tokens.redeem(ticket_text)
    if ticket is None:
        raise UNREDEEMABLE()
    if await node.registry.get_room(ticket.room) is None:
        raise ROOM_GONE()
    runner = await node.tokens.acquire_runner(ticket.participant_id)
    if runner is None:
        raise STILL_RUNNING()
    return link, protocol, ticket, runner


async def signaling_endpoint(scope: Scope, receive: Receive, send: Send, node: Node) -> None:
    """Validate the handshake, take the runner lock, subscribe, accept, run the session."""
    try:
        link, protocol, ticket, runner = await _admit(scope, node)
    except ApiError as error:
        await error.response()(scope, receive, send)
        return
    except BACKEND_ERRORS as exc:
        log.warning("handshake failed: backend unavailable (%s)", exc)
        await SERVICE_UNAVAILABLE().response()(scope, receive, send)
        return
    session = Session(node, link, receive, ticket, runner)
    try:
        await node.hub.attach(session, session.channels)
        if (await receive())["type"] != "websocket.connect":
            raise ConnectionError("the client went away during the handshake")
        await send({"type": "websocket.accept", "subprotocol": protocol})
        await node.tokens.activate_resumption(ticket)
    except BaseException:
        await node.hub.detach(session, session.channels)
        await node.tokens.release_runner(ticket.participant_id, runner)
        raise
    await session.run()
