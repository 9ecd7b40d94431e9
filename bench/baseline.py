"""The baseline the fan-out benchmark compares our server with: a bare relay.

A plain ``websockets`` server (the new asyncio API) that accepts connections on ``/`` and
sends every text message it receives to every connected client, the sender included, with
one ``websockets.asyncio.server.broadcast()`` call. It parses nothing, checks nothing and
keeps no state but the set of connections, so it is the floor for "one frame in, N frames
out" in Python: whatever our server costs above it is what our own code adds per delivery.

The benchmark's client sends the complete frame it expects back (the shape and size of our
server's ``chat/message_sent`` event), so both servers write frames of the same length.

With ``--redis-url`` several baseline processes form one relay: a message received from a
client is PUBLISHed once on one Redis pub/sub channel, and every process broadcasts what it
gets from that channel to its own clients (so the sender's own node hears it back from Redis
too, like every other node).

Run: ``python -m bench.baseline --port P [--redis-url redis://127.0.0.1:6379/0]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

import redis.asyncio as aioredis
from websockets.asyncio.server import ServerConnection, broadcast, serve

CHANNEL = "bench:fanout"


class Relay:
    """The connected clients of this process and, optionally, the Redis link."""

    def __init__(self, redis_url: str | None) -> None:
        self.clients: set[ServerConnection] = set()
        self.redis: aioredis.Redis | None = (
            aioredis.Redis.from_url(redis_url) if redis_url else None
        )

    async def handler(self, ws: ServerConnection) -> None:
        if ws.request is None or ws.request.path != "/":
            await ws.close(1008, "not found")
            return
        self.clients.add(ws)
        try:
            async for message in ws:
                if not isinstance(message, str):
                    continue
                if self.redis is None:
                    broadcast(self.clients, message)
                else:
                    await self.redis.publish(CHANNEL, message)
        finally:
            self.clients.discard(ws)

    async def pump(self) -> None:
        """Broadcast everything published on the channel to the local clients."""
        assert self.redis is not None
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    data = item["data"]
                    broadcast(self.clients, data.decode() if isinstance(data, bytes) else data)


async def run(port: int, redis_url: str | None, host: str = "127.0.0.1") -> None:
    relay = Relay(redis_url)
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.cancel)
    pump = asyncio.create_task(relay.pump()) if relay.redis is not None else None
    try:
        async with serve(
            relay.handler,
            host,
            port,
            compression=None,  # our server does not negotiate permessage-deflate either
            max_size=1 << 20,
            ping_interval=15,
            ping_timeout=20,
        ):
            with contextlib.suppress(asyncio.CancelledError):
                await stop
    finally:
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        if relay.redis is not None:
            await relay.redis.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="bench.baseline", description="A bare websockets.broadcast() relay."
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--redis-url", default=None, help="relay over this Redis (many nodes)")
    args = parser.parse_args(argv)
    asyncio.run(run(args.port, args.redis_url, args.host))


if __name__ == "__main__":
    main()
