"""Redis :class:`~signaling.broker.Broker` on one Redis or a Redis Cluster: sharded pub/sub
(``SPUBLISH``/``SSUBSCRIBE``), numbered publications with a short history per channel
(``lua/publish.lua``: number, keep and publish in one step), and one :class:`ShardLink` per
server that holds a subscription of this node (on a cluster: only the masters owning the
rooms this node has participants in). A broken link's channels move to whichever master
owns them now (the slot map is reread) and are repaired from the history
(``lua/history.lua``). ``connected`` is set once Redis answered ``on_connect`` and clear while a
channel waits for a link; ``on_connect`` runs again after every such recovery.

Names of channel ``C`` (:func:`channel_names`): its pub/sub channel ``<prefix>C``, its
numbering ``<prefix>C:meta`` (``epoch``, ``seq``; expires ``meta_ttl`` after the last
publication) and its history ``<prefix>C:history`` (the last ``history_size`` wire forms;
expires ``history_ttl`` after the last publication), all on the slot of ``C``'s hash tag (the
hub's channels carry their room's ``{room}``; a channel without one gets a tag of its own).
A publication that keeps (:class:`~signaling.state.Keep`) changes its room's lists in the same
script, so its room must be the one in the channel's hash tag.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError

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
from signaling.broker.shard_link import ShardLink
from signaling.errors import BACKEND_ERRORS, Refused
from signaling.redis_client import Client, Shards
from signaling.state import Keep
from signaling.state.redis import KEEP_LUA, keep_input
from signaling.tasks import cancel_until_done

log = logging.getLogger(__name__)
_PUBLISH_RETRIES = (0.05, 0.2, 0.5)  # seconds before each retry of an unclear publish
LOCAL_DELIVERY_WAIT = 2.0  # publish waits this long for its own local delivery (in order)


def channel_names(prefix: str, channel: str) -> tuple[str, str, str]:
    """The pub/sub channel, the numbering key and the history key of ``channel``."""
    name = prefix + channel
    opening = name.find("{")
    if opening < 0 or name.find("}", opening + 1) <= opening + 1:  # no hash tag (Redis' rule)
        tag = hashlib.blake2b(channel.encode(), digest_size=8).hexdigest()
        name = f"{prefix}{{{tag}}}{channel}"
    return name, name + ":meta", name + ":history"


def _script(client: Client, name: str, head: str = "") -> Any:
    text = resources.files("signaling.broker").joinpath(f"lua/{name}").read_text()
    return client.register_script(head + text)


class RedisBroker:
    """``client`` runs publishes and history reads; ``shards`` says where each channel lives
    and opens the subscription connections (they must not retry by themselves: a silent
    resubscription would hide a gap)."""

    def __init__(
        self,
        client: Client,
        shards: Shards,
        prefix: str,
        *,
        history_size: int = 1000,
        history_ttl: float = 120.0,
        meta_ttl: float = 86_400.0,
        health_interval: float = 1.0,
        on_connect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._redis = client
        self._shards = shards
        self._prefix = prefix
        self._history_size = history_size
        self._history_ttl = max(1, round(history_ttl))
        self._meta_ttl = max(1, round(meta_ttl))
        self._health_interval = health_interval
        self._publish = _script(client, "publish.lua", KEEP_LUA)
        self._history = _script(client, "history.lua")
        self._sequencer = Sequencer(self._fetch)
        self._channels: dict[bytes, str] = {}  # pub/sub name -> channel, while subscribed
        self._links: dict[str, ShardLink] = {}  # by server address
        self._homes: dict[str, ShardLink] = {}  # pub/sub name -> the link holding it
        self._orphans: set[str] = set()  # names waiting for a link
        self._lock = asyncio.Lock()
        self._recovery: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()  # links being closed after a loss
        self._on_connect = on_connect
        self.connected = asyncio.Event()

    @property
    def resyncs(self) -> int:
        return self._sequencer.resyncs

    def set_handlers(self, handler: Handler, resync: Resync) -> None:
        self._sequencer.set_handlers(handler, resync)

    async def start(self) -> None:
        self._recover_soon()

    def _name(self, channel: str) -> str:
        return channel_names(self._prefix, channel)[0]

    # -- publishing ------------------------------------------------------------------------

    async def publish(self, channel: str, data: bytes, keep: Keep | None = None) -> None:
        number, body = self._sequencer.publishing(data)
        try:
            published = await self._publish_once(channel, body, keep, retry=False)
        except BACKEND_ERRORS:
            for delay in _PUBLISH_RETRIES:
                await asyncio.sleep(delay)
                try:
                    published = await self._publish_once(channel, body, keep, retry=True)
                    break
                except BACKEND_ERRORS:
                    continue
            else:
                if not self._sequencer.came_back(number):
                    await self._sequencer.delivered(number, channel, timeout=0)
                    raise
                published = True
        if not published:
            await self._sequencer.delivered(number, channel, timeout=0)
            raise Refused(f"{channel}: the room's flag is off")
        await self._sequencer.delivered(number, channel, timeout=LOCAL_DELIVERY_WAIT)

    async def _publish_once(
        self, channel: str, body: bytes, keep: Keep | None, *, retry: bool
    ) -> bool:
        """False: ``keep`` refused it (nothing went out)."""
        name, meta, history = channel_names(self._prefix, channel)
        keys = [meta, history]
        args: list[str | bytes | int] = [
            name,
            body,
            new_epoch(),
            self._history_size,
            self._history_ttl,
            self._meta_ttl,
            "1" if retry else "0",
        ]
        if keep is not None:
            keep_keys, keep_args = keep_input(self._prefix, keep)
            keys += keep_keys
            args += keep_args
        result: int = await self._publish(keys=keys, args=args)
        return result != -1

    async def _fetch(self, channel: str, epoch: bytes, after: int) -> History:
        keys = list(channel_names(self._prefix, channel)[1:])
        found = await self._history(keys=keys, args=[epoch, after])
        head_epoch = bytes(found[0])
        head_seq = int(found[1])
        if not int(found[2]):
            return History(head_epoch, head_seq, None)
        return History(head_epoch, head_seq, [parse(raw) for raw in found[3:]])

    async def _heads(self, channels: list[str]) -> list[Cursor]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.hmget(channel_names(self._prefix, channel)[1], ["epoch", "seq"])
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
            names = [self._name(c) for c in new]
            for channel, name in zip(new, names, strict=True):
                self._sequencer.add(channel)
                self._channels[name.encode()] = channel
            try:
                _, failure = await self._place(names)
                if failure is not None:
                    raise failure
                for channel, head in zip(new, await self._heads(new), strict=True):
                    self._sequencer.start(channel, head)
            except BaseException:
                await self._drop(new)
                raise

    async def unsubscribe(self, channels: list[str]) -> None:
        async with self._lock:
            await self._drop([c for c in channels if self._sequencer.is_subscribed(c)])

    async def _drop(self, channels: list[str]) -> None:
        by_link: dict[ShardLink, list[str]] = {}
        for channel in channels:
            self._sequencer.remove(channel)
            name = self._name(channel)
            self._channels.pop(name.encode(), None)
            self._orphans.discard(name)
            link = self._homes.pop(name, None)
            if link is not None:
                by_link.setdefault(link, []).append(name)
        for link, names in by_link.items():
            await link.unsubscribe(names)
            if not link.names:  # no room of this node lives on that server any more
                self._links.pop(link.address, None)
                await link.close()

    async def _place(self, names: list[str]) -> tuple[list[str], BaseException | None]:
        """Subscribe each name on the server that owns it now, one link per server. Returns
        the names placed and the first failure (the others stay orphans)."""
        groups: dict[str, list[str]] = {}
        placed: list[str] = []
        failure: BaseException | None = None
        for name in names:
            try:
                groups.setdefault(self._shards.owner(name), []).append(name)
            except BACKEND_ERRORS as exc:  # no master owns its slot right now
                failure = failure or exc
        for address, group in groups.items():
            link = self._links.get(address)
            if link is None:
                link = ShardLink(
                    address,
                    self._shards.subscriber(address),
                    self._offer,
                    self._lost,
                    self._health_interval,
                )
                self._links[address] = link
            try:
                await link.subscribe(group)
                if link.lost:  # broke while we waited: its loss was reported without these
                    raise RedisConnectionError(f"the pub/sub link to {address} broke")
            except BACKEND_ERRORS as exc:
                failure = failure or exc
                if not link.names:
                    self._links.pop(address, None)
                    await link.close()
                continue
            for name in group:
                self._homes[name] = link
                self._orphans.discard(name)
            placed += group
        return placed, failure

    def _offer(self, name: bytes, data: bytes) -> None:
        channel = self._channels.get(name)
        if channel is not None:
            self._sequencer.offer(channel, data)

    # -- lost links -----------------------------------------------------------------------------

    def _lost(self, link: ShardLink) -> None:
        """A link broke: its channels wait for a new home, then a repair."""
        log.warning("lost the Redis pub/sub link to %s; moving its channels", link.address)
        if self._links.get(link.address) is link:
            del self._links[link.address]
        for name in link.names:
            if self._homes.get(name) is link:
                del self._homes[name]
                self._orphans.add(name)
        self.connected.clear()
        self._recover_soon()
        closing = asyncio.get_running_loop().create_task(link.close())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    def _recover_soon(self) -> None:
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        backoff = 0.05
        while True:
            try:
                async with self._lock:
                    await self._shards.refresh()
                    if self._orphans:
                        placed, failure = await self._place(sorted(self._orphans))
                        self._sequencer.reconnected(
                            [c for n in placed if (c := self._channels.get(n.encode()))]
                        )
                        if failure is not None:
                            raise failure
                if self._on_connect is not None:
                    await self._on_connect()
                if not self._orphans:
                    self.connected.set()
                    return
            except Exception as exc:  # the backend is away or has no master for a slot yet
                log.warning("Redis pub/sub not (fully) connected (%s); retrying", exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 0.5)  # a failover promotes a replica within seconds

    async def close(self) -> None:
        if self._recovery is not None:
            await cancel_until_done({self._recovery})
        for link in list(self._links.values()):
            await link.close()
        self._links.clear()
        await asyncio.gather(*self._closing, return_exceptions=True)
        await self._sequencer.close()
