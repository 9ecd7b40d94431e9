"""Webhooks and meeting sessions over real sockets on both backends: a real receiver on a
loopback port records every notification; what it got, and the sessions REST answers, must
match what happened in the room."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.support.client import Api, Json, Peer
from tests.support.receiver import RFC3339, Receiver, check_notifications, told
from tests.support.server import ServerProcess
from tests.support.world import World

SECRET = "webhook-secret-of-the-suite"
EVENTS = [
    "session.started",
    "session.ended",
    "participant.joined",
    "participant.left",
    "participant.waiting",
    "room.deleted",
    "poll.done",
]


def admin(server: ServerProcess) -> Api:
    return Api(server, server.token("platform", service="admin"))


@pytest.fixture
async def receiver(server: ServerProcess) -> AsyncIterator[Receiver]:
    """A receiver subscribed to every event on the shared server (for this test only)."""
    found = await Receiver().start()
    api = admin(server)
    made = await api.request("POST", "/v1/webhooks", {"url": found.url, "events": EVENTS,
                                                      "secret": SECRET})  # fmt: skip
    assert made.status_code == 201, made.text
    yield found
    assert (await api.request("DELETE", f"/v1/webhooks/{made.json()['id']}")).status_code == 204
    await api.aclose()
    await found.stop()


async def sees_left(peer: Peer, who: Peer) -> None:
    assert (await peer.expect("control", "left"))["id"] == who.id


async def test_a_meeting_from_start_to_deletion(world: World, receiver: Receiver) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    await alice.send("moderation", {"action": "kick", "target": bob.id})
    await sees_left(alice, bob)
    carol, _ = await world.enter(world.user("Carol User"), room, "Carol")
    assert (await alice.expect("control", "joined"))["id"] == carol.id
    await carol.close()
    await sees_left(alice, carol)
    start = {"action": "start", "topic": "Lunch?", "choices": ["yes", "no"], "live": False}
    await alice.send("polls", {**start, "duration": None})
    poll = (await alice.expect("polls", "started"))["id"]
    await alice.send("polls", {"action": "vote", "poll_id": poll, "choice_id": 0})
    await alice.send("polls", {"action": "finish", "id": poll})
    await alice.expect("polls", "done")
    assert (await owner.request("DELETE", f"/v1/rooms/{room}")).status_code == 204

    got = await receiver.wait_for(room, "room.deleted")
    check_notifications(got, room, SECRET)
    events = told(got)
    assert events[:6] == [
        ("session.started", None, None),
        ("participant.joined", alice.id, None),
        ("participant.joined", bob.id, None),
        ("participant.left", bob.id, "kicked"),
        ("participant.joined", carol.id, None),
        ("participant.left", carol.id, "quit"),
    ]
    assert events[6][0] == "poll.done"
    # the owner's socket is closed by the deletion: gone with the room, or quit just before
    assert events[7][:2] == ("participant.left", alice.id) and events[7][2] in (
        "room_deleted",
        "quit",
    )
    assert events[8:] == [("session.ended", None, None), ("room.deleted", None, None)]
    done = got[6].json["data"]
    assert (done["poll_id"], done["topic"], done["results"]) == (
        poll,
        "Lunch?",
        [{"id": 0, "count": 1}, {"id": 1, "count": 0}],
    )
    joined = got[2].json["data"]
    assert joined["display_name"] == "Bob" and joined["kind"] == "user"
    assert joined["role"] == "user" and RFC3339.match(joined["joined_at"])
    assert got[8].json["data"]["reason"] == "room_deleted"

    # The record outlives the room: an admin token still reads it.
    api = admin(world.nodes[0])
    world.apis.append(api)
    listed = await api.request("GET", f"/v1/rooms/{room}/sessions")
    assert listed.status_code == 200, listed.text
    [session] = listed.json()["data"]
    assert listed.json()["total_count"] == 1
    assert session["id"] == got[0].json["data"]["session_id"]
    assert session["ended_at"] is not None
    assert (session["participant_count"], session["max_concurrent"]) == (3, 2)
    people = (await api.request("GET", f"/v1/sessions/{session['id']}/participants")).json()
    assert [(p["participant_id"], p["leave_reason"]) for p in people["data"]] == [
        (alice.id, events[7][2]),
        (bob.id, "kicked"),
        (carol.id, "quit"),
    ]
    assert (await owner.request("GET", f"/v1/rooms/{room}/sessions")).status_code == 404


async def move(world: World, api: Api, room: str, old: Peer, name: str, to: str | None) -> Peer:
    """A breakout move: the old socket closes, a new one joins with the same id."""
    await old.close()
    body: Json = {"resumption": old.resumption}
    if to is not None:
        body["breakout_room"] = to
    peer = await world.connect(api, room, **body)
    assert (await peer.join(name))["id"] == old.id
    return peer


async def test_waiting_room_breakout_moves_and_the_end_after_the_grace_period(
    world: World, receiver: Receiver
) -> None:
    owner = world.user("Olivia Owner")
    room = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob_api = world.user("Bob User")
    bob = await world.wait(bob_api, room, "Bob", [alice])
    await alice.send("moderation", {"action": "accept", "target": bob.id})
    await bob.expect("moderation", "accepted")
    await bob.send("control", {"action": "enter_room"})
    await bob.expect("control", "join_success")
    await alice.send("breakout", {"action": "start", "duration": None,
                                  "rooms": [{"name": "One", "assignments": [bob.id]}]})  # fmt: skip
    started = await bob.expect("breakout", "started")
    one = started["rooms"][0]["id"]
    bob = await move(world, bob_api, room, bob, "Bob", one)
    bob = await move(world, bob_api, room, bob, "Bob", None)  # and back to the main room
    await bob.close()
    await receiver.wait_for(room, "participant.left", bob.id)
    await alice.close()

    got = await receiver.wait_for(room, "session.ended")
    check_notifications(got, room, SECRET)
    assert told(got) == [
        ("session.started", None, None),
        ("participant.joined", alice.id, None),
        ("participant.waiting", bob.id, None),
        ("participant.joined", bob.id, None),
        ("participant.left", bob.id, "quit"),
        ("participant.left", alice.id, "quit"),
        ("session.ended", None, None),
    ]
    assert got[-1].json["data"]["reason"] == "empty"

    session_id = got[0].json["data"]["session_id"]
    listed = await owner.request("GET", f"/v1/rooms/{room}/sessions")
    assert listed.status_code == 200, listed.text
    assert [s["id"] for s in listed.json()["data"]] == [session_id]
    session = (await owner.request("GET", f"/v1/sessions/{session_id}")).json()
    assert session["room_id"] == room and session["ended_at"] is not None
    assert (session["participant_count"], session["max_concurrent"]) == (2, 2)
    people = (await owner.request("GET", f"/v1/sessions/{session_id}/participants")).json()
    assert [(p["participant_id"], p["leave_reason"]) for p in people["data"]] == [
        (alice.id, "quit"),
        (bob.id, "quit"),
    ]
    other = world.user("Eve Other")
    for path in (f"/v1/rooms/{room}/sessions", f"/v1/sessions/{session_id}",
                 f"/v1/sessions/{session_id}/participants"):  # fmt: skip
        assert (await other.request("GET", path)).status_code == 403
    for path in (f"/v1/sessions/{uuid.uuid4()}", "/v1/sessions/not-a-uuid/participants"):
        assert (await owner.request("GET", path)).status_code == 404


async def test_a_failing_receiver_gets_everything_in_order_later(
    world: World, receiver: Receiver
) -> None:
    receiver.status = 500
    owner = world.user("Olivia Owner")
    room = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    await alice.expect("control", "joined")
    await alice.send("moderation", {"action": "kick", "target": bob.id})
    await sees_left(alice, bob)
    # a few attempts, backing off
    await receiver.until(lambda: len(receiver.events(room, delivered_only=False)) >= 4)
    receiver.status = 200
    await alice.close()

    got = await receiver.wait_for(room, "session.ended")
    check_notifications(got, room, SECRET)
    assert [e for e, _, _ in told(got)] == [
        "session.started",
        "participant.joined",
        "participant.joined",
        "participant.left",
        "participant.left",
        "session.ended",
    ]
    attempts = receiver.events(room, delivered_only=False)
    failed = [r for r in attempts if r.status == 500]
    assert failed and {r.json["id"] for r in failed} <= {r.json["id"] for r in got}
    by_id = {r.json["id"]: r for r in got}
    for r in failed:  # a retry is the same notification: same id, bytes and signature
        assert (r.body, r.headers["x-signature"]) == (
            by_id[r.json["id"]].body,
            by_id[r.json["id"]].headers["x-signature"],
        )
    order = [r.json["id"] for r in got]
    positions = [order.index(r.json["id"]) for r in attempts]
    assert positions == sorted(positions)  # nothing overtook an event being retried
    print(
        f"\nwebhook figures: produced 6, delivered {len(got)}, failed attempts {len(failed)}, "
        f"duplicated {len(got) - len(set(order))}, lost {6 - len(set(order))}"
    )


async def test_managing_webhooks(server: ServerProcess, owner: Api) -> None:
    api = admin(server)
    try:
        body = {"url": "https://crm.example.org/hook", "events": ["poll.done", "poll.done"],
                "secret": "s3cret"}  # fmt: skip
        made = await api.request("POST", "/v1/webhooks", body)
        assert made.status_code == 201, made.text
        hook = made.json()
        assert set(hook) == {"id", "url", "events", "created_at"}  # never the secret
        assert (hook["url"], hook["events"]) == (body["url"], ["poll.done"])
        path = f"/v1/webhooks/{hook['id']}"
        assert (await api.request("GET", path)).json() == hook
        listed = (await api.request("GET", "/v1/webhooks")).json()
        assert hook in listed["data"] and listed["total_count"] >= 1
        changed = await api.request("PATCH", path, {"events": ["room.deleted"]})
        assert changed.status_code == 200 and changed.json() == {**hook, "events": ["room.deleted"]}
        for bad in (
            {**body, "url": "ftp://example.org/hook"},
            {**body, "url": "/relative"},
            {**body, "events": ["meeting.exploded"]},
            {**body, "events": []},
            {**body, "secret": ""},
            {**body, "secret": "   "},
        ):
            refused = await api.request("POST", "/v1/webhooks", bad)
            assert refused.status_code == 422, (bad, refused.text)
            assert refused.json()["code"] == "validation_failed"
        assert (await api.request("PATCH", path, {"url": "javascript:alert(1)"})).status_code == 422
        for method in ("GET", "POST", "PATCH", "DELETE"):
            target = "/v1/webhooks" if method == "POST" else path
            assert (await owner.request(method, target, body)).status_code == 403  # no role
        assert (await api.request("DELETE", path)).status_code == 204
        for method in ("GET", "PATCH", "DELETE"):
            assert (await api.request(method, path, {"secret": "x"})).status_code == 404
        assert (await api.request("GET", "/v1/webhooks/not-a-uuid")).status_code == 404
    finally:
        await api.aclose()
