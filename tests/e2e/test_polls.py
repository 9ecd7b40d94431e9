"""The polls module over real sockets, on both backends (reference §6, §10, §19.3, §19.6):
start with its checks in order, votes (single, multiple, abstain, re-vote), live updates,
finish and expiry with exactly one ``done``, ``join_success.polls``, polls per breakout room."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.support.client import Api, Peer
from tests.support.expect import TIMESTAMP, quiet
from tests.support.world import (
    World,
    meeting,
)

Json = dict[str, Any]

POLL_KEYS = {"id", "topic", "live", "multiple_choice", "choices", "started", "duration"}
LUNCH = ["Pizza", "Sushi", "Salad"]


async def enter_breakout(
    world: World, api: Api, room: str, name: str, breakout_room: str
) -> tuple[Peer, Json]:
    """Connect straight into a breakout room (a fresh participant) and join."""
    peer = await world.connect(api, room, breakout_room=breakout_room)
    return peer, await peer.join(name)


def start(topic: str = "Lunch?", choices: list[str] | None = None, **fields: Any) -> Json:
    command: Json = {"action": "start", "topic": topic}
    command["choices"] = LUNCH if choices is None else choices
    return command | fields


def results(*counts: int) -> list[Json]:
    return [{"id": index, "count": count} for index, count in enumerate(counts)]


async def started(moderator: Peer, members: list[Peer], command: Json) -> tuple[Json, str]:
    """``moderator`` starts a poll; every member (moderator included) gets the same
    ``started``; returns its payload and the envelope timestamp (the poll start)."""
    await moderator.send("polls", command)
    payloads, stamps = [], set()
    for member in members:
        frame = await member.recv()
        assert frame["namespace"] == "polls", frame
        assert frame["payload"]["message"] == "started", frame
        assert TIMESTAMP.match(frame["timestamp"]), frame
        payloads.append(frame["payload"])
        stamps.add(frame["timestamp"])
    assert all(payload == payloads[0] for payload in payloads), payloads
    assert len(stamps) == 1, stamps  # the envelope carries the poll start, not the send time
    payload = payloads[0]
    assert set(payload) == {"message"} | POLL_KEYS - {"started"}
    uuid.UUID(payload["id"])
    return payload, stamps.pop()


async def error(peer: Peer, code: str) -> None:
    assert await peer.expect("polls", "error") == {"message": "error", "error": code}


async def everyone(peers: list[Peer], message: str, poll_id: str, counts: list[Json]) -> None:
    for peer in peers:
        got = await peer.expect("polls", message)
        assert got == {"message": message, "id": poll_id, "results": counts}, got


async def vote(voter: Peer, poll_id: str, **choice: Any) -> None:
    await voter.send("polls", {"action": "vote", "poll_id": poll_id, **choice})


async def finish(moderator: Peer, poll_id: str, members: list[Peer], counts: list[Json]) -> None:
    await moderator.send("polls", {"action": "finish", "id": poll_id})
    await everyone(members, "done", poll_id, counts)


# -- start -------------------------------------------------------------------------------------


async def test_start_reaches_every_member_and_late_joiners_see_the_running_poll(
    world: World,
) -> None:
    room, (alice, bob, carol) = await meeting(world, "Bob", "Carol")
    poll, stamp = await started(alice, [alice, bob, carol], start())
    assert poll == {
        "message": "started",
        "id": poll["id"],
        "topic": "Lunch?",
        "live": False,  # default
        "multiple_choice": False,  # default
        "choices": [
            {"id": 0, "content": "Pizza"},
            {"id": 1, "content": "Sushi"},
            {"id": 2, "content": "Salad"},
        ],
        "duration": 0,  # absent: no time limit (§19.6)
    }

    dave, success = await world.enter(world.user("Dave User"), room, "Dave")
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    assert set(success["polls"]) == POLL_KEYS  # no results
    assert success["polls"] == {
        "id": poll["id"],
        "topic": "Lunch?",
        "live": False,
        "multiple_choice": False,
        "choices": poll["choices"],
        "started": stamp,
        "duration": 0,
    }
    assert {"polls", "breakout"} <= set(success["tariff"]["modules"])
    assert success["tariff"]["modules"]["polls"] == {"features": []}

    await finish(alice, poll["id"], [alice, bob, carol, dave], results(0, 0, 0))
    await quiet(alice, bob, carol, dave)
    _, after = await world.enter(world.user("Erin User"), room, "Erin")
    assert "polls" not in after  # omitted, never null, once no poll runs (§19.3)


async def test_start_checks_come_in_the_stated_order(world: World) -> None:
    _, (alice, bob) = await meeting(world, "Bob")
    all_wrong = start("x", ["a"], duration=1)

    await bob.send("polls", all_wrong)
    await error(bob, "insufficient_permissions")

    await alice.send("polls", all_wrong)
    await error(alice, "invalid_duration")
    await alice.send("polls", start("x", ["a"], duration=86401))
    await error(alice, "invalid_duration")
    await alice.send("polls", start("x", ["a"]))
    await error(alice, "invalid_topic_length")
    await alice.send("polls", start("x" * 501, ["a"], duration=86400))
    await error(alice, "invalid_topic_length")
    await alice.send("polls", start("ok", [""]))  # one (bad) choice: the count comes first
    await error(alice, "invalid_choice_count")
    await alice.send("polls", start("ok", [str(n) for n in range(65)] + [""]))
    await error(alice, "invalid_choice_count")
    await alice.send("polls", start("ok", ["a", ""]))
    await error(alice, "invalid_choice_description")
    await alice.send("polls", start("ok", ["a", "é" * 51]))  # 102 bytes
    await error(alice, "invalid_choice_description")
    await quiet(alice, bob)  # errors go to the sender only; nothing started

    # the largest valid values: topic counted in characters, choices in bytes
    choices = ["a" * 100, "é" * 50] + [f"choice {n}" for n in range(62)]
    poll, _ = await started(alice, [alice, bob], start("é" * 500, choices, duration=86400))
    assert poll["duration"] == 86400 and poll["topic"] == "é" * 500
    assert poll["choices"] == [{"id": n, "content": c} for n, c in enumerate(choices)]

    await alice.send("polls", all_wrong)  # a poll runs: still_running comes before the rest
    await error(alice, "still_running")
    await alice.send("polls", start())
    await error(alice, "still_running")
    await bob.send("polls", start())
    await error(bob, "insufficient_permissions")
    await quiet(alice, bob)
    await finish(alice, poll["id"], [alice, bob], results(*[0] * 64))

    # the smallest valid values, and an explicit duration 0
    small, _ = await started(alice, [alice, bob], start("ab", ["x", "y"], duration=2))
    assert small["duration"] == 2 and small["choices"] == [
        {"id": 0, "content": "x"},
        {"id": 1, "content": "y"},
    ]
    await finish(alice, small["id"], [alice, bob], results(0, 0))
    zero, _ = await started(alice, [alice, bob], start(duration=0, live=True, multiple_choice=True))
    assert zero["duration"] == 0 and zero["live"] is True and zero["multiple_choice"] is True
    await finish(alice, zero["id"], [alice, bob], results(0, 0, 0))
    await quiet(alice, bob)


# -- vote --------------------------------------------------------------------------------------


async def test_live_single_choice_votes_move_the_counts(world: World) -> None:
    _, members = await meeting(world, "Bob", "Carol")
    alice, bob, carol = members
    poll, _ = await started(alice, members, start(live=True))
    pid = poll["id"]

    await vote(bob, pid, choice_id=1)
    await everyone(members, "live_update", pid, results(0, 1, 0))
    await vote(carol, pid, choice_id=1)
    await everyone(members, "live_update", pid, results(0, 2, 0))
    await vote(bob, pid, choice_id=2)  # re-vote replaces: the count moves
    await everyone(members, "live_update", pid, results(0, 1, 1))
    await vote(bob, pid)  # no choice: abstain, withdraws bob's earlier choice
    await everyone(members, "live_update", pid, results(0, 1, 0))
    await vote(carol, pid, choice_ids=[])  # [] abstains too
    await everyone(members, "live_update", pid, results(0, 0, 0))
    await vote(alice, pid, choice_id=0, choice_ids=[1, 2])  # moderators vote; choice_id wins
    await everyone(members, "live_update", pid, results(1, 0, 0))
    await vote(bob, pid, choice_ids=[2])  # one id in the list is one choice
    await everyone(members, "live_update", pid, results(1, 0, 1))
    await vote(bob, pid, choice_ids=[2])  # the same vote again changes nothing, still an update
    await everyone(members, "live_update", pid, results(1, 0, 1))
    await quiet(*members)  # no acknowledgement beyond the live updates

    await finish(alice, pid, members, results(1, 0, 1))
    await quiet(*members)


async def test_live_multiple_choice_votes(world: World) -> None:
    _, members = await meeting(world, "Bob", "Carol")
    alice, bob, carol = members
    poll, _ = await started(alice, members, start(live=True, multiple_choice=True))
    pid = poll["id"]

    await vote(bob, pid, choice_ids=[0, 2])
    await everyone(members, "live_update", pid, results(1, 0, 1))
    await vote(carol, pid, choice_ids=[0, 1, 2])
    await everyone(members, "live_update", pid, results(2, 1, 2))
    await vote(bob, pid, choice_ids=[0, 5])  # one id is not a choice: the whole vote fails
    await error(bob, "invalid_choice_id")
    await quiet(*members)
    await vote(bob, pid, choice_id=1)  # re-vote replaces both earlier choices
    await everyone(members, "live_update", pid, results(1, 2, 1))
    await vote(carol, pid)
    await everyone(members, "live_update", pid, results(0, 1, 0))
    await finish(alice, pid, members, results(0, 1, 0))
    await quiet(*members)


async def test_vote_errors_go_to_the_voter_and_change_nothing(world: World) -> None:
    _, members = await meeting(world, "Bob")
    alice, bob = members
    poll, _ = await started(alice, members, start(live=True))
    pid = poll["id"]

    await vote(bob, str(uuid.uuid4()), choice_id=0)
    await error(bob, "invalid_poll_id")
    await vote(bob, str(uuid.uuid4()), choice_ids=[0, 1])  # the poll id is checked first
    await error(bob, "invalid_poll_id")
    await vote(bob, pid, choice_ids=[0, 1])
    await error(bob, "multiple_choices_not_allowed")
    await vote(bob, pid, choice_ids=[0, 7])  # too many choices comes before a bad id
    await error(bob, "multiple_choices_not_allowed")
    await vote(bob, pid, choice_id=3)
    await error(bob, "invalid_choice_id")
    await vote(bob, pid, choice_ids=[9])
    await error(bob, "invalid_choice_id")
    await vote(alice, pid, choice_id=3)
    await error(alice, "invalid_choice_id")
    await quiet(alice, bob)

    await vote(bob, pid, choice_id=1)  # nothing was counted before
    await everyone(members, "live_update", pid, results(0, 1, 0))
    await finish(alice, pid, members, results(0, 1, 0))
    await quiet(alice, bob)


async def test_a_non_live_poll_shows_nothing_before_done(world: World) -> None:
    _, members = await meeting(world, "Bob", "Carol")
    alice, bob, carol = members
    poll, _ = await started(alice, members, start(multiple_choice=True))
    pid = poll["id"]
    await vote(bob, pid, choice_ids=[0, 1])
    await vote(carol, pid, choice_id=1)
    await vote(alice, pid, choice_id=2)
    await vote(alice, pid)  # withdrawn again
    await vote(carol, pid, choice_ids=[1, 2])
    await quiet(*members)
    await finish(alice, pid, members, results(1, 2, 1))
    await quiet(*members)


# -- finish and expiry -------------------------------------------------------------------------


async def test_finish_is_moderator_only_and_ends_the_poll_once(world: World) -> None:
    room, members = await meeting(world, "Bob")
    alice, bob = members

    await alice.send("polls", {"action": "finish", "id": str(uuid.uuid4())})  # nothing runs
    await error(alice, "invalid_poll_id")
    poll, _ = await started(alice, members, start(live=True))
    pid = poll["id"]
    await vote(bob, pid, choice_id=2)
    await everyone(members, "live_update", pid, results(0, 0, 1))

    await bob.send("polls", {"action": "finish", "id": pid})
    await error(bob, "insufficient_permissions")
    await alice.send("polls", {"action": "finish", "id": str(uuid.uuid4())})
    await error(alice, "invalid_poll_id")
    await quiet(alice, bob)
    carol, success = await world.enter(world.user("Carol User"), room, "Carol")  # still running
    assert success["polls"]["id"] == pid
    for peer in members:
        await peer.expect("control", "joined")
    members.append(carol)

    await finish(alice, pid, members, results(0, 0, 1))  # the issuer gets done too
    await quiet(*members, duration=0.5)  # exactly once

    await vote(bob, pid, choice_id=0)
    await error(bob, "invalid_poll_id")
    await alice.send("polls", {"action": "finish", "id": pid})
    await error(alice, "invalid_poll_id")
    await quiet(*members)
    dave, later = await world.enter(world.user("Dave User"), room, "Dave")
    assert "polls" not in later
    for peer in members:
        await peer.expect("control", "joined")
    members.append(dave)
    again, _ = await started(alice, members, start("Again?"))  # not still_running
    assert again["id"] != pid
    await finish(alice, again["id"], members, results(0, 0, 0))


async def test_non_moderators_cannot_start_and_nothing_changes(world: World) -> None:
    room, (alice, bob) = await meeting(world, "Bob")
    await bob.send("polls", start(live=True))
    await error(bob, "insufficient_permissions")
    await quiet(alice, bob)
    carol, success = await world.enter(world.user("Carol User"), room, "Carol")
    assert "polls" not in success
    for peer in (alice, bob):
        await peer.expect("control", "joined")
    poll, _ = await started(alice, [alice, bob, carol], start())  # no poll was running
    await finish(alice, poll["id"], [alice, bob, carol], results(0, 0, 0))


async def test_a_poll_with_a_duration_ends_by_itself_exactly_once(world: World) -> None:
    room, members = await meeting(world, "Bob")
    alice, bob = members
    poll, _ = await started(alice, members, start(duration=2))
    begun = time.monotonic()
    pid = poll["id"]
    assert poll["duration"] == 2
    await vote(bob, pid, choice_id=0)
    await vote(alice, pid, choice_id=0)
    await everyone(members, "done", pid, results(2, 0, 0))
    assert time.monotonic() - begun > 1.5  # not before its time
    await quiet(*members, duration=1.0)

    await vote(bob, pid, choice_id=1)
    await error(bob, "invalid_poll_id")
    await alice.send("polls", {"action": "finish", "id": pid})
    await error(alice, "invalid_poll_id")
    _, success = await world.enter(world.user("Carol User"), room, "Carol")
    assert "polls" not in success


async def test_a_finished_poll_with_a_duration_does_not_expire_later(world: World) -> None:
    _, members = await meeting(world, "Bob")
    alice, _ = members
    poll, _ = await started(alice, members, start(duration=2, live=True))
    await finish(alice, poll["id"], members, results(0, 0, 0))
    await quiet(*members, duration=2.5)  # never a done after a finish


async def test_a_new_poll_is_not_ended_by_the_previous_polls_deadline(world: World) -> None:
    _, members = await meeting(world, "Bob")
    alice, _ = members
    first, _ = await started(alice, members, start(duration=2))
    await finish(alice, first["id"], members, results(0, 0, 0))
    second, _ = await started(alice, members, start("Second"))  # no time limit
    await quiet(*members, duration=2.5)  # the first poll's deadline passes unnoticed
    await finish(alice, second["id"], members, results(0, 0, 0))


# -- breakout rooms ----------------------------------------------------------------------------


async def test_polls_are_per_breakout_room(world: World) -> None:
    owner = world.user("Olivia Owner")
    room: str = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob, _ = await world.enter(world.user("Bob User"), room, "Bob")
    await alice.expect("control", "joined")
    await alice.send("breakout", {"action": "start", "rooms": [{"name": "R1", "assignments": []}]})
    [r1] = (await alice.expect("breakout", "started"))["rooms"]
    await bob.expect("breakout", "started")

    # a second session of the owner (a moderator) and Carol join breakout room R1 directly
    mona, _ = await enter_breakout(world, owner, room, "Mona", r1["id"])
    carol, success = await enter_breakout(world, world.user("Carol User"), room, "Carol", r1["id"])
    assert success["breakout"]["current"] == r1["id"]
    await mona.expect("control", "joined")
    for peer in (alice, bob):
        for joiner in (mona, carol):
            got = await peer.expect("breakout", "joined")
            assert got["id"] == joiner.id and got["breakout_room"] == r1["id"]
    main, breakout = [alice, bob], [mona, carol]

    outer, _ = await started(alice, main, start("Main?"))
    await quiet(mona, carol)
    dave, late = await enter_breakout(world, world.user("Dave User"), room, "Dave", r1["id"])
    assert "polls" not in late  # the main room's poll is not R1's
    for peer in breakout:
        await peer.expect("control", "joined")
    for peer in main:
        await peer.expect("breakout", "joined")
    breakout.append(dave)

    inner, stamp = await started(mona, breakout, start("Breakout?", live=True))  # own poll
    assert inner["id"] != outer["id"]
    await quiet(*main)

    await vote(carol, outer["id"], choice_id=0)
    await error(carol, "invalid_poll_id")
    await vote(bob, inner["id"], choice_id=0)
    await error(bob, "invalid_poll_id")
    await vote(carol, inner["id"], choice_id=1)
    await everyone(breakout, "live_update", inner["id"], results(0, 1, 0))
    await vote(bob, outer["id"], choice_id=2)  # not live: nobody hears of it
    await quiet(*main, *breakout)

    await mona.send("polls", {"action": "finish", "id": outer["id"]})
    await error(mona, "invalid_poll_id")
    await finish(alice, outer["id"], main, results(0, 0, 1))
    await quiet(*breakout)

    _, inside = await enter_breakout(world, world.user("Erin User"), room, "Erin", r1["id"])
    assert inside["polls"]["id"] == inner["id"] and inside["polls"]["started"] == stamp
    _, outside = await world.enter(world.user("Fred User"), room, "Fred")
    assert "polls" not in outside


async def test_a_revote_after_a_reconnect_still_replaces(world: World) -> None:
    owner = world.user("Olivia Owner")
    room: str = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob_api = world.user("Bob User")
    bob, _ = await world.enter(bob_api, room, "Bob")
    await alice.expect("control", "joined")
    poll, _ = await started(alice, [alice, bob], start(live=True))
    pid = poll["id"]
    await vote(bob, pid, choice_id=1)
    await everyone([alice, bob], "live_update", pid, results(0, 1, 0))

    await bob.close()
    assert (await alice.expect("control", "left"))["id"] == bob.id
    again = await world.resume(bob_api, room, bob)
    success = await again.join("Bob")
    assert success["id"] == bob.id  # the same participant
    assert success["polls"]["id"] == pid
    assert (await alice.expect("control", "joined"))["id"] == bob.id
    await vote(again, pid, choice_id=2)  # replaces the vote cast before the reconnect
    await everyone([alice, again], "live_update", pid, results(0, 0, 1))
    await finish(alice, pid, [alice, again], results(0, 0, 1))


async def test_malformed_poll_commands_are_dropped(world: World) -> None:
    _, (alice, bob) = await meeting(world, "Bob")
    malformed: Json
    for malformed in (
        {"action": "start", "choices": LUNCH},  # no topic
        {"action": "start", "topic": "Lunch?"},  # no choices
        {"action": "start", "topic": "Lunch?", "choices": "Pizza"},
        {"action": "start", "topic": "Lunch?", "choices": LUNCH, "live": "yes"},
        {"action": "start", "topic": "Lunch?", "choices": LUNCH, "duration": "60"},
        {"action": "close", "topic": "Lunch?", "choices": LUNCH},
    ):
        await alice.send("polls", malformed)
    await quiet(alice, bob, duration=0.5)
    poll, _ = await started(alice, [alice, bob], start(live=True))  # none of them started one
    pid = poll["id"]
    for malformed in (
        {"action": "vote", "choice_id": 0},  # no poll id
        {"action": "vote", "poll_id": pid, "choice_id": "0"},
        {"action": "vote", "poll_id": pid, "choice_ids": 0},
        {"action": "finish"},
    ):
        await bob.send("polls", malformed)
        await alice.send("polls", malformed)
    await quiet(alice, bob, duration=0.5)
    await vote(bob, pid, choice_id=0)  # nothing was counted, nothing finished
    await everyone([alice, bob], "live_update", pid, results(1, 0, 0))
    await finish(alice, pid, [alice, bob], results(1, 0, 0))


async def test_waiting_participants_are_not_members(world: World) -> None:
    owner = world.user("Olivia Owner")
    room: str = (await owner.create_room(waiting_room=True))["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    bob = await world.connect(world.user("Bob User"), room)
    await bob.send("control", {"action": "join", "display_name": "Bob"})
    await bob.expect("moderation", "in_waiting_room")
    bob.id = (await alice.expect("moderation", "joined_waiting_room"))["id"]

    poll, _ = await started(alice, [alice], start(live=True))
    await vote(alice, poll["id"], choice_id=0)
    await everyone([alice], "live_update", poll["id"], results(1, 0, 0))
    await bob.send("polls", {"action": "vote", "poll_id": poll["id"], "choice_id": 1})
    await quiet(alice, bob)  # not joined: nothing reaches bob, and his command is dropped

    await alice.send("moderation", {"action": "accept", "target": bob.id})
    await bob.expect("moderation", "accepted")
    await bob.send("control", {"action": "enter_room"})
    success = await bob.expect("control", "join_success")
    assert success["polls"]["id"] == poll["id"]
    await alice.expect("moderation", "left_waiting_room")
    await alice.expect("control", "joined")
    await finish(alice, poll["id"], [alice, bob], results(1, 0, 0))
