"""Backend-parametrised fixtures for the contract suites.

Every interface with more than one backend gets a fixture per implementation, chosen by the
``params`` below. A backend is a *factory*: a callable returning an async context manager that
yields a fresh, empty instance and closes it afterwards. The test bodies only ever see the
interface, so adding a backend is one factory plus one entry in ``BACKENDS`` and the
``_*_FACTORIES`` tables. The Redis backends run on one redis-server (``"redis"``) and on a
local Redis Cluster of 3 masters with a replica each (``"cluster"``), both started once per
test session.

Hypothesis tests cannot use function-scoped fixtures (one instance would be shared by every
example), so they take the session-scoped ``*_factory`` fixture and open a fresh instance per
example.

A broker only delivers to *other* nodes, so its backend is a *network*: ``broker_network``
yields a callable that starts one more node on a shared medium (one ``MemoryBus``, or one
Redis, or one cluster); ``broker`` is the first node of the test's network.
"""

from __future__ import annotations

import functools
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from signaling.broker import Broker
from signaling.broker.memory import MemoryBroker, MemoryBus
from signaling.broker.redis import RedisBroker, channel_names
from signaling.broker.sequencer import numbered, publication_body
from signaling.redis_client import Client, Shards, cluster_nodes
from signaling.state import LiveState
from signaling.state.memory import MemoryState
from signaling.state.redis import RedisState
from signaling.store import ExpiringStore
from signaling.store.memory import MemoryExpiringStore
from signaling.store.redis import RedisExpiringStore
from signaling.webhooks.outbox import Outbox
from signaling.webhooks.outbox_memory import MemoryOutbox
from signaling.webhooks.outbox_redis import RedisOutbox
from signaling.webhooks.records import Records
from signaling.webhooks.records_redis import RedisRecords
from signaling.webhooks.records_sqlite import SqliteRecords
from tests.support.redis import RedisServer
from tests.support.redis_cluster import shared_cluster
from tickets.limits import Buckets, MemoryBuckets
from tickets.limits_redis import RedisBuckets

T = TypeVar("T")
Factory = Callable[[], AbstractAsyncContextManager[T]]

BACKENDS = ["memory", "redis", "cluster"]
_redis_server: RedisServer | None = None
_cluster_client: RedisCluster | None = None  # one for the session: its start-up is costly


class RedisBackend:
    """A client of the suite's own redis-server or cluster, where its channels live, the
    servers behind it, and a key prefix nobody else uses."""

    def __init__(self, client: Client, shards: Shards, servers: list[RedisServer]) -> None:
        self.client = client
        self.shards = shards
        self.servers = servers
        self.prefix = f"contract-{uuid.uuid4().hex}:"


@asynccontextmanager
async def _redis_backend(cluster: bool) -> AsyncIterator[RedisBackend]:
    global _redis_server, _cluster_client
    if not cluster:
        if _redis_server is None:
            _redis_server = RedisServer().start()
        client = aioredis.Redis.from_url(_redis_server.url)
        try:
            yield RedisBackend(client, Shards(client, _redis_server.url), [_redis_server])
        finally:
            await client.aclose()
        return
    servers = shared_cluster()
    if _cluster_client is None:
        _cluster_client = RedisCluster(startup_nodes=cluster_nodes(servers.nodes))
        # the slot map first, as a node does when it starts: redis-py's cluster client
        # breaks a connection that is being opened when many first commands race
        await _cluster_client.initialize()
    yield RedisBackend(_cluster_client, Shards(_cluster_client, None), servers.live())


@pytest.fixture(scope="session", autouse=True)
async def _close_the_cluster_client() -> AsyncIterator[None]:
    yield
    if _cluster_client is not None:
        await _cluster_client.aclose()


@asynccontextmanager
async def _memory_expiring_store() -> AsyncIterator[ExpiringStore]:
    store = MemoryExpiringStore()
    try:
        yield store
    finally:
        await store.close()


class Network:
    """Broker nodes on one shared medium, and the faults a test can cause on it.

    Calling it starts one more node. ``outage(node)`` breaks that node's link while the
    block runs (what is published meanwhile is missed, then repaired); ``replay(channel)``
    publishes the channel's history again, newest first (duplicated and reordered arrivals);
    ``forget(channel)`` loses the channel's numbering and history, as a Redis that came back
    without its data."""

    def __init__(self, state: LiveState) -> None:
        self.nodes: list[Broker] = []
        self.state = state  # where the nodes' publications keep (signaling.state.Keep)

    async def __call__(self, history_size: int = 1000) -> Broker:
        node = await self.start(history_size)
        self.nodes.append(node)
        return node

    async def start(self, history_size: int) -> Broker:
        raise NotImplementedError

    def outage(self, node: Broker) -> AbstractAsyncContextManager[None]:
        raise NotImplementedError

    async def replay(self, channel: str) -> None:
        raise NotImplementedError

    async def forget(self, channel: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        for node in self.nodes:
            await node.close()


class _MemoryNetwork(Network):
    def __init__(self) -> None:
        self.memory = MemoryState()
        super().__init__(self.memory)
        self.bus = MemoryBus()

    async def start(self, history_size: int) -> Broker:
        self.bus.history_size = history_size
        node = MemoryBroker(self.bus, self.memory)
        await node.start()
        return node

    @asynccontextmanager
    async def outage(self, node: Broker) -> AsyncIterator[None]:
        assert isinstance(node, MemoryBroker)
        node.cut()
        try:
            yield
        finally:
            node.restore()

    async def replay(self, channel: str) -> None:
        history = self.bus.history(channel, b"", 0).publications or []
        for publication in reversed(history):
            raw = numbered(publication.epoch, publication.seq, publication_body(publication))
            for node in self.bus.brokers:
                node._sequencer.offer(channel, raw)

    async def forget(self, channel: str) -> None:
        self.bus.forget(channel)


class _RedisNetwork(Network):
    def __init__(self, backend: RedisBackend) -> None:
        super().__init__(RedisState(backend.client, backend.prefix))
        self.backend = backend

    async def start(self, history_size: int) -> Broker:
        backend = self.backend
        node = RedisBroker(
            backend.client, backend.shards, backend.prefix, history_size=history_size
        )
        await node.start()
        await node.connected.wait()
        return node

    @asynccontextmanager
    async def outage(self, node: Broker) -> AsyncIterator[None]:
        assert isinstance(node, RedisBroker)
        node.connected.clear()
        for server in self.backend.servers:  # every node's links: the test's peers reconnect
            with server.client() as client:
                client.client_kill_filter(_type="pubsub")
        yield  # the node needs 50 ms or more to reconnect: what is published now is missed
        await node.connected.wait()

    async def replay(self, channel: str) -> None:
        name, _, history_key = channel_names(self.backend.prefix, channel)
        history: Any = await self.backend.client.lrange(history_key, 0, -1)
        for raw in reversed(history):
            await self.backend.client.spublish(name, raw)

    async def forget(self, channel: str) -> None:
        await self.backend.client.delete(*channel_names(self.backend.prefix, channel)[1:])


NewNode = Network  # calling it starts one more broker node on the shared medium


@asynccontextmanager
async def _memory_broker_network() -> AsyncIterator[Network]:
    network = _MemoryNetwork()
    try:
        yield network
    finally:
        await network.close()


def _redis_broker_network(cluster: bool) -> Factory[Network]:
    @asynccontextmanager
    async def network() -> AsyncIterator[Network]:
        async with _redis_backend(cluster) as backend:
            nodes = _RedisNetwork(backend)
            try:
                yield nodes
            finally:
                await nodes.close()

    return network


@asynccontextmanager
async def _memory_live_state() -> AsyncIterator[LiveState]:
    state = MemoryState()
    try:
        yield state
    finally:
        await state.close()


def _redis_expiring_store(cluster: bool) -> Factory[ExpiringStore]:
    @asynccontextmanager
    async def store() -> AsyncIterator[ExpiringStore]:
        async with _redis_backend(cluster) as backend:
            yield RedisExpiringStore(backend.client, backend.prefix)

    return store


def _redis_live_state(cluster: bool) -> Factory[LiveState]:
    @asynccontextmanager
    async def state() -> AsyncIterator[LiveState]:
        async with _redis_backend(cluster) as backend:
            yield RedisState(backend.client, backend.prefix)

    return state


OUTBOX_TEST_LIMIT = 8  # the outbox bound of the emitting live states below
Emitting = tuple[LiveState, Outbox]  # a live state and the outbox it writes


@asynccontextmanager
async def _memory_emitting() -> AsyncIterator[Emitting]:
    outbox = MemoryOutbox(OUTBOX_TEST_LIMIT)
    yield MemoryState(outbox), outbox


def _redis_emitting(cluster: bool) -> Factory[Emitting]:
    @asynccontextmanager
    async def emitting() -> AsyncIterator[Emitting]:
        async with _redis_backend(cluster) as backend:
            client, prefix = backend.client, backend.prefix
            yield RedisState(client, prefix, OUTBOX_TEST_LIMIT), RedisOutbox(client, prefix)

    return emitting


RECORDS_TEST_RETENTION = 1.0  # seconds a Redis-kept session outlives its end


@asynccontextmanager
async def _sqlite_records() -> AsyncIterator[Records]:
    with tempfile.TemporaryDirectory() as folder:
        records = SqliteRecords(f"{folder}/meetings.sqlite3")
        await records.open()
        try:
            yield records
        finally:
            await records.close()


def _redis_records(cluster: bool) -> Factory[Records]:
    @asynccontextmanager
    async def records() -> AsyncIterator[Records]:
        async with _redis_backend(cluster) as backend:
            yield RedisRecords(backend.client, backend.prefix, RECORDS_TEST_RETENTION)

    return records


@asynccontextmanager
async def _memory_buckets() -> AsyncIterator[Buckets]:
    yield MemoryBuckets()


@asynccontextmanager
async def _redis_buckets(cluster: bool) -> AsyncIterator[Buckets]:
    async with _redis_backend(cluster) as backend:
        yield RedisBuckets(backend.client, backend.prefix)


_BUCKETS_FACTORIES: dict[str, Factory[Buckets]] = {
    "memory": _memory_buckets,
    "redis": functools.partial(_redis_buckets, cluster=False),
    "cluster": functools.partial(_redis_buckets, cluster=True),
}
_EMITTING_FACTORIES: dict[str, Factory[Emitting]] = {
    "memory": _memory_emitting,
    "redis": _redis_emitting(cluster=False),
    "cluster": _redis_emitting(cluster=True),
}
_RECORDS_FACTORIES: dict[str, Factory[Records]] = {
    "sqlite": _sqlite_records,
    "redis": _redis_records(cluster=False),
    "cluster": _redis_records(cluster=True),
}
_EXPIRING_STORE_FACTORIES: dict[str, Factory[ExpiringStore]] = {
    "memory": _memory_expiring_store,
    "redis": _redis_expiring_store(cluster=False),
    "cluster": _redis_expiring_store(cluster=True),
}
_BROKER_FACTORIES: dict[str, Factory[NewNode]] = {
    "memory": _memory_broker_network,
    "redis": _redis_broker_network(cluster=False),
    "cluster": _redis_broker_network(cluster=True),
}
_LIVE_STATE_FACTORIES: dict[str, Factory[LiveState]] = {
    "memory": _memory_live_state,
    "redis": _redis_live_state(cluster=False),
    "cluster": _redis_live_state(cluster=True),
}


def _factory(request: pytest.FixtureRequest, table: Mapping[str, Factory[T]]) -> Factory[T]:
    backend: Any = request.param
    assert isinstance(backend, str)
    return table[backend]


@pytest.fixture(scope="session", params=BACKENDS)
def expiring_store_factory(request: pytest.FixtureRequest) -> Factory[ExpiringStore]:
    return _factory(request, _EXPIRING_STORE_FACTORIES)


@pytest.fixture(scope="session", params=BACKENDS)
def broker_network_factory(request: pytest.FixtureRequest) -> Factory[NewNode]:
    return _factory(request, _BROKER_FACTORIES)


@pytest.fixture(scope="session", params=BACKENDS)
def live_state_factory(request: pytest.FixtureRequest) -> Factory[LiveState]:
    return _factory(request, _LIVE_STATE_FACTORIES)


@pytest.fixture
async def expiring_store(
    expiring_store_factory: Factory[ExpiringStore],
) -> AsyncIterator[ExpiringStore]:
    async with expiring_store_factory() as store:
        yield store


@pytest.fixture
async def broker_network(broker_network_factory: Factory[NewNode]) -> AsyncIterator[NewNode]:
    async with broker_network_factory() as new_node:
        yield new_node


@pytest.fixture
async def broker(broker_network: NewNode) -> Broker:
    """The first node of the test's network; ``broker_network()`` adds its peers."""
    return await broker_network()


@pytest.fixture
async def live_state(live_state_factory: Factory[LiveState]) -> AsyncIterator[LiveState]:
    async with live_state_factory() as state:
        yield state


@pytest.fixture(params=BACKENDS)
async def emitting(request: pytest.FixtureRequest) -> AsyncIterator[Emitting]:
    async with _factory(request, _EMITTING_FACTORIES)() as pair:
        yield pair


@pytest.fixture(params=BACKENDS)
async def buckets(request: pytest.FixtureRequest) -> AsyncIterator[Buckets]:
    async with _factory(request, _BUCKETS_FACTORIES)() as found:
        yield found


@pytest.fixture(params=["sqlite", "redis", "cluster"])
async def records(request: pytest.FixtureRequest) -> AsyncIterator[Records]:
    async with _factory(request, _RECORDS_FACTORIES)() as found:
        yield found
