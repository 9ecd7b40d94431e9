"""Moderation over real sockets: kick, ban, send_to_waiting_room, debrief, change_display_name
and the raise-hands switches (reference §5.2, §6, §8.2, §8.3, §17.6)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.client import Api, Json, Peer
from tests.support.expect import barrier, by_message, frames, moderation_error, nothing_for
from tests.support.world import (
    SIP_NAME,
    SIP_NUMBER,
    World,
    admit,
    held,
)


async def three(world: World, waiting_room: bool = False) -> tuple[Api, str, Peer, Peer, Peer]:
    """Owner Alice (moderator), users Bob and Carol, all joined and announced."""
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=waiting_room))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    peers = [alice]
    for name in ("Bob", "Carol"):
        api = world.user(f"{name} User")
        if waiting_room:
            peer = await world.wait(api, room, name, [alice])
            await admit(peer, alice, moderators=[alice], members=peers[1:])
        else:
            peer, _ = await world.enter(api, room, name)
            for other in peers:
                assert (await other.expect("control", "joined"))["id"] == peer.id
        peers.append(peer)
    return owner, room, peers[0], peers[1], peers[2]


async def start_status(api: Api, room_id: str, **body: object) -> tuple[int, str | None]:
    response = await api.request("POST", f"/v1/rooms/{room_id}/start", body)
    return response.status_code, response.json().get("code")


async def grant(by: Peer, target: Peer, *others: Peer) -> None:
    await by.send("control", {"action": "grant_moderator_role", "target": target.id})
    assert (await target.expect("control", "role_updated"))["new_role"] == "moderator"
    for peer in (by, *others):
        assert (await peer.expect("control", "update"))["id"] == target.id
    await by.expect("control", "moderator_role_granted")


# -- kick ----------------------------------------------------------------------------------------


async def test_kick(world: World) -> None:
    _, room, alice, bob, carol = await three(world)
    bob_api = world.apis[1]

    await bob.send("moderation", {"action": "kick", "target": carol.id})
    await moderation_error(bob, "insufficient_permissions")
    await barrier(alice, bob, carol)  # carol is still there

    await alice.send("moderation", {"action": "kick", "target": bob.id})
    assert await bob.expect("moderation", "kicked") == {"message": "kicked"}
    code, _ = await bob.closed()
    assert code == 1000
    for peer in (alice, carol):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": bob.id,
            "reason": "kicked",
        }
    await barrier(alice, carol)

    again = await world.resume(bob_api, room, bob)  # may start again
    assert (await again.join("Bob"))["id"] == bob.id
    for peer in (alice, carol):
        assert (await peer.expect("control", "joined"))["id"] == bob.id


async def test_a_kicked_participant_must_wait_again(world: World) -> None:
    _, room, alice, bob, carol = await three(world, waiting_room=True)
    await alice.send("moderation", {"action": "kick", "target": bob.id})
    assert await bob.expect("moderation", "kicked") == {"message": "kicked"}
    assert (await bob.closed())[0] == 1000
    for peer in (alice, carol):
        assert (await peer.expect("control", "left"))["reason"] == "kicked"
    again = await world.resume(world.apis[1], room, bob)  # skip flag cleared by the kick
    await held(again, "Bob", [alice])
    assert again.id == bob.id
    await barrier(alice, carol)


async def test_a_sip_caller_and_a_guest_can_be_kicked(world: World) -> None:
    owner, room, alice, bob, _ = await three(world)
    sip = await world.sip_socket(owner, room, lobby=False)
    await sip.join(SIP_NUMBER)
    gwen, _ = await world.guest(owner, room, "Gwen")
    members = world.peers[:3]
    for peer in members:
        await peer.expect("control", "joined")
        await peer.expect("control", "joined")
    await sip.expect("control", "joined")
    for target in (sip, gwen):
        await alice.send("moderation", {"action": "kick", "target": target.id})
        assert await target.expect("moderation", "kicked") == {"message": "kicked"}
        assert (await target.closed())[0] == 1000
        for peer in members:
            assert await peer.expect("control", "left") == {
                "message": "left",
                "id": target.id,
                "reason": "kicked",
            }
        if target is sip:
            assert (await gwen.expect("control", "left"))["id"] == sip.id
    await barrier(alice, bob)


async def test_the_owner_can_be_kicked_by_another_moderator(world: World) -> None:
    _, _, alice, bob, carol = await three(world)
    await grant(alice, bob, carol)
    await bob.send("moderation", {"action": "kick", "target": alice.id})
    assert await alice.expect("moderation", "kicked") == {"message": "kicked"}
    assert (await alice.closed())[0] == 1000
    for peer in (bob, carol):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": alice.id,
            "reason": "kicked",
        }


async def test_kick_ignores_bad_and_foreign_targets(world: World) -> None:
    owner, room, alice, bob, carol = await three(world, waiting_room=True)
    dave = await world.wait(world.user("Dave User"), room, "Dave", [alice])
    gone = await world.wait(world.user("Gone User"), room, "Gone", [alice])
    await admit(gone, alice, moderators=[alice], members=[bob, carol])
    await gone.close()
    for peer in (alice, bob, carol):
        assert (await peer.expect("control", "left"))["id"] == gone.id
    other_room = (await owner.create_room())["id"]
    elsewhere, _ = await world.enter(world.user("Eve User"), other_room, "Eve")

    targets: list[object] = [dave.id, gone.id, elsewhere.id, str(uuid.uuid4()), "nope", 42, None]
    targets.append([bob.id])
    for target in targets:
        await alice.send("moderation", {"action": "kick", "target": target})
    await alice.send("moderation", {"action": "kick"})
    await alice.send("moderation", {"action": "kick_everyone"})
    await barrier(alice, bob, carol)
    await barrier(elsewhere)
    await nothing_for(dave)
    await admit(dave, alice, moderators=[alice], members=[bob, carol])  # still waiting


async def test_waiting_targets_are_ignored_by_every_moderation_command(world: World) -> None:
    owner, room, alice, bob, carol = await three(world, waiting_room=True)
    dave_api = world.user("Dave User")
    dave = await world.wait(dave_api, room, "Dave", [alice])
    gwen = await held(await world.guest_socket(owner, room), "Gwen", [alice])
    for target in (dave, gwen):
        for action in ("kick", "ban", "send_to_waiting_room"):
            await alice.send("moderation", {"action": action, "target": target.id})
        await alice.send(
            "moderation",
            {"action": "change_display_name", "target": target.id, "new_name": "Renamed"},
        )
    await barrier(alice, bob, carol)  # no error, no event
    await nothing_for(dave, gwen)
    assert await start_status(dave_api, room) == (200, None)  # not banned
    success = await admit(gwen, alice, moderators=[alice], members=[bob, carol])
    assert success["display_name"] == "Gwen"


async def test_commands_from_a_waiting_participant_are_dropped(world: World) -> None:
    _, room, alice, bob, _ = await three(world, waiting_room=True)
    carol_api = world.user("Carol Two")
    carol = await world.wait(carol_api, room, "Carol", [alice])
    await carol.send("moderation", {"action": "kick", "target": alice.id})
    await carol.send("moderation", {"action": "ban", "target": bob.id})
    await carol.send("moderation", {"action": "debrief", "kick_scope": "all"})
    await carol.send("moderation", {"action": "accept", "target": carol.id})
    await nothing_for(carol)  # not even insufficient_permissions
    await barrier(alice, bob)


# -- ban -----------------------------------------------------------------------------------------


async def test_ban(world: World) -> None:
    owner, room, alice, bob, carol = await three(world)
    bob_api, carol_api = world.apis[1], world.apis[2]
    bob2, _ = await world.enter(bob_api, room, "Bob Again")  # same user, second session
    for peer in (alice, bob, carol):
        assert (await peer.expect("control", "joined"))["id"] == bob2.id

    await alice.send("moderation", {"action": "ban", "target": bob.id})
    assert await bob.expect("moderation", "banned") == {"message": "banned"}
    assert (await bob.closed())[0] == 1000
    for peer in (alice, carol, bob2):
        assert await peer.expect("control", "left") == {
            "message": "left",
            "id": bob.id,
            "reason": "banned",
        }
    await barrier(alice, carol, bob2)  # only the target session was closed

    assert await start_status(bob_api, room) == (403, "banned_from_room")
    assert await start_status(bob_api, room, resumption=bob.resumption) == (
        403,
        "banned_from_room",
    )
    assert await start_status(carol_api, room) == (200, None)
    guest = await world.guest_socket(owner, room)  # invite guests are not checked
    await guest.join("Gwen")


async def test_ban_refuses_guests_sip_and_non_moderators(world: World) -> None:
    owner, room, alice, bob, carol = await three(world)
    gwen, _ = await world.guest(owner, room, "Gwen")
    sip = await world.sip_socket(owner, room, lobby=False)
    await sip.join(SIP_NUMBER)
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
        await peer.expect("control", "joined")
    await gwen.expect("control", "joined")

    await bob.send("moderation", {"action": "ban", "target": carol.id})
    await moderation_error(bob, "insufficient_permissions")
    await barrier(alice, bob, carol, gwen, sip)
    assert await start_status(world.apis[2], room) == (200, None)

    for target in (gwen, sip):
        await alice.send("moderation", {"action": "ban", "target": target.id})
        await moderation_error(alice, "cannot_ban_guest")
    await barrier(alice, bob, carol, gwen, sip)  # errors go to the sender only


async def test_ban_ignores_gone_and_unknown_targets(world: World) -> None:
    _, room, alice, bob, carol = await three(world)
    await carol.close()
    for peer in (alice, bob):
        assert (await peer.expect("control", "left"))["id"] == carol.id
    for target in (carol.id, str(uuid.uuid4()), 42, None):
        await alice.send("moderation", {"action": "ban", "target": target})
    await barrier(alice, bob)
    assert await start_status(world.apis[2], room) == (200, None)


# -- send_to_waiting_room ------------------------------------------------------------------------


async def test_send_to_waiting_room_switches_the_waiting_room_on(world: World) -> None:
    _, _, alice, bob, carol = await three(world)
    await alice.send("moderation", {"action": "send_to_waiting_room", "target": bob.id})

    for peer in (alice, bob, carol):
        assert await peer.expect("moderation", "waiting_room_enabled") == {
            "message": "waiting_room_enabled"
        }
    assert await bob.expect("moderation", "sent_to_waiting_room") == {
        "message": "sent_to_waiting_room"
    }
    assert await bob.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    left = {"message": "left", "id": bob.id, "reason": "sent_to_waiting_room"}
    for peer in (alice, carol):
        assert await peer.expect("control", "left") == left
    announced = await alice.expect("moderation", "joined_waiting_room")
    assert announced["id"] == bob.id and announced["control"]["display_name"] == "Bob"
    await barrier(alice, carol)
    await nothing_for(bob)  # the socket stays open, state Waiting

    await bob.send("control", {"action": "enter_room"})
    await moderation_error(bob, "not_accepted_or_not_in_waiting_room", "control")
    success = await admit(bob, alice, moderators=[alice], members=[carol])
    assert success["id"] == bob.id
    await barrier(bob, alice, carol)


async def test_send_to_waiting_room_when_it_is_already_on(world: World) -> None:
    _, room, alice, bob, carol = await three(world, waiting_room=True)
    await alice.send("moderation", {"action": "send_to_waiting_room", "target": bob.id})
    assert await bob.expect("moderation", "sent_to_waiting_room") == {
        "message": "sent_to_waiting_room"
    }
    assert await bob.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    assert (await alice.expect("control", "left"))["reason"] == "sent_to_waiting_room"
    assert (await alice.expect("moderation", "joined_waiting_room"))["id"] == bob.id
    assert (await carol.expect("control", "left"))["reason"] == "sent_to_waiting_room"
    await barrier(alice, carol)

    _, late = await world.enter(world.apis[0], room, "Alice Two")
    listed = late["moderation"]["waiting_room_participants"]
    assert [(e["id"], e["waiting_room_state"]) for e in listed] == [(bob.id, "waiting")]
    for peer in (alice, carol):
        await peer.expect("control", "joined")

    await bob.close()
    assert await alice.expect("moderation", "left_waiting_room") == {
        "message": "left_waiting_room",
        "id": bob.id,
    }
    await barrier(alice, carol)


async def test_send_to_waiting_room_refuses_the_owner_and_non_moderators(world: World) -> None:
    _, room, alice, bob, carol = await three(world)
    await carol.send("moderation", {"action": "send_to_waiting_room", "target": bob.id})
    await moderation_error(carol, "insufficient_permissions")
    await grant(alice, bob, carol)
    await bob.send("moderation", {"action": "send_to_waiting_room", "target": alice.id})
    await moderation_error(bob, "cannot_send_room_owner_to_waiting_room")
    for target in (str(uuid.uuid4()), 7, None):
        await bob.send("moderation", {"action": "send_to_waiting_room", "target": target})
    await barrier(alice, bob, carol)
    dave, _ = await world.enter(world.user("Dave User"), room, "Dave")  # the room stays open
    for peer in (alice, bob, carol):
        assert (await peer.expect("control", "joined"))["id"] == dave.id


# -- debrief -------------------------------------------------------------------------------------


async def until_session_ended(peer: Peer, issuer: Peer) -> None:
    """In scope: ``session_ended`` (other in-scope members' ``left`` may come first), close 1000."""
    while True:
        frame = await peer.recv()
        payload = frame["payload"]
        if (frame["namespace"], payload["message"]) == ("control", "left"):
            assert payload["reason"] == "kicked", payload
            continue
        assert frame["namespace"] == "moderation", frame
        assert payload == {"message": "session_ended", "issued_by": issuer.id}
        break
    assert (await peer.closed())[0] == 1000


@pytest.mark.parametrize(
    ("scope", "ended"),
    [
        ("guests", {"gwen", "sip"}),
        ("users_and_guests", {"gwen", "sip", "bob"}),
        ("all", {"gwen", "sip", "bob", "mona", "alice"}),
    ],
)
async def test_debrief(world: World, scope: str, ended: set[str]) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    mona, _ = await world.enter(world.user("Mona Mod"), room, "Mona")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    gwen, _ = await world.guest(owner, room, "Gwen")
    sip = await world.sip_socket(owner, room, lobby=False)
    await sip.join(SIP_NUMBER)
    peers = {"alice": alice, "mona": mona, "bob": bob, "gwen": gwen, "sip": sip}
    order = list(peers)
    for index, name in enumerate(order):
        for later in order[index + 1 :]:
            assert (await peers[name].expect("control", "joined"))["id"] == peers[later].id
    await grant(alice, mona, bob, gwen, sip)

    await alice.send("moderation", {"action": "debrief", "kick_scope": scope})
    for peer in peers.values():
        assert await peer.expect("moderation", "waiting_room_enabled") == {
            "message": "waiting_room_enabled"
        }
    for name in sorted(ended):
        await until_session_ended(peers[name], alice)
    stay = [name for name in order if name not in ended]
    for name in stay:
        got = await frames(peers[name], 1 + len(ended))
        assert ("moderation", {"message": "debriefing_started", "issued_by": alice.id}) in got
        lefts = sorted(p["id"] for ns, p in got if (ns, p["message"]) == ("control", "left"))
        assert lefts == sorted(peers[n].id or "" for n in ended)
        assert all(p["reason"] == "kicked" for _, p in got if p["message"] == "left")
    if stay:
        await barrier(peers[stay[0]], *(peers[n] for n in stay[1:]))

    # the waiting room is on now: a guest coming back waits
    moderators = [peers[n] for n in stay if n in ("alice", "mona")]
    if moderators:
        await held(await world.guest_socket(owner, room), "Gwen", moderators)


async def test_debrief_clears_the_skip_flag_and_reannounces_the_waiting_room(
    world: World,
) -> None:
    _, room, alice, bob, carol = await three(world, waiting_room=True)
    await alice.send("moderation", {"action": "debrief", "kick_scope": "users_and_guests"})
    for peer in (alice, bob, carol):  # even though the flag was on already
        await peer.expect("moderation", "waiting_room_enabled")
    for peer in (bob, carol):
        await until_session_ended(peer, alice)
    got = await frames(alice, 3)
    assert ("moderation", {"message": "debriefing_started", "issued_by": alice.id}) in got
    again = await world.resume(world.apis[1], room, bob)
    await held(again, "Bob", [alice])  # accepted earlier, but the debrief cleared that
    assert again.id == bob.id


async def test_debrief_bad_input(world: World) -> None:
    _, room, alice, bob, carol = await three(world)
    await bob.send("moderation", {"action": "debrief", "kick_scope": "guests"})
    await moderation_error(bob, "insufficient_permissions")
    for scope in ("everyone", "", 5, None):
        await alice.send("moderation", {"action": "debrief", "kick_scope": scope})
    await alice.send("moderation", {"action": "debrief"})
    await barrier(alice, bob, carol)  # no waiting_room_enabled, nobody ended
    dave, _ = await world.enter(world.user("Dave User"), room, "Dave")  # still no waiting room
    for peer in (alice, bob, carol):
        assert (await peer.expect("control", "joined"))["id"] == dave.id


# -- change_display_name -------------------------------------------------------------------------


async def renamed(peer: Peer, target: Peer, issuer: Peer, old: str, new: str) -> None:
    assert await peer.expect("moderation", "display_name_changed") == {
        "message": "display_name_changed",
        "target": target.id,
        "issued_by": issuer.id,
        "old_name": old,
        "new_name": new,
    }


async def renamed_and_updated(peer: Peer, target: Peer, issuer: Peer, old: str, new: str) -> Json:
    got = by_message(await frames(peer, 2))
    assert got["moderation/display_name_changed"] == {
        "message": "display_name_changed",
        "target": target.id,
        "issued_by": issuer.id,
        "old_name": old,
        "new_name": new,
    }
    update = got["control/update"]
    assert update["id"] == target.id and update["control"]["display_name"] == new
    return update


async def test_change_display_name_of_a_guest(world: World) -> None:
    owner, room, alice, bob, carol = await three(world)
    gwen, _ = await world.guest(owner, room, "Gwen")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    await alice.send(
        "moderation",
        {"action": "change_display_name", "target": gwen.id, "new_name": "  Gwen \t (Sales) "},
    )
    for peer in (alice, bob, carol):
        update = await renamed_and_updated(peer, gwen, alice, "Gwen", "Gwen (Sales)")
        assert "chat" not in update
    await renamed(gwen, gwen, alice, "Gwen", "Gwen (Sales)")
    await barrier(alice, bob, carol, gwen)  # the target gets no update for itself

    longest = "é" * 100
    await alice.send(
        "moderation", {"action": "change_display_name", "target": gwen.id, "new_name": longest}
    )
    for peer in (alice, bob, carol):
        await renamed_and_updated(peer, gwen, alice, "Gwen (Sales)", longest)
    await renamed(gwen, gwen, alice, "Gwen (Sales)", longest)

    _, late = await world.enter(world.user("Dave User"), room, "Dave")
    [entry] = [p for p in late["participants"] if p["id"] == gwen.id]
    assert entry["control"]["display_name"] == longest


async def test_change_display_name_of_a_sip_caller(world: World) -> None:
    owner, room, alice, bob, _ = await three(world)
    sip = await world.sip_socket(owner, room, lobby=False)
    await sip.join(SIP_NUMBER)
    for peer in world.peers[:3]:
        await peer.expect("control", "joined")
    await alice.send(
        "moderation", {"action": "change_display_name", "target": sip.id, "new_name": "Hotline"}
    )
    for peer in world.peers[:3]:
        await renamed_and_updated(peer, sip, alice, SIP_NAME, "Hotline")
    await renamed(sip, sip, alice, SIP_NAME, "Hotline")
    await barrier(alice, bob, sip)


async def test_change_display_name_errors(world: World) -> None:
    owner, room, alice, bob, carol = await three(world)
    gwen, _ = await world.guest(owner, room, "Gwen")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    def rename(target: object, name: object) -> Json:
        return {"action": "change_display_name", "target": target, "new_name": name}

    await bob.send("moderation", rename(gwen.id, "By Bob"))
    await moderation_error(bob, "insufficient_permissions")
    for target in (bob, alice):
        await alice.send("moderation", rename(target.id, "New"))
        await moderation_error(alice, "cannot_change_name_of_registered_users")
    for bad in ("", "   \t ", "x" * 101):
        await alice.send("moderation", rename(gwen.id, bad))
        await moderation_error(alice, "invalid_display_name")
    for who, name in ((str(uuid.uuid4()), "Ghost"), (gwen.id, 42), (gwen.id, None), (7, "x")):
        await alice.send("moderation", rename(who, name))
    await alice.send("moderation", {"action": "change_display_name", "target": gwen.id})
    await barrier(alice, bob, carol, gwen)  # nothing changed, nothing announced

    _, late = await world.enter(world.user("Dave User"), room, "Dave")
    [entry] = [p for p in late["participants"] if p["id"] == gwen.id]
    assert entry["control"]["display_name"] == "Gwen"


# -- raise hands ---------------------------------------------------------------------------------


async def raise_hand(peer: Peer, *others: Peer) -> None:
    await peer.send("control", {"action": "raise_hand"})
    await peer.expect("control", "hand_raised")
    for other in others:
        update = await other.expect("control", "update")
        assert update["id"] == peer.id and update["control"]["hand_is_up"] is True


async def test_reset_raised_hands(world: World) -> None:
    _, room, alice, bob, carol = await three(world)
    dave, _ = await world.enter(world.user("Dave User"), room, "Dave")
    everyone = [alice, bob, carol, dave]
    for peer in everyone[:3]:
        await peer.expect("control", "joined")
    await raise_hand(bob, alice, carol, dave)
    await raise_hand(carol, alice, bob, dave)

    async def reset(target: Peer, issuer: Peer) -> None:
        assert await target.expect("moderation", "raised_hand_reset_by_moderator") == {
            "message": "raised_hand_reset_by_moderator",
            "issued_by": issuer.id,
        }
        for other in everyone:
            if other is not target:
                update = await other.expect("control", "update")
                assert update["id"] == target.id and update["control"]["hand_is_up"] is False

    await bob.send("moderation", {"action": "reset_raised_hands", "target": carol.id})
    await moderation_error(bob, "insufficient_permissions")
    await alice.send(
        "moderation",
        {"action": "reset_raised_hands", "target": [bob.id, "nope", dave.id, str(uuid.uuid4())]},
    )
    await reset(bob, alice)  # dave's hand was down: nothing for him; carol's stays up
    await alice.send("moderation", {"action": "reset_raised_hands", "target": []})
    await alice.send("moderation", {"action": "reset_raised_hands", "target": 42})
    await alice.send("moderation", {"action": "reset_raised_hands", "target": [7]})
    await alice.send("moderation", {"action": "reset_raised_hands", "target": dave.id})
    await barrier(alice, bob, carol, dave)

    await alice.send("moderation", {"action": "reset_raised_hands"})
    await reset(carol, alice)
    await barrier(alice, bob, carol, dave)
    await raise_hand(bob, alice, carol, dave)
    await alice.send("moderation", {"action": "reset_raised_hands", "target": None})
    await reset(bob, alice)
    await barrier(alice, bob, carol, dave)


async def test_enable_and_disable_raise_hands(world: World) -> None:
    _, room, alice, bob, carol = await three(world)
    await raise_hand(bob, alice, carol)
    await carol.send("moderation", {"action": "disable_raise_hands"})
    await moderation_error(carol, "insufficient_permissions")

    await alice.send("moderation", {"action": "disable_raise_hands"})
    disabled = {"message": "raise_hands_disabled", "issued_by": alice.id}
    assert await bob.expect("moderation", "raise_hands_disabled") == disabled
    for peer in (alice, carol):  # bob's hand is lowered by the disable
        got = by_message(await frames(peer, 2))
        assert got["moderation/raise_hands_disabled"] == disabled
        update = got["control/update"]
        assert update["id"] == bob.id and update["control"]["hand_is_up"] is False
    await barrier(alice, bob, carol)

    await carol.send("control", {"action": "raise_hand"})
    await moderation_error(carol, "raise_hands_disabled", "control")
    dave, late = await world.enter(world.user("Dave User"), room, "Dave")
    assert late["moderation"]["raise_hands_enabled"] is False
    [bob_entry] = [p for p in late["participants"] if p["id"] == bob.id]
    assert bob_entry["control"]["hand_is_up"] is False
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    await bob.send("moderation", {"action": "enable_raise_hands"})
    await moderation_error(bob, "insufficient_permissions")
    for _ in range(2):  # also sent when nothing changes
        await alice.send("moderation", {"action": "enable_raise_hands"})
        for peer in (alice, bob, carol, dave):
            assert await peer.expect("moderation", "raise_hands_enabled") == {
                "message": "raise_hands_enabled",
                "issued_by": alice.id,
            }
    await raise_hand(carol, alice, bob, dave)
