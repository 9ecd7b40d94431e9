"""The automod module (the talking stick) over real sockets, on both backends (supplement B):
the web app's playlist flow, moderator selections and edits, yields, the time limit, leaves
and auto append, ``join_success.automod`` only while a session runs (with the arrays the web
app needs)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.client import Peer
from tests.support.commands import talking_stick as stick
from tests.support.expect import (
    quiet,
)
from tests.support.world import (
    World,
    meeting,
)

Json = dict[str, Any]
NS = "automod"


def ids(*peers: Peer) -> list[str]:
    out = [peer.id for peer in peers]
    assert None not in out
    return [pid for pid in out if pid is not None]


async def everyone(peers: list[Peer], message: str) -> Json:
    got = [await peer.expect(NS, message) for peer in peers]
    assert all(payload == got[0] for payload in got), got
    return got[0]


async def error(peer: Peer, code: str) -> None:
    assert await peer.expect(NS, "error") == {"message": "error", "error": code}


def speaker(pid: str, history: list[str], remaining: list[str]) -> Json:
    return {
        "message": "speaker_updated",
        "speaker": pid,
        "history": history,
        "remaining": remaining,
    }


async def test_the_talking_stick_goes_round_once(world: World) -> None:
    room, (alice, bob, carol) = await meeting(world, "Bob", "Carol")
    members = [alice, bob, carol]
    a, b, c = ids(alice, bob, carol)
    await bob.send(NS, stick([a, b]))
    await error(bob, "insufficient_permissions")
    await alice.send(NS, stick([a, str(uuid.uuid4())]))  # not a member
    await error(alice, "invalid_selection")
    await alice.send(NS, stick([]))
    await error(alice, "invalid_selection")
    await alice.send(NS, stick(None, allow_list=[a]))  # the strategy's list
    await error(alice, "invalid_selection")
    await alice.send(NS, {"action": "yield"})  # no session: nothing happens
    await alice.send(NS, {"action": "select", "how": "next"})
    await quiet(*members)

    await alice.send(NS, stick([a, b, c]))
    started = await everyone(members, "started")
    assert started == {
        "message": "started",
        "selection_strategy": "playlist",
        "show_list": True,
        "consider_hand_raise": False,
        "allow_double_selection": False,
        "animation_on_random": False,
        "auto_append_on_join": True,
        "history": [],
        "remaining": [a, b, c],
        "issued_by": a,
    }
    await alice.send(NS, stick([a]))
    await error(alice, "session_already_running")

    dave, success = await world.enter(world.user("Dave User"), room, "Dave")
    [d] = ids(dave)
    assert success["automod"] == {
        "config": {k: v for k, v in started.items() if k != "message"}
        | {"remaining": [a, b, c, d]},
        "speaker": None,
    }
    for peer in members:
        await peer.expect("control", "joined")
    members.append(dave)
    assert await everyone(members, "remaining_updated") == {
        "message": "remaining_updated",
        "remaining": [a, b, c, d],
    }

    await alice.send(NS, {"action": "select", "how": "next"})  # the issuer's client (B.8-6)
    assert await everyone(members, "speaker_updated") == speaker(a, [a], [b, c, d])
    await bob.send(NS, {"action": "yield"})
    await error(bob, "insufficient_permissions")  # not the speaker
    await alice.send(NS, {"action": "yield"})
    assert await everyone(members, "speaker_updated") == speaker(b, [a, b], [c, d])

    _, late = await world.enter(world.user("Erin User"), room, "Erin")
    assert late["automod"]["speaker"] == b and late["automod"]["config"]["history"] == [a, b]
    for peer in members:
        await peer.expect("control", "joined")
    erin_added = await everyone(members, "remaining_updated")
    assert erin_added["remaining"][:2] == [c, d]
    e = erin_added["remaining"][2]

    await dave.close()  # the leave hooks run before ``left`` goes out
    assert await everyone(members[:3], "remaining_updated") == {
        "message": "remaining_updated",
        "remaining": [c, e],
    }
    for peer in members[:3]:
        await peer.expect("control", "left")
    await bob.send(NS, {"action": "yield"})
    assert await everyone(members[:3], "speaker_updated") == speaker(c, [a, b, c], [e])
    await alice.send(NS, {"action": "select", "how": "specific", "participant": e})
    await quiet(*members[:3])  # without keep_in_remaining: an invalid payload
    await carol.send(NS, {"action": "yield"})
    assert (await everyone(members[:3], "speaker_updated"))["speaker"] == e
    await alice.send(NS, {"action": "select", "how": "next"})  # the list is empty: the end
    assert await everyone(members[:3], "stopped") == {
        "message": "stopped",
        "reason": "session_finished",
    }
    _, after = await world.enter(world.user("Fay User"), room, "Fay")
    assert "automod" not in after  # omitted, never null


async def test_moderators_steer_an_allow_list_session(world: World) -> None:
    _, (alice, bob, carol) = await meeting(world, "Bob", "Carol")
    members = [alice, bob, carol]
    a, b, c = ids(alice, bob, carol)
    command = stick(
        None,
        selection_strategy="nomination",
        allow_list=[b, c],
        auto_append_on_join=False,
        time_limit=60_000,
    )
    await alice.send(NS, command)
    started = await everyone(members, "started")
    assert started["time_limit"] == 60_000 and started["remaining"] == [b, c]

    await bob.send(NS, {"action": "edit", "allow_list": [a, b, c]})
    await error(bob, "insufficient_permissions")
    await alice.send(NS, {"action": "edit", "allow_list": [a, str(uuid.uuid4())]})
    await error(alice, "invalid_selection")
    await alice.send(NS, {"action": "edit", "allow_list": [a, b, c]})
    assert (await everyone(members, "remaining_updated"))["remaining"] == [a, b, c]
    await alice.send(NS, {"action": "edit", "allow_list": [a, b, c]})  # unchanged: no event
    await quiet(*members)

    select = {"action": "select", "how": "specific", "participant": b, "keep_in_remaining": True}
    await alice.send(NS, select)
    assert await everyone(members, "speaker_updated") == speaker(b, [b], [a, b, c])
    await bob.send(NS, {"action": "yield", "next": str(uuid.uuid4())})
    await error(bob, "invalid_selection")
    await bob.send(NS, {"action": "yield", "next": c})  # a nomination
    assert await everyone(members, "speaker_updated") == speaker(c, [b, c], [a, b])
    await alice.send(NS, {"action": "select", "how": "random"})
    chosen = await everyone(members, "speaker_updated")
    assert chosen["speaker"] in (a, b) and chosen["remaining"] == [
        p for p in (a, b) if p != chosen["speaker"]
    ]
    await alice.send(NS, {"action": "stop"})
    assert await everyone(members, "stopped") == {
        "message": "stopped",
        "reason": "stopped_by_moderator",
        "issued_by": a,
    }
    await alice.send(NS, {"action": "stop"})  # no session: nothing
    await quiet(*members)

    # a hidden list, a short time limit: the stick moves on by itself
    hidden = stick([b, c], show_list=False, time_limit=700)
    await alice.send(NS, hidden)
    assert (await everyone(members, "started"))["remaining"] == []  # show_list false (B.8-2)
    await alice.send(NS, {"action": "select", "how": "next"})
    assert await everyone(members, "speaker_updated") == {
        "message": "speaker_updated",
        "speaker": b,
        "history": [b],
        "remaining": [],
    }
    assert (await everyone(members, "speaker_updated"))["speaker"] == c  # after 0.7 s
    assert await everyone(members, "stopped") == {
        "message": "stopped",
        "reason": "session_finished",
    }
    await quiet(*members)

    await alice.send(NS, stick([a, b]))
    await everyone(members, "started")
    await alice.send(NS, {"action": "select", "how": "none"})
    assert (await everyone(members, "stopped"))["reason"] == "session_finished"
