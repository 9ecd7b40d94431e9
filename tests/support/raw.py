"""Attackers' tools: a /signaling socket that writes frames and never reads, and the memory of
a server process as the kernel counts it."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

from websockets.frames import Frame, Opcode

from signaling.wire import SUBPROTOCOL
from tests.support.server import ServerProcess


def rss_kib(pid: int) -> int:
    """``VmRSS`` of a process, from ``/proc/<pid>/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def server_rss(server: ServerProcess) -> int:
    assert server.proc is not None
    return rss_kib(server.proc.pid)


def frame(opcode: Opcode, data: bytes) -> bytes:
    """One masked client frame."""
    return Frame(opcode, data).serialize(mask=True, extensions=[])


def command(namespace: str, payload: Any) -> bytes:
    return frame(Opcode.TEXT, json.dumps({"namespace": namespace, "payload": payload}).encode())


async def connect_from(
    server: ServerProcess, source: str = "127.0.0.1", receive_buffer: int | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection to the server from ``source`` (any 127.0.0.0/8 address is a client of
    its own), optionally with a small receive buffer."""
    sock = socket.socket()
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((source, 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
    return await asyncio.open_connection(sock=sock)


async def closed(reader: asyncio.StreamReader, timeout: float) -> bool:
    """Read until the server's end of the connection is gone (True) or ``timeout`` passes."""
    try:
        async with asyncio.timeout(timeout):
            while await reader.read(1 << 16):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


class RawSocket:
    """A WebSocket client that never reads after the handshake (tiny receive buffer)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(
        cls, server: ServerProcess, ticket: str, *, source: str = "127.0.0.1"
    ) -> RawSocket:
        reader, writer = await connect_from(server, source, receive_buffer=4096)
        writer.write(
            (
                "GET /signaling HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{server.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Protocol: {SUBPROTOCOL}, ticket#{ticket}\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def write(self, data: bytes, timeout: float = 5.0) -> bool:
        """Send bytes; False once the server has closed or reset the connection (or stopped
        reading for ``timeout`` seconds)."""
        try:
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), timeout)
        except (ConnectionError, TimeoutError):
            return False
        return True

    async def closed_by_server(self, timeout: float) -> bool:
        """Read (at last) until the server's end of the connection is gone."""
        return await closed(self.reader, timeout)

    def close(self) -> None:
        self.writer.transport.abort()
