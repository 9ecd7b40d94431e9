"""Property tests of the input bounds of issue 10: every string a client sends that the server
keeps has a length limit, numeric fields have ranges, tokens a maximum lifetime, and the
throttle never lets more than its attempts through."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import jwt
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signaling.auth import REFUSAL_REASONS, Authenticator
from signaling.config import Settings
from signaling.errors import ApiError
from signaling.modules.breakout.types import MAX_DURATION
from signaling.modules.breakout.types import Command as BreakoutCommand
from signaling.modules.chat.types import MAX_TARGET_LENGTH
from signaling.modules.chat.types import Command as ChatCommand
from signaling.modules.polls.types import Command as PollsCommand
from tickets.throttle import MemoryThrottle

chat = msgspec.json.Decoder(ChatCommand)
breakout = msgspec.json.Decoder(BreakoutCommand)
polls = msgspec.json.Decoder(PollsCommand)
SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def _decodes(decoder: msgspec.json.Decoder[Any], payload: dict[str, Any]) -> bool:
    try:
        decoder.decode(msgspec.json.encode(payload))
    except msgspec.ValidationError:
        return False
    return True


@given(st.text(max_size=MAX_TARGET_LENGTH + 40), st.sampled_from(["private", "group"]))
def test_chat_targets_have_a_length_limit(target: str, scope: str) -> None:
    for action in (
        {"action": "send_message", "content": "hi"},
        {
            "action": "set_last_seen_timestamp",
            "timestamp": "2024-03-10T16:55:00Z",
        },
    ):
        ok = _decodes(chat, {**action, "scope": scope, "target": target})
        assert ok == (len(target) <= MAX_TARGET_LENGTH)


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_breakout_durations_have_a_range(duration: int) -> None:
    ok = _decodes(breakout, {"action": "start", "rooms": [{"name": "A"}], "duration": duration})
    assert ok == (0 <= duration <= MAX_DURATION)


@given(st.text(max_size=300), st.lists(st.text(max_size=70), max_size=3))
def test_breakout_names_and_assignments_have_length_limits(name: str, ids: list[str]) -> None:
    ok = _decodes(breakout, {"action": "start", "rooms": [{"name": name, "assignments": ids}]})
    assert ok == (len(name) <= 255 and all(len(i) <= 64 for i in ids))


@given(st.integers(min_value=0, max_value=120))
def test_breakout_room_counts_have_a_limit(count: int) -> None:
    ok = _decodes(breakout, {"action": "start", "rooms": [{"name": "A"}] * count})
    assert ok == (count <= 100)


@given(st.text(max_size=2100), st.integers(min_value=0, max_value=300), st.text(max_size=80))
def test_poll_texts_have_length_limits(topic: str, choices: int, poll_id: str) -> None:
    start = {"action": "start", "topic": topic, "choices": ["c"] * choices}
    assert _decodes(polls, start) == (len(topic) <= 2000 and choices <= 256)
    for command in ({"action": "vote", "poll_id": poll_id}, {"action": "finish", "id": poll_id}):
        assert _decodes(polls, command) == (len(poll_id) <= 64)


def _token(**claims: Any) -> str:
    return jwt.encode({"sub": "alice", **claims}, SECRET, algorithm="HS256")


@given(st.integers(min_value=1, max_value=10**12))
def test_a_maximum_token_lifetime_refuses_longer_ones(lifetime: int) -> None:
    auth = Authenticator(Settings(jwt_secret=SECRET, jwt_max_age=3600))
    now = int(time.time())
    token = _token(iat=now, exp=now + lifetime)
    if lifetime <= 3600:
        assert auth.verify(token).sub == "alice"
    else:
        with pytest.raises(ApiError) as refused:
            auth.verify(token)
        assert refused.value.status == 401


def test_without_a_maximum_any_lifetime_is_accepted_and_iat_is_not_required() -> None:
    auth = Authenticator(Settings(jwt_secret=SECRET))
    assert auth.verify(_token(exp=10**12)).sub == "alice"
    with pytest.raises(ApiError):
        Authenticator(Settings(jwt_secret=SECRET, jwt_max_age=60)).verify(_token(exp=10**12))


@given(st.text(min_size=1, max_size=40).filter(lambda s: "." not in s))
def test_jwt_errors_do_not_echo_the_library(garbage: str) -> None:
    auth = Authenticator(Settings(jwt_secret=SECRET))
    for token in (
        garbage,
        _token(exp=1),
        jwt.encode({"sub": "a", "exp": 10**12}, "other-secret-of-enough-length-0123456789"),
    ):
        with pytest.raises(ApiError) as refused:
            auth.verify(token)
        message = refused.value.body()["message"]
        assert message.startswith("invalid bearer token: ")
        assert message.removeprefix("invalid bearer token: ") in REFUSAL_REASONS


@given(st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=40))
def test_concurrent_attempts_never_exceed_the_limit(attempts: int, tries: int) -> None:
    throttle = MemoryThrottle(attempts, 60.0)

    async def run() -> list[int | None]:
        return list(
            await asyncio.gather(
                *(throttle.attempt("room", "client", uuid.uuid4().hex) for _ in range(tries))
            )
        )

    results = asyncio.run(run())
    assert sum(result is None for result in results) == min(attempts, tries)
