"""No command is half-applied: with every publication refused (a broker wrapper inside a real
server process, ``tests/support/publish_faults``), each command answers ``service_unavailable``,
nobody else hears anything, and the state afterwards shows no trace of it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.client import Api, Json, Peer
from tests.support.server import ServerProcess

FAULTS = str(Path(__file__).parents[1] / "support" / "publish_faults")
ROOT = str(Path(__file__).parents[2])


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    path = os.pathsep.join([FAULTS, ROOT, os.environ.get("PYTHONPATH", "")])
    process = ServerProcess({"PYTHONPATH": path}).start()
    yield process
    process.kill()


class Faults:
    def __init__(self, server: ServerProcess) -> None:
        self.flag = Path(server.data_dir) / "fail-publish"

    def __enter__(self) -> None:
        self.flag.touch()

    def __exit__(self, *exc: object) -> None:
        self.flag.unlink()


@pytest.fixture
async def room(server: ServerProcess) -> AsyncIterator[tuple[Api, str]]:
    api = Api(server, server.token("owner-ha", "Owner"))
    made = await api.create_room()
    yield api, made["id"]
    await api.aclose()


async def _join(api: Api, room_id: str, name: str) -> tuple[Peer, Json]:
    started = await api.start(room_id)
    peer = await Peer.connect(api.server, started["ticket"], started["resumption"])
    return peer, await peer.join(name)


async def _unavailable(peer: Peer, namespace: str) -> None:
    error = await peer.expect(namespace, "error")
    assert error["error"] == "service_unavailable", error


async def test_a_join_nobody_could_hear_of_is_undone(
    server: ServerProcess, room: tuple[Api, str]
) -> None:
    api, room_id = room
    owner, _ = await _join(api, room_id, "Owner")
    guest_api = Api(server, server.token("guest-ha", "Guest"))
    started = await guest_api.start(room_id)
    guest = await Peer.connect(server, started["ticket"], started["resumption"])
    with Faults(server):
        await guest.send("control", {"action": "join", "display_name": "Guest"})
        await _unavailable(guest, "control")
    await owner.silent(0.3)  # no joined, no left
    success = await guest.join("Guest")  # may try again: it never counted as joined
    assert [p["id"] for p in success["participants"]] == [owner.id or ""]
    await owner.expect("control", "joined")
    for peer in (guest, owner):
        await peer.close()
    await guest_api.aclose()


async def test_hand_chat_and_poll_leave_no_trace(
    server: ServerProcess, room: tuple[Api, str]
) -> None:
    api, room_id = room
    owner, _ = await _join(api, room_id, "Owner")
    other_api = Api(server, server.token("other-ha", "Other"))
    other, _ = await _join(other_api, room_id, "Other")
    await owner.expect("control", "joined")
    with Faults(server):
        await owner.send("control", {"action": "raise_hand"})
        await _unavailable(owner, "control")
        await owner.send("chat", {"action": "send_message", "scope": "global", "content": "x"})
        await _unavailable(owner, "chat")
        await owner.send(
            "polls",
            {"action": "start", "topic": "Lunch?", "choices": ["yes", "no"], "live": True},
        )
        await _unavailable(owner, "polls")
    await other.silent(0.3)
    await other.close()
    other, success = await _join(other_api, room_id, "Other")  # a fresh view of the truth
    (seen,) = [p for p in success["participants"] if p["id"] == owner.id]
    assert seen["control"]["hand_is_up"] is False
    assert success["chat"]["room_history"]["messages"] == []
    assert "polls" not in success  # no poll runs
    await owner.send(
        "polls", {"action": "start", "topic": "Lunch?", "choices": ["yes", "no"], "live": True}
    )
    assert (await owner.recv())["payload"]["message"] != "error"  # not "still_running"
    for peer in (owner, other):
        await peer.close()
    await other_api.aclose()


async def _guest(api: Api, room_id: str, name: str) -> tuple[Peer, Json]:
    made = await api.request("POST", f"/v1/rooms/{room_id}/invites", {})
    started = (
        await api.http.post(
            f"/v1/rooms/{room_id}/start_invited", json={"invite_code": made.json()["invite_code"]}
        )
    ).json()
    peer = await Peer.connect(api.server, started["ticket"], started["resumption"])
    return peer, await peer.join(name)


async def test_moderation_and_breakout_commands_leave_no_trace(
    server: ServerProcess, room: tuple[Api, str]
) -> None:
    api, room_id = room
    owner, _ = await _join(api, room_id, "Owner")
    user_api = Api(server, server.token("user-ha", "User"))
    user, _ = await _join(user_api, room_id, "User")
    await owner.expect("control", "joined")
    guest, _ = await _guest(api, room_id, "Guest")
    for peer in (owner, user):
        await peer.expect("control", "joined")
    commands: list[tuple[str, Json]] = [
        ("moderation", {"action": "ban", "target": user.id}),
        ("moderation", {"action": "change_display_name", "target": guest.id, "new_name": "X"}),
        ("moderation", {"action": "enable_waiting_room"}),
        ("moderation", {"action": "disable_raise_hands"}),
        ("control", {"action": "grant_moderator_role", "target": user.id}),
        ("breakout", {"action": "start", "rooms": [{"name": "B", "assignments": [user.id]}]}),
    ]
    with Faults(server):
        for namespace, command in commands:
            await owner.send(namespace, command)
            await _unavailable(owner, namespace)
    for peer in (user, guest):
        await peer.silent(0.3)
    await owner.close()
    owner, success = await _join(api, room_id, "Owner")  # a fresh view of the truth
    seen = {p["id"]: p["control"] for p in success["participants"]}
    assert seen[user.id or ""]["role"] == "user"
    assert seen[guest.id or ""]["display_name"] == "Guest"
    assert success["moderation"]["waiting_room_enabled"] is False
    assert success["moderation"]["raise_hands_enabled"] is True
    assert "breakout" not in success
    await user.expect("control", "left")  # the owner's reconnect, and nothing else:
    await user.expect("control", "joined")
    await user.echo()  # still connected, neither banned nor kicked
    for peer in (owner, user, guest):
        await peer.close()
    await user_api.aclose()
