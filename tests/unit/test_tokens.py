"""signaling.tokens.Tokens over the memory store: tickets, resumption tokens, runner locks."""

from __future__ import annotations

import asyncio
import string
import time
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import signaling.tokens as tokens_module
from signaling.config import Settings
from signaling.errors import ApiError
from signaling.store.memory import MemoryExpiringStore
from signaling.tokens import TICKET_LENGTH, Identity, TicketData, Tokens

ALICE = Identity(kind="user", user_id="alice", name="Alice")
BOB = Identity(kind="user", user_id="bob", name="Bob")
GUEST = Identity(kind="guest")
SIP = Identity(kind="sip")
_ALNUM = set(string.ascii_letters + string.digits)


def _tokens(ticket_ttl: float = 30.0, resumption_ttl: float = 60.0) -> Tokens:
    return Tokens(
        MemoryExpiringStore(), Settings(ticket_ttl=ticket_ttl, resumption_ttl=resumption_ttl)
    )


@pytest.fixture
def tokens() -> Tokens:
    return _tokens()


def _room() -> str:
    return str(uuid.uuid4())


def _is_uuid(text: str) -> bool:
    return str(uuid.UUID(text)) == text


async def _start(
    tokens: Tokens,
    room: str,
    identity: Identity,
    resumption: str | None = None,
    breakout_room: str | None = None,
) -> tuple[TicketData, str]:
    """Issue and redeem a ticket: the handshake's view of a start call."""
    ticket, token = await tokens.issue(
        room=room, breakout_room=breakout_room, identity=identity, resumption=resumption
    )
    data = await tokens.redeem(ticket)
    assert data is not None
    assert data.resumption == token
    return data, token


async def _establish(
    tokens: Tokens, room: str, identity: Identity, resumption: str | None = None
) -> tuple[TicketData, str]:
    """Start and establish a session: its resumption token becomes valid."""
    data, token = await _start(tokens, room, identity, resumption)
    await tokens.activate_resumption(data)
    return data, token


# --- tickets --------------------------------------------------------------------------------


async def test_ticket_shape(tokens: Tokens) -> None:
    room = _room()
    ticket, resumption = await tokens.issue(
        room=room, breakout_room=None, identity=ALICE, resumption=None
    )
    assert len(ticket) == TICKET_LENGTH == 64
    assert ticket.startswith(room + "#")
    assert set(ticket[len(room) + 1 :]) <= _ALNUM
    assert len(resumption) == 64 and set(resumption) <= _ALNUM


@settings(max_examples=50, deadline=None)
@given(room=st.text(st.sampled_from(sorted(_ALNUM | {"-"})), min_size=1, max_size=62))
async def test_ticket_shape_for_any_short_room_id(room: str) -> None:
    tokens = _tokens()
    ticket, _ = await tokens.issue(room=room, breakout_room=None, identity=ALICE, resumption=None)
    assert len(ticket) == 64
    assert ticket.startswith(room + "#")
    data = await tokens.redeem(ticket)
    assert data is not None and data.room == room


async def test_tickets_are_unique(tokens: Tokens) -> None:
    room = _room()
    issued = [
        await tokens.issue(room=room, breakout_room=None, identity=ALICE, resumption=None)
        for _ in range(20)
    ]
    assert len({ticket for ticket, _ in issued}) == 20
    assert len({token for _, token in issued}) == 20


async def test_redeem_returns_the_ticket_data(tokens: Tokens) -> None:
    room = _room()
    ticket, token = await tokens.issue(
        room=room, breakout_room="b1", identity=ALICE, resumption=None
    )
    data = await tokens.redeem(ticket)
    assert data is not None
    assert data.room == room
    assert data.breakout_room == "b1"
    assert data.participant == ALICE
    assert data.resumption == token
    assert data.resuming is False
    assert _is_uuid(data.participant_id)


async def test_tickets_are_single_use(tokens: Tokens) -> None:
    ticket, _ = await tokens.issue(
        room=_room(), breakout_room=None, identity=ALICE, resumption=None
    )
    results = await asyncio.gather(*(tokens.redeem(ticket) for _ in range(10)))
    assert sum(r is not None for r in results) == 1
    assert await tokens.redeem(ticket) is None


async def test_unknown_and_malformed_tickets(tokens: Tokens) -> None:
    assert await tokens.redeem("") is None
    assert await tokens.redeem("x" * 64) is None
    ticket, _ = await tokens.issue(
        room=_room(), breakout_room=None, identity=ALICE, resumption=None
    )
    assert await tokens.redeem(ticket[:-1]) is None
    assert await tokens.redeem(ticket + "x") is None
    assert await tokens.redeem(ticket) is not None  # the near misses did not consume it


async def test_tickets_expire() -> None:
    tokens = _tokens(ticket_ttl=0.05)
    ticket, _ = await tokens.issue(
        room=_room(), breakout_room=None, identity=ALICE, resumption=None
    )
    await asyncio.sleep(0.12)
    assert await tokens.redeem(ticket) is None


# --- resumption -----------------------------------------------------------------------------


async def test_unknown_token_gives_a_fresh_id(tokens: Tokens) -> None:
    data, _ = await _start(tokens, _room(), ALICE, resumption="nope" * 16)
    assert not data.resuming
    assert _is_uuid(data.participant_id)


async def test_token_only_valid_after_activation(tokens: Tokens) -> None:
    room = _room()
    first, token = await _start(tokens, room, ALICE)
    again, _ = await _start(tokens, room, ALICE, resumption=token)
    assert again.participant_id != first.participant_id
    assert not again.resuming


async def test_same_room_and_identity_resumes_and_consumes(tokens: Tokens) -> None:
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    resumed, new_token = await _start(tokens, room, ALICE, resumption=token)
    assert resumed.participant_id == first.participant_id
    assert resumed.resuming
    assert new_token != token
    assert await tokens.refresh_resumption(token) is False  # consumed
    again, _ = await _start(tokens, room, ALICE, resumption=token)
    assert again.participant_id != first.participant_id
    assert not again.resuming


async def test_resumption_keeps_the_id_across_breakout_moves(tokens: Tokens) -> None:
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    ticket, _ = await tokens.issue(room=room, breakout_room="b1", identity=ALICE, resumption=token)
    moved = await tokens.redeem(ticket)
    assert moved is not None
    assert moved.participant_id == first.participant_id
    assert moved.breakout_room == "b1"


async def test_guests_resume_with_their_token(tokens: Tokens) -> None:
    room = _room()
    first, token = await _establish(tokens, room, GUEST)
    resumed, _ = await _start(tokens, room, GUEST, resumption=token)
    assert resumed.participant_id == first.participant_id and resumed.resuming


async def test_chained_resumptions_keep_the_id(tokens: Tokens) -> None:
    room = _room()
    data, token = await _establish(tokens, room, ALICE)
    original = data.participant_id
    for _ in range(3):
        data, token = await _establish(tokens, room, ALICE, resumption=token)
        assert data.participant_id == original


@pytest.mark.parametrize(
    ("other_room", "other_identity"),
    [
        (True, ALICE),
        (False, BOB),
        (False, GUEST),
        (False, Identity(kind="guest", user_id="alice")),
    ],
)
async def test_other_room_or_identity_gives_a_fresh_id(
    tokens: Tokens, other_room: bool, other_identity: Identity
) -> None:
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    data, _ = await _start(
        tokens, _room() if other_room else room, other_identity, resumption=token
    )
    assert data.participant_id != first.participant_id
    assert not data.resuming


@pytest.mark.parametrize("kind", ["sip", "recorder"])
async def test_sip_and_recorder_never_resume(tokens: Tokens, kind: str) -> None:
    room = _room()
    identity = SIP if kind == "sip" else Identity(kind="recorder")
    first, token = await _establish(tokens, room, identity)
    data, _ = await _start(tokens, room, identity, resumption=token)
    assert data.participant_id != first.participant_id
    assert not data.resuming


async def test_resumption_tokens_expire() -> None:
    tokens = _tokens(resumption_ttl=0.05)
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    await asyncio.sleep(0.12)
    assert await tokens.refresh_resumption(token) is False
    data, _ = await _start(tokens, room, ALICE, resumption=token)
    assert data.participant_id != first.participant_id


async def test_refresh_keeps_a_running_sessions_token_alive() -> None:
    tokens = _tokens(resumption_ttl=0.1)
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    for _ in range(3):
        await asyncio.sleep(0.05)
        assert await tokens.refresh_resumption(token) is True
    data, _ = await _start(tokens, room, ALICE, resumption=token)
    assert data.participant_id == first.participant_id


async def test_concurrent_resumptions_have_one_winner(tokens: Tokens) -> None:
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    results = await asyncio.gather(*(_start(tokens, room, ALICE, token) for _ in range(8)))
    resumed = [data for data, _ in results if data.participant_id == first.participant_id]
    assert len(resumed) == 1 and resumed[0].resuming
    assert all(not data.resuming for data, _ in results if data is not resumed[0])


async def test_running_session_blocks_resumption(
    tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens_module, "RUNNER_WAIT", 0.2)
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    owner = await tokens.acquire_runner(first.participant_id, tries=1)
    assert owner is not None
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        await tokens.issue(room=room, breakout_room=None, identity=ALICE, resumption=token)
    assert time.monotonic() - started >= 0.2  # it waited for the session to close
    assert info.value.code == "session_running"
    assert info.value.status == 400
    # the token survives the refusal: once the session is gone, resuming works
    await tokens.release_runner(first.participant_id, owner)
    data, _ = await _start(tokens, room, ALICE, resumption=token)
    assert data.participant_id == first.participant_id


async def test_lock_released_during_the_wait_resumes(
    tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens_module, "RUNNER_WAIT", 2.0)
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    owner = await tokens.acquire_runner(first.participant_id, tries=1)
    assert owner is not None
    started = time.monotonic()
    pending = asyncio.create_task(_start(tokens, room, ALICE, resumption=token))
    await asyncio.sleep(0.15)
    assert not pending.done()
    await tokens.release_runner(first.participant_id, owner)
    data, _ = await asyncio.wait_for(pending, 1.0)
    assert data.participant_id == first.participant_id and data.resuming
    assert time.monotonic() - started < 1.5


async def test_other_participants_lock_does_not_block(
    tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens_module, "RUNNER_WAIT", 0.2)
    room = _room()
    first, token = await _establish(tokens, room, ALICE)
    assert await tokens.acquire_runner(str(uuid.uuid4()), tries=1) is not None
    data, _ = await _start(tokens, room, ALICE, resumption=token)
    assert data.participant_id == first.participant_id


# --- runner locks ---------------------------------------------------------------------------


async def test_runner_lock_ownership(tokens: Tokens) -> None:
    pid = str(uuid.uuid4())
    assert not await tokens.runner_active(pid)
    owner = await tokens.acquire_runner(pid, tries=1)
    assert owner is not None
    assert await tokens.runner_active(pid)
    assert await tokens.acquire_runner(pid, tries=2, pause=0.01) is None
    assert await tokens.refresh_runner(pid, "intruder") is False
    assert await tokens.refresh_runner(pid, owner) is True
    await tokens.release_runner(pid, "intruder")
    assert await tokens.runner_active(pid)
    await tokens.release_runner(pid, owner)
    assert not await tokens.runner_active(pid)
    second = await tokens.acquire_runner(pid, tries=1)
    assert second is not None and second != owner
    await tokens.release_runner(pid, owner)  # a stale owner cannot release the new lock
    assert await tokens.runner_active(pid)
    assert await tokens.refresh_runner(pid, owner) is False  # nor refresh or retake it
    assert await tokens.acquire_runner(pid, tries=1) is None


def _short_presence() -> Tokens:
    return Tokens(MemoryExpiringStore(), Settings(presence_ttl=0.05))


async def test_runner_lock_expires_after_the_presence_ttl() -> None:
    tokens = Tokens(MemoryExpiringStore(), Settings(presence_ttl=0.1))
    pid = str(uuid.uuid4())
    owner = await tokens.acquire_runner(pid, tries=1)
    assert owner is not None
    await asyncio.sleep(0.06)
    assert await tokens.refresh_runner(pid, owner) is True  # extends the lock
    await asyncio.sleep(0.06)
    assert await tokens.runner_active(pid)  # past the first TTL, thanks to the refresh
    await asyncio.sleep(0.12)
    assert not await tokens.runner_active(pid)  # the node stopped refreshing


async def test_lapsed_runner_lock_is_taken_back_by_its_owner() -> None:
    tokens = _short_presence()
    pid = str(uuid.uuid4())
    owner = await tokens.acquire_runner(pid, tries=1)
    assert owner is not None
    await asyncio.sleep(0.08)
    assert not await tokens.runner_active(pid)
    assert await tokens.refresh_runner(pid, owner) is True  # a stalled node recovers
    assert await tokens.runner_active(pid)
    assert await tokens.acquire_runner(pid, tries=1) is None
    await tokens.release_runner(pid, owner)
    assert not await tokens.runner_active(pid)


async def test_lapsed_runner_lock_taken_over_is_lost() -> None:
    tokens = _short_presence()
    pid = str(uuid.uuid4())
    stalled = await tokens.acquire_runner(pid, tries=1)
    assert stalled is not None
    await asyncio.sleep(0.08)
    newer = await tokens.acquire_runner(pid, tries=1)
    assert newer is not None and newer != stalled
    assert await tokens.refresh_runner(pid, stalled) is False  # the session lost its id
    await tokens.release_runner(pid, stalled)
    assert await tokens.refresh_runner(pid, newer) is True


async def test_runner_locks_are_per_participant(tokens: Tokens) -> None:
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    assert await tokens.acquire_runner(one, tries=1) is not None
    assert await tokens.acquire_runner(two, tries=1) is not None
    assert not await tokens.runner_active(str(uuid.uuid4()))


async def test_acquire_retries_until_released(tokens: Tokens) -> None:
    pid = str(uuid.uuid4())
    owner = await tokens.acquire_runner(pid, tries=1)
    assert owner is not None
    waiting = asyncio.create_task(tokens.acquire_runner(pid, tries=20, pause=0.02))
    await asyncio.sleep(0.07)
    assert not waiting.done()
    await tokens.release_runner(pid, owner)
    second = await asyncio.wait_for(waiting, 1.0)
    assert second is not None and second != owner


async def test_concurrent_acquire_has_one_owner(tokens: Tokens) -> None:
    pid = str(uuid.uuid4())
    owners = await asyncio.gather(*(tokens.acquire_runner(pid, tries=1) for _ in range(10)))
    assert sum(o is not None for o in owners) == 1
