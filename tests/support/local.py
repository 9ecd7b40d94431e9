"""A node in the test's own event loop (memory backends, SQLite under a temporary dir) and
sessions on it without sockets: each writes into a :class:`RecordingLink`, the one stand-in
for the transport, so the session's own rules (routing, rate limit, backlog, audiences) run
as they do in a server."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from signaling.config import load_settings
from signaling.hub import Delivery
from signaling.node import Node
from signaling.registry import UserProfile
from signaling.session import Session
from signaling.state import Kind
from signaling.tokens import Identity, TicketData
from signaling.transport import Link, text_frame

WAIT = 5.0


class RecordingLink:
    """Keeps every frame written; writable until :meth:`stall`, open until closed."""

    def __init__(self, disconnect: asyncio.Queue[dict[str, Any]]) -> None:
        self.frames: list[str] = []
        self.closed: tuple[int, str] | None = None
        self._writable = asyncio.Event()
        self._writable.set()
        self._disconnect = disconnect
        self._written = asyncio.Event()

    def stall(self) -> None:
        """The peer stops reading: writes go to the session's backlog."""
        self._writable.clear()

    def resume(self) -> None:
        self._writable.set()

    def is_open(self) -> bool:
        return self.closed is None

    def writable(self) -> bool:
        return self._writable.is_set() and self.is_open()

    def write_frame(self, frame: bytes) -> None:
        """Record the text of a frame built by :func:`signaling.transport.text_frame`."""
        assert self.is_open(), "written after the close"
        length = frame[1]
        header = 2 if length < 126 else 4 if length == 126 else 10
        self.frames.append(frame[header:].decode())
        self._written.set()

    async def wait_writable(self) -> None:
        await self._writable.wait()

    def close(self, code: int, reason: str = "", timeout: float = 5.0) -> None:
        if self.closed is None:
            self.closed = (code, reason)
            self._disconnect.put_nowait({"type": "websocket.disconnect", "code": code})
            self._written.set()

    async def wait_closed(self) -> None:
        await self.wait_for(sys.maxsize)

    async def wait_for(self, count: int) -> None:
        """Until ``count`` frames were written (or the link closed)."""
        async with asyncio.timeout(WAIT):
            while len(self.frames) < count and self.closed is None:
                self._written.clear()
                await self._written.wait()


class Connection:
    """One session on a :func:`local_node`, fed through its ASGI ``receive``."""

    def __init__(self, node: Node, room: str, kind: Kind, is_room_owner: bool) -> None:
        self._incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.link = RecordingLink(self._incoming)
        self.id = str(uuid.uuid4())
        ticket = TicketData(
            participant_id=self.id,
            resuming=False,
            participant=Identity(
                kind=kind,
                user_id=self.id if kind == "user" else None,
                name="Some One",
                is_room_owner=is_room_owner,
            ),
            room=room,
            breakout_room=None,
            resumption=uuid.uuid4().hex,
        )
        # the RecordingLink has every method of Link the session calls
        self.session = Session(node, cast(Link, self.link), self._incoming.get, ticket, "runner")
        self._node = node
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        await self._node.hub.attach(self.session, self.session.channels)
        self._task = asyncio.get_running_loop().create_task(self.session.run())

    def send(self, namespace: str, payload: Any) -> None:
        self.send_raw(json.dumps({"namespace": namespace, "payload": payload}))

    def send_raw(self, text: str) -> None:
        self._incoming.put_nowait({"type": "websocket.receive", "text": text})

    async def settle(self) -> None:
        """Until everything sent so far was handled: ``echo`` comes back last."""
        probe = {"probe": uuid.uuid4().hex}
        self.send("echo", probe)
        await self.wait_frame(lambda frame: frame.get("payload") == probe)

    async def wait_frame(self, matches: Any) -> dict[str, Any]:
        """The first frame (from the start) that ``matches``."""
        seen = 0
        while True:
            await self.link.wait_for(seen + 1)
            for text in self.link.frames[seen:]:
                frame: dict[str, Any] = json.loads(text)
                if matches(frame):
                    return frame
            seen = len(self.link.frames)
            assert self.link.closed is None, f"closed {self.link.closed} before a match"

    def events(self) -> list[tuple[str, str]]:
        """``(namespace, message)`` of every frame so far, ``error`` as its code; ``echo``
        frames left out."""
        frames = [json.loads(text) for text in self.link.frames]
        return [
            (f["namespace"], f["payload"].get("error") or f["payload"]["message"])
            for f in frames
            if f["namespace"] != "echo"
        ]

    async def join(self, name: str = "Alice") -> dict[str, Any]:
        self.send("control", {"action": "join", "display_name": name})
        return await self.wait_frame(
            lambda frame: frame["payload"].get("message") in ("join_success", "in_waiting_room")
        )

    async def close(self) -> None:
        self.link.close(1000)
        if self._task is not None:
            await self._task


class LocalNode:
    def __init__(self, node: Node, room: str) -> None:
        self.node = node
        self.room = room
        self._connections: list[Connection] = []

    async def connect(self, kind: Kind = "guest", is_room_owner: bool = False) -> Connection:
        connection = Connection(self.node, self.room, kind, is_room_owner)
        await connection.open()
        self._connections.append(connection)
        return connection

    async def close(self) -> None:
        for connection in self._connections:
            await connection.close()


@asynccontextmanager
async def local_node(data_dir: Path, **env: str) -> AsyncIterator[LocalNode]:
    """A started node on memory backends with one room; ``env`` are SIGNALING_* settings."""
    settings = load_settings(environ={"SIGNALING_DATA_DIR": str(data_dir), **env})
    node = Node(settings)
    await node.start()
    try:
        room = await node.registry.create_room(UserProfile(id="owner"), None, False)
        local = LocalNode(node, room.id)
        try:
            yield local
        finally:
            await local.close()
    finally:
        await node.stop()


def deliver(session: Session, delivery: Delivery) -> None:
    """Hand ``delivery`` to ``session`` as the hub does (its frame built into bytes once)."""
    session.deliver(delivery, None if delivery.frame is None else text_frame(delivery.frame))
