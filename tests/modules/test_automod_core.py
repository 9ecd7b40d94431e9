"""The pure speaker selection of the automod module (supplement B): the talking stick goes
through its playlist once in order; under any sequence of selections, yields, edits, leaves
and joins the speaker is the last of the history, a leaver is on no list and never keeps the
stick, a speaker chosen without double selection leaves the list, hidden lists stay hidden
in every event, and a session ends exactly when no speaker would follow."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.automod import core
from signaling.modules.automod.core import Talk
from signaling.modules.automod.types import (
    Parameter,
    RemainingUpdated,
    SpeakerUpdated,
    Started,
    Stopped,
    Strategy,
)

PEOPLE = ["a", "b", "c", "d", "e"]
STRATEGIES: list[Strategy] = ["none", "playlist", "random", "nomination"]


def first(pool: list[str]) -> str:
    return pool[0]


def talk(strategy: Strategy, names: list[str], **fields: Any) -> Talk:
    parameter = Parameter(
        selection_strategy=strategy,
        show_list=fields.pop("show_list", True),
        consider_hand_raise=False,
        allow_double_selection=fields.pop("allow_double_selection", False),
        animation_on_random=False,
        auto_append_on_join=fields.pop("auto_append_on_join", True),
    )
    playlist = names if strategy == "playlist" else []
    allow_list = [] if strategy == "playlist" else names
    return Talk(
        id="t", issued_by="a", parameter=parameter, allow_list=allow_list, playlist=playlist
    )


@given(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=8))
def test_the_stick_goes_through_the_playlist_once_in_order(playlist: list[str]) -> None:
    outcome = core.start(None, talk("playlist", playlist), set(PEOPLE))
    assert outcome.talk is not None and isinstance(outcome.events[0], Started)
    assert outcome.events[0].remaining == playlist and outcome.events[0].history == []
    assert outcome.talk.speaker is None  # nobody is picked by the server (B.8-6)
    spoken: list[str] = []
    current = outcome.talk
    for _ in range(len(playlist)):
        step = core.select(current, "next", None, None, set(PEOPLE), first)
        assert step.talk is not None
        current = step.talk
        spoken.append(current.speaker or "")
        [event] = step.events
        assert event == SpeakerUpdated(
            speaker=current.speaker or "", remaining=playlist[len(spoken) :], history=spoken
        )
    assert spoken == playlist
    end = core.yield_turn(current, current.speaker or "", None, first)
    assert end.talk is None and end.events == [Stopped(reason="session_finished")]


def test_start_checks_the_list_before_a_running_session() -> None:
    running = talk("playlist", ["a"])
    assert core.start(running, talk("playlist", ["zz"]), {"a"}).error == "invalid_selection"
    assert core.start(running, talk("playlist", []), {"a"}).error == "invalid_selection"
    assert core.start(running, talk("playlist", ["a"]), {"a"}).error == "session_already_running"


steps = st.one_of(
    st.tuples(
        st.just("select"),
        st.sampled_from(["next", "random", "none", "specific"]),
        st.sampled_from(PEOPLE),
        st.booleans(),
    ),
    st.tuples(st.just("yield"), st.sampled_from([None, *PEOPLE]), st.booleans()),
    st.tuples(st.just("edit"), st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=6)),
    st.tuples(st.just("leave"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("join"), st.sampled_from(PEOPLE)),
)


@given(
    st.sampled_from(STRATEGIES),
    st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=6),
    st.booleans(),
    st.booleans(),
    st.lists(steps, max_size=25),
)
def test_any_sequence_keeps_the_session_consistent(
    strategy: Strategy,
    names: list[str],
    double: bool,
    show_list: bool,
    sequence: list[tuple[Any, ...]],
) -> None:
    members = set(PEOPLE)
    outcome = core.start(
        None, talk(strategy, names, allow_double_selection=double, show_list=show_list), members
    )
    current = outcome.talk
    hidden = strategy in ("playlist", "random") and not show_list
    for step in sequence:
        assert current is not None
        before = current
        match step:
            case ("select", how, pid, keep):
                outcome = core.select(current, how, pid, keep, members, first)
            case ("yield", successor, by_speaker):
                sender = current.speaker if by_speaker and current.speaker else "x"
                outcome = core.yield_turn(current, sender, successor, first)
            case ("edit", ids):
                if strategy == "playlist":
                    outcome = core.edit(current, None, ids, members)
                else:
                    outcome = core.edit(current, ids, None, members)
            case ("leave", pid):
                members.discard(pid)
                outcome = core.leave(current, pid, first)
            case ("join", pid):
                members.add(pid)
                outcome = core.join(current, pid)
        if outcome.error is not None:
            assert outcome.talk is before and not outcome.events  # nothing changes
            continue
        for event in outcome.events:
            if hidden and isinstance(event, SpeakerUpdated | RemainingUpdated):
                assert event.remaining == []
        current = outcome.talk
        if current is None:  # ended: exactly one stopped, last
            assert isinstance(outcome.events[-1], Stopped)
            assert outcome.events[-1].reason == "session_finished"
            return
        if current.speaker is not None:
            assert current.history[-1] == current.speaker
        if step[0] == "leave":
            assert step[1] not in core.remaining(current) and current.speaker != step[1]
        changed = current.speaker != before.speaker or current.turn != before.turn
        speaker_events = [e for e in outcome.events if isinstance(e, SpeakerUpdated)]
        assert len(speaker_events) == (1 if changed else 0)
        if changed:
            assert speaker_events[0].speaker == current.speaker
            assert current.turn == before.turn + 1
            chosen = step[0] == "yield" or step[:2] == ("select", "random")
            if chosen and strategy in ("random", "nomination") and not double:
                assert current.speaker not in current.allow_list
    assert current is not None
    stopped = core.stop(current, "a")
    assert stopped.talk is None
    assert stopped.events == [Stopped(reason="stopped_by_moderator", issued_by="a")]
