"""``signaling/transport.py`` and ``signaling/connections.py`` subclass uvicorn's protocol
classes and use attributes uvicorn does not document. This test names every one of them, so an
uvicorn release that renames or drops one fails here with a clear message, not in production."""

from __future__ import annotations

import asyncio
import inspect

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState

WEBSOCKET_METHODS = [
    "handle_connect",
    "send_keepalive_ping",
    "handle_ping",
    "pause_writing",
    "resume_writing",
    "receive",
    "connection_lost",
    "keepalive_timeout",
    "send",
    "shutdown",
]
WEBSOCKET_ATTRIBUTES = ["conn", "queue", "close_sent", "loop", "writable", "handshake_complete"]
SET_LATER = ["transport", "read_paused", "pending_ping_payload", "ping_timer", "pong_timer"]
HTTP_METHODS = ["connection_made", "data_received", "connection_lost"]


def _config() -> uvicorn.Config:
    async def app(scope: object, receive: object, send: object) -> None:
        return None

    config = uvicorn.Config(app, ws="websockets-sansio", lifespan="off")
    config.load()
    return config


def _missing(names: list[str], has: object) -> list[str]:
    return [name for name in names if not hasattr(has, name)]


def test_the_websocket_protocol_still_has_what_transport_py_uses() -> None:
    loop = asyncio.new_event_loop()
    try:
        protocol = WebSocketsSansIOProtocol(_config(), ServerState(), {}, loop)
    finally:
        loop.close()
    missing = _missing(WEBSOCKET_METHODS, WebSocketsSansIOProtocol) + _missing(
        WEBSOCKET_ATTRIBUTES, protocol
    )
    source = inspect.getsource(WebSocketsSansIOProtocol)
    missing += [name for name in SET_LATER if f"self.{name}" not in source]
    assert not missing, (
        f"uvicorn {uvicorn.__version__} lacks {missing} on WebSocketsSansIOProtocol; "
        "signaling/transport.py needs them: pin uvicorn below this release or adapt the subclass"
    )


def test_the_http_protocol_still_has_what_connections_py_uses() -> None:
    missing = _missing(HTTP_METHODS, H11Protocol)
    assert not missing, (
        f"uvicorn {uvicorn.__version__} lacks {missing} on H11Protocol; "
        "signaling/connections.py needs them"
    )
