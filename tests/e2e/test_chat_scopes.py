"""Chat scopes over real sockets: private and group messages, histories in join_success, peer
``chat.groups``, enable/disable/clear, last-seen timestamps, limits (reference §9, §5.4, §19)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.support.client import Json, Peer
from tests.support.expect import (
    TIMESTAMP,
    barrier,
    moderation_error,
    nothing_for,
)
from tests.support.world import (
    World,
)

BACKEND = "/OpenTalk/Backend"
FRONTEND = "/OpenTalk/Frontend"
ALL = "/OpenTalk/All"
EMPTY: Json = {"messages": [], "next_index": None}


def private(target: Peer | str, content: str) -> Json:
    to = target.id if isinstance(target, Peer) else target
    return {"action": "send_message", "scope": "private", "target": to, "content": content}


def group(name: Any, content: str) -> Json:
    return {"action": "send_message", "scope": "group", "target": name, "content": content}


def everyone(content: str) -> Json:
    return {"action": "send_message", "scope": "global", "content": content}


async def sent(peer: Peer) -> tuple[Json, str]:
    """The next frame must be chat/message_sent: (payload, envelope timestamp)."""
    frame = await peer.recv()
    assert (frame["namespace"], frame["payload"]["message"]) == ("chat", "message_sent"), frame
    assert TIMESTAMP.match(frame["timestamp"]), frame
    return frame["payload"], frame["timestamp"]


def entry(payload: Json, timestamp: str) -> Json:
    """The history entry of a message_sent event."""
    stored = {k: v for k, v in payload.items() if k != "message"}
    stored["timestamp"] = timestamp
    return stored


def contents(history: Json) -> list[str]:
    assert history["next_index"] is None
    return [m["content"] for m in history["messages"]]


def groups_of(success: Json) -> dict[str, list[str]]:
    return {g["name"]: contents(g["history"]) for g in success["chat"]["groups_history"]}


def peer_entry(success: Json, peer: Peer) -> Json:
    found: list[Json] = [p for p in success["participants"] if p["id"] == peer.id]
    assert len(found) == 1, success["participants"]
    return found[0]


async def rejoin(world: World, api_index: int, room: str, old: Peer, name: str) -> Json:
    """Close ``old`` and come back with its resumption token: the next join_success."""
    await old.close()
    await asyncio.sleep(0.05)
    again = await world.resume(world.apis[api_index], room, old)
    success = await again.join(name)
    assert success["id"] == old.id
    return success


async def room_of_three(
    world: World, groups: tuple[list[str] | None, ...] = (None, None, None)
) -> tuple[str, Peer, Peer, Peer]:
    owner = world.user("Olivia Owner", groups=groups[0])
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User", groups=groups[1]), room, "Bob")
    await alice.expect("control", "joined")
    carol, _ = await world.enter(world.user("Carol User", groups=groups[2]), room, "Carol")
    for peer in (alice, bob):
        await peer.expect("control", "joined")
    return room, alice, bob, carol


# -- private -------------------------------------------------------------------------------------


async def test_a_private_message_reaches_the_target_and_the_sender_only(world: World) -> None:
    _, alice, bob, carol = await room_of_three(world)
    await alice.send("chat", private(bob, "Hi Bob"))
    to_bob, bob_time = await sent(bob)
    echoed, alice_time = await sent(alice)
    assert to_bob == echoed and bob_time == alice_time
    assert set(to_bob) == {"message", "id", "source", "content", "scope", "target"}
    assert to_bob["source"] == alice.id and to_bob["target"] == bob.id
    assert to_bob["scope"] == "private" and to_bob["content"] == "Hi Bob"
    uuid.UUID(to_bob["id"])
    await barrier(alice, bob, carol)  # carol got nothing, bob got it once

    await alice.send("chat", private(str(uuid.uuid4()), "anyone?"))  # not in the room: dropped
    await barrier(alice, bob, carol)

    await carol.close()
    for peer in (alice, bob):
        assert (await peer.expect("control", "left"))["id"] == carol.id
    await alice.send("chat", private(carol, "gone?"))  # no error, the echo still comes
    assert (await sent(alice))[0]["target"] == carol.id
    await barrier(alice, bob)


async def test_private_histories_in_join_success(world: World) -> None:
    room, alice, bob, carol = await room_of_three(world)
    await alice.send("chat", everyone("one"))
    for peer in (alice, bob, carol):
        await sent(peer)
    await alice.send("chat", private(bob, "two"))
    two = entry(*(await sent(alice)))
    await sent(bob)
    await bob.send("chat", private(alice, "three"))
    three = entry(*(await sent(bob)))
    await sent(alice)
    await carol.send("chat", private(alice, "four"))
    await sent(carol)
    await sent(alice)

    success = await rejoin(world, 1, room, bob, "Bob")
    chat = success["chat"]
    assert contents(chat["room_history"]) == ["one", "two", "three"]  # own privates, in time order
    assert chat["room_history"]["messages"][1:] == [two, three]
    assert chat["private_history"] == [
        {"correspondent": alice.id, "history": {"messages": [two, three], "next_index": None}}
    ]

    success = await rejoin(world, 0, room, alice, "Alice")
    chat = success["chat"]
    assert contents(chat["room_history"]) == ["one", "two", "three", "four"]
    histories = {p["correspondent"]: contents(p["history"]) for p in chat["private_history"]}
    assert histories == {bob.id: ["two", "three"], carol.id: ["four"]}

    _, late = await world.enter(world.user("Dave User"), room, "Dave")
    assert contents(late["chat"]["room_history"]) == ["one"]
    assert late["chat"]["private_history"] == []


# -- groups --------------------------------------------------------------------------------------


async def test_group_messages_reach_the_group_members_only(world: World) -> None:
    room, alice, bob, carol = await room_of_three(
        world, ([BACKEND, ALL], [BACKEND], [FRONTEND, ALL])
    )
    gwen, _ = await world.guest(world.apis[0], room, "Gwen")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    await alice.send("chat", group(BACKEND, "Hi team"))
    frames = [await sent(peer) for peer in (alice, bob)]
    assert frames[0] == frames[1]
    payload = frames[0][0]
    assert set(payload) == {"message", "id", "source", "content", "scope", "target"}
    assert payload["scope"] == "group" and payload["target"] == BACKEND
    assert payload["source"] == alice.id and payload["content"] == "Hi team"
    await barrier(alice, bob, carol, gwen)

    await carol.send("chat", group(ALL, "all of us"))
    for peer in (alice, carol):
        assert (await sent(peer))[0]["target"] == ALL
    await barrier(alice, bob, carol, gwen)

    # not a member, no groups, wrong types: dropped silently, no error
    await alice.send("chat", group(FRONTEND, "not mine"))
    await bob.send("chat", group(ALL, "not mine either"))
    await gwen.send("chat", group(BACKEND, "guest"))
    await alice.send("chat", group(42, "bad target"))
    await alice.send("chat", group(None, "no target"))
    await alice.send("chat", {"action": "send_message", "scope": "group", "content": "none"})
    await barrier(alice, bob, carol, gwen)
    await barrier(bob, alice, carol, gwen)
    await barrier(gwen, alice, bob, carol)


async def test_group_histories_and_peer_groups(world: World) -> None:
    owner = world.user("Olivia Owner", groups=[BACKEND, ALL])
    room = (await owner.create_room())["id"]
    alice, success = await world.enter(owner, room, "Alice")
    assert sorted(success["chat"]["groups_history"], key=lambda g: g["name"]) == [
        {"name": ALL, "history": EMPTY},
        {"name": BACKEND, "history": EMPTY},
    ]

    bob, success = await world.enter(world.user("Bob User", groups=[BACKEND]), room, "Bob")
    assert success["chat"]["groups_history"] == [{"name": BACKEND, "history": EMPTY}]
    assert peer_entry(success, alice)["chat"] == {"groups": [BACKEND]}
    assert (await alice.expect("control", "joined"))["chat"] == {"groups": [BACKEND]}

    carol, success = await world.enter(world.user("Carol User", groups=[FRONTEND]), room, "Carol")
    assert peer_entry(success, alice)["chat"] == {"groups": []}
    assert peer_entry(success, bob)["chat"] == {"groups": []}
    for peer in (alice, bob):
        assert (await peer.expect("control", "joined"))["chat"] == {"groups": []}

    gwen, success = await world.guest(owner, room, "Gwen")
    assert success["chat"]["groups_history"] == []
    for peer in (alice, bob, carol):
        assert peer_entry(success, peer)["chat"] == {"groups": []}
        assert "chat" not in (await peer.expect("control", "joined"))  # guests: no chat key

    await alice.send("chat", group(BACKEND, "kept"))
    kept = entry(*(await sent(alice)))
    await sent(bob)

    await alice.send("control", {"action": "raise_hand"})  # update: groups per receiver too
    await alice.expect("control", "hand_raised")
    for peer, shared in ((bob, [BACKEND]), (carol, []), (gwen, [])):
        update = await peer.expect("control", "update")
        assert update["id"] == alice.id and update["chat"] == {"groups": shared}

    dave, success = await world.enter(world.user("Dave User", groups=[ALL, BACKEND]), room, "D")
    assert groups_of(success) == {ALL: [], BACKEND: ["kept"]}
    [backend] = [g for g in success["chat"]["groups_history"] if g["name"] == BACKEND]
    assert backend["history"]["messages"] == [kept]
    assert sorted(peer_entry(success, alice)["chat"]["groups"]) == [ALL, BACKEND]
    assert peer_entry(success, bob)["chat"] == {"groups": [BACKEND]}
    assert peer_entry(success, carol)["chat"] == {"groups": []}
    assert "chat" not in peer_entry(success, gwen)
    for peer, shared in ((alice, [ALL, BACKEND]), (bob, [BACKEND]), (carol, []), (gwen, [])):
        joined = await peer.expect("control", "joined")
        assert joined["id"] == dave.id and sorted(joined["chat"]["groups"]) == shared


async def test_group_history_is_dropped_with_its_last_member(world: World) -> None:
    room, alice, bob, carol = await room_of_three(world, (None, [BACKEND], [BACKEND]))
    await bob.send("chat", group(BACKEND, "secret"))
    for peer in (bob, carol):
        await sent(peer)
    for peer in (bob, carol):
        await peer.close()
        await alice.expect("control", "left")
    _, success = await world.enter(world.user("Dave User", groups=[BACKEND]), room, "Dave")
    assert groups_of(success) == {BACKEND: []}  # §15.1: dropped with its last member


# -- switches ------------------------------------------------------------------------------------


async def test_disabled_chat_blocks_every_scope(world: World) -> None:
    room, alice, bob, carol = await room_of_three(world, ([BACKEND], [BACKEND], None))
    await bob.send("chat", {"action": "disable_chat"})
    await moderation_error(bob, "insufficient_permissions", "chat")
    await barrier(alice, bob, carol)  # still enabled

    for _ in range(2):  # also sent when nothing changes
        await alice.send("chat", {"action": "disable_chat"})
        for peer in (alice, bob, carol):
            assert await peer.expect("chat", "chat_disabled") == {
                "message": "chat_disabled",
                "issued_by": alice.id,
            }
    for command in (everyone("g"), private(bob, "p"), group(BACKEND, "t")):
        for peer in (alice, bob):
            await peer.send("chat", command)
            await moderation_error(peer, "chat_disabled", "chat")
    await alice.send("chat", everyone(""))  # empty content is dropped before the flag check
    await nothing_for(alice)
    await carol.send("chat", {"action": "enable_chat"})
    await moderation_error(carol, "insufficient_permissions", "chat")
    await carol.send("chat", everyone("still off"))
    await moderation_error(carol, "chat_disabled", "chat")

    dave, success = await world.enter(world.user("Dave User"), room, "Dave")
    assert success["chat"]["enabled"] is False
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    await alice.send("chat", {"action": "enable_chat"})
    for peer in (alice, bob, carol, dave):
        assert await peer.expect("chat", "chat_enabled") == {
            "message": "chat_enabled",
            "issued_by": alice.id,
        }
    await barrier(bob, alice, carol, dave)


async def test_clear_history_wipes_only_the_global_history(world: World) -> None:
    room, alice, bob, carol = await room_of_three(world, ([BACKEND], [BACKEND], None))
    await alice.send("chat", everyone("g1"))
    for peer in (alice, bob, carol):
        await sent(peer)
    await alice.send("chat", private(bob, "p1"))
    await sent(alice)
    await sent(bob)
    await alice.send("chat", group(BACKEND, "t1"))
    await sent(alice)
    await sent(bob)

    await carol.send("chat", {"action": "clear_history"})
    await moderation_error(carol, "insufficient_permissions", "chat")
    dave, success = await world.enter(world.user("Dave User"), room, "Dave")
    assert contents(success["chat"]["room_history"]) == ["g1"]  # nothing was cleared
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")

    await alice.send("chat", {"action": "clear_history"})
    for peer in (alice, bob, carol, dave):
        assert await peer.expect("chat", "history_cleared") == {
            "message": "history_cleared",
            "issued_by": alice.id,
        }
    success = await rejoin(world, 1, room, bob, "Bob")
    assert contents(success["chat"]["room_history"]) == ["p1"]
    assert [contents(p["history"]) for p in success["chat"]["private_history"]] == [["p1"]]
    assert groups_of(success) == {BACKEND: ["t1"]}


# -- last seen -----------------------------------------------------------------------------------


async def test_last_seen_timestamps_come_back_with_the_participant(world: World) -> None:
    owner = world.user("Olivia Owner", groups=[BACKEND])
    room = (await owner.create_room())["id"]
    alice, success = await world.enter(owner, room, "Alice")
    chat = success["chat"]
    assert chat["last_seen_timestamp_global"] is None
    assert chat["last_seen_timestamps_private"] == {}
    assert chat["last_seen_timestamps_group"] == {}
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    await alice.expect("control", "joined")

    stranger = str(uuid.uuid4())

    def seen(scope: str, timestamp: Any, target: Any = None) -> Json:
        command = {"action": "set_last_seen_timestamp", "scope": scope, "timestamp": timestamp}
        if target is not None:
            command["target"] = target
        return command

    for command in (
        seen("global", "2024-03-10T16:54:00.000000Z"),
        seen("global", "2024-03-10T16:55:00.123456Z"),  # the last one wins
        seen("private", "2024-03-10T16:56:00.000001Z", bob.id),
        seen("private", "2024-03-10T16:58:00.500000Z", stranger),  # not in the room: ignored
        seen("private", "2024-03-10T16:58:00.500000Z", "x" * 256),  # too long: invalid
        seen("group", "2024-03-10T16:57:00Z", BACKEND),  # sent back with 6 fraction digits
        seen("group", "2024-03-10T16:57:30.000000Z", FRONTEND),  # not a member: ignored
        seen("global", "yesterday"),
        seen("global", 42),
        seen("global", None),
        seen("planet", "2024-03-10T16:59:00.000000Z"),
        {"action": "set_last_seen_timestamp", "scope": "global"},
    ):
        await alice.send("chat", command)
    await barrier(alice, bob)  # no reply, no error

    success = await rejoin(world, 0, room, alice, "Alice")
    chat = success["chat"]
    assert chat["last_seen_timestamp_global"] == "2024-03-10T16:55:00.123456Z"
    assert chat["last_seen_timestamps_private"] == {bob.id: "2024-03-10T16:56:00.000001Z"}
    assert chat["last_seen_timestamps_group"] == {BACKEND: "2024-03-10T16:57:00.000000Z"}

    _, fresh = await world.enter(owner, room, "Alice Again")  # another participant id
    assert fresh["chat"]["last_seen_timestamp_global"] is None
    assert fresh["chat"]["last_seen_timestamps_private"] == {}
    assert fresh["chat"]["last_seen_timestamps_group"] == {}


# -- limits and bad input ------------------------------------------------------------------------


async def test_long_messages_are_truncated_at_a_utf8_boundary(world: World) -> None:
    _, alice, bob, _ = await room_of_three(world, ([BACKEND], [BACKEND], None))
    cases = [
        ("a" * 4096, "a" * 4096),
        ("a" * 4097, "a" * 4096),
        ("a" * 4095 + "€", "a" * 4095),
        ("😀" * 1025, "😀" * 1024),
        ("é" * 3000, "é" * 2048),
    ]
    for content, expected in cases:
        await alice.send("chat", private(bob, content))
        assert (await sent(alice))[0]["content"] == expected
        assert (await sent(bob))[0]["content"] == expected
        await alice.send("chat", group(BACKEND, content))
        assert (await sent(alice))[0]["content"] == expected
        assert (await sent(bob))[0]["content"] == expected


async def test_bad_chat_commands_are_dropped(world: World) -> None:
    _, alice, bob, carol = await room_of_three(world)
    for command in (
        {"action": "send_message", "scope": "global", "content": 42},
        {"action": "send_message", "scope": "global", "content": None},
        {"action": "send_message", "scope": "global"},
        {"action": "send_message", "content": "no scope"},
        {"action": "send_message", "scope": "planet", "content": "x"},
        {"action": "send_message", "scope": "private", "content": "no target"},
        {"action": "send_message", "scope": "private", "target": 42, "content": "x"},
        private(bob, ""),
        group(BACKEND, ""),
        {"action": "shout", "content": "x"},
        {"content": "no action"},
        {"action": "enable_chat", "extra": [1, 2]},  # unknown fields are ignored
    ):
        await alice.send("chat", command)
    assert await alice.expect("chat", "chat_enabled") == {
        "message": "chat_enabled",
        "issued_by": alice.id,
    }
    for peer in (bob, carol):
        await peer.expect("chat", "chat_enabled")
    await barrier(alice, bob, carol)


async def test_histories_hold_the_newest_hundred_messages(world: World) -> None:
    room, alice, bob, carol = await room_of_three(world)
    for index in range(105):
        await alice.send("chat", everyone(f"m{index}"))
    for peer in (alice, bob, carol):
        assert [(await sent(peer))[0]["content"] for _ in range(105)] == [
            f"m{i}" for i in range(105)
        ]
    _, success = await world.enter(world.user("Dave User"), room, "Dave")
    assert contents(success["chat"]["room_history"]) == [f"m{i}" for i in range(5, 105)]


async def test_the_last_leaver_s_room_loses_its_chat_after_the_grace_period(
    world: World,
) -> None:
    owner = world.user("Olivia Owner", groups=[BACKEND])
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    await alice.send("chat", everyone("g"))
    await sent(alice)
    await alice.send("chat", private(alice.id or "", "p"))
    await sent(alice)
    await alice.send("chat", group(BACKEND, "t"))
    await sent(alice)
    stamp = "2024-03-10T16:55:00.123456Z"
    await alice.send(
        "chat", {"action": "set_last_seen_timestamp", "scope": "global", "timestamp": stamp}
    )
    await alice.send("chat", {"action": "disable_chat"})
    await alice.expect("chat", "chat_disabled")

    success = await rejoin(world, 0, room, alice, "Alice")  # within the grace period: kept
    assert contents(success["chat"]["room_history"]) == ["g", "p"]
    assert success["chat"]["last_seen_timestamp_global"] == stamp
    assert success["chat"]["enabled"] is False
    back = world.peers[-1]
    await back.close()
    await asyncio.sleep(1.6)  # grace period of the shared server: 1 s

    again = await world.resume(owner, room, back)
    success = await again.join("Alice")
    assert success["id"] == alice.id
    chat = success["chat"]
    assert chat["enabled"] is True
    assert chat["room_history"] == EMPTY
    assert chat["private_history"] == []
    assert groups_of(success) == {BACKEND: []}
    assert chat["last_seen_timestamp_global"] is None
    assert success["participants"] == []
