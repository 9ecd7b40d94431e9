"""Timer, legal vote and talking stick on three nodes over one Redis (supplement A.9-8, B,
C; our decision that an ending comes exactly once even if the node that started it died):
votes cast at once on two nodes count once, the stick passes between nodes, and killing the
node of the moderator who started a timer or a vote still gives every other member exactly
one end event."""

from __future__ import annotations

import asyncio
import time

from tests.support.client import Peer
from tests.support.commands import talking_stick
from tests.support.expect import collect, gone
from tests.support.nodes import TrackedNodeGroup

WINDOW = 5.0  # the deadline (or the presence TTL of the dead node), then quiet time


async def spread(tracked: TrackedNodeGroup) -> tuple[str, list[Peer]]:
    """Moderator Alice on node 0, Bob on node 1, Carol on node 2, each seen by the others."""
    owner = tracked.user(0, "Olivia")
    room: str = (await owner.create_room())["id"]
    peers = [await tracked.join(owner, room, "Alice")]
    for node, name in ((1, "Bob"), (2, "Carol")):
        peer = await tracked.join(tracked.user(node, name), room, name)
        for other in peers:
            await other.expect("control", "joined")
        peers.append(peer)
    return room, peers


async def test_a_timer_ends_once_for_everyone_after_its_node_died(
    tracked: TrackedNodeGroup,
) -> None:
    _, (alice, bob, carol) = await spread(tracked)
    command = {"action": "start", "kind": "countdown", "duration": 2, "enable_ready_check": True}
    await alice.send("timer", command)
    begun = time.monotonic()
    tid = (await alice.expect("timer", "started"))["timer_id"]
    for peer in (bob, carol):
        assert (await peer.expect("timer", "started"))["timer_id"] == tid
    tracked.nodes[0].kill()

    expired = ("timer", {"message": "stopped", "timer_id": tid, "kind": "expired"})
    for got in await asyncio.gather(*(collect(p, begun + WINDOW) for p in (bob, carol))):
        assert gone(got, alice) == [expired], got


async def test_a_vote_ends_once_for_everyone_after_its_initiators_node_died(
    tracked: TrackedNodeGroup,
) -> None:
    _, (alice, bob, carol) = await spread(tracked)
    command = {
        "action": "start",
        "kind": "roll_call",
        "name": "Stay?",
        "allowed_participants": [bob.id, carol.id],
        "enable_abstain": False,
        "auto_close": False,
        "duration": 5,
        "create_pdf": False,
    }
    await alice.send("legal_vote", command)
    begun = time.monotonic()
    vid = (await alice.expect("legal_vote", "started"))["legal_vote_id"]
    token = (await bob.expect("legal_vote", "started"))["token"]
    await carol.expect("legal_vote", "started")
    vote = {"action": "vote", "legal_vote_id": vid, "option": "yes", "token": token}
    await bob.send("legal_vote", vote)
    assert (await bob.expect("legal_vote", "voted"))["response"] == "success"
    for peer in (alice, bob, carol):
        await peer.expect("legal_vote", "updated")
    tracked.nodes[0].kill()

    for got in await asyncio.gather(*(collect(p, begun + WINDOW + 2) for p in (bob, carol))):
        [(namespace, ended)] = gone(got, alice)
        assert namespace == "legal_vote", got
        # the sweep saw the initiator gone before the expiry: canceled, once (A.9-8)
        assert ended["message"] == "canceled" and ended["reason"] == "initiator_left", got
        assert ended["legal_vote_id"] == vid


async def test_votes_on_two_nodes_count_once_and_the_stick_passes_between_nodes(
    tracked: TrackedNodeGroup,
) -> None:
    room, (alice, bob, carol) = await spread(tracked)
    bob_api = tracked.apis[1]
    started = await bob_api.start(room)  # Bob's second session, on node 2
    bob2 = await Peer.connect(tracked.nodes[2], started["ticket"], started["resumption"])
    tracked.peers.append(bob2)
    await bob2.join("Bob again")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    members = [alice, bob, carol, bob2]

    command = {
        "action": "start",
        "kind": "live_roll_call",
        "name": "Lunch",
        "allowed_participants": [bob.id, carol.id, bob2.id],
        "enable_abstain": True,
        "auto_close": False,
        "create_pdf": False,
    }
    await alice.send("legal_vote", command)
    copies = [await peer.expect("legal_vote", "started") for peer in members]
    vid, token = copies[0]["legal_vote_id"], copies[1]["token"]
    assert copies[3]["token"] == token and copies[0]["max_votes"] == 2
    await asyncio.gather(  # the same token from two nodes at once
        bob.send(
            "legal_vote", {"action": "vote", "legal_vote_id": vid, "option": "yes", "token": token}
        ),
        bob2.send(
            "legal_vote", {"action": "vote", "legal_vote_id": vid, "option": "no", "token": token}
        ),
    )
    until = time.monotonic() + 1.5
    mine = await asyncio.gather(collect(bob, until), collect(bob2, until))
    others = [await peer.expect("legal_vote", "updated") for peer in (alice, carol)]
    [record] = {str(update["voting_record"]) for update in others}
    failures = 0
    for got in mine:  # per session: one success for Bob, one update, maybe its own failure
        voted = [payload for _, payload in got if payload["message"] == "voted"]
        wins = [payload for payload in voted if payload["response"] == "success"]
        assert len(wins) == 1 and wins[0]["consumed_token"] == token, got
        failures += [payload.get("reason") for payload in voted].count("ineligible")
        updates = [payload for _, payload in got if payload["message"] == "updated"]
        assert [str(update["voting_record"]) for update in updates] == [record], got
        assert len(got) == len(voted) + 1, got
    assert failures == 1  # the same token on the other node: refused
    await alice.send("legal_vote", {"action": "stop", "legal_vote_id": vid})
    for peer in members:
        stopped = await peer.expect("legal_vote", "stopped")
        assert str(stopped["voting_record"]) == record and stopped["yes"] + stopped["no"] == 1

    playlist = [alice.id, bob.id, carol.id]
    stick = talking_stick(playlist)
    await alice.send("automod", stick)
    for peer in members:
        assert (await peer.expect("automod", "started"))["remaining"] == playlist
    await alice.send("automod", {"action": "select", "how": "next"})
    for speaker, holder in ((alice.id, alice), (bob.id, bob), (carol.id, carol)):
        for peer in members:
            assert (await peer.expect("automod", "speaker_updated"))["speaker"] == speaker
        await holder.send("automod", {"action": "yield"})  # passed on to the next node
    for peer in members:
        assert await peer.expect("automod", "stopped") == {
            "message": "stopped",
            "reason": "session_finished",
        }
    until = time.monotonic() + 0.5
    for got in await asyncio.gather(*(collect(p, until) for p in members)):
        assert got == [], got  # each event once


async def test_the_stick_moves_on_when_the_speakers_node_died(tracked: TrackedNodeGroup) -> None:
    _, (alice, bob, carol) = await spread(tracked)
    stick = talking_stick([bob.id, carol.id])
    await alice.send("automod", stick)
    for peer in (alice, bob, carol):
        await peer.expect("automod", "started")
    await alice.send("automod", {"action": "select", "how": "next"})
    for peer in (alice, bob, carol):
        assert (await peer.expect("automod", "speaker_updated"))["speaker"] == bob.id
    tracked.nodes[1].kill()  # Bob's node: no leave hook runs for him (B.8-5)

    passed = {
        "message": "speaker_updated",
        "speaker": carol.id,
        "history": [bob.id, carol.id],
        "remaining": [],
    }
    for got in await asyncio.gather(
        *(collect(p, time.monotonic() + WINDOW) for p in (alice, carol))
    ):
        assert gone(got, bob) == [("automod", passed)], got


async def test_selections_on_two_nodes_at_once_apply_one_after_the_other(
    tracked: TrackedNodeGroup,
) -> None:
    room, (alice, bob, carol) = await spread(tracked)
    owner = tracked.apis[0]
    started = await owner.start(room)  # a second moderator session of the owner, on node 2
    mona = await Peer.connect(tracked.nodes[2], started["ticket"], started["resumption"])
    tracked.peers.append(mona)
    await mona.join("Mona")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    members = [alice, bob, carol, mona]
    playlist = [alice.id, bob.id, carol.id, mona.id]
    stick = talking_stick(playlist, auto_append_on_join=False)
    await alice.send("automod", stick)
    for peer in members:
        await peer.expect("automod", "started")
    for _ in range(2):  # two "next" at once from nodes 0 and 2: two turns, none lost
        await asyncio.gather(
            *(m.send("automod", {"action": "select", "how": "next"}) for m in (alice, mona))
        )
    speakers = []
    for peer in members:
        updates = [await peer.expect("automod", "speaker_updated") for _ in range(4)]
        speakers.append([update["speaker"] for update in updates])
        assert [update["remaining"] for update in updates] == [playlist[n:] for n in range(1, 5)]
    assert all(seen == playlist for seen in speakers), speakers
    until = time.monotonic() + 0.5
    for got in await asyncio.gather(*(collect(p, until) for p in members)):
        assert got == [], got
