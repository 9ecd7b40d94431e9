"""A shared server process per backend for the end-to-end tests; each test makes its own
rooms. Every test that takes ``server`` runs once on the embedded backend and once on a
node backed by its own redis-server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.client import Api
from tests.support.nodes import NodeGroup, TrackedNodeGroup
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess
from tests.support.world import World

SHARED_ENV = {
    "SIGNALING_ROOM_GRACE_PERIOD": "1",
    "SIGNALING_RATE_LIMIT": "200",
    "SIGNALING_RATE_BURST": "200",
    "SIGNALING_GUESS_ATTEMPTS": "1000",  # every test's guesses come from 127.0.0.1
    # webhooks: short retries, and a quick breakout move is still no leave
    "SIGNALING_WEBHOOK_RETRY_BASE": "0.2",
    "SIGNALING_WEBHOOK_RETRY_MAX": "1",
    "SIGNALING_WEBHOOK_MOVE_WINDOW": "2",
    # the shared servers stop at the session's end: not a drain test (test_drain.py is)
    "SIGNALING_DRAIN_SECONDS": "1",
}


@pytest.fixture(scope="session", params=["embedded", "redis"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    redis = RedisServer().start() if request.param == "redis" else None
    env = dict(SHARED_ENV)
    if redis is not None:
        env["SIGNALING_REDIS_URL"] = redis.url
    process = ServerProcess(env).start()
    yield process
    process.stop()
    if redis is not None:
        redis.kill()


@pytest.fixture
async def owner(server: ServerProcess) -> AsyncIterator[Api]:
    """A registered user (a fresh one per test) who creates rooms."""
    sub = f"owner-{uuid.uuid4().hex[:8]}"
    api = Api(server, server.token(sub, "Olivia Owner", email=f"{sub}@example.org"))
    yield api
    await api.aclose()


@pytest.fixture
async def user(server: ServerProcess) -> AsyncIterator[Api]:
    """Another registered user (a fresh one per test)."""
    sub = f"user-{uuid.uuid4().hex[:8]}"
    api = Api(server, server.token(sub, "Bob User"))
    yield api
    await api.aclose()


@pytest.fixture
async def world(server: ServerProcess) -> AsyncIterator[World]:
    """Fresh users, guests and SIP callers on the shared server; closed after the test."""
    made = World(server)
    yield made
    await made.aclose()


@pytest.fixture(scope="module")
def group() -> Iterator[NodeGroup]:
    """Three nodes over one Redis, shared by one test module."""
    shared = NodeGroup()
    yield shared
    shared.stop()


@pytest.fixture
async def tracked() -> AsyncIterator[TrackedNodeGroup]:
    """Three fresh nodes for one test (it may kill them), closing what it made through them."""
    made = TrackedNodeGroup()
    yield made
    await made.aclose()
    made.stop()


@pytest.fixture
async def spread(group: NodeGroup) -> AsyncIterator[World]:
    """A world on the three nodes (REST on node 0 unless a user is made elsewhere)."""
    made = World(*group.nodes)
    yield made
    await made.aclose()
