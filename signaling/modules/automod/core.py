"""Speaker selection, pure: each step takes the running session (or None) and gives the new
session (None: ended) and the events for every member, or an error for the sender.

A session ends whenever no speaker would follow (B.1, B.8-1). Lists may only name present
members (B.8-4); the server never picks the first speaker by itself (B.8-6).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Literal

import msgspec

from signaling.modules.automod.types import (
    Config,
    Parameter,
    RemainingUpdated,
    SpeakerUpdated,
    Started,
    Stopped,
)

Pick = Callable[[list[str]], str]  # a random choice, injected
Failure = Literal["insufficient_permissions", "invalid_selection", "session_already_running"]


class Talk(msgspec.Struct, kw_only=True):
    """A running session as stored."""

    id: str
    issued_by: str
    parameter: Parameter
    allow_list: list[str] = []  # a set, in insertion order
    playlist: list[str] = []
    speaker: str | None = None
    history: list[str] = []
    turn: int = 0  # counts speaker changes: a time limit belongs to one turn


class Outcome(msgspec.Struct):
    talk: Talk | None
    events: list[Any] = []
    error: Failure | None = None


def uses_playlist(parameter: Parameter) -> bool:
    return parameter.selection_strategy == "playlist"


def remaining(talk: Talk) -> list[str]:
    return list(talk.playlist if uses_playlist(talk.parameter) else talk.allow_list)


def shown(talk: Talk) -> list[str]:
    """``remaining`` as sent: hidden with ``show_list`` false under playlist and random."""
    hidden = talk.parameter.selection_strategy in ("playlist", "random")
    return [] if hidden and not talk.parameter.show_list else remaining(talk)


def config(talk: Talk) -> Config:
    return Config(
        **msgspec.structs.asdict(talk.parameter),
        history=list(talk.history),
        remaining=shown(talk),
        issued_by=talk.issued_by,
    )


def _valid(ids: list[str] | None, members: Collection[str]) -> bool:
    return bool(ids) and all(pid in members for pid in ids or ())


def start(current: Talk | None, new: Talk, members: Collection[str]) -> Outcome:
    """``new`` carries the lists of the command; checks in upstream order."""
    if not _valid(remaining(new), members):
        return Outcome(current, error="invalid_selection")
    if current is not None:
        return Outcome(current, error="session_already_running")
    new.allow_list = list(dict.fromkeys(new.allow_list))
    return Outcome(new, [Started(**msgspec.structs.asdict(config(new)))])


def edit(
    talk: Talk, allow_list: list[str] | None, playlist: list[str] | None, members: Collection[str]
) -> Outcome:
    own = playlist if uses_playlist(talk.parameter) else allow_list
    given = [*(allow_list or ()), *(playlist or ())]
    if not _valid(own, members) or not all(pid in members for pid in given):
        return Outcome(talk, error="invalid_selection")
    before = remaining(talk)
    changed = msgspec.structs.replace(
        talk,
        allow_list=talk.allow_list if allow_list is None else list(dict.fromkeys(allow_list)),
        playlist=talk.playlist if playlist is None else list(playlist),
    )
    events = [] if remaining(changed) == before else [RemainingUpdated(remaining=shown(changed))]
    return Outcome(changed, events)


def stop(talk: Talk, issuer: str) -> Outcome:
    return Outcome(None, [Stopped(reason="stopped_by_moderator", issued_by=issuer)])


def _speak(talk: Talk, speaker: str | None) -> Outcome:
    """Make ``speaker`` the speaker; nobody ends the session."""
    if speaker is None:
        return Outcome(None, [Stopped(reason="session_finished")])
    history = [*talk.history, speaker]
    changed = msgspec.structs.replace(talk, speaker=speaker, history=history, turn=talk.turn + 1)
    return Outcome(
        changed, [SpeakerUpdated(speaker=speaker, remaining=shown(changed), history=history)]
    )


def _take(talk: Talk, pid: str) -> Talk:
    """``talk`` without ``pid``'s first playlist place, or off the allow list."""
    if uses_playlist(talk.parameter):
        playlist = list(talk.playlist)
        if pid in playlist:
            playlist.remove(pid)
        return msgspec.structs.replace(talk, playlist=playlist)
    return msgspec.structs.replace(talk, allow_list=[p for p in talk.allow_list if p != pid])


def _random(talk: Talk, pick: Pick) -> Outcome:
    pool = remaining(talk)
    if not pool:
        return _speak(talk, None)
    chosen = pick(pool)
    keep = talk.parameter.allow_double_selection and not uses_playlist(talk.parameter)
    return _speak(talk if keep else _take(talk, chosen), chosen)


def next_speaker(talk: Talk, pick: Pick) -> Outcome:
    """``select next`` (and a ``yield`` without a nomination)."""
    strategy = talk.parameter.selection_strategy
    if strategy == "playlist":
        if not talk.playlist:
            return _speak(talk, None)
        head, *rest = talk.playlist
        return _speak(msgspec.structs.replace(talk, playlist=rest), head)
    if strategy == "random":
        return _random(talk, pick)
    return _speak(talk, None)  # none, nomination: nobody follows by itself


def select(
    talk: Talk,
    how: str,
    participant: str | None,
    keep_in_remaining: bool | None,
    members: Collection[str],
    pick: Pick,
) -> Outcome:
    if how == "next":
        return next_speaker(talk, pick)
    if how == "random":
        return _random(talk, pick)
    if how == "none" or participant is None:
        return _speak(talk, None)
    if participant not in members:
        return Outcome(talk)  # ignored silently
    return _speak(talk if keep_in_remaining else _take(talk, participant), participant)


def yield_turn(talk: Talk, sender: str, successor: str | None, pick: Pick) -> Outcome:
    if talk.speaker != sender:
        return Outcome(talk, error="insufficient_permissions")
    if talk.parameter.selection_strategy != "nomination":
        return next_speaker(talk, pick)
    if successor is None:
        return _speak(talk, None)
    if successor not in talk.allow_list:
        return Outcome(talk, error="invalid_selection")
    keep = talk.parameter.allow_double_selection
    return _speak(talk if keep else _take(talk, successor), successor)


def leave(talk: Talk, pid: str, pick: Pick) -> Outcome:
    """The leaver goes off both lists; a leaving speaker yields."""
    changed = msgspec.structs.replace(
        talk,
        playlist=[p for p in talk.playlist if p != pid],
        allow_list=[p for p in talk.allow_list if p != pid],
    )
    events: list[Any] = []
    if remaining(changed) != remaining(talk):
        events.append(RemainingUpdated(remaining=shown(changed)))
    if talk.speaker != pid:
        return Outcome(changed, events)
    following = next_speaker(changed, pick)
    return Outcome(following.talk, events + following.events)


def join(talk: Talk, pid: str) -> Outcome:
    """Auto append: a joiner who has not spoken in this session joins the list."""
    if not talk.parameter.auto_append_on_join or pid in talk.history:
        return Outcome(talk)
    if uses_playlist(talk.parameter):
        changed = msgspec.structs.replace(talk, playlist=[*talk.playlist, pid])
    elif pid in talk.allow_list:
        return Outcome(talk)
    else:
        changed = msgspec.structs.replace(talk, allow_list=[*talk.allow_list, pid])
    return Outcome(changed, [RemainingUpdated(remaining=shown(changed))])
