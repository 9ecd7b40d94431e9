"""Webhooks on three nodes over one Redis: the receiver is down while the node delivering a
room's events is SIGKILLed; another node takes the room over and, once the receiver is back,
delivers every event once more in order (none lost), and the meeting's record matches what
happened: resumptions and breakout moves keep one attendance, the dead node's participant
timed out."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from tests.support.client import Api, Json
from tests.support.nodes import NodeGroup
from tests.support.receiver import Receiver, check_notifications, told
from tests.support.world import World

SECRET = "multinode-secret"
EVENTS = ["session.started", "session.ended", "participant.joined", "participant.left"]


async def eventually(api: Api, path: str, done: Callable[[Json], bool]) -> Json:
    """GET ``path`` until ``done`` holds for its body (about 30 s at most)."""
    body: Json = {}
    for _ in range(300):
        response = await api.request("GET", path)
        if response.status_code == 200:
            body = response.json()
            if done(body):
                return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path}: still {body}")


async def test_the_delivering_node_dies_while_the_receiver_is_down() -> None:
    group = NodeGroup(
        3,
        SIGNALING_WEBHOOK_LEASE="2",
        SIGNALING_WEBHOOK_RETRY_BASE="0.2",
        SIGNALING_WEBHOOK_RETRY_MAX="1",
        SIGNALING_WEBHOOK_MOVE_WINDOW="2",
    )
    world = World(*group.nodes)
    receiver = await Receiver().start()
    receiver.status = 503  # down
    try:
        admins = [Api(node, node.token("platform", service="admin")) for node in group.nodes]
        world.apis += admins
        made = await admins[0].request(
            "POST", "/v1/webhooks", {"url": receiver.url, "events": EVENTS, "secret": SECRET}
        )
        assert made.status_code == 201, made.text
        owner = world.user("Olivia Owner")
        room = (await owner.create_room())["id"]
        alice, _ = await world.enter(owner, room, "Alice", node=0)
        bob_api, carol_api = world.user("Bob User"), world.user("Carol User")
        bob, _ = await world.enter(bob_api, room, "Bob", node=1)
        carol, _ = await world.enter(carol_api, room, "Carol", node=2)
        assert (await bob.expect("control", "joined"))["id"] == carol.id
        command = {
            "action": "start",
            "duration": None,
            "rooms": [{"name": "One", "assignments": [bob.id]}],
        }
        await alice.send("breakout", command)
        one = (await bob.expect("breakout", "started"))["rooms"][0]["id"]
        await bob.close()  # Bob moves into the breakout room, on node 2
        bob = await world.connect(
            bob_api, room, node=2, resumption=bob.resumption, breakout_room=one
        )
        await bob.join("Bob")
        await carol.close()  # Carol's connection drops; she resumes on node 1
        carol = await world.resume(carol_api, room, carol, node=1)
        await carol.join("Carol")
        peers = {0: alice, 1: carol, 2: bob}

        # The node that holds the room's outbox says so when the receiver fails it.
        await receiver.until(lambda: len(receiver.events(room, delivered_only=False)) >= 2)
        holders = [i for i, node in enumerate(group.nodes) if room in node.log()]
        assert len(holders) == 1, holders
        dead = holders[0]
        group.nodes[dead].kill()
        doomed = peers.pop(dead)
        api = admins[(dead + 1) % 3]

        sessions = await eventually(api, f"/v1/rooms/{room}/sessions", lambda b: b["data"])
        session = sessions["data"][0]["id"]
        people = f"/v1/sessions/{session}/participants"

        def left(pid: str | None, reason: str) -> Callable[[Json], bool]:
            return lambda body: any(
                (p["participant_id"], p["leave_reason"]) == (pid, reason) for p in body["data"]
            )

        await eventually(api, people, left(doomed.id, "timeout"))  # taken over and recorded
        survivors = sorted(peers.values(), key=lambda p: p is not alice)
        for peer in survivors:
            await peer.close()
            await eventually(api, people, left(peer.id, "quit"))
        ended = await eventually(api, f"/v1/sessions/{session}", lambda b: b["ended_at"])
        assert (ended["participant_count"], ended["max_concurrent"]) == (3, 3)
        record = (await api.request("GET", people)).json()["data"]
        assert sorted((p["participant_id"], p["leave_reason"]) for p in record) == sorted(
            [(doomed.id, "timeout"), *((p.id, "quit") for p in survivors)]
        )  # one attendance each: the move and the resumption are no leave

        receiver.status = 200  # back
        got = await receiver.wait_for(room, "session.ended", timeout=30)
        check_notifications(got, room, SECRET)
        joined = told(got)[:4]
        assert joined[0] == ("session.started", None, None)
        assert sorted(joined[1:]) == sorted(
            ("participant.joined", pid, None) for pid in (alice.id, bob.id, carol.id)
        )
        assert told(got)[4:] == [
            ("participant.left", doomed.id, "timeout"),
            *(("participant.left", p.id, "quit") for p in survivors),
            ("session.ended", None, None),
        ]
        attempts = receiver.events(room, delivered_only=False)
        delivered = Counter(r.json["id"] for r in attempts if r.status < 300)
        print(
            f"\nwebhook figures: produced 8, delivered {len(delivered)}, "
            f"failed attempts {sum(r.status >= 300 for r in attempts)}, "
            f"duplicated {sum(n - 1 for n in delivered.values())}, lost {8 - len(delivered)}"
        )
        assert len(delivered) == 8
    finally:
        await world.aclose()
        await receiver.stop()
        group.stop()
