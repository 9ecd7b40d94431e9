"""Redis pub/sub :class:`~signaling.broker.Broker`: one channel per routing key, one reader
task per node that reconnects with backoff and resubscribes everything it had."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from signaling.broker import Handler

log = logging.getLogger(__name__)
_ORIGIN = 8  # bytes of node id in front of every message: a node drops its own


class RedisBroker:
    def __init__(
        self,
        client: aioredis.Redis,
        prefix: str,
        on_connect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._origin = os.urandom(_ORIGIN)
        self._node_channel = f"{prefix}node:{self._origin.hex()}"
        self._channels: set[str] = set()
        self._handler: Handler | None = None
        self._pubsub: Any = None
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._on_connect = on_connect
        self.connected = asyncio.Event()

    def set_handler(self, handler: Handler) -> None:
        self._handler = handler

    async def start(self) -> None:
        self._reader = asyncio.get_running_loop().create_task(self._run())

    async def publish(self, channel: str, data: bytes) -> None:
        await self._redis.publish(self._prefix + channel, self._origin + data)

    async def subscribe(self, channel: str) -> None:
        async with self._lock:
            if channel in self._channels:
                return
            self._channels.add(channel)
            if self._pubsub is not None:
                with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
                    await self._pubsub.subscribe(self._prefix + channel)

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            if channel not in self._channels:
                return
            self._channels.discard(channel)
            if self._pubsub is not None:
                with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
                    await self._pubsub.unsubscribe(self._prefix + channel)

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            pubsub = self._redis.pubsub()
            try:
                async with self._lock:
                    channels = [self._prefix + c for c in self._channels]
                    await pubsub.subscribe(self._node_channel, *channels)
                    self._pubsub = pubsub
                self.connected.set()
                backoff = 0.05
                if self._on_connect is not None:
                    await self._on_connect()
                await self._read(pubsub)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                if self.connected.is_set():
                    log.warning("lost the Redis pub/sub connection (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def _read(self, pubsub: Any) -> None:
        prefix_length = len(self._prefix)
        origin = self._origin
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None or message["type"] != "message":
                continue
            data: bytes = message["data"]
            if data[:_ORIGIN] == origin or self._handler is None:
                continue
            self._handler(message["channel"][prefix_length:].decode(), data[_ORIGIN:])

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
