"""A real HTTP receiver of webhook notifications on a free loopback port: it records every
request and answers with the status a test sets (or refuses connections while ``down``)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support.server import free_port

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@dataclass(frozen=True)
class Received:
    """One request as it arrived, and what the receiver answered."""

    path: str
    headers: dict[str, str]  # lowercase names
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def verifies(self, secret: str) -> bool:
        expected = hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("x-signature", ""), expected)


class Receiver:
    """``status`` is the answer to the next requests; ``stop()`` closes the port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.status = 200
        self.received: list[Received] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._arrived = asyncio.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = self.status
                self.received.append(Received(path, headers, body, status))
                async with self._arrived:
                    self._arrived.notify_all()
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\nok".encode("latin-1")
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            self._handlers.discard(handler)
            with contextlib.suppress(Exception):
                writer.close()

    def events(self, room: str, delivered_only: bool = True) -> list[Received]:
        """The requests about ``room``, in arrival order (only those answered 2xx)."""
        return [
            r
            for r in self.received
            if r.json["data"]["room_id"] == room and (not delivered_only or r.status < 300)
        ]

    async def until(self, done: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait until ``done()`` holds (checked after every request)."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(done), timeout)

    async def wait_for(
        self, room: str, event: str, participant: str | None = None, timeout: float = 20.0
    ) -> list[Received]:
        """Wait until ``event`` (of ``participant``) about ``room`` was delivered; the room's
        deliveries so far."""

        def seen() -> bool:
            return any(
                r.json["event"] == event
                and participant in (None, r.json["data"].get("participant_id"))
                for r in self.events(room)
            )

        try:
            await self.until(seen, timeout)
        except TimeoutError:
            got = [r.json["event"] for r in self.events(room, delivered_only=False)]
            raise AssertionError(f"no {event} for room {room} within {timeout} s; {got}") from None
        return self.events(room)


def told(got: list[Received]) -> list[tuple[str, str | None, str | None]]:
    """(event, participant, leave reason) of each notification."""
    return [
        (r.json["event"], r.json["data"].get("participant_id"), r.json["data"].get("leave_reason"))
        for r in got
    ]


def check_notifications(got: list[Received], room: str, secret: str) -> None:
    """Every notification of one session of ``room`` is signed with ``secret``, well formed,
    names its event id twice, and no id comes twice."""
    ids = [r.json["id"] for r in got]
    assert len(set(ids)) == len(ids)
    for r in got:
        assert r.verifies(secret), r
        assert not r.verifies(secret + "x")
        assert r.path == "/hook"
        assert r.headers["content-type"] == "application/json"
        body = r.json
        assert set(body) == {"id", "event", "timestamp", "data"}
        assert r.headers["x-webhook-event-id"] == body["id"] == str(uuid.UUID(body["id"]))
        assert RFC3339.match(body["timestamp"]), body
        assert body["data"]["room_id"] == room
    sessions = {r.json["data"]["session_id"] for r in got}
    assert len(sessions) == 1 and None not in sessions
