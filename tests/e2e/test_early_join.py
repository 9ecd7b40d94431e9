"""Start calls into a scheduled room: more than ``SIGNALING_EARLY_JOIN`` seconds (default 600)
before ``starts_at`` every start that admits a newcomer (bearer, invited guest, SIP call-in)
answers 403 ``not_started_yet`` naming the start time; within the window it is let in, and
a participant who was in the room resumes or moves to a breakout room whatever the schedule
says. ``GET /v1/rooms?starting_within=N`` lists the caller's rooms starting in N minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from signaling.wire import format_timestamp
from tests.support.client import Api, Json, Peer
from tests.support.server import ServerProcess
from tests.support.world import World

EARLY_JOIN = 600  # the default


def _at(**delta: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(**delta)


def _not_started(response: httpx.Response, starts_at: datetime) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "not_started_yet"
    assert format_timestamp(starts_at) in body["message"], body


async def _invite(owner: Api, room: str) -> str:
    made = await owner.request("POST", f"/v1/rooms/{room}/invites", {})
    assert made.status_code == 201, made.text
    code: str = made.json()["invite_code"]
    return code


async def _sip_start(server: ServerProcess, owner: Api, room: str) -> httpx.Response:
    config = await owner.request("PUT", f"/v1/rooms/{room}/sip", {"lobby": False})
    assert config.status_code in (200, 201), config.text
    gateway = server.token("gateway", service="call-in")
    body = {"id": config.json()["sip_id"], "pin": config.json()["password"]}
    return await owner.request("POST", "/v1/services/call_in/start", body, token=gateway)


async def _starts(server: ServerProcess, owner: Api, user: Api, room: str) -> list[Any]:
    """The answers of every kind of start call: the owner, another user, a guest, SIP."""
    invited = {"invite_code": await _invite(owner, room)}
    return [
        await owner.request("POST", f"/v1/rooms/{room}/start", {}),
        await user.request("POST", f"/v1/rooms/{room}/start", {}),
        await user.request("POST", f"/v1/rooms/{room}/start_invited", invited),
        await _sip_start(server, owner, room),
    ]


async def test_every_start_kind_is_refused_too_early(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    starts_at = _at(seconds=EARLY_JOIN + 120)
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=30))["id"]
    for response in await _starts(server, owner, user, room):
        _not_started(response, starts_at)


async def test_every_start_kind_is_let_in_within_the_window(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    starts_at = _at(seconds=EARLY_JOIN - 60)
    room = (await owner.create_room(starts_at=starts_at.isoformat(), duration=30))["id"]
    for response in await _starts(server, owner, user, room):
        assert response.status_code == 200, response.text
        peer = await Peer.connect(server, response.json()["ticket"])
        try:
            success = await peer.join("Early")
            assert success["closes_at"] == format_timestamp(starts_at + timedelta(minutes=30))
        finally:
            await peer.close()


async def test_a_room_moved_later_refuses_newcomers_only(world: World, owner: Api) -> None:
    room = (await owner.create_room(starts_at=_at(minutes=5).isoformat()))["id"]
    alice = await world.connect(owner, room)
    await alice.join("Alice")
    later = _at(hours=3)
    moved = await owner.request("PATCH", f"/v1/rooms/{room}", {"starts_at": later.isoformat()})
    assert moved.status_code == 200, moved.text
    bob = world.user("Bob User")
    _not_started(await bob.request("POST", f"/v1/rooms/{room}/start", {}), later)

    # Alice, who was in the room, resumes (same participant id)
    alice_id = alice.id
    await alice.close()
    again = await world.resume(owner, room, alice)
    assert (await again.join("Alice"))["id"] == alice_id
    # and a foreign or unknown resumption token is no way in
    for token in (again.resumption, "x" * 64):
        _not_started(
            await bob.request("POST", f"/v1/rooms/{room}/start", {"resumption": token}), later
        )

    # a start into a breakout room (only while a session runs one) is let through too
    await again.send("breakout", {"action": "start", "rooms": [{"name": "R1", "assignments": []}]})
    started = await again.expect("breakout", "started")
    move = {"breakout_room": started["rooms"][0]["id"]}
    moving = await owner.request("POST", f"/v1/rooms/{room}/start", move)
    assert moving.status_code == 200, moving.text


async def test_clearing_starts_at_opens_the_room(owner: Api, user: Api) -> None:
    starts_at = _at(days=1)
    room = (await owner.create_room(starts_at=starts_at.isoformat()))["id"]
    _not_started(await user.request("POST", f"/v1/rooms/{room}/start", {}), starts_at)
    cleared = await owner.request("PATCH", f"/v1/rooms/{room}", {"starts_at": None})
    assert cleared.status_code == 200, cleared.text
    assert (await user.request("POST", f"/v1/rooms/{room}/start", {})).status_code == 200


@pytest.fixture(scope="module")
def short_window() -> Iterator[ServerProcess]:
    process = ServerProcess({"SIGNALING_EARLY_JOIN": "30"}).start()
    yield process
    process.stop()


async def test_the_window_is_the_setting(short_window: ServerProcess) -> None:
    world = World(short_window)
    try:
        owner = world.user("Olivia Owner")
        closed = _at(seconds=90)
        shut = (await owner.create_room(starts_at=closed.isoformat()))["id"]
        _not_started(await owner.request("POST", f"/v1/rooms/{shut}/start", {}), closed)
        opened = (await owner.create_room(starts_at=_at(seconds=20).isoformat()))["id"]
        assert (await owner.request("POST", f"/v1/rooms/{opened}/start", {})).status_code == 200
    finally:
        await world.aclose()


# -- starting_within ---------------------------------------------------------------------------


async def _listed(owner: Api, query: str) -> list[str]:
    response = await owner.request("GET", f"/v1/rooms?{query}")
    assert response.status_code == 200, response.text
    return [room["id"] for room in response.json()]


async def test_starting_within_lists_the_rooms_starting_soon(owner: Api, user: Api) -> None:
    soon = await owner.create_room(starts_at=_at(minutes=10).isoformat())
    later = await owner.create_room(starts_at=_at(hours=2).isoformat())
    also_soon = await owner.create_room(starts_at=_at(minutes=30).isoformat(), duration=5)
    past = await owner.create_room(starts_at=_at(minutes=-5).isoformat())
    unscheduled = await owner.create_room()
    await user.create_room(starts_at=_at(minutes=10).isoformat())  # not the caller's
    everything = [r["id"] for r in (soon, later, also_soon, past, unscheduled)]
    assert await _listed(owner, "") == everything
    assert await _listed(owner, "starting_within=60") == [soon["id"], also_soon["id"]]
    assert await _listed(owner, "starting_within=20") == [soon["id"]]
    assert await _listed(owner, "starting_within=1") == []
    assert await _listed(owner, "starting_within=180") == [soon["id"], later["id"], also_soon["id"]]
    assert await _listed(owner, "starting_within=60&per_page=1&page=2") == [also_soon["id"]]
    response = await owner.request("GET", "/v1/rooms?starting_within=60")
    assert response.json()[0] == soon  # the whole room view


@pytest.mark.parametrize("value", ["0", "10081", "-1", "x", "1.5", "", "٣"])
async def test_bad_starting_within_is_422(owner: Api, value: str) -> None:
    response = await owner.request("GET", f"/v1/rooms?starting_within={value}")
    assert response.status_code == 422, response.text
    body: Json = response.json()
    assert body["code"] == "validation_failed"
    assert [e["field"] for e in body["errors"]] == ["starting_within"]
