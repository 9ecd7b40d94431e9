"""The live view by REST (issue 14): who is in a room now (main and breakout rooms, hands,
the waiting room) and how many are in meetings, against what real sockets did."""

from __future__ import annotations

import uuid

import httpx

from tests.support.client import Api, Json
from tests.support.expect import TIMESTAMP
from tests.support.server import ServerProcess
from tests.support.world import World, held


async def live(
    api: Api, room: str, token: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await api.request("GET", f"/v1/rooms/{room}/live", token=token, headers=headers or {})


def entry(participant: Json) -> tuple[str, str, str, str | None, bool]:
    """(display name, kind, role, breakout room, hand up), its id and join time checked."""
    uuid.UUID(participant["id"])
    assert TIMESTAMP.match(participant["joined_at"]), participant
    return (
        participant["display_name"],
        participant["kind"],
        participant["role"],
        participant["breakout_room"],
        participant["hand_is_up"],
    )


async def test_a_room_now(world: World, server: ServerProcess) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    empty = await live(owner, room)
    assert empty.json() == {"session_id": None, "count": 0, "participants": [], "waiting": []}

    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    await bob.send("control", {"action": "raise_hand"})
    await bob.expect("control", "hand_raised")
    await alice.expect("control", "update")
    await alice.send("breakout", {"action": "start", "rooms": [{"name": "B", "assignments": []}]})
    breakout = (await alice.expect("breakout", "started"))["rooms"][0]["id"]
    await bob.expect("breakout", "started")
    dave = await world.connect(world.user("Dave User"), room, breakout_room=breakout)
    await dave.join("Dave")
    for peer in (alice, bob):
        assert (await peer.expect("breakout", "joined"))["id"] == dave.id
    await alice.send("moderation", {"action": "enable_waiting_room"})
    for peer in (alice, bob):
        await peer.expect("moderation", "waiting_room_enabled")
    await dave.expect("moderation", "waiting_room_enabled")
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])
    gwen = await held(await world.guest_socket(owner, room), "Gwen", [alice])
    await alice.send("moderation", {"action": "accept", "target": carol.id})
    await carol.expect("moderation", "accepted")  # accepted, not entered: not listed

    now = (await live(owner, room)).json()
    assert set(now) == {"session_id", "count", "participants", "waiting"}
    uuid.UUID(now["session_id"])
    assert now["count"] == 3
    assert [p["id"] for p in now["participants"]] == [alice.id, bob.id, dave.id]
    assert [entry(p) for p in now["participants"]] == [
        ("Alice", "user", "moderator", None, False),
        ("Bob", "user", "user", None, True),
        ("Dave", "user", "user", breakout, False),
    ]
    assert now["waiting"] == [{"id": gwen.id, "display_name": "Gwen", "kind": "guest"}]
    admin = Api(server, server.token("crm", service="admin"))
    try:
        assert (await live(admin, room)).json() == now  # an admin sees the same
    finally:
        await admin.aclose()

    await bob.close()
    assert (await alice.expect("control", "left"))["id"] == bob.id
    after = (await live(owner, room)).json()
    assert after["count"] == 2 and after["session_id"] == now["session_id"]
    assert [p["display_name"] for p in after["participants"]] == ["Alice", "Dave"]


async def test_who_may_see_a_room_now(world: World, server: ServerProcess) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    made = await owner.request("POST", f"/v1/rooms/{room}/invites", {})
    invite = {"Authorization": f"InviteCode {made.json()['invite_code']}"}
    gateway = server.token("gateway", service="call-in")
    anonymous = Api(server)
    try:
        refusals = [
            (await live(world.user("Mallory User"), room), 403, "forbidden"),
            (await live(owner, room, token=gateway), 403, "forbidden"),
            (await live(owner, room, headers=invite), 403, "forbidden"),
            (await live(anonymous, room), 401, "unauthorized"),
            (await live(owner, str(uuid.uuid4())), 404, "not_found"),
            (await live(owner, "not-a-uuid"), 404, "not_found"),
        ]
    finally:
        await anonymous.aclose()
    for response, status, code in refusals:
        assert (response.status_code, response.json()["code"]) == (status, code)


async def test_live_count_over_every_room() -> None:
    server = ServerProcess({"SIGNALING_ROOM_GRACE_PERIOD": "30"}).start()  # this test's alone
    world = World(server)
    admin = Api(server, server.token("crm", service="admin"))
    try:

        async def count() -> Json:
            response = await admin.request("GET", "/v1/live/count")
            assert response.status_code == 200, response.text
            found: Json = response.json()
            return found

        assert await count() == {"participants": 0, "rooms": 0}
        owner = world.user("Olivia Owner")
        one, two = (await owner.create_room())["id"], (await owner.create_room())["id"]
        alice, _ = await world.enter(owner, one, "Alice")
        bob, _ = await world.enter(world.user("Bob User"), one, "Bob")
        await alice.expect("control", "joined")
        await world.enter(owner, two, "Alice Two")
        await alice.send("moderation", {"action": "enable_waiting_room"})
        for peer in (alice, bob):
            await peer.expect("moderation", "waiting_room_enabled")
        await world.wait(world.user("Carol User"), one, "Carol", [alice])  # waits: not counted
        assert await count() == {"participants": 3, "rooms": 2}
        await bob.close()
        await alice.expect("control", "left")
        assert await count() == {"participants": 2, "rooms": 2}
        refused = await admin.request("GET", "/v1/live/count", token=server.token("alice"))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        anonymous = await admin.http.get("/v1/live/count")
        assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    finally:
        await world.aclose()
        await admin.aclose()
        server.stop()
