"""signaling.modules.chat.core: where a message may go, where it is kept, last-seen (§9)."""

from __future__ import annotations

from typing import get_args

from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.chat import core
from signaling.modules.chat.types import ChatMessage, LastSeen, Scope

SCOPES: st.SearchStrategy[Scope] = st.sampled_from(get_args(Scope))
NAMES = st.sampled_from(["", "a", "b", "team"])


@given(st.text(max_size=50), st.integers(0, 60))
def test_truncation_keeps_whole_characters_within_the_limit(text: str, limit: int) -> None:
    cut = core.truncate_utf8(text, limit)
    assert len(cut.encode()) <= limit or cut == text
    assert text.startswith(cut)
    if len(text.encode()) <= limit:
        assert cut == text
    else:  # as long as it can be: the next character would not fit
        assert len(cut.encode()) + len(text[len(cut)].encode()) > limit


@given(st.text(max_size=3), SCOPES, st.none() | NAMES, st.sets(NAMES))
def test_a_message_must_name_somewhere_it_may_go(
    content: str, scope: Scope, target: str | None, groups: set[str]
) -> None:
    ok = core.addressed(content, scope, target, groups)
    if not content:
        assert not ok
    elif scope == "global":
        assert ok  # the target is ignored
    elif not target:
        assert not ok
    else:
        assert ok == (scope == "private" or target in groups)


def test_histories() -> None:
    assert core.histories("global", "me", None) == ["global"]
    assert core.histories("group", "me", "team") == ["group:team"]
    assert sorted(core.histories("private", "me", "you")) == ["private:me", "private:you"]
    assert core.histories("private", "me", "me") == ["private:me"]  # to oneself: kept once


@given(st.lists(st.tuples(SCOPES, st.none() | NAMES), max_size=10), st.sets(NAMES))
def test_last_seen_keeps_the_latest_per_scope(
    seen_in: list[tuple[Scope, str | None]], groups: set[str]
) -> None:
    seen = LastSeen()
    for n, (scope, target) in enumerate(seen_in):
        core.note_last_seen(seen, scope, target, str(n), groups)
    assert set(seen.group) <= groups
    for target, moment in seen.private.items():
        assert (("private", target), int(moment)) in {(pair, n) for n, pair in enumerate(seen_in)}


def test_correspondents_group_private_messages_by_the_other_end() -> None:
    def message(n: int, source: str, target: str) -> ChatMessage:
        return ChatMessage(
            id=str(n), source=source, timestamp="t", content="c", scope="private", target=target
        )

    a, b, c, d = (
        message(1, "me", "you"),
        message(2, "you", "me"),
        message(3, "x", "me"),
        message(4, "me", "me"),
    )
    assert core.correspondents([a, b, c, d], "me") == {"you": [a, b], "x": [c], "me": [d]}
