"""The HTTP side under attack (issue 10, findings 2 and 5): bodies bounded before they are
read, slow and silent connections, many connections from one address, the open-files limit.
Memory is read from ``/proc/<pid>/status`` of the real server process; every flood is
bounded in count and time."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.raw import closed, connect_from, server_rss
from tests.support.server import ServerProcess

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def node() -> Iterator[ServerProcess]:
    process = ServerProcess(
        {"SIGNALING_HEADER_TIMEOUT": "1", "SIGNALING_MAX_CONNECTIONS_PER_IP": "20"}
    ).start()
    yield process
    process.stop()


def _post_head(server: ServerProcess, path: str, extra: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


async def test_an_announced_oversized_body_is_refused_before_it_is_sent(
    node: ServerProcess,
) -> None:
    reader, writer = await connect_from(node)
    writer.write(_post_head(node, "/v1/invite/verify", f"Content-Length: {100 * MIB}\r\n"))
    writer.write(b'{"invite_code": "')
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 3)
    assert head.startswith(b"HTTP/1.1 413"), head
    assert await closed(reader, 3)
    writer.close()


async def test_a_streamed_body_is_cut_at_the_limit(node: ServerProcess) -> None:
    reader, writer = await connect_from(node)
    writer.write(_post_head(node, "/v1/invite/verify", "Transfer-Encoding: chunked\r\n"))
    chunk = b"%x\r\n%s\r\n" % (MIB, b" " * MIB)
    before = server_rss(node)
    peak = before
    sent = 0
    with contextlib.suppress(ConnectionError, TimeoutError):
        for _ in range(48):  # at most 48 MiB
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 2)
            sent += 1
            peak = max(peak, server_rss(node))
    assert sent < 48
    assert peak - before < 16 * 1024, (before, peak)
    answer = b""
    with contextlib.suppress(ConnectionError):  # the unread rest of the upload may reset it
        answer = await asyncio.wait_for(reader.read(4096), 3)
    assert not answer or answer.startswith(b"HTTP/1.1 413"), answer
    writer.close()


async def test_silent_and_slow_connections_are_closed_at_the_header_deadline(
    node: ServerProcess,
) -> None:
    silent = [await connect_from(node) for _ in range(5)]
    slow_reader, slow_writer = await connect_from(node)
    started = time.monotonic()
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n":  # one byte every 0.1 s, never done
        slow_writer.write(bytes([byte]))
        await slow_writer.drain()
        await asyncio.sleep(0.1)
        if slow_reader.at_eof() or time.monotonic() - started > 2.5:
            break
    assert await closed(slow_reader, 2)
    for reader, _ in silent:
        assert await closed(reader, 1)
    assert time.monotonic() - started < 4
    for _, writer in [*silent, (slow_reader, slow_writer)]:
        writer.close()


async def test_connections_per_client_address_are_capped(node: ServerProcess) -> None:
    held = [await connect_from(node) for _ in range(20)]
    extra_reader, extra_writer = await connect_from(node)
    assert await closed(extra_reader, 2)  # refused at once
    other_reader, other_writer = await connect_from(node, "127.0.0.2")  # another client is served
    other_writer.write(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\n\r\n".encode())
    assert (await asyncio.wait_for(other_reader.readline(), 3)).startswith(b"HTTP/1.1 200")
    for _, writer in [*held, (extra_reader, extra_writer), (other_reader, other_writer)]:
        writer.close()


def _limit_files(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


async def test_the_open_files_limit_refuses_connections_without_a_traceback_storm() -> None:
    process = ServerProcess({"SIGNALING_HEADER_TIMEOUT": "60"}, preexec=lambda: _limit_files(200))
    process.start()
    try:
        held = []
        for i in range(400):  # twice the limit, from 40 addresses (10 each)
            with contextlib.suppress(OSError):
                held.append(await connect_from(process, f"127.0.1.{1 + i // 10}"))
        await asyncio.sleep(1.5)
        async with httpx.AsyncClient(base_url=process.base_url, timeout=3) as http:
            for _, writer in held:
                writer.close()
            await asyncio.sleep(0.5)
            assert (await http.get("/healthz")).status_code == 200
        log = process.log()
        assert "Traceback" not in log
        assert log.count("out of system resource") + log.count("refused connections") <= 4
        assert process.proc is not None and process.proc.poll() is None
    finally:
        process.stop()
