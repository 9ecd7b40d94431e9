"""uvicorn's ``websockets-sansio`` protocol with the behaviour the reference asks for.

* Heartbeat pings carry a random payload per ping (the reference's fixed ``heartbeat`` could
  be answered by a client that never reads, with unsolicited pongs); a missed pong ends the
  connection at once and tells the app so with a ``websocket.disconnect`` of code 1011 and
  reason :data:`HEARTBEAT_TIMEOUT` (uvicorn would only send a close frame and wait for the TCP
  connection to die, which never happens for a frozen peer).
* Nothing a client sends can grow the outgoing buffer unboundedly: reading pauses while the
  transport's write buffer is above its high-water mark (so pings are not answered meanwhile),
  a buffer that stays above it for ``SIGNALING_SEND_STALL_TIMEOUT`` closes the connection
  (1013), and more than :data:`PING_BURST` pings beyond :data:`PING_RATE` per second close it
  (1008).
* Server shutdown closes connections with 1001 "going away" (uvicorn sends 1012).
* A plain-HTTP rejection before the upgrade counts as a finished handshake (no error log).
* The app gets a :class:`Link` in ``scope["extensions"]["signaling.link"]``: a synchronous
  write for the fan-out hot path, used while the transport is writable, so one event reaches
  hundreds of local sockets without an ``await`` or a task per recipient. A server frame is
  not masked and no extension is negotiated (``ws_per_message_deflate=False``), so the frame
  bytes (:func:`text_frame`) are built once per event and the same bytes go to every socket.
* Lean per connection: the events for the app wait in an :class:`Inbox`, not an
  ``asyncio.Queue``, and the handshake's request, response and headers go once it is accepted.
"""

from __future__ import annotations

import asyncio
import secrets
import struct
from typing import Any

from uvicorn._types import ASGIReceiveEvent
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.exceptions import InvalidState
from websockets.protocol import State

from signaling.connections import ConnectionGuard
from signaling.errors import CloseCode

HEARTBEAT_TIMEOUT = "heartbeat timeout"
PING_RATE = 1.0  # client pings per second, sustained
PING_BURST = 10
LINK_EXTENSION = "signaling.link"
_TEXT = 0x81  # FIN and opcode 1 (text); a server frame has no mask bit


def text_frame(text: str) -> bytes:
    """The complete WebSocket text frame of ``text`` as a server sends it (RFC 6455 §5.2:
    unmasked, unfragmented, no extension), the same bytes for every recipient."""
    data = text.encode()
    length = len(data)
    if length < 126:
        return bytes((_TEXT, length)) + data
    if length < 65536:
        return struct.pack("!BBH", _TEXT, 126, length) + data
    return struct.pack("!BBQ", _TEXT, 127, length) + data


class Inbox:
    """The part of ``asyncio.Queue`` uvicorn's protocol uses (``put_nowait``, ``get``,
    ``empty``) for one consumer: a list, and a future only while the consumer waits. An
    ``asyncio.Queue`` is about 2.4 KiB a connection (three deques and an Event)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[ASGIReceiveEvent] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: ASGIReceiveEvent) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> ASGIReceiveEvent:
        """The oldest item, once there is one (cancelling the wait loses nothing)."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


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

    def write_frame(self, frame: bytes) -> None:
        """Send one frame built by :func:`text_frame` now; the caller checked
        :meth:`writable`. Raises InvalidState once the WebSocket is no longer open."""
        p = self._protocol
        if p.conn.state is not State.OPEN:
            raise InvalidState(f"connection is {p.conn.state.name.lower()}")
        p.transport.write(frame)

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

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        guard: ConnectionGuard,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.queue = Inbox()  # type: ignore[assignment]
        self.guard = guard
        self._pings = float(PING_BURST)
        self._pinged = self.loop.time()
        self._stall_timer: asyncio.TimerHandle | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][LINK_EXTENSION] = Link(self)

    def send_keepalive_ping(self) -> None:
        self.ping_timer = None
        if self.close_sent or self.transport.is_closing():
            return
        self.pending_ping_payload = secrets.token_bytes(8)
        self.ping_sent_at = self.loop.time()
        self.conn.send_ping(self.pending_ping_payload)
        self.transport.write(b"".join(self.conn.data_to_send()))
        if self.ping_timeout is not None:
            self.pong_timer = self.loop.call_later(self.ping_timeout, self.keepalive_timeout)
        else:
            self.schedule_ping()

    def handle_ping(self) -> None:
        pong = b"".join(self.conn.data_to_send())
        if self.close_sent or self.transport.is_closing():
            return
        now = self.loop.time()
        self._pings = min(float(PING_BURST), self._pings + (now - self._pinged) * PING_RATE)
        self._pinged = now
        if self._pings < 1.0:
            Link(self).close(CloseCode.POLICY, "too many pings")
            return
        self._pings -= 1.0
        self.transport.write(pong)

    def pause_writing(self) -> None:
        super().pause_writing()
        self.transport.pause_reading()
        if self._stall_timer is None:
            self._stall_timer = self.loop.call_later(self.guard.stall_timeout, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        if not self.read_paused:
            self.transport.resume_reading()

    def _stalled(self) -> None:
        self._stall_timer = None
        Link(self).close(CloseCode.SLOW_CONSUMER, "send buffer stalled", timeout=1.0)

    async def receive(self) -> ASGIReceiveEvent:
        message = await self.queue.get()
        if self.read_paused and self.queue.empty():
            self.read_paused = False
            if self.writable.is_set():  # else resume_writing resumes reading
                self.transport.resume_reading()
        return message

    def connection_lost(self, exc: Exception | None) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        self.guard.release(self.transport)
        super().connection_lost(exc)

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
        elif message["type"] == "websocket.accept":
            # The handshake is over: its request, response and header list would stay with
            # the connection for its whole life (about 4 KiB).
            del self.request, self.response
            self.scope["headers"] = []

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
