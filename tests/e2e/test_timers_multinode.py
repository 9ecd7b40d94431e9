"""Poll and breakout timers on three nodes over one Redis (reference §10, §11, §15.5, and our
decision that a timer fires exactly once even if the node that started it died): the node of
the moderator who started a 2-second poll or breakout session is killed (SIGKILL) before the
deadline; every member on the surviving nodes still gets exactly one ``done`` / ``expired``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.support.expect import collect, gone
from tests.support.nodes import TrackedNodeGroup

Json = dict[str, Any]
WINDOW = 5.0  # the 2 s deadline, then at least 2 s more in which nothing else may come


async def test_a_poll_ends_once_for_everyone_after_its_node_died(tracked: TrackedNodeGroup) -> None:
    owner = tracked.user(0, "Olivia")
    room: str = (await owner.create_room())["id"]
    alice = await tracked.join(owner, room, "Alice")  # the moderator, on node 0
    bob = await tracked.join(tracked.user(1, "Bob"), room, "Bob")
    await alice.expect("control", "joined")
    carol = await tracked.join(tracked.user(2, "Carol"), room, "Carol")
    for peer in (alice, bob):
        await peer.expect("control", "joined")

    command = {"action": "start", "topic": "Stay?", "choices": ["yes", "no"], "duration": 2}
    await alice.send("polls", command)
    begun = time.monotonic()
    pid = (await alice.expect("polls", "started"))["id"]
    for peer in (bob, carol):
        assert (await peer.expect("polls", "started"))["id"] == pid
    await bob.send("polls", {"action": "vote", "poll_id": pid, "choice_id": 0})
    await carol.send("polls", {"action": "vote", "poll_id": pid, "choice_id": 1})
    await bob.echo()  # the votes were handled before the kill
    await carol.echo()
    tracked.nodes[0].kill()

    results = [{"id": 0, "count": 1}, {"id": 1, "count": 1}]
    done = {"message": "done", "id": pid, "results": results}
    for got in await asyncio.gather(*(collect(p, begun + WINDOW) for p in (bob, carol))):
        assert gone(got, alice) == [("polls", done)], got


async def test_a_breakout_session_expires_once_for_everyone_after_its_node_died(
    tracked: TrackedNodeGroup,
) -> None:
    owner = tracked.user(0, "Olivia")
    room: str = (await owner.create_room())["id"]
    alice = await tracked.join(owner, room, "Alice")
    bob = await tracked.join(tracked.user(1, "Bob"), room, "Bob")
    await alice.expect("control", "joined")

    rooms = [{"name": "R1", "assignments": []}]
    await alice.send("breakout", {"action": "start", "rooms": rooms, "duration": 2})
    begun = time.monotonic()
    [r1] = (await alice.expect("breakout", "started"))["rooms"]
    await bob.expect("breakout", "started")
    carol = await tracked.join(tracked.user(2, "Carol"), room, "Carol", breakout_room=r1["id"])
    for peer in (alice, bob):
        joined = await peer.expect("breakout", "joined")
        assert (joined["id"], joined["breakout_room"]) == (carol.id, r1["id"])
    tracked.nodes[0].kill()

    bob_got, carol_got = await asyncio.gather(
        collect(bob, begun + WINDOW), collect(carol, begun + WINDOW)
    )
    expired = ("breakout", {"message": "expired"})
    assert gone(carol_got, alice) == [expired], carol_got
    carol_left = ("breakout", {"message": "left", "breakout_room": r1["id"], "id": carol.id})
    assert gone(bob_got, alice) == [expired, carol_left], bob_got  # carol closed after the linger
    code, _ = await carol.closed()
    assert code == 1000
