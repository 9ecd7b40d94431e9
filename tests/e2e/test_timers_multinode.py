"""Poll and breakout timers on three nodes over one Redis (reference §10, §11, §15.5, and our
decision that a timer fires exactly once even if the node that started it died): the node of
the moderator who started a 2-second poll or breakout session is killed (SIGKILL) before the
deadline; every member on the surviving nodes still gets exactly one ``done`` / ``expired``."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.e2e.test_multinode import FAST
from tests.support.client import Api, Peer
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

Json = dict[str, Any]
LINGER = 1.0
WINDOW = 5.0  # the 2 s deadline, then at least 2 s more in which nothing else may come


class Cluster:
    """A redis-server and three nodes, one per test: a test kills one of them."""

    def __init__(self) -> None:
        self.redis = RedisServer().start()
        env = {**FAST, "SIGNALING_REDIS_URL": self.redis.url}
        env["SIGNALING_BREAKOUT_LINGER"] = str(LINGER)
        self.nodes = [ServerProcess(env).start() for _ in range(3)]
        self.apis: list[Api] = []
        self.peers: list[Peer] = []

    def api(self, node: int, name: str) -> Api:
        server = self.nodes[node]
        api = Api(server, server.token(f"{name.lower()}-{uuid.uuid4().hex[:6]}", name))
        self.apis.append(api)
        return api

    async def join(self, api: Api, room: str, name: str, breakout_room: str | None = None) -> Peer:
        """Join on ``api``'s node (the main room, or straight into a breakout room)."""
        body: Json = {} if breakout_room is None else {"breakout_room": breakout_room}
        started = await api.start(room, **body)
        peer = await Peer.connect(api.server, started["ticket"], started["resumption"])
        self.peers.append(peer)
        await peer.join(name)
        return peer

    async def aclose(self) -> None:
        for peer in self.peers:
            try:
                await asyncio.wait_for(peer.close(), 2)
            except Exception:
                peer.ws.transport.abort()
        for api in self.apis:
            await api.aclose()

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
        self.redis.kill()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    made = Cluster()
    yield made
    made.stop()


@pytest.fixture
async def world(cluster: Cluster) -> AsyncIterator[Cluster]:
    yield cluster
    await cluster.aclose()


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


async def test_a_poll_ends_once_for_everyone_after_its_node_died(world: Cluster) -> None:
    owner = world.api(0, "Olivia")
    room: str = (await owner.create_room())["id"]
    alice = await world.join(owner, room, "Alice")  # the moderator, on node 0
    bob = await world.join(world.api(1, "Bob"), room, "Bob")
    await alice.expect("control", "joined")
    carol = await world.join(world.api(2, "Carol"), room, "Carol")
    for peer in (alice, bob):
        await peer.expect("control", "joined")

    command = {"action": "start", "topic": "Stay?", "choices": ["yes", "no"], "duration": 2}
    await alice.send("polls", command)
    begun = time.monotonic()
    pid = (await alice.expect("polls", "started"))["id"]
    for peer in (bob, carol):
        assert (await peer.expect("polls", "started"))["id"] == pid
    await bob.send("polls", {"action": "vote", "poll_id": pid, "choice_id": 0})
    await carol.send("polls", {"action": "vote", "poll_id": pid, "choice_id": 1})
    await bob.echo()  # the votes were handled before the kill
    await carol.echo()
    world.nodes[0].kill()

    results = [{"id": 0, "count": 1}, {"id": 1, "count": 1}]
    done = {"message": "done", "id": pid, "results": results}
    for got in await asyncio.gather(*(collect(p, begun + WINDOW) for p in (bob, carol))):
        assert gone(got, alice) == [("polls", done)], got


async def test_a_breakout_session_expires_once_for_everyone_after_its_node_died(
    world: Cluster,
) -> None:
    owner = world.api(0, "Olivia")
    room: str = (await owner.create_room())["id"]
    alice = await world.join(owner, room, "Alice")
    bob = await world.join(world.api(1, "Bob"), room, "Bob")
    await alice.expect("control", "joined")

    rooms = [{"name": "R1", "assignments": []}]
    await alice.send("breakout", {"action": "start", "rooms": rooms, "duration": 2})
    begun = time.monotonic()
    [r1] = (await alice.expect("breakout", "started"))["rooms"]
    await bob.expect("breakout", "started")
    carol = await world.join(world.api(2, "Carol"), room, "Carol", breakout_room=r1["id"])
    for peer in (alice, bob):
        joined = await peer.expect("breakout", "joined")
        assert (joined["id"], joined["breakout_room"]) == (carol.id, r1["id"])
    world.nodes[0].kill()

    bob_got, carol_got = await asyncio.gather(
        collect(bob, begun + WINDOW), collect(carol, begun + WINDOW)
    )
    expired = ("breakout", {"message": "expired"})
    assert gone(carol_got, alice) == [expired], carol_got
    carol_left = ("breakout", {"message": "left", "breakout_room": r1["id"], "id": carol.id})
    assert gone(bob_got, alice) == [expired, carol_left], bob_got  # carol closed after the linger
    code, _ = await carol.closed()
    assert code == 1000
