"""Backend-parametrised fixtures for the contract suites.

Every interface with more than one backend gets a fixture per implementation, chosen by the
``params`` below. A backend is a *factory*: a callable returning an async context manager that
yields a fresh, empty instance and closes it afterwards. The test bodies only ever see the
interface, so adding a backend is one factory plus one entry in ``BACKENDS`` and the
``_*_FACTORIES`` tables; a factory that needs a server (``"redis"``) can take it from a
session fixture through ``request.getfixturevalue`` in ``_factory``.

Hypothesis tests cannot use function-scoped fixtures (one instance would be shared by every
example), so they take the session-scoped ``*_factory`` fixture and open a fresh instance per
example.

A broker only delivers to *other* nodes, so its backend is a *network*: ``broker_network``
yields a callable that starts one more node on a shared medium (one ``MemoryBus``, or one
Redis); ``broker`` is the first node of the test's network.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from signaling.broker import Broker
from signaling.broker.memory import MemoryBroker, MemoryBus
from signaling.broker.redis import RedisBroker
from signaling.state import LiveState
from signaling.state.memory import MemoryState
from signaling.state.redis import RedisState
from tests.support.redis import RedisServer
from tickets.store import ExpiringStore
from tickets.store.memory import MemoryExpiringStore
from tickets.store.redis import RedisExpiringStore

T = TypeVar("T")
Factory = Callable[[], AbstractAsyncContextManager[T]]
NewNode = Callable[[], Awaitable[Broker]]  # starts one more broker node on the shared medium

BACKENDS = ["memory", "redis"]
_redis_server: RedisServer | None = None


@asynccontextmanager
async def _redis_client() -> AsyncIterator[tuple[aioredis.Redis, str]]:
    """A client of the suite's own redis-server and a key prefix nobody else uses."""
    global _redis_server
    if _redis_server is None:
        _redis_server = RedisServer().start()
    client = aioredis.Redis.from_url(_redis_server.url)
    try:
        yield client, f"contract-{uuid.uuid4().hex}:"
    finally:
        await client.aclose()


def redis_pubsub_client() -> aioredis.Redis:
    """A client for one broker's subscription, without redis-py's own retries."""
    assert _redis_server is not None
    return aioredis.Redis.from_url(_redis_server.url, retry=Retry(NoBackoff(), 0))


@asynccontextmanager
async def _memory_expiring_store() -> AsyncIterator[ExpiringStore]:
    store = MemoryExpiringStore()
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def _memory_broker_network() -> AsyncIterator[NewNode]:
    bus = MemoryBus()
    nodes: list[Broker] = []

    async def new_node() -> Broker:
        node = MemoryBroker(bus)
        await node.start()
        nodes.append(node)
        return node

    try:
        yield new_node
    finally:
        for node in nodes:
            await node.close()


@asynccontextmanager
async def _memory_live_state() -> AsyncIterator[LiveState]:
    state = MemoryState()
    try:
        yield state
    finally:
        await state.close()


@asynccontextmanager
async def _redis_expiring_store() -> AsyncIterator[ExpiringStore]:
    async with _redis_client() as (client, prefix):
        yield RedisExpiringStore(client, prefix)


@asynccontextmanager
async def _redis_broker_network() -> AsyncIterator[NewNode]:
    async with _redis_client() as (client, prefix):
        nodes: list[RedisBroker] = []

        async def new_node() -> Broker:
            node = RedisBroker(client, redis_pubsub_client(), prefix)
            await node.start()
            await node.connected.wait()
            nodes.append(node)
            return node

        try:
            yield new_node
        finally:
            for node in nodes:
                await node.close()
                await node.pubsub_client.aclose()


@asynccontextmanager
async def _redis_live_state() -> AsyncIterator[LiveState]:
    async with _redis_client() as (client, prefix):
        yield RedisState(client, prefix)


_EXPIRING_STORE_FACTORIES: dict[str, Factory[ExpiringStore]] = {
    "memory": _memory_expiring_store,
    "redis": _redis_expiring_store,
}
_BROKER_FACTORIES: dict[str, Factory[NewNode]] = {
    "memory": _memory_broker_network,
    "redis": _redis_broker_network,
}
_LIVE_STATE_FACTORIES: dict[str, Factory[LiveState]] = {
    "memory": _memory_live_state,
    "redis": _redis_live_state,
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
