"""The node's Redis client: a write on a connection closed under it is a backend error.

redis-py raised AttributeError there (its writer gone: redis/redis-py#3546), which no retry
catches and which the REST side answered with 500 during a cluster failover.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError

from signaling.config import Settings
from signaling.errors import BACKEND_ERRORS
from signaling.redis_client import Connection, GuardedConnection, connect
from tests.support.redis import RedisServer
from tests.support.redis_cluster import shared_cluster


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = RedisServer().start()
    yield server.url
    server.kill()


async def test_a_write_on_a_closed_connection_is_a_backend_error(redis_url: str) -> None:
    connection = connect(Settings(redis_url=redis_url))
    assert connection is not None
    try:
        assert not isinstance(connection.client, RedisCluster)
        pool = connection.client.connection_pool
        assert pool.connection_class is GuardedConnection
        raw = GuardedConnection(**pool.connection_kwargs)
        await raw.connect()  # type: ignore[no-untyped-call]
        await raw.disconnect()  # another task closed it
        with pytest.raises(RedisConnectionError) as raised:
            await raw._write(raw.pack_command("PING"))
        assert isinstance(raised.value, BACKEND_ERRORS)
        assert await connection.client.ping()  # the pool goes on
    finally:
        await connection.aclose()


async def test_every_cluster_node_uses_the_guarded_connection() -> None:
    connection: Connection | None = connect(
        Settings(redis_cluster_nodes=shared_cluster().nodes[:1])
    )
    assert connection is not None
    cluster = connection.client
    try:
        assert isinstance(cluster, RedisCluster)
        await cluster.initialize()  # discovers the other masters and the replicas
        nodes = cluster.get_nodes()
        assert len(nodes) > 1
        assert {node.connection_class for node in nodes} == {GuardedConnection}
        assert await cluster.ping()
    finally:
        await connection.aclose()
