"""uvicorn's ``websockets-sansio`` protocol with the behaviour the reference asks for.

* Heartbeat pings carry the payload ``heartbeat`` (§3); a missed pong ends the connection at
  once and tells the app so with a ``websocket.disconnect`` of code 1011 and reason
  :data:`HEARTBEAT_TIMEOUT` (uvicorn would only send a close frame and wait for the TCP
  connection to die, which never happens for a frozen peer).
* Server shutdown closes connections with 1001 "going away" (uvicorn sends 1012).
* A plain-HTTP rejection before the upgrade counts as a finished handshake (no error log).
* The app gets a :class:`Link` in ``scope["extensions"]["signaling.link"]``: a synchronous
  write for the fan-out hot path, used while the transport is writable, so one event reaches
  hundreds of local sockets without an ``await`` or a task per recipient.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

HEARTBEAT_PAYLOAD = b"heartbeat"
HEARTBEAT_TIMEOUT = "heartbeat timeout"
LINK_EXTENSION = "signaling.link"


class Link:
    """Direct access to one connection's outgoing side."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: SignalingProtocol) -> None:
        self._protocol = protocol

    def is_open(self) -> bool:
        """True until a close frame was sent or the connection was lost."""
        p = self._protocol
        return not (p.close_sent or p.disconnected or p.transport.is_closing())

    def writable(self) -> bool:
        """True when a write will not grow a backlog the peer is not reading."""
        return self._protocol.writable.is_set() and self.is_open()

    def write_text(self, text: str) -> None:
        """Send one text frame now; the caller checked :meth:`writable`."""
        p = self._protocol
        p.conn.send_text(text.encode())
        p.transport.write(b"".join(p.conn.data_to_send()))

    async def wait_writable(self) -> None:
        await self._protocol.writable.wait()

    def close(self, code: int, reason: str = "", timeout: float = 5.0) -> None:
        """Send a close frame now (even past an unread backlog) and tell the app with a
        ``websocket.disconnect`` of the same code; drop the TCP connection if the peer does
        not answer within ``timeout`` seconds."""
        p = self._protocol
        if not self.is_open():
            return
        p.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        p.conn.send_close(code, reason)
        p.transport.write(b"".join(p.conn.data_to_send()))
        p.close_sent = True
        if p.read_paused:
            p.read_paused = False
            p.transport.resume_reading()
        p.close_timer = p.loop.call_later(timeout, p.transport.abort)


class SignalingProtocol(WebSocketsSansIOProtocol):
    """See the module docstring; everything else is uvicorn's."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][LINK_EXTENSION] = Link(self)

    def send_keepalive_ping(self) -> None:
        self.ping_timer = None
        if self.close_sent or self.transport.is_closing():
            return
        self.pending_ping_payload = HEARTBEAT_PAYLOAD
        self.ping_sent_at = self.loop.time()
        self.conn.send_ping(HEARTBEAT_PAYLOAD)
        self.transport.write(b"".join(self.conn.data_to_send()))
        if self.ping_timeout is not None:
            self.pong_timer = self.loop.call_later(self.ping_timeout, self.keepalive_timeout)
        else:
            self.schedule_ping()

    def keepalive_timeout(self) -> None:
        self.pong_timer = None
        self.pending_ping_payload = None
        if self.close_sent or self.transport.is_closing():
            return
        self.queue.put_nowait(
            {"type": "websocket.disconnect", "code": 1011, "reason": HEARTBEAT_TIMEOUT}
        )
        self.conn.fail(1011, HEARTBEAT_TIMEOUT)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.transport.abort()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # A rejection before the upgrade is a complete answer; without this uvicorn logs
            # "ASGI callable returned without completing handshake" for every one.
            self.handshake_complete = True

    def shutdown(self) -> None:
        if self.handshake_complete and not self.close_sent and not self.transport.is_closing():
            self.stop_keepalive()
            self.queue.put_nowait({"type": "websocket.disconnect", "code": 1001})
            self.conn.send_close(1001, "server shutdown")
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
            self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)
            return
        super().shutdown()
