"""The control module over real sockets: join, join_success, joined/left, hands, roles (§5, §7)."""

from __future__ import annotations

from tests.support.client import Api, Peer
from tests.support.expect import TIMESTAMP, enter
from tests.support.server import ServerProcess


async def test_join_success_has_the_web_app_shape(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room(password="secret123")
    started = await owner.start(room["id"])
    peer = await Peer.connect(server, started["ticket"])
    await peer.send("control", {"action": "join", "display_name": "  Olivia \t Owner "})
    frame = await peer.recv()
    assert frame["namespace"] == "control"
    assert TIMESTAMP.match(frame["timestamp"])
    success = frame["payload"]
    assert success["message"] == "join_success"
    assert success["display_name"] == "Olivia Owner"
    assert success["role"] == "moderator" and success["is_room_owner"] is True
    assert success["avatar_url"].startswith("https://seccdn.libravatar.org/avatar/")
    assert success["participants"] == []
    assert success["room_info"]["id"] == room["id"]
    assert success["room_info"]["password"] == "secret123"
    assert success["room_info"]["created_by"]["display_name"] == "Olivia Owner"
    tariff = success["tariff"]
    assert tariff["quotas"] == {}
    assert all(value == {"features": []} for value in tariff["modules"].values())
    assert {"chat", "moderation"} <= set(tariff["modules"])
    assert success["chat"]["enabled"] is True
    assert success["chat"]["room_history"] == {"messages": [], "next_index": None}
    assert success["moderation"]["raise_hands_enabled"] is True
    assert success["moderation"]["waiting_room_enabled"] is False
    assert success["moderation"]["waiting_room_participants"] == []
    for absent in ("closes_at", "event_info", "polls", "breakout", "timer", "recording"):
        assert absent not in success
    await peer.close()


async def test_a_second_participant_is_announced_and_so_is_its_leaving(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room(password="pw")
    alice = await enter(server, owner, room["id"], "Alice")
    bob_start = await user.start(room["id"])
    bob = await Peer.connect(server, bob_start["ticket"])
    success = await bob.join("Bob")
    assert success["role"] == "user" and success["is_room_owner"] is False
    assert "password" not in success["room_info"]
    [peer] = success["participants"]
    assert peer["id"] == alice.id
    assert peer["control"]["display_name"] == "Alice"
    assert peer["control"]["role"] == "moderator"
    assert peer["control"]["left_at"] is None
    assert peer["chat"] == {"groups": []}
    assert "waiting_room_participants" not in success["moderation"]

    joined = await alice.expect("control", "joined")
    assert joined["id"] == bob.id
    assert joined["control"]["participation_kind"] == "user"
    assert joined["control"]["hand_is_up"] is False
    assert TIMESTAMP.match(joined["control"]["joined_at"])

    await bob.close()
    left = await alice.expect("control", "left")
    assert left == {"message": "left", "id": bob.id, "reason": "quit"}
    await alice.silent()
    await alice.close()


async def test_join_errors_leave_the_socket_usable(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room()
    started = await owner.start(room["id"])
    peer = await Peer.connect(server, started["ticket"])
    await peer.send("control", {"action": "join", "display_name": "   "})
    assert (await peer.expect("control", "error"))["error"] == "invalid_username"
    await peer.send("control", {"action": "join", "display_name": "x" * 101})
    assert (await peer.expect("control", "error"))["error"] == "invalid_username"
    await peer.send("control", {"action": "raise_hand"})
    assert (await peer.expect("control", "error"))["error"] == "not_yet_joined"
    success = await peer.join("é" * 100)
    assert success["display_name"] == "é" * 100
    await peer.send("control", {"action": "join", "display_name": "Again"})
    assert (await peer.expect("control", "error"))["error"] == "already_joined"
    await peer.send("control", {"action": "enter_room"})
    assert (await peer.expect("control", "error"))["error"] == "not_accepted_or_not_in_waiting_room"
    await peer.echo()
    await peer.close()


async def test_a_user_without_display_name_gets_the_profile_name(
    server: ServerProcess, owner: Api
) -> None:
    room = await owner.create_room()
    started = await owner.start(room["id"])
    peer = await Peer.connect(server, started["ticket"])
    success = await peer.join(None)
    assert success["display_name"] == "Olivia Owner"
    await peer.close()


async def test_raise_and_lower_hand(server: ServerProcess, owner: Api, user: Api) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    bob = await enter(server, user, room["id"], "Bob")
    await alice.expect("control", "joined")

    await bob.send("control", {"action": "raise_hand"})
    await bob.expect("control", "hand_raised")
    update = await alice.expect("control", "update")
    assert update["id"] == bob.id and update["control"]["hand_is_up"] is True
    assert update["chat"] == {"groups": []}

    await bob.send("control", {"action": "lower_hand"})
    await bob.expect("control", "hand_lowered")
    update = await alice.expect("control", "update")
    assert update["control"]["hand_is_up"] is False
    await bob.silent()
    for peer in (alice, bob):
        await peer.close()


async def test_raise_hands_can_be_disabled_and_hands_reset(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    bob = await enter(server, user, room["id"], "Bob")
    await alice.expect("control", "joined")

    await bob.send("moderation", {"action": "disable_raise_hands"})
    assert (await bob.expect("moderation", "error"))["error"] == "insufficient_permissions"

    await bob.send("control", {"action": "raise_hand"})
    await bob.expect("control", "hand_raised")
    await alice.expect("control", "update")
    await alice.send("moderation", {"action": "reset_raised_hands", "target": bob.id})
    update = await alice.expect("control", "update")
    assert update["id"] == bob.id and update["control"]["hand_is_up"] is False
    reset = await bob.expect("moderation", "raised_hand_reset_by_moderator")
    assert reset["issued_by"] == alice.id

    await alice.send("moderation", {"action": "disable_raise_hands"})
    for peer in (alice, bob):
        assert (await peer.expect("moderation", "raise_hands_disabled"))["issued_by"] == alice.id
    await bob.send("control", {"action": "raise_hand"})
    assert (await bob.expect("control", "error"))["error"] == "raise_hands_disabled"
    await bob.send("control", {"action": "lower_hand"})
    await bob.expect("control", "hand_lowered")
    await alice.expect("control", "update")

    await alice.send("moderation", {"action": "enable_raise_hands"})
    for peer in (alice, bob):
        await peer.expect("moderation", "raise_hands_enabled")
    await bob.send("control", {"action": "raise_hand"})
    await bob.expect("control", "hand_raised")
    for peer in (alice, bob):
        await peer.close()


async def test_grant_and_revoke_moderator_role(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    bob = await enter(server, user, room["id"], "Bob")
    await alice.expect("control", "joined")

    await bob.send("control", {"action": "grant_moderator_role", "target": alice.id})
    assert (await bob.expect("control", "error"))["error"] == "insufficient_permissions"
    await alice.send("control", {"action": "grant_moderator_role", "target": alice.id})
    assert (await alice.expect("control", "error"))["error"] == "nothing_to_do"
    await alice.send("control", {"action": "revoke_moderator_role", "target": bob.id})
    assert (await alice.expect("control", "error"))["error"] == "nothing_to_do"
    await alice.send("control", {"action": "grant_moderator_role", "target": "not-a-participant"})
    assert (await alice.expect("control", "error"))["error"] == "nothing_to_do"

    await alice.send("control", {"action": "grant_moderator_role", "target": bob.id})
    assert (await bob.expect("control", "role_updated"))["new_role"] == "moderator"
    update = await alice.expect("control", "update")
    assert update["id"] == bob.id and update["control"]["role"] == "moderator"
    assert (await alice.expect("control", "moderator_role_granted"))["target"] == bob.id

    await bob.send("control", {"action": "revoke_moderator_role", "target": alice.id})
    assert (await bob.expect("control", "error"))["error"] == "target_is_room_owner"

    await alice.send("control", {"action": "revoke_moderator_role", "target": bob.id})
    assert (await bob.expect("control", "role_updated"))["new_role"] == "user"
    assert (await alice.expect("control", "update"))["control"]["role"] == "user"
    assert (await alice.expect("control", "moderator_role_revoked"))["target"] == bob.id
    await bob.send("moderation", {"action": "disable_raise_hands"})
    assert (await bob.expect("moderation", "error"))["error"] == "insufficient_permissions"
    for peer in (alice, bob):
        await peer.close()


async def test_a_rejoining_participant_keeps_the_stored_role(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    started = await user.start(room["id"])
    bob = await Peer.connect(server, started["ticket"])
    await bob.join("Bob")
    await alice.expect("control", "joined")
    await alice.send("control", {"action": "grant_moderator_role", "target": bob.id})
    await bob.expect("control", "role_updated")
    await bob.close()
    await alice.expect("control", "update")
    await alice.expect("control", "moderator_role_granted")
    await alice.expect("control", "left")

    again = await user.start(room["id"], resumption=started["resumption"])
    bob2 = await Peer.connect(server, again["ticket"])
    success = await bob2.join("Bob")
    assert success["id"] == bob.id
    assert success["role"] == "moderator"
    [peer] = success["participants"]
    assert peer["id"] == alice.id
    joined = await alice.expect("control", "joined")
    assert joined["id"] == bob.id and joined["control"]["left_at"] is None
    for p in (alice, bob2):
        await p.close()
