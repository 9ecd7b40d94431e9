"""One connected participant: the receive loop, routing to modules, and a bounded send path.

The session knows connection states (None → Waiting → Joined), the envelope routing rules of
reference §4, the rate limit (§17.5), the join timeout (§17.8) and the send backlog (§17.11);
everything a namespace means is its module's business.

Sending: while the socket is writable a frame is written at once; otherwise it waits in a
backlog drained by one short-lived task. Frames travel as their wire bytes
(:func:`~signaling.transport.text_frame`): a delivery's frame is built once by the hub and the
same bytes are written to, or queued for, every recipient. A backlog beyond
``send_queue_limit`` frames or ``send_queue_bytes`` bytes closes the connection with 1013 so
one slow reader never slows the room down nor grows the node. ``echo`` frames above
:data:`ECHO_FREE_BYTES` take a rate-limit token like any command (the web app's keepalive is
far smaller).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.hub import (
    Audience,
    Delivery,
    global_channel,
    group_channel,
    participant_channel,
    room_channel,
)
from signaling.logs import bind_namespace, bind_session
from signaling.metrics import command_action
from signaling.ratelimit import Take, TokenBucket
from signaling.state import Kind, LeaveReason, Role
from signaling.tokens import TicketData
from signaling.transport import HEARTBEAT_TIMEOUT, Link, text_frame
from signaling.wire import encode_event, incoming_decoder

if TYPE_CHECKING:
    from signaling.modules import Module
    from signaling.node import Node

log = logging.getLogger(__name__)
ECHO_FREE_BYTES = 1024


class ConnState(enum.IntEnum):
    NONE = 0
    WAITING = 1
    JOINED = 2


class Session:
    """See the module docstring. Modules read the public attributes and call the methods."""

    __slots__ = (
        "_backlog",
        "_backlog_bytes",
        "_bucket",
        "_close_after_flush",
        "_closing",
        "_errors",
        "_flusher",
        "_joining",
        "_lock",
        "_metrics",
        "_modules",
        "_receive",
        "_settings",
        "_tasks",
        "_timers",
        "breakout",
        "channels",
        "data",
        "display_name",
        "groups",
        "id",
        "join_blocked",
        "join_seq",
        "kind",
        "leave_reason",
        "link",
        "node",
        "role",
        "room",
        "runner",
        "state",
        "ticket",
        "user_id",
    )

    def __init__(self, node: Node, link: Link, receive: Any, ticket: TicketData, runner: str):
        self.node = node
        self.link = link
        self._receive = receive
        self.ticket = ticket
        self.runner = runner
        self.id = ticket.participant_id
        self.room = ticket.room
        self.breakout: str | None = ticket.breakout_room
        self.kind: Kind = ticket.participant.kind
        self.user_id = ticket.participant.user_id
        self.state = ConnState.NONE
        self.role: Role = "guest"
        self.display_name = ""
        self.join_blocked = False
        self.leave_reason: LeaveReason = "quit"
        self.data: dict[str, Any] = {}  # per-session module data, by namespace
        self.groups = ticket.participant.groups
        self.channels = [
            room_channel(self.room, self.breakout),
            global_channel(self.room),
            participant_channel(self.room, self.id),
            *(group_channel(self.room, self.breakout, group) for group in self.groups),
        ]
        self._modules: Mapping[str, Module] = node.modules
        self._lock = asyncio.Lock()
        self._backlog: deque[bytes] | None = None  # made when the socket first falls behind
        self._backlog_bytes = 0
        self._flusher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] | None = None  # made on first use
        self._closing = False
        self._errors = 0  # error events sent (a command that sent one failed)
        self._metrics = node.hub.metrics
        self._joining: list[tuple[Delivery, bytes | None]] | None = None
        self.join_seq = 0
        self._close_after_flush: tuple[CloseCode, str] | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._settings = settings = node.settings
        self._bucket = TokenBucket(
            settings.rate_limit, settings.rate_burst, settings.rate_flood_seconds, time.monotonic()
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve the connection until it closes, then leave the room."""
        bind_session(self.room, self.id)  # on every line this connection's task logs
        log.debug("%s connected", self.kind)
        loop = asyncio.get_running_loop()
        self._timers["join"] = loop.call_later(self.node.settings.join_timeout, self._join_timeout)
        try:
            while True:
                message = await self._receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    text = message.get("text")
                    await self._on_frame(text if text is not None else message.get("bytes", b""))
                elif kind == "websocket.disconnect":
                    code = message.get("code", CloseCode.NORMAL)
                    self._metrics.closed(code)
                    log.debug("disconnected (%s)", code)
                    if message.get("reason") == HEARTBEAT_TIMEOUT:
                        self.leave_reason = "timeout"
                    break
        finally:
            await self._finish()

    async def _finish(self) -> None:
        self._closing = True
        for timer in self._timers.values():
            timer.cancel()
        if self._flusher is not None:
            self._flusher.cancel()
        self._backlog = None
        node = self.node
        with contextlib.suppress(*BACKEND_ERRORS):  # else its TTL ends it
            await node.tokens.release_runner(self.id, self.runner)  # §19.10: at once
        await node.hub.detach(self, self.channels)
        async with self._lock:
            if self.state != ConnState.NONE:
                for module in reversed(list(self._modules.values())):  # control announces last
                    await self._guarded(module.namespace, module.on_leave(self))
                self.state = ConnState.NONE
        for task in list(self._tasks or ()):
            task.cancel()

    def close(self, code: CloseCode, leave_reason: LeaveReason = "quit", reason: str = "") -> None:
        """Close the connection after what is already queued (1000) or at once (others)."""
        if self._closing:
            return
        self.leave_reason = leave_reason
        self._closing = True
        if code == CloseCode.NORMAL and self._backlog:
            self._close_after_flush = (code, reason)
            return
        self.link.close(code, reason)

    def _join_timeout(self) -> None:
        if self.state == ConnState.NONE and not self.join_blocked:
            self.close(CloseCode.POLICY, reason="join timeout")

    def set_timer(self, name: str, at: float | None, callback: Any) -> None:
        """Run ``callback()`` at loop time ``at`` (None cancels); one timer per name."""
        old = self._timers.pop(name, None)
        if old is not None:
            old.cancel()
        if at is not None and not self._closing:
            self._timers[name] = asyncio.get_running_loop().call_at(at, callback)

    # -- receiving -------------------------------------------------------------------------

    def _take_token(self) -> bool:
        taken = self._bucket.take(time.monotonic())
        if taken is Take.FLOODING:
            self.close(CloseCode.POLICY, reason="rate limit exceeded")
        elif taken is Take.DROPPED:
            self.send("control", {"message": "rate_limit_exceeded"})
        return taken is Take.TAKEN

    async def _on_frame(self, data: str | bytes) -> None:
        if self._closing:
            return
        try:
            envelope = incoming_decoder.decode(data)
        except (msgspec.DecodeError, RecursionError):  # malformed, or nested absurdly deep
            if self._take_token():
                self.send_error("control", "invalid_json")
            return
        namespace = envelope.namespace
        if (namespace != "echo" or len(data) > ECHO_FREE_BYTES) and not self._take_token():
            return
        module = self._modules.get(namespace)
        joined = self.state == ConnState.JOINED
        if module is None or not (joined or module.before_join):
            if module is None and joined:
                self.send_error("control", "invalid_namespace")
            return
        command: Any = envelope.payload
        if module.decoder is not None:
            try:
                command = module.decoder.decode(envelope.payload)
            except (msgspec.DecodeError, RecursionError):
                if module.reports_bad_payload:
                    self.send_error("control", "invalid_json")
                return
        async with self._lock:
            errors, joining, started = self._errors, self.state == ConnState.NONE, time.monotonic()
            await self._guarded(namespace, module.on_command(self, command))
            self._metrics.command(
                namespace,
                command_action(command),
                self._errors == errors,
                time.monotonic() - started,
                joined=joining and self.state == ConnState.JOINED,
            )

    async def _guarded(self, namespace: str, work: Any) -> None:
        try:
            with bind_namespace(namespace):
                await work
        except BACKEND_ERRORS:
            self._metrics.backend_error()
            log.warning("%s command of %s failed: backend unavailable", namespace, self.id)
            self.send_error(namespace, "service_unavailable")
        except Exception:
            log.exception("%s command of %s failed", namespace, self.id)
            self.send_error(namespace, "internal_error")

    # -- deliveries from the hub -------------------------------------------------------------

    def deliver(self, delivery: Delivery, wire: bytes | None) -> None:
        """A delivery on one of this session's channels (called by the hub, synchronously);
        ``wire`` is ``delivery.frame`` as frame bytes (None when it has no frame)."""
        if delivery.exclude == self.id or self._closing or delivery.skip == self.channels[0]:
            return
        if self._joining is not None:
            self._joining.append((delivery, wire))
            return
        if delivery.joined_seq is not None and delivery.joined_seq < self.join_seq:
            return
        audience = delivery.audience
        state = self.state
        if audience == Audience.JOINED:
            if state != ConnState.JOINED:
                return
        elif audience == Audience.MODERATORS:
            if state != ConnState.JOINED or self.role != "moderator":
                return
        elif audience == Audience.PRESENT and state == ConnState.NONE:
            return
        module = self._modules.get(delivery.namespace) if delivery.namespace else None
        if wire is not None:
            self.send_frame(wire)
        elif delivery.personal is not None and module is not None:
            kind = module.personal_type
            if kind is not None and not isinstance(delivery.personal, kind):
                # One conversion per delivery: every recipient on this node shares the object.
                delivery.personal = msgspec.convert(delivery.personal, kind)
            frame = module.render(self, delivery.personal)
            if frame is not None:
                self.send_text(frame)
        if delivery.signal is not None and module is not None:
            self.spawn(self._signal(module, delivery.signal))

    async def _signal(self, module: Module, signal: Any) -> None:
        async with self._lock:
            await self._guarded(module.namespace, module.on_signal(self, signal))

    def begin_join(self) -> None:
        """Hold deliveries from now on: the room may change while ``join_success`` is built."""
        self._joining = []

    def finish_join(self, seq: int) -> None:
        """Joined (as the room's ``seq``-th join): deliver what was held. From now on a
        ``joined`` of an earlier join is dropped: ``join_success`` listed it already, and
        another node may still be publishing it."""
        held, self._joining = self._joining or [], None
        self.state = ConnState.JOINED
        self.join_seq = seq
        for delivery, wire in held:
            self.deliver(delivery, wire)

    def abort_join(self) -> None:
        self._joining = None

    def spawn(self, work: Any) -> None:
        """Run a coroutine for this session; it is cancelled when the session ends."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)
        if self._tasks is None:
            self._tasks = set()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- sending -----------------------------------------------------------------------------

    def send(self, namespace: str, payload: Any, moment: datetime | None = None) -> None:
        """Send one event to this session only."""
        self.send_text(encode_event(namespace, payload, moment))

    def send_error(self, namespace: str, code: str) -> None:
        self._errors += 1
        self.send(namespace, {"message": "error", "error": code})

    def send_text(self, frame: str) -> None:
        """Send one ready text frame to this session only."""
        self.send_frame(text_frame(frame))

    def send_frame(self, wire: bytes) -> None:
        """Write frame bytes now if possible, else queue them (bounded)."""
        if self._closing:
            return
        self._metrics.frames += 1
        backlog = self._backlog
        if not backlog and self.link.writable():
            self.link.write_frame(wire)
            return
        if backlog is None:
            backlog = self._backlog = deque()
        backlog.append(wire)
        self._backlog_bytes += len(wire)
        settings = self._settings
        if (
            len(backlog) > settings.send_queue_limit
            or self._backlog_bytes > settings.send_queue_bytes
        ):
            backlog.clear()
            self._backlog_bytes = 0
            self.close(CloseCode.SLOW_CONSUMER, reason="send queue overflow")
            return
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        link = self.link
        try:
            backlog = self._backlog
            while backlog:
                await link.wait_writable()
                if not link.is_open():
                    backlog.clear()
                    return
                while backlog and link.writable():
                    data = backlog.popleft()
                    self._backlog_bytes -= len(data)
                    link.write_frame(data)
            pending = self._close_after_flush
            if pending is not None:
                link.close(*pending)
        finally:
            self._flusher = None

    @property
    def backlog_frames(self) -> int:
        """Frames waiting for the socket to become writable."""
        return len(self._backlog or ())

    def __repr__(self) -> str:
        return f"<Session {self.id} room={self.room} state={self.state.name}>"
