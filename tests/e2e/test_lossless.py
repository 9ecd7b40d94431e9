"""Lossless cross-node delivery under real faults: three server processes over one
redis-server with an append-only file; node 0 reaches Redis through a TCP proxy the test
controls. During a steady stream of chat messages from every node, Redis is SIGKILLed and
restarted, every pub/sub connection is killed, Redis is paused past the socket timeout, and
node 0's Redis traffic is cut. Afterwards every participant has received every message that
anyone received, exactly once and in each sender's order (or was closed with 1012)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tests.support.client import Peer
from tests.support.meeting import Meeting, assert_kept_as_delivered, assert_lossless
from tests.support.proxy import Proxy
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

FAST = {
    "SIGNALING_PRESENCE_TTL": "3",
    "SIGNALING_RATE_LIMIT": "200",
    "SIGNALING_RATE_BURST": "200",
    "SIGNALING_CHAT_HISTORY_LIMIT": "1000",  # the whole burst, to compare with the deliveries
}


class RedisMeeting(Meeting):
    """A meeting over one redis-server; node 0 reaches it through ``proxy``."""

    def __init__(self, redis: RedisServer, proxy: Proxy, nodes: list[ServerProcess]) -> None:
        super().__init__(nodes)
        self.redis = redis
        self.proxy = proxy


@pytest.fixture
async def meeting() -> AsyncIterator[RedisMeeting]:
    redis = RedisServer(appendonly=True, fsync_always=True).start()
    proxy = await Proxy(redis.port).start()
    nodes = [
        ServerProcess(
            {
                **FAST,
                "SIGNALING_REDIS_URL": f"redis://127.0.0.1:{port}/0",
            }
        )
        for port in (proxy.port, redis.port, redis.port)  # node 0 goes through the proxy
    ]
    for node in nodes:
        await asyncio.to_thread(node.start)
    made = RedisMeeting(redis, proxy, nodes)
    try:
        await made.open()
        yield made
    finally:
        await made.close()
        for node in nodes:
            node.kill()
        await proxy.close()
        redis.kill()


async def test_a_redis_restart_loses_nothing(meeting: RedisMeeting) -> None:
    async def restart() -> None:
        meeting.redis.kill()
        await asyncio.sleep(0.5)
        await asyncio.to_thread(meeting.redis.start)

    report = await meeting.burst("restart", restart)
    assert_lossless(report)
    assert_kept_as_delivered(report)


async def test_killed_pubsub_connections_lose_nothing(meeting: RedisMeeting) -> None:
    async def kill_pubsub() -> None:
        client = aioredis.Redis(port=meeting.redis.port)
        try:
            for _ in range(2):
                await client.client_kill_filter(_type="pubsub")
                await asyncio.sleep(0.4)
        finally:
            await client.aclose()

    report = await meeting.burst("pubsub", kill_pubsub)
    assert_lossless(report)
    assert_kept_as_delivered(report)
    assert report["refused"] == 0  # publishing never depended on the subscriptions


async def test_a_paused_redis_loses_nothing(meeting: RedisMeeting) -> None:
    async def pause() -> None:
        assert meeting.redis.proc is not None
        os.kill(meeting.redis.proc.pid, signal.SIGSTOP)
        await asyncio.sleep(3.0)  # longer than the nodes' 2 s socket timeout
        os.kill(meeting.redis.proc.pid, signal.SIGCONT)

    report = await meeting.burst("pause", pause)
    assert_lossless(report)
    assert_kept_as_delivered(report)


async def test_a_node_cut_off_from_redis_loses_nothing(meeting: RedisMeeting) -> None:
    async def cut() -> None:
        await meeting.proxy.cut(2.0)

    report = await meeting.burst("cut", cut)
    assert_lossless(report)
    assert_kept_as_delivered(report)


async def test_after_a_redis_restart_a_join_on_another_node_is_seen_by_everyone(
    meeting: RedisMeeting,
) -> None:
    meeting.redis.kill()
    await asyncio.to_thread(meeting.redis.start)
    await meeting.healthy()
    api = meeting.apis[1]
    started = await api.start(meeting.room)
    assert "ticket" in started, started  # no service_unavailable once /healthz is 200
    late = await Peer.connect(api.server, started["ticket"], started["resumption"])
    success = await late.join("Late")
    deadline = time.monotonic() + 5
    for listener in meeting.listeners:
        while not any(
            f["payload"].get("message") == "joined" and f["payload"].get("id") == success["id"]
            for f in listener.frames
        ):
            assert time.monotonic() < deadline, "a participant never heard of the join"
            await asyncio.sleep(0.05)
        assert listener.errors() == 0
    await late.close()
