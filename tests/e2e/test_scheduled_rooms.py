"""Scheduled rooms over real sockets: a room's ``duration`` caps its meeting session at
``starts_at + duration`` (or the session's first join + duration), the tariff's time limit
still applying when shorter; ``closes_at`` is the same for everyone, on one node or two; a
schedule changed during a session applies to the next session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from signaling.wire import format_timestamp
from tests.support.client import Api, Json, Peer
from tests.support.nodes import NodeGroup
from tests.support.server import ServerProcess
from tests.support.world import World

TARIFF_LIMIT = 3  # seconds, on the ``limited`` server


def _now() -> datetime:
    return datetime.now(UTC)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


async def test_closes_at_is_starts_at_plus_duration(world: World, owner: Api) -> None:
    starts_at = _second(_now() - timedelta(minutes=10))
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=60))["id"]
    _, first = await world.enter(owner, room, "Alice")
    assert first["closes_at"] == format_timestamp(starts_at + timedelta(minutes=60))
    _, second = await world.enter(world.user("Bob User"), room, "Bob")
    assert second["closes_at"] == first["closes_at"]


async def test_without_starts_at_the_first_join_plus_duration(world: World, owner: Api) -> None:
    room = (await owner.create_room(duration=30))["id"]
    before = _now()
    _, first = await world.enter(owner, room, "Alice")
    after = _now()
    closes_at = _moment(first["closes_at"])
    assert before + timedelta(minutes=30) <= closes_at <= after + timedelta(minutes=30)
    await asyncio.sleep(1.1)
    _, second = await world.enter(world.user("Bob User"), room, "Bob")
    assert second["closes_at"] == first["closes_at"]  # the first join's, not Bob's own


async def test_no_schedule_no_closes_at(world: World, owner: Api) -> None:
    room = (await owner.create_room(starts_at=(_now() - timedelta(minutes=1)).isoformat()))["id"]
    _, success = await world.enter(owner, room, "Alice")
    assert "closes_at" not in success


async def test_time_limit_quota_elapsed_when_the_cap_passes(world: World, owner: Api) -> None:
    # duration 1 with a starts_at 57 s ago: the cap is 3 s away
    starts_at = _now() - timedelta(seconds=57)
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=1))["id"]
    alice, success = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    await alice.expect("control", "joined")
    cap = _moment(success["closes_at"])
    assert cap == starts_at + timedelta(minutes=1)
    for peer in (alice, bob):
        await peer.expect("control", "time_limit_quota_elapsed", timeout=8)
        assert _now() >= cap - timedelta(milliseconds=50)  # not before the cap
        code, _ = await peer.closed()
        assert code == 1000


async def test_a_cap_already_passed_closes_at_once(world: World, owner: Api) -> None:
    starts_at = _now() - timedelta(hours=2)
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=60))["id"]
    alice, success = await world.enter(owner, room, "Alice")
    assert _moment(success["closes_at"]) < _now()
    await alice.expect("control", "time_limit_quota_elapsed", timeout=3)
    code, _ = await alice.closed()
    assert code == 1000


# -- the tariff's own limit -------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited() -> Iterator[ServerProcess]:
    """Rooms close ``TARIFF_LIMIT`` seconds after the session's first join."""
    process = ServerProcess({"SIGNALING_TIME_LIMIT": str(TARIFF_LIMIT)}).start()
    yield process
    process.stop()


@pytest.fixture
async def limited_world(limited: ServerProcess) -> AsyncIterator[World]:
    made = World(limited)
    yield made
    await made.aclose()


async def test_the_tariff_limit_applies_when_shorter(limited_world: World) -> None:
    owner = limited_world.user("Olivia Owner")
    starts_at = _now() - timedelta(minutes=1)
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=60))["id"]
    before = _now()
    alice, success = await limited_world.enter(owner, room, "Alice")
    closes_at = _moment(success["closes_at"])
    assert success["tariff"]["quotas"]["room_time_limit_secs"] == TARIFF_LIMIT
    assert before + timedelta(seconds=TARIFF_LIMIT) <= closes_at
    assert closes_at <= _now() + timedelta(seconds=TARIFF_LIMIT)
    await alice.expect("control", "time_limit_quota_elapsed", timeout=TARIFF_LIMIT + 3)


async def test_the_duration_applies_when_shorter_than_the_tariff(limited_world: World) -> None:
    owner = limited_world.user("Olivia Owner")
    starts_at = _second(_now()) - timedelta(seconds=59)  # the cap: at most 1 s away
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=1))["id"]
    _, success = await limited_world.enter(owner, room, "Alice")
    assert success["closes_at"] == format_timestamp(starts_at + timedelta(minutes=1))


# -- a schedule changed during a session --------------------------------------------------------


async def test_a_patch_applies_to_the_next_session(world: World, owner: Api) -> None:
    room = (await owner.create_room(duration=60))["id"]
    _, first = await world.enter(owner, room, "Alice")
    patched = await owner.request("PATCH", f"/v1/rooms/{room}", {"duration": 5})
    assert patched.status_code == 200, patched.text
    _, second = await world.enter(world.user("Bob User"), room, "Bob")
    assert second["closes_at"] == first["closes_at"]  # the running session keeps its cap

    ended = await owner.request("POST", f"/v1/rooms/{room}/end")
    assert ended.status_code == 204, ended.text
    before = _now()
    _, next_session = await world.enter(owner, room, "Alice again")
    closes_at = _moment(next_session["closes_at"])
    assert before + timedelta(minutes=5) <= closes_at <= _now() + timedelta(minutes=5)


async def test_a_duration_added_during_a_session_without_one_waits_too(
    world: World, owner: Api
) -> None:
    room = (await owner.create_room())["id"]
    _, first = await world.enter(owner, room, "Alice")
    assert "closes_at" not in first
    patched = await owner.request("PATCH", f"/v1/rooms/{room}", {"duration": 1})
    assert patched.status_code == 200, patched.text
    bob, second = await world.enter(world.user("Bob User"), room, "Bob")
    assert "closes_at" not in second  # not a cap for Bob alone
    await bob.echo()


# -- two nodes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[NodeGroup]:
    group = NodeGroup(count=2)
    yield group
    group.stop()


async def _enter(group: NodeGroup, node: int, room: str, name: str) -> tuple[Peer, Json]:
    api = group.api(node, f"{name.lower()}-{uuid.uuid4().hex[:8]}", name)
    try:
        started = await api.start(room)
    finally:
        await api.aclose()
    peer = await Peer.connect(group.nodes[node], started["ticket"])
    return peer, await peer.join(name)


@pytest.mark.parametrize("scheduled", [False, True], ids=["first-join", "starts-at"])
async def test_both_nodes_give_the_same_closes_at(two_nodes: NodeGroup, scheduled: bool) -> None:
    owner = two_nodes.api(0, f"owner-{uuid.uuid4().hex[:8]}", "Owner")
    body: Json = {"duration": 1}
    if scheduled:
        body["starts_at"] = (_now() - timedelta(seconds=56)).isoformat()  # the cap in ~4 s
    room = (await owner.create_room(**body))["id"]
    await owner.aclose()
    alice, on_zero = await _enter(two_nodes, 0, room, "Alice")
    await asyncio.sleep(1.1)  # a later join must not move the cap
    bob, on_one = await _enter(two_nodes, 1, room, "Bob")
    try:
        assert on_one["closes_at"] == on_zero["closes_at"]
        if scheduled:
            expected = _moment(body["starts_at"]) + timedelta(minutes=1)
            assert on_zero["closes_at"] == format_timestamp(expected)
            await alice.expect("control", "joined")
            for peer in (alice, bob):
                await peer.expect("control", "time_limit_quota_elapsed", timeout=8)
                assert (await peer.closed())[0] == 1000
    finally:
        for peer in (alice, bob):
            await peer.close()
