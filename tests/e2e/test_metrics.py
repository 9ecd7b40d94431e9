"""``GET /metrics`` of real server processes: one node, its token, and two workers over Redis
whose figures add up whichever worker answers the scrape."""

from __future__ import annotations

import asyncio
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.client import Api, Peer
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

FAST = {"SIGNALING_RATE_LIMIT": "200", "SIGNALING_RATE_BURST": "200"}
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server: ServerProcess, token: str | None = None) -> Samples:
    """Every sample of one scrape (a new connection each time), by name and labels."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(f"{server.base_url}/metrics", headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def commands(samples: Samples, namespace: str, action: str, result: str) -> float:
    labels = {"namespace": namespace, "action": action, "result": result}
    return value(samples, "signaling_commands_total", **labels)


async def wait_for(server: ServerProcess, check: str, want: float, **labels: str) -> Samples:
    """Scrape until ``check`` reaches ``want`` (gauges are sampled once a second)."""
    deadline = time.monotonic() + 10
    while True:
        samples = await asyncio.to_thread(scrape, server)
        if value(samples, check, **labels) == want or time.monotonic() > deadline:
            return samples
        await asyncio.sleep(0.2)


async def join(api: Api, room: str, name: str) -> Peer:
    peer = await Peer.connect(api.server, (await api.start(room))["ticket"])
    await peer.join(name)
    return peer


async def test_a_room_in_figures() -> None:
    server = ServerProcess(FAST).start()
    api = Api(server, server.token("metrics-owner", "Mia"))
    try:
        room = (await api.create_room())["id"]
        first = await join(api, room, "First")
        second = await join(api, room, "Second")
        await first.expect("control", "joined")
        await first.send("chat", {"action": "send_message", "scope": "global", "content": "hi"})
        for peer in (first, second):
            await peer.expect("chat", "message_sent")
        await first.send("control", {"action": "join", "display_name": "Again"})
        assert (await first.expect("control", "error"))["error"] == "already_joined"
        lurker = await Peer.connect(server, (await api.start(room))["ticket"])
        samples = await wait_for(server, "signaling_connections", 1, state="none")
        assert value(samples, "signaling_connections", state="joined") == 2
        assert value(samples, "signaling_rooms") == 1
        assert commands(samples, "control", "join", "ok") == 2
        assert commands(samples, "chat", "send_message", "ok") == 1
        assert commands(samples, "control", "join", "error") == 1
        assert value(samples, "signaling_command_duration_seconds_count", namespace="chat") == 1
        assert value(samples, "signaling_join_duration_seconds_count") == 2
        assert 0 < value(samples, "signaling_join_duration_seconds_sum") < 5
        # two join_success, one joined, two message_sent, one error
        assert value(samples, "signaling_deliveries_total") == 6
        assert value(samples, "signaling_send_backlog_frames") == 0
        assert value(samples, "signaling_resyncs_total") == 0
        assert value(samples, "signaling_backend_errors_total") == 0
        await second.close()
        await lurker.close()
        samples = await wait_for(server, "signaling_connections", 1, state="joined")
        assert value(samples, "signaling_closes_total", code="1000") == 2
        assert value(samples, "signaling_connections", state="none") == 0
        await first.close()
        samples = await wait_for(server, "signaling_rooms", 0)
        assert value(samples, "signaling_connections", state="joined") == 0
    finally:
        await api.aclose()
        server.stop()


async def test_the_metrics_token_is_required_when_set() -> None:
    server = ServerProcess({"SIGNALING_METRICS_TOKEN": "scrape-me"}).start()
    try:
        url = f"{server.base_url}/metrics"
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.get(url)).status_code == 401
            wrong = await http.get(url, headers={"Authorization": "Bearer scrape-you"})
            assert wrong.status_code == 401
            assert wrong.json()["code"] == "unauthorized"
            right = await http.get(url, headers={"Authorization": "Bearer scrape-me"})
            assert right.status_code == 200
            assert "signaling_connections" in right.text
    finally:
        server.stop()


async def test_two_workers_add_up() -> None:
    redis = RedisServer().start()
    server = ServerProcess({**FAST, "SIGNALING_REDIS_URL": redis.url, "SIGNALING_WORKERS": "2"})
    server.start()
    api = Api(server, server.token("metrics-workers", "W"))
    try:
        room = (await api.create_room())["id"]
        peers: list[Peer] = []
        while len(peers) < 40:  # until both workers hold participants of the room
            peers += [await join(api, room, f"P{len(peers) + i}") for i in range(4)]
            samples = await wait_for(server, "signaling_connections", len(peers), state="joined")
            if value(samples, "signaling_rooms") == 2:  # the room, counted by each worker
                break
        assert value(samples, "signaling_rooms") == 2
        # Each scrape opens a new connection, so both workers answer some of them.
        for _ in range(10):
            samples = await asyncio.to_thread(scrape, server)
            assert value(samples, "signaling_connections", state="joined") == len(peers)
            assert commands(samples, "control", "join", "ok") == len(peers)
            assert value(samples, "signaling_rooms") == 2
        for peer in peers:
            await peer.close()
        samples = await wait_for(server, "signaling_connections", 0, state="joined")
        assert value(samples, "signaling_closes_total", code="1000") == len(peers)
    finally:
        await api.aclose()
        server.stop()
        redis.kill()
