"""The waiting room over real sockets (reference §5.1, §8.1, §8.2 accept/enable/disable, §8.4,
§13, §15.3, §17.2, §17.6, §17.14).

The ``World`` helper at the top is shared by the chat-scope, moderation and multi-node module
tests: it makes fresh users, guests and SIP callers and closes whatever a test opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import pytest

from tests.support.client import Api, Peer
from tests.support.server import ServerProcess

Json = dict[str, Any]

SIP_NUMBER = "+49 30 12345678"
CONTROL_KEYS = {
    "display_name",
    "role",
    "participation_kind",
    "hand_is_up",
    "hand_updated_at",
    "joined_at",
    "is_room_owner",
}
SIP_NAME = "+** ** *****678"


class World:
    """Fresh users, guests and SIP callers on one or more server nodes (REST on node 0)."""

    def __init__(self, *nodes: ServerProcess) -> None:
        self.nodes = nodes
        self.apis: list[Api] = []
        self.peers: list[Peer] = []

    def user(self, name: str, groups: list[str] | None = None, node: int = 0) -> Api:
        server = self.nodes[node]
        sub = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}"
        token = (
            server.token(sub, name, groups=groups, email=f"{sub}@example.org")
            if groups
            else server.token(sub, name, email=f"{sub}@example.org")
        )
        api = Api(server, token)
        self.apis.append(api)
        return api

    def node(self, index: int | None, api: Api | None = None) -> ServerProcess:
        if index is not None:
            return self.nodes[index]
        return api.server if api is not None else self.nodes[0]

    async def connect(self, api: Api, room_id: str, node: int | None = None, **body: Any) -> Peer:
        """A socket with a fresh ticket (state None)."""
        started = await api.start(room_id, **body)
        peer = await Peer.connect(self.node(node, api), started["ticket"], started["resumption"])
        self.peers.append(peer)
        return peer

    async def resume(self, api: Api, room_id: str, old: Peer, node: int | None = None) -> Peer:
        """A new socket for the participant id of ``old`` (which must be closed)."""
        return await self.connect(api, room_id, node=node, resumption=old.resumption)

    async def enter(
        self, api: Api, room_id: str, name: str, node: int | None = None
    ) -> tuple[Peer, Json]:
        """Connect and join straight into the room; returns the peer and its join_success."""
        peer = await self.connect(api, room_id, node=node)
        success = await peer.join(name)
        return peer, success

    async def guest_socket(
        self, owner: Api, room_id: str, password: str | None = None, node: int | None = None
    ) -> Peer:
        """A guest's socket via a fresh invite (state None)."""
        made = await owner.request("POST", f"/v1/rooms/{room_id}/invites", {})
        assert made.status_code == 201, made.text
        body: Json = {"invite_code": made.json()["invite_code"]}
        if password is not None:
            body["password"] = password
        response = await owner.http.post(f"/v1/rooms/{room_id}/start_invited", json=body)
        assert response.status_code == 200, response.text
        started = response.json()
        peer = await Peer.connect(self.node(node), started["ticket"], started["resumption"])
        self.peers.append(peer)
        return peer

    async def guest(self, owner: Api, room_id: str, name: str) -> tuple[Peer, Json]:
        peer = await self.guest_socket(owner, room_id)
        return peer, await peer.join(name)

    async def sip_socket(
        self, owner: Api, room_id: str, lobby: bool, node: int | None = None
    ) -> Peer:
        """A call-in socket (state None) after setting the room's SIP ``lobby`` flag."""
        config = await owner.request("PUT", f"/v1/rooms/{room_id}/sip", {"lobby": lobby})
        assert config.status_code in (200, 201), config.text
        assert config.json()["lobby"] is lobby
        server = self.nodes[0]
        gateway = server.token("gateway", service="call-in")
        body = {"id": config.json()["sip_id"], "pin": config.json()["password"]}
        response = await owner.request("POST", "/v1/services/call_in/start", body, token=gateway)
        assert response.status_code == 200, response.text
        peer = await Peer.connect(self.node(node), response.json()["ticket"])
        self.peers.append(peer)
        return peer

    async def wait(
        self,
        api: Api,
        room_id: str,
        name: str,
        moderators: Sequence[Peer],
        node: int | None = None,
    ) -> Peer:
        """Connect and join into the waiting room; every moderator listed must be told."""
        peer = await self.connect(api, room_id, node=node)
        return await held(peer, name, moderators)

    async def aclose(self) -> None:
        for peer in self.peers:
            try:
                await asyncio.wait_for(peer.close(), 2)
            except Exception:  # a peer with a full receive queue: drop the connection
                with contextlib.suppress(Exception):
                    peer.ws.transport.abort()
        for api in self.apis:
            await api.aclose()


async def held(peer: Peer, name: str, moderators: Sequence[Peer], shown: str | None = None) -> Peer:
    """``peer`` (state None) joins and must land in the waiting room; sets ``peer.id``."""
    await peer.send("control", {"action": "join", "display_name": name})
    assert await peer.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    ids = set()
    for moderator in moderators:
        seen = await moderator.expect("moderation", "joined_waiting_room")
        assert set(seen) == {"message", "id", "control"}, seen
        assert seen["control"]["display_name"] == (shown or " ".join(name.split()))
        assert set(seen["control"]) >= CONTROL_KEYS, seen
        assert seen["control"]["is_room_owner"] is False
        assert seen["control"]["hand_is_up"] is False
        ids.add(seen["id"])
    if moderators:
        assert len(ids) == 1
        peer.id = ids.pop()
        uuid.UUID(peer.id)
    return peer


async def admit(
    waiter: Peer, by: Peer, moderators: Iterable[Peer] = (), members: Iterable[Peer] = ()
) -> Json:
    """``by`` accepts ``waiter``, which enters; ``moderators`` (``by`` included when joined in the
    room) see ``left_waiting_room`` then ``joined``, ``members`` only ``joined``."""
    await by.send("moderation", {"action": "accept", "target": waiter.id})
    assert await waiter.expect("moderation", "accepted") == {"message": "accepted"}
    return await enter_room(waiter, moderators, members)


async def enter_room(
    waiter: Peer, moderators: Iterable[Peer] = (), members: Iterable[Peer] = ()
) -> Json:
    await waiter.send("control", {"action": "enter_room"})
    success = await waiter.expect("control", "join_success")
    if waiter.id is not None:
        assert success["id"] == waiter.id
    waiter.id = success["id"]
    for moderator in moderators:
        left = await moderator.expect("moderation", "left_waiting_room")
        assert left == {"message": "left_waiting_room", "id": waiter.id}
        assert (await moderator.expect("control", "joined"))["id"] == waiter.id
    for member in members:
        assert (await member.expect("control", "joined"))["id"] == waiter.id
    return success


async def barrier(sender: Peer, *others: Peer) -> None:
    """A global chat message from ``sender`` must be the next frame of ``sender`` and of every
    other (joined) peer: nothing was queued for them before it (§15.3 publish order)."""
    text = f"barrier {uuid.uuid4()}"
    await sender.send("chat", {"action": "send_message", "scope": "global", "content": text})
    for peer in (sender, *others):
        sent = await peer.expect("chat", "message_sent")
        assert sent["content"] == text and sent["source"] == sender.id, sent


async def nothing_for(*peers: Peer) -> None:
    """Only an echo answers: for peers that are not joined (no barrier reaches them)."""
    for peer in peers:
        await peer.echo()
        await peer.silent(0.1)


async def frames(peer: Peer, count: int) -> list[tuple[str, Json]]:
    """The next ``count`` frames as (namespace, payload), for events whose order is free."""
    got = []
    for _ in range(count):
        frame = await peer.recv()
        got.append((frame["namespace"], frame["payload"]))
    return got


def by_message(got: list[tuple[str, Json]]) -> dict[str, Json]:
    table = {f"{namespace}/{payload['message']}": payload for namespace, payload in got}
    assert len(table) == len(got), got
    return table


async def moderation_error(peer: Peer, code: str, namespace: str = "moderation") -> None:
    assert await peer.expect(namespace, "error") == {"message": "error", "error": code}


@pytest.fixture
async def world(server: ServerProcess) -> AsyncIterator[World]:
    made = World(server)
    yield made
    await made.aclose()


# -- tests -------------------------------------------------------------------------------------


async def test_a_joiner_waits_and_only_moderators_hear_of_it(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, success = await world.enter(owner, room, "Alice")
    assert success["moderation"] == {
        "raise_hands_enabled": True,
        "waiting_room_enabled": True,
        "waiting_room_participants": [],
    }

    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await nothing_for(bob)  # in_waiting_room and nothing else
    bob_success = await admit(bob, alice, moderators=[alice])
    assert bob_success["role"] == "user"
    assert bob_success["moderation"] == {"raise_hands_enabled": True}
    assert [p["id"] for p in bob_success["participants"]] == [alice.id]

    carol_api = world.user("Carol User")
    carol = await world.wait(carol_api, room, "  Carol \t C ", [alice])
    await barrier(alice, bob)  # bob, not a moderator, heard nothing of carol
    await nothing_for(carol)

    late, late_success = await world.enter(owner, room, "Alice Two")
    assert late_success["role"] == "moderator"
    [entry] = late_success["moderation"]["waiting_room_participants"]
    assert set(entry) == {"id", "control", "waiting_room_state"}
    assert entry["id"] == carol.id and entry["waiting_room_state"] == "waiting"
    assert entry["control"]["display_name"] == "Carol C"
    assert entry["control"]["participation_kind"] == "user"
    assert entry["control"]["role"] == "user"
    assert {p["id"] for p in late_success["participants"]} == {alice.id, bob.id}
    for peer in (alice, bob):
        assert (await peer.expect("control", "joined"))["id"] == late.id
    await nothing_for(carol)


async def test_the_moderator_list_shows_waiting_entries_before_accepted_ones(
    world: World,
) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    dave = await world.wait(world.user("Dave User"), room, "Dave", [alice])
    gwen = await held(await world.guest_socket(owner, room), "Gwen", [alice])
    await alice.send("moderation", {"action": "accept", "target": dave.id})
    assert await dave.expect("moderation", "accepted") == {"message": "accepted"}

    late, success = await world.enter(owner, room, "Alice Two")
    listed = success["moderation"]["waiting_room_participants"]
    assert [(e["id"], e["waiting_room_state"]) for e in listed] == [
        (gwen.id, "waiting"),
        (dave.id, "accepted"),
    ]
    guest_control = listed[0]["control"]
    assert guest_control["participation_kind"] == "guest" and guest_control["role"] == "guest"
    assert "avatar_url" not in guest_control
    assert "avatar_url" in listed[1]["control"]
    assert (await alice.expect("control", "joined"))["id"] == late.id
    await nothing_for(gwen, dave)


async def test_accept_then_enter_room(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])

    await alice.send("moderation", {"action": "accept", "target": carol.id})
    assert await carol.expect("moderation", "accepted") == {"message": "accepted"}
    await barrier(alice, bob)  # no event to the issuer or to anyone else
    await nothing_for(carol)

    await carol.send("control", {"action": "enter_room"})
    success = await carol.expect("control", "join_success")
    assert success["id"] == carol.id and success["role"] == "user"
    assert {p["id"] for p in success["participants"]} == {alice.id, bob.id}
    assert success["moderation"] == {"raise_hands_enabled": True}
    assert await alice.expect("moderation", "left_waiting_room") == {
        "message": "left_waiting_room",
        "id": carol.id,
    }
    joined = await alice.expect("control", "joined")
    assert joined["id"] == carol.id and joined["control"]["display_name"] == "Carol"
    assert joined["control"]["left_at"] is None
    joined = await bob.expect("control", "joined")  # no left_waiting_room for non-moderators
    assert joined["id"] == carol.id
    await barrier(carol, alice, bob)


async def test_enter_room_needs_an_accept(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])

    await carol.send("control", {"action": "enter_room"})
    await moderation_error(carol, "not_accepted_or_not_in_waiting_room", "control")
    await carol.send("control", {"action": "join", "display_name": "Again"})
    await moderation_error(carol, "already_joined", "control")
    await barrier(alice)
    await nothing_for(carol)

    await admit(carol, alice, moderators=[alice])
    await carol.send("control", {"action": "enter_room"})
    await moderation_error(carol, "not_accepted_or_not_in_waiting_room", "control")
    await barrier(alice, carol)


async def test_a_waiting_participant_that_leaves_is_dropped_from_the_lists(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])
    dave = await world.wait(world.user("Dave User"), room, "Dave", [alice])
    await alice.send("moderation", {"action": "accept", "target": dave.id})
    await dave.expect("moderation", "accepted")

    await carol.close()
    assert await alice.expect("moderation", "left_waiting_room") == {
        "message": "left_waiting_room",
        "id": carol.id,
    }
    await dave.close()  # accepted but never entered
    assert await alice.expect("moderation", "left_waiting_room") == {
        "message": "left_waiting_room",
        "id": dave.id,
    }
    await barrier(alice, bob)  # no control/left for waiting participants, nothing to bob

    late, success = await world.enter(owner, room, "Alice Two")
    assert success["moderation"]["waiting_room_participants"] == []
    assert {p["id"] for p in success["participants"]} == {alice.id, bob.id}
    for peer in (alice, bob):
        assert (await peer.expect("control", "joined"))["id"] == late.id


async def test_accept_ignores_targets_that_are_not_waiting(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])

    await bob.send("moderation", {"action": "accept", "target": carol.id})
    await moderation_error(bob, "insufficient_permissions")
    for target in (str(uuid.uuid4()), bob.id, alice.id, "not-a-uuid", 42, None, [carol.id]):
        await alice.send("moderation", {"action": "accept", "target": target})
    await alice.send("moderation", {"action": "accept"})
    await barrier(alice, bob)
    await nothing_for(carol)  # still waiting, not accepted by any of these

    await alice.send("moderation", {"action": "accept", "target": carol.id})
    assert await carol.expect("moderation", "accepted") == {"message": "accepted"}
    await alice.send("moderation", {"action": "accept", "target": carol.id})  # no-op
    await barrier(alice, bob)
    await nothing_for(carol)
    await enter_room(carol, moderators=[alice], members=[bob])
    await alice.send("moderation", {"action": "accept", "target": carol.id})  # joined: ignored
    await barrier(alice, bob, carol)


async def test_a_waiting_participant_gets_only_accepted_and_its_own_replies(
    world: World,
) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])

    # what happens in the room does not reach carol
    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "hi"})
    for peer in (alice, bob):
        await peer.expect("chat", "message_sent")
    await alice.send("moderation", {"action": "disable_raise_hands"})
    for peer in (alice, bob):
        await peer.expect("moderation", "raise_hands_disabled")
    await alice.send("moderation", {"action": "enable_raise_hands"})
    for peer in (alice, bob):
        await peer.expect("moderation", "raise_hands_enabled")
    await alice.send("moderation", {"action": "enable_waiting_room"})
    for peer in (alice, bob):
        await peer.expect("moderation", "waiting_room_enabled")
    await bob.send("control", {"action": "raise_hand"})
    await bob.expect("control", "hand_raised")
    await alice.expect("control", "update")
    await world.wait(world.user("Dave User"), room, "Dave", [alice])
    await bob.close()
    assert (await alice.expect("control", "left"))["id"] == bob.id
    await barrier(alice)
    await nothing_for(carol)

    # carol's own module commands are dropped silently; control commands are answered
    await carol.send("chat", {"action": "send_message", "scope": "global", "content": "let me in"})
    await carol.send("chat", {"action": "send_message", "scope": "private", "target": alice.id,
                              "content": "psst"})  # fmt: skip
    await carol.send("moderation", {"action": "disable_waiting_room"})
    await carol.send("moderation", {"action": "accept", "target": carol.id})
    await carol.send("moderation", {"action": "kick", "target": alice.id})
    await carol.send("chat", {"action": "disable_chat"})
    await nothing_for(carol)
    await carol.send("control", {"action": "raise_hand"})
    await moderation_error(carol, "not_yet_joined", "control")
    await barrier(alice)  # nothing reached alice, and the waiting room is still on

    success = await admit(carol, alice, moderators=[alice])
    history = success["chat"]["room_history"]["messages"]
    assert [m["content"] for m in history if not m["content"].startswith("barrier")] == ["hi"]
    assert success["chat"]["enabled"] is True
    assert success["chat"]["private_history"] == []


async def test_disabling_the_waiting_room_accepts_everyone_waiting(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])
    gwen = await held(await world.guest_socket(owner, room), "Gwen", [alice])

    await bob.send("moderation", {"action": "disable_waiting_room"})
    await moderation_error(bob, "insufficient_permissions")
    await barrier(alice, bob)
    await nothing_for(carol, gwen)

    await alice.send("moderation", {"action": "disable_waiting_room"})
    for peer in (alice, bob):
        assert await peer.expect("moderation", "waiting_room_disabled") == {
            "message": "waiting_room_disabled"
        }
    for waiter in (carol, gwen):
        assert await waiter.expect("moderation", "accepted") == {"message": "accepted"}
    await barrier(alice, bob)
    await nothing_for(carol, gwen)

    await enter_room(carol, moderators=[alice], members=[bob])
    eve, success = await world.enter(world.user("Eve User"), room, "Eve")  # straight in now
    assert {p["id"] for p in success["participants"]} == {alice.id, bob.id, carol.id}
    for peer in (alice, bob, carol):
        assert (await peer.expect("control", "joined"))["id"] == eve.id

    await alice.send("moderation", {"action": "disable_waiting_room"})  # unchanged: still sent
    for peer in (alice, bob, carol, eve):
        await peer.expect("moderation", "waiting_room_disabled")
    await nothing_for(gwen)  # accepted once only
    await enter_room(gwen, moderators=[alice], members=[bob, carol, eve])
    _, late = await world.enter(owner, room, "Alice Two")
    assert late["moderation"]["waiting_room_enabled"] is False
    assert late["moderation"]["waiting_room_participants"] == []


async def test_enable_waiting_room_holds_later_joiners(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, success = await world.enter(owner, room, "Alice")
    assert success["moderation"]["waiting_room_enabled"] is False
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    await alice.expect("control", "joined")

    await bob.send("moderation", {"action": "enable_waiting_room"})
    await moderation_error(bob, "insufficient_permissions")
    await barrier(alice, bob)
    carol, _ = await world.enter(world.user("Carol User"), room, "Carol")  # still off
    for peer in (alice, bob):
        await peer.expect("control", "joined")

    for _ in range(2):  # also sent when the flag does not change
        await alice.send("moderation", {"action": "enable_waiting_room"})
        for peer in (alice, bob, carol):
            assert await peer.expect("moderation", "waiting_room_enabled") == {
                "message": "waiting_room_enabled"
            }
    dave = await world.wait(world.user("Dave User"), room, "Dave", [alice])
    await barrier(alice, bob, carol)
    await nothing_for(dave)
    _, late = await world.enter(owner, room, "Alice Two")
    assert late["moderation"]["waiting_room_enabled"] is True
    assert [e["id"] for e in late["moderation"]["waiting_room_participants"]] == [dave.id]


async def test_an_accepted_participant_resuming_skips_the_waiting_room(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob_api = world.user("Bob User")
    bob = await world.wait(bob_api, room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])
    await bob.close()
    assert await alice.expect("control", "left") == {
        "message": "left",
        "id": bob.id,
        "reason": "quit",
    }

    again = await world.resume(bob_api, room, bob)
    success = await again.join("Bob")
    assert success["id"] == bob.id
    joined = await alice.expect("control", "joined")
    assert joined["id"] == bob.id and joined["control"]["left_at"] is None

    # accepted but not entered: the skip flag is set by the accept itself (§5.1 step 4)
    dave_api = world.user("Dave User")
    dave = await world.wait(dave_api, room, "Dave", [alice])
    await alice.send("moderation", {"action": "accept", "target": dave.id})
    await dave.expect("moderation", "accepted")
    await dave.close()
    await alice.expect("moderation", "left_waiting_room")
    dave_again = await world.resume(dave_api, room, dave)
    assert (await dave_again.join("Dave"))["id"] == dave.id
    for peer in (alice, again):
        assert (await peer.expect("control", "joined"))["id"] == dave.id

    # a new participant id of the same user is held again
    await world.wait(bob_api, room, "Bob", [alice])
    await barrier(alice, again, dave_again)


async def test_a_sip_caller_with_lobby_waits_and_switches_the_waiting_room_on(
    world: World,
) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    await alice.expect("control", "joined")

    sip = await world.sip_socket(owner, room, lobby=True)
    await sip.send("control", {"action": "join", "display_name": SIP_NUMBER})
    assert await sip.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    got = by_message(await frames(alice, 2))
    assert got["moderation/waiting_room_enabled"] == {"message": "waiting_room_enabled"}
    announced = got["moderation/joined_waiting_room"]
    sip.id = announced["id"]
    control = announced["control"]
    assert control["display_name"] == SIP_NAME
    assert control["participation_kind"] == "sip" and control["role"] == "guest"
    assert "avatar_url" not in control
    assert await bob.expect("moderation", "waiting_room_enabled") == {
        "message": "waiting_room_enabled"
    }
    await barrier(alice, bob)
    await nothing_for(sip)

    await alice.send("moderation", {"action": "accept", "target": sip.id})
    assert await sip.expect("moderation", "accepted") == {"message": "accepted"}
    success = await enter_room(sip, moderators=[alice])
    assert success["display_name"] == SIP_NAME
    joined = await bob.expect("control", "joined")
    assert joined["id"] == sip.id and "chat" not in joined

    # the flag stays on: a user is held as well
    await world.wait(world.user("Carol User"), room, "Carol", [alice])
    await barrier(alice, bob, sip)


async def test_sip_callers_without_lobby_follow_the_room_flag(world: World) -> None:
    owner = world.user("Olivia Owner")
    open_room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, open_room, "Alice")
    sip = await world.sip_socket(owner, open_room, lobby=False)
    success = await sip.join(SIP_NUMBER)
    assert success["display_name"] == SIP_NAME and success["role"] == "guest"
    joined = await alice.expect("control", "joined")
    assert joined["control"]["participation_kind"] == "sip" and "chat" not in joined
    await barrier(alice, sip)

    closed_room = (await owner.create_room(waiting_room=True))["id"]
    mod, _ = await world.enter(owner, closed_room, "Mod")
    caller = await world.sip_socket(owner, closed_room, lobby=False)
    await held(caller, SIP_NUMBER, [mod], shown=SIP_NAME)
    await admit(caller, mod, moderators=[mod])


async def test_a_waiting_room_keeps_the_room_alive_and_cleanup_resets_it(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "old"})
    await alice.expect("chat", "message_sent")
    await alice.send("moderation", {"action": "enable_waiting_room"})
    await alice.expect("moderation", "waiting_room_enabled")
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])
    await alice.close()
    await asyncio.sleep(1.6)  # longer than the 1 s grace period: carol still waits

    back, success = await world.enter(owner, room, "Alice")
    assert [m["content"] for m in success["chat"]["room_history"]["messages"]] == ["old"]
    assert success["moderation"]["waiting_room_enabled"] is True
    assert [e["id"] for e in success["moderation"]["waiting_room_participants"]] == [carol.id]
    await nothing_for(carol)

    await carol.close()
    await back.expect("moderation", "left_waiting_room")
    await back.close()
    await asyncio.sleep(1.6)
    _, fresh = await world.enter(owner, room, "Alice")
    assert fresh["chat"]["room_history"]["messages"] == []
    assert fresh["moderation"]["waiting_room_enabled"] is False  # back to the DB setting
    assert fresh["moderation"]["waiting_room_participants"] == []


async def test_room_deletion_reaches_waiting_participants(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice])
    response = await owner.request("DELETE", f"/v1/rooms/{room}")
    assert response.status_code == 204
    for peer in (alice, carol):
        assert await peer.expect("control", "room_deleted") == {"message": "room_deleted"}
        code, _ = await peer.closed()
        assert code == 1000


async def test_waiting_room_news_follow_the_role_at_delivery_time(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.wait(world.user("Bob User"), room, "Bob", [alice])
    await admit(bob, alice, moderators=[alice])

    await alice.send("control", {"action": "grant_moderator_role", "target": bob.id})
    await bob.expect("control", "role_updated")
    await alice.expect("control", "update")
    await alice.expect("control", "moderator_role_granted")
    carol = await world.wait(world.user("Carol User"), room, "Carol", [alice, bob])
    await bob.send("moderation", {"action": "accept", "target": carol.id})  # a moderator now
    assert await carol.expect("moderation", "accepted") == {"message": "accepted"}
    await enter_room(carol, moderators=[alice, bob])

    await alice.send("control", {"action": "revoke_moderator_role", "target": bob.id})
    assert (await bob.expect("control", "role_updated"))["new_role"] == "user"
    await alice.expect("control", "update")
    await alice.expect("control", "moderator_role_revoked")
    await carol.expect("control", "update")
    dave = await world.wait(world.user("Dave User"), room, "Dave", [alice])
    await dave.close()
    assert (await alice.expect("moderation", "left_waiting_room"))["id"] == dave.id
    await barrier(alice, bob, carol)  # bob heard of neither
