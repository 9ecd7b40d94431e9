"""Global chat over real sockets, and its history in join_success (reference §9, §19)."""

from __future__ import annotations

from tests.support.client import Api, Peer
from tests.support.expect import (
    TIMESTAMP,
    enter,
)
from tests.support.server import ServerProcess


async def test_a_global_message_reaches_everyone_and_the_history(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    bob = await enter(server, user, room["id"], "Bob")
    await alice.expect("control", "joined")

    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "Hello all!"})
    frames = [await peer.recv() for peer in (alice, bob)]
    assert frames[0] == frames[1]
    sent = frames[0]["payload"]
    assert sent["message"] == "message_sent"
    assert (
        sent["source"] == alice.id and sent["content"] == "Hello all!" and sent["scope"] == "global"
    )
    assert "target" not in sent and "timestamp" not in sent

    started = await user.start(room["id"])
    carol = await Peer.connect(server, started["ticket"])
    success = await carol.join("Carol")
    [entry] = success["chat"]["room_history"]["messages"]
    assert entry["id"] == sent["id"] and entry["content"] == "Hello all!"
    assert entry["timestamp"] == frames[0]["timestamp"]
    assert TIMESTAMP.match(entry["timestamp"])
    assert success["chat"]["room_history"]["next_index"] is None
    for peer in (alice, bob, carol):
        await peer.close()


async def test_empty_messages_are_dropped_and_long_ones_truncated(
    server: ServerProcess, owner: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    await alice.send("chat", {"action": "send_message", "scope": "global", "content": ""})
    await alice.silent()
    await alice.send("chat", {"action": "send_message", "scope": "global", "content": "€" * 2000})
    sent = await alice.expect("chat", "message_sent")
    assert sent["content"] == "€" * 1365  # 3 bytes each: 4095 of the 4096 allowed bytes
    await alice.close()


async def test_moderators_disable_and_clear_chat(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    alice = await enter(server, owner, room["id"], "Alice")
    bob = await enter(server, user, room["id"], "Bob")
    await alice.expect("control", "joined")

    await bob.send("chat", {"action": "disable_chat"})
    assert (await bob.expect("chat", "error"))["error"] == "insufficient_permissions"
    await bob.send("chat", {"action": "send_message", "scope": "global", "content": "one"})
    for peer in (alice, bob):
        await peer.expect("chat", "message_sent")

    await alice.send("chat", {"action": "disable_chat"})
    for peer in (alice, bob):
        assert (await peer.expect("chat", "chat_disabled"))["issued_by"] == alice.id
    for peer in (alice, bob):
        await peer.send("chat", {"action": "send_message", "scope": "global", "content": "no"})
        assert (await peer.expect("chat", "error"))["error"] == "chat_disabled"

    await alice.send("chat", {"action": "clear_history"})
    for peer in (alice, bob):
        await peer.expect("chat", "history_cleared")
    await alice.send("chat", {"action": "enable_chat"})
    for peer in (alice, bob):
        await peer.expect("chat", "chat_enabled")

    started = await user.start(room["id"])
    carol = await Peer.connect(server, started["ticket"])
    success = await carol.join("Carol")
    assert success["chat"]["enabled"] is True
    assert success["chat"]["room_history"]["messages"] == []
    for peer in (alice, bob, carol):
        await peer.close()
