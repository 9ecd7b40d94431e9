"""Redis :class:`~signaling.broker.Broker`: one pub/sub channel per routing key, numbered
publications with a short history per channel (``lua/publish.lua``: number, keep and publish
in one step), and one reader task per node that reconnects with backoff, resubscribes
everything it had and repairs every channel from the history (``lua/history.lua``).

Keys per channel ``C`` (under the channel's hash tag, so one script touches one slot):
``<prefix>{C}:meta`` (the numbering: ``epoch``, ``seq``; expires ``meta_ttl`` after the last
publication) and ``<prefix>{C}:history`` (the last ``history_size`` wire forms; expires
``history_ttl`` after the last publication).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from signaling.broker.sequencer import (
    NO_EPOCH,
    Cursor,
    Handler,
    History,
    Resync,
    Sequencer,
    new_epoch,
    parse,
)
from signaling.tasks import cancel_until_done

log = logging.getLogger(__name__)
_LINK_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
_PUBLISH_RETRIES = (0.05, 0.2, 0.5)  # seconds before each retry of an unclear publish
LOCAL_DELIVERY_WAIT = 2.0  # publish waits this long for its own local delivery (in order)


def _script(client: aioredis.Redis, name: str) -> Any:
    text = resources.files("signaling.broker").joinpath(f"lua/{name}").read_text()
    return client.register_script(text)


class RedisBroker:
    """``client`` runs publishes and history reads; ``pubsub_client`` holds the
    subscription (it must not retry by itself: a silent resubscription would hide a gap)."""

    def __init__(
        self,
        client: aioredis.Redis,
        pubsub_client: aioredis.Redis,
        prefix: str,
        *,
        history_size: int = 1000,
        history_ttl: float = 120.0,
        meta_ttl: float = 86_400.0,
        health_interval: float = 1.0,
        on_connect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._redis = client
        self.pubsub_client = pubsub_client
        self._prefix = prefix
        self._history_size = history_size
        self._history_ttl = max(1, round(history_ttl))
        self._meta_ttl = max(1, round(meta_ttl))
        self._health_interval = health_interval
        self._publish = _script(client, "publish.lua")
        self._history = _script(client, "history.lua")
        self._sequencer = Sequencer(self._fetch)
        self._pubsub: Any = None
        self._pongs: dict[bytes, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._on_connect = on_connect
        self.connected = asyncio.Event()

    @property
    def resyncs(self) -> int:
        return self._sequencer.resyncs

    def set_handlers(self, handler: Handler, resync: Resync) -> None:
        self._sequencer.set_handlers(handler, resync)

    async def start(self) -> None:
        self._reader = asyncio.get_running_loop().create_task(self._run())

    def _keys(self, channel: str) -> list[str]:
        base = f"{self._prefix}{{{channel}}}:"
        return [base + "meta", base + "history"]

    # -- publishing ------------------------------------------------------------------------

    async def publish(self, channel: str, data: bytes) -> None:
        number, body = self._sequencer.publishing(data)
        try:
            await self._publish_once(channel, body, retry=False)
        except _LINK_ERRORS:
            for delay in _PUBLISH_RETRIES:
                await asyncio.sleep(delay)
                try:
                    await self._publish_once(channel, body, retry=True)
                    break
                except _LINK_ERRORS:
                    continue
            else:
                if not self._sequencer.came_back(number):
                    await self._sequencer.delivered(number, channel, timeout=0)
                    raise
        await self._sequencer.delivered(number, channel, timeout=LOCAL_DELIVERY_WAIT)

    async def _publish_once(self, channel: str, body: bytes, *, retry: bool) -> None:
        await self._publish(
            keys=self._keys(channel),
            args=[
                self._prefix + channel,
                body,
                new_epoch(),
                self._history_size,
                self._history_ttl,
                self._meta_ttl,
                "1" if retry else "0",
            ],
        )

    async def _fetch(self, channel: str, epoch: bytes, after: int) -> History:
        found = await self._history(keys=self._keys(channel), args=[epoch, after])
        head_epoch = bytes(found[0])
        head_seq = int(found[1])
        if not int(found[2]):
            return History(head_epoch, head_seq, None)
        return History(head_epoch, head_seq, [parse(raw) for raw in found[3:]])

    async def _heads(self, channels: list[str]) -> list[Cursor]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.hmget(self._keys(channel)[0], ["epoch", "seq"])
            rows = await pipe.execute()
        return [
            Cursor(NO_EPOCH, 0) if epoch is None else Cursor(bytes(epoch), int(seq))
            for epoch, seq in rows
        ]

    # -- subscriptions ----------------------------------------------------------------------

    async def subscribe(self, channels: list[str]) -> None:
        """Returns once every later publication on ``channels`` reaches the handler."""
        async with self._lock:
            new = [c for c in channels if not self._sequencer.is_subscribed(c)]
            if not new:
                return
            for channel in new:
                self._sequencer.add(channel)
            try:
                pubsub = self._pubsub
                if pubsub is None:
                    raise RedisConnectionError("not connected to Redis")
                await pubsub.subscribe(*(self._prefix + c for c in new))
                await self._barrier(pubsub)
                for channel, head in zip(new, await self._heads(new), strict=True):
                    self._sequencer.start(channel, head)
            except BaseException:
                for channel in new:
                    self._sequencer.remove(channel)
                raise

    async def unsubscribe(self, channels: list[str]) -> None:
        async with self._lock:
            gone = [c for c in channels if self._sequencer.is_subscribed(c)]
            for channel in gone:
                self._sequencer.remove(channel)
            if gone and self._pubsub is not None:
                with contextlib.suppress(*_LINK_ERRORS):
                    await self._pubsub.unsubscribe(*(self._prefix + c for c in gone))

    async def _barrier(self, pubsub: Any, timeout: float = 5.0) -> None:
        """Wait until Redis has handled everything sent on the pub/sub connection so far."""
        token = os.urandom(8).hex().encode()
        pong = self._pongs[token] = asyncio.get_running_loop().create_future()
        try:
            await pubsub.ping(token)
            await asyncio.wait_for(pong, timeout)
        finally:
            self._pongs.pop(token, None)

    # -- the reader ----------------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            pubsub = self.pubsub_client.pubsub()
            reading: asyncio.Task[None] | None = None
            try:
                async with self._lock:
                    channels = self._sequencer.channels()
                    await pubsub.subscribe(
                        self._prefix + "-", *(self._prefix + c for c in channels)
                    )
                    reading = asyncio.get_running_loop().create_task(self._read(pubsub))
                    await self._barrier(pubsub)
                    self._pubsub = pubsub
                    self._sequencer.reconnected()
                self.connected.set()
                backoff = 0.05
                if self._on_connect is not None:
                    await self._on_connect()
                await self._watch(pubsub, reading)
            except (TimeoutError, *_LINK_ERRORS) as exc:
                if self.connected.is_set():
                    log.warning("lost the Redis pub/sub connection (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                self._pubsub = None
                if reading is not None:
                    reading.cancel()
                for pong in self._pongs.values():
                    if not pong.done():
                        pong.set_exception(RedisConnectionError("pub/sub connection lost"))
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def _watch(self, pubsub: Any, reading: asyncio.Task[None]) -> None:
        """Return (raise) when reading fails or the connection stops answering pings."""
        while True:
            done, _ = await asyncio.wait({reading}, timeout=self._health_interval)
            if done:
                reading.result()
                raise RedisConnectionError("the pub/sub reader stopped")
            await self._barrier(pubsub, timeout=2 * self._health_interval)

    async def _read(self, pubsub: Any) -> None:
        prefix_length = len(self._prefix)
        offer = self._sequencer.offer
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None:
                continue
            kind = message["type"]
            if kind == "message":
                offer(message["channel"][prefix_length:].decode(), message["data"])
            elif kind == "pong":
                pong = self._pongs.get(message["data"])
                if pong is not None and not pong.done():
                    pong.set_result(None)

    async def close(self) -> None:
        if self._reader is not None:
            await cancel_until_done({self._reader})
        await self._sequencer.close()
