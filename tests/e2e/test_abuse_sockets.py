"""One client cannot grow a node by not reading (issue 10, findings 1 and 3): memory is read
from ``/proc/<pid>/status`` of the real server process while the attack runs; every flood is
bounded in count and time."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from websockets.frames import Opcode

from tests.support.client import Api
from tests.support.expect import (
    enter,
)
from tests.support.raw import RawSocket, command, frame, server_rss
from tests.support.server import ServerProcess

QUEUE_BYTES = 2 * 1024 * 1024
MARGIN_KIB = 24 * 1024  # decoding, one frame in flight, allocator slack


@pytest.fixture(scope="module")
def node() -> Iterator[ServerProcess]:
    process = ServerProcess(
        {
            "SIGNALING_SEND_QUEUE_BYTES": str(QUEUE_BYTES),
            "SIGNALING_SEND_STALL_TIMEOUT": "2",
            "SIGNALING_RATE_LIMIT": "1000",
            "SIGNALING_RATE_BURST": "1000",
        }
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def queueing() -> Iterator[ServerProcess]:
    """Only the byte limit can close a slow reader within a test's time."""
    process = ServerProcess(
        {
            "SIGNALING_SEND_QUEUE_BYTES": str(QUEUE_BYTES),
            "SIGNALING_SEND_QUEUE_LIMIT": "100000",
            "SIGNALING_SEND_STALL_TIMEOUT": "600",
            "SIGNALING_RATE_LIMIT": "10000",
            "SIGNALING_RATE_BURST": "10000",
        }
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def beating() -> Iterator[ServerProcess]:
    """Fast heartbeats."""
    process = ServerProcess(
        {"SIGNALING_HEARTBEAT_INTERVAL": "0.3", "SIGNALING_HEARTBEAT_TIMEOUT": "0.7"}
    ).start()
    yield process
    process.stop()


async def _api(server: ServerProcess) -> Api:
    return Api(server, server.token(f"owner-{uuid.uuid4().hex[:8]}", "Owner"))


@pytest.fixture
async def api(node: ServerProcess) -> AsyncIterator[Api]:
    client = await _api(node)
    yield client
    await client.aclose()


async def _ticket(api: Api, room_id: str | None = None) -> str:
    if room_id is None:
        room_id = (await api.create_room())["id"]
    ticket: str = (await api.start(room_id))["ticket"]
    return ticket


async def _flood(
    sock: RawSocket, data: bytes, count: int, seconds: float, server: ServerProcess
) -> tuple[int, int]:
    """Write ``data`` up to ``count`` times within ``seconds``; returns (frames written, peak
    RSS in KiB)."""
    peak = server_rss(server)
    deadline = time.monotonic() + seconds
    sent = 0
    while sent < count and time.monotonic() < deadline:
        if not await sock.write(data, timeout=1.0):
            break
        sent += 1
        if sent % 4 == 0:
            peak = max(peak, server_rss(server))
    return sent, max(peak, server_rss(server))


async def test_large_echoes_to_a_client_that_never_reads_stay_bounded(
    node: ServerProcess, api: Api
) -> None:
    sock = await RawSocket.open(node, await _ticket(api))
    big = command("echo", {"action": "ping", "padding": "x" * 1_000_000})
    before = server_rss(node)
    _, peak = await _flood(sock, big, 150, 12.0, node)
    await asyncio.sleep(3.0)  # still not reading, past SIGNALING_SEND_STALL_TIMEOUT
    peak = max(peak, server_rss(node))
    assert peak - before < QUEUE_BYTES // 1024 + MARGIN_KIB, (before, peak)
    assert await sock.closed_by_server(10.0)
    sock.close()


async def test_a_reader_that_falls_behind_is_closed_at_the_byte_limit(
    queueing: ServerProcess,
) -> None:
    node = queueing
    api = await _api(node)
    room_id = (await api.create_room())["id"]
    sock = await RawSocket.open(node, await _ticket(api, room_id))
    assert await sock.write(command("control", {"action": "join", "display_name": "Sloth"}))
    await asyncio.sleep(0.3)  # Sloth's join lands first
    sender = await enter(node, api, room_id, "Sender")
    before = server_rss(node)
    text = "y" * 4000
    left = None
    for _ in range(2500):  # the kernel's socket buffers take the first ~4 MiB
        await sender.send("chat", {"action": "send_message", "scope": "global", "content": text})
        while left is None:
            got = (await sender.recv())["payload"]
            if got["message"] == "left":
                left = got
            elif got["message"] == "message_sent":
                break
        if left is not None:
            break
    assert left is not None, "the slow reader was never closed"
    assert server_rss(node) - before < QUEUE_BYTES // 1024 + MARGIN_KIB
    assert await sock.closed_by_server(10.0)
    sock.close()
    await sender.close()
    await api.aclose()


async def test_a_ping_flood_whose_pongs_are_never_read_is_closed(
    node: ServerProcess, api: Api
) -> None:
    sock = await RawSocket.open(node, await _ticket(api))
    pings = frame(Opcode.PING, b"p" * 125) * 200
    before = server_rss(node)
    _, peak = await _flood(sock, pings, 2000, 4.0, node)
    assert peak - before < MARGIN_KIB, (before, peak)
    assert await sock.closed_by_server(8.0)
    sock.close()


async def test_unsolicited_heartbeat_pongs_do_not_keep_a_frozen_client(
    beating: ServerProcess,
) -> None:
    api = await _api(beating)
    room_id = (await api.create_room())["id"]
    sock = await RawSocket.open(beating, await _ticket(api, room_id))
    assert await sock.write(command("control", {"action": "join", "display_name": "Frozen"}))
    observer = await enter(beating, api, room_id, "Observer")
    forged = frame(Opcode.PONG, b"heartbeat")
    deadline = time.monotonic() + 4.0
    left = None
    while time.monotonic() < deadline and left is None:
        await sock.write(forged, timeout=0.5)
        try:
            got = (await observer.recv(timeout=0.05))["payload"]
        except TimeoutError:
            continue
        if got["message"] == "left":
            left = got
    assert left is not None and left["reason"] == "timeout"
    sock.close()
    await observer.close()
    await api.aclose()
