"""``GET /signaling``: the ticket handshake (reference §3) and the session that follows.

Rejections are plain HTTP responses with a JSON error body, sent before the upgrade.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket

from signaling.errors import BACKEND_ERRORS, ApiError, forbidden, not_found, service_unavailable
from signaling.session import Session
from signaling.transport import LINK_EXTENSION, Link
from signaling.wire import LEGACY_SUBPROTOCOL, SUBPROTOCOL, TICKET_PREFIX
from tickets.http import error_response
from tickets.tokens import TICKET_LENGTH

if TYPE_CHECKING:
    from signaling.node import Node

log = logging.getLogger(__name__)


def parse_protocols(header_values: list[str]) -> tuple[str, str]:
    """The chosen subprotocol and the ticket from ``Sec-WebSocket-Protocol``.

    Raises:
        ApiError: 400 ``missing_protocol`` / ``invalid_protocol``, 401 ``missing_ticket`` /
            ``invalid_ticket`` (wrong length), in the reference's order.
    """
    if not header_values:
        raise ApiError(400, "missing_protocol", "Sec-WebSocket-Protocol is required")
    items = [item.strip() for value in header_values for item in value.split(",")]
    if SUBPROTOCOL in items:
        protocol = SUBPROTOCOL
    elif LEGACY_SUBPROTOCOL in items:
        protocol = LEGACY_SUBPROTOCOL
    else:
        raise ApiError(400, "invalid_protocol", f"the protocol {SUBPROTOCOL} is required")
    tickets = [item[len(TICKET_PREFIX) :] for item in items if item.startswith(TICKET_PREFIX)]
    if not tickets:
        raise ApiError(401, "missing_ticket", "a ticket#<ticket> protocol item is required")
    if len(tickets[0]) != TICKET_LENGTH:
        raise ApiError(401, "invalid_ticket", "the ticket is not valid")
    return protocol, tickets[0]


async def signaling_endpoint(websocket: WebSocket, node: Node) -> None:
    """Validate the handshake, take the runner lock, subscribe, accept, run the session."""
    link = websocket.scope.get("extensions", {}).get(LINK_EXTENSION)
    try:
        if not isinstance(link, Link):
            raise ApiError(500, "internal_server_error", "run the server with `signaling serve`")
        origins = node.settings.websocket_origins
        if origins and websocket.headers.get("origin") not in origins:
            raise forbidden("this Origin may not open /signaling")
        values = [
            v.decode("latin-1")
            for k, v in websocket.scope["headers"]
            if k == b"sec-websocket-protocol"
        ]
        protocol, ticket_text = parse_protocols(values)
        ticket = await node.tokens.redeem(ticket_text)
        if ticket is None:
            raise ApiError(401, "invalid_ticket", "the ticket is unknown, expired or used")
        if await node.registry.get_room(ticket.room) is None:
            raise not_found("the room no longer exists")
        runner = await node.tokens.acquire_runner(ticket.participant_id)
        if runner is None:
            raise ApiError(
                500, "internal_server_error", "the participant's session is still running"
            )
    except ApiError as error:
        await websocket.send_denial_response(error_response(error))
        return
    except BACKEND_ERRORS as exc:
        log.warning("handshake failed: backend unavailable (%s)", exc)
        await websocket.send_denial_response(
            error_response(service_unavailable("the backend is unreachable; retry shortly"))
        )
        return
    session = Session(node, link, websocket.receive, ticket, runner)
    try:
        await node.hub.attach(session, session.channels)
        await websocket.accept(subprotocol=protocol)
        await node.tokens.activate_resumption(ticket)
    except BaseException:
        await node.hub.detach(session, session.channels)
        await node.tokens.release_runner(ticket.participant_id, runner)
        raise
    await session.run()
