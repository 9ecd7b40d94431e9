"""Limits and policies over real sockets: tariff limits, timeouts, heartbeat, rate limit,
frame size, slow consumers, room deletion, grace cleanup, shutdown (§3, §5, §17)."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from websockets.asyncio.client import connect

from signaling.wire import SUBPROTOCOL
from tests.support.client import Api, Peer
from tests.support.expect import (
    enter,
)
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def strict() -> Iterator[ServerProcess]:
    """Short timeouts, small frames and tight tariff limits."""
    process = ServerProcess(
        {
            "SIGNALING_JOIN_TIMEOUT": "1",
            "SIGNALING_HEARTBEAT_INTERVAL": "0.5",
            "SIGNALING_HEARTBEAT_TIMEOUT": "1",
            "SIGNALING_MAX_MESSAGE_SIZE": "4096",
            "SIGNALING_RATE_LIMIT": "1000",
            "SIGNALING_RATE_BURST": "1000",
            "SIGNALING_PARTICIPANT_LIMIT": "2",
            "SIGNALING_TIME_LIMIT": "3",
        }
    ).start()
    yield process
    process.stop()


@pytest.fixture
async def strict_owner(strict: ServerProcess) -> AsyncIterator[Api]:
    api = Api(strict, strict.token(f"owner-{uuid.uuid4().hex[:8]}", "Owner"))
    yield api
    await api.aclose()


async def test_the_participant_limit_blocks_a_join(
    strict: ServerProcess, strict_owner: Api
) -> None:
    room = await strict_owner.create_room()
    first = await enter(strict, strict_owner, room["id"], "One")
    second = await enter(strict, strict_owner, room["id"], "Two")
    started = await strict_owner.start(room["id"])
    third = await Peer.connect(strict, started["ticket"])
    await third.send("control", {"action": "join", "display_name": "Three"})
    assert await third.expect("control", "join_blocked") == {
        "message": "join_blocked",
        "reason": "participant_limit_reached",
    }
    await first.expect("control", "joined")
    await first.silent(0.2)
    await asyncio.sleep(1.2)  # past the join timeout: a blocked socket is exempt
    await third.echo()
    await second.close()
    await first.expect("control", "left")
    success = await third.join("Three")
    assert success["tariff"]["quotas"] == {"room_participant_limit": 2, "room_time_limit_secs": 3}
    for peer in (first, third):
        await peer.close()


async def test_the_time_limit_closes_the_room(strict: ServerProcess, strict_owner: Api) -> None:
    room = await strict_owner.create_room()
    peer = await Peer.connect(strict, (await strict_owner.start(room["id"]))["ticket"])
    success = await peer.join("Alice")
    assert success["closes_at"].endswith("Z")
    payload = await peer.expect("control", "time_limit_quota_elapsed", timeout=6)
    assert payload == {"message": "time_limit_quota_elapsed"}
    code, _ = await peer.closed()
    assert code == 1000


async def test_a_socket_that_never_joins_is_closed(
    strict: ServerProcess, strict_owner: Api
) -> None:
    room = await strict_owner.create_room()
    peer = await Peer.connect(strict, (await strict_owner.start(room["id"]))["ticket"])
    await peer.echo()
    code, _ = await peer.closed(timeout=4)
    assert code == 1008


async def test_a_peer_that_stops_answering_pings_leaves_with_timeout(
    strict: ServerProcess, strict_owner: Api
) -> None:
    room = await strict_owner.create_room()
    alice = await enter(strict, strict_owner, room["id"], "Alice")
    ticket = (await strict_owner.start(room["id"]))["ticket"]
    reader, writer = await asyncio.open_connection("127.0.0.1", strict.port)
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    writer.write(
        (
            f"GET /signaling HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {SUBPROTOCOL}, ticket#{ticket}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    payload = json.dumps(
        {"namespace": "control", "payload": {"action": "join", "display_name": "Zed"}}
    )
    data = payload.encode()
    mask = b"\x00\x00\x00\x00"
    writer.write(bytes([0x81, 0x80 | len(data)]) + mask + data)  # a masked text frame, < 126 bytes
    await writer.drain()
    joined = await alice.expect("control", "joined")
    left = await alice.expect("control", "left", timeout=5)
    assert left == {"message": "left", "id": joined["id"], "reason": "timeout"}
    writer.close()
    await alice.close()


async def test_rate_limit_drops_commands_then_closes_a_flood() -> None:
    process = ServerProcess(
        {
            "SIGNALING_RATE_LIMIT": "5",
            "SIGNALING_RATE_BURST": "5",
            "SIGNALING_RATE_FLOOD_SECONDS": "1",
        }
    ).start()
    api = Api(process, process.token("flood-owner", "Owner"))
    try:
        room = await api.create_room()
        peer = await enter(process, api, room["id"], "Flooder")
        for _ in range(8):
            await peer.send("control", {"action": "raise_hand"})
        names = [(await peer.recv())["payload"]["message"] for _ in range(8)]
        assert names.count("rate_limit_exceeded") >= 3  # burst 5, and the join took one
        await peer.echo()  # echo never takes a token
        for _ in range(40):
            try:
                await peer.send("control", {"action": "raise_hand"})
            except Exception:
                break
            await asyncio.sleep(0.05)
        code, _ = await peer.closed()
        assert code == 1008
    finally:
        await api.aclose()
        process.stop()


async def test_an_oversized_message_closes_with_1009(
    strict: ServerProcess, strict_owner: Api
) -> None:
    room = await strict_owner.create_room()
    peer = await enter(strict, strict_owner, room["id"], "Big")
    await peer.send("chat", {"action": "send_message", "scope": "global", "content": "x" * 5000})
    code, _ = await peer.closed()
    assert code == 1009


async def test_a_slow_reader_is_closed_with_1013_and_the_room_goes_on() -> None:
    process = ServerProcess(
        {
            "SIGNALING_SEND_QUEUE_LIMIT": "20",
            "SIGNALING_RATE_LIMIT": "1000",
            "SIGNALING_RATE_BURST": "1000",
        }
    ).start()
    api = Api(process, process.token("slow-owner", "Owner"))
    try:
        room = await api.create_room()
        writer = await enter(process, api, room["id"], "Writer")
        started = await api.start(room["id"])
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", process.port))
        protocols = [SUBPROTOCOL, f"ticket#{started['ticket']}"]
        slow = await connect(process.ws_url, sock=sock, subprotocols=protocols, max_queue=1)  # type: ignore[arg-type]
        join = {"namespace": "control", "payload": {"action": "join", "display_name": "Slow"}}
        await slow.send(json.dumps(join))
        joined = await writer.expect("control", "joined")
        content = "y" * 4000
        received = 0
        left = None
        for _ in range(3000):  # up to 12 MB: more than the kernel's and uvicorn's buffers hold
            await writer.send(
                "chat", {"action": "send_message", "scope": "global", "content": content}
            )
            frame = await writer.recv()
            while frame["payload"]["message"] != "message_sent":
                if frame["payload"]["message"] == "left":
                    left = frame["payload"]
                frame = await writer.recv()
            received += 1
            if left is not None:
                break
        assert left == {"message": "left", "id": joined["id"], "reason": "quit"}
        assert received >= 20  # the writer was never held up by the slow reader
        slow.transport.abort()
        await writer.close()
    finally:
        await api.aclose()
        process.stop()


async def test_deleting_a_room_closes_everyone(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    bob = await enter(server, user, room["id"], "Bob")
    await alice.expect("control", "joined")
    response = await owner.request("DELETE", f"/v1/rooms/{room['id']}")
    assert response.status_code == 204
    for peer in (alice, bob):
        assert await peer.expect("control", "room_deleted") == {"message": "room_deleted"}
        code, _ = await peer.closed()
        assert code == 1000


async def test_room_state_outlives_a_short_absence_but_not_the_grace_period(
    server: ServerProcess, owner: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "remember"})
    await alice.expect("chat", "message_sent")
    await alice.close()
    await asyncio.sleep(0.2)
    back = await Peer.connect(server, (await owner.start(room["id"]))["ticket"])
    success = await back.join("Alice")
    assert [m["content"] for m in success["chat"]["room_history"]["messages"]] == ["remember"]
    assert len(success["participants"]) == 1  # the first session, left
    assert success["participants"][0]["control"]["left_at"] is not None
    await back.close()
    await asyncio.sleep(1.6)  # the shared server's grace period is 1 s
    later = await Peer.connect(server, (await owner.start(room["id"]))["ticket"])
    success = await later.join("Alice")
    assert success["chat"]["room_history"]["messages"] == []
    assert success["participants"] == []
    await later.close()


async def test_sigterm_closes_clients_with_1001() -> None:
    process = ServerProcess().start()
    api = Api(process, process.token("term-owner", "Owner"))
    try:
        room = await api.create_room()
        peers = [await enter(process, api, room["id"], f"P{i}") for i in range(2)]
        await peers[0].expect("control", "joined")
        stopping = asyncio.get_running_loop().run_in_executor(None, process.stop)
        for peer in peers:
            code, _ = await peer.closed()
            assert code == 1001
        assert await stopping in (0, -15)  # uvicorn re-raises SIGTERM after a clean shutdown
    finally:
        await api.aclose()
        process.kill()


async def test_a_room_keeps_a_bounded_number_of_participant_records() -> None:
    process = ServerProcess({"SIGNALING_ROOM_RECORD_LIMIT": "2"}).start()
    owner = Api(process, process.token(f"owner-{uuid.uuid4().hex[:8]}", "Owner"))
    try:
        room = await owner.create_room()
        for name in ("One", "Two"):  # each leaves, but its record stays with the room
            peer = await enter(process, owner, room["id"], name)
            await peer.close()
        started = await owner.start(room["id"])
        third = await Peer.connect(process, started["ticket"])
        await third.send("control", {"action": "join", "display_name": "Three"})
        assert (await third.expect("control", "join_blocked"))["message"] == "join_blocked"
        await third.close()
    finally:
        await owner.aclose()
        process.stop()
