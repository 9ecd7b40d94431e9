"""The node's Redis client: a write on a connection closed under it is a backend error
(redis-py raised AttributeError there, its writer gone: redis/redis-py#3546, which no retry
catches and which the REST side answered with 500 during a cluster failover), and hiredis
packs every command into the bytes redis-py would send."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError

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


_argument = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
)


@given(name=st.sampled_from(["SET", "EVALSHA", b"HGET", "CONFIG GET"]), args=st.lists(_argument))
def test_commands_are_packed_as_redis_py_packs_them(name: str | bytes, args: list[Any]) -> None:
    ours = b"".join(GuardedConnection().pack_command(name, *args))
    assert ours == b"".join(aioredis.Connection().pack_command(name, *args))


def test_what_redis_py_refuses_to_pack_is_still_refused() -> None:
    with pytest.raises(DataError):
        GuardedConnection().pack_command("SET", "key", True)
