"""What e2e tests expect to see on their sockets: timestamps, barriers, silence, frames in free
order, error events; and the shortest way in (``enter``)."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

from tests.support.client import Api, Json, Peer
from tests.support.server import ServerProcess

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


async def enter(server: ServerProcess, api: Api, room_id: str, name: str) -> Peer:
    """A fresh ticket of ``api`` for ``room_id``, redeemed on ``server``, joined as ``name``."""
    started = await api.start(room_id)
    peer = await Peer.connect(server, started["ticket"], started["resumption"])
    await peer.join(name)
    return peer


async def barrier(sender: Peer, *others: Peer) -> None:
    """A global chat message from ``sender`` must be the next frame of ``sender`` and of every
    other (joined) peer: nothing was queued for them before it (§15.3 publish order)."""
    text = f"barrier {uuid.uuid4()}"
    await sender.send("chat", {"action": "send_message", "scope": "global", "content": text})
    for peer in (sender, *others):
        sent = await peer.expect("chat", "message_sent")
        assert sent["content"] == text and sent["source"] == sender.id, sent


async def nothing_for(*peers: Peer) -> None:
    """Only an echo answers: for peers that are not joined (no barrier reaches them)."""
    for peer in peers:
        await peer.echo()
        await peer.silent(0.1)


async def frames(peer: Peer, count: int) -> list[tuple[str, Json]]:
    """The next ``count`` frames as (namespace, payload), for events whose order is free."""
    got = []
    for _ in range(count):
        frame = await peer.recv()
        got.append((frame["namespace"], frame["payload"]))
    return got


def by_message(got: list[tuple[str, Json]]) -> dict[str, Json]:
    table = {f"{namespace}/{payload['message']}": payload for namespace, payload in got}
    assert len(table) == len(got), got
    return table


async def moderation_error(peer: Peer, code: str, namespace: str = "moderation") -> None:
    assert await peer.expect(namespace, "error") == {"message": "error", "error": code}


async def quiet(*peers: Peer, duration: float = 0.3) -> None:
    """Nothing arrives on any of ``peers`` for ``duration`` seconds."""
    await asyncio.gather(*(peer.silent(duration) for peer in peers))


async def collect(peer: Peer, until: float) -> list[tuple[str, Json]]:
    """Every frame (namespace, payload) ``peer`` gets until the monotonic time ``until``, or
    until its socket closes."""
    got: list[tuple[str, Json]] = []
    while (left := until - time.monotonic()) > 0:
        try:
            frame = await peer.recv(timeout=left)
        except TimeoutError:
            break
        except Exception:  # closed by the server
            break
        got.append((frame["namespace"], frame["payload"]))
    return got


def gone(got: list[tuple[str, Json]], dead: Peer) -> list[tuple[str, Json]]:
    """``got`` without the announcements that the dead node's participant left (§15.5)."""
    rest = []
    for namespace, payload in got:
        if (namespace, payload.get("message"), payload.get("id")) == ("control", "left", dead.id):
            assert payload["reason"] == "timeout", payload
            continue
        if (namespace, payload.get("message"), payload.get("id")) == ("breakout", "left", dead.id):
            assert payload == {"message": "left", "breakout_room": None, "id": dead.id}, payload
            continue
        rest.append((namespace, payload))
    return rest
