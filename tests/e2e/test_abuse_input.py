"""Input bounded where it is stored, and the small findings of issue 10 (4, 9–12): chat
targets, the owner's ban, file modes, breakout durations, the health check."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import tempfile
import uuid
from pathlib import Path

import httpx

from tests.support.client import Api, Peer
from tests.support.expect import (
    enter,
)
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess


async def test_chat_targets_are_bounded_and_must_name_a_participant(
    server: ServerProcess, owner: Api
) -> None:
    room = (await owner.create_room())["id"]
    started = await owner.start(room)
    alice = await Peer.connect(server, started["ticket"])
    await alice.join("Alice")
    stamp = "2024-03-10T16:55:00Z"
    for i in range(25):
        for target in (f"{i:02}" + "x" * 100_000, str(uuid.uuid4())):
            await alice.send(
                "chat",
                {"action": "send_message", "scope": "private", "target": target, "content": "hi"},
            )
            await alice.send(
                "chat",
                {
                    "action": "set_last_seen_timestamp",
                    "scope": "private",
                    "target": target,
                    "timestamp": stamp,
                },
            )
    await alice.echo()  # everything above was handled: nothing came back
    await alice.close()
    await asyncio.sleep(0.3)
    again = await owner.start(room, resumption=started["resumption"])
    peer = await Peer.connect(server, again["ticket"])
    await peer.send("control", {"action": "join", "display_name": "Alice"})
    raw = await asyncio.wait_for(peer.ws.recv(), 5)
    success = json.loads(raw)["payload"]
    assert success["id"] == alice.id
    assert success["chat"]["private_history"] == []
    assert success["chat"]["last_seen_timestamps_private"] == {}
    assert len(raw) < 20_000
    await peer.close()


async def test_a_moderator_cannot_ban_the_owner(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = (await owner.create_room())["id"]
    olivia = await enter(server, owner, room, "Olivia")
    bob = await enter(server, user, room, "Bob")
    await olivia.expect("control", "joined")
    await olivia.send("control", {"action": "grant_moderator_role", "target": bob.id})
    await bob.expect("control", "role_updated")
    await bob.send("moderation", {"action": "ban", "target": olivia.id})
    assert (await bob.expect("moderation", "error"))["error"] == "cannot_ban_room_owner"
    await olivia.send("echo", {"action": "ping"})
    while (await olivia.recv())["namespace"] != "echo":  # still connected, never banned
        pass
    assert (await owner.request("POST", f"/v1/rooms/{room}/start", {})).status_code == 200
    for peer in (olivia, bob):
        await peer.close()


async def test_a_breakout_duration_out_of_range_is_invalid_not_an_internal_error(
    server: ServerProcess, owner: Api
) -> None:
    room = (await owner.create_room())["id"]
    olivia = await enter(server, owner, room, "Olivia")
    for duration in (10**18, 86_401, -1):
        await olivia.send(
            "breakout", {"action": "start", "rooms": [{"name": "A"}], "duration": duration}
        )
    await olivia.echo()  # dropped as an invalid payload (§4): no error, no started
    await olivia.close()


async def test_the_data_dir_and_its_registry_are_private() -> None:
    data = Path(tempfile.mkdtemp(prefix="signaling-test-")) / "data"
    data.mkdir(mode=0o755)  # as an operator may have made it
    os.chmod(data, 0o755)
    process = ServerProcess(data_dir=str(data)).start()
    try:
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        for name in os.listdir(data):
            if name.startswith("registry.sqlite3") or name == "dev-jwt-secret":
                assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name
        assert (data / "registry.sqlite3").exists()
    finally:
        process.stop()


async def test_healthz_says_degraded_without_internals() -> None:
    redis = RedisServer().start()
    process = ServerProcess({"SIGNALING_REDIS_URL": redis.url}).start()
    try:
        redis.kill()
        async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as http:
            response = await http.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "degraded"}
        assert str(redis.port) not in response.text
    finally:
        process.stop()
