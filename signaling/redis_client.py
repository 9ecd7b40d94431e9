"""How a node reaches Redis: one server (``SIGNALING_REDIS_URL``) or a Redis Cluster
(``SIGNALING_REDIS_CLUSTER_NODES``, its start-up nodes).

:func:`connect` builds the command client every Redis backend shares and the
:class:`Shards` the broker subscribes through. On a cluster, every key, history and channel
of one parent room carries the room's hash tag ``{room}`` and so lives on one slot; records
that are not per room (registry records, tickets, runner locks) spread by their own keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import hiredis
import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import SlotNotCoveredError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.maint_notifications import MaintNotificationsConfig

from signaling.config import Settings

Client = aioredis.Redis | RedisCluster  # what every Redis backend runs its commands on
# a pooled connection whose server went away is replaced before use
_NO_MAINT = MaintNotificationsConfig(enabled=False)


class GuardedConnection(aioredis.Connection):
    """redis-py's connection with a cheaper and safer write.

    * The write timeout is armed only when the write must wait for the socket: redis-py
      wraps every write in ``asyncio.wait_for``, which on Python 3.11 is a task and a timer
      per command (109 → 98 µs of client CPU per round trip).
    * Commands are packed by hiredis in C; redis-py's async client packs them in Python
      (1,417 → 261 µs for one of the keeper's 1,000-key scripts).
    * A write on a connection another task closed meanwhile (the cluster client does so on
      failover; redis/redis-py#3546) raises ConnectionError, which the client retries and
      we report as a backend error, instead of AttributeError (a 500).
    """

    def pack_command(self, *args: Any) -> list[bytes]:
        name = args[0]
        if b" " in (name.encode() if isinstance(name, str) else name):  # "CONFIG GET"
            return super().pack_command(*args)
        try:
            return [hiredis.pack_command(args)]
        except TypeError:  # a bool or a memoryview: redis-py packs it or says why not
            return super().pack_command(*args)

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        if not self.is_connected:
            await self.connect_check_health(check_health=False)
        if check_health:
            await self.check_health()  # type: ignore[no-untyped-call]
        if isinstance(command, str):
            command = command.encode()
        await self._write([command] if isinstance(command, bytes) else command)

    async def _write(self, chunks: Iterable[bytes]) -> None:
        writer = self._writer
        if writer is None:
            raise RedisConnectionError("the connection was closed by another task")
        try:
            writer.writelines(chunks)
            transport = writer.transport
            if transport.get_write_buffer_size() or transport.is_closing():
                async with asyncio.timeout(self.socket_timeout):
                    await writer.drain()
        except TimeoutError:
            await self.disconnect(nowait=True)
            raise RedisTimeoutError("Timeout writing to socket") from None
        except OSError as error:
            await self.disconnect(nowait=True)
            raise RedisConnectionError(f"Error while writing to socket: {error}") from error
        except BaseException:
            await self.disconnect(nowait=True)  # a half-written command: unusable
            raise


class Shards:
    """Where a pub/sub channel lives and a connection to subscribe there.

    On one Redis every channel lives on that server; on a cluster on the master owning the
    channel's slot, as the client's slot map says (:meth:`refresh` rereads it)."""

    def __init__(self, client: Client, url: str | None) -> None:
        self._client = client
        self._url = url

    @property
    def cluster(self) -> bool:
        return isinstance(self._client, RedisCluster)

    def owner(self, name: str) -> str:
        """The address (``host:port``) of the server holding channel ``name``.

        Raises:
            SlotNotCoveredError: on a cluster, no master owns the channel's slot right now.
        """
        if isinstance(self._client, RedisCluster):
            node = self._client.get_node_from_key(name)
            if node is None:
                raise SlotNotCoveredError(f"no master owns the slot of {name}")
            return str(node.name)
        assert self._url is not None
        return self._url

    async def refresh(self) -> None:
        """Reread the slot map (a master failed over, or slots moved)."""
        if isinstance(self._client, RedisCluster):
            await self._client.initialize()  # the first time: slot map, commands
            await self._client.nodes_manager.initialize()

    def subscriber(self, address: str) -> aioredis.Redis:
        """A client for one server's subscriptions. It does not retry by itself: a silent
        resubscription would hide a gap (the broker reconnects and repairs)."""
        options: dict[str, Any] = {
            "socket_connect_timeout": 2,
            "socket_keepalive": True,
            "retry": Retry(NoBackoff(), 0),
            "maint_notifications_config": _NO_MAINT,
        }
        if isinstance(self._client, RedisCluster):
            host, _, port = address.rpartition(":")
            return aioredis.Redis(host=host, port=int(port), **options)
        return aioredis.Redis.from_url(address, **options)


@dataclass
class Connection:
    client: Client
    shards: Shards

    async def aclose(self) -> None:
        if isinstance(self.client, RedisCluster):
            await self.client.aclose()
        else:
            await self.client.aclose(close_connection_pool=True)


def cluster_nodes(nodes: list[str]) -> list[ClusterNode]:
    """``host:port`` start-up nodes as redis-py's ClusterNodes."""
    found = []
    for node in nodes:
        host, _, port = node.rpartition(":")
        found.append(ClusterNode(host, int(port)))
    return found


def connect(settings: Settings) -> Connection | None:
    """The node's Redis connection, or None on the embedded backend (no Redis configured)."""
    if settings.redis_cluster_nodes:
        cluster = RedisCluster(
            startup_nodes=cluster_nodes(settings.redis_cluster_nodes),
            # per master; redis-py's cluster client does not queue past it (a burst beyond
            # fails as a backend error), unlike the blocking pool of one Redis
            max_connections=256,
            socket_timeout=2,
            socket_connect_timeout=2,
            # a command on a slot whose master died is retried while the slot map is reread;
            # what still fails surfaces as a backend error (503 / service_unavailable)
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
            maint_notifications_config=_NO_MAINT,
        )
        # RedisCluster takes no connection class: its nodes, found now and later, take it
        # from these shared keyword arguments
        cluster.connection_kwargs["connection_class"] = GuardedConnection
        for node in cluster.nodes_manager.startup_nodes.values():
            node.connection_class = GuardedConnection
        return Connection(cluster, Shards(cluster, None))
    if settings.redis_url is None:
        return None
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=16,
        timeout=5,
        socket_timeout=2,
        socket_connect_timeout=2,
        maint_notifications_config=_NO_MAINT,
        connection_class=GuardedConnection,
    )
    client: Client = aioredis.Redis(connection_pool=pool)
    return Connection(client, Shards(client, settings.redis_url))
