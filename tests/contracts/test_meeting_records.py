"""The meeting records (signaling/webhooks/records.py) on SQLite and Redis: webhooks, and
sessions built from outbox entries, applied once or again."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from signaling.webhooks.events import Entry, EntryName
from signaling.webhooks.records import Attendance, FinishedPoll, PollChoice, Records, Webhook
from tests.contracts.conftest import RECORDS_TEST_RETENTION


def _t(second: int) -> str:
    return f"2024-01-01T00:00:{second:02d}.000000Z"


class _Meeting:
    """Entries of one session as a live state would emit them."""

    def __init__(self) -> None:
        self.room = str(uuid.uuid4())
        self.session = str(uuid.uuid4())
        self.entries: list[Entry] = []

    def add(self, event: EntryName, second: int, **data: Any) -> None:
        data = {**data, "room_id": self.room, "session_id": self.session}
        self.entries.append(
            Entry(len(self.entries) + 1, str(uuid.uuid4()), event, _t(second), data)
        )

    def join(self, pid: str, second: int) -> None:
        self.add(
            "participant.joined",
            second,
            participant_id=pid,
            display_name=f"Name {pid}",
            kind="user",
            role="user",
            user_id=None,
            joined_at=_t(second),
        )

    def leave(self, pid: str, second: int, reason: str = "quit") -> None:
        self.add("participant.left", second, participant_id=pid, left_at=_t(second),
                 leave_reason=reason)  # fmt: skip


def _meeting() -> _Meeting:
    m = _Meeting()
    m.add("session.started", 0, started_at=_t(0))
    m.join("a", 1)
    m.join("b", 2)
    m.leave("a", 3, "timeout")
    m.join("a", 4)  # back after its node died: a second attendance of the same id
    m.add("poll.done", 5, poll_id="p", topic="Pizza?", breakout_room=None,
          choices=[{"id": 0, "content": "yes"}, {"id": 1, "content": "no"}],
          results=[{"id": 0, "count": 2}, {"id": 1, "count": 1}])  # fmt: skip
    m.join("c", 6)
    m.leave("b", 7, "kicked")
    m.add("poll.done", 8, poll_id="q", topic="Tea?", breakout_room="b1",
          choices=[{"id": 0, "content": "green"}], results=[])  # fmt: skip
    m.add("chat.kept", 9, messages=CHAT)
    m.add("session.ended", 9, ended_at=_t(9), reason="empty")
    return m


CHAT = ['{"id":"1","source":"a","timestamp":"x","content":"hi","scope":"global"}', "{}"]


async def _check(records: Records, m: _Meeting) -> None:
    session = await records.session(m.session)
    assert session is not None
    assert (session.room_id, session.started_at, session.ended_at) == (m.room, _t(0), _t(9))
    assert (session.participant_count, session.max_concurrent) == (3, 3)

    def a(pid: str, joined: int, left: int, reason: str | None) -> Attendance:
        return Attendance(participant_id=pid, display_name=f"Name {pid}", kind="user",
                          role="user", joined_at=_t(joined), left_at=_t(left),
                          leave_reason=reason)  # fmt: skip

    assert await records.attendances(m.session) == [
        a("a", 1, 3, "timeout"),
        a("b", 2, 7, "kicked"),
        a("a", 4, 9, None),  # still there when the session ended
        a("c", 6, 9, None),
    ]
    assert await records.polls(m.session) == [
        FinishedPoll(id="p", topic="Pizza?", breakout_room=None, ended_at=_t(5),
                     choices=[PollChoice(0, "yes", 2), PollChoice(1, "no", 1)]),
        FinishedPoll(id="q", topic="Tea?", breakout_room="b1", ended_at=_t(8),
                     choices=[PollChoice(0, "green", 0)]),  # no votes: counted 0
    ]  # fmt: skip
    assert await records.chat(m.session) == CHAT


async def test_a_kept_chat_is_deleted_once(records: Records) -> None:
    m = _meeting()
    for entry in m.entries:
        await records.apply(entry)
    assert await records.delete_chat(m.session)
    assert await records.chat(m.session) is None
    assert not await records.delete_chat(m.session)
    assert await records.polls(m.session) != []  # the rest of the record stays
    unknown = str(uuid.uuid4())
    assert await records.chat(unknown) is None and await records.polls(unknown) == []


async def test_a_session_from_its_entries(records: Records) -> None:
    m = _meeting()
    for entry in m.entries:
        await records.apply(entry)
    await _check(records, m)


async def test_applying_again_changes_nothing(records: Records) -> None:
    m = _meeting()
    for i, entry in enumerate(m.entries):  # a node died after each step: it runs twice
        await records.apply(entry)
        await records.apply(entry)
        if i == 3:
            running = await records.session(m.session)
            assert running is not None and running.ended_at is None
    await _check(records, m)


async def test_sessions_of_a_room_newest_first(records: Records) -> None:
    first, second = _Meeting(), _Meeting()
    second.room = first.room
    first.add("session.started", 1, started_at=_t(1))
    second.add("session.started", 5, started_at=_t(5))
    other = _Meeting()
    other.add("session.started", 3, started_at=_t(3))
    for entry in [*first.entries, *other.entries, *second.entries]:
        await records.apply(entry)
    assert [s.id for s in await records.sessions(first.room)] == [second.session, first.session]
    assert await records.sessions(str(uuid.uuid4())) == []
    assert await records.session(str(uuid.uuid4())) is None
    assert await records.attendances(str(uuid.uuid4())) == []


async def test_entries_outside_a_session_change_nothing(records: Records) -> None:
    room = str(uuid.uuid4())
    data = {"room_id": room, "session_id": None, "deleted_at": _t(0)}
    await records.apply(Entry(1, str(uuid.uuid4()), "room.deleted", _t(0), data))
    assert await records.sessions(room) == []


async def test_ended_sessions_are_purged_after_the_retention(records: Records) -> None:
    m = _meeting()
    running = _Meeting()
    running.room = m.room
    running.add("session.started", 10, started_at=_t(10))
    for entry in [*m.entries, *running.entries]:
        await records.apply(entry)
    await asyncio.sleep(RECORDS_TEST_RETENTION + 0.2)
    await records.purge("2024-01-01T00:00:10.000000Z")
    assert await records.session(m.session) is None
    assert await records.attendances(m.session) == []
    assert await records.polls(m.session) == [] and await records.chat(m.session) is None
    assert [s.id for s in await records.sessions(m.room)] == [running.session]


async def test_webhooks(records: Records) -> None:
    one = Webhook(id=str(uuid.uuid4()), url="http://127.0.0.1:1/a", events=["room.deleted"],
                  secret="s1", created_at=_t(1))  # fmt: skip
    two = Webhook(id=str(uuid.uuid4()), url="https://example.com/b",
                  events=["session.started", "poll.done"], secret="s2",
                  created_at=_t(2))  # fmt: skip
    await records.add_webhook(two)
    await records.add_webhook(one)
    assert await records.webhooks() == [one, two]
    assert await records.webhook(two.id) == two
    changed = Webhook(id=two.id, url=two.url, events=["room.deleted"], secret="s3",
                      created_at=two.created_at)  # fmt: skip
    assert await records.replace_webhook(changed)
    assert await records.webhook(two.id) == changed
    ghost = Webhook(id=str(uuid.uuid4()), url="http://x", events=[], secret="s", created_at=_t(3))
    assert not await records.replace_webhook(ghost)
    assert await records.webhook(ghost.id) is None
    assert await records.remove_webhook(one.id)
    assert not await records.remove_webhook(one.id)
    assert await records.webhooks() == [changed]
