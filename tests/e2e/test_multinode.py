"""Several server processes over one real Redis behave as one server (issue: many nodes).

One node group (three nodes over a redis-server, and again over a Redis Cluster) is shared by
the routing tests, each with a fresh room; the failure tests (node kill, Redis restart, rolling
restart) get their own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.client import Api, Peer
from tests.support.nodes import FAST, ClusterNodeGroup, NodeGroup
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess


@pytest.fixture(scope="module", params=["redis", "cluster"])
def group(request: pytest.FixtureRequest) -> Iterator[NodeGroup]:
    """Three nodes over one redis-server, or over the session's Redis Cluster."""
    shared = ClusterNodeGroup() if request.param == "cluster" else NodeGroup()
    yield shared
    shared.stop()


@pytest.fixture
async def apis(group: NodeGroup) -> AsyncIterator[list[Api]]:
    """One user per node; the first creates the rooms."""
    tag = uuid.uuid4().hex[:6]
    made = [group.api(i, f"u{i}-{tag}", f"User {i}") for i in range(len(group.nodes))]
    yield made
    for api in made:
        await api.aclose()


async def join(api: Api, room_id: str, name: str, node: ServerProcess | None = None) -> Peer:
    started = await api.start(room_id)
    peer = await Peer.connect(node or api.server, started["ticket"], started["resumption"])
    await peer.join(name)
    return peer


async def test_a_ticket_from_one_node_is_redeemed_on_another(
    group: NodeGroup, apis: list[Api]
) -> None:
    room = await apis[0].create_room()
    got = await apis[1].request("GET", f"/v1/rooms/{room['id']}")
    assert got.status_code == 200
    started = await apis[0].start(room["id"])
    peer = await Peer.connect(group.nodes[2], started["ticket"])
    assert (await peer.join("Alice"))["room_info"]["id"] == room["id"]
    again = await Peer.connect(group.nodes[0], (await apis[0].start(room["id"]))["ticket"])
    await again.close()
    await peer.close()


async def test_events_reach_every_node_exactly_once(group: NodeGroup, apis: list[Api]) -> None:
    room = await apis[0].create_room()
    peers = [await join(apis[i], room["id"], f"P{i}") for i in range(3)]
    peers.append(await join(apis[1], room["id"], "P3", node=group.nodes[2]))
    for index, peer in enumerate(peers):
        for later in peers[index + 1 :]:
            joined = await peer.expect("control", "joined")
            assert joined["id"] == later.id

    await peers[1].send("control", {"action": "raise_hand"})
    await peers[1].expect("control", "hand_raised")
    for peer in (peers[0], peers[2], peers[3]):
        update = await peer.expect("control", "update")
        assert update["id"] == peers[1].id and update["control"]["hand_is_up"] is True

    await peers[2].send("chat", {"action": "send_message", "scope": "global", "content": "hi all"})
    ids = set()
    for peer in peers:
        sent = await peer.expect("chat", "message_sent")
        ids.add(sent["id"])
    assert len(ids) == 1

    await peers[0].send("control", {"action": "grant_moderator_role", "target": peers[3].id})
    assert (await peers[3].expect("control", "role_updated"))["new_role"] == "moderator"
    for peer in peers[:3]:
        assert (await peer.expect("control", "update"))["control"]["role"] == "moderator"
    await peers[0].expect("control", "moderator_role_granted")
    await peers[3].send("moderation", {"action": "disable_raise_hands"})
    for peer in peers:
        await peer.expect("moderation", "raise_hands_disabled")
    for peer in (peers[0], peers[2], peers[3]):  # the raised hand was lowered
        assert (await peer.expect("control", "update"))["control"]["hand_is_up"] is False
    await peers[3].close()
    for peer in peers[:3]:
        assert (await peer.expect("control", "left"))["id"] == peers[3].id
    for peer in peers[:3]:
        await peer.silent(0.3)
    for peer in peers[:3]:
        await peer.close()


async def test_resumption_lands_on_another_node(group: NodeGroup, apis: list[Api]) -> None:
    room = await apis[0].create_room()
    watcher = await join(apis[0], room["id"], "Watcher")
    started = await apis[1].start(room["id"])
    first = await Peer.connect(group.nodes[1], started["ticket"])
    await first.join("Mover")
    await watcher.expect("control", "joined")
    await first.close()
    await watcher.expect("control", "left")
    again = await apis[1].start(room["id"], resumption=started["resumption"])
    moved = await Peer.connect(group.nodes[2], again["ticket"])
    assert (await moved.join("Mover"))["id"] == first.id
    assert (await watcher.expect("control", "joined"))["id"] == first.id
    for peer in (watcher, moved):
        await peer.close()


async def test_chat_history_is_shared_between_nodes(group: NodeGroup, apis: list[Api]) -> None:
    room = await apis[0].create_room()
    alice = await join(apis[0], room["id"], "Alice")
    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "kept"})
    await alice.expect("chat", "message_sent")
    started = await apis[2].start(room["id"])
    carol = await Peer.connect(group.nodes[2], started["ticket"])
    success = await carol.join("Carol")
    assert [m["content"] for m in success["chat"]["room_history"]["messages"]] == ["kept"]
    assert [p["id"] for p in success["participants"]] == [alice.id]
    for peer in (alice, carol):
        await peer.close()


def _group(backend: str, count: int) -> NodeGroup:
    return ClusterNodeGroup(count) if backend == "cluster" else NodeGroup(count)


@pytest.mark.parametrize("backend", ["redis", "cluster"])
async def test_a_killed_node_s_participants_leave_with_timeout_and_can_resume(
    backend: str,
) -> None:
    group = _group(backend, 3)
    apis = [group.api(i, f"k{i}", f"K{i}") for i in range(3)]
    try:
        room = await apis[0].create_room()
        survivor = await join(apis[0], room["id"], "Survivor")
        started = await apis[2].start(room["id"])
        doomed = await Peer.connect(group.nodes[2], started["ticket"])
        await doomed.join("Doomed")
        assert (await survivor.expect("control", "joined"))["id"] == doomed.id
        await asyncio.sleep(1.6)  # sweeping starts a full presence TTL after connecting
        killed_at = time.monotonic()
        group.nodes[2].kill()
        left = await survivor.expect("control", "left", timeout=10)
        assert left == {"message": "left", "id": doomed.id, "reason": "timeout"}
        assert time.monotonic() - killed_at < 1.5 * 3  # about one TTL plus a sweep period
        again = await apis[0].http.post(
            f"/v1/rooms/{room['id']}/start",
            json={"resumption": started["resumption"]},
            headers={"Authorization": f"Bearer {apis[2].token}"},
        )
        assert again.status_code == 200, again.text
        back = await Peer.connect(group.nodes[1], again.json()["ticket"])
        assert (await back.join("Doomed"))["id"] == doomed.id
        assert (await survivor.expect("control", "joined"))["id"] == doomed.id
        await survivor.send("chat", {"action": "send_message", "scope": "global", "content": "ok"})
        for peer in (survivor, back):
            await peer.expect("chat", "message_sent")
        for peer in (survivor, back):
            await peer.close()
    finally:
        for api in apis:
            await api.aclose()
        group.stop()


@pytest.mark.parametrize("backend", ["redis", "cluster"])
async def test_a_room_whose_participants_were_all_on_a_dead_node_is_cleaned(backend: str) -> None:
    group = _group(backend, 2)
    apis = [group.api(i, f"c{i}", f"C{i}") for i in range(2)]
    try:
        room = await apis[0].create_room()
        peer = await join(apis[1], room["id"], "Lonely")
        await peer.send("chat", {"action": "send_message", "scope": "global", "content": "gone"})
        await peer.expect("chat", "message_sent")
        await asyncio.sleep(1.6)
        group.nodes[1].kill()
        await asyncio.sleep(1.5 * 2 + 1.0 + 1.0)  # presence TTL, sweep, grace, janitor
        fresh = await join(apis[0], room["id"], "Later")
        started = await apis[0].start(room["id"])
        late = await Peer.connect(group.nodes[0], started["ticket"])
        success = await late.join("Late")
        assert success["chat"]["room_history"]["messages"] == []
        assert [p["id"] for p in success["participants"]] == [fresh.id]
        for p in (fresh, late):
            await p.close()
    finally:
        for api in apis:
            await api.aclose()
        group.stop()


async def test_redis_restart_mid_meeting() -> None:
    group = NodeGroup(count=2, appendonly=True)
    apis = [group.api(i, f"r{i}", f"R{i}") for i in range(2)]
    try:
        room = await apis[0].create_room()
        alice = await join(apis[0], room["id"], "Alice")
        bob = await join(apis[1], room["id"], "Bob")
        await alice.expect("control", "joined")
        await bob.echo()  # bob's join has been handled completely
        group.redis.kill()
        response = await apis[0].request("POST", f"/v1/rooms/{room['id']}/start", {})
        assert response.status_code == 503
        assert response.json()["code"] == "service_unavailable"
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{group.nodes[1].base_url}/healthz")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
        await alice.send("chat", {"action": "send_message", "scope": "global", "content": "lost"})
        assert (await alice.expect("chat", "error"))["error"] == "service_unavailable"
        await alice.echo()
        group.redis.start()
        deadline = time.monotonic() + 10
        delivered = False
        while not delivered:  # messages flow again once both nodes have resubscribed
            assert time.monotonic() < deadline, "no message crossed the nodes after recovery"
            await alice.send(
                "chat", {"action": "send_message", "scope": "global", "content": "back"}
            )
            frame = await alice.recv()
            if frame["payload"] == {"message": "error", "error": "service_unavailable"}:
                await asyncio.sleep(0.2)
                continue
            assert frame["payload"]["message"] == "message_sent", frame
            try:
                frame = await bob.recv(timeout=0.5)
            except TimeoutError:
                continue
            assert frame["payload"].get("content") == "back", frame
            delivered = True
        for node in group.nodes:
            assert node.proc is not None and node.proc.poll() is None
        await alice.silent(0.2)
        for peer in (alice, bob):
            await peer.close()
    finally:
        for api in apis:
            await api.aclose()
        group.stop()


async def test_redis_that_comes_back_empty_closes_clients_with_1012() -> None:
    group = NodeGroup(count=2, appendonly=False)
    apis = [group.api(i, f"e{i}", f"E{i}") for i in range(2)]
    try:
        room = await apis[0].create_room()
        alice = await join(apis[0], room["id"], "Alice")
        bob = await join(apis[1], room["id"], "Bob")
        await alice.expect("control", "joined")
        group.redis.restart()
        for peer in (alice, bob):
            code, _ = await peer.closed(timeout=10)
            assert code == 1012
    finally:
        for api in apis:
            await api.aclose()
        group.stop()


async def test_rolling_restart_moves_clients_to_other_nodes() -> None:
    group = NodeGroup(count=2)
    apis = [group.api(i, f"t{i}", f"T{i}") for i in range(2)]
    try:
        room = await apis[0].create_room()
        stay = await join(apis[0], room["id"], "Stay")
        started = await apis[1].start(room["id"])
        moving = await Peer.connect(group.nodes[1], started["ticket"])
        await moving.join("Moving")
        await stay.expect("control", "joined")
        stopping = asyncio.get_running_loop().run_in_executor(None, group.nodes[1].stop)
        code, _ = await moving.closed()
        assert code == 1001
        assert (await stay.expect("control", "left"))["id"] == moving.id
        await stopping
        again = await apis[0].http.post(
            f"/v1/rooms/{room['id']}/start",
            json={"resumption": started["resumption"]},
            headers={"Authorization": f"Bearer {apis[1].token}"},
        )
        assert again.status_code == 200, again.text
        moved = await Peer.connect(group.nodes[0], again.json()["ticket"])
        assert (await moved.join("Moving"))["id"] == moving.id
        await stay.expect("control", "joined")
        for peer in (stay, moved):
            await peer.close()
    finally:
        for api in apis:
            await api.aclose()
        group.stop()


async def test_worker_processes_share_rooms_over_redis() -> None:
    redis = RedisServer().start()
    process = ServerProcess({**FAST, "SIGNALING_REDIS_URL": redis.url, "SIGNALING_WORKERS": "2"})
    process.start()
    api = Api(process, process.token("workers", "W"))
    try:
        room = await api.create_room()
        peers = [await join(api, room["id"], f"P{i}") for i in range(6)]
        for index, peer in enumerate(peers):
            for later in peers[index + 1 :]:
                assert (await peer.expect("control", "joined"))["id"] == later.id
        await peers[5].send("chat", {"action": "send_message", "scope": "global", "content": "w"})
        for peer in peers:
            assert (await peer.expect("chat", "message_sent"))["content"] == "w"
        for peer in peers:
            await peer.close()
    finally:
        await api.aclose()
        process.stop()
        redis.kill()


async def test_concurrent_joins_across_nodes_announce_everyone_exactly_once(
    group: NodeGroup, apis: list[Api]
) -> None:
    room = await apis[0].create_room()
    tickets = [(await apis[i % 3].start(room["id"]))["ticket"] for i in range(12)]
    peers = [await Peer.connect(group.nodes[i % 3], t) for i, t in enumerate(tickets)]
    successes = await asyncio.gather(*(p.join(f"C{i}") for i, p in enumerate(peers)))
    await asyncio.sleep(0.5)
    everyone = {str(p.id) for p in peers}
    for peer, success in zip(peers, successes, strict=True):
        known = [entry["id"] for entry in success["participants"]]
        while True:
            try:
                frame = await peer.recv(timeout=0.3)
            except TimeoutError:
                break
            assert frame["payload"]["message"] == "joined", frame
            known.append(frame["payload"]["id"])
        assert sorted(known) == sorted(everyone - {str(peer.id)})  # each other peer once
    for peer in peers:
        await peer.close()
