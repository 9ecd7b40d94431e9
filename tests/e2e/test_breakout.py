"""The breakout module over real sockets, on both backends (reference §2.2, §5.3, §6, §11,
§19.3, §19.4): start/stop/expiry, assignments, moving between rooms with the same participant
id, breakout ``joined``/``left`` for the other rooms, ``join_success.breakout``, the REST checks
of ``/start``, the linger close, and what stays per room (chat, polls) or is room-wide (flags,
bans, the time limit)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.conftest import SHARED_ENV
from tests.support.client import Api, Peer
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess
from tests.support.world import (
    World,
)

Json = dict[str, Any]

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
PEER_KEYS = {"breakout_room", "id", "display_name", "role", "participation_kind", "joined_at"}
LINGER = 1.0
TIME_LIMIT = 3


def backend(param: str, extra: dict[str, str]) -> tuple[ServerProcess, RedisServer | None]:
    redis = RedisServer().start() if param == "redis" else None
    env = {**SHARED_ENV, **extra}
    if redis is not None:
        env["SIGNALING_REDIS_URL"] = redis.url
    return ServerProcess(env).start(), redis


@pytest.fixture(scope="module", params=["embedded", "redis"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """This module's own server per backend, with a short breakout linger."""
    process, redis = backend(request.param, {"SIGNALING_BREAKOUT_LINGER": str(LINGER)})
    yield process
    process.stop()
    if redis is not None:
        redis.kill()


@pytest.fixture(scope="module", params=["embedded", "redis"])
def limited(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """A server whose rooms all close ``TIME_LIMIT`` seconds after the first main-room join."""
    process, redis = backend(
        request.param,
        {"SIGNALING_BREAKOUT_LINGER": str(LINGER), "SIGNALING_TIME_LIMIT": str(TIME_LIMIT)},
    )
    yield process
    process.stop()
    if redis is not None:
        redis.kill()


# -- helpers -----------------------------------------------------------------------------------


async def enter(
    world: World, api: Api, room: str, name: str, breakout_room: str | None = None
) -> tuple[Peer, Json]:
    """A fresh participant joins the main room or straight into a breakout room."""
    body: Json = {} if breakout_room is None else {"breakout_room": breakout_room}
    peer = await world.connect(api, room, **body)
    return peer, await peer.join(name)


async def arrive(
    world: World, api: Api, room: str, old: Peer, name: str, breakout_room: str | None
) -> tuple[Peer, Json]:
    """The second half of a move (§11): ``old`` has closed; ``/start`` with its resumption token
    (and ``breakout_room``), connect and join with the same participant id."""
    body: Json = {"resumption": old.resumption}
    if breakout_room is not None:
        body["breakout_room"] = breakout_room
    peer = await world.connect(api, room, **body)
    success = await peer.join(name)
    assert success["id"] == old.id
    return peer, success


async def begin(
    moderator: Peer, assigned: list[tuple[Peer, int | None]], command: Json
) -> list[Json]:
    """``moderator`` sends a breakout ``start``; every peer listed gets ``started`` with the same
    rooms and its own assignment (an index into the rooms, or None); returns the rooms."""
    await moderator.send("breakout", {"action": "start", **command})
    rooms: list[Json] | None = None
    for peer, index in assigned:
        got = await peer.expect("breakout", "started")
        assert set(got) == {"message", "rooms", "expires", "assignment"}, got
        if rooms is None:
            rooms = got["rooms"]
        assert got["rooms"] == rooms
        assert got["assignment"] == (None if index is None else rooms[index]["id"]), got
        if command.get("duration") is None:
            assert got["expires"] is None, got  # open end
        else:
            assert TIMESTAMP.match(got["expires"]), got
    assert rooms is not None
    assert [set(r) for r in rooms] == [{"id", "name"}] * len(rooms)
    assert [r["name"] for r in rooms] == [r["name"] for r in command["rooms"]]
    assert len({uuid.UUID(r["id"]) for r in rooms}) == len(rooms)
    return rooms


def rooms(*names: str, assign: dict[str, list[Any]] | None = None) -> list[Json]:
    return [{"name": name, "assignments": (assign or {}).get(name, [])} for name in names]


async def other_room(
    peer: Peer, message: str, who: Peer, breakout_room: str | None, **fields: Any
) -> Json:
    """``peer`` gets breakout ``joined``/``left`` about ``who`` in ``breakout_room``."""
    got = await peer.expect("breakout", message)
    if message == "left":
        assert got == {"message": "left", "breakout_room": breakout_room, "id": who.id}, got
        return got
    check_peer(got, breakout_room, who.id, present=True, message=True)
    for key, value in fields.items():
        assert got.get(key) == value, (key, got)
    return got


def check_peer(
    entry: Json, breakout_room: str | None, pid: str | None, present: bool, message: bool = False
) -> None:
    """The shape of breakout peer data (§11, §19.4): ``breakout_room`` and ``left_at`` always
    present, ``avatar_url`` only when there is one."""
    keys = PEER_KEYS | {"left_at"} | ({"message"} if message else set())
    assert keys <= set(entry) <= keys | {"avatar_url"}, entry
    assert entry["breakout_room"] == breakout_room and entry["id"] == pid, entry
    assert TIMESTAMP.match(entry["joined_at"]), entry
    if present:
        assert entry["left_at"] is None, entry
    else:
        assert TIMESTAMP.match(entry["left_at"]), entry


def others(success: Json) -> set[tuple[str | None, str, bool]]:
    """``join_success.breakout.participants`` as (room, id, present), shapes checked."""
    entries = success["breakout"]["participants"]
    seen = set()
    for entry in entries:
        present = entry["left_at"] is None
        check_peer(entry, entry["breakout_room"], entry["id"], present)
        seen.add((entry["breakout_room"], entry["id"], present))
    assert len(seen) == len(entries), entries
    return seen


async def quiet(*peers: Peer, duration: float = 0.3) -> None:
    await asyncio.gather(*(peer.silent(duration) for peer in peers))


async def start_status(
    api: Api, room: str, breakout_room: str | None, **body: Any
) -> tuple[int, Json]:
    response = await api.request(
        "POST", f"/v1/rooms/{room}/start", {"breakout_room": breakout_room, **body}
    )
    return response.status_code, response.json()


async def invited_status(owner: Api, room: str, breakout_room: str | None) -> tuple[int, Json]:
    made = await owner.request("POST", f"/v1/rooms/{room}/invites", {})
    assert made.status_code == 201, made.text
    body = {"invite_code": made.json()["invite_code"], "breakout_room": breakout_room}
    response = await owner.http.post(f"/v1/rooms/{room}/start_invited", json=body)
    return response.status_code, response.json()


async def until_closed(peer: Peer, timeout: float = 5.0) -> tuple[list[Json], int | None]:
    """Every frame ``peer`` still gets, then the server's close code."""
    got: list[Json] = []
    with contextlib.suppress(ConnectionClosed):
        while True:
            got.append(json.loads(await asyncio.wait_for(peer.ws.recv(), timeout)))
    code, _ = await peer.closed(timeout)
    return got, code


async def refused(peer: Peer) -> None:
    """``peer`` (state None) joins a breakout room that is no longer offered: closed with 1000
    before ``join_success``, and nothing else arrives."""
    with contextlib.suppress(ConnectionClosed):
        await peer.send("control", {"action": "join", "display_name": "Late"})
    got, code = await until_closed(peer)
    assert got == [], got
    assert code == 1000


async def meeting(world: World, *names: str) -> tuple[Api, str, list[Peer], list[Api]]:
    """The owner's Alice (moderator) and one registered user per name in the main room."""
    owner = world.user("Olivia Owner")
    room: str = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    peers, apis = [alice], [owner]
    for name in names:
        api = world.user(f"{name} User")
        peer, _ = await world.enter(api, room, name)
        for other in peers:
            assert (await other.expect("control", "joined"))["id"] == peer.id
        peers.append(peer)
        apis.append(api)
    return owner, room, peers, apis


# -- start / stop ------------------------------------------------------------------------------


async def test_start_sends_everyone_the_rooms_and_their_own_assignment(world: World) -> None:
    _, room, (alice, bob, carol), apis = await meeting(world, "Bob", "Carol")
    stranger = str(uuid.uuid4())  # assigned ids need not be present
    made = await begin(
        alice,
        [(alice, None), (bob, 0), (carol, 1)],  # carol is listed twice: the last room wins
        {
            "strategy": "manual",  # no such field: ignored
            "rooms": rooms(
                "Room 1",
                "Room 2",
                "Room 3",
                assign={"Room 1": [bob.id, carol.id], "Room 2": [carol.id, stranger]},
            ),
        },
    )
    await quiet(alice, bob, carol)

    dave, success = await world.enter(world.user("Dave User"), room, "Dave")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    assert success["breakout"] == {
        "current": None,
        "expires": None,
        "rooms": made,
        "participants": [],  # nobody is in another room
    }
    assert success["tariff"]["modules"]["breakout"] == {"features": []}

    # a second start replaces the running configuration, without a stopped in between
    before = datetime.now(UTC)
    await alice.send(
        "breakout",
        {"action": "start", "rooms": rooms("Solo", assign={"Solo": [dave.id]}), "duration": 60},
    )
    solo: list[Json] = []
    for peer in (alice, bob, carol, dave):
        got = await peer.expect("breakout", "started")
        solo = got["rooms"]
        assert [r["name"] for r in solo] == ["Solo"]
        assert got["assignment"] == (solo[0]["id"] if peer is dave else None)
        assert TIMESTAMP.match(got["expires"]), got
        expires = datetime.fromisoformat(got["expires"])
        assert 55 <= (expires - before).total_seconds() <= 65, got
    assert solo[0]["id"] not in {r["id"] for r in made}
    status, body = await start_status(apis[1], room, made[0]["id"])
    assert (status, body["code"]) == (400, "invalid_breakout_room_id")
    status, _ = await start_status(apis[1], room, solo[0]["id"])
    assert status == 200

    await alice.send("breakout", {"action": "stop"})
    for peer in (alice, bob, carol, dave):
        assert await peer.expect("breakout", "stopped") == {"message": "stopped"}
    await alice.send("breakout", {"action": "stop"})
    assert await alice.expect("breakout", "error") == {"message": "error", "error": "inactive"}
    await quiet(alice, bob, carol, dave)
    status, body = await start_status(apis[1], room, solo[0]["id"])
    assert (status, body["code"]) == (400, "no_breakout_rooms")


async def test_empty_or_malformed_room_lists_change_nothing(world: World) -> None:
    _, room, (alice, bob), apis = await meeting(world, "Bob")
    await alice.send("breakout", {"action": "start", "rooms": []})  # ignored, no error
    await alice.send("breakout", {"action": "start", "rooms": [], "duration": 60})
    for malformed in (
        {"action": "start"},
        {"action": "start", "rooms": "Room 1"},
        {"action": "start", "rooms": [5]},
        {"action": "start", "rooms": [{"name": 5, "assignments": []}]},
        {"action": "start", "rooms": [{"name": "R", "assignments": "everyone"}]},
        {"action": "start", "rooms": [{"name": "R", "assignments": [7]}]},
        {"action": "start", "rooms": rooms("R"), "duration": "soon"},
        {"action": "begin", "rooms": rooms("R")},
    ):
        await alice.send("breakout", malformed)
    await quiet(alice, bob, duration=0.5)
    await alice.echo()  # still connected

    await alice.send("breakout", {"action": "stop"})
    assert await alice.expect("breakout", "error") == {"message": "error", "error": "inactive"}
    status, body = await start_status(apis[1], room, str(uuid.uuid4()))
    assert (status, body["code"]) == (400, "no_breakout_rooms")
    _, success = await world.enter(world.user("Carol User"), room, "Carol")
    assert "breakout" not in success
    for peer in (alice, bob):  # a plain control joined, no breakout event
        assert (await peer.expect("control", "joined"))["id"] == success["id"]
    await quiet(alice, bob)


async def test_only_moderators_start_and_stop_also_in_a_breakout_room(world: World) -> None:
    owner, room, (alice, bob), _ = await meeting(world, "Bob")
    insufficient = {"message": "error", "error": "insufficient_permissions"}
    await bob.send("breakout", {"action": "start", "rooms": rooms("R1")})
    assert await bob.expect("breakout", "error") == insufficient
    await bob.send("breakout", {"action": "stop"})  # permissions come before inactive
    assert await bob.expect("breakout", "error") == insufficient
    await quiet(alice, bob)

    [r1] = await begin(alice, [(alice, None), (bob, None)], {"rooms": rooms("R1")})
    carol, _ = await enter(world, world.user("Carol User"), room, "Carol", r1["id"])
    for peer in (alice, bob):
        await other_room(peer, "joined", carol, r1["id"], role="user")
    mona, _ = await enter(world, owner, room, "Mona", r1["id"])  # the owner again: a moderator
    assert (await carol.expect("control", "joined"))["id"] == mona.id
    for peer in (alice, bob):
        await other_room(peer, "joined", mona, r1["id"], role="moderator")

    for command in ({"action": "start", "rooms": rooms("X")}, {"action": "stop"}):
        await carol.send("breakout", command)
        assert await carol.expect("breakout", "error") == insufficient
    await quiet(alice, bob, carol, mona)

    await mona.send("breakout", {"action": "stop"})  # a moderator in a breakout room
    for peer in (alice, bob, carol, mona):
        assert await peer.expect("breakout", "stopped") == {"message": "stopped"}


# -- REST checks, guests, bans, the waiting room -----------------------------------------------


async def test_start_checks_the_breakout_room_against_the_active_config(world: World) -> None:
    owner, room, (alice, bob), apis = await meeting(world, "Bob")
    status, body = await start_status(apis[1], room, str(uuid.uuid4()))
    assert (status, body["code"]) == (400, "no_breakout_rooms")
    status, body = await invited_status(owner, room, str(uuid.uuid4()))
    assert (status, body["code"]) == (400, "no_breakout_rooms")

    [r1] = await begin(alice, [(alice, None), (bob, None)], {"rooms": rooms("R1")})
    status, body = await start_status(apis[1], room, str(uuid.uuid4()))
    assert (status, body["code"]) == (400, "invalid_breakout_room_id")
    status, body = await invited_status(owner, room, str(uuid.uuid4()))
    assert (status, body["code"]) == (400, "invalid_breakout_room_id")
    status, _ = await start_status(apis[1], room, None)  # null: the main room
    assert status == 200

    # a guest moves in through an invite link; guests have no avatar: the key is omitted
    status, started = await invited_status(owner, room, r1["id"])
    assert status == 200, started
    guest = await Peer.connect(world.nodes[0], started["ticket"], started["resumption"])
    world.peers.append(guest)
    success = await guest.join("Gary Guest")
    assert success["breakout"]["current"] == r1["id"]
    assert success["participants"] == []
    for peer in (alice, bob):
        got = await other_room(peer, "joined", guest, r1["id"], role="guest")
        assert got["participation_kind"] == "guest" and "avatar_url" not in got
        assert got["display_name"] == "Gary Guest"

    # bans are room-wide: a banned user cannot start into a breakout room either
    await alice.send("moderation", {"action": "ban", "target": bob.id})
    assert await bob.expect("moderation", "banned") == {"message": "banned"}
    assert await alice.expect("control", "left") == {
        "message": "left",
        "id": bob.id,
        "reason": "banned",
    }
    await other_room(guest, "left", bob, None)
    status, body = await start_status(apis[1], room, r1["id"])
    assert (status, body["code"]) == (403, "banned_from_room")


async def test_the_waiting_room_applies_to_breakout_joins(world: World) -> None:
    owner = world.user("Olivia Owner")
    room: str = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    carol = await world.connect(world.user("Carol User"), room)
    await carol.send("control", {"action": "join", "display_name": "Carol"})
    await carol.expect("moderation", "in_waiting_room")
    await alice.expect("moderation", "joined_waiting_room")
    [r1] = await begin(alice, [(alice, None)], {"rooms": rooms("R1")})
    await carol.echo()  # waiting participants are not "everyone": no started for carol
    await carol.silent(0.1)
    bob = await world.connect(world.user("Bob User"), room, breakout_room=r1["id"])
    await bob.send("control", {"action": "join", "display_name": "Bob"})
    assert await bob.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    bob.id = (await alice.expect("moderation", "joined_waiting_room"))["id"]
    await alice.send("moderation", {"action": "accept", "target": bob.id})
    assert await bob.expect("moderation", "accepted") == {"message": "accepted"}
    await bob.send("control", {"action": "enter_room"})
    success = await bob.expect("control", "join_success")
    assert success["id"] == bob.id and success["breakout"]["current"] == r1["id"]
    assert await alice.expect("moderation", "left_waiting_room") == {
        "message": "left_waiting_room",
        "id": bob.id,
    }
    await other_room(alice, "joined", bob, r1["id"])
    await quiet(carol)


# -- moving ------------------------------------------------------------------------------------


async def test_moving_into_breakout_rooms_and_back_keeps_the_participant_id(
    world: World,
) -> None:
    _, room, (alice, bob, carol), (_, bob_api, carol_api) = await meeting(world, "Bob", "Carol")
    made = await begin(
        alice,
        [(alice, None), (bob, 0), (carol, 1)],
        {"rooms": rooms("R1", "R2", assign={"R1": [bob.id], "R2": [carol.id]})},
    )
    r1, r2 = made[0]["id"], made[1]["id"]

    # carol moves to R2: the main room sees her leave, then a breakout joined for R2
    await carol.close()
    for peer in (alice, bob):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": carol.id,
            "reason": "quit",
        }
    carol2, success = await arrive(world, carol_api, room, carol, "Carol", r2)
    assert success["participants"] == []  # nobody else in R2
    assert success["breakout"]["current"] == r2
    assert success["breakout"]["expires"] is None and success["breakout"]["rooms"] == made
    assert others(success) == {
        (None, alice.id, True),
        (None, bob.id, True),
        (None, carol.id, False),
    }
    for peer in (alice, bob):
        got = await other_room(peer, "joined", carol2, r2, display_name="Carol", role="user")
        assert got["participation_kind"] == "user" and got["avatar_url"].startswith("https://")

    # bob moves to R1: main sees control events, R2 sees breakout events about the main room
    await bob.close()
    assert (await alice.expect("control", "left"))["id"] == bob.id
    await other_room(carol2, "left", bob, None)
    bob2, success = await arrive(world, bob_api, room, bob, "Bob", r1)
    assert success["breakout"]["current"] == r1
    assert others(success) == {
        (None, alice.id, True),
        (None, bob.id, False),
        (None, carol.id, False),
        (r2, carol.id, True),
    }
    for peer in (alice, carol2):
        await other_room(peer, "joined", bob2, r1, display_name="Bob")

    # a newcomer straight into R1: bob sees control joined, the other rooms breakout joined
    erin, success = await enter(world, world.user("Erin User"), room, "Erin", r1)
    assert [p["id"] for p in success["participants"]] == [bob.id]
    assert (await bob2.expect("control", "joined"))["id"] == erin.id
    for peer in (alice, carol2):
        await other_room(peer, "joined", erin, r1, display_name="Erin")
    await quiet(alice, bob2, carol2, erin)

    # bob returns to the main room
    await bob2.close()
    assert await erin.expect("control", "left") == {
        "message": "left",
        "id": bob.id,
        "reason": "quit",
    }
    for peer in (alice, carol2):
        await other_room(peer, "left", bob2, r1)
    bob3, success = await arrive(world, bob_api, room, bob2, "Bob", None)
    assert success["breakout"]["current"] is None
    assert others(success) == {(r1, bob.id, False), (r1, erin.id, True), (r2, carol.id, True)}
    main = {p["id"]: p["control"]["left_at"] for p in success["participants"]}
    assert main[alice.id] is None and TIMESTAMP.match(main[carol.id])
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    for peer in (carol2, erin):
        await other_room(peer, "joined", bob3, None, display_name="Bob")

    # join_success.breakout lists every other room's participants, those gone with left_at
    frank, success = await enter(world, world.user("Frank User"), room, "Frank", r2)
    assert others(success) == {
        (None, alice.id, True),
        (None, bob.id, True),
        (None, carol.id, False),
        (r1, bob.id, False),
        (r1, erin.id, True),
    }
    assert (await carol2.expect("control", "joined"))["id"] == frank.id
    for peer in (alice, bob3, erin):
        await other_room(peer, "joined", frank, r2)
    await quiet(alice, bob3, carol2, erin, frank)


# -- stop, expiry, linger ----------------------------------------------------------------------


async def test_stop_closes_breakout_sessions_after_the_linger(world: World) -> None:
    owner, room, (alice,), _ = await meeting(world)
    r1, r2 = (r["id"] for r in await begin(alice, [(alice, None)], {"rooms": rooms("R1", "R2")}))
    bob, _ = await enter(world, world.user("Bob User"), room, "Bob", r1)
    await other_room(alice, "joined", bob, r1)
    carol_api = world.user("Carol User")
    carol, _ = await enter(world, carol_api, room, "Carol", r2)
    await other_room(alice, "joined", carol, r2)
    await other_room(bob, "joined", carol, r2)

    await alice.send("breakout", {"action": "stop"})
    stopped = time.monotonic()
    for peer in (alice, bob, carol):
        assert await peer.expect("breakout", "stopped") == {"message": "stopped"}
    await quiet(alice, bob, carol, duration=0.3)  # not closed at once

    # carol goes back to the main room before the linger: leaving R2 is still announced
    await carol.close()
    await other_room(alice, "left", carol, r2)
    await other_room(bob, "left", carol, r2)
    carol2, success = await arrive(world, carol_api, room, carol, "Carol", None)
    assert "breakout" not in success
    assert (await alice.expect("control", "joined"))["id"] == carol.id

    # bob stays in R1 and is closed (1000) once the linger has passed
    got, code = await until_closed(bob)
    assert (got, code) == ([], 1000)
    assert time.monotonic() - stopped >= LINGER - 0.2
    for peer in (alice, carol2):
        await other_room(peer, "left", bob, r1)
    await quiet(alice, carol2, duration=LINGER)  # the main room is not closed
    await carol2.echo()
    status, body = await start_status(owner, room, r1)
    assert (status, body["code"]) == (400, "no_breakout_rooms")


async def test_expiry_sends_expired_once_then_closes_breakout_sessions(world: World) -> None:
    owner, room, (alice, bob), (_, bob_api) = await meeting(world, "Bob")
    before = datetime.now(UTC)
    made = await begin(
        alice,
        [(alice, None), (bob, 0)],
        {"rooms": rooms("R1", assign={"R1": [bob.id]}), "duration": 2},
    )
    begun = time.monotonic()
    r1 = made[0]["id"]
    await bob.close()
    assert (await alice.expect("control", "left"))["id"] == bob.id
    bob2, success = await arrive(world, bob_api, room, bob, "Bob", r1)
    expires = datetime.fromisoformat(success["breakout"]["expires"])
    assert 1 <= (expires - before).total_seconds() <= 4
    await other_room(alice, "joined", bob2, r1)

    for peer in (alice, bob2):
        assert await peer.expect("breakout", "expired", timeout=5) == {"message": "expired"}
    assert time.monotonic() - begun >= 1.5
    got, code = await until_closed(bob2)
    assert (got, code) == ([], 1000)
    await other_room(alice, "left", bob2, r1)
    await quiet(alice, duration=0.5)  # exactly one expired

    await alice.send("breakout", {"action": "stop"})
    assert await alice.expect("breakout", "error") == {"message": "error", "error": "inactive"}
    status, body = await start_status(owner, room, r1)
    assert (status, body["code"]) == (400, "no_breakout_rooms")
    _, late = await world.enter(world.user("Carol User"), room, "Carol")
    assert "breakout" not in late


async def test_joining_a_breakout_room_no_longer_offered_is_closed_before_join_success(
    world: World,
) -> None:
    _, room, (alice,), _ = await meeting(world)
    r1 = (await begin(alice, [(alice, None)], {"rooms": rooms("R1")}))[0]["id"]
    bob_api = world.user("Bob User")
    bob, _ = await enter(world, bob_api, room, "Bob", r1)
    await other_room(alice, "joined", bob, r1)

    # bob reconnects to R1 with a ticket issued while the config was active; then it stops
    await bob.close()
    await other_room(alice, "left", bob, r1)
    again = await bob_api.start(room, breakout_room=r1, resumption=bob.resumption)
    await alice.send("breakout", {"action": "stop"})
    assert await alice.expect("breakout", "stopped") == {"message": "stopped"}
    late = await Peer.connect(world.nodes[0], again["ticket"], again["resumption"])
    world.peers.append(late)
    await refused(late)
    await quiet(alice, duration=0.5)  # nothing published

    # a ticket for a room that a newer config no longer lists
    [old] = await begin(alice, [(alice, None)], {"rooms": rooms("Old")})
    ticket = await world.user("Carol User").start(room, breakout_room=old["id"])
    [new] = await begin(alice, [(alice, None)], {"rooms": rooms("New")})
    assert new["id"] != old["id"]
    carol = await Peer.connect(world.nodes[0], ticket["ticket"], ticket["resumption"])
    world.peers.append(carol)
    await refused(carol)
    await quiet(alice, duration=0.5)


# -- per room and room-wide --------------------------------------------------------------------


async def test_chat_is_per_breakout_room_but_its_flags_are_room_wide(world: World) -> None:
    _, room, (alice,), _ = await meeting(world)
    [r1] = await begin(alice, [(alice, None)], {"rooms": rooms("R1")})
    r1_id = r1["id"]
    bob, _ = await enter(world, world.user("Bob User"), room, "Bob", r1_id)
    await other_room(alice, "joined", bob, r1_id)

    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "in main"})
    assert (await alice.expect("chat", "message_sent"))["content"] == "in main"
    await bob.send("chat", {"action": "send_message", "scope": "global", "content": "in R1"})
    assert (await bob.expect("chat", "message_sent"))["content"] == "in R1"
    await quiet(alice, bob)

    carol, inside = await enter(world, world.user("Carol User"), room, "Carol", r1_id)
    assert [m["content"] for m in inside["chat"]["room_history"]["messages"]] == ["in R1"]
    assert (await bob.expect("control", "joined"))["id"] == carol.id
    await other_room(alice, "joined", carol, r1_id)
    dave, outside = await world.enter(world.user("Dave User"), room, "Dave")
    assert [m["content"] for m in outside["chat"]["room_history"]["messages"]] == ["in main"]
    assert (await alice.expect("control", "joined"))["id"] == dave.id
    for peer in (bob, carol):
        await other_room(peer, "joined", dave, None)

    # the chat flag is the parent room's; the event reaches the issuer's room only
    await alice.send("chat", {"action": "disable_chat"})
    for peer in (alice, dave):
        assert await peer.expect("chat", "chat_disabled") == {
            "message": "chat_disabled",
            "issued_by": alice.id,
        }
    await quiet(bob, carol)
    await bob.send("chat", {"action": "send_message", "scope": "global", "content": "muted"})
    assert await bob.expect("chat", "error") == {"message": "error", "error": "chat_disabled"}
    await alice.send("chat", {"action": "enable_chat"})
    for peer in (alice, dave):
        await peer.expect("chat", "chat_enabled")
    await bob.send("chat", {"action": "send_message", "scope": "global", "content": "again"})
    for peer in (bob, carol):
        assert (await peer.expect("chat", "message_sent"))["content"] == "again"

    # so is the raise-hands flag
    await alice.send("moderation", {"action": "disable_raise_hands"})
    for peer in (alice, dave):
        await peer.expect("moderation", "raise_hands_disabled")
    await bob.send("control", {"action": "raise_hand"})
    assert await bob.expect("control", "error") == {
        "message": "error",
        "error": "raise_hands_disabled",
    }
    await quiet(alice, bob, carol, dave)


async def test_the_time_limit_is_shared_by_the_breakout_rooms(limited: ServerProcess) -> None:
    world = World(limited)
    try:
        owner = world.user("Olivia Owner")
        room: str = (await owner.create_room())["id"]
        alice, success = await world.enter(owner, room, "Alice")
        closes_at = success["closes_at"]
        assert success["tariff"]["quotas"]["room_time_limit_secs"] == TIME_LIMIT
        [r1] = await begin(alice, [(alice, None)], {"rooms": rooms("R1")})
        await asyncio.sleep(1)
        bob, inside = await enter(world, world.user("Bob User"), room, "Bob", r1["id"])
        assert inside["closes_at"] == closes_at  # not a fresh deadline for the breakout room
        await other_room(alice, "joined", bob, r1["id"])

        for peer in (alice, bob):
            got, code = await until_closed(peer, timeout=TIME_LIMIT + 2)
            elapsed = [(f["namespace"], f["payload"]["message"]) for f in got]
            assert ("control", "time_limit_quota_elapsed") in elapsed, got
            assert code == 1000
    finally:
        await world.aclose()


async def test_an_old_deadline_never_expires_a_stopped_or_replaced_config(world: World) -> None:
    _, _, (alice, bob), _ = await meeting(world, "Bob")
    everyone: list[tuple[Peer, int | None]] = [(alice, None), (bob, None)]
    await begin(alice, everyone, {"rooms": rooms("R1"), "duration": 2})
    await alice.send("breakout", {"action": "stop"})
    for peer in (alice, bob):
        await peer.expect("breakout", "stopped")
    await begin(alice, everyone, {"rooms": rooms("R2"), "duration": 2})
    await begin(alice, everyone, {"rooms": rooms("R3")})  # replaces it: open end
    await quiet(alice, bob, duration=2.5)  # neither deadline fires
    await alice.send("breakout", {"action": "stop"})
    for peer in (alice, bob):
        await peer.expect("breakout", "stopped")


async def test_a_granted_moderator_stays_one_in_a_breakout_room(world: World) -> None:
    _, room, (alice, bob), (_, bob_api) = await meeting(world, "Bob")
    await alice.send("control", {"action": "grant_moderator_role", "target": bob.id})
    assert await bob.expect("control", "role_updated") == {
        "message": "role_updated",
        "new_role": "moderator",
    }
    await alice.expect("control", "update")
    await alice.expect("control", "moderator_role_granted")
    [r1] = await begin(
        alice, [(alice, None), (bob, 0)], {"rooms": rooms("R1", assign={"R1": [bob.id]})}
    )
    await bob.close()
    assert (await alice.expect("control", "left"))["id"] == bob.id
    bob2, success = await arrive(world, bob_api, room, bob, "Bob", r1["id"])
    assert success["role"] == "moderator"  # the role is stored room-wide (§6)
    await other_room(alice, "joined", bob2, r1["id"], role="moderator")
    await bob2.send("breakout", {"action": "stop"})
    for peer in (alice, bob2):
        assert await peer.expect("breakout", "stopped") == {"message": "stopped"}
