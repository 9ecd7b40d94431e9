"""Nodes over a Redis Cluster (3 masters with a replica each): a room's traffic stays on the
master owning its slot, and a master that dies mid-meeting costs the room a few seconds
(its replica is promoted, the nodes move their subscriptions and repair from the history, or
resync with 1012), never a node, while the REST side answers 503 JSON for the slot.

The routing, sweeping and cleaning tests of ``test_multinode.py`` run on the cluster too.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.client import Api
from tests.support.meeting import Meeting, assert_lossless
from tests.support.nodes import ClusterNodeGroup
from tests.support.redis import RedisServer
from tests.support.redis_cluster import NODE_TIMEOUT_MS, RedisClusterServers

PREFIX = "opentalk-signaling:"
#: Kill → events flow again: the node timeout, the replica's election, and the nodes' next
#: look at the slot map (every 0.5 s at most), with room for a loaded CI machine.
FAILOVER_BOUND = NODE_TIMEOUT_MS / 1000 + 7.0


def _room_key(room: str) -> str:
    return f"{PREFIX}room:{{{room}}}:count"  # any key of the room: they share its slot


def _stats(server: RedisServer) -> dict[str, int]:
    """Calls per command on one server since its last CONFIG RESETSTAT."""
    with server.client() as client:
        info: dict[str, Any] = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(row["calls"]) for name, row in info.items()}


def _subscribers(server: RedisServer) -> int:
    with server.client() as client:
        return len(client.client_list(_type="pubsub"))


@pytest.fixture
async def meeting() -> AsyncIterator[tuple[Meeting, ClusterNodeGroup]]:
    """One participant per node of three, in one room, over the shared cluster."""
    group = await asyncio.to_thread(ClusterNodeGroup, 3)
    made = Meeting(group.nodes)
    try:
        await made.open()
        yield made, group
    finally:
        await made.close()
        group.stop()


async def test_a_room_s_traffic_stays_on_its_shard(
    meeting: tuple[Meeting, ClusterNodeGroup],
) -> None:
    made, group = meeting
    owner = group.cluster.master_of(_room_key(made.room))
    others = [m for m in group.cluster.primaries() if m is not owner]
    for master in group.cluster.primaries():
        with master.client() as client:
            client.config_resetstat()

    async def no_fault() -> None:
        return None

    report = await made.burst("shard", no_fault)
    assert_lossless(report)

    on_owner = _stats(owner)
    assert on_owner.get("spublish", 0) >= report["sent"]  # one per chat message, and more
    assert "publish" not in on_owner  # plain PUBLISH would be broadcast to every shard
    for master in others:
        stats = _stats(master)
        assert "spublish" not in stats and "publish" not in stats, stats
        assert _subscribers(master) == 0  # no node subscribes where it has no room
    assert _subscribers(owner) == len(group.nodes)  # one link per node, on the room's master


async def test_killed_sharded_subscriptions_lose_nothing(
    meeting: tuple[Meeting, ClusterNodeGroup],
) -> None:
    made, group = meeting

    async def kill_subscriptions() -> None:
        for _ in range(2):
            for master in group.cluster.primaries():
                with master.client() as client:
                    client.client_kill_filter(_type="pubsub")
            await asyncio.sleep(0.4)

    report = await made.burst("sharded", kill_subscriptions)
    assert_lossless(report)
    assert report["refused"] == 0  # publishing never depended on the subscriptions


def _replicated(master: Any, timeout: float = 5.0) -> None:
    """Wait until the master's replica has every write the master took so far (replication is
    asynchronous: a record written just before the kill may otherwise be lost with it)."""
    with master.client() as client:
        target = client.info("replication")["master_repl_offset"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = client.info("replication")
            offsets = [v["offset"] for k, v in info.items() if k.startswith("slave")]
            if offsets and min(offsets) >= target:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


async def test_a_master_failover_mid_meeting() -> None:
    cluster = await asyncio.to_thread(RedisClusterServers().start)  # its own: one dies
    group = await asyncio.to_thread(ClusterNodeGroup, 3, cluster)
    made = Meeting(group.nodes)
    api = made.apis[0]
    timings: dict[str, float] = {}
    try:
        await made.open()
        victim = cluster.master_of(_room_key(made.room))
        probe = await _room_record_on(api, cluster, victim)

        async def fail_over() -> None:
            await asyncio.to_thread(_replicated, victim)  # the probe room survives the failover
            killed = time.monotonic()
            victim.kill()  # SIGKILL
            unavailable = await _rest_while_failing_over(api, probe, killed, timings)
            assert unavailable, "the REST side never noticed the dead master"
            await _events_flow_again(made, killed, timings)

        report = await made.burst("failover", fail_over)
        print(f"failover timings (s): {timings}")
        assert_lossless(report)  # or closed with 1012, which burst allows
        assert timings["events_flow"] < FAILOVER_BOUND, timings
        assert all(node.proc is not None and node.proc.poll() is None for node in group.nodes)
        assert victim not in cluster.primaries()
    finally:
        await made.close()
        group.stop()
        cluster.kill()


async def _room_record_on(api: Api, cluster: RedisClusterServers, master: RedisServer) -> str:
    """A room whose registry record lives on ``master`` (records spread by their own keys)."""
    for _ in range(200):
        room = (await api.create_room())["id"]
        if cluster.master_of(f"{PREFIX}registry:room:{room}") is master:
            return str(room)
    raise AssertionError("no room record landed on the master")


async def _rest_while_failing_over(
    api: Api, room: str, killed: float, timings: dict[str, float]
) -> bool:
    """Read the room's record until it answers again; True if it answered 503 JSON meanwhile."""
    unavailable = False
    deadline = killed + FAILOVER_BOUND
    while time.monotonic() < deadline:
        try:
            response = await api.request("GET", f"/v1/rooms/{room}")
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code == 503:
            assert response.json()["code"] == "service_unavailable", response.text
            timings.setdefault("rest_503", time.monotonic() - killed)
            unavailable = True
        elif response is not None and response.status_code == 200 and unavailable:
            timings["rest_back"] = time.monotonic() - killed
            return True
        else:
            assert response is None or response.status_code == 200, response.text
        await asyncio.sleep(0.05)
    return unavailable


async def _events_flow_again(made: Meeting, killed: float, timings: dict[str, float]) -> None:
    """Until a message sent now reaches every open participant."""
    while time.monotonic() - killed < 2 * FAILOVER_BOUND:
        marker = f"after-{uuid.uuid4().hex}"
        sender = next(x for x in made.listeners if x.close_code is None)
        try:
            await sender.peer.send(
                "chat", {"action": "send_message", "scope": "global", "content": marker}
            )
        except Exception:  # closed with 1012 meanwhile: try the next one
            continue
        for _ in range(10):
            await asyncio.sleep(0.05)
            if all(marker in x.chat() for x in made.listeners if x.close_code is None):
                timings["events_flow"] = time.monotonic() - killed
                return
    raise AssertionError("events never flowed again after the failover")
