"""A shared server process for the end-to-end tests; each test makes its own rooms."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.client import Api
from tests.support.server import ServerProcess

SHARED_ENV = {
    "SIGNALING_ROOM_GRACE_PERIOD": "1",
    "SIGNALING_RATE_LIMIT": "200",
    "SIGNALING_RATE_BURST": "200",
}


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    process = ServerProcess(SHARED_ENV).start()
    yield process
    process.stop()


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
