"""Moderation by REST (issue 14): kick, ban, send_to_waiting_room, accept and end, each as the
moderator's command of that name. Happy paths on three nodes over one Redis with the REST call
on node 0 and the participants on nodes 1 and 2; refusals and authorization on both backends."""

from __future__ import annotations

import uuid

import httpx

from tests.support.client import Api, Peer
from tests.support.expect import barrier, by_message, frames, nothing_for
from tests.support.nodes import NodeGroup
from tests.support.receiver import Receiver, told
from tests.support.server import ServerProcess
from tests.support.world import SIP_NUMBER, World, enter_room, held

#: Every moderation route, as a path below the room with ``{pid}`` for the participant.
ROUTES = (
    "participants/{pid}/kick",
    "participants/{pid}/ban",
    "participants/{pid}/send_to_waiting_room",
    "waiting/{pid}/accept",
    "end",
)


async def post(
    api: Api,
    room: str,
    route: str,
    pid: str | None = "",
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST one of :data:`ROUTES` of ``room`` (``pid``: the participant's id)."""
    assert pid is not None
    path = f"/v1/rooms/{room}/{route.format(pid=pid)}"
    return await api.request("POST", path, token=token, headers=headers or {})


async def remote_meeting(world: World) -> tuple[Api, str, Peer, Peer, Peer]:
    """The owner's REST client on node 0; Alice (the owner, moderator) on node 1, Bob and
    Carol (users) on node 2, all joined and announced."""
    owner = world.user("Olivia Owner")
    room_id = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room_id, "Alice", node=1)
    bob, _ = await world.enter(world.user("Bob User", node=2), room_id, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    carol, _ = await world.enter(world.user("Carol User", node=2), room_id, "Carol")
    for peer in (alice, bob):
        assert (await peer.expect("control", "joined"))["id"] == carol.id
    return owner, room_id, alice, bob, carol


async def waiting_room_on(alice: Peer, *others: Peer) -> None:
    """Alice (a moderator) switches the waiting room on; everyone joined is told."""
    await alice.send("moderation", {"action": "enable_waiting_room"})
    for peer in (alice, *others):
        assert await peer.expect("moderation", "waiting_room_enabled") == {
            "message": "waiting_room_enabled"
        }


# -- happy paths across nodes ----------------------------------------------------------------


async def test_kick_reaches_a_participant_on_another_node(spread: World) -> None:
    owner, room, alice, bob, carol = await remote_meeting(spread)
    assert (await post(owner, room, ROUTES[0], bob.id)).status_code == 204
    assert await bob.expect("moderation", "kicked") == {"message": "kicked"}
    assert (await bob.closed())[0] == 1000
    for peer in (alice, carol):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": bob.id,
            "reason": "kicked",
        }
    await barrier(alice, carol)
    again = await spread.resume(spread.apis[1], room, bob)  # may start again
    assert (await again.join("Bob"))["id"] == bob.id


async def test_kick_in_a_breakout_room(spread: World) -> None:
    owner, room, alice, bob, carol = await remote_meeting(spread)
    await alice.send("breakout", {"action": "start", "rooms": [{"name": "B", "assignments": []}]})
    breakout = ""
    for peer in (alice, bob, carol):
        breakout = (await peer.expect("breakout", "started"))["rooms"][0]["id"]
    dave_api = spread.user("Dave User", node=2)
    dave = await spread.connect(dave_api, room, breakout_room=breakout)
    await dave.join("Dave")
    for peer in (alice, bob, carol):
        assert (await peer.expect("breakout", "joined"))["id"] == dave.id
    erin = await spread.connect(spread.user("Erin User", node=1), room, breakout_room=breakout)
    await erin.join("Erin")
    assert (await dave.expect("control", "joined"))["id"] == erin.id
    for peer in (alice, bob, carol):
        await peer.expect("breakout", "joined")

    assert (await post(owner, room, ROUTES[0], dave.id)).status_code == 204
    assert await dave.expect("moderation", "kicked") == {"message": "kicked"}
    assert (await dave.closed())[0] == 1000
    assert await erin.expect("control", "left") == {
        "message": "left",
        "id": dave.id,
        "reason": "kicked",
    }
    for peer in (alice, bob, carol):  # the main room hears of it as of any leave
        assert await peer.expect("breakout", "left") == {
            "message": "left",
            "breakout_room": breakout,
            "id": dave.id,
        }
    await barrier(alice, bob, carol)


async def test_ban_on_another_node_and_its_refusals(spread: World) -> None:
    owner, room, alice, bob, carol = await remote_meeting(spread)
    gwen = await spread.guest_socket(owner, room, node=2)
    await gwen.join("Gwen")
    for peer in (alice, bob, carol):
        assert (await peer.expect("control", "joined"))["id"] == gwen.id
    refused = await post(owner, room, ROUTES[1], gwen.id)
    assert refused.status_code == 422 and refused.json()["code"] == "cannot_ban_guest"
    refused = await post(owner, room, ROUTES[1], alice.id)
    assert refused.status_code == 422 and refused.json()["code"] == "cannot_ban_room_owner"
    await barrier(alice, bob, carol, gwen)  # nothing happened to anyone

    assert (await post(owner, room, ROUTES[1], bob.id)).status_code == 204
    assert await bob.expect("moderation", "banned") == {"message": "banned"}
    assert (await bob.closed())[0] == 1000
    for peer in (alice, carol, gwen):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": bob.id,
            "reason": "banned",
        }
    banned = await spread.apis[1].request("POST", f"/v1/rooms/{room}/start", {})
    assert banned.status_code == 403 and banned.json()["code"] == "banned_from_room"
    await barrier(alice, carol, gwen)


async def test_send_to_waiting_room_then_accept(spread: World) -> None:
    owner, room, alice, bob, carol = await remote_meeting(spread)
    assert (await post(owner, room, ROUTES[2], bob.id)).status_code == 204
    for peer in (alice, bob, carol):  # it was off: switched on for everyone
        assert await peer.expect("moderation", "waiting_room_enabled") == {
            "message": "waiting_room_enabled"
        }
    assert await bob.expect("moderation", "sent_to_waiting_room") == {
        "message": "sent_to_waiting_room"
    }
    assert await bob.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    left = {"message": "left", "id": bob.id, "reason": "sent_to_waiting_room"}
    assert await carol.expect("control", "left") == left
    seen = by_message(await frames(alice, 2))
    assert seen["control/left"] == left
    assert seen["moderation/joined_waiting_room"]["id"] == bob.id
    await barrier(alice, carol)
    await nothing_for(bob)  # the socket stays open, waiting
    again = await post(owner, room, ROUTES[2], bob.id)  # waiting is not present
    assert again.status_code == 404 and again.json()["code"] == "not_found"

    assert (await post(owner, room, ROUTES[3], bob.id)).status_code == 204
    assert await bob.expect("moderation", "accepted") == {"message": "accepted"}
    twice = await post(owner, room, ROUTES[3], bob.id)  # accepted already: not waiting
    assert twice.status_code == 404 and twice.json()["code"] == "not_found"
    await nothing_for(bob)  # accepted once
    await barrier(alice, carol)  # nobody else is told
    success = await enter_room(bob, moderators=[alice], members=[carol])
    assert success["id"] == bob.id


async def test_accept_a_waiting_sip_caller(spread: World) -> None:
    owner, room, alice, bob, carol = await remote_meeting(spread)
    await waiting_room_on(alice, bob, carol)
    sip = await spread.sip_socket(owner, room, lobby=False, node=2)
    await held(sip, SIP_NUMBER, [alice], shown="+** ** *****678")
    assert (await post(owner, room, ROUTES[3], sip.id)).status_code == 204
    assert await sip.expect("moderation", "accepted") == {"message": "accepted"}


async def test_end_closes_everyone_and_ends_the_session(group: NodeGroup, spread: World) -> None:
    receiver = await Receiver().start()
    admin = Api(group.nodes[0], group.nodes[0].token("crm", service="admin"))
    hook = {"url": receiver.url, "events": ["session.ended", "participant.left"], "secret": "s"}
    made = await admin.request("POST", "/v1/webhooks", hook)
    assert made.status_code == 201, made.text
    try:
        owner, room, alice, bob, carol = await remote_meeting(spread)
        await waiting_room_on(alice, bob, carol)
        wendy = await spread.wait(spread.user("Wendy User", node=2), room, "Wendy", [alice])
        live = (await owner.request("GET", f"/v1/rooms/{room}/live")).json()
        assert live["session_id"] is not None and live["count"] == 3

        assert (await post(admin, room, ROUTES[4])).status_code == 204  # an admin may too
        for peer in (alice, bob, carol, wendy):
            assert await peer.expect("moderation", "session_ended") == {
                "message": "session_ended",
                "issued_by": None,
            }
            assert (await peer.closed())[0] == 1000
        after = (await owner.request("GET", f"/v1/rooms/{room}/live")).json()
        assert after == {"session_id": None, "count": 0, "participants": [], "waiting": []}
        again = await post(owner, room, ROUTES[4])
        assert again.status_code == 404 and again.json()["code"] == "not_found"

        got = await receiver.wait_for(room, "session.ended")
        assert sorted(told(got)) == sorted(
            [("participant.left", p.id, "ended") for p in (alice, bob, carol)]
            + [("session.ended", None, None)]
        )
        ended = got[-1].json["data"]
        assert ended["reason"] == "ended" and ended["session_id"] == live["session_id"]
        record = await owner.request("GET", f"/v1/sessions/{live['session_id']}")
        assert record.json()["ended_at"] == ended["ended_at"]

        assert (await owner.request("GET", f"/v1/rooms/{room}")).status_code == 200  # stays
        fresh, _ = await spread.enter(owner, room, "Alice", node=2)  # a new session
        live = (await owner.request("GET", f"/v1/rooms/{room}/live")).json()
        assert live["session_id"] not in (None, ended["session_id"]) and live["count"] == 1
        await fresh.echo()
    finally:
        assert (await admin.request("DELETE", f"/v1/webhooks/{made.json()['id']}")).status_code
        await admin.aclose()
        await receiver.stop()


# -- refusals and authorization on both backends ------------------------------------------------


async def meeting(world: World) -> tuple[Api, str, Peer, Peer]:
    """The owner's Alice (moderator) and Bob (user), joined."""
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    return owner, room, alice, bob


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


async def test_who_may_moderate(world: World, server: ServerProcess) -> None:
    owner, room, alice, bob = await meeting(world)
    stranger = world.user("Mallory User")
    made = await owner.request("POST", f"/v1/rooms/{room}/invites", {})
    invite = {"Authorization": f"InviteCode {made.json()['invite_code']}"}
    unusable = {"Authorization": f"InviteCode {uuid.uuid4()}"}
    gateway = server.token("gateway", service="call-in")
    anonymous = Api(server)
    try:
        for route in ROUTES:
            forbidden = (403, "forbidden")
            assert code(await post(stranger, room, route, bob.id)) == forbidden
            assert code(await post(owner, room, route, bob.id, token=gateway)) == forbidden
            assert code(await post(owner, room, route, bob.id, headers=invite)) == forbidden
            unauthorized = (401, "unauthorized")
            assert code(await post(owner, room, route, bob.id, headers=unusable)) == unauthorized
            assert code(await post(anonymous, room, route, bob.id)) == unauthorized
            unknown = await post(owner, str(uuid.uuid4()), route, bob.id)
            assert code(unknown) == (404, "not_found")
            assert code(await post(owner, "not-a-uuid", route, bob.id)) == (404, "not_found")
    finally:
        await anonymous.aclose()
    await barrier(alice, bob)  # nobody was touched


async def test_unknown_participants_and_refusals(world: World, server: ServerProcess) -> None:
    owner, room, alice, bob = await meeting(world)
    for route in ROUTES[:4]:
        for pid in (str(uuid.uuid4()), "not-a-uuid", str(bob.id)[:-1]):
            assert code(await post(owner, room, route, pid)) == (404, "not_found")
    assert code(await post(owner, room, ROUTES[3], bob.id)) == (404, "not_found")  # present
    sent_back = await post(owner, room, ROUTES[2], alice.id)
    assert code(sent_back) == (422, "cannot_send_room_owner_to_waiting_room")
    sip = await world.sip_socket(owner, room, lobby=False)
    await sip.join(SIP_NUMBER)
    for peer in (alice, bob):
        assert (await peer.expect("control", "joined"))["id"] == sip.id
    assert code(await post(owner, room, ROUTES[1], sip.id)) == (422, "cannot_ban_guest")
    await barrier(alice, bob)  # nothing happened
    admin = Api(server, server.token("crm", service="admin"))
    try:  # a participant id of the room's ids in upper case is the same participant
        assert (await post(admin, room, ROUTES[0], str(bob.id).upper())).status_code == 204
    finally:
        await admin.aclose()
    assert await bob.expect("moderation", "kicked") == {"message": "kicked"}
    assert (await alice.expect("control", "left"))["reason"] == "kicked"


async def test_end_on_one_node(world: World) -> None:
    owner, room, alice, bob = await meeting(world)
    assert code(await post(owner, str(uuid.uuid4()), ROUTES[4])) == (404, "not_found")
    assert (await post(owner, room, ROUTES[4])).status_code == 204
    for peer in (alice, bob):
        assert await peer.expect("moderation", "session_ended") == {
            "message": "session_ended",
            "issued_by": None,
        }
        assert (await peer.closed())[0] == 1000
    assert code(await post(owner, room, ROUTES[4])) == (404, "not_found")
    again, _ = await world.enter(owner, room, "Alice")  # the room stays
    await again.echo()


async def test_moderation_switched_off_in_the_tariff() -> None:
    server = ServerProcess({"SIGNALING_DISABLED_MODULES": "moderation"}).start()
    world = World(server)
    try:
        owner = world.user("Olivia Owner")
        room = (await owner.create_room())["id"]
        alice, _ = await world.enter(owner, room, "Alice")
        for route in ROUTES:
            answered = await post(owner, room, route, alice.id)
            assert code(answered) == (409, "moderation_disabled")
        await alice.echo()
    finally:
        await world.aclose()
        server.stop()
