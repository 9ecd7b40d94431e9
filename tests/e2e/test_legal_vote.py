"""The legal vote module over real sockets, on both backends (supplement A): start with its
checks in order and a token per allowed user, votes (final, bound to their user), live
updates of roll calls, stop, cancel, auto close, issue reports, the initiator leaving,
``join_success.legal_vote`` for registered users only, and pseudonymous results that name
nobody."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.support.client import Peer
from tests.support.expect import (
    quiet,
)
from tests.support.world import (
    World,
    meeting,
)

Json = dict[str, Any]
NS = "legal_vote"
TOKEN = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{11}$")


def start(allowed: list[Peer], kind: str = "roll_call", **fields: Any) -> Json:
    command: Json = {
        "action": "start",
        "kind": kind,
        "name": "Budget 2027",
        "topic": "Approve the budget?",
        "allowed_participants": [peer.id for peer in allowed],
        "enable_abstain": True,
        "auto_close": False,
        "duration": None,
        "create_pdf": True,
        "timezone": "Europe/Berlin",
    }
    return command | fields


async def started(moderator: Peer, members: list[Peer], command: Json) -> list[Json]:
    """Every member's own ``started``; all equal but for the allowed ones' tokens."""
    await moderator.send(NS, command)
    got = [await member.expect(NS, "started") for member in members]
    bare = [{k: v for k, v in payload.items() if k != "token"} for payload in got]
    assert all(payload == bare[0] for payload in bare), bare
    assert "allowed_users" not in bare[0]  # A.9-2
    return got


def vote(vote_id: str, option: str, token: str) -> Json:
    return {"action": "vote", "legal_vote_id": vote_id, "option": option, "token": token}


async def failed(peer: Peer, vote_id: str, reason: str) -> None:
    got = await peer.expect(NS, "voted")
    assert got == {
        "message": "voted",
        "legal_vote_id": vote_id,
        "response": "failed",
        "reason": reason,
    }


async def error(peer: Peer, code: str) -> None:
    assert await peer.expect(NS, "error") == {"message": "error", "error": code}


async def test_a_roll_call_from_start_to_stop(world: World) -> None:
    room, (alice, bob, carol) = await meeting(world, "Bob", "Carol")
    gus, guest_success = await world.guest(world.apis[0], room, "Gus")
    assert "legal_vote" not in guest_success  # guests take no part (A.1)
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    members = [alice, bob, carol]

    await bob.send(NS, start([bob]))
    await error(bob, "insufficient_permissions")
    await alice.send(NS, start([alice, gus, bob]))
    guests = await alice.expect(NS, "error")
    assert guests == {"message": "error", "error": "allowlist_contains_guests", "guests": [gus.id]}
    await alice.send(NS, start([bob], duration=3))  # 1..4 s: an invalid payload, dropped
    await alice.send(NS, start([bob], kind="secret"))
    await gus.send(NS, start([bob]))  # a guest's command: dropped
    await quiet(alice, bob, carol, gus)

    copies = await started(alice, members, start([alice, bob, carol], duration=0))
    assert "duration" not in copies[0]  # 0 means no limit (A.9-6)
    alice_token, bob_token, carol_token = (copy["token"] for copy in copies)
    assert all(TOKEN.match(token) for token in (alice_token, bob_token, carol_token))
    assert len({alice_token, bob_token, carol_token}) == 3
    first = copies[0]
    vid = first["legal_vote_id"]
    uuid.UUID(vid)
    assert {
        k: v for k, v in first.items() if k not in ("start_time", "legal_vote_id", "token")
    } == {
        "message": "started",
        "initiator_id": alice.id,
        "max_votes": 3,
        "kind": "roll_call",
        "name": "Budget 2027",
        "topic": "Approve the budget?",
        "allowed_participants": [alice.id, bob.id, carol.id],
        "enable_abstain": True,
        "auto_close": False,
        "create_pdf": True,
        "timezone": "Europe/Berlin",
    }
    await gus.silent(0.3)  # no legal_vote events for guests

    await alice.send(NS, start([bob]))
    await error(alice, "vote_already_active")
    await bob.send(NS, vote(vid, "yes", alice_token))  # someone else's token (A.9-9)
    await failed(bob, vid, "ineligible")
    other = str(uuid.uuid4())
    await bob.send(NS, vote(other, "yes", bob_token))
    await failed(bob, other, "invalid_vote_id")
    await quiet(alice, bob, carol)

    await bob.send(NS, vote(vid, "yes", bob_token))
    success = await bob.expect(NS, "voted")
    assert success == {
        "message": "voted",
        "legal_vote_id": vid,
        "response": "success",
        "vote_option": "yes",
        "issuer": bob.id,
        "consumed_token": bob_token,
    }
    update = {
        "message": "updated",
        "legal_vote_id": vid,
        "yes": 1,
        "no": 0,
        "abstain": 0,
        "voting_record": {bob.id: "yes"},
    }
    for peer in members:
        assert await peer.expect(NS, "updated") == update
    await bob.send(NS, vote(vid, "no", bob_token))  # votes are final
    await failed(bob, vid, "ineligible")
    await carol.send(NS, vote(vid, "abstain", carol_token))
    await carol.expect(NS, "voted")
    for peer in members:
        assert (await peer.expect(NS, "updated"))["voting_record"] == {
            bob.id: "yes",
            carol.id: "abstain",
        }

    dave, success_join = await world.enter(world.user("Dave User"), room, "Dave")
    for peer in [*members, gus]:
        await peer.expect("control", "joined")
    [running] = success_join["legal_vote"]["votes"]
    assert running["state"] == "started" and running["legal_vote_id"] == vid
    assert "token" not in running and "end_time" not in running and "allowed_users" not in running

    await bob.send(NS, {"action": "stop", "legal_vote_id": vid})
    await error(bob, "insufficient_permissions")
    await alice.send(NS, {"action": "stop", "legal_vote_id": str(uuid.uuid4())})
    await error(alice, "invalid_vote_id")
    await alice.send(NS, {"action": "stop", "legal_vote_id": vid, "timezone": "Europe/Berlin"})
    for peer in [*members, dave]:
        stopped = await peer.expect(NS, "stopped")
        assert {k: v for k, v in stopped.items() if k != "end_time"} == {
            "message": "stopped",
            "legal_vote_id": vid,
            "results": "valid",
            "yes": 1,
            "no": 0,
            "abstain": 1,
            "voting_record": {bob.id: "yes", carol.id: "abstain"},
            "kind": "by_participant",
            "issuer": alice.id,
        }
    await alice.send(NS, {"action": "stop", "legal_vote_id": vid})
    await error(alice, "no_vote_active")
    await alice.send(NS, {"action": "cancel", "legal_vote_id": vid, "reason": ""})
    await error(alice, "no_vote_active")
    await alice.send(NS, vote(vid, "yes", alice_token))  # too late
    await failed(alice, vid, "invalid_vote_id")

    await bob.send(NS, {"action": "report_issue", "legal_vote_id": vid, "kind": "audio"})
    issue = {
        "message": "reported_issue",
        "legal_vote_id": vid,
        "participant_id": bob.id,
        "kind": "audio",
    }
    assert await alice.expect(NS, "reported_issue") == issue  # the initiator only
    await dave.send(NS, {"action": "report_issue", "legal_vote_id": vid, "description": "?"})
    await error(dave, "insufficient_permissions")  # not allowed in that vote
    await bob.send(
        NS, {"action": "report_issue", "legal_vote_id": str(uuid.uuid4()), "kind": "video"}
    )
    await error(bob, "invalid_vote_id")
    await bob.send(NS, {"action": "report_issue", "legal_vote_id": vid})  # neither: dropped
    await bob.send(NS, {"action": "generate_pdf", "legal_vote_id": vid})  # not offered (A.9-10)
    await quiet(alice, bob, carol, dave, gus)

    _, later = await world.enter(world.user("Erin User"), room, "Erin")
    [over] = later["legal_vote"]["votes"]
    assert over["state"] == "finished" and over["stop_kind"] == "by_user"
    assert (over["yes"], over["no"], over["abstain"]) == (1, 0, 1)
    assert over["voting_record"] == {bob.id: "yes", carol.id: "abstain"}
    assert over["allowed_participants"] == [alice.id, bob.id, carol.id] and "end_time" in over


async def test_a_pseudonymous_vote_closes_itself_and_names_nobody(world: World) -> None:
    room, (alice, bob, carol) = await meeting(world, "Bob", "Carol")
    bob_api = world.apis[1]
    bob2, _ = await world.enter(bob_api, room, "Bob on the phone")  # Bob's second session
    for peer in (alice, bob, carol):
        await peer.expect("control", "joined")
    members = [alice, bob, carol, bob2]
    command = start([bob, carol, bob2], "pseudonymous", enable_abstain=False, auto_close=True)
    copies = await started(alice, members, command)
    assert copies[0]["max_votes"] == 2  # one token per distinct user
    assert "token" not in copies[0]
    assert copies[1]["token"] == copies[3]["token"]  # Bob's sessions share his token
    vid, bob_token, carol_token = copies[0]["legal_vote_id"], copies[1]["token"], copies[2]["token"]

    await bob.send(NS, vote(vid, "abstain", bob_token))
    await failed(bob, vid, "invalid_option")
    await bob2.send(NS, vote(vid, "yes", bob_token))
    for session in (bob, bob2):  # every session of the voter's user, nobody else
        assert (await session.expect(NS, "voted"))["consumed_token"] == bob_token
    await quiet(alice, carol)  # no live updates for pseudonymous votes
    await bob.send(NS, vote(vid, "no", bob_token))
    await failed(bob, vid, "ineligible")

    await carol.send(NS, vote(vid, "no", carol_token))
    assert (await carol.expect(NS, "voted"))["response"] == "success"
    results = []
    for peer in members:
        stopped = await peer.expect(NS, "stopped")
        assert stopped["kind"] == "auto" and stopped["results"] == "valid"
        assert (stopped["yes"], stopped["no"]) == (1, 1) and "abstain" not in stopped
        assert stopped["voting_record"] == {bob_token: "yes", carol_token: "no"}
        results.append(json.dumps(stopped))
    _, later = await world.enter(world.user("Dave User"), room, "Dave")
    for peer in members:
        await peer.expect("control", "joined")
    [summary] = later["legal_vote"]["votes"]
    assert summary["state"] == "finished" and summary["stop_kind"] == "auto"
    assert "stopped_by" not in summary
    assert summary["voting_record"] == {bob_token: "yes", carol_token: "no"}
    for pid in (bob.id, carol.id, bob2.id):  # the results name nobody
        assert pid is not None
        assert all(pid not in text for text in results)
        assert pid not in json.dumps(
            {k: v for k, v in summary.items() if k != "allowed_participants"}
        )

    await bob.send(NS, {"action": "report_issue", "legal_vote_id": vid, "kind": "screenshare"})
    issue = await alice.expect(NS, "reported_issue")
    assert issue == {"message": "reported_issue", "legal_vote_id": vid, "kind": "screenshare"}


async def test_cancel_and_the_initiator_leaving_end_a_vote(world: World) -> None:
    room, (alice, bob) = await meeting(world, "Bob")
    [copy, _] = await started(alice, [alice, bob], start([bob], duration=60))
    assert copy["duration"] == 60
    vid = copy["legal_vote_id"]
    await alice.send(NS, {"action": "cancel", "legal_vote_id": vid, "reason": "Wrong topic"})
    for peer in (alice, bob):
        canceled = await peer.expect(NS, "canceled")
        assert {k: v for k, v in canceled.items() if k != "end_time"} == {
            "message": "canceled",
            "legal_vote_id": vid,
            "reason": "custom",
            "custom": "Wrong topic",
        }

    mona, _ = await world.enter(world.apis[0], room, "Mona")  # the owner again: a moderator
    for peer in (alice, bob):
        await peer.expect("control", "joined")
    [_, _, copy] = await started(mona, [alice, bob, mona], start([bob, alice]))
    await mona.close()
    for peer in (alice, bob):
        frames = [await peer.recv(), await peer.recv()]
        canceled = next(f["payload"] for f in frames if f["namespace"] == NS)
        assert (
            canceled["reason"] == "initiator_left"
            and canceled["legal_vote_id"] == copy["legal_vote_id"]
        )
    _, later = await world.enter(world.user("Carol User"), room, "Carol")
    first, second = later["legal_vote"]["votes"]  # in start order (A.9-4)
    assert (first["state"], first["reason"], first["custom"]) == (
        "canceled",
        "custom",
        "Wrong topic",
    )
    assert (second["state"], second["reason"]) == ("canceled", "initiator_left")
    assert first["start_time"] < second["start_time"]


async def test_a_vote_expires_once_after_its_duration(world: World) -> None:
    _, (alice, bob) = await meeting(world, "Bob")
    [copy, _] = await started(alice, [alice, bob], start([bob], duration=5))  # the minimum
    vid = copy["legal_vote_id"]
    for peer in (alice, bob):
        stopped = await peer.expect(NS, "stopped", timeout=8)
        assert {k: v for k, v in stopped.items() if k != "end_time"} == {
            "message": "stopped",
            "legal_vote_id": vid,
            "results": "valid",
            "yes": 0,
            "no": 0,
            "abstain": 0,
            "voting_record": {},
            "kind": "expired",
        }
    await quiet(alice, bob, duration=0.5)
