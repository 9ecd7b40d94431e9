"""Chat and polls by REST (issue 14): a backend posts into the main room's chat and exports
it, a session's record keeps its finished polls and, for rooms with ``chat_persistence``, its
chat. Across nodes on three nodes over one Redis (REST on node 0, the participants on nodes 1
and 2); refusals and authorization on both backends."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.support.client import Api, Json, Peer
from tests.support.expect import TIMESTAMP, barrier
from tests.support.server import ServerProcess
from tests.support.world import World

SYSTEM = "system"


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


async def post_chat(api: Api, room: str, content: str, **kw: str) -> httpx.Response:
    return await api.request("POST", f"/v1/rooms/{room}/chat", {"content": content}, **kw)


async def session_of(api: Api, room: str) -> str:
    live = (await api.request("GET", f"/v1/rooms/{room}/live")).json()
    assert live["session_id"] is not None
    return str(live["session_id"])


async def recorded(api: Api, path: str, timeout: float = 10.0) -> httpx.Response:
    """GET ``path`` until it answers 200 (the records follow the live state shortly)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await api.request("GET", path)
        if response.status_code == 200 or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.1)


async def ended(api: Api, session: str) -> None:
    """Wait until the session's record shows its end."""
    deadline = asyncio.get_running_loop().time() + 10
    while (await recorded(api, f"/v1/sessions/{session}")).json().get("ended_at") is None:
        assert asyncio.get_running_loop().time() < deadline, "the session never ended"
        await asyncio.sleep(0.1)


async def meeting(world: World, **room: object) -> tuple[Api, str, Peer, Peer]:
    """The owner's room (with ``room``'s fields); Alice (the owner, moderator) and Bob, joined."""
    owner = world.user("Olivia Owner")
    room_id = (await owner.create_room(**room))["id"]
    alice, _ = await world.enter(owner, room_id, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room_id, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    return owner, room_id, alice, bob


# -- across nodes ------------------------------------------------------------------------------


async def test_a_posted_message_reaches_every_node_and_the_history(spread: World) -> None:
    owner = spread.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await spread.enter(owner, room, "Alice", node=1)
    bob, _ = await spread.enter(spread.user("Bob User", node=2), room, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    await alice.send("chat", {"action": "send_message", "content": "hi", "scope": "global"})
    for peer in (alice, bob):
        await peer.expect("chat", "message_sent")

    posted = await post_chat(owner, room, "Ends in 5 minutes.\nPlease wrap up.")
    assert posted.status_code == 201, posted.text
    message = posted.json()
    assert set(message) == {"id", "timestamp"} and TIMESTAMP.fullmatch(message["timestamp"])
    for peer in (alice, bob):
        assert await peer.expect("chat", "message_sent") == {
            "message": "message_sent",
            "id": message["id"],
            "source": SYSTEM,
            "content": "Ends in 5 minutes.\nPlease wrap up.",
            "scope": "global",
        }
    carol, success = await spread.enter(spread.user("Carol User", node=1), room, "Carol")
    for peer in (alice, bob):
        assert (await peer.expect("control", "joined"))["id"] == carol.id
    history = success["chat"]["room_history"]["messages"]
    assert [(m["source"], m["content"]) for m in history] == [
        (alice.id, "hi"),
        (SYSTEM, "Ends in 5 minutes.\nPlease wrap up."),
    ]
    assert history[1]["id"] == message["id"] and history[1]["timestamp"] == message["timestamp"]

    exported = await owner.request("GET", f"/v1/rooms/{room}/chat/export")
    assert exported.status_code == 200
    data = exported.json()["data"]
    assert [(m["source"], m["display_name"], m["content"]) for m in data] == [
        (alice.id, "Alice", "hi"),
        (SYSTEM, None, "Ends in 5 minutes.\nPlease wrap up."),
    ]
    assert set(data[0]) == {"id", "source", "display_name", "content", "timestamp"}
    text = await owner.request("GET", f"/v1/rooms/{room}/chat/export", params={"format": "txt"})
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert "attachment" in text.headers["content-disposition"]
    assert text.text == (
        f"[{data[0]['timestamp']}] Alice: hi\n"
        f"[{message['timestamp']}] system: Ends in 5 minutes.\\nPlease wrap up.\n"
    )
    session = await session_of(owner, room)
    by_session = await recorded(owner, f"/v1/sessions/{session}/chat/export")
    assert by_session.json() == exported.json()  # the running session: its live chat
    await barrier(alice, bob, carol)  # nothing else was sent


async def test_finished_polls_are_kept_in_the_session(spread: World) -> None:
    owner = spread.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await spread.enter(owner, room, "Alice", node=1)
    bob, _ = await spread.enter(spread.user("Bob User", node=2), room, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    start = {"action": "start", "topic": "Pizza today?", "choices": ["yes", "no", "later"]}
    await alice.send("polls", start)
    poll = (await bob.expect("polls", "started"))["id"]
    await alice.expect("polls", "started")
    await bob.send("polls", {"action": "vote", "poll_id": poll, "choice_id": 2})
    await alice.send("polls", {"action": "vote", "poll_id": poll, "choice_id": 2})
    await barrier(alice, bob)  # both votes are in
    await alice.send("polls", {"action": "finish", "id": poll})
    for peer in (alice, bob):
        await peer.expect("polls", "done")
    await alice.send("polls", {**start, "topic": "Still running"})
    for peer in (alice, bob):
        await peer.expect("polls", "started")

    session = await session_of(owner, room)
    path = f"/v1/sessions/{session}/polls"
    deadline = asyncio.get_running_loop().time() + 10
    while not (listed := (await recorded(owner, path)).json().get("data")):
        assert asyncio.get_running_loop().time() < deadline, "the poll was never recorded"
        await asyncio.sleep(0.1)
    assert listed == [
        {
            "id": poll,
            "topic": "Pizza today?",
            "breakout_room": None,
            "ended_at": listed[0]["ended_at"],
            "choices": [
                {"id": 0, "content": "yes", "count": 0},
                {"id": 1, "content": "no", "count": 0},
                {"id": 2, "content": "later", "count": 2},
            ],
        }
    ]  # the running poll is not listed
    assert TIMESTAMP.fullmatch(listed[0]["ended_at"])


# -- kept chat, on both backends -------------------------------------------------------------


async def test_an_ended_session_keeps_its_chat_when_the_room_asks(world: World) -> None:
    owner, room, alice, bob = await meeting(world, chat_persistence=True)
    await bob.send("chat", {"action": "send_message", "content": "bye", "scope": "global"})
    await bob.send(
        "chat",
        {"action": "send_message", "content": "psst", "scope": "private", "target": alice.id},
    )
    for peer in (alice, bob, alice):
        await peer.expect("chat", "message_sent")
    assert (await post_chat(owner, room, "closing")).status_code == 201
    session = await session_of(owner, room)
    assert (await owner.request("POST", f"/v1/rooms/{room}/end")).status_code == 204

    path = f"/v1/sessions/{session}/chat/export"
    kept = await recorded(owner, path)
    assert kept.status_code == 200, kept.text
    assert [(m["source"], m["display_name"], m["content"]) for m in kept.json()["data"]] == [
        (bob.id, "Bob", "bye"),
        (SYSTEM, None, "closing"),
    ]  # the global chat only
    text = await owner.request("GET", path, params={"format": "txt"})
    assert text.text.splitlines()[0].endswith("] Bob: bye")
    assert code(await owner.request("GET", f"/v1/rooms/{room}/chat/export")) == (404, "not_found")

    assert (await owner.request("DELETE", f"/v1/sessions/{session}/chat")).status_code == 204
    assert code(await owner.request("GET", path)) == (404, "not_found")
    assert code(await owner.request("DELETE", f"/v1/sessions/{session}/chat")) == (
        404,
        "not_found",
    )
    assert (await owner.request("GET", f"/v1/sessions/{session}")).status_code == 200  # stays


async def test_an_ended_session_keeps_no_chat_by_default(world: World) -> None:
    owner, room, _, _ = await meeting(world)
    assert (await post_chat(owner, room, "nobody keeps this")).status_code == 201
    session = await session_of(owner, room)
    assert (await owner.request("POST", f"/v1/rooms/{room}/end")).status_code == 204
    await ended(owner, session)  # the chat would have been recorded before the end
    path = f"/v1/sessions/{session}/chat/export"
    assert code(await owner.request("GET", path)) == (404, "not_found")
    assert code(await owner.request("DELETE", f"/v1/sessions/{session}/chat")) == (
        404,
        "not_found",
    )


async def test_persistence_switched_off_before_the_end_keeps_nothing(world: World) -> None:
    owner, room, _, _ = await meeting(world, chat_persistence=True)
    assert (await post_chat(owner, room, "private after all")).status_code == 201
    changed = await owner.request("PATCH", f"/v1/rooms/{room}", {"chat_persistence": False})
    assert changed.status_code == 200 and changed.json()["chat_persistence"] is False
    session = await session_of(owner, room)
    assert (await owner.request("POST", f"/v1/rooms/{room}/end")).status_code == 204
    await ended(owner, session)
    assert code(await owner.request("GET", f"/v1/sessions/{session}/chat/export")) == (
        404,
        "not_found",
    )


# -- refusals and authorization, on both backends --------------------------------------------


async def test_chat_refusals(world: World) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    assert code(await post_chat(owner, room, "nobody here")) == (404, "not_found")
    assert code(await owner.request("GET", f"/v1/rooms/{room}/chat/export")) == (404, "not_found")
    alice, _ = await world.enter(owner, room, "Alice")
    for content in ("", "é" * 2049):  # empty, 4098 bytes
        assert code(await post_chat(owner, room, content)) == (422, "validation_failed")
    missing = await owner.request("POST", f"/v1/rooms/{room}/chat", {"text": "hi"})
    assert code(missing) == (422, "validation_failed")
    bad = await owner.request("GET", f"/v1/rooms/{room}/chat/export", params={"format": "xml"})
    assert code(bad) == (422, "validation_failed")
    assert bad.json()["errors"][0]["field"] == "format"
    assert code(await post_chat(owner, str(uuid.uuid4()), "hi")) == (404, "not_found")

    await alice.send("chat", {"action": "disable_chat"})
    await alice.expect("chat", "chat_disabled")
    assert code(await post_chat(owner, room, "hi")) == (409, "chat_disabled")
    await alice.send("chat", {"action": "enable_chat"})
    await alice.expect("chat", "chat_enabled")
    assert (await post_chat(owner, room, "x" * 4096)).status_code == 201  # exactly the limit
    assert (await alice.expect("chat", "message_sent"))["content"] == "x" * 4096
    exported = (await owner.request("GET", f"/v1/rooms/{room}/chat/export")).json()["data"]
    assert [m["content"] for m in exported] == ["x" * 4096]  # nothing refused was kept


async def test_who_may_use_chat_and_poll_routes(world: World, server: ServerProcess) -> None:
    owner, room, alice, bob = await meeting(world)
    session = await session_of(owner, room)
    assert (await recorded(owner, f"/v1/sessions/{session}")).status_code == 200
    stranger = world.user("Mallory User")
    made = await owner.request("POST", f"/v1/rooms/{room}/invites", {})
    invite = {"Authorization": f"InviteCode {made.json()['invite_code']}"}
    unusable = {"Authorization": f"InviteCode {uuid.uuid4()}"}
    gateway = server.token("gateway", service="call-in")
    admin = server.token("crm", service="admin")
    calls: list[tuple[str, str, Json | None]] = [
        ("POST", f"/v1/rooms/{room}/chat", {"content": "hi"}),
        ("GET", f"/v1/rooms/{room}/chat/export", None),
        ("GET", f"/v1/sessions/{session}/chat/export", None),
        ("DELETE", f"/v1/sessions/{session}/chat", None),
        ("GET", f"/v1/sessions/{session}/polls", None),
    ]
    anonymous = Api(server)
    try:
        for method, path, body in calls:
            forbidden = (403, "forbidden")
            assert code(await stranger.request(method, path, body)) == forbidden, path
            assert code(await owner.request(method, path, body, token=gateway)) == forbidden
            assert code(await owner.request(method, path, body, headers=invite)) == forbidden
            unauthorized = (401, "unauthorized")
            assert code(await owner.request(method, path, body, headers=unusable)) == unauthorized
            assert code(await anonymous.request(method, path, body)) == unauthorized
        for method, path, body in calls[2:]:
            unknown = path.replace(session, str(uuid.uuid4()))
            assert code(await owner.request(method, unknown, body)) == (404, "not_found")
        await barrier(alice, bob)  # nothing was posted
        assert (await post_chat(owner, room, "from the admin", token=admin)).status_code == 201
        assert (await alice.expect("chat", "message_sent"))["source"] == SYSTEM
        polls = await owner.request("GET", f"/v1/sessions/{session}/polls", token=admin)
        assert polls.status_code == 200 and polls.json() == {"data": []}
    finally:
        await anonymous.aclose()


async def test_chat_switched_off_in_the_tariff() -> None:
    server = ServerProcess({"SIGNALING_DISABLED_MODULES": "chat"}).start()
    world = World(server)
    try:
        owner = world.user("Olivia Owner")
        room = (await owner.create_room())["id"]
        alice, _ = await world.enter(owner, room, "Alice")
        assert code(await post_chat(owner, room, "hi")) == (409, "chat_disabled")
        exported = await owner.request("GET", f"/v1/rooms/{room}/chat/export")
        assert exported.status_code == 200 and exported.json() == {"data": []}
        await alice.echo()
    finally:
        await world.aclose()
        server.stop()
