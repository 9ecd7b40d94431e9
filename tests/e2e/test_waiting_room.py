"""The waiting room over real sockets (reference §5.1, §8.1, §8.2 accept/enable/disable, §8.4,
§13, §15.3, §17.2, §17.6, §17.14).
"""

from __future__ import annotations

import asyncio
import uuid

from tests.support.expect import (
    barrier,
    by_message,
    frames,
    moderation_error,
    nothing_for,
)
from tests.support.world import (
    SIP_NAME,
    SIP_NUMBER,
    World,
    admit,
    enter_room,
    held,
)

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
