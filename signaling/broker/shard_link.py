"""One sharded pub/sub connection (``SSUBSCRIBE``) to one Redis server: the channels it
holds, a reader task and a health watch. On one Redis a node has one link; on a cluster one
per master that owns a slot of a channel it subscribes to (and no link to any other).

A link never reconnects by itself: when it breaks, ``on_lost(link)`` is called once and the
broker moves its channels to whichever master owns them now, then repairs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError

from signaling.tasks import cancel_until_done

Offer = Callable[[bytes, bytes], None]  # (channel name, data) of a message


class ShardLink:
    def __init__(
        self,
        address: str,
        client: aioredis.Redis,
        offer: Offer,
        on_lost: Callable[[ShardLink], None],
        health_interval: float,
    ) -> None:
        self.address = address
        self.names: set[str] = set()  # channel names subscribed here
        self._client = client
        self._pubsub: Any = client.pubsub()
        self._offer = offer
        self._on_lost = on_lost
        self._health_interval = health_interval
        self._pongs: dict[bytes, asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def lost(self) -> bool:
        """Broken (reported to ``on_lost``) or closed."""
        return self._closed

    async def subscribe(self, names: list[str]) -> None:
        """Returns once every name is subscribed (one ``SSUBSCRIBE`` per slot)."""
        by_slot: dict[int, list[str]] = {}
        for name in names:
            by_slot.setdefault(key_slot(name.encode()), []).append(name)
        for group in by_slot.values():
            await self._pubsub.ssubscribe(*group)
        self.names.update(names)
        if not self._tasks:  # the first subscription connected the link: start reading
            loop = asyncio.get_running_loop()
            reading = loop.create_task(self._read())
            self._tasks = {reading, loop.create_task(self._watch(reading))}
        await self.barrier()

    async def unsubscribe(self, names: list[str]) -> None:
        self.names.difference_update(names)
        with contextlib.suppress(Exception):
            for name in names:
                await self._pubsub.sunsubscribe(name)

    async def barrier(self, timeout: float = 5.0) -> None:
        """Wait until the server has handled everything sent on this link so far."""
        token = os.urandom(8).hex().encode()
        pong = self._pongs[token] = asyncio.get_running_loop().create_future()
        try:
            await self._pubsub.ping(token)
            await asyncio.wait_for(pong, timeout)
        finally:
            self._pongs.pop(token, None)

    async def _watch(self, reading: asyncio.Task[None]) -> None:
        with contextlib.suppress(Exception):  # whatever failed, the link is gone
            while True:
                done, _ = await asyncio.wait({reading}, timeout=self._health_interval)
                if done:
                    break
                await self.barrier(timeout=2 * self._health_interval)
        if not self._closed:
            self._closed = True
            self._fail_pongs()
            self._on_lost(self)

    async def _read(self) -> None:
        offer = self._offer
        while True:
            message = await self._pubsub.get_message(timeout=None)
            if message is None:
                continue
            kind = message["type"]
            if kind == "smessage":
                offer(message["channel"], message["data"])
            elif kind == "pong":
                pong = self._pongs.get(message["data"])
                if pong is not None and not pong.done():
                    pong.set_result(None)

    def _fail_pongs(self) -> None:
        for pong in self._pongs.values():
            if not pong.done():
                pong.set_exception(RedisConnectionError("pub/sub connection lost"))

    async def close(self) -> None:
        """Drop the link without reporting it lost."""
        self._closed = True
        self._fail_pongs()
        await cancel_until_done(self._tasks)
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self._client.aclose()
