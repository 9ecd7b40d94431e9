"""Chat, moderation and the waiting room across three nodes over one Redis (reference §8, §9,
§15.3): concurrent accepts, kicks and bans across nodes, private and group chat between nodes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.support.client import Api, Peer
from tests.support.expect import barrier, by_message, frames, nothing_for
from tests.support.nodes import NodeGroup
from tests.support.world import (
    World,
    held,
)

BACKEND = "/OpenTalk/Backend"
FRONTEND = "/OpenTalk/Frontend"


@pytest.fixture
async def world(group: NodeGroup) -> AsyncIterator[World]:
    made = World(*group.nodes)
    yield made
    await made.aclose()


async def spread(world: World, waiting_room: bool = False) -> tuple[Api, str, list[Peer]]:
    """Owner Alice (moderator) on node 0, users Bob on node 1 and Carol on node 2."""
    owner = world.user("Olivia Owner", groups=[BACKEND])
    room = (await owner.create_room(waiting_room=waiting_room))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    peers = [alice]
    for node, (name, groups) in enumerate((("Bob", [BACKEND]), ("Carol", [FRONTEND])), 1):
        api = world.user(f"{name} User", groups=groups, node=node)
        if waiting_room:
            peer = await world.wait(api, room, name, [alice])
            await alice.send("moderation", {"action": "accept", "target": peer.id})
            await peer.expect("moderation", "accepted")
            await peer.send("control", {"action": "enter_room"})
            await peer.expect("control", "join_success")
            await alice.expect("moderation", "left_waiting_room")
        else:
            peer, _ = await world.enter(api, room, name)
        for other in peers:
            assert (await other.expect("control", "joined"))["id"] == peer.id
        peers.append(peer)
    return owner, room, peers


async def test_two_moderators_accept_at_the_same_time(world: World) -> None:
    owner, room, (alice, bob, carol) = await spread(world, waiting_room=True)
    mona, _ = await world.enter(owner, room, "Mona", node=1)  # the owner again: a moderator
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    moderators = [alice, mona]
    members = [bob, carol]
    for round_ in range(3):
        api = world.user(f"Waiter{round_} User", node=2)
        waiter = await world.wait(api, room, f"Waiter {round_}", moderators)
        await asyncio.gather(
            *(m.send("moderation", {"action": "accept", "target": waiter.id}) for m in moderators)
        )
        assert await waiter.expect("moderation", "accepted") == {"message": "accepted"}
        await waiter.silent(0.3)  # exactly one accepted
        await nothing_for(waiter)
        await barrier(alice, mona, *members)  # nothing for the moderators or anyone else

        await waiter.send("control", {"action": "enter_room"})
        assert (await waiter.expect("control", "join_success"))["id"] == waiter.id
        for moderator in moderators:
            assert await moderator.expect("moderation", "left_waiting_room") == {
                "message": "left_waiting_room",
                "id": waiter.id,
            }
            assert (await moderator.expect("control", "joined"))["id"] == waiter.id
        for member in members:
            assert (await member.expect("control", "joined"))["id"] == waiter.id
        await barrier(waiter, *moderators, *members)  # no duplicates anywhere
        members.append(waiter)


async def test_kick_of_a_participant_on_another_node(world: World) -> None:
    _, _, (alice, bob, carol) = await spread(world)
    await alice.send("moderation", {"action": "kick", "target": bob.id})
    assert await bob.expect("moderation", "kicked") == {"message": "kicked"}
    assert (await bob.closed())[0] == 1000
    for peer in (alice, carol):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": bob.id,
            "reason": "kicked",
        }
    await barrier(carol, alice)


async def test_ban_is_enforced_on_every_node(world: World, group: NodeGroup) -> None:
    owner, room, (alice, bob, carol) = await spread(world)
    bob_api = world.apis[1]
    await alice.send("moderation", {"action": "ban", "target": bob.id})
    assert await bob.expect("moderation", "banned") == {"message": "banned"}
    assert (await bob.closed())[0] == 1000
    for peer in (alice, carol):
        assert (await peer.expect("control", "left"))["reason"] == "banned"
    for server in group.nodes:
        api = Api(server, bob_api.token)
        world.apis.append(api)
        response = await api.request("POST", f"/v1/rooms/{room}/start", {})
        assert (response.status_code, response.json()["code"]) == (403, "banned_from_room")
    for index in range(3):  # invite guests are not blocked, on any node
        guest = await world.guest_socket(owner, room, node=index)
        await guest.join(f"Guest {index}")


async def test_private_and_group_chat_across_nodes(world: World) -> None:
    _, room, (alice, bob, carol) = await spread(world)
    dave_api = world.user("Dave User", groups=[BACKEND], node=2)
    dave, success = await world.enter(dave_api, room, "Dave")
    shared = {p["id"]: p["chat"]["groups"] for p in success["participants"]}
    assert shared == {alice.id: [BACKEND], bob.id: [BACKEND], carol.id: []}
    for peer, groups in ((alice, [BACKEND]), (bob, [BACKEND]), (carol, [])):
        assert (await peer.expect("control", "joined"))["chat"] == {"groups": groups}

    await alice.send(
        "chat", {"action": "send_message", "scope": "private", "target": carol.id, "content": "p"}
    )
    for peer in (carol, alice):
        payload = await peer.expect("chat", "message_sent")
        assert payload["target"] == carol.id and payload["source"] == alice.id
    await barrier(bob, alice, carol, dave)

    await bob.send(
        "chat", {"action": "send_message", "scope": "group", "target": BACKEND, "content": "t"}
    )
    for peer in (bob, alice, dave):
        payload = await peer.expect("chat", "message_sent")
        assert payload["scope"] == "group" and payload["source"] == bob.id
    await barrier(dave, alice, bob, carol)  # carol is not in the group

    late, success = await world.enter(world.user("Late User", groups=[BACKEND], node=1), room, "L")
    [backend] = success["chat"]["groups_history"]
    assert [m["content"] for m in backend["history"]["messages"]] == ["t"]
    del late


async def test_waiting_room_moves_and_renames_across_nodes(world: World) -> None:
    owner, room, (alice, bob, carol) = await spread(world)
    gwen = await world.guest_socket(owner, room, node=2)
    await gwen.join("Gwen")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    await alice.send(
        "moderation", {"action": "change_display_name", "target": gwen.id, "new_name": "Gwendolyn"}
    )
    for peer in (alice, bob, carol):
        got = by_message(await frames(peer, 2))
        assert got["moderation/display_name_changed"]["new_name"] == "Gwendolyn"
        assert got["control/update"]["control"]["display_name"] == "Gwendolyn"
    assert (await gwen.expect("moderation", "display_name_changed"))["old_name"] == "Gwen"

    await alice.send("moderation", {"action": "send_to_waiting_room", "target": bob.id})
    for peer in (alice, bob, carol, gwen):
        await peer.expect("moderation", "waiting_room_enabled")
    await bob.expect("moderation", "sent_to_waiting_room")
    await bob.expect("moderation", "in_waiting_room")
    for peer in (alice, carol, gwen):
        assert (await peer.expect("control", "left"))["reason"] == "sent_to_waiting_room"
    assert (await alice.expect("moderation", "joined_waiting_room"))["id"] == bob.id

    newcomer = await world.connect(world.user("New User", node=1), room)
    await held(newcomer, "New", [alice])
    await alice.send("moderation", {"action": "disable_waiting_room"})
    for peer in (alice, carol, gwen):
        await peer.expect("moderation", "waiting_room_disabled")
    for waiter in (bob, newcomer):
        assert await waiter.expect("moderation", "accepted") == {"message": "accepted"}
    await barrier(alice, carol, gwen)
    await nothing_for(bob, newcomer)
