"""``SIGNALING_DISABLED_MODULES`` switches the timer, the legal vote and the talking stick
off (supplement D): they leave ``tariff.modules`` (so the web app hides their tools) and
their namespaces answer control ``invalid_namespace``; enabled, each is listed as
``{"features": []}``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import SHARED_ENV
from tests.support.server import ServerProcess
from tests.support.world import (
    World,
    meeting,
)

TOOLS = ("timer", "legal_vote", "automod")


@pytest.fixture(scope="module")
def switched_off() -> Iterator[ServerProcess]:
    process = ServerProcess({**SHARED_ENV, "SIGNALING_DISABLED_MODULES": ",".join(TOOLS)})
    yield process.start()
    process.stop()


async def test_switched_off_tools_are_neither_offered_nor_answered(
    switched_off: ServerProcess,
) -> None:
    world = World(switched_off)
    try:
        room, (alice,) = await meeting(world)
        _, success = await world.enter(world.user("Bob User"), room, "Bob")
        await alice.expect("control", "joined")
        modules = success["tariff"]["modules"]
        assert not set(TOOLS) & set(modules) and "polls" in modules
        assert not set(TOOLS) & set(success)
        for namespace in TOOLS:
            await alice.send(namespace, {"action": "stop"})
            error = await alice.expect("control", "error")
            assert error == {"message": "error", "error": "invalid_namespace"}
    finally:
        await world.aclose()


async def test_enabled_tools_are_in_the_tariff(server: ServerProcess) -> None:
    world = World(server)
    try:
        owner = world.user("Olivia Owner")
        _, success = await world.enter(owner, (await owner.create_room())["id"], "Alice")
        modules = success["tariff"]["modules"]
        assert all(modules[namespace] == {"features": []} for namespace in TOOLS)
        assert success["legal_vote"] == {"votes": []}  # always, for registered users
        assert "timer" not in success and "automod" not in success  # only while running
    finally:
        await world.aclose()
