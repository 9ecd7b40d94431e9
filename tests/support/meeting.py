"""A meeting of one participant per node in one room, under a steady stream of chat
messages while a test causes a fault, and the report of what every participant received
(lossless delivery: everything anyone received, everyone received once, in one order, or was
closed with 1012)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from tests.support.client import Api, Json, Peer
from tests.support.server import ServerProcess

MESSAGES_PER_NODE = 40
SEND_EVERY = 0.03


@dataclass
class Listener:
    """One participant's connection and everything it received."""

    peer: Peer
    frames: list[Json] = field(default_factory=list)
    close_code: int | None = None
    task: asyncio.Task[None] | None = None

    async def listen(self) -> None:
        try:
            while True:
                self.frames.append(await self.peer.recv(timeout=3600))
        except Exception:
            rcvd = self.peer.ws.protocol.close_rcvd
            self.close_code = rcvd.code if rcvd else None

    def chat(self) -> list[str]:
        return [
            f["payload"]["content"]
            for f in self.frames
            if f["namespace"] == "chat" and f["payload"].get("message") == "message_sent"
        ]

    def errors(self) -> int:
        return sum(1 for f in self.frames if f["payload"].get("message") == "error")


class Meeting:
    def __init__(self, nodes: list[ServerProcess]) -> None:
        self.nodes = nodes
        self.apis = [
            Api(n, n.token(f"c{i}-{uuid.uuid4().hex[:6]}", f"C{i}")) for i, n in enumerate(nodes)
        ]
        self.listeners: list[Listener] = []
        self.room = ""

    async def open(self) -> None:
        self.room = (await self.apis[0].create_room())["id"]
        for api in self.apis:
            started = await api.start(self.room)
            peer = await Peer.connect(api.server, started["ticket"], started["resumption"])
            await peer.join(api.server.base_url)
            listener = Listener(peer)
            listener.task = asyncio.get_running_loop().create_task(listener.listen())
            self.listeners.append(listener)
        await self.quiet()

    async def healthy(self) -> None:
        async with httpx.AsyncClient() as http:
            for node in self.nodes:
                deadline = time.monotonic() + 20
                while (await http.get(f"{node.base_url}/healthz")).status_code != 200:
                    assert time.monotonic() < deadline, "a node did not recover"
                    await asyncio.sleep(0.1)

    async def quiet(self) -> None:
        """Until a marker from every open participant has reached every open participant."""
        open_ones = [x for x in self.listeners if x.close_code is None]
        markers = [f"marker-{uuid.uuid4().hex}" for _ in open_ones]
        deadline = time.monotonic() + 20
        while True:
            for listener, marker in zip(open_ones, markers, strict=True):
                if marker not in listener.chat():
                    with contextlib.suppress(Exception):
                        await listener.peer.send(
                            "chat",
                            {"action": "send_message", "scope": "global", "content": marker},
                        )
            await asyncio.sleep(0.3)
            if all(set(markers) <= set(x.chat()) for x in open_ones):
                return
            assert time.monotonic() < deadline, "markers did not cross the nodes"

    async def burst(self, tag: str, fault: Callable[[], Awaitable[None]]) -> dict[str, int]:
        before = [len(x.chat()) for x in self.listeners]
        errors_before = sum(x.errors() for x in self.listeners)

        async def send(index: int, listener: Listener) -> None:
            for i in range(MESSAGES_PER_NODE):
                content = f"{tag}:{index}:{i:03d}"
                with contextlib.suppress(Exception):
                    await listener.peer.send(
                        "chat", {"action": "send_message", "scope": "global", "content": content}
                    )
                await asyncio.sleep(SEND_EVERY)

        async def faulted() -> None:
            await asyncio.sleep(0.3)
            await fault()

        await asyncio.gather(*(send(i, x) for i, x in enumerate(self.listeners)), faulted())
        await self.healthy()
        await self.quiet()
        sent = MESSAGES_PER_NODE * len(self.listeners)
        views = [
            [m for m in x.chat()[b:] if m.startswith(tag + ":")]
            for x, b in zip(self.listeners, before, strict=True)
        ]
        anyone = set().union(*map(set, views))
        report = {"sent": sent, "delivered_somewhere": len(anyone), "duplicated": 0, "lost": 0}
        report["refused"] = sum(x.errors() for x in self.listeners) - errors_before
        report["resynced"] = sum(1 for x in self.listeners if x.close_code == 1012)
        for listener, view in zip(self.listeners, views, strict=True):
            if listener.close_code is not None:
                assert listener.close_code == 1012, listener.close_code
                continue
            report["duplicated"] += len(view) - len(set(view))
            report["lost"] += len(anyone - set(view))
            for sender in range(len(self.listeners)):
                own = [m for m in view if m.startswith(f"{tag}:{sender}:")]
                assert own == sorted(own), f"{tag}: sender {sender} out of order"
        open_views = [v for x, v in zip(self.listeners, views, strict=True) if x.close_code is None]
        report["orders"] = len({tuple(v) for v in open_views})  # 1: one order on every node
        kept = [m for m in await self.history() if m.startswith(tag + ":")]
        report["kept_twice"] = len(kept) - len(set(kept))
        report["kept_not_delivered"] = len(set(kept) - anyone)
        report["delivered_not_kept"] = len(anyone - set(kept))
        print(f"{tag}: {report}")
        return report

    async def history(self) -> list[str]:
        """The contents of the room's chat history, oldest first (the room owner's export)."""
        exported = await self.apis[0].request("GET", f"/v1/rooms/{self.room}/chat/export")
        assert exported.status_code == 200, exported.text
        return [message["content"] for message in exported.json()["data"]]

    async def close(self) -> None:
        for listener in self.listeners:
            if listener.task is not None:
                listener.task.cancel()
            with contextlib.suppress(Exception):
                await listener.peer.close()
        for api in self.apis:
            await api.aclose()


def assert_lossless(report: dict[str, int]) -> None:
    assert report["lost"] == 0 and report["duplicated"] == 0, report
    assert report["orders"] == 1, report  # every participant saw the same sequence
    # every message was refused to its sender (service_unavailable) or reached everyone
    assert report["delivered_somewhere"] + report["refused"] >= report["sent"], report


def assert_kept_as_delivered(report: dict[str, int]) -> None:
    """The history holds exactly what was delivered, each once (a message is published and
    kept in one step; a retried publication is neither delivered nor kept twice). Only where
    Redis loses no acknowledged write (one server with ``appendfsync always``) and the
    history limit holds the whole burst."""
    assert report["kept_twice"] == 0, report
    assert report["kept_not_delivered"] == 0 and report["delivered_not_kept"] == 0, report
