"""Bad input on both sides: typed errors or silent drops exactly as reference §4 routes them,
never a crash, never an effect on anyone else (property tests against a live server)."""

from __future__ import annotations

import json
import uuid
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signaling.modules.chat import ChatModule
from signaling.modules.control import ControlModule
from signaling.modules.moderation import ModerationModule
from tests.support.client import Api, Peer
from tests.support.expect import (
    enter,
)
from tests.support.server import ServerProcess

KNOWN_ACTIONS = {
    tag
    for module in (ControlModule, ChatModule, ModerationModule)
    for command in get_args(module.commands)
    for tag in [command.__struct_config__.tag]
}
NAMESPACES = ["control", "chat", "moderation", "polls", "breakout", "media", "", "echo "]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"action": st.text(max_size=20).filter(lambda a: a not in KNOWN_ACTIONS)},
        optional={"target": json_values, "content": json_values},
    ),
)
frames = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.builds(
        lambda ns, payload: json.dumps({"namespace": ns, "payload": payload}),
        st.sampled_from(NAMESPACES) | st.text(max_size=10),
        payloads,
    ),
    st.builds(lambda ns: json.dumps({"namespace": ns}), st.sampled_from(NAMESPACES)),
)


class Room:
    """An attacker and an observer, joined to one room, reused across examples."""

    attacker: Peer
    observer: Peer


async def pair(server: ServerProcess, owner: Api) -> Room:
    room = await owner.create_room()
    pair = Room()
    pair.attacker = await enter(server, owner, room["id"], "Attacker")
    pair.observer = await enter(server, owner, room["id"], "Observer")
    await pair.attacker.expect("control", "joined")
    return pair


async def survive(peer: Peer) -> list[dict[str, Any]]:
    """Echo round trip after the bad frame; returns the frames that came before the echo."""
    marker = {"action": "ping", "marker": uuid.uuid4().hex}
    await peer.send("echo", marker)
    before: list[dict[str, Any]] = []
    while True:
        frame = await peer.recv()
        if frame["namespace"] == "echo" and frame["payload"] == marker:
            return before
        before.append(frame)


ROOMS: dict[int, Room] = {}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(frame=frames)
async def test_bad_frames_from_a_joined_participant(
    server: ServerProcess, owner: Api, frame: str | bytes
) -> None:
    room = ROOMS.get(server.port)
    if room is None:
        room = ROOMS[server.port] = await pair(server, owner)
    await room.attacker.ws.send(frame)
    replies = await survive(room.attacker)
    for reply in replies:
        assert reply["namespace"] == "control", reply
        assert reply["payload"] in (
            {"message": "error", "error": "invalid_json"},
            {"message": "error", "error": "invalid_namespace"},
        ), reply
    # The observer's own echo is written after anything the bad frame could have caused.
    assert await survive(room.observer) == []


async def test_bad_frames_before_join_are_answered_or_dropped(
    server: ServerProcess, owner: Api
) -> None:
    room = await owner.create_room()
    peer = await Peer.connect(server, (await owner.start(room["id"]))["ticket"])
    cases: list[tuple[str | bytes, dict[str, Any] | None]] = [
        ("not json", {"message": "error", "error": "invalid_json"}),
        (b"\xff\xfe", {"message": "error", "error": "invalid_json"}),
        (
            b'{"namespace":"control","payload":{"action":"join","display_name":7}}',
            {"message": "error", "error": "invalid_json"},
        ),
        (
            '{"namespace":"control","payload":{"action":"dance"}}',
            {"message": "error", "error": "invalid_json"},
        ),
        ('{"namespace":"control"}', {"message": "error", "error": "invalid_json"}),
        ('{"namespace":"chat","payload":{"action":"send_message","content":"x"}}', None),
        ('{"namespace":"nope","payload":{}}', None),
    ]
    for frame, expected in cases:
        await peer.ws.send(frame)
        replies = await survive(peer)
        assert [r["payload"] for r in replies] == ([expected] if expected else []), frame
    success = await peer.join("Still Here")
    assert success["message"] == "join_success"
    await peer.ws.send('{"namespace":"nope","payload":{}}')
    assert [r["payload"] for r in await survive(peer)] == [
        {"message": "error", "error": "invalid_namespace"}
    ]
    await peer.ws.send('{"namespace":"chat","payload":{"action":"send_message","content":5}}')
    assert await survive(peer) == []
    await peer.close()


async def test_binary_frames_carry_commands_too(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room()
    peer = await Peer.connect(server, (await owner.start(room["id"]))["ticket"])
    join = {"namespace": "control", "payload": {"action": "join", "display_name": "Bin"}}
    await peer.ws.send(json.dumps(join).encode())
    await peer.expect("control", "join_success")
    await peer.close()


REST_PATHS = [
    "/v1/rooms/{room}/start",
    "/v1/rooms/{room}/start_invited",
    "/v1/services/call_in/start",
    "/v1/rooms",
    "/v1/invite/verify",
]


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(REST_PATHS), body=json_values | st.binary(max_size=100))
async def test_rest_bodies_never_cause_a_server_error(
    server: ServerProcess, owner: Api, path: str, body: Any
) -> None:
    target = path.format(room=str(uuid.UUID(int=1)))
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await owner.http.post(
        target,
        content=content,
        headers={"Authorization": f"Bearer {owner.token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text
    error = response.json()
    if response.status_code >= 400:
        assert isinstance(error["code"], str) and isinstance(error["message"], str)


async def test_absurdly_deep_json_is_invalid_json_on_both_sides(
    server: ServerProcess, owner: Api
) -> None:
    deep = "[" * 20_000 + "]" * 20_000  # under the 64 KiB body limit
    response = await owner.http.post(
        "/v1/rooms",
        content=deep.encode(),
        headers={"Authorization": f"Bearer {owner.token}", "Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_json")
    room = await owner.create_room()
    peer = await enter(server, owner, room["id"], "Deep")
    await peer.ws.send('{"namespace":"chat","payload":' + deep + "}")
    assert [r["payload"] for r in await survive(peer)] == [
        {"message": "error", "error": "invalid_json"}
    ]
    await peer.ws.send('{"namespace":"control","payload":{"action":"raise_hand","x":' + deep + "}}")
    assert [r["payload"]["message"] for r in await survive(peer)] == ["error"]
    await peer.close()
